"""A reference range printed per sex, from the file through case.toml's sex to flags, the store and `check`."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from dashboard.cli import main
from dashboard.domain.flags import reference_flags
from dashboard.domain.sex_ranges import SEX_RANGE_NAMES
from dashboard.domain.values import COMMA, POINT, parse_range
from dashboard.ingest.bundle import check_case, load_case
from dashboard.ingest.problems import CaseError
from dashboard.ingest.store import CaseStore

LABS = ('Analyte,Reference range,Day 0,Day 7\n'
        'Hemoglobin (g/dL),M: 13-17; F: 12-15,8.1,12.5\n'
        'Ferritin (ng/mL),"M 30-400, F 15-150",12000,800\n')


def case_folder(tmp_path: Path, labs: str = LABS, sex: str | None = None) -> Path:
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "labs.csv").write_text(labs, encoding="utf-8")
    if sex is not None:
        (folder / "case.toml").write_text(f'[patient]\nsex = "{sex}"\n', encoding="utf-8")
    return folder


def table(folder: Path) -> pd.DataFrame:
    flags = reference_flags(load_case(folder).observations)
    return flags.set_index(["label", "timepoint"])


def test_check_without_sex_warns_once_and_reads_the_file(tmp_path, capsys):
    folder = case_folder(tmp_path)
    assert main(["check", str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        ("warning: labs.csv:2:reference range 'M: 13-17; F: 12-15' — reference ranges printed per sex (Hemoglobin, "
        "Ferritin) and the patient's sex is not given: a value is flagged only where both sexes' ranges agree "
        "(range depends on sex; set [patient] sex in case.toml) (expected sex = \"F\" or sex = \"M\" under "
        "[patient] in case.toml)"),
        f"{folder}: 0 error(s), 1 warning(s)",
    ]


def test_female_patient_gets_the_female_range_in_the_canonical_unit(tmp_path):
    flags = table(case_folder(tmp_path, sex="F"))
    hb = flags.loc[("Hemoglobin", "Day 0")]
    assert (hb["value"], hb["ref_low"], hb["ref_high"]) == (81.0, 120.0, 150.0)  # g/dL -> g/L
    assert (hb["flag"], hb["ref_source"], hb["ref_text"]) == ("L", "report, female", "M: 13-17; F: 12-15")
    assert hb["x_uln"] == pytest.approx(81.0 / 150.0)
    assert flags.loc[("Hemoglobin", "Day 7"), "flag"] == "N"  # 12.5 g/dL within 12-15
    assert flags.loc[("Ferritin", "Day 7"), "flag"] == "H"  # 800 above 150
    assert flags.loc[("Ferritin", "Day 0"), "x_uln"] == pytest.approx(80.0)
    assert check_case(tmp_path / "case") == []  # no warning: the sex decides


def test_male_patient_at_the_cut_off_and_either_side(tmp_path):
    labs = "Analyte,Reference range,A,B,C,D\nHemoglobin (g/dL),M: 13-17; F: 12-15,12.9,13.0,13.5,17.1\n"
    flags = table(case_folder(tmp_path, labs, sex="M"))
    assert flags["flag"].tolist() == ["L", "N", "N", "H"]
    assert set(flags["ref_source"]) == {"report, male"}
    assert flags["ref_low"].tolist() == [130.0] * 4


def test_sex_unknown_flags_where_both_ranges_agree(tmp_path):
    flags = table(case_folder(tmp_path))
    assert flags.loc[("Hemoglobin", "Day 0"), "flag"] == "L"     # 8.1: low for both
    day7 = flags.loc[("Hemoglobin", "Day 7")]
    assert pd.isna(day7["flag"]) and day7["flag_note"] == "range depends on sex; set [patient] sex in case.toml"
    assert flags.loc[("Ferritin", "Day 0"), "flag"] == "H"       # 12000: high for both
    assert flags.loc[("Ferritin", "Day 7"), "flag"] == "H"       # 800: above 400 and 150
    assert flags["x_uln"].isna().all()                           # 150 or 400: not picked
    assert flags["ref_low"].isna().all()                         # no range applied, none from the catalogue


def test_a_sex_other_than_f_or_m_is_never_guessed(tmp_path):
    problems = check_case(case_folder(tmp_path, sex="X"))
    assert [p.message.split(":")[0] for p in problems] == [
        "reference ranges printed per sex (Hemoglobin, Ferritin) and the patient's sex 'X' is neither F nor M"]


def test_mmol_per_litre_range_per_sex_is_converted_with_the_values(tmp_path):
    # Hb 1 mmol/L = 16.1145 g/L (haem monomer, catalogue molar mass 16114.5 g/mol)
    labs = "Analyte,Reference range,Day 0\nHemoglobin (mmol/L),\"M 8,5-11,0; F 7,5-10,0\",\"7,4\"\n"
    flags = table(case_folder(tmp_path, labs, sex="F"))
    row = flags.iloc[0]
    assert row["value"] == pytest.approx(7.4 * 16.1145)
    assert row["ref_low"] == pytest.approx(7.5 * 16.1145) and row["ref_high"] == pytest.approx(161.145)
    assert row["ref_low_m"] == pytest.approx(8.5 * 16.1145) and row["ref_high_m"] == pytest.approx(11.0 * 16.1145)
    assert row["flag"] == "L"


def test_a_unit_printed_after_both_ranges_is_the_rows(tmp_path):
    labs = "Analyte,Reference range,Day 0\nHemoglobin,\"M 13-17, F 12-15 g/dL\",12.1\n"
    flags = table(case_folder(tmp_path, labs, sex="F"))
    assert (flags.iloc[0]["value"], flags.iloc[0]["ref_low"], flags.iloc[0]["flag"]) == (121.0, 120.0, "N")


def test_a_range_whose_sexes_cannot_be_told_is_an_error_naming_its_cell(tmp_path):
    labs = "Analyte,Reference range,Day 0\nHemoglobin (g/dL),M 13-17 V 12-15,12.1\n"
    with pytest.raises(CaseError) as raised:
        load_case(case_folder(tmp_path, labs, sex="F"))
    problem = raised.value.problems[0]
    assert (problem.file, problem.row, problem.column, problem.value) == ("labs.csv", 2, "reference range",
                                                                         "M 13-17 V 12-15")
    assert "both ways round" in problem.message and "Male 13-17 / Female 12-15" in problem.expected


def test_stored_round_trip_keeps_both_ranges_and_the_applied_one(tmp_path):
    case = load_case(case_folder(tmp_path, sex="F"))
    store = CaseStore(tmp_path / "store")
    store.save(case)
    loaded = store.load(case.id)
    pd.testing.assert_frame_equal(loaded.observations, case.observations)
    assert loaded.observations["ref_high_m"].tolist() == [170.0, 400.0, 170.0, 400.0]
    pd.testing.assert_frame_equal(reference_flags(loaded.observations), reference_flags(case.observations))


def test_a_case_stored_before_ranges_per_sex_loads_with_empty_columns(tmp_path):
    labs = "Analyte,Reference range,Day 0\nFerritin (ng/mL),15-150,900\n"
    case = load_case(case_folder(tmp_path, labs))
    store = CaseStore(tmp_path / "store")
    store.save(case)
    path = tmp_path / "store" / case.id / "current" / "observations.parquet"
    old = pq.read_table(path)
    pq.write_table(old.drop_columns(list(SEX_RANGE_NAMES)), path)  # as an older casetrack wrote it
    loaded = store.load(case.id)
    pd.testing.assert_frame_equal(loaded.observations, case.observations)
    assert loaded.observations[list(SEX_RANGE_NAMES)].isna().all().all()
    assert reference_flags(loaded.observations)["flag"].tolist() == ["H"]
    assert store.load_all_observations()[list(SEX_RANGE_NAMES)].isna().all().all()


def test_every_form_the_docs_show_is_read_as_documented(root):
    text = (root / "docs" / "case-format.md").read_text(encoding="utf-8")
    section = text.split("### Ranges printed per sex", 1)[1].split("\n\n", 2)[1]
    forms = re.findall(r"`([^`]+)`", section)
    assert len(forms) == 12
    for form in forms:
        parsed = parse_range(form, COMMA if "4,5" in form else POINT)
        if form == "M 0-5; F 0-5":
            assert (parsed.low, parsed.high, parsed.by_sex) == (0.0, 5.0, None)
        else:
            assert parsed.by_sex is not None, form


def test_study_subjects_take_their_own_sex(tmp_path):
    """SDTM and FHIR subjects (ingest/study.py) get the sex of their DM or Patient record."""
    from dashboard.ingest.study import case_from_rows

    row = {"timepoint": "Day 0", "day": 0.0, "label": "Hemoglobin", "unit": "g/dL", "text": "13.5",
           "ref_text": "M: 13-17; F: 12-15", "line": 2, "column": "LBORRES"}
    male, problems = case_from_rows("S-1", [row], [], {"patient": {"sex": "M"}}, "lb.csv")
    assert problems == []
    assert reference_flags(male.observations)[["ref_low", "flag"]].values.tolist() == [[130.0, "N"]]
    unknown, problems = case_from_rows("S-2", [{**row, "text": "12.5"}], [], {}, "lb.csv")
    assert [p.severity for p in problems] == ["warning"] and "sex is not given" in problems[0].message
    assert pd.isna(reference_flags(unknown.observations)["flag"].iloc[0])
