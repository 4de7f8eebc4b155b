"""A study (SDTM or FHIR) gives one outcome per subject, from a path or an upload: an error on a subject's
own row blocks that subject alone, an error of the study as a whole blocks every subject."""

from __future__ import annotations

import json

import pyreadstat

from dashboard.ingest.bundle import is_case_source, read_cases, read_uploaded
from tests.ingest.test_fhir import PATIENT, _obs, _quantity
from tests.ingest.test_sdtm_study import S1, S2, _dm, _lb


def _bundle(*resources) -> bytes:
    return json.dumps({"resourceType": "Bundle", "type": "collection",
                       "entry": [{"resource": r} for r in resources]}).encode()


def test_a_study_day_0_on_one_subjects_row_blocks_that_subject_alone(tmp_path):
    lb = _lb()
    lb.loc[lb["USUBJID"] == S2, "VISITDY"] = 0.0   # SDTM has no day 0: an error on S2's LB row (line 11)
    files = {"lb.csv": lb.to_csv(index=False).encode(), "dm.csv": _dm().to_csv(index=False).encode()}
    first, second = read_uploaded(files)
    assert (first.case_id, first.ok, second.case_id, second.ok) == (S1, True, S2, False)
    assert [(p.message, p.file, p.row) for p in second.problems if p.is_error] == [
        ("study day 0 does not exist in SDTM", "lb.csv", 11)]
    assert not [p for p in first.problems if p.is_error]
    assert first.case.observations.query("analyte == 'ferritin'")["value"].tolist() == [9560, 9560, 20]


def test_an_error_of_the_whole_study_blocks_every_subject(tmp_path):
    vs = "USUBJID,VSTESTCD,VSORRES,VSORRESU,VISIT,VISITDY\n" + f"{S1},TEMP,39.5,C,DAY 1,1\n{S2},TEMP,37,C,DAY 1,1\n"
    files = {"lb.csv": b"not,an,sdtm\n1,2,3\n", "dm.csv": _dm().to_csv(index=False).encode(), "vs.csv": vs.encode()}
    outcomes = read_uploaded(files)
    assert [(o.case_id, o.ok) for o in outcomes] == [(S1, False), (S2, False)]
    for outcome in outcomes:  # the LB header is nobody's row: its error is every subject's
        assert [(p.file, p.row) for p in outcome.problems if p.is_error] == [("lb.csv", 1)]


def test_one_xpt_dataset_alone_is_a_study_and_one_csv_alone_a_table(tmp_path):
    path = tmp_path / "lb.xpt"
    pyreadstat.write_xport(_lb(), str(path), table_name="LB", file_format_version=5)
    assert is_case_source(path)
    assert [o.case_id for o in read_cases(path)] == [S1, S2]
    assert [o.case_id for o in read_uploaded({"lb.xpt": path.read_bytes()})] == [S1, S2]
    assert [o.case_id for o in read_uploaded({"lb.csv": _lb().to_csv(index=False).encode()})] == [S1, S2]


def test_a_fhir_observation_without_a_full_date_blocks_its_patient_alone():
    other = {"resourceType": "Patient", "id": "p2", "gender": "female"}
    dated = _obs("2023-01-01", "2276-4", valueQuantity=_quantity(100, "ng/mL"))
    undated = _obs("2023-02", "2276-4", valueQuantity=_quantity(50, "ng/mL")) | {"subject": {"reference": "Patient/p2"}}
    also = _obs("2023-02-03", "2276-4", valueQuantity=_quantity(60, "ng/mL")) | {"subject": {"reference": "Patient/p2"}}
    first, second = read_uploaded({"ward.json": _bundle(PATIENT, other, dated, undated, also)})
    assert (first.case_id, first.ok, second.case_id, second.ok) == ("ward-1", True, "ward-2", False)
    assert [(p.message, p.row) for p in second.problems if p.is_error] == [("an Observation without a full date", 4)]
    assert first.case.observations["value"].tolist() == [100]


def test_two_fhir_files_with_the_same_name_stem_are_refused_not_merged():
    first = _bundle(PATIENT, _obs("2023-01-01", "2276-4", valueQuantity=_quantity(100, "ng/mL")))
    second = json.dumps(_obs("2023-01-02", "2276-4", valueQuantity=_quantity(90, "ng/mL"))).encode() + b"\n"
    outcomes = read_uploaded({"a.json": first, "a.ndjson": second})
    assert [(o.case_id, o.ok) for o in outcomes] == [("a", False)]
    assert any("two subjects with the id 'a'" in p.message for p in outcomes[0].problems)


def test_an_error_on_the_row_of_a_subject_without_a_case_is_shown_never_dropped():
    dm = _dm().astype({"AGE": object})
    dm.loc[2] = ["STUDY1", "DM", "STUDY1-009", "2024-06-01", "old", "YEARS", "F", ""]  # no LB/VS: no case
    files = {"lb.csv": _lb().to_csv(index=False).encode(), "dm.csv": dm.to_csv(index=False).encode()}
    outcomes = read_uploaded(files)
    assert [(o.case_id, o.ok) for o in outcomes] == [(S1, False), (S2, False)]
    for outcome in outcomes:
        assert [(p.message, p.row, p.value) for p in outcome.problems if p.is_error] == [
            ("AGE is not a number", 4, "old")]
