"""Upload page: a FHIR R4 Bundle and an SDTM study (several .xpt datasets, or a .zip of .csv ones) give the
validation report, preview and save of any other upload; the stored cases hold the values of the fixtures.

Expected values are read off the fixtures by hand: the seed Bundle's ferritin entry is 9560 ng/mL on
2023-04-03 (day 0), its cyclosporine MedicationStatement starts 2023-04-06 (day 3); the SDTM study's
subject 001 has ferritin 9560 ng/mL at DAY 1 and cyclosporine with EXSTDY empty and EXSTDTC 2024-03-04,
RFSTDTC 2024-03-01: 3 days after study day 1 = day 4 (SDTM has no day 0).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from dashboard.domain.score_json import case_score_json
from dashboard.ingest.store import CaseStore
from tests.ingest.test_sdtm_study import S1, S2, _dm, _ex, _lb, _vs

UPLOAD = "app_pages/upload.py"
FHIR = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "seed-us-units.fhir.json"
S3 = "STUDY1-003"


def _study() -> dict[str, pd.DataFrame]:
    """The SDTM study of tests/ingest/test_sdtm_study.py plus a subject whose only ferritin is unreadable."""
    lb = _lb()
    bad = lb.iloc[[0]].assign(USUBJID=S3, VISIT="DAY 1", VISITDY=1.0, LBORRES="lots")
    return {"dm": _dm(), "lb": pd.concat([lb, bad], ignore_index=True), "vs": _vs(), "ex": _ex()}


def _xpt(frame: pd.DataFrame, name: str, tmp_path: Path) -> bytes:
    path = tmp_path / f"{name}.xpt"
    pyreadstat.write_xport(frame, str(path), table_name=name.upper(), file_format_version=5)
    return path.read_bytes()


def _value(case, timepoint: str, analyte: str) -> tuple[float, str]:
    row = case.observations.query("timepoint == @timepoint and analyte == @analyte").iloc[0]
    return float(row["value"]), str(row["unit"])


def test_a_fhir_bundle_in_us_units_is_previewed_saved_and_scores_like_the_seed(app, upload, store_root, page_text,
                                                                               table):
    at = upload(app(UPLOAD), {"seed-us.fhir.json": FHIR.read_bytes()})
    assert not at.exception
    preview = table(at, "upload_preview")
    assert sorted(set(preview["timepoint"])) == ["2023-04-03", "2023-04-10", "2023-04-14", "2023-05-26"]
    assert "birthDate, identifier, name are not stored" in " ".join(table(at, "upload_problems")["message"])
    at.button(key="upload_save").click().run()
    assert not at.exception
    assert "Saved seed-us" in page_text(at)
    case = CaseStore(store_root).load("seed-us")
    assert _value(case, "2023-04-03", "ferritin") == (9560.0, "ng/mL")
    assert _value(case, "2023-04-03", "hemoglobin") == (77.0, "g/L")   # 7.7 g/dL
    events = case.events.set_index("name")
    assert events.loc["Cyclosporine", ["start_day", "dose", "dose_unit"]].tolist() == [3.0, 300.0, "mg/day"]
    hscore = case_score_json(case)["timepoints"][0]["scores"]["hscore"]
    assert (hscore["points"], hscore["min"], hscore["max"]) == (256, 256, 291)


def test_an_sdtm_study_of_xpt_files_imports_the_good_subjects_and_names_the_bad(app, upload, store_root,
                                                                                page_text, table, tmp_path):
    files = {f"{name}.xpt": _xpt(frame, name, tmp_path) for name, frame in _study().items()}
    at = upload(app(UPLOAD), files)
    assert not at.exception
    assert f"3 cases in these {len(files)} files: 2 can be imported, 1 with errors" in page_text(at)
    cases = table(at, "upload_cases")
    assert cases[["case", "status"]].values.tolist() == [[S1, "ready"], [S2, "ready"], [S3, "has errors"]]
    problems = table(at, "upload_problems")
    bad = problems[problems["severity"] == "error"]
    assert bad[["case", "file", "value"]].values.tolist() == [[S3, "lb.xpt", "lots"]]
    at.button(key="upload_save_all").click().run()
    assert not at.exception
    assert f"Saved 2 case(s): {S1}, {S2}; unchanged (not saved again): none; not imported (errors): {S3}" \
        in page_text(at)
    store = CaseStore(store_root)
    assert not store.exists(S3)
    first = store.load(S1)
    assert _value(first, "DAY 1", "ferritin") == (9560.0, "ng/mL")
    assert _value(first, "DAY 1", "temperature")[0] == pytest.approx((101.5 - 32) * 5 / 9)  # from VS, in °F
    events = first.events.set_index("name")
    assert events.loc["CYCLOSPORINE", ["start_day", "dose", "dose_unit"]].tolist() == [4.0, 300.0, "mg/day"]
    assert events.loc["METHYLPREDNISOLONE", ["start_day", "end_day"]].tolist() == [1.0, 3.0]
    assert first.meta["patient"] == {"age": 33, "sex": "F", "weight_kg": 80.0, "height_cm": 175.0}
    # HScore by hand (tests/ingest/test_sdtm_study.py): 200 known, unknown items up to 291
    day1 = next(t for t in case_score_json(first)["timepoints"] if t["label"] == "DAY 1")["scores"]["hscore"]
    assert (day1["points"], day1["min"], day1["max"]) == (200, 200, 291)


def test_a_zip_of_an_sdtm_study_in_csv_reads_like_its_files(app, upload, store_root, page_text, table):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, frame in _study().items():
            archive.writestr(f"study1/{name}.csv", frame.to_csv(index=False))
    at = upload(app(UPLOAD), {"study1.zip": buffer.getvalue()})
    assert not at.exception
    assert table(at, "upload_cases")[["case", "status"]].values.tolist() == [
        [S1, "ready"], [S2, "ready"], [S3, "has errors"]]
    at.button(key="upload_save_all").click().run()
    second = CaseStore(store_root).load(S2)
    assert _value(second, "DAY 1", "ferritin") == (120.0, "ng/mL")   # 120 ug/L = 120 ng/mL
    assert second.meta["source"] == "CDISC SDTM study study1.zip"


def test_an_invalid_fhir_file_names_the_element_and_saves_nothing(app, upload, page_text, table):
    bundle = (b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": '
              b'"Observation", "status": "final", "code": {"text": "Ferritin"}, "effectiveDateTime": "2023-13-45"}}]}')
    at = upload(app(UPLOAD), {"broken.json": bundle})
    assert not at.exception
    assert "cannot be imported" in page_text(at)
    problems = table(at, "upload_problems")
    error = problems[problems["severity"] == "error"].iloc[0]
    assert (error["file"], error["column"], error["value"]) == (
        "broken.json", "entry.0.resource.effectiveDateTime", "2023-13-45")
    assert not [b for b in at.button if b.key in ("upload_save", "upload_save_all")]
