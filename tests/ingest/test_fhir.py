"""FHIR R4 in: the seed case as a Bundle in US/UCUM units scores like the seed; codes, units, comparators,
Conditions, medications and privacy each checked on small hand-made resources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.domain.score_json import case_score_json
from dashboard.ingest.bundle import load_case
from dashboard.ingest.fhir import is_fhir_file, load_fhir, read_fhir

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "seed-us-units.fhir.json"
SEED = Path(__file__).resolve().parents[2] / "data" / "cases" / "seed-sle-mas"
UCUM = "http://unitsofmeasure.org"


def _quantity(value, unit, comparator=None):
    q = {"value": value, "unit": unit, "system": UCUM, "code": unit}
    return q | ({"comparator": comparator} if comparator else {})


def _obs(when, loinc=None, text=None, **value):
    code = {"text": text} if text else {}
    if loinc:
        code["coding"] = [{"system": "http://loinc.org", "code": loinc}]
    return {"resourceType": "Observation", "status": "final", "code": code, "effectiveDateTime": when,
            "subject": {"reference": "Patient/p1"}, **value}


def _write(tmp_path, resources, name="case.json", ndjson=False):
    path = tmp_path / name
    if ndjson:
        path.write_text("\n".join(json.dumps(r) for r in resources) + "\n", encoding="utf-8")
    else:
        path.write_text(json.dumps({"resourceType": "Bundle", "type": "searchset",
                                    "entry": [{"resource": r} for r in resources]}), encoding="utf-8")
    return path


PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "male"}


def test_the_seed_in_us_units_scores_like_the_seed():
    case = load_fhir(FIXTURE)[0]
    got, seed = case_score_json(case)["timepoints"], case_score_json(load_case(SEED))["timepoints"]
    assert [t["label"] for t in got] == ["2023-04-03", "2023-04-10", "2023-04-14", "2023-05-26"]
    assert [t["day"] for t in got] == [0, 7, 11, 53] == [t["day"] for t in seed]
    admission = got[0]["scores"]
    assert (admission["hscore"]["points"], admission["hscore"]["min"], admission["hscore"]["max"]) == (256, 256, 291)
    assert admission["hscore"]["items"] == seed[0]["scores"]["hscore"]["items"]
    assert admission["hlh2004"]["criteria"]["fever"] is True          # 101.5 °F = 38.6 °C
    assert admission["hlh2004"]["criteria"]["splenomegaly"] is True   # from the SNOMED 16294009 Condition
    for mine, theirs in zip(got, seed, strict=True):
        for score in ("hscore", "hlh2004", "mas2016", "ferritin_esr_ratio", "ms_score"):
            assert mine["scores"][score] == theirs["scores"][score], (mine["label"], score)
    # Parodi 2009 asks for organs >= 3 cm below the costal arch: a Condition says present, not how large, so
    # the seed's "3 cm"/"4 cm" become unknown there (never guessed as met)
    parodi = admission["parodi2009"]["criteria"]
    assert (parodi["hepatomegaly"], parodi["splenomegaly"]) == (None, None)
    assert seed[0]["scores"]["parodi2009"]["criteria"]["splenomegaly"] is True


def test_us_units_are_converted_to_the_catalogue_units():
    obs = load_fhir(FIXTURE)[0].observations.query("timepoint == '2023-04-03'").set_index("analyte")
    assert obs.loc["hemoglobin", "value"] == pytest.approx(77)               # 7.7 g/dL
    assert obs.loc["platelets", "value"] == pytest.approx(22)                # 22 10*3/uL
    assert obs.loc["triglycerides", "value"] == pytest.approx(365.8 / 88.57)  # mg/dL by the molar mass
    assert obs.loc["temperature", "value"] == pytest.approx((101.5 - 32) * 5 / 9)
    assert obs.loc["fibrinogen", "value"] == pytest.approx(3.5)             # 350 mg/dL
    assert obs.loc["haptoglobin", "label"] == "Haptoglobin"                  # no LOINC: by its text
    assert (obs.loc["hemoglobin", "ref_low"], obs.loc["hemoglobin", "ref_high"]) == pytest.approx((121, 151))


def test_names_identifiers_and_the_birth_date_are_never_stored_and_the_import_says_so():
    cohort = read_fhir(FIXTURE)
    case = cohort.cases[0]
    assert case.meta["patient"] == {"sex": "F", "age": 33}  # 1989-06-02 -> 33 on 2023-04-03
    stored = repr(case.meta) + case.observations.to_csv() + case.events.to_csv() + case.id
    for secret in ("Doe", "Jane", "MRN-0012345", "1989-06-02", "example-1"):
        assert secret not in stored
    assert any("birthDate, identifier, name are not stored" in p.message for p in case.problems)


@pytest.mark.parametrize("birth,age", [("1990-04-02", 33), ("1990-04-03", 33), ("1990-04-04", 32)])
def test_age_is_whole_years_on_the_first_date(tmp_path, birth, age):
    path = _write(tmp_path, [PATIENT | {"birthDate": birth},
                             _obs("2023-04-03", "2276-4", valueQuantity=_quantity(100, "ng/mL"))])
    assert load_fhir(path)[0].meta["patient"] == {"sex": "M", "age": age}


def test_ndjson_reads_like_the_bundle(tmp_path):
    bundle = json.loads(FIXTURE.read_text(encoding="utf-8"))
    path = _write(tmp_path, [e["resource"] for e in bundle["entry"]], "seed.ndjson", ndjson=True)
    assert is_fhir_file(path) and is_fhir_file(FIXTURE) and not is_fhir_file(SEED / 'labs.csv')
    a, b = load_fhir(path)[0], load_fhir(FIXTURE)[0]
    where = ["case_id", *[c for c in a.observations.columns if c.startswith("source_")]]  # names the file
    assert a.observations.drop(columns=where).equals(b.observations.drop(columns=where))


def test_comparators_are_censored_values_and_ddu_is_not_read_as_feu(tmp_path):
    path = _write(tmp_path, [PATIENT,
                             _obs("2023-01-01", "2276-4", valueQuantity=_quantity(100000, "ug/L", ">")),
                             _obs("2023-01-01", "1988-5", valueQuantity=_quantity(0.5, "mg/dL", "<")),
                             _obs("2023-01-01", "48066-5", "D-dimer", valueQuantity=_quantity(250, "ng/mL"))])
    cohort = read_fhir(path)
    obs = cohort.cases[0].observations.set_index("label")
    assert obs.loc["Ferritin", ["value", "qualifier"]].tolist() == [100000, ">"]
    assert obs.loc["C-reactive protein", ["value", "qualifier"]].tolist() == [0.5, "<"]
    assert obs.loc["D-dimer 48066-5", "analyte"] is None or str(obs.loc["D-dimer 48066-5", "analyte"]) == "<NA>"
    assert any("DDU" in p.message for p in cohort.problems)


def test_conditions_cover_timepoints_from_onset_up_to_abatement(tmp_path):
    dates = ["2023-01-01", "2023-01-05", "2023-01-10", "2023-01-20"]
    ferritin = [_obs(d, "2276-4", valueQuantity=_quantity(100, "ng/mL")) for d in dates]
    spleen = {"resourceType": "Condition", "subject": {"reference": "Patient/p1"},
              "code": {"coding": [{"system": "http://snomed.info/sct", "code": "16294009"}]},
              "onsetDateTime": "2023-01-05", "abatementDateTime": "2023-01-20"}
    liver = {"resourceType": "Condition", "subject": {"reference": "Patient/p1"},
             "verificationStatus": {"coding": [{"code": "refuted"}]},
             "code": {"coding": [{"system": "http://snomed.info/sct", "code": "80515008"}]},
             "recordedDate": "2023-01-10"}
    case = load_fhir(_write(tmp_path, [PATIENT, *ferritin, spleen, liver]))[0]
    found = case.observations.query("analyte in ['splenomegaly', 'hepatomegaly']")
    # onset day included, abatement day excluded, before onset unknown (no row), refuted = documented absence
    assert sorted(zip(found["timepoint"], found["analyte"], found["result"])) == [
        ("2023-01-05", "splenomegaly", "positive"), ("2023-01-10", "hepatomegaly", "negative"),
        ("2023-01-10", "splenomegaly", "positive")]


def test_medications_become_events_on_the_day_axis(tmp_path):
    given = {"resourceType": "MedicationAdministration", "status": "completed", "subject": {"reference": "Patient/p1"},
             "medicationCodeableConcept": {"text": "Dexamethasone"},
             "effectivePeriod": {"start": "2023-01-03T08:00:00+01:00", "end": "2023-01-06"},
             "dosage": {"dose": _quantity(10, "mg"), "route": {"text": "IV"}}}
    path = _write(tmp_path, [PATIENT, _obs("2023-01-01", "2276-4", valueQuantity=_quantity(100, "ng/mL")), given])
    events = load_fhir(path)[0].events
    assert events[["name", "start_day", "end_day", "dose", "dose_unit", "route"]].values.tolist() == [
        ["Dexamethasone", 2.0, 5.0, 10.0, "mg", "IV"]]


def test_a_zip_of_fhir_files_reads_as_its_files(tmp_path):
    """Bulk-data exports come zipped: a .zip of .json/.ndjson FHIR files is read member by member, from a
    path as from an upload; a .zip holding anything else is not FHIR."""
    import zipfile

    from dashboard.ingest.bundle import read_uploaded

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("seed-us.fhir.json", FIXTURE.read_bytes())
    assert is_fhir_file(archive)
    from_zip, alone = load_fhir(archive)[0], load_fhir(FIXTURE)[0]
    assert from_zip.observations["value"].equals(alone.observations["value"])
    assert from_zip.observations["day"].tolist() == alone.observations["day"].tolist()
    uploaded = read_uploaded({"export.zip": archive.read_bytes()})
    assert [o.case.observations["value"].equals(alone.observations["value"]) for o in uploaded] == [True]
    mixed = tmp_path / "mixed.zip"
    with zipfile.ZipFile(mixed, "w") as packed:
        packed.writestr("seed-us.fhir.json", FIXTURE.read_bytes())
        packed.writestr("labs.csv", (SEED / "labs.csv").read_bytes())
    assert not is_fhir_file(mixed)


def test_two_patients_are_two_cases_named_after_the_file(tmp_path):
    other = {"resourceType": "Patient", "id": "p2", "gender": "female"}
    second = _obs("2023-02-01", "2276-4", valueQuantity=_quantity(50, "ng/mL")) | {
        "subject": {"reference": "Patient/p2"}}
    path = _write(tmp_path, [PATIENT, other, _obs("2023-01-01", "2276-4", valueQuantity=_quantity(100, "ng/mL")),
                             second], "cohort.json")
    cases = load_fhir(path)
    assert [(c.id, c.meta["patient"]) for c in cases] == [("cohort-1", {"sex": "M"}), ("cohort-2", {"sex": "F"})]


def test_invalid_fhir_names_the_entry_and_the_element(tmp_path):
    bad = _obs("2023-13-45", "2276-4", valueQuantity=_quantity(100, "ng/mL"))
    problems = [p for p in read_fhir(_write(tmp_path, [PATIENT, bad])).problems if p.is_error]
    assert len(problems) == 1
    assert problems[0].row == 1 and problems[0].column == "entry.1.resource.effectiveDateTime"
    assert problems[0].value == "2023-13-45"


def test_an_observation_without_a_full_date_is_an_error(tmp_path):
    problems = read_fhir(_write(tmp_path, [PATIENT, _obs("2023-04", "2276-4",
                                                         valueQuantity=_quantity(1, "ng/mL"))])).problems
    assert [(p.message, p.row, p.column) for p in problems if p.is_error] == [
        ("an Observation without a full date", 2, "effectiveDateTime")]


def test_the_docs_list_the_codes_the_reader_uses():
    from dashboard.domain.codes import AGE_LOINC, FINDING_SNOMED, REFUSED_LOINC

    text = (SEED.parents[2] / "docs" / "case-format.md").read_text(encoding="utf-8")
    for code, _display in FINDING_SNOMED.values():
        assert f"`{code}`" in text
    for code in [*REFUSED_LOINC, AGE_LOINC]:
        assert f"LOINC `{code}`" in text


def test_the_loader_reads_a_fhir_file(capsys):
    from dashboard.cli import main
    from dashboard.ingest.bundle import load_cases

    assert [c.id for c in load_cases(FIXTURE)] == ["seed-us-units"]
    assert main(["check", str(FIXTURE)]) == 0
    assert "birthDate, identifier, name are not stored" in capsys.readouterr().out
