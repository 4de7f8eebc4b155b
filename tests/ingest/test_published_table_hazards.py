"""Each hazard of real published tables (issue 10), as a small table of our own, in both text layouts.

Every table is written once as rows of cells and rendered twice: tab-separated (a copy of a web table)
and space-separated (the flattened text of a PDF copy, cells joined by single spaces). The expected
values are in the catalogue's canonical units, worked out by hand from the printed cells. "Never wrong"
is asserted as: every value read equals the expected one, and every cell that is not expected is empty
and listed with its line.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard.ingest.bundle import load_uploaded
from dashboard.ingest.published_table import case_files, clear_problem_cells, draft_from_table
from dashboard.ingest.published_table.text import read_text

LAYOUTS = ("tab", "flat")


def render(rows: list[list[str]], layout: str) -> str:
    return "\n".join(("\t" if layout == "tab" else " ").join(cells) for cells in rows) + "\n"


def imported(text: str):
    """(table, draft, observations, cells left empty by the check) of the first table in a text."""
    tables = read_text(text, "pasted.txt")
    assert tables, "no table found"
    table = tables[0]
    draft = draft_from_table(table)
    cleared = clear_problem_cells(draft)
    case = load_uploaded(case_files(draft), "imported")
    return table, draft, case.observations, cleared


def values(observations: pd.DataFrame) -> dict[tuple[str, str], tuple]:
    """(analyte or label, timepoint) -> (value, qualifier, result) of every observation with a value."""
    rows = observations[observations["orig_text"].notna()]
    out = {}
    for row in rows.itertuples():
        key = row.analyte if isinstance(row.analyte, str) else row.label
        value = None if pd.isna(row.value) else round(float(row.value), 6)
        qualifier = row.qualifier if isinstance(row.qualifier, str) else None
        result = row.result if isinstance(row.result, str) else None
        out[(key, row.timepoint)] = (value, qualifier, result)
    return out


def exact(value: float) -> tuple:
    return (value, None, None)


# -------------------------------------------------------------------------------------- caption glued
@pytest.mark.parametrize("layout", LAYOUTS)
def test_caption_glued_to_the_first_header_cell(layout):
    rows = [["Table 1Infectious studies", "Day 1", "Day 3"],
            ["CRP (mg/L)", "120", "45"],
            ["Ferritin (ng/mL)", "9560", "8580"]]
    table, draft, obs, cleared = imported(render(rows, layout))
    assert table.caption == "Table 1 Infectious studies" and draft.title == "Table 1 Infectious studies"
    assert table.timepoints == ["Day 1", "Day 3"]
    assert draft.days == {"Day 1": 1.0, "Day 3": 3.0}
    assert values(obs) == {("crp", "Day 1"): exact(12.0), ("crp", "Day 3"): exact(4.5),
                           ("ferritin", "Day 1"): exact(9560.0), ("ferritin", "Day 3"): exact(8580.0)}
    assert cleared == [] and table.problems == []


# ------------------------------------------------------------------------------- range and unit merged
@pytest.mark.parametrize("layout", LAYOUTS)
def test_merged_range_and_unit_column(layout):
    rows = [["Test", "Reference range", "Admission", "Day 3"],
            ["WBC", "4.5–11.0 x10^9/L", "0.72", "1.12"],
            ["Hemoglobin", "120–160 g/L", "77", "79"]]
    table, _, obs, cleared = imported(render(rows, layout))
    assert values(obs) == {("wbc", "Admission"): exact(0.72), ("wbc", "Day 3"): exact(1.12),
                           ("hemoglobin", "Admission"): exact(77.0), ("hemoglobin", "Day 3"): exact(79.0)}
    wbc = obs[obs["analyte"] == "wbc"].iloc[0]
    assert (wbc["ref_low"], wbc["ref_high"]) == (4.5, 11.0)
    assert any("split from the reference range" in r.what for r in table.repairs)
    assert cleared == []


@pytest.mark.parametrize("layout", LAYOUTS)
def test_separate_unit_column(layout):
    rows = [["Parameter", "Unit", "Reference", "Day 1", "Day 5"],
            ["Ferritin", "ng/mL", "15–150", "9560", "8580"],
            ["Fibrinogen", "mg/dL", "200–400", "150", "320"]]
    _, _, obs, cleared = imported(render(rows, layout))
    assert values(obs) == {("ferritin", "Day 1"): exact(9560.0), ("ferritin", "Day 5"): exact(8580.0),
                           ("fibrinogen", "Day 1"): exact(1.5), ("fibrinogen", "Day 5"): exact(3.2)}
    assert cleared == []


@pytest.mark.parametrize("layout", LAYOUTS)
def test_range_and_unit_inside_the_label(layout):
    rows = [["Parameter", "Admission", "Discharge"],
            ["WBC (4.5–11 x10^9/L)", "0.72", "6.01"],
            ["Platelets (150–400 x10^9/L)", "22", "287"]]
    table, _, obs, _ = imported(render(rows, layout))
    assert values(obs) == {("wbc", "Admission"): exact(0.72), ("wbc", "Discharge"): exact(6.01),
                           ("platelets", "Admission"): exact(22.0), ("platelets", "Discharge"): exact(287.0)}
    platelets = obs[obs["analyte"] == "platelets"].iloc[0]
    assert (platelets["ref_low"], platelets["ref_high"]) == (150.0, 400.0)
    assert sum("taken out of the label" in r.what for r in table.repairs) == 2


@pytest.mark.parametrize("layout", LAYOUTS)
def test_reference_range_as_the_last_column(layout):
    rows = [["Test", "Day 1", "Day 7", "Reference range"],
            ["AST (U/L)", "51", "21", "13–30"],
            ["LDH (U/L)", "1260", "250", "124–222"]]
    _, _, obs, cleared = imported(render(rows, layout))
    assert values(obs) == {("ast", "Day 1"): exact(51.0), ("ast", "Day 7"): exact(21.0),
                           ("ldh", "Day 1"): exact(1260.0), ("ldh", "Day 7"): exact(250.0)}
    assert obs.loc[obs["analyte"] == "ast", "ref_high"].iloc[0] == 30.0
    assert cleared == []


# ------------------------------------------------------------------------------------ section headers
@pytest.mark.parametrize("layout", LAYOUTS)
def test_section_header_rows_without_values(layout):
    rows = [["Parameter", "Reference range", "Admission", "Day 3"],
            ["CBC"],
            ["Hemoglobin (g/dL)", "12–16", "7.7", "7.9"],
            ["Platelets (x10^9/L)", "150–400", "22", "29"],
            ["Metabolic Panel"],
            ["Sodium (mmol/L)", "135–145", "130", "131"]]
    table, draft, obs, _ = imported(render(rows, layout))
    assert list(draft.grid["label"]) == ["Hemoglobin", "Platelets", "Sodium"]
    assert values(obs) == {("hemoglobin", "Admission"): exact(77.0), ("hemoglobin", "Day 3"): exact(79.0),
                           ("platelets", "Admission"): exact(22.0), ("platelets", "Day 3"): exact(29.0),
                           ("sodium", "Admission"): exact(130.0), ("sodium", "Day 3"): exact(131.0)}
    assert sum("section header" in note for note in table.notes) == 2


# ------------------------------------------------------------------------------------ wrapped cells
def test_wrapped_header_and_data_cells_tab_separated():
    text = ("Parameter\tDay 1 after\nadmission\tDay 5\n"
            "Absolute neutrophil\ncount (x10^9/L)\t0.3\t1.2\n"
            "ANA\t1: 640\n(speckled)\t–\n"
            "Ferritin (ng/mL)\t9560\t8580\n")
    table, _, obs, cleared = imported(text)
    assert table.timepoints == ["Day 1 after admission", "Day 5"]
    assert values(obs) == {("neutrophils", "Day 1 after admission"): exact(0.3), ("neutrophils", "Day 5"): exact(1.2),
                           ("ana", "Day 1 after admission"): (640.0, None, None),
                           ("ferritin", "Day 1 after admission"): exact(9560.0),
                           ("ferritin", "Day 5"): exact(8580.0)}
    assert sum("joined" in r.what for r in table.repairs) == 3
    assert cleared == []


def test_wrapped_header_and_label_flattened():
    text = ("Reference range Admission 6 weeks\nafter\ndischarge\n"
            "Absolute neutrophil\ncount (109/L) 1.8–7.7 0.3 2.2\n"
            "Ferritin (ng/mL) 6.2–138 9560 290\n")
    table, _, obs, _ = imported(text)
    assert table.timepoints == ["Admission", "6 weeks after discharge"]
    assert values(obs) == {("neutrophils", "Admission"): exact(0.3),
                           ("neutrophils", "6 weeks after discharge"): exact(2.2),
                           ("ferritin", "Admission"): exact(9560.0),
                           ("ferritin", "6 weeks after discharge"): exact(290.0)}
    assert any("label wrapped" in r.what for r in table.repairs)


# --------------------------------------------------------------------------------- footnotes, missing
@pytest.mark.parametrize("layout", LAYOUTS)
def test_footnote_markers_glued_to_values(layout):
    rows = [["Parameter", "Reference range", "Day 1", "Day 2", "Day 3"],
            ["Ferritin (ng/mL)", "15–150", "9560†", "8580*", "550ᵃ"],
            ["AST (U/L)", "10–40", "^45", "48‡", "21b"]]
    table, _, obs, cleared = imported(render(rows, layout))
    assert values(obs) == {("ferritin", "Day 1"): exact(9560.0), ("ferritin", "Day 2"): exact(8580.0),
                           ("ferritin", "Day 3"): exact(550.0), ("ast", "Day 1"): exact(45.0),
                           ("ast", "Day 2"): exact(48.0), ("ast", "Day 3"): exact(21.0)}
    assert sum("footnote marker" in r.what for r in table.repairs) == 6
    assert cleared == []


@pytest.mark.parametrize("layout", LAYOUTS)
def test_not_done_markers(layout):
    rows = [["Parameter", "Reference range", "Day 1", "Day 2", "Day 3", "Day 4"],
            ["Ferritin (ng/mL)", "15–150", "nd", "…", "/", "–"],
            ["AST (U/L)", "10–40", "45", "ND", "n.d.", "22"]]
    _table, draft, obs, cleared = imported(render(rows, layout))
    assert values(obs) == {("ast", "Day 1"): exact(45.0), ("ast", "Day 4"): exact(22.0)}
    assert list(draft.grid.iloc[0][["Day 1", "Day 2", "Day 3"]]) == ["nd", "…", "/"]  # as printed: read as missing
    assert cleared == []


# ---------------------------------------------------------------------------------- separators
@pytest.mark.parametrize("layout", LAYOUTS)
def test_censored_values_and_thousands_separators(layout):
    rows = [["Parameter", "Reference range", "Day 1", "Day 2"],
            ["Ferritin (ng/mL)", "15–150", ">50,000", "12,500"],
            ["D-dimer (µg/L)", "< 500", "21 400", "12,932.7"],
            ["CRP (mg/dL)", "< 1.0", "4.5", "0.8"]]
    _table, _, obs, cleared = imported(render(rows, layout))
    assert values(obs) == {("ferritin", "Day 1"): (50000.0, ">", None), ("ferritin", "Day 2"): exact(12500.0),
                           ("d_dimer", "Day 1"): exact(21400.0), ("d_dimer", "Day 2"): exact(12932.7),
                           ("crp", "Day 1"): exact(4.5), ("crp", "Day 2"): exact(0.8)}
    assert cleared == []


def test_thin_space_thousands_in_flattened_text():
    text = "Parameter Reference range Day 1 Day 2\nD-dimer (µg/L) < 500 21\u2009400 8\u202f600\n"
    _, _, obs, _ = imported(text)
    assert values(obs) == {("d_dimer", "Day 1"): exact(21400.0), ("d_dimer", "Day 2"): exact(8600.0)}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_ambiguous_comma_is_left_empty_and_listed(layout):
    rows = [["Parameter", "Day 1", "Day 2"],
            ["LDH (U/L)", "1,260", "990"],
            ["Ferritin (ng/mL)", "550", "290"]]
    table, _draft, obs, cleared = imported(render(rows, layout))
    assert values(obs) == {("ldh", "Day 2"): exact(990.0), ("ferritin", "Day 1"): exact(550.0),
                           ("ferritin", "Day 2"): exact(290.0)}
    listed = table.problems + cleared
    assert [(p.row, p.column, p.value) for p in listed] == [(2, "Day 1", "1,260")]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_decimal_commas_decided_for_the_whole_table(layout):
    rows = [["Parameter", "Reference range", "Day 1", "Day 2"],
            ["WBC (x10^9/L)", "4,5–11,0", "0,72", "1,12"],
            ["Fibrinogen (g/L)", "2–4", "3,5", "1,2"]]
    _table, _, obs, cleared = imported(render(rows, layout))
    assert values(obs) == {("wbc", "Day 1"): exact(0.72), ("wbc", "Day 2"): exact(1.12),
                           ("fibrinogen", "Day 1"): exact(3.5), ("fibrinogen", "Day 2"): exact(1.2)}
    assert obs.loc[obs["analyte"] == "wbc", "ref_low"].iloc[0] == 4.5
    assert cleared == []


# ---------------------------------------------------------------------------------- units, exponents
@pytest.mark.parametrize("layout", LAYOUTS)
def test_mangled_exponents_greek_mu_and_lower_case_units(layout):
    rows = [["Parameter", "Reference range", "Day 1", "Day 2"],
            ["Platelets (109/L)", "150–400", "22", "287"],
            ["Red blood cells (1012/L)", "4.0–5.2", "2.9", "3.8"],
            ["Lymphocytes (×103/uL)", "1.0–4.0", "0.5", "1.9"],
            ["Neutrophils (/µL)", "1800–7700", "234 × 103", "2 000"],
            ["D-dimer (μg/L)", "< 500", "4766", "430"],
            ["Ferritin (µg/L)", "15–150", "9560", "550"],
            ["Fibrinogen (mg/dl)", "200–400", "150", "350"]]
    table, _, obs, cleared = imported(render(rows, layout))
    got = values(obs)
    assert got[("platelets", "Day 1")] == exact(22.0)
    assert got[("Red blood cells", "Day 1")] == exact(2.9)
    assert got[("lymphocytes", "Day 2")] == exact(1.9)
    assert got[("neutrophils", "Day 1")] == exact(234.0) and got[("neutrophils", "Day 2")] == exact(2.0)
    assert got[("d_dimer", "Day 1")] == exact(4766.0) and got[("ferritin", "Day 1")] == exact(9560.0)
    assert got[("fibrinogen", "Day 1")] == exact(1.5)
    assert sum("flattened superscript" in r.what for r in table.repairs) == 4
    assert cleared == []


def test_power_of_ten_cell_without_a_count_unit_is_refused():
    # `× 106` without a caret may be 10⁶ flattened; only a count per volume is multiplied by it
    rows = [["Parameter", "Day 1", "Day 2"], ["EBV DNA (copies/mL)", "234 × 106", "120"]]
    table, draft, _obs, _ = imported(render(rows, "tab"))
    assert [(p.row, p.column, p.value) for p in table.problems] == [(2, "Day 1", "234 × 106")]
    assert draft.grid.iloc[0]["Day 1"] == "" and draft.grid.iloc[0]["Day 2"] == "120"


def test_a_row_without_unit_is_read_only_when_its_values_and_range_leave_one_unit():
    rows = [["Parameter", "Reference range", "Day 1", "Day 2"],
            ["CRP", "<5", "96", "12"],            # the range agrees with mg/L only (catalogue 1.0 mg/dL = 10 mg/L)
            ["C-reactive protein", "", "9.6", "1.2"],  # no range: mg/L or mg/dL is not certain
            ["Triglycerides", "<150", "286", "120"],   # mg/dL (150 mg/dL ≈ 1.7 mmol/L)
            ["Fibrinogen", "", "1.2", "0.9"]]        # only g/L makes 1.2 plausible (0.012 g/L in mg/dL)
    table, draft, obs, _ = imported(render(rows, "tab"))
    got = values(obs)
    assert got[("crp", "Day 1")] == exact(9.6) and got[("crp", "Day 2")] == exact(1.2)
    assert got[("triglycerides", "Day 2")] == exact(round(120 / 88.57, 6))
    assert got[("fibrinogen", "Day 2")] == exact(0.9)
    assert sorted(p.row for p in table.problems) == [3]
    assert list(draft.grid.iloc[1][["Day 1", "Day 2"]]) == ["", ""]


# ---------------------------------------------------------------------------------- combined cells
@pytest.mark.parametrize("layout", LAYOUTS)
def test_combined_cells_split_when_the_label_names_both(layout):
    rows = [["Parameter", "Day 1", "Day 2"],
            ["AST/ALT (U/L)", "51/46", "21/23"],
            ["Ferritin (ng/mL)", "9560", "550"]]
    _table, draft, obs, _ = imported(render(rows, layout))
    assert list(draft.grid["label"]) == ["AST", "ALT", "Ferritin"]
    assert values(obs) == {("ast", "Day 1"): exact(51.0), ("ast", "Day 2"): exact(21.0),
                           ("alt", "Day 1"): exact(46.0), ("alt", "Day 2"): exact(23.0),
                           ("ferritin", "Day 1"): exact(9560.0), ("ferritin", "Day 2"): exact(550.0)}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_combined_cell_is_never_a_titer(layout):
    rows = [["Parameter", "Day 1", "Day 2"],
            ["Coagulation (s)", "24.1/1.7", "14/1"],
            ["Ferritin (ng/mL)", "9560", "550"]]
    table, _draft, obs, _ = imported(render(rows, layout))
    got = values(obs)
    assert ("Coagulation", "Day 1") not in got and ("Coagulation", "Day 2") not in got
    assert {(p.row, p.value) for p in table.problems} == {(2, "24.1/1.7"), (2, "14/1")}


# ---------------------------------------------------------------------------------- timepoint headers
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("headers", "days"), [
    (["Day 0", "Day 7", "Day 14"], [0, 7, 14]),
    (["Hospital day 1", "Hospital day 7", "Hospital day 9"], [1, 7, 9]),
    (["D+0", "D+7", "D+21"], [0, 7, 21]),
    (["Week 0", "Week 2", "Week 6"], [0, 14, 42]),
    (["HD 1", "HD 4", "HD 10"], [1, 4, 10]),
    (["13/03/2021", "15/03/2021", "02/04/2021"], [0, 2, 20]),
    (["03/13/2021", "03/15/2021", "04/02/2021"], [0, 2, 20]),
    (["2021-03-13", "2021-03-15", "2021-04-02"], [0, 2, 20]),
    (["03/04/2021", "05/04/2021", "09/04/2021"], [None, None, None]),
    (["1", "5", "14"], [None, None, None]),
])
def test_timepoint_headers_and_their_days(layout, headers, days):
    rows = [["Parameter", "Reference range", *headers],
            ["Ferritin (ng/mL)", "15–150", "9560", "8580", "550"],
            ["AST (U/L)", "10–40", "51", "48", "21"]]
    table, draft, obs, _ = imported(render(rows, layout))
    assert table.timepoints == headers
    assert [draft.days[h] for h in headers] == [None if d is None else float(d) for d in days]
    assert values(obs)[("ferritin", headers[2])] == exact(550.0)
    tp_days = obs.drop_duplicates("timepoint")["day"].tolist()
    assert [None if pd.isna(d) else d for d in tp_days] == [
        None if d is None else float(d) for d in days]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_lab_flags_after_values(layout):
    rows = [["Parameter", "Reference range", "Day 1", "Day 2"],
            ["Ferritin (ng/mL)", "15–150", "8580 H", "4.1↑"],
            ["Platelets (x10^9/L)", "150–400", "22 L", "287 (H)"]]
    _, _, obs, cleared = imported(render(rows, layout))
    assert values(obs) == {("ferritin", "Day 1"): exact(8580.0), ("ferritin", "Day 2"): exact(4.1),
                           ("platelets", "Day 1"): exact(22.0), ("platelets", "Day 2"): exact(287.0)}
    flagged = obs.set_index(["analyte", "timepoint"])["orig_text"]
    assert flagged[("ferritin", "Day 1")] == "8580 H" and flagged[("platelets", "Day 2")] == "287 (H)"  # kept
    assert cleared == []


def test_blank_cells_of_a_copied_web_table_stay_in_their_columns():
    text = ("Parameter\tReference range\tDay 1\tDay 3\tDay 5\n"
            "Haptoglobin (mg/dL)\t41–165\t21\t\t\n"
            "Ferritin (ng/mL)\t6.2–138\t9560\t\t550\n")
    _, _, obs, cleared = imported(text)
    assert values(obs) == {("haptoglobin", "Day 1"): exact(21.0), ("ferritin", "Day 1"): exact(9560.0),
                           ("ferritin", "Day 5"): exact(550.0)}
    assert cleared == []


def test_a_table_with_analytes_as_columns_is_transposed():
    text = ("Date\tWBC (x10^9/L)\tHemoglobin (g/dL)\tPlatelets (x10^9/L)\tFerritin (ng/mL)\n"
            "Day 1\t1.2\t7.8\t22\t9560\n"
            "Day 4\t2.0\t8.1\t\t4200\n")
    table, draft, obs, _ = imported(text)
    assert table.timepoints == ["Day 1", "Day 4"] and draft.days == {"Day 1": 1.0, "Day 4": 4.0}
    assert values(obs) == {("wbc", "Day 1"): exact(1.2), ("wbc", "Day 4"): exact(2.0),
                           ("hemoglobin", "Day 1"): exact(78.0), ("hemoglobin", "Day 4"): exact(81.0),
                           ("platelets", "Day 1"): exact(22.0), ("ferritin", "Day 1"): exact(9560.0),
                           ("ferritin", "Day 4"): exact(4200.0)}
    assert any("transposed" in note for note in table.notes)


def test_a_transposed_table_with_a_day_column_of_bare_numbers_names_its_days():
    """`Day` over `0, 3` is Day 0 and Day 3 (their days read), as in a transposed labs.csv."""
    text = ("Day\tWBC (10^9/L)\tHb (g/dL)\tPlatelets (10^9/L)\tFerritin (ng/mL)\n"
            "0\t1.2\t8.1\t45\t12,000\n3\t0.9\t7.9\t38\t>40,000\n")
    table, draft, obs, _ = imported(text)
    assert table.timepoints == ["Day 0", "Day 3"] and draft.days == {"Day 0": 0.0, "Day 3": 3.0}
    assert values(obs)[("ferritin", "Day 0")] == exact(12000.0)


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "published"


def test_journal_style_table_with_the_reference_last_and_a_two_line_caption():
    table, draft, obs, cleared = imported((FIXTURES / "reference_last_flattened.txt").read_text(encoding="utf-8"))
    assert draft.title == "Table 1 Laboratory findings on admission and follow-up."
    assert table.timepoints == ["On admission", "Day 3", "Day 7"]
    got = values(obs)
    assert len(got) == 29 and cleared == [] and table.problems == []  # 10 rows x 3, one printed as a dash
    assert got[("hemoglobin", "On admission")] == exact(98.0)
    assert got[("ferritin", "On admission")] == exact(15230.0)
    assert got[("triglycerides", "Day 7")] == exact(round(210 / 88.57, 6))
    assert got[("crp", "On admission")] == exact(15.6)
    assert obs.loc[obs["analyte"] == "ast", "ref_high"].iloc[0] == 40.0


def test_units_after_a_comma_grouped_thousands_and_a_refused_row():
    table, _, obs, _ = imported((FIXTURES / "units_after_comma_flattened.txt").read_text(encoding="utf-8"))
    got = values(obs)
    assert got[("wbc", "HD 5")] == exact(1.8)  # 1800 /µL
    assert got[("platelets", "HD 12")] == exact(35.0)  # ×103/μL read as 10^3/µL
    assert [got[("ferritin", tp)] for tp in ("HD 1", "HD 5", "HD 12", "HD 20")] == [
        exact(2450.0), exact(18500.0), exact(32000.0), exact(4200.0)]
    assert obs.loc[obs["analyte"] == "wbc", "ref_high"].iloc[0] == 10.0  # `4000–10 000` /µL
    assert ("scd25", "HD 1") not in got and got[("scd25", "HD 5")] == exact(8450.0)
    # `2.1 × 10⁴ 5.6 × 10⁵ 1.2 × 10⁶ <500`: a printed power of ten is one value token, multiplied out
    assert [got[("EBV DNA", tp)] for tp in ("HD 1", "HD 5", "HD 12", "HD 20")] == [
        exact(21000.0), exact(560000.0), exact(1200000.0), (500.0, "<", None)]
    assert [p for p in table.problems if p.row == 14] == []


def test_a_header_over_two_rows_is_joined():
    text = ("\tReference\tHospital day\t\t\n"
            "Parameter\t\t1\t3\t7\n"
            "Ferritin (ng/mL)\t15–150\t9560\t8580\t550\n"
            "AST (U/L)\t10–40\t51\t48\t21\n")
    table, draft, obs, _ = imported(text)
    assert table.timepoints == ["Hospital day 1", "Hospital day 3", "Hospital day 7"]
    assert draft.days == {"Hospital day 1": 1.0, "Hospital day 3": 3.0, "Hospital day 7": 7.0}
    assert values(obs)[("ast", "Hospital day 7")] == exact(21.0)
    assert list(draft.grid["label"]) == ["Ferritin", "AST"]


def test_a_panel_column_beside_the_labels_is_set_aside():
    text = ("Panel\tParameter\tReference\tDay 1\tDay 3\n"
            "CBC\tWBC (x10^9/L)\t4–10\t1.2\t2.3\n"
            "CBC\tPlatelets (x10^9/L)\t150–400\t22\t45\n"
            "Chemistry\tFerritin (ng/mL)\t15–150\t9560\t8000\n"
            "Chemistry\tAST (U/L)\t10–40\t51\t40\n")
    table, draft, obs, _ = imported(text)
    assert table.timepoints == ["Day 1", "Day 3"]
    assert list(draft.grid["label"]) == ["WBC", "Platelets", "Ferritin", "AST"]
    assert values(obs)[("ferritin", "Day 3")] == exact(8000.0)
    assert any("set aside" in note for note in table.notes)


def test_a_unit_printed_twice_and_disagreeing_is_refused():
    text = ("Test\tReference range\tDay 1\tDay 3\n"
            "Fibrinogen (mg/dL)\t2–4 g/L\t1.5\t3.2\n"
            "WBC (x10^9/L)\t4.5–11 x10^9/L\t1.2\t3\n")
    table, draft, obs, _ = imported(text)
    assert values(obs) == {("wbc", "Day 1"): exact(1.2), ("wbc", "Day 3"): exact(3.0)}
    assert [(p.row, p.value) for p in table.problems] == [(2, "Fibrinogen (mg/dL)")]
    assert list(draft.grid.loc[0, ["Day 1", "Day 3"]]) == ["", ""]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_unit_spellings_of_real_tables(layout):
    """The spellings the issue names, read through the unit-spelling table of the catalogue."""
    rows = [["Test", "Reference range", "Admission", "Day 3"],
            ["WBC", "4.5–11.0 K/mcL", "0.72", "1.12"],
            ["Platelets (G/L)", "150–400", "22", "29"],
            ["Sodium (mEq/L)", "135–145", "130", "131"],
            ["AST (units/L)", "10–40", "51", "48"],
            ["Haemoglobin (g/l)", "120–160", "77", "79"]]
    table, _, obs, cleared = imported(render(rows, layout))
    got = values(obs)
    assert got[("wbc", "Admission")] == exact(0.72) and got[("wbc", "Day 3")] == exact(1.12)
    assert got[("sodium", "Admission")] == exact(130.0) and got[("ast", "Day 3")] == exact(48.0)
    assert got[("hemoglobin", "Admission")] == exact(77.0) and got[("platelets", "Day 3")] == exact(29.0)
    assert obs.loc[obs["analyte"] == "wbc", "ref_high"].iloc[0] == 11.0
    assert cleared == [] and table.problems == []


def test_a_header_with_fewer_cells_than_the_rows_is_no_table_not_shifted_values():
    """`Parameter<tab>Day 1 Day 5 Reference` (the timepoints space-separated) above tab-separated rows:
    the first full row is AST's. Read as the header it made timepoints '236', '190', '<40' and CRP's
    range '<0.5' a value; now nothing is read (a refusal, never a shifted table)."""
    text = ("Table 2 Laboratory data\nParameter\tDay 1 Day 5 Reference\nAST (U/L)\t236\t190\t<40\n"
            "CRP (mg/dL)\t12.1\t4.3\t<0.5\nFerritin (ng/mL)\t9560\t2140\t13-150\n")
    assert read_text(text, "pasted.txt") == []
    fixed = text.replace("Day 1 Day 5 Reference", "Day 1\tDay 5\tReference")
    table = read_text(fixed, "pasted.txt")[0]
    assert table.timepoints == ["Day 1", "Day 5"]
    crp = table.rows[1]
    assert (crp.label, crp.unit, crp.reference, crp.cells) == ("CRP", "mg/dL", "<0.5", ["12.1", "4.3"])
