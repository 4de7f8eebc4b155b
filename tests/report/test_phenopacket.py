"""Phenopacket v2 export of the seed, checked against the `phenopackets` package's schema and by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from google.protobuf import json_format
from phenopackets.schema.v2.phenopackets_pb2 import Phenopacket

from dashboard.ingest.bundle import load_case
from dashboard.report.phenopacket import case_phenopacket, check_phenopacket

SEED = Path(__file__).resolve().parents[2] / "data" / "cases" / "seed-sle-mas"
CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def exported():
    return case_phenopacket(load_case(SEED), created=CREATED)


def test_the_export_parses_into_the_phenopacket_message_and_meets_its_requirements(exported):
    document, _notes = exported
    message = json_format.Parse(json.dumps(document), Phenopacket())
    assert message.id == "seed-sle-mas" and message.subject.sex == 1  # FEMALE
    assert message.meta_data.phenopacket_schema_version == "2.0"
    assert check_phenopacket(document) == []


def test_measurements_have_time_value_unit_and_reference_range(exported):
    measurements = exported[0]["measurements"]
    wbc = next(m for m in measurements if m["description"] == "White blood cell count at Admission (day 0)")
    assert wbc["assay"] == {"id": "LOINC:6690-2", "label": "White blood cell count"}
    assert wbc["timeObserved"] == {"timestamp": "1970-01-01T00:00:00Z"}
    unit = {"id": "UCUM:10*9/L", "label": "10^9/L"}
    assert wbc["value"] == {"quantity": {"unit": unit, "value": 0.72,
                                         "referenceRange": {"unit": unit, "low": 4.5, "high": 11.0}}}
    ferritin = next(m for m in measurements if m["description"] == "Ferritin at After DEX (day 11)")
    assert ferritin["timeObserved"] == {"timestamp": "1970-01-12T00:00:00Z"}
    assert ferritin["value"]["quantity"]["value"] == 550
    d_dimer = next(m for m in measurements if m["description"] == "d-dimer at Admission (day 0)")
    assert d_dimer["value"]["quantity"]["referenceRange"] == {"unit": {"id": "UCUM:ug/L", "label": "µg/L"},
                                                              "low": 0.0, "high": 250.0}  # "< 250"
    dat = next(m for m in measurements if m["assay"]["id"] == "LOINC:1007-4")
    assert dat["value"] == {"ontologyClass": {"id": "NCIT:C38758", "label": "Positive Finding"}}
    # hand count of labs.csv: admission 31 labs + temperature, less anti-dsDNA, anticardiolipin and lupus
    # anticoagulant (no single LOINC code) = 29; After mPSL 20; After DEX and 6 weeks 20 + urine protein each
    assert len(measurements) == 29 + 20 + 21 + 21


def test_treatments_are_medical_actions_with_dose_intervals(exported):
    actions = exported[0]["medicalActions"]
    mpsl = actions[0]["treatment"]
    assert mpsl["agent"] == {"id": "casetrack:methylprednisolone-pulse", "label": "Methylprednisolone pulse"}
    assert mpsl["routeOfAdministration"] == {"id": "NCIT:C38276", "label": "Intravenous Route of Administration"}
    assert mpsl["doseIntervals"] == [{"quantity": {"unit": {"id": "UCUM:g", "label": "g"}, "value": 1.0},
                                      "scheduleFrequency": {"id": "NCIT:C25473", "label": "Daily"},
                                      "interval": {"start": "1970-01-01T00:00:00Z", "end": "1970-01-04T00:00:00Z"}}]
    assert {"procedure": {"code": {"id": "casetrack:bone-marrow-biopsy", "label": "Bone-marrow biopsy"},
                          "performed": {"timestamp": "1970-01-08T00:00:00Z"}}} in actions
    assert len(actions) == 7  # 6 medications and 1 procedure; the discharge is not a medical action
    assert any("Discharge" in note for note in exported[1])


def test_findings_are_phenotypic_features_absence_excluded_unknown_left_out(exported):
    features = {f["type"]["label"]: f for f in exported[0]["phenotypicFeatures"]}
    assert features["Splenomegaly"] == {"type": {"id": "HP:0001744", "label": "Splenomegaly"},
                                        "description": "Admission: 4 cm",
                                        "onset": {"timestamp": "1970-01-01T00:00:00Z"}}
    assert features["Abnormality of the nervous system"]["excluded"] is True  # CNS involvement "No"
    assert features["Hemophagocytosis"]["onset"] == {"timestamp": "1970-01-08T00:00:00Z"}
    # hemorrhage and arthritis are never reported in the seed: unknown, so no feature at all
    assert sorted(features) == ["Abnormality of the nervous system", "Hemophagocytosis", "Hepatomegaly",
                                "Splenomegaly"]


def test_a_finding_that_resolves_gets_a_resolution():
    case = load_case(SEED)
    rows = case.observations
    at = rows.index[(rows["analyte"] == "splenomegaly") & (rows["timepoint"] == "After mPSL")]
    assert len(at) == 0  # unknown in the seed: add a documented absence at After mPSL
    extra = rows[(rows["analyte"] == "splenomegaly")].copy()
    extra[["timepoint", "tp_order", "day", "value", "result", "orig_text"]] = ["After mPSL", 1, 7.0, 0.0,
                                                                                "negative", "No"]
    case.observations = pd.concat([rows, extra], ignore_index=True)
    features = {f["type"]["label"]: f for f in case_phenopacket(case, created=CREATED)[0]["phenotypicFeatures"]}
    assert features["Splenomegaly"]["resolution"] == {"timestamp": "1970-01-08T00:00:00Z"}


def test_the_source_is_the_external_reference_with_its_pmid(exported):
    assert exported[0]["metaData"]["externalReferences"] == [
        {"id": "", "description": load_case(SEED).meta["source"]}]
    case = load_case(SEED)
    case.meta["source"] = "Doe J. MAS in SLE. J Rheum 2020;1:2. PMID: 31234567"
    document, _ = case_phenopacket(case, created=CREATED)
    assert document["metaData"]["externalReferences"] == [{"id": "PMID:31234567",
                                                           "description": case.meta["source"]}]


def test_day0_placeholder_is_said_in_the_file_and_a_given_day0_is_used():
    document, _ = case_phenopacket(load_case(SEED), created=CREATED)
    assert "1970-01-01" in document["metaData"]["updates"][0]["comment"]
    dated, notes = case_phenopacket(load_case(SEED), day0=date(2021, 5, 1), created=CREATED)
    assert "updates" not in dated["metaData"]
    assert dated["measurements"][0]["timeObserved"] == {"timestamp": "2021-05-01T00:00:00Z"}
    assert not any("1970" in note for note in notes)


def test_censored_values_are_left_out_with_a_note():
    case = load_case(SEED)
    rows = case.observations
    rows.loc[(rows["analyte"] == "ferritin") & (rows["timepoint"] == "Admission"), ["qualifier", "orig_text"]] = [
        ">", ">9560"]
    document, notes = case_phenopacket(case, created=CREATED)
    assert not any(m["description"] == "Ferritin at Admission (day 0)" for m in document["measurements"])
    assert "'Ferritin' at 'Admission' is censored (>9560): a Phenopacket quantity has no comparator, left out" \
        in notes


@pytest.mark.parametrize("change,problem", [
    (lambda d: d.update(colour="blue"), "does not fit the Phenopacket v2 schema"),
    (lambda d: d["metaData"].pop("createdBy"), "metaData.createdBy is required"),
    (lambda d: d["phenotypicFeatures"][0]["type"].update(id="XYZ:1"), "prefix XYZ is not among metaData.resources"),
])
def test_the_checker_finds_what_is_wrong(exported, change, problem):
    document = json.loads(json.dumps(exported[0]))
    change(document)
    assert any(problem in p for p in check_phenopacket(document))


def test_the_docs_list_every_hpo_term_and_route_the_export_uses():
    from dashboard.domain.codes import FINDING_HPO
    from dashboard.report.phenopacket import DAILY, FINDING_RESULT, ROUTES

    text = (SEED.parents[2] / "docs" / "case-format.md").read_text(encoding="utf-8")
    for curie, _label in FINDING_HPO.values():
        assert f"`{curie}`" in text
    for curie, _label in [*ROUTES.values(), DAILY, *FINDING_RESULT.values()]:
        assert f"`{curie.removeprefix('NCIT:')}`" in text
