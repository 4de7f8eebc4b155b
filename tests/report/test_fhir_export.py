"""FHIR export: a valid R4 Bundle (checked with fhir.resources) that reads back to the same scores."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from dashboard.domain.score_json import case_score_json
from dashboard.ingest.bundle import load_case
from dashboard.ingest.fhir import load_fhir
from dashboard.report.fhir_export import case_bundle

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "cases" / "seed-sle-mas"
US_UNITS = ROOT / "tests" / "fixtures" / "standards" / "seed-us-units.fhir.json"


def _round_trip(case, tmp_path, **options):
    bundle, notes = case_bundle(case, **options)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return bundle, notes, load_fhir(path)[0]


def _resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_seed_exports_as_valid_fhir_and_reads_back_to_the_same_scores(tmp_path):
    seed = load_case(SEED)
    bundle, notes, back = _round_trip(seed, tmp_path)
    assert Bundle.model_validate(bundle).type == "collection"
    before, after = case_score_json(seed)["timepoints"], case_score_json(back)["timepoints"]
    assert [t["day"] for t in after] == [0, 7, 11, 53]
    assert [t["label"] for t in after] == ["1970-01-01", "1970-01-08", "1970-01-12", "1970-02-23"]
    for old, new in zip(before, after, strict=True):
        assert new["scores"] == old["scores"], old["label"]
        known = {k: v for k, v in old["flags"]["by_analyte"].items() if v is not None}
        assert new["flags"]["by_analyte"] == known
    assert after[0]["scores"]["hscore"]["points"] == 256
    assert any("1970-01-01" in note for note in notes)
    assert any("Discharge" in note for note in notes)


def test_values_units_and_ranges_survive_the_round_trip(tmp_path):
    seed = load_case(SEED)
    _bundle, _notes, back = _round_trip(seed, tmp_path)
    columns = ["tp_order", "analyte", "value", "unit", "result", "qualifier", "ref_low", "ref_high"]
    written = seed.observations[seed.observations["orig_text"].notna()][columns].reset_index(drop=True)
    assert back.observations[columns].reset_index(drop=True).equals(written)
    kept = back.events[["kind", "name", "start_day", "end_day", "dose", "dose_unit", "route"]]
    assert kept.values.tolist() == seed.events.query("kind != 'clinical'")[kept.columns].values.tolist()


def test_the_patient_holds_sex_only_and_the_age_is_an_observation(tmp_path):
    bundle, _notes, back = _round_trip(load_case(SEED), tmp_path)
    assert _resources(bundle, "Patient") == [{"resourceType": "Patient", "gender": "female"}]
    age = [o for o in _resources(bundle, "Observation") if o["code"].get("text") == "Age"]
    assert age[0]["valueQuantity"] == {"value": 33, "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"}
    assert back.meta["patient"] == {"sex": "F", "age": 33}


def test_units_and_codes_are_ucum_and_loinc(tmp_path):
    bundle, _notes, _back = _round_trip(load_case(SEED), tmp_path)
    by_text = {o["code"]["text"]: o for o in _resources(bundle, "Observation")
               if o["effectiveDateTime"] == "1970-01-01"}
    wbc = by_text["White blood cell count"]
    assert wbc["code"]["coding"] == [{"system": "http://loinc.org", "code": "6690-2"}]
    assert wbc["valueQuantity"]["code"] == "10*9/L"
    assert wbc["referenceRange"] == [{"low": {"value": 4.5, "unit": "10^9/L", "system": "http://unitsofmeasure.org",
                                              "code": "10*9/L"},
                                      "high": {"value": 11, "unit": "10^9/L", "system": "http://unitsofmeasure.org",
                                               "code": "10*9/L"}}]
    assert by_text["Triglyceride"]["code"]["coding"][0]["code"] == "14927-8"  # the molar code for mmol/L
    assert by_text["Temperature"]["valueQuantity"]["code"] == "Cel"
    assert by_text["Splenomegaly"]["code"]["coding"][-1]["code"] == "16294009"
    assert by_text["Splenomegaly"]["valueQuantity"]["value"] == 4
    assert by_text["Antinuclear antibody"]["valueString"] == "1:640"
    assert by_text["CNS involvement"]["valueBoolean"] is False
    assert by_text["Direct antiglobulin test"]["valueCodeableConcept"] == {"text": "Positive"}


def test_a_case_read_from_fhir_keeps_its_dates_and_given_day0_moves_them(tmp_path):
    imported = load_fhir(US_UNITS)[0]
    _bundle, notes, back = _round_trip(imported, tmp_path)
    assert notes == []
    assert list(back.meta["timepoints"]) == ["2023-04-03", "2023-04-10", "2023-04-14", "2023-05-26"]
    bundle, notes = case_bundle(load_case(SEED), day0=date(2020, 2, 29))
    dates = {o["effectiveDateTime"] for o in _resources(bundle, "Observation")}
    assert dates == {"2020-02-29", "2020-03-07", "2020-03-11", "2020-04-22"}
    assert notes == ["clinical event 'Discharge' (day 11) has no FHIR resource here: left out"]


def test_censored_values_are_written_with_their_comparator(tmp_path):
    case = load_case(SEED)
    rows = case.observations
    at = rows.index[(rows["analyte"] == "ferritin") & (rows["timepoint"] == "Admission")][0]
    rows.loc[at, "qualifier"] = ">"
    _bundle, _notes, back = _round_trip(case, tmp_path)
    ferritin = back.observations.query("analyte == 'ferritin'").iloc[0]
    assert (ferritin["value"], ferritin["qualifier"]) == (9560, ">")


def test_a_timepoint_without_a_day_cannot_be_dated(tmp_path):
    case = load_case(SEED)
    case.observations["day"] = case.observations["day"].where(case.observations["timepoint"] != "After DEX")
    with pytest.raises(ValueError, match="timepoint 'After DEX' has no whole day"):
        case_bundle(case)


def test_casetrack_export_writes_either_format_from_a_path_or_the_store(tmp_path, capsys):
    from dashboard.cli import main
    from dashboard.ingest.store import CaseStore

    store = tmp_path / "store"
    CaseStore(store).save(load_case(SEED))
    out = tmp_path / "seed.fhir.json"
    assert main(["export", "seed-sle-mas", "--store", str(store), "--format", "fhir", "--out", str(out)]) == 0
    assert load_fhir(out)[0].meta["patient"] == {"sex": "F", "age": 33}
    assert main(["export", str(SEED), "--format", "phenopacket", "--day0", "2021-05-01"]) == 0
    printed = capsys.readouterr()
    assert json.loads(printed.out)["subject"]["id"] == "seed-sle-mas"
    assert "note: clinical event 'Discharge' is not a medical action: left out" in printed.err
    assert main(["export", "no-such-case", "--store", str(store), "--format", "fhir"]) == 1
    assert "no case 'no-such-case'" in capsys.readouterr().err
