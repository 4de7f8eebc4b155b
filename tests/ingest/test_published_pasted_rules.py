"""The reading rules added for pasted case-report tables (docs/importing.md), each on a small table in both
text layouts: tab-separated (a web copy) and flattened (a PDF copy, cells joined by single spaces).

Expected values are worked out by hand in the catalogue's canonical units.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.ingest.bundle import load_uploaded
from dashboard.ingest.published_table import case_files, clear_problem_cells, draft_from_table
from dashboard.ingest.published_table.cells import decimal_style, exponent_cell, times_power
from dashboard.ingest.published_table.text import read_text

LAYOUTS = ("tab", "flat")


def read(rows: list[list[str]], layout: str):
    """(table, {(analyte or label, timepoint): (value, unit, qualifier)}) of a table written as rows of cells."""
    text = "\n".join(("\t" if layout == "tab" else " ").join(cells) for cells in rows) + "\n"
    table = read_text(text, "pasted.txt")[0]
    draft = draft_from_table(table)
    clear_problem_cells(draft)
    obs = load_uploaded(case_files(draft), "t").observations
    obs = obs[obs["orig_text"].notna()]
    out = {}
    for row in obs.itertuples():
        key = row.analyte if isinstance(row.analyte, str) else row.label
        mapped = isinstance(row.analyte, str)
        value = row.value if mapped else row.orig_value
        out[(key, row.timepoint)] = (None if pd.isna(value) else round(float(value), 6),
                                     row.unit if mapped else row.orig_unit,
                                     row.qualifier if isinstance(row.qualifier, str) else None)
    return table, out


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_percent_differential_is_kept_unmapped_never_read_as_the_count(layout):
    rows = [["Parameter", "Reference range", "Day 1", "Day 3"],
            ["Neutrophils (%)", "40–70", "86", "78"],
            ["Neutrophils (×10⁹/L)", "1.8–7.7", "16.0", "7.2"],
            ["Lymphocytes, %", "20–45", "9", "14"]]
    table, got = read(rows, layout)
    assert got == {("Neutrophils, % of leukocytes", "Day 1"): (86.0, "%", None),
                   ("Neutrophils, % of leukocytes", "Day 3"): (78.0, "%", None),
                   ("neutrophils", "Day 1"): (16.0, "10^9/L", None), ("neutrophils", "Day 3"): (7.2, "10^9/L", None),
                   ("Lymphocytes, % of leukocytes", "Day 1"): (9.0, "%", None),
                   ("Lymphocytes, % of leukocytes", "Day 3"): (14.0, "%", None)}
    assert any("differential" in r.what for r in table.repairs)


def test_percent_in_every_cell_makes_the_row_a_differential_and_a_count_cell_sets_the_percent_aside():
    rows = [["Parameter", "Day 1", "Day 3"],
            ["Lymphocytes", "12%", "20%"],
            ["Neutrophils (×10⁹/L)", "0.9 (45%)", "1.2 (60%)"],
            ["Ferritin (ng/mL)", "980 (45%)", "640"]]
    table, got = read(rows, "tab")
    assert got[("Lymphocytes, % of leukocytes", "Day 1")] == (12.0, "%", None)
    assert got[("neutrophils", "Day 1")] == (0.9, "10^9/L", None) and got[("neutrophils", "Day 3")][0] == 1.2
    # a percentage beside a value that is not a cell count is not set aside: refused and listed
    assert ("ferritin", "Day 1") not in got and got[("ferritin", "Day 3")][0] == 640.0
    assert [p.value for p in table.problems] == ["980 (45%)"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_specimen_prefix_is_dropped_only_when_the_rest_is_a_catalogue_name(layout):
    rows = [["Investigation", "3 Mar", "9 Mar"],
            ["S. triglycerides (mg/dL)", "298", "410"],
            ["P-Fibrinogen (g/L)", "1.6", "0.9"],
            ["Serum IgG (g/L)", "18.2", "16.0"],
            ["S. ferritin (ng/mL)", "3420", "14750"]]
    _, got = read(rows, layout)
    assert got[("triglycerides", "3 Mar")] == (round(298 / 88.57, 6), "mmol/L", None)
    assert got[("fibrinogen", "9 Mar")] == (0.9, "g/L", None)
    assert got[("ferritin", "9 Mar")] == (14750.0, "ng/mL", None)
    assert got[("Serum IgG", "3 Mar")] == (18.2, "g/L", None)  # not in the catalogue: kept as printed


@pytest.mark.parametrize("layout", LAYOUTS)
def test_printed_powers_of_ten_are_multiplied_out(layout):
    rows = [["Parameter", "Reference range", "Day 1", "Day 5", "Day 9"],
            ["EBV DNA (copies/mL)", "<500", "3.2×10^4", "4.6×10⁵", "<5.0×10^2"],
            ["CRP (mg/L)", "<5", "1.2×10²", "2.1E+01", "8"]]
    _, got = read(rows, layout)
    assert got[("EBV DNA", "Day 1")] == (32000.0, "copies/mL", None)
    assert got[("EBV DNA", "Day 5")] == (460000.0, "copies/mL", None)  # the superscript is no footnote
    assert got[("EBV DNA", "Day 9")] == (500.0, "copies/mL", "<")
    assert got[("crp", "Day 1")] == (12.0, "mg/dL", None) and got[("crp", "Day 5")] == (2.1, "mg/dL", None)


def test_a_power_of_ten_in_the_cell_and_in_the_unit_is_refused():
    rows = [["Parameter", "Day 1", "Day 3"], ["WBC (×10^9/L)", "2.1×10^9", "3.4"]]
    table, got = read(rows, "tab")
    assert ("wbc", "Day 1") not in got and got[("wbc", "Day 3")] == (3.4, "10^9/L", None)
    assert [p.value for p in table.problems] == ["2.1×10^9"]


def test_exponent_cells_and_decimal_arithmetic():
    assert exponent_cell("4.6×10⁵") == ("4.6", 5, True)
    assert exponent_cell("<1.0 × 10^3") == ("<1.0", 3, True)
    assert exponent_cell("234 × 106") == ("234", 6, False)  # a flattened superscript (count units only)
    assert exponent_cell("12") is None and exponent_cell("1:640") is None
    assert times_power("3.2", 4) == "32000" and times_power("<1.0", 3) == "<1000"
    assert times_power("4.6", 5) == "460000"  # not 459999.99999999994


def test_one_decimal_style_rule_with_the_case_loader():
    assert decimal_style(["3,5", "12"]) == ","
    assert decimal_style(["4.08", "1,260"]) == "."
    assert decimal_style(["1,260", "12"]) is None  # decides nothing
    assert decimal_style(["1.260", "990"]) is None  # nor does 1.260 (1260 or 1.26?)
    assert decimal_style(["3,5", "4.08"]) == "mixed"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_indian_digit_grouping_and_a_bracketed_flag(layout):
    rows = [["Investigation", "Units", "Day 1", "Day 4", "Normal range"],
            ["Platelets", "/µL", "68,000", "1,12,000", "150,000–450,000"],
            ["LDH", "U/L", "680 [H]", "412.5", "<250"],
            ["Ferritin", "ng/mL", "3,420", "8,960", "30–400"],
            ["AST", "U/L", "142", "268", "<40"]]
    _, got = read(rows, layout)
    assert got[("platelets", "Day 1")] == (68.0, "10^9/L", None) and got[("platelets", "Day 4")] == (112.0, "10^9/L", None)
    assert got[("ldh", "Day 1")] == (680.0, "U/L", None)


def test_more_numbers_than_columns_after_the_reference_is_refused_not_shifted():
    text = ("Table 2 Laboratory data\nParameter Reference Day 1 Day 3 Day 10\n"
            "Ferritin (ng/mL) 7–140 15 400 6 210 980\nAST (U/L) 15–40 126 64 31\nALT (U/L) 5–45 98.5 71 40\n"
            "CRP (mg/L) <5 96 22 6 8\nLDH (U/L) 180–360 1,120 640 390\n")
    table = read_text(text, "pasted.txt")[0]
    assert table.timepoints == ["Day 1", "Day 3", "Day 10"]
    assert [r.label for r in table.rows] == ["AST", "ALT", "LDH"]
    refused = sorted(p.row for p in table.problems)
    assert refused == [3, 6]  # `15 400 6 210 980` (two readings) and `<5 96 22 6 8` (four numbers for 3 + range)


def test_a_word_with_a_slash_after_a_label_is_not_a_unit():
    rows = [["Test", "Day 1", "Day 3"], ["HIV 1/2 Ag/Ab", "negative", "ND"], ["EBV DNA copies/mL", "1200", "<500"]]
    _, got = read(rows, "tab")
    assert ("HIV 1/2 Ag/Ab", "Day 1") in got and ("HIV 1/2", "Day 1") not in got
    assert got[("EBV DNA", "Day 1")] == (1200.0, "copies/mL", None)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_rows_under_a_body_fluid_section_are_never_the_blood_analyte(layout):
    rows = [["Parameter", "Day 1", "Day 5"],
            ["Blood"],
            ["WBC (×10⁹/L)", "1.8", "2.4"],
            ["CSF"],
            ["WBC (/µL)", "12", "4"],
            ["Protein (mg/dL)", "68", "45"],
            ["Bone marrow"],
            ["Hemophagocytosis", "present", "ND"]]
    table, got = read(rows, layout)
    assert got[("wbc", "Day 1")] == (1.8, "10^9/L", None)
    assert got[("CSF: WBC", "Day 1")] == (12.0, "/µL", None) and got[("CSF: WBC", "Day 5")] == (4.0, "/µL", None)
    assert ("wbc", "Day 5") in got and got[("wbc", "Day 5")] == (2.4, "10^9/L", None)
    assert ("hemophagocytosis", "Day 1") in got  # `Bone marrow: Hemophagocytosis` is a catalogue synonym
    assert any("section 'CSF'" in r.what for r in table.repairs)


def test_a_fluid_in_the_label_s_parenthesis_is_put_in_front():
    rows = [["Parameter", "Day 1", "Day 5"], ["WBC (CSF) (/µL)", "10", "3"], ["Albumin (urine) (mg/L)", "30", "20"],
            ["Hemophagocytosis (bone marrow)", "yes", "ND"], ["Ferritin (serum) (ng/mL)", "980", "640"]]
    _, got = read(rows, "tab")
    assert got[("CSF WBC", "Day 1")] == (10.0, "/µL", None)
    assert got[("urine Albumin", "Day 1")] == (30.0, "mg/L", None)
    assert ("hemophagocytosis", "Day 1") in got and got[("ferritin", "Day 1")] == (980.0, "ng/mL", None)


def test_when_most_flattened_rows_miss_a_cell_the_header_keeps_the_width_and_short_rows_are_refused():
    text = ("Table 1 Laboratory data\nParameter Reference range Day 1 Day 3 Day 7\n"
            "WBC (×10⁹/L) 4.0–10.0 2.1 1.8 3.2\nPlatelets (×10⁹/L) 150–400 45 30 62\n"
            "Ferritin (ng/mL) 30–400 12,400 28,600\nFibrinogen (g/L) 2.0–4.0 1.1 0.9\n"
            "sCD25 (U/mL) 158–623 8,420 12,600\n")
    table = read_text(text, "pasted.txt")[0]
    assert table.timepoints == ["Day 1", "Day 3", "Day 7"]  # not Day 3, Day 7 with 'Day 1' as the label header
    assert [(r.label, r.cells) for r in table.rows] == [("WBC", ["2.1", "1.8", "3.2"]), ("Platelets", ["45", "30", "62"])]
    assert sorted(p.row for p in table.problems) == [5, 6, 7]


def test_each_analyte_of_a_combined_row_gets_the_same_rules():
    rows = [["Parameter", "Day 1", "Day 3"], ["Neutrophils/lymphocytes (%)", "85/10", "80/12"],
            ["CRP/ESR", "12/40", "8/30"], ["Ferritin (ng/mL)", "980", "640"]]
    table, got = read(rows, "tab")
    assert got[("Neutrophils, % of leukocytes", "Day 1")] == (85.0, "%", None)
    assert got[("lymphocytes, % of leukocytes", "Day 3")] == (12.0, "%", None)
    assert got[("esr", "Day 1")] == (40.0, "mm/h", None)
    assert ("crp", "Day 1") not in got  # no unit: mg/L or mg/dL is not certain
    assert [p.row for p in table.problems] == [3]


def test_without_a_unit_the_values_and_the_range_must_leave_one_unit():
    rows = [["Parameter", "Reference range", "Day 1", "Day 3"],
            ["Hb", "12–16", "8.9", "8.1"],                 # g/dL (mmol/L would be 7.5–10: 1.6× off)
            ["Hemoglobin", "", "98", "84"],                # only g/L makes 98 plausible
            ["CRP", "<3", "96", "12"],                     # <3 agrees with mg/L and mg/dL alike
            ["Triglycerides", "<150", "286", "120"],       # mg/dL
            ["Platelets", "150,000–450,000", "45,000", "30,000"]]
    table, got = read(rows, "tab")
    assert got[("Hb [line 2]", "Day 1")] == (8.9, "g/dL", None)  # Hb and Hemoglobin: two rows, one analyte
    assert got[("Hemoglobin [line 3]", "Day 3")][0] == 84.0
    assert ("crp", "Day 1") not in got and [p.row for p in table.problems] == [4]
    assert got[("triglycerides", "Day 3")] == (round(120 / 88.57, 6), "mmol/L", None)
    assert got[("platelets", "Day 1")] == (45.0, "10^9/L", None)


def test_the_same_analyte_twice_keeps_both_rows_unmapped():
    rows = [["Parameter", "Day 1", "Day 3"], ["CRP (mg/L)", "96", "12"], ["Ferritin (ng/mL)", "980", "640"],
            ["CRP (mg/dL)", "9.6", "1.2"]]
    text = "\n".join("\t".join(r) for r in rows) + "\n"
    draft = draft_from_table(read_text(text, "pasted.txt")[0])
    clear_problem_cells(draft)
    assert list(draft.grid["label"]) == ["CRP [line 2]", "Ferritin", "CRP [line 4]"]
    obs = load_uploaded(case_files(draft), "t").observations
    assert set(obs["analyte"].dropna()) == {"ferritin"}


def test_a_flag_column_is_set_aside_and_a_result_column_is_a_timepoint_of_a_wide_case():
    rows = [["Test", "Result", "Flag", "Reference range"], ["Hemoglobin (g/dL)", "8.9", "L", "12–16"],
            ["Ferritin (ng/mL)", "12,400", "H", "15–150"], ["Sodium (mmol/L)", "138", "", "135–145"]]
    table, got = read(rows, "tab")
    assert table.timepoints == ["Result (T1)"]  # renamed: a wide labs.csv headed `Result` would read as long
    assert got == {("hemoglobin", "Result (T1)"): (89.0, "g/L", None),
                   ("ferritin", "Result (T1)"): (12400.0, "ng/mL", None),
                   ("sodium", "Result (T1)"): (138.0, "mmol/L", None)}


def test_an_analyte_the_catalogue_names_in_that_specimen_keeps_its_name_under_the_section():
    rows = [["Parameter", "Day 1", "Day 5"], ["Bone marrow aspirate"], ["Hemophagocytosis", "present", "ND"],
            ["Cellularity (%)", "40", "ND"]]
    _, got = read(rows, "tab")
    assert ("hemophagocytosis", "Day 1") in got  # `hemophagocytosis (bone marrow)` is a catalogue synonym
    assert got[("Bone marrow aspirate: Cellularity", "Day 1")] == (40.0, "%", None)
