"""An SDTM study written as SAS transport files by the test itself (pyreadstat), read one case per subject.

Subject 001 has its temperature only in VS (in °F) and its treatments only in EX; the expected scores
are computed by hand from the HScore and HLH-2004 tables (docs in dashboard/domain/scores).
"""

from __future__ import annotations

import json
import zipfile

import pandas as pd
import pyreadstat
import pytest

from dashboard.domain.scores import score_observations
from dashboard.ingest.problems import CaseError
from dashboard.ingest.sdtm_files import is_sdtm_study
from dashboard.ingest.sdtm_study import load_sdtm_study, read_sdtm_study

S1, S2 = "STUDY1-001", "STUDY1-002"


def _dm() -> pd.DataFrame:
    return pd.DataFrame({"STUDYID": ["STUDY1"] * 2, "DOMAIN": ["DM"] * 2, "USUBJID": [S1, S2],
                         "RFSTDTC": ["2024-03-01", "2024-05-10"], "AGE": [33.0, 61.0], "AGEU": ["YEARS"] * 2,
                         "SEX": ["F", "M"], "BRTHDTC": ["1990-07-14", "1962-01-02"]})


def _lb() -> pd.DataFrame:
    # (subject, visit, VISITDY, LBTESTCD, LBTEST, LBORRES, LBORRESU, LBORNRLO, LBORNRHI)
    rows = [
        (S1, "SCREENING", -2.0, "FERRITIN", "Ferritin", "9560", "ng/mL", "6.2", "138"),
        (S1, "DAY 1", 1.0, "WBC", "Leukocytes", "0.72", "10^9/L", "4.5", "11"),
        (S1, "DAY 1", 1.0, "HGB", "Hemoglobin", "7.7", "g/dL", "12.1", "15.1"),
        (S1, "DAY 1", 1.0, "PLAT", "Platelets", "22", "10^9/L", "150", "400"),
        (S1, "DAY 1", 1.0, "FERRITIN", "Ferritin", "9560", "ng/mL", "6.2", "138"),
        (S1, "DAY 1", 1.0, "TRIG", "Triglycerides", "365.8", "mg/dL", "", "150"),
        (S1, "DAY 1", 1.0, "FIBRINO", "Fibrinogen", "350", "mg/dL", "200", "400"),
        (S1, "DAY 1", 1.0, "AST", "Aspartate Aminotransferase", "51", "U/L", "13", "30"),
        (S1, "WEEK 1", 8.0, "FERRITIN", "Ferritin", "<20", "ng/mL", "6.2", "138"),
        (S2, "DAY 1", 1.0, "FERRITIN", "Ferritin", "120", "ug/L", "", ""),
    ]
    frame = pd.DataFrame(rows, columns=["USUBJID", "VISIT", "VISITDY", "LBTESTCD", "LBTEST", "LBORRES",
                                        "LBORRESU", "LBORNRLO", "LBORNRHI"])
    frame.insert(0, "DOMAIN", "LB")
    return frame


def _vs() -> pd.DataFrame:
    rows = [
        (S1, "DAY 1", 1.0, "TEMP", "100.2", "F"),   # 37.9 °C
        (S1, "DAY 1", 1.0, "TEMP", "101.5", "F"),   # 38.61 °C: the highest of the visit is kept
        (S1, "DAY 1", 1.0, "WEIGHT", "176.4", "LB"),
        (S1, "DAY 1", 1.0, "HEIGHT", "175", "cm"),
        (S1, "DAY 1", 1.0, "SYSBP", "100", "mmHg"),
        (S2, "DAY 1", 1.0, "TEMP", "36.8", "C"),
    ]
    return pd.DataFrame(rows, columns=["USUBJID", "VISIT", "VISITDY", "VSTESTCD", "VSORRES", "VSORRESU"])


def _ex() -> pd.DataFrame:
    return pd.DataFrame({"USUBJID": [S1, S1], "EXTRT": ["METHYLPREDNISOLONE", "CYCLOSPORINE"],
                         "EXDOSE": [1.0, 300.0], "EXDOSU": ["g", "mg"], "EXDOSFRQ": ["QD", "QD"],
                         "EXROUTE": ["INTRAVENOUS", "ORAL"], "EXSTDY": [1.0, float("nan")],
                         "EXENDY": [3.0, float("nan")], "EXSTDTC": ["2024-03-01", "2024-03-04"],
                         "EXENDTC": ["2024-03-03", ""]})


@pytest.fixture()
def study(tmp_path):
    folder = tmp_path / "study1"
    folder.mkdir()
    for name, frame in {"dm": _dm(), "lb": _lb(), "vs": _vs(), "ex": _ex()}.items():
        pyreadstat.write_xport(frame, str(folder / f"{name}.xpt"), table_name=name.upper(), file_format_version=5)
    return folder


def test_every_subject_is_a_case_with_its_age_and_sex_and_never_its_birth_date(study):
    assert is_sdtm_study(study)
    cohort = read_sdtm_study(study)
    assert [c.id for c in cohort.cases] == [S1, S2]
    first = cohort.cases[0]
    assert first.meta["patient"] == {"age": 33, "sex": "F", "weight_kg": 80.0, "height_cm": 175.0}
    assert "1990-07-14" not in repr(first.meta)
    assert any("BRTHDTC" in p.message and "not read" in p.message for p in cohort.problems)
    assert any("SYSBP" in p.message for p in cohort.problems)


def test_visits_are_timepoints_ordered_by_study_day_as_written(study):
    case = load_sdtm_study(study)[0]
    assert case.meta["timepoints"] == {"SCREENING": -2, "DAY 1": 1, "WEEK 1": 8}
    tp = case.observations.drop_duplicates("timepoint")
    assert tp["timepoint"].tolist() == ["SCREENING", "DAY 1", "WEEK 1"]
    assert tp["tp_order"].tolist() == [0, 1, 2]


def test_temperature_only_in_vs_counts_for_the_scores(study):
    case = load_sdtm_study(study)[0]
    temperature = case.observations.query("analyte == 'temperature'")
    assert temperature["timepoint"].tolist() == ["DAY 1"]
    assert temperature["value"].iloc[0] == pytest.approx((101.5 - 32) * 5 / 9)  # 38.61 °C
    scores = score_observations(case.observations).loc[(S1, "DAY 1")]
    # HScore by hand: temperature 38.61 -> 33; cytopenias Hb 77 g/L, WBC 0.72, PLT 22 -> 3 lineages 34;
    # ferritin 9560 > 6000 -> 50; triglycerides 365.8 mg/dL = 4.13 mmol/L > 4 -> 64; fibrinogen 3.5 g/L -> 0;
    # AST 51 -> 19. Known: 200. Unknown: immunosuppression 0..18, organomegaly 0..38, hemophagocytosis 0..35.
    assert scores["hscore.items.temperature"] == 33
    assert (scores["hscore.points"], scores["hscore.min"], scores["hscore.max"]) == (200, 200, 291)
    assert bool(scores["hlh2004.criteria.fever"]) is True
    screening = score_observations(case.observations).loc[(S1, "SCREENING")]
    assert pd.isna(screening["hscore.items.temperature"])  # no temperature there: unknown, not 0


def test_treatments_only_in_ex_become_events_with_dose_route_and_days(study):
    events = load_sdtm_study(study)[0].events
    rows = events[["name", "start_day", "end_day", "dose", "dose_unit", "route"]].to_dict("records")
    assert rows == [
        {"name": "METHYLPREDNISOLONE", "start_day": 1.0, "end_day": 3.0, "dose": 1.0, "dose_unit": "g/day",
         "route": "INTRAVENOUS"},
        # EXSTDY empty: from EXSTDTC 2024-03-04 and RFSTDTC 2024-03-01 -> 3 days after day 1 = day 4
        {"name": "CYCLOSPORINE", "start_day": 4.0, "end_day": 4.0, "dose": 300.0, "dose_unit": "mg/day",
         "route": "ORAL"},
    ]


def test_censored_lab_values_keep_their_qualifier(study):
    ferritin = load_sdtm_study(study)[0].observations.query("timepoint == 'WEEK 1'")
    assert ferritin[["value", "qualifier"]].values.tolist() == [[20.0, "<"]]


def test_a_zip_of_csv_domains_reads_the_same(tmp_path, study):
    archive = tmp_path / "study1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, frame in {"dm": _dm(), "lb": _lb(), "vs": _vs(), "ex": _ex()}.items():
            zf.writestr(f"study1/{name}.csv", frame.to_csv(index=False))
    from_zip, from_xpt = load_sdtm_study(archive), load_sdtm_study(study)
    assert [c.id for c in from_zip] == [c.id for c in from_xpt]
    for a, b in zip(from_zip, from_xpt, strict=True):
        columns = ["timepoint", "analyte", "value", "qualifier", "ref_low", "ref_high"]
        pd.testing.assert_frame_equal(a.observations[columns], b.observations[columns])


@pytest.mark.parametrize("day,expected", [(0.0, "study day 0 does not exist"), (-1.0, None), (1.0, None)])
def test_study_day_zero_is_refused_and_either_side_is_read(tmp_path, day, expected):
    folder = tmp_path / "s"
    folder.mkdir()
    lb = _lb().iloc[[1]].assign(VISITDY=day)
    pyreadstat.write_xport(lb, str(folder / "lb.xpt"), table_name="LB", file_format_version=5)
    problems = read_sdtm_study(folder).problems
    messages = [p.message for p in problems if p.is_error]
    if expected is None:
        assert messages == []
        assert load_sdtm_study(folder)[0].meta["timepoints"] == {"DAY 1": day}
    else:
        assert any(expected in m for m in messages)
        with pytest.raises(CaseError):
            load_sdtm_study(folder)


def test_a_folder_without_lb_or_vs_is_refused_with_what_is_expected(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    pyreadstat.write_xport(_dm(), str(folder / "dm.xpt"), table_name="DM", file_format_version=5)
    problems = read_sdtm_study(folder).problems
    assert [(p.message, p.expected) for p in problems if p.is_error] == [
        ("no LB or VS dataset", "lb.xpt or lb.csv (and dm, vs, ex, cm)")]


def test_each_case_keeps_the_study_warnings_that_concern_it(study):
    first, second = load_sdtm_study(study)
    messages = [p.message for p in first.problems]
    assert any("BRTHDTC" in m for m in messages)            # about the whole study: every case
    assert any("2 temperatures for STUDY1-001" in m for m in messages)
    assert not any("STUDY1-001" in p.message for p in second.problems)
    assert any("BRTHDTC" in p.message for p in second.problems)


def test_unreadable_age_and_weight_are_named_not_guessed(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    dm = _dm().assign(AGE=["thirty", "61"])
    vs = _vs().assign(VSORRES=["100.2", "101.5", "heavy", "175", "100", "36.8"])
    pyreadstat.write_xport(dm, str(folder / "dm.xpt"), table_name="DM", file_format_version=5)
    pyreadstat.write_xport(vs, str(folder / "vs.xpt"), table_name="VS", file_format_version=5)
    problems = read_sdtm_study(folder).problems
    assert [(p.severity, p.message, p.row, p.column, p.value) for p in problems
            if p.column in ("AGE", "VSORRES") and "temperatures" not in p.message] == [
        ("error", "AGE is not a number", 2, "AGE", "thirty"),
        ("warning", "WEIGHT is not a number: not stored", 4, "VSORRES", "heavy")]


def test_the_loader_reads_a_study_folder_as_its_subjects(study, capsys):
    from dashboard.cli import main
    from dashboard.ingest.bundle import is_case_source, load_cases

    assert is_case_source(study)
    assert [c.id for c in load_cases(study)] == [S1, S2]
    assert main(["score", str(study), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [c["case"]["id"] for c in printed["cases"]] == [S1, S2]
