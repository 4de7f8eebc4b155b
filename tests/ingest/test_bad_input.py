"""The corpus of broken inputs: each gives a clear problem (file, row, column, value), never a traceback."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.ingest.bundle import MAX_ZIP_ENTRIES, check_case, load_case, load_uploaded
from dashboard.ingest.grid import MAX_FILE_BYTES
from dashboard.ingest.problems import CaseError

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "bad"
MINI_LABS = (BAD.parent / "cases" / "mini" / "labs.csv").read_bytes()
CORPUS = list(csv.DictReader((BAD / "corpus.csv").open(encoding="utf-8")))


def matching(problems, severity, message, row=None, column=None, value=None):
    return [p for p in problems if p.severity == severity and message in p.message
            and (row is None or p.row == row) and (column is None or p.column == column)
            and (value is None or p.value == value)]


@pytest.mark.parametrize("entry", CORPUS, ids=[f"{e['path']}:{e['message'][:30]}" for e in CORPUS])
def test_corpus_entry_gives_its_problem(entry):
    problems = check_case(BAD / entry["path"])
    found = matching(problems, entry["severity"], entry["message"], int(entry["row"]) if entry["row"] else None,
                     entry["column"] or None, entry["value"] or None)
    assert found, "\n".join(str(p) for p in problems)
    assert found[0].file, "every problem names its file"


@pytest.mark.parametrize("entry", [e for e in CORPUS if e["severity"] == "error"],
                         ids=[e["path"] for e in CORPUS if e["severity"] == "error"])
def test_load_case_raises_case_error_with_the_problem(entry):
    with pytest.raises(CaseError) as caught:
        load_case(BAD / entry["path"])
    assert matching(caught.value.problems, "error", entry["message"])
    assert entry["message"] in str(caught.value)


def test_unmapped_analyte_is_kept_not_dropped():
    case = load_case(BAD / "unmapped_analyte")
    row = case.observations[case.observations["label"] == "Zinc protoporphyrin"].iloc[0]
    assert row["analyte"] is None or str(row["analyte"]) == "<NA>"
    assert row["value"] == 88.0 and row["unit"] == "µmol/mol"


def seed_like(text: str) -> str:
    return "Analyte,Reference range,Admission\nd-dimer (µg/L),< 250,4766\nFerritin (ng/mL),6.2–138,9560\n" + text


@pytest.mark.parametrize("encoding,bom", [("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
                                          ("utf-16-be", b"\xfe\xff")])
def test_utf8_bom_and_utf16_with_bom_read_cleanly(encoding, bom):
    case = load_uploaded({"labs.csv": bom + seed_like("").encode(encoding)}, name="enc")
    assert case.problems == []
    d_dimer = case.observations[case.observations["analyte"] == "d_dimer"].iloc[0]
    assert d_dimer["orig_unit"] == "µg/L" and d_dimer["value"] == 4766.0


def test_latin1_with_micro_sign_reads_with_a_warning():
    case = load_uploaded({"labs.csv": seed_like("").replace("–", "-").encode("latin-1")}, name="latin")
    assert [p.message for p in case.problems] == [
        "not UTF-8: read as Latin-1 (Windows-1252); check symbols such as µ and °"]
    assert case.observations[case.observations["analyte"] == "d_dimer"]["unit"].tolist() == ["µg/L"]


def test_utf16_without_bom_is_an_unknown_encoding():
    problems = check_uploaded({"labs.csv": seed_like("").encode("utf-16-le")})
    assert matching(problems, "error", "unknown encoding")
    assert problems[0].file == "labs.csv"


def check_uploaded(files: dict[str, bytes]):
    try:
        load_uploaded(files, name="x")
    except CaseError as exc:
        return exc.problems
    return []


def test_a_50_mb_file_is_refused_before_parsing(tmp_path):
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.write(b"Analyte,Admission\n")
        handle.write(b"Ferritin (ng/mL),9560\n" * (50 * 1024 * 1024 // 22))
    assert big.stat().st_size > 50_000_000
    problems = check_case(big)
    assert matching(problems, "error", "MB")
    folder = tmp_path / "case"
    folder.mkdir()
    big.rename(folder / "labs.csv")
    assert matching(check_case(folder), "error", f"over the {MAX_FILE_BYTES / 1e6:.0f} MB limit")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_of_a_case_folder_loads(tmp_path):
    mini = BAD.parent / "cases" / "mini"
    data = zip_bytes({f"mini/{n}": (mini / n).read_bytes() for n in ("labs.csv", "events.csv", "case.toml")}
                     | {"__MACOSX/mini/._labs.csv": b"junk"})
    (tmp_path / "mini.zip").write_bytes(data)
    case = load_case(tmp_path / "mini.zip")
    assert case.id == "mini" and len(case.events) == 2
    assert load_uploaded({"upload.zip": data}).id == "mini"


@pytest.mark.parametrize("members,message", [
    ({f"f{i}.csv": b"x" for i in range(MAX_ZIP_ENTRIES + 900)}, "entries"),
    ({"labs.csv": MINI_LABS, "inner.zip": zip_bytes({"labs.csv": MINI_LABS})}, "contains another archive"),
    ({"labs.csv": b"0" * (3 * MAX_FILE_BYTES)}, "unpacks to"),
])
def test_zip_bombs_are_refused(tmp_path, members, message):
    path = tmp_path / "bomb.zip"
    path.write_bytes(zip_bytes(members))
    assert path.stat().st_size < 1_000_000
    problems = check_case(path)
    assert matching(problems, "error", message), problems
    assert problems[0].file == "bomb.zip"


def test_not_a_zip():
    assert matching(check_uploaded({"case.zip": b"PK\x03\x04 broken"}), "error", "not a readable zip")


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_without_labs_sheet():
    problems = check_uploaded({"case.xlsx": workbook({"Sheet1": [["Analyte", "Admission"]],
                                                      "Notes": [["a note"]]})})
    found = matching(problems, "error", "no sheet 'labs'")
    assert found and found[0].value == "Sheet1, Notes" and found[0].file == "case.xlsx"


def test_a_workbook_of_one_sheet_under_another_name_is_its_labs_sheet():
    """A lab system's export has one sheet called Sheet1 or Results: it is read, with a warning saying so."""
    data = workbook({"Results": [["Analyte", "Admission", "Day 7"], ["Ferritin (ng/mL)", 9560, 550]]})
    case = load_uploaded({"export.xlsx": data})
    assert [p.severity for p in case.problems] == ["warning"]
    assert "one sheet 'Results' is read as its labs sheet" in case.problems[0].message
    assert case.observations.set_index("timepoint")["value"].to_dict() == {"Admission": 9560.0, "Day 7": 550.0}


def test_xlsx_with_an_empty_labs_sheet():
    problems = check_uploaded({"case.xlsx": workbook({"labs": []})})
    assert matching(problems, "error", "the file is empty")
    assert problems[0].file == "case.xlsx[labs]"


def test_xlsx_cell_problem_names_sheet_row_and_column():
    data = workbook({"labs": [["Analyte", "Admission"], ["Ferritin (ng/mL)", "9,560"]]})
    found = matching(check_uploaded({"case.xlsx": data}), "error", "thousands separator", row=2, column="Admission")
    assert found and found[0].file == "case.xlsx[labs]"


@pytest.mark.parametrize("name,payload", [
    ("macro.xlsm", None),
    ("renamed.xlsx", b"PK\x03\x04...xl/vbaProject.bin..."),
])
def test_macro_workbooks_are_refused(name, payload):
    data = payload or workbook({"labs": [["Analyte", "Admission"], ["Ferritin (ng/mL)", 9560]]})
    problems = check_uploaded({name: data})
    assert matching(problems, "error", "macro-enabled workbooks are refused")


def test_damaged_xlsx():
    assert matching(check_uploaded({"case.xlsx": zip_bytes({"hello.txt": b"hi"})}), "error", "not a readable .xlsx")


def test_missing_path_and_folder_without_labs(tmp_path):
    assert matching(check_case(tmp_path / "nowhere"), "error", "no such file or folder")
    (tmp_path / "events.csv").write_text("kind,name,start_day\n", encoding="utf-8")
    found = matching(check_case(tmp_path), "error", "no labs file")
    assert found and "events.csv" in found[0].expected


ALPHABET = st.sampled_from(list("abcAB012,.;:-–<>\"'\n\t µ°()/%=+") + ["NaN", "1:40", "Ferritin (ng/mL)", "1,260"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPHABET, max_size=60).map("".join), st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_random_csv_text_raises_only_case_error(text, encoding):
    data = text.encode(encoding, errors="replace")
    try:
        case = load_uploaded({"labs.csv": data}, name="random")
    except CaseError as exc:
        assert exc.problems and all(p.file for p in exc.problems)
        return
    assert case.id == "random"


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_crash_check(data):
    for name in ("labs.csv", "case.xlsx", "case.zip"):
        try:
            load_uploaded({name: data}, name="bytes")
        except CaseError:
            pass


def test_check_uploaded_lists_problems_without_raising():
    from dashboard.ingest.bundle import check_uploaded

    problems = check_uploaded({"labs.csv": (BAD / "decimal_comma.csv").read_bytes()})
    assert [(p.severity, p.row, p.column, p.value) for p in problems] == [("error", 3, "Admission", "3,5")]
    assert check_uploaded({"labs.csv": MINI_LABS}) == []
