"""Many cases in one file: a long (or SDTM) table with a case column, rows in any order."""

from __future__ import annotations

import pytest

from dashboard.cli import main
from dashboard.ingest.bundle import CaseError, load_case, load_cases, read_cases, read_uploaded
from dashboard.ingest.problems import error
from dashboard.ingest.study import Cohort
from tests.ingest.test_bad_input import workbook

LONG = ("record_id,timepoint,analyte,value,unit\n"
        "7,Admission,Ferritin,9560,ng/mL\n"
        "9,Admission,Ferritin,1200,ng/mL\n"
        "7,Day 7,Ferritin,550,ng/mL\n")


@pytest.mark.parametrize("column", ["case_id", "USUBJID", "subject", "patient", "record_id", "Case ID"])
def test_every_case_column_name_splits_the_file(tmp_path, column):
    path = tmp_path / "cohort.csv"
    path.write_text(LONG.replace("record_id", column, 1), encoding="utf-8")
    cases = load_cases(path)
    assert [c.id for c in cases] == ["7", "9"]
    assert cases[0].observations["value"].tolist() == [9560.0, 550.0]
    assert cases[0].meta["timepoints"] == {"Day 7": 7}  # the label states its day; Admission does not
    assert set(cases[1].observations["case_id"]) == {"9"}


def test_a_workbook_of_many_cases_with_events_per_case():
    data = workbook({"labs": [row.split(",") for row in LONG.splitlines()],
                     "events": [["case_id", "kind", "name", "start_day"], ["9", "medication", "Anakinra", "1"]]})
    outcomes = read_uploaded({"cohort.xlsx": data})
    assert [(o.case_id, o.ok) for o in outcomes] == [("7", True), ("9", True)]
    assert outcomes[0].case.events.empty
    assert outcomes[1].case.events["name"].tolist() == ["Anakinra"]
    assert set(outcomes[1].case.events["case_id"]) == {"9"}


def test_an_sdtm_lb_file_of_two_subjects(root):
    text = (root / "tests" / "fixtures" / "cases" / "mini-sdtm.csv").read_text(encoding="utf-8")
    header, *rows = text.splitlines()
    other = [row.replace(",mini,", ",mini-2,") for row in rows]
    outcomes = read_uploaded({"lb.csv": "\n".join([header, *other, *rows]).encode()})
    assert [o.case_id for o in outcomes] == ["mini-2", "mini"]
    assert outcomes[0].case.observations["value"].tolist() == outcomes[1].case.observations["value"].tolist()


def test_a_bad_case_is_named_and_the_good_one_kept(tmp_path):
    path = tmp_path / "cohort.csv"
    path.write_text(LONG + "9,Day 7,Ferritin,1,260,ng/mL\n", encoding="utf-8")
    outcomes = read_cases(path)
    assert [(o.case_id, o.ok) for o in outcomes] == [("7", True), ("9", False)]
    assert {(p.row, p.severity) for p in outcomes[1].problems} == {(5, "error")}
    assert "row has 6 cells but the header has 5" in outcomes[1].problems[0].message
    assert outcomes[0].problems == []
    with pytest.raises(CaseError):
        load_cases(path)


def test_rows_without_an_id_and_per_case_metadata_are_errors(tmp_path):
    folder = tmp_path / "cohort"
    folder.mkdir()
    (folder / "labs.csv").write_text(LONG + ",Day 9,Ferritin,300,ng/mL\n", encoding="utf-8")
    (folder / "case.toml").write_text('title = "one title"\n[patient]\nage = 4\n', encoding="utf-8")
    problems = [p for o in read_cases(folder) for p in o.problems]
    assert [(p.row, p.column) for p in problems if "without a case id" in p.message] == [(5, "record_id")]
    assert sorted(p.column for p in problems if "gives" in p.message) == ["patient", "title"]


def test_shared_timepoint_days_and_events_of_an_unknown_case(tmp_path):
    folder = tmp_path / "cohort"
    folder.mkdir()
    (folder / "labs.csv").write_text(LONG, encoding="utf-8")
    (folder / "case.toml").write_text('source = "a cohort"\n[timepoints]\nAdmission = 0\n"Day 7" = 7\n',
                                      encoding="utf-8")
    (folder / "events.csv").write_text("case_id,kind,name,start_day\n8,medication,IVIG,0\n", encoding="utf-8")
    outcomes = read_cases(folder)
    assert not any(o.ok for o in outcomes)
    found = [p for p in outcomes[0].problems if p.is_error]
    assert [(p.file, p.row, p.value) for p in found] == [("events.csv", 2, "8")]
    (folder / "events.csv").write_text("case_id,kind,name,start_day\n7,medication,IVIG,0\n", encoding="utf-8")
    seven, nine = load_cases(folder)
    assert seven.meta == {"source": "a cohort", "timepoints": {"Admission": 0, "Day 7": 7}}
    assert seven.events["name"].tolist() == ["IVIG"] and nine.events.empty


def test_load_case_refuses_a_file_of_many(tmp_path):
    path = tmp_path / "cohort.csv"
    path.write_text(LONG, encoding="utf-8")
    with pytest.raises(CaseError, match="holds 2 cases"):
        load_case(path)


def test_check_names_each_case(tmp_path, capsys):
    path = tmp_path / "cohort.csv"
    path.write_text(LONG + "9,Day 7,Ferritin,lots,ng/mL\n", encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "case 7: ok, 0 error(s), 0 warning(s)"
    assert out[1] == "case 9: not readable, 1 error(s), 0 warning(s)"
    assert out[2].startswith("  error: cohort.csv:5:value 'lots'")
    assert out[-1] == f"{path}: 2 cases (1 with errors), 1 error(s), 0 warning(s)"


def claims_demo(path) -> bool:
    """A stand-in for another format's reader (the READERS test below)."""
    return path.suffix == ".demo"


def read_demo(path) -> Cohort:
    cohort = Cohort()
    if "broken" in path.name:
        cohort.problems.append(error("not a demo file", path.name, expected="a demo"))
    else:
        for case in load_cases(path.with_suffix(".csv")):
            cohort.add(case.id, case, [])
    return cohort


def test_other_formats_plug_in_through_the_readers_table(tmp_path, monkeypatch, capsys, store_root):
    from dashboard.ingest import bundle

    monkeypatch.setattr(bundle, "READERS", (bundle.Reader(claims_demo, read_demo, lambda files: False, read_demo),))
    (tmp_path / "cohort.csv").write_text(LONG, encoding="utf-8")
    (tmp_path / "cohort.demo").write_text("", encoding="utf-8")
    (tmp_path / "broken.demo").write_text("", encoding="utf-8")
    assert bundle.is_case_source(tmp_path / "cohort.demo")
    assert [o.case_id for o in read_cases(tmp_path / "cohort.demo")] == ["7", "9"]
    (broken,) = read_cases(tmp_path / "broken.demo")
    assert (broken.ok, broken.case_id, broken.problems[0].message) == (False, "broken", "not a demo file")
    assert main(["import", str(tmp_path / "cohort.demo"), str(tmp_path / "broken.demo")]) == 1
    assert "case broken: error: broken.demo — not a demo file" in capsys.readouterr().err
