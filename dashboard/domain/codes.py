"""Codes of the clinical data standards casetrack reads and writes: LOINC, SNOMED CT, HPO, UCUM.

The FHIR reader, the FHIR export and the Phenopacket export all translate between catalogue ids and
these codes; keeping the tables here means one definition of each mapping. LOINC codes live in the
analyte catalogue (`loinc`: the code for the catalogue's canonical unit, used on export; `loinc_alt`:
other codes of the same quantity, e.g. mass and molar variants, read only). The unit of a reading is
taken from the reading itself, never from its code, so a molar code with a mass unit still converts right.
"""

from __future__ import annotations

from functools import cache

from dashboard.domain.analytes import catalogue

LOINC_SYSTEM = "http://loinc.org"
SNOMED_SYSTEM = "http://snomed.info/sct"
UCUM_SYSTEM = "http://unitsofmeasure.org"
AGE_LOINC = "30525-0"  # Age: how a FHIR export carries the patient's age, which a Patient resource cannot hold

# Codes that name a catalogue analyte on a scale casetrack does not convert: read as unmapped, with the reason.
REFUSED_LOINC: dict[str, str] = {
    "48066-5": "D-dimer in D-dimer units (DDU, LOINC 48066-5): DDU are about half of the fibrinogen-equivalent "
               "units (FEU) of the catalogue, by an assay-specific factor, so the value is not converted",
}

# Findings coded as FHIR Conditions (SNOMED CT concept id, display).
FINDING_SNOMED: dict[str, tuple[str, str]] = {
    "hepatomegaly": ("80515008", "Hepatomegaly"),
    "splenomegaly": ("16294009", "Splenomegaly"),
}

# Findings as Human Phenotype Ontology terms (Phenopacket phenotypic features). Findings without a term
# that says the same thing (known immunosuppression, NK-cell activity) are left out of the export, with a note.
FINDING_HPO: dict[str, tuple[str, str]] = {
    "hepatomegaly": ("HP:0002240", "Hepatomegaly"),
    "splenomegaly": ("HP:0001744", "Splenomegaly"),
    "hemophagocytosis": ("HP:0012156", "Hemophagocytosis"),
    "hemorrhage": ("HP:0001892", "Abnormal bleeding"),
    "cns_involvement": ("HP:0000707", "Abnormality of the nervous system"),
    "arthritis": ("HP:0001369", "Arthritis"),
}

# casetrack's unit spelling -> UCUM code, where they differ (the others are spelled alike: g/L, mg/dL, U/L, %).
_UCUM = {
    "10^9/L": "10*9/L", "10^3/µL": "10*3/uL", "10^6/µL": "10*6/uL", "10^12/L": "10*12/L", "/µL": "/uL",
    "µg/L": "ug/L", "µg": "ug", "µmol/L": "umol/L", "µg/mL": "ug/mL", "°C": "Cel", "°F": "[degF]", "titer": "{titer}",
    "ratio": "{ratio}", "g/day": "g/d", "mg/day": "mg/d", "L/L": "L/L",
}
_FROM_UCUM = {**{ucum: unit for unit, ucum in _UCUM.items()}, "[IU]/L": "U/L", "[iU]/L": "U/L",
              "[IU]/mL": "U/mL", "[iU]/mL": "U/mL", "{ratio}": "ratio", "1": "ratio", "g/(24.h)": "g/day",
              "mg/(24.h)": "mg/day"}


def to_ucum(unit: str | None) -> str | None:
    """The UCUM code of a casetrack unit (`10^9/L` -> `10*9/L`, `°C` -> `Cel`)."""
    return None if unit is None else _UCUM.get(unit, unit)


def from_ucum(code: str | None) -> str | None:
    """A UCUM code as casetrack spells it (`[degF]` -> `°F`); codes spelled alike pass through."""
    if code is None:
        return None
    return _FROM_UCUM.get(code, code)


@cache
def _loinc_index() -> dict[str, str]:
    """LOINC code -> analyte id, from the catalogue's `loinc` and `loinc_alt` columns."""
    index: dict[str, str] = {}
    for analyte in catalogue():
        for code in (analyte.loinc, *analyte.loinc_alt):
            if code:
                index[code] = analyte.id
    return index


def analyte_by_loinc(code: str) -> str | None:
    """Catalogue id of a LOINC code (any of its mass/molar/method variants), else None."""
    return _loinc_index().get(code.strip())


def loinc_codes() -> dict[str, str]:
    """Every LOINC code the catalogue knows, code -> analyte id."""
    return dict(_loinc_index())


def export_loinc(analyte_id: str) -> str | None:
    """The LOINC code a value in the analyte's canonical unit is written with."""
    return next((a.loinc for a in catalogue() if a.id == analyte_id), None)
