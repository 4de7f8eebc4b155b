"""Labs tables with lines around them: a title above the header, notes below the data (ingest/preamble.py).

Expected values are the printed cells of the fixtures (read by eye), converted by hand where the catalogue
unit differs (haemoglobin 8.1 g/dL = 81 g/L).
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from dashboard.ingest.bundle import check_uploaded, load_case, load_uploaded, read_uploaded
from dashboard.ingest.privacy import is_identifier_warning
from dashboard.ingest.problems import errors

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "preamble"
SET_ASIDE = "read as a title/note, not data"
TITLED = (FIXTURES / "titled.csv").read_bytes()


def value(case, analyte: str, timepoint: str) -> tuple[float, str]:
    obs = case.observations
    row = obs[(obs["analyte"] == analyte) & (obs["timepoint"] == timepoint)]
    assert len(row) == 1, (analyte, timepoint, len(row))
    return float(row["value"].iloc[0]), str(row["unit"].iloc[0])


def set_aside(problems) -> list[tuple[int, str]]:
    return [(p.row, p.value) for p in problems if SET_ASIDE in p.message]


def xlsx(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the example, as CSV, TSV and xlsx --------------------------------------------------------------
def test_the_titled_table_is_read_with_its_title_and_footnote_set_aside():
    case = load_uploaded({"labs_title.csv": TITLED})
    assert value(case, "ferritin", "Day 0") == (12000.0, "ng/mL")
    assert value(case, "ferritin", "Day 7") == (800.0, "ng/mL")
    assert value(case, "hemoglobin", "Day 0") == (81.0, "g/L")  # 8.1 g/dL
    assert value(case, "platelets", "Day 7") == (120.0, "10^9/L")
    assert len(case.observations) == 6
    assert set_aside(case.problems) == [(1, "Table 1. Laboratory findings of the patient"),
                                        (7, "Normal values in parentheses.")]
    messages = [p.message for p in case.problems if SET_ASIDE in p.message]
    assert "header on line 2" in messages[0]
    assert "last data row, line 5, blank line 6 between" in messages[1]
    assert all(p.file == "labs_title.csv" for p in case.problems)
    assert case.meta["title"] == "Table 1. Laboratory findings of the patient"  # a `Table N` caption
    assert "source" not in case.meta  # no `Source:` note


def test_check_prints_the_lines_set_aside_and_no_error(tmp_path, capsys):
    from dashboard.cli import main

    path = tmp_path / "labs_title.csv"
    path.write_bytes(TITLED)
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "labs_title.csv:1 'Table 1. Laboratory findings of the patient' — read as a title/note, not data" in out
    assert "labs_title.csv:7 'Normal values in parentheses.' — read as a title/note, not data" in out
    assert "0 error(s), 2 warning(s)" in out


def test_a_tsv_with_a_title_is_read_alike_even_with_a_comma_in_its_title():
    tsv = TITLED.replace(b",", b"\t").replace(b"Table 1. Laboratory", b"Table 1. Laboratory, day 0 and 7,")
    case = load_uploaded({"labs_title.tsv": tsv})
    assert value(case, "ferritin", "Day 0") == (12000.0, "ng/mL")
    assert value(case, "hemoglobin", "Day 7") == (95.0, "g/L")
    assert [row for row, _ in set_aside(case.problems)] == [1, 7]


def test_an_xlsx_sheet_with_a_title_in_row_1_and_a_note_below():
    data = xlsx([["Table 1. Laboratory findings of the patient"],
                 ["Analyte", "Reference range", "Day 0", "Day 7"],
                 ["Ferritin (ng/mL)", "30-400", 12000, 800],
                 ["Hemoglobin (g/dL)", "12-16", 8.1, 9.5],
                 [None, None, None, None],
                 ["* p<0.05 versus Day 0"]])
    case = load_uploaded({"export.xlsx": data})
    assert value(case, "ferritin", "Day 0") == (12000.0, "ng/mL")
    assert value(case, "hemoglobin", "Day 0") == (81.0, "g/L")
    assert set_aside(case.problems) == [(1, "Table 1. Laboratory findings of the patient"),
                                        (6, "* p<0.05 versus Day 0")]
    assert {p.file for p in case.problems if SET_ASIDE in p.message} == {"export.xlsx[labs]"}


def test_an_xlsx_title_spanning_the_row_of_a_labs_sheet_with_a_case_sheet():
    book = openpyxl.Workbook()
    labs = book.active
    labs.title = "labs"
    for row in (["Table 2", None, None], [None, None, None], ["Analyte", "Admission", "Day 3"],
                ["Ferritin (ng/mL)", 9560, 4100]):
        labs.append(row)
    meta = book.create_sheet("case")
    meta.append(["title", "Given title"])
    out = io.BytesIO()
    book.save(out)
    case = load_uploaded({"case.xlsx": out.getvalue()})
    assert value(case, "ferritin", "Admission") == (9560.0, "ng/mL")
    assert set_aside(case.problems) == [(1, "Table 2")]
    assert case.meta["title"] == "Given title"  # the case sheet's title wins over the caption


# --- the general case --------------------------------------------------------------------------------------
def test_a_spreadsheet_export_with_banners_blank_rows_and_footnotes():
    case = load_case(FIXTURES / "lab_export.csv")
    assert value(case, "ferritin", "Day 7") == (800.0, "ng/mL")
    assert value(case, "alt", "Day 7") == (50.0, "U/L")
    assert value(case, "hemoglobin", "Day 0") == (81.0, "g/L")
    hb_day7 = case.observations[(case.observations["analyte"] == "hemoglobin") & (case.observations["timepoint"]
                                                                                 == "Day 7")]
    assert hb_day7.empty  # the missing last value is missing, not a reason to move the header
    assert set_aside(case.problems) == [
        (1, "Table 1"), (2, "Patient: Do•, ••••"), (3, "Printed 20••-••-•• 10:22"),
        (10, "Abbreviations: ALT, alanine aminotransferase"), (11, "a Normal range in adults"), (12, "* p<0.05"),
        (13, "Source: Smith et al., 2020")]
    assert not errors(case.problems)
    # the banner's name and date are masked in the warning, and said to be possible identifiers
    privacy = [(p.row, p.value, p.message) for p in case.problems if is_identifier_warning(p)]
    assert [(row, value) for row, value, _ in privacy] == [(2, "Do•, ••••"), (3, "20••-••-••")]
    assert "(patient name) in the line set aside" in privacy[0][2]
    assert "John" not in "".join(str(p) for p in case.problems)
    assert case.meta["title"] == "Table 1" and case.meta["source"] == "Smith et al., 2020"


def test_a_long_table_with_a_banner_and_an_end_line():
    data = (b"Lab results export\n\ntimepoint,analyte,value,unit\nDay 0,Ferritin,12000,ng/mL\n"
            b"Day 7,Ferritin,800,ng/mL\nEnd of report\n")
    case = load_uploaded({"long.csv": data})
    assert value(case, "ferritin", "Day 7") == (800.0, "ng/mL")
    assert set_aside(case.problems) == [(1, "Lab results export"), (6, "End of report")]
    assert "title" not in case.meta  # no `Table N` caption: the banner is a warning only


def test_a_file_without_lines_around_it_is_read_as_before():
    data = TITLED.split(b"\n", 1)[1].split(b"\n\n")[0] + b"\n"
    case = load_uploaded({"plain.csv": data})
    titled = load_uploaded({"plain.csv": TITLED})
    assert not case.problems
    assert case.observations.drop(columns="source_row").equals(titled.observations.drop(columns="source_row"))
    assert (titled.observations["source_row"] == case.observations["source_row"] + 1).all()  # the file's lines


def test_a_semicolon_table_with_decimal_commas_under_a_title():
    data = b"Laborwerte\nParameter;Referenzbereich;Tag 0;Tag 7\nFerritin (ng/mL);30-400;12000;800\n" \
           b"Hemoglobin (g/dL);12-16;8,1;9,5\n"
    case = load_uploaded({"labor.csv": data})
    assert value(case, "hemoglobin", "Tag 0") == (81.0, "g/L")
    assert set_aside(case.problems) == [(1, "Laborwerte")]


# --- what is ambiguous is not guessed ----------------------------------------------------------------------
def test_a_line_as_wide_as_the_table_above_the_header_is_not_dropped():
    data = b"Lab export,Hospital X,Printed,Page 1\n" + TITLED.split(b"\n", 1)[1]
    problems = check_uploaded({"banner.csv": data})
    assert errors(problems)  # read as today: line 1 is the header, so 'Day 0' is a value it cannot read
    hint = next(p for p in problems if "looks like the table's header" in p.message)
    assert hint.row == 1 and hint.value == "Lab export, Hospital X, Printed, Page 1"
    assert "line 2 ('Analyte, Reference range, Day 0, Day 7')" in hint.message
    assert "delete line 1" in hint.expected
    assert set_aside(problems) == [(7, "Normal values in parentheses.")]  # the footnote is still a note


@pytest.mark.parametrize(("above", "why"), [
    ("Ferritin (ng/mL)", "names a catalogue analyte"),
    ("Printed,2024-03-01", "holds a number, date, timepoint or column name"),
    (",,Admission", "first cell is empty"),
])
def test_a_line_above_the_header_that_is_not_a_title_is_refused_with_a_hint(above, why):
    data = above.encode() + b"\nAnalyte,Day 0,Day 7\nHemoglobin (g/dL),8.1,9.5\n"
    problems = check_uploaded({"labs.csv": data})
    hints = [p for p in problems if "looks like the table's header" in p.message]
    assert [(p.severity, p.row) for p in hints] == [("error", 1)]
    assert why in hints[0].message and "line 2 ('Analyte, Day 0, Day 7')" in hints[0].message
    assert not set_aside(problems)


def test_data_rows_wider_than_the_header_keep_todays_error_and_no_header_is_guessed():
    for label in ("Ferritin (ng/mL)", "Foo marker"):
        data = f"Analyte,Day 0,Day 7\n{label},12000,800,5\n{label} 2,8.1,9.5,3\n".encode()
        problems = check_uploaded({"labs.csv": data})
        assert [(p.row, p.message) for p in errors(problems)] == [
            (2, "row has 4 cells but the header has 3"), (3, "row has 4 cells but the header has 3")]
        assert not set_aside(problems)


def test_a_one_cell_line_inside_the_data_stays_data():
    data = b"Table 1\nAnalyte,Day 0,Day 7\nFerritin (ng/mL),12000,800\nsee below\nHemoglobin (g/dL),8.1,9.5\n"
    case = load_uploaded({"labs.csv": data})
    assert set_aside(case.problems) == [(1, "Table 1")]
    assert any(p.row == 4 and "'see below' is not in the analyte catalogue" in p.message for p in case.problems)
    assert value(case, "hemoglobin", "Day 7") == (95.0, "g/L")


def test_a_last_line_naming_an_analyte_is_never_a_note():
    data = TITLED.replace(b"\n\nNormal values in parentheses.\n", b"\nD-dimer (mg/L)\nALT, 40\n")
    outcome = read_uploaded({"labs.csv": data})[0]
    assert set_aside(outcome.problems) == [(1, "Table 1. Laboratory findings of the patient")]
    assert any(p.row == 6 and "row has 1 cells" in p.message for p in outcome.problems)  # D-dimer: a data row
    assert any(p.row == 7 for p in outcome.problems)  # `ALT, 40`: a data row (too short), not a note


def test_a_title_with_a_value_beside_an_analyte_is_not_a_title():
    data = b"Ferritin peak, 12000\n\nAnalyte,Day 0,Day 7\nHemoglobin (g/dL),8.1,9.5\n"
    problems = check_uploaded({"labs.csv": data})
    assert errors(problems) and not set_aside(problems)


def test_the_documented_check_output_is_what_check_prints(root, capsys, monkeypatch):
    from dashboard.cli import main

    monkeypatch.chdir(root)
    path = "tests/fixtures/preamble/titled.csv"
    main(["check", path])
    printed = capsys.readouterr().out
    assert f"$ casetrack check {path}\n{printed}```" in (root / "docs" / "case-format.md").read_text(encoding="utf-8")


def test_a_column_set_aside_is_named_on_the_header_line_below_the_title():
    data = b"Table 1\n\nAnalyte,Day 0,Comment\n\nFerritin (ng/mL),12000,haemolysed\n"
    case = load_uploaded({"labs.csv": data})
    notice = next(p for p in case.problems if "is not a timepoint" in p.message)
    assert (notice.row, notice.value) == (3, "Comment")
    assert value(case, "ferritin", "Day 0") == (12000.0, "ng/mL")
    assert set_aside(case.problems) == [(1, "Table 1")]


def test_a_caption_above_a_table_of_many_cases_is_no_case_title():
    data = (b"Table 3. Cohort laboratory data\ncase_id,timepoint,analyte,value,unit\n"
            b"A-1,Day 0,Ferritin,9560,ng/mL\nB-2,Day 0,Ferritin,800,ng/mL\n")
    outcomes = read_uploaded({"cohort.csv": data})
    assert [(o.case_id, o.ok) for o in outcomes] == [("A-1", True), ("B-2", True)]
    assert all("title" not in o.case.meta for o in outcomes)  # a title belongs to one case
    assert all(set_aside(o.problems) == [(1, "Table 3. Cohort laboratory data")] for o in outcomes)


def test_a_source_note_is_the_case_source_unless_case_toml_gives_one(tmp_path):
    labs = TITLED.replace(b"Normal values in parentheses.", b"Source: Doe et al., J Clin Immunol 2021")
    case = load_uploaded({"labs.csv": labs})
    assert case.meta["source"] == "Doe et al., J Clin Immunol 2021"
    (tmp_path / "labs.csv").write_bytes(labs)
    (tmp_path / "case.toml").write_text('id = "given"\nsource = "Given source"\n', encoding="utf-8")
    assert load_case(tmp_path).meta["source"] == "Given source"
    assert load_case(tmp_path).meta["title"] == "Table 1. Laboratory findings of the patient"


@pytest.mark.parametrize(("line", "masked", "kinds"), [
    ("MRN: 12345678", "MRN: 12••••••", ["medical record number"]),
    ("Name: Jane Doe; DOB: 1980-01-01", "Name: Ja•• •••; DOB: 19••-••-••", ["patient name", "date of birth",
                                                                            "full date"]),
    ("Table 1. Laboratory findings of the patient", "Table 1. Laboratory findings of the patient", []),
    ("Source: Smith et al., 2020", "Source: Smith et al., 2020", []),
])
def test_identifiers_in_a_line_set_aside_are_masked_and_named(line, masked, kinds):
    from dashboard.ingest.privacy import line_identifiers

    text, found = line_identifiers(line, "labs.csv", 2)
    assert text == masked
    assert [p.message.split("(")[1].split(")")[0] for p in found] == kinds
    assert all(p.row == 2 and p.severity == "warning" for p in found)
