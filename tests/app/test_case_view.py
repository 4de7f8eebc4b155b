"""The case view on the seed case: the app opens on it with no set-up and shows the engine's values."""

from __future__ import annotations

import pytest

from dashboard.domain.scores import score_observations
from dashboard.ingest.bundle import load_case
from dashboard.views import MAS_PANEL

SEED_ID = "seed-sle-mas"


@pytest.fixture(scope="module")
def seed_scores(seed_path):
    scores = score_observations(load_case(seed_path).observations).reset_index()
    return scores.set_index("timepoint")


def test_opens_on_the_seed_case_with_an_empty_store(app, store_root, page_text):
    at = app()
    assert at.selectbox(key="case_pick").value == SEED_ID
    assert "MAS complicating an SLE flare" in page_text(at)
    assert (store_root / SEED_ID / "current").is_dir()


def test_hscore_per_timepoint_equals_the_scoring_engine(app, seed_scores, table):
    shown = table(app(), "case_scores").set_index("Timepoint")
    assert list(shown.index) == ["Admission", "After mPSL", "After DEX", "6 weeks after discharge"]
    for timepoint in shown.index:
        assert shown.loc[timepoint, "HScore"] == seed_scores.loc[timepoint, "hscore.points"]
        assert shown.loc[timepoint, "HScore max"] == seed_scores.loc[timepoint, "hscore.max"]


def test_item_breakdown_shows_each_hscore_item_at_admission(app, seed_scores, table):
    items = table(app(), "case_hscore_items")
    admission = seed_scores.loc["Admission"]
    assert items.loc["ferritin", "Admission"] == str(admission["hscore.items.ferritin"])
    assert items.loc["temperature", "Admission"] == str(admission["hscore.items.temperature"])
    assert items.loc["hemophagocytosis", "Admission"] == "unknown"  # marrow not yet examined


def test_analytes_default_to_the_mas_panel(app, chart):
    at = app()
    assert at.multiselect(key="case_analytes").value == list(MAS_PANEL)
    at.multiselect(key="case_analytes").set_value(["ferritin", "platelets"]).run()
    names = " ".join(str(a.get("text", "")) for a in chart(at, "case_chart")["layout"].get("annotations", []))
    assert "Ferritin" in names and "Platelets" in names and "LDH" not in names


def test_xuln_toggle_puts_the_labs_on_one_axis(app, chart):
    at = app()
    absolute = chart(at, "case_chart")
    at.toggle(key="case_xuln").set_value(True).run()
    assert not at.exception
    xuln = chart(at, "case_chart")
    assert absolute != xuln
    assert "ULN" in str(xuln["layout"])


def test_heatmap_and_derived_table(app, chart, table):
    at = app()
    heatmap = chart(at, "case_heatmap")
    assert any(trace["type"] == "heatmap" for trace in heatmap["data"])
    derived = table(at, "case_derived")
    ferritin = derived[(derived["analyte"] == "ferritin") & (derived["timepoint"] == "Admission")].iloc[0]
    assert ferritin["value"] == 9560
    assert ferritin["flag"] == "H"
    assert ferritin["x_uln"] == pytest.approx(9560 / 138)


def test_downloads_and_exports_are_offered(app):
    at = app()
    keys = {button.key for button in at.download_button}
    assert {"case_download_csv", "case_download_parquet", "case_export_report"} <= keys
    assert {"case_export_case", "case_export_scores", "case_export_heatmap"} <= keys
    at.segmented_control(key="case_export_format").set_value("svg").run()
    assert "(SVG)" in at.download_button(key="case_export_case").label


def test_the_stored_warnings_of_the_case_are_shown_collapsed_with_their_count(app, seed_path, table):
    """Nothing inferred is invisible: the seed's one warning (a bare-number reference range) is listed."""
    at = app()
    warnings = load_case(seed_path).problems
    expander = next(e for e in at.expander if e.label.startswith("Warnings when the case was read"))
    assert expander.label == f"Warnings when the case was read ({len(warnings)})" and len(warnings) == 1
    assert not expander.proto.expanded
    shown = table(at, "case_warnings")
    assert shown[["file", "row", "column", "value"]].values.tolist() == [
        [warnings[0].file, str(warnings[0].row), warnings[0].column, warnings[0].value]]
