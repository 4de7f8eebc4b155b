"""Invariants over the whole analyte catalogue, and recognition of the labels case reports use."""

from __future__ import annotations

import re

import pytest

from dashboard.domain.analytes import KINDS, analyte, catalogue, label_key, match_analyte
from dashboard.domain.units import is_unit, normalise_unit

REQUIRED_IDS = (
    "wbc", "lymphocytes", "neutrophils", "hemoglobin", "hematocrit", "platelets", "reticulocytes",
    "sodium", "potassium", "creatinine", "alt", "ast", "triglycerides", "ldh", "haptoglobin", "albumin",
    "ferritin", "fibrinogen", "d_dimer", "aptt", "pt", "crp", "esr", "urine_protein_24h", "dat", "iat",
    "c3", "c4", "anti_dsdna", "ana", "anticardiolipin", "lupus_anticoagulant", "scd25", "nk_activity",
    "temperature", "hepatomegaly", "splenomegaly", "immunosuppression", "hemophagocytosis", "hemorrhage",
    "cns_involvement", "arthritis",
)  # the ids issue 2 lists
# Laboratory analytes without one LOINC code: the code depends on the assay (documented in the csv notes).
NO_SINGLE_LOINC = {"anti_dsdna", "anticardiolipin", "lupus_anticoagulant", "scd25", "nk_activity"}
# Canonical units that the scores rely on (issue 2).
CANONICAL = {"wbc": "10^9/L", "platelets": "10^9/L", "neutrophils": "10^9/L", "lymphocytes": "10^9/L",
             "hemoglobin": "g/L", "ferritin": "ng/mL", "triglycerides": "mmol/L", "fibrinogen": "g/L",
             "ast": "U/L", "alt": "U/L", "ldh": "U/L", "crp": "mg/dL", "creatinine": "mg/dL",
             "temperature": "°C", "scd25": "U/mL", "d_dimer": "µg/L", "hepatomegaly": "cm",
             "splenomegaly": "cm", "esr": "mm/h"}


def test_every_required_id_is_in_the_catalogue():
    ids = [a.id for a in catalogue()]
    assert sorted(set(REQUIRED_IDS) - set(ids)) == []
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("analyte_id,unit", sorted(CANONICAL.items()))
def test_canonical_units(analyte_id, unit):
    assert analyte(analyte_id).unit == unit


@pytest.mark.parametrize("record", catalogue(), ids=lambda a: a.id)
def test_record_invariants(record):
    assert record.kind in KINDS
    assert record.name
    if record.kind in ("numeric", "titer"):
        assert record.unit, f"{record.id} needs a canonical unit"
    if record.unit:
        assert normalise_unit(record.unit) == record.unit
        assert is_unit(record.unit)
    if record.kind != "finding" and record.id not in NO_SINGLE_LOINC:
        assert record.loinc and re.fullmatch(r"\d{1,6}-\d", record.loinc), record.id
    if record.ref_low is not None and record.ref_high is not None:
        assert record.ref_low < record.ref_high


def test_synonyms_are_unique_across_the_catalogue():
    owners: dict[str, str] = {}
    for record in catalogue():
        for label in record.labels:
            key = label_key(label)
            assert owners.setdefault(key, record.id) == record.id, f"{label!r} names {owners[key]} and {record.id}"


SEED_LABELS = {
    "White blood cell count": "wbc", "Lymphocyte": "lymphocytes", "Hemoglobin": "hemoglobin",
    "Hematocrit": "hematocrit", "Platelets": "platelets", "Reticulocyte count": "reticulocytes",
    "Na": "sodium", "K": "potassium", "Creatinine": "creatinine", "ALT": "alt", "AST": "ast",
    "Triglyceride": "triglycerides", "LDH": "ldh", "Haptoglobin": "haptoglobin", "Albumin": "albumin",
    "Ferritin": "ferritin", "Fibrinogen": "fibrinogen", "d-dimer": "d_dimer", "d\u2011dimer": "d_dimer",
    "aPTT": "aptt", "PT": "pt", "CRP": "crp", "ESR": "esr", "24-hour urine protein": "urine_protein_24h",
    "Direct antiglobulin test": "dat", "Indirect antiglobulin test": "iat", "C3": "c3", "C4": "c4",
    "Anti-dsDNA antibody": "anti_dsdna", "Antinuclear antibody": "ana",
    "Anticardiolipin antibody": "anticardiolipin", "Lupus anticoagulant": "lupus_anticoagulant",
    "Temperature": "temperature", "Hepatomegaly": "hepatomegaly", "Splenomegaly": "splenomegaly",
    "Known immunosuppression": "immunosuppression", "Hemophagocytosis (bone marrow)": "hemophagocytosis",
    "CNS involvement": "cns_involvement", "Hemorrhagic manifestations": "hemorrhage",
    "Active arthritis": "arthritis", "NK-cell activity": "nk_activity", "Soluble CD25": "scd25",
}
SYNONYMS = {
    "WBC": "wbc", "leukocytes": "wbc", "Leucocytes": "wbc", "white  blood-cell count": "wbc", "Hb": "hemoglobin",
    "haemoglobin": "hemoglobin", "PLT": "platelets", "TG": "triglycerides", "triglyceride": "triglycerides",
    "SGOT": "ast", "S.G.O.T.": "ast", "LD": "ldh", "ld": "ldh", "SGPT": "alt", "sIL-2R": "scd25",
    "Ferritin (serum)": "ferritin", "ANC": "neutrophils",
}


@pytest.mark.parametrize("label,expected", sorted({**SEED_LABELS, **SYNONYMS}.items()))
def test_match_analyte(label, expected):
    assert match_analyte(label) == expected


@pytest.mark.parametrize("label", ["", "   ", "Zinc protoporphyrin", "Favourite colour"])
def test_unknown_labels_are_not_matched(label):
    assert match_analyte(label) is None


def test_unknown_id_names_it():
    with pytest.raises(KeyError, match="nope"):
        analyte("nope")


@pytest.mark.parametrize("record", [a for a in catalogue() if a.kind == "numeric"], ids=lambda a: a.id)
def test_every_numeric_analyte_has_a_plausible_range_around_its_reference_range(record):
    """Plausible limits (canonical unit) hold the default reference range; other units convert (or are
    kept, never converted); a unit the catalogue names for inference differs from the canonical by a factor."""
    import numpy as np

    from dashboard.domain.units import UnitError, convert

    assert record.plausible_low is not None and record.plausible_high is not None, record.id
    assert record.plausible_low < record.plausible_high
    for limit in (record.ref_low, record.ref_high):
        if limit is not None:
            assert record.plausible_low <= limit <= record.plausible_high, (record.id, limit)
    for unit in record.common_units:
        assert normalise_unit(unit) == unit
        one = convert(np.array([1.0, 2.0]), unit, record.unit, record.molar_mass)
        assert not np.allclose(one, [1.0, 2.0]), (record.id, unit)
    for unit in record.kept_units:
        assert is_unit(unit)
        with pytest.raises(UnitError):
            convert(np.array([1.0]), unit, record.unit, record.molar_mass)


def test_an_abbreviation_of_two_antibodies_maps_to_neither():
    """`ACA` is anticardiolipin in some reports and anti-centromere in others: a label is matched only when
    it names one analyte, so `ACA` stays unmapped (kept, not scored) while `aCL` is anticardiolipin."""
    assert match_analyte("ACA") is None
    assert match_analyte("aCL") == "anticardiolipin"
