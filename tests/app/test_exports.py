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


def test_the_cache_stamp_reads_no_metadata_and_changes_on_every_save(store_root, seed_path, monkeypatch):
    from dashboard.ingest.store import CaseStore

    store = CaseStore(store_root)
    case = load_case(seed_path)
    store.save(case)
    monkeypatch.setattr(CaseStore, "list_cases", lambda self: pytest.fail("a rerun must not list every case"))
    first = ui._stamp(store, [case.id])
    assert ui._stamp(store, [case.id]) == first  # stable between reruns
    case.meta = {**case.meta, "title": "A changed title"}
    store.save(case)
    assert ui._stamp(store, [case.id]) != first  # a new version is a new cache key
    assert ui._stamp(store, ["never-saved"]) == "never-saved:absent"
