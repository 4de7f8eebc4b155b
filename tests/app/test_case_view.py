"""The case view on the seed case: the app opens on it with no set-up and shows the engine's values."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.domain.scores import score_observations
from dashboard.ingest.bundle import load_case
from dashboard.ingest.store import CaseStore
from dashboard.views import MAS_PANEL

SEED_ID = "seed-sle-mas"
MINI = Path(__file__).resolve().parents[1] / "fixtures" / "cases" / "mini"
PICK = f"case_analytes:{SEED_ID}"


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
    for timepoint in shown.index:  # the range the unknown items allow (issue 11)
        engine = seed_scores.loc[timepoint]
        assert shown.loc[timepoint, "HScore"] == f"{engine['hscore.min']}–{engine['hscore.max']}"


def test_item_breakdown_shows_each_hscore_item_at_admission(app, seed_scores, table, open_section):
    items = table(open_section(app(), "Scores"), "case_hscore_items")
    admission = seed_scores.loc["Admission"]
    assert items.loc["ferritin", "Admission"] == str(admission["hscore.items.ferritin"])
    assert items.loc["temperature", "Admission"] == str(admission["hscore.items.temperature"])
    assert items.loc["hemophagocytosis", "Admission"] == "unknown"  # marrow not yet examined


def test_hlh2004_criteria_read_met_not_met_or_unknown(app, seed_scores, table, open_section):
    criteria = table(open_section(app(), "Scores"), "case_hlh_items")
    assert criteria.loc["cytopenias", "Admission"] == "met"  # platelets 22 x10^9/L, hemoglobin 77 g/L
    assert criteria.loc["cytopenias", "After DEX"] == "not met"
    assert criteria.loc["nk_activity", "Admission"] == "unknown"


def test_analytes_default_to_the_mas_panel(app, chart):
    at = app()
    assert at.multiselect(key=PICK).value == list(MAS_PANEL)
    at.multiselect(key=PICK).set_value(["ferritin", "platelets"]).run()
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


def test_heatmap_and_derived_table(app, chart, table, open_section):
    at = open_section(app(), "Flags")
    heatmap = chart(at, "case_heatmap")
    assert any(trace["type"] == "heatmap" for trace in heatmap["data"])
    derived = table(open_section(at, "Data & export"), "case_derived")
    ferritin = derived[(derived["analyte"] == "ferritin") & (derived["timepoint"] == "Admission")].iloc[0]
    assert ferritin["value"] == 9560
    assert ferritin["flag"] == "H"
    assert ferritin["x_uln"] == pytest.approx(9560 / 138)


def test_downloads_and_exports_are_offered(app, open_section):
    at = open_section(app(), "Data & export")
    keys = {button.key for button in at.download_button}
    assert {"case_download_csv", "case_download_parquet", "case_export_report"} <= keys
    assert {"case_export_case", "case_export_scores", "case_export_heatmap"} <= keys
    at.segmented_control(key="case_export_format").set_value("svg").run()
    assert "(SVG)" in at.download_button(key="case_export_case").label


def test_the_stored_warnings_of_the_case_are_shown_collapsed_with_their_count(app, seed_path, table):
    """Nothing inferred is invisible: the seed's two warnings (CRP's reference '< 10' printed beside
    mg/dL, 10x the usual range, and ESR's bare-number reference '22') are listed, in file order."""
    at = app()
    warnings = load_case(seed_path).problems
    expander = next(e for e in at.expander if e.label.startswith("Warnings when the case was read"))
    assert expander.label == f"Warnings when the case was read ({len(warnings)})" and len(warnings) == 2
    assert not expander.proto.expanded
    with pytest.raises(KeyError):  # collapsed: not drawn until opened
        table(at, "case_warnings")
    at.session_state["case_warnings_open"] = True
    shown = table(at.run(), "case_warnings")
    assert sorted(shown[["file", "row", "column", "value"]].values.tolist()) == [
        ["labs.csv", "22", "reference range", "< 10"], ["labs.csv", "23", "reference range", "22"]]


def test_the_analyte_picker_shows_names_and_keeps_ids(app):
    picker = app().multiselect(key=PICK)
    assert "D-dimer" in picker.options and "Aspartate aminotransferase" in picker.options
    assert not {"d_dimer", "ast", "wbc"} & set(picker.options)  # no internal id on screen
    assert "d_dimer" in picker.value and "ast" in picker.value  # the values stay catalogue ids


def test_each_case_keeps_its_own_analytes(app, store_root, chart):
    mini = load_case(MINI)
    CaseStore(store_root).save(mini)
    at = app()
    at.multiselect(key=PICK).set_value(["ferritin", "ldh"]).run()
    at.selectbox(key="case_pick").set_value("mini").run()
    assert at.multiselect(key="case_analytes:mini").value == MINI_PANEL
    assert panel_titles(chart(at, "case_chart")) == MINI_TITLES
    at.toggle(key="case_xuln").set_value(True).run()  # the next click keeps the case's own list
    at.toggle(key="case_xuln").set_value(False).run()
    assert panel_titles(chart(at, "case_chart")) == MINI_TITLES
    at.selectbox(key="case_pick").set_value(SEED_ID).run()
    assert at.multiselect(key=PICK).value == ["ferritin", "ldh"]
    assert panel_titles(chart(at, "case_chart")) == ["Ferritin", "LDH"]
    at.button(key="case_present").click().run()
    at.button(key="present_next").click().run()  # after the lane: the seed's own choice, not the mini's
    assert panel_titles(chart(at, "present_chart")) == ["Ferritin", "LDH"]
    at.button(key="present_next").click().run()
    assert "HScore" in str(chart(at, "present_chart")["data"])  # the score slide: no other lab slide


# The MAS panel analytes the mini fixture has, in panel order, and their labels as the file writes them.
MINI_PANEL = ["ferritin", "platelets", "wbc", "hemoglobin", "ast", "triglycerides", "fibrinogen", "d_dimer"]
MINI_TITLES = ["Ferritin", "Platelets", "White blood cell count", "Hemoglobin", "AST", "Triglyceride", "Fibrinogen",
               "d-dimer"]


def panel_titles(figure: dict) -> list[str]:
    return [a["text"].removeprefix("<b>").removesuffix("</b>") for a in figure["layout"].get("annotations", [])
            if a.get("name") == "panel-title"]


def test_derived_table_names_the_case_and_the_value_as_printed(app, table, open_section):
    derived = table(open_section(app(), "Data & export"), "case_derived")
    assert list(derived.columns[:8]) == ["case_id", "timepoint", "day", "label", "analyte", "orig_text",
                                         "orig_value", "orig_unit"]
    assert set(derived["case_id"]) == {SEED_ID}
    dimer = derived[(derived["analyte"] == "d_dimer") & (derived["timepoint"] == "Admission")].iloc[0]
    assert (dimer["orig_text"], dimer["orig_value"], dimer["orig_unit"]) == ("4766", 4766, "µg/L")
    ana = derived[derived["analyte"] == "ana"].iloc[0]
    assert (ana["orig_text"], ana["value"], ana["unit"]) == ("1: 640 (speckled)", 640, "titer")


def test_only_the_open_section_is_drawn(app, open_section):
    """The case view draws one section at a time (drawing all of them made it 2-3x a plain page)."""
    at = app()
    assert at.tabs[0].label == "Overview"
    assert {c.key for c in at.get("plotly_chart")} == {"case_chart"}
    assert {c.key for c in open_section(at, "Scores").get("plotly_chart")} == {"case_score_chart"}
    assert {c.key for c in open_section(at, "Flags").get("plotly_chart")} == {"case_heatmap"}
    assert {c.key for c in open_section(at, "Response").get("plotly_chart")} == {"case_response_chart"}
    assert not open_section(at, "Data & export").get("plotly_chart")
    assert {"case_export_report", "case_download_csv"} <= {b.key for b in at.download_button}
