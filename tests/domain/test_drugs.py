"""The drug catalogue: classes, spelling-insensitive matching, prednisolone equivalents and daily doses."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.domain.drugs import (
    DRUG_CLASSES,
    TREATMENT_CLASSES,
    catalogue,
    classify_events,
    dose_mg_per_day,
    drug,
    drug_class,
    find_class,
    match_drug,
    name_tokens,
    prednisolone_equivalent,
)
from dashboard.domain.schema import event_frame

# Liu D et al. 2013, Table 1: each of these doses is worth 5 mg prednisolone.
EQUAL_TO_5_MG_PREDNISOLONE = {
    "prednisolone": 5.0, "prednisone": 5.0, "methylprednisolone": 4.0, "triamcinolone": 4.0,
    "hydrocortisone": 20.0, "dexamethasone": 0.75, "betamethasone": 0.6,
}


def test_every_drug_has_a_known_class_and_every_class_but_other_has_a_drug():
    classes = {d.drug_class for d in catalogue()}
    assert classes <= set(DRUG_CLASSES)
    assert set(DRUG_CLASSES) - classes == set()
    assert "antimicrobial" not in TREATMENT_CLASSES and "other" not in TREATMENT_CLASSES
    assert len(TREATMENT_CLASSES) == 9


def test_no_spelling_names_two_drugs():
    seen: dict[str, str] = {}
    for d in catalogue():
        for label in d.labels:
            key = "".join(name_tokens(label))
            assert seen.setdefault(key, d.id) == d.id, f"{label!r} names {seen[key]} and {d.id}"


def test_only_glucocorticoids_carry_a_factor_and_each_cites_its_source():
    for d in catalogue():
        if d.drug_class == "glucocorticoid":
            assert d.pred_equiv is not None and d.pred_equiv > 0 and "Liu" in d.equiv_source, d.id
        else:
            assert d.pred_equiv is None, d.id


@pytest.mark.parametrize(("drug_id", "mg"), sorted(EQUAL_TO_5_MG_PREDNISOLONE.items()))
def test_each_glucocorticoid_dose_of_the_table_is_5_mg_prednisolone(drug_id, mg):
    got = prednisolone_equivalent(drug(drug_id).name, mg, "mg/day")
    assert got == pytest.approx(5.0, abs=0.005)


def test_the_factors_are_the_issues():
    factors = {d.id: d.pred_equiv for d in catalogue() if d.pred_equiv is not None}
    assert factors["methylprednisolone"] == 1.25 and factors["dexamethasone"] == 6.67
    assert factors["hydrocortisone"] == 0.25 and factors["betamethasone"] == 8.33
    assert factors["prednisone"] == factors["prednisolone"] == 1


def test_dexamethasone_sodium_phosphate_is_taken_as_the_phosphate_salt():
    # 4 mg dexamethasone phosphate = 3.3 mg base = 3.3 x 6.67 = 22.0 mg prednisolone
    assert prednisolone_equivalent("Dexamethasone sodium phosphate", 4, "mg/day") == pytest.approx(22.0, abs=0.02)
    assert prednisolone_equivalent("Dexamethasone", 4, "mg/day") == pytest.approx(26.68)
    assert "phosphate salt" in drug("dexamethasone_sodium_phosphate").notes


@pytest.mark.parametrize(("name", "drug_id"), [
    ("Methylprednisolone pulse", "methylprednisolone"),
    ("methyl-prednisolone", "methylprednisolone"),
    ("SOLU-MEDROL", "methylprednisolone"),
    ("Solu-Médrol 1 g", "methylprednisolone"),
    ("mPSL", "methylprednisolone"),
    ("Prednisone taper", "prednisone"),
    ("Dexamethasone sodium phosphate", "dexamethasone_sodium_phosphate"),
    ("IV dexamethasone", "dexamethasone"),
    ("ciclosporin", "cyclosporine"),
    ("Cyclosporin A", "cyclosporine"),
    ("i.v. immunoglobulin (IVIg)", "ivig"),
    ("Kineret", "anakinra"),
    ("anti-IFN-γ", "emapalumab"),
    ("Piperacillin/tazobactam", "piperacillin_tazobactam"),
])
def test_names_match_whatever_their_case_spelling_or_extra_words(name, drug_id):
    assert match_drug(name).id == drug_id


@pytest.mark.parametrize("name", ["6-MP", "Bone-marrow biopsy", "Zzzumab", "", None])
def test_unknown_names_match_nothing_and_are_class_other(name):
    assert match_drug(name) is None
    assert drug_class(name) == "other"


def test_classify_events_keeps_every_event_and_unmatched_ones_are_other():
    events = event_frame([
        {"case_id": "a", "kind": "medication", "name": "Ceftriaxone", "start_day": 0, "dose": 2, "dose_unit": "g/day"},
        {"case_id": "a", "kind": "medication", "name": "Zzzumab", "start_day": 1},
        {"case_id": "a", "kind": "medication", "name": "Methylprednisolone", "start_day": 2, "dose": 1,
         "dose_unit": "g/day"},
        {"case_id": "a", "kind": "clinical", "name": "Discharge", "start_day": 9},
    ])
    out = classify_events(events)
    assert len(out) == 4 and events.columns.tolist() == out.columns.tolist()[:len(events.columns)]
    assert out["drug_class"].tolist()[:3] == ["antimicrobial", "other", "glucocorticoid"]
    assert out["drug_class"].isna().tolist() == [False, False, False, True]
    assert out["pred_eq_mg_day"].tolist()[:3] == [pd.NA, pd.NA, 1250.0]
    assert "drug_class" not in events  # the caller's frame is not touched


@pytest.mark.parametrize(("dose", "unit", "weight", "mg"), [
    (1, "g/day", None, 1000.0),
    (60, "mg/day", None, 60.0),
    (60, "mg / d", None, 60.0),
    (60, "mg daily", None, 60.0),
    (500, "µg/day", None, 0.5),
    (500, "μg/day", None, 0.5),
    (2, "mg/kg/day", 80.0, 160.0),
    (2, "mg/kg/day", None, None),  # no weight: unknown, not 0
    (2, "g/kg total", 80.0, None),
    (10, "mg/m2/day", 80.0, None),
    (10, "mg", None, None),  # a bare mg is not a daily dose
    (float("nan"), "mg/day", None, None),
])
def test_daily_doses_convert_only_when_unambiguous(dose, unit, weight, mg):
    got = dose_mg_per_day(dose, unit, weight)
    assert got == mg if mg is None else math.isclose(got, mg)


@pytest.mark.parametrize(("text", "cls"), [
    ("glucocorticoid", "glucocorticoid"), ("Glucocorticoids", "glucocorticoid"), ("steroids", "glucocorticoid"),
    ("IL-1 blockade", "IL-1 blockade"), ("il1 blockade", "IL-1 blockade"), ("calcineurin", "calcineurin inhibitor"),
    ("IFN-gamma blockade", "IFN-γ blockade"), ("antibiotics", "antimicrobial"), ("IL", None), ("anakinra", None),
])
def test_classes_are_found_by_name_plural_alias_or_unique_prefix(text, cls):
    assert find_class(text) == cls
