"""Static export through kaleido and the system Chromium: PNG, SVG and PDF of the seed's figures."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from dashboard.charts.case_figure import case_figure
from dashboard.charts.heatmap import flag_heatmap
from dashboard.charts.scores import score_figure
from dashboard.report.images import export_figure, export_figures


@pytest.fixture(scope="module")
def seed_figures(seed_path) -> dict:
    """The seed's case figure, score figure and heatmap, on screen and in presentation mode."""
    from dashboard.domain.flags import reference_flags
    from dashboard.domain.scores import score_observations
    from dashboard.ingest.bundle import load_case

    case = load_case(seed_path)
    flags, scores = reference_flags(case.observations), score_observations(case.observations)
    meta = {"title": case.meta["title"], "source": case.meta["source"]}
    figs = {}
    for presentation, suffix in ((False, ""), (True, "_presentation")):
        figs[f"case{suffix}"] = case_figure(flags, case.events, **meta, presentation=presentation)
        figs[f"scores{suffix}"] = score_figure(scores, **meta, presentation=presentation)
        figs[f"heatmap{suffix}"] = flag_heatmap(flags, **meta, presentation=presentation)
    return figs


def test_png_svg_pdf_are_real_files(seed_figures):
    fig = seed_figures["case"]
    png = export_figure(fig, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    svg = export_figure(fig, "svg")
    assert svg.lstrip().startswith(b"<svg") and b"Ferritin" in svg and len(svg) > 10_000
    pdf = export_figure(fig, "PDF")
    assert pdf[:5] == b"%PDF-" and len(pdf) > 10_000


def test_png_keeps_the_figure_size_at_double_scale(seed_figures):
    fig = seed_figures["heatmap"]
    png = export_figure(fig, "png", width=1000)
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert width == 2000 and height == 2 * fig.layout.height


def test_presentation_figures_export_at_slide_width(seed_figures):
    png = export_figure(seed_figures["scores_presentation"], "png")
    assert int.from_bytes(png[16:20], "big") == 2 * 1920
    assert int.from_bytes(export_figure(seed_figures["scores"], "png")[16:20], "big") == 2 * 1200


def test_a_full_set_takes_seconds_with_the_persistent_server(seed_figures, tmp_path):
    export_figure(seed_figures["scores"], "png")  # the server is up after the first export
    start = time.perf_counter()
    images = export_figures(seed_figures, "png")
    elapsed = time.perf_counter() - start
    assert set(images) == set(seed_figures)
    assert all(img[:4] == b"\x89PNG" and len(img) > 10_000 for img in images.values())
    assert elapsed < 60  # six figures; a fresh Chromium per figure would take minutes on 2 cores
    out = Path(os.environ.get("CASETRACK_FIG_DIR", tmp_path))  # set it to keep the PNGs for review
    out.mkdir(parents=True, exist_ok=True)
    for name, img in images.items():
        (out / f"seed_{name}.png").write_bytes(img)
    assert (out / "seed_case_presentation.png").stat().st_size > 10_000


def test_unknown_format_is_refused(seed_figures):
    with pytest.raises(ValueError, match="png, svg, pdf"):
        export_figure(seed_figures["case"], "gif")


def test_the_export_page_loads_nothing_from_outside():
    from dashboard.report.images import EXPORT_PAGE

    page = EXPORT_PAGE.generate_index()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts and all(src.startswith("file://") for src in scripts)  # plotly.js from the plotly package
    assert "mathjax" not in page.lower() and "http" not in page


def media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of every page, read from the PDF's page objects."""
    n_pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    found = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert n_pages and len(found) == n_pages  # one box per page (none inherited from the page tree)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in found]


def test_the_slide_deck_is_one_16_9_page_per_slide(seed_figures):
    from dashboard.report.images import export_deck

    slides = [seed_figures["case"], seed_figures["scores"], seed_figures["heatmap"]]
    pdf = export_deck(slides, width=1920, height=1080)
    assert pdf[:5] == b"%PDF-"
    boxes = media_boxes(pdf)
    assert len(boxes) == 3
    assert all(width / height == pytest.approx(16 / 9) for width, height in boxes)
    assert boxes[0] == (1440.0, 810.0)  # 1920 x 1080 px at 96 px per inch = 20 x 11.25 in
