"""The app's export callables (run by Streamlit only when the user clicks a download button)."""

from __future__ import annotations

import pytest

from dashboard import ui, views
from dashboard.ingest.bundle import load_case


@pytest.fixture(scope="module")
def seed_data(seed_path) -> ui.CaseData:
    return ui.derive(load_case(seed_path))


def test_html_report_holds_the_scores_and_escapes_the_case(seed_data):
    html = ui.deferred_report(seed_data, list(views.MAS_PANEL), xuln=False)()
    admission = seed_data.scores.reset_index().set_index("timepoint").loc["Admission"]
    assert html.lstrip().lower().startswith("<!doctype html")
    assert f">{int(admission['hscore.points'])}<" in html.replace(" ", "")
    assert "MAS complicating an SLE flare" in html
    assert html.count("Plotly.newPlot") == len(ui.FIGURE_TITLES)


def test_png_export_of_the_case_figure(seed_data):
    make = ui.deferred_export(lambda: ui.case_figures(seed_data, ["ferritin"], xuln=False)["case"], "png")
    png = make()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 10_000


def test_screen_figures_leave_the_title_to_the_page(seed_data):
    screen = ui.case_figures(seed_data, ["ferritin"], xuln=False, titled=False)
    exported = ui.case_figures(seed_data, ["ferritin"], xuln=False)
    assert screen["case"].layout.title.text is None
    assert "MAS complicating" in exported["heatmap"].layout.title.text
    assert screen["scores"].layout.xaxis.range == screen["case"].layout.xaxis.range
