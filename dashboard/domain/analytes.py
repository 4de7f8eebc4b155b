"""The analyte catalogue: canonical ids, units and reference ranges, kept as data in domain/data/analytes.csv.

Labels in case files vary ("WBC", "Leukocytes", "White blood cell count"); every consumer works on the
catalogue id instead, so recognition happens once, here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from dashboard.domain import registry
from dashboard.domain.registry import fold_accents, optional_float, pipe_list

KINDS = ("numeric", "finding", "titer", "qualitative")


@dataclass(frozen=True)
class Analyte:
    id: str
    name: str
    synonyms: tuple[str, ...]
    loinc: str | None
    unit: str | None          # canonical unit; None for unitless findings and qualitative tests
    ref_low: float | None     # default adult reference range in the canonical unit
    ref_high: float | None
    kind: str                 # numeric | finding | titer | qualitative
    molar_mass: float | None  # g/mol, for mass <-> substance conversions (triglycerides, creatinine)
    notes: str = ""
    plausible_low: float | None = None   # physiological limits in the canonical unit: a value outside
    plausible_high: float | None = None  # them is a unit problem or a typo, never a result
    common_units: tuple[str, ...] = ()   # other units tables use, tried when a value without unit is implausible
    kept_units: tuple[str, ...] = ()     # units read as stated and never converted (sCD25 in pg/mL)
    bases: tuple[str, ...] = ()          # bases a unit may carry (D-dimer FEU/DDU), never interchanged
    loinc_alt: tuple[str, ...] = ()      # other LOINC codes of the same quantity (mass/molar variants), read only

    @property
    def labels(self) -> tuple[str, ...]:
        """Every spelling that names this analyte: id, display name and synonyms."""
        return (self.id, self.name, *self.synonyms)


def label_key(label: str) -> str:
    """Reduce a label to letters and digits, lower case, accents removed, so 'd-dimer', 'D Dimer' and 'DDIMER'
    meet, and so do 'Hémoglobine' and 'Hemoglobine' (before, 'é' was dropped whole: 'hmoglobine')."""
    return re.sub(r"[^0-9a-z]+", "", fold_accents(label))


def _read() -> tuple[Analyte, ...]:
    return tuple(
        Analyte(
            id=row["id"],
            name=row["name"],
            synonyms=pipe_list(row["synonyms"]),
            loinc=row["loinc"] or None,
            unit=row["unit"] or None,
            ref_low=optional_float(row["ref_low"]),
            ref_high=optional_float(row["ref_high"]),
            kind=row["kind"],
            molar_mass=optional_float(row["molar_mass"]),
            notes=row["notes"],
            plausible_low=optional_float(row["plausible_low"]),
            plausible_high=optional_float(row["plausible_high"]),
            common_units=pipe_list(row["common_units"]),
            kept_units=pipe_list(row["kept_units"]),
            bases=pipe_list(row["bases"]),
            loinc_alt=pipe_list(row.get("loinc_alt")),
        )
        for row in registry.rows("analytes.csv")
    )


@cache
def catalogue() -> tuple[Analyte, ...]:
    """All analytes, in catalogue order (read once per process)."""
    return _read()


@cache
def _by_id() -> dict[str, Analyte]:
    return {a.id: a for a in catalogue()}


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def label_keys(label: str) -> frozenset[str]:
    """The keys a catalogue label is found by: its `label_key`, and for a German umlaut the spelling without
    it too (`Hämatokrit` is typed `Hamatokrit` or `Haematokrit`)."""
    return frozenset({label_key(label), label_key(label.translate(_UMLAUTS))})


@cache
def _by_key() -> dict[str, str]:
    keys: dict[str, str] = {}
    for a in catalogue():
        for label in a.labels:
            for key in label_keys(label):
                keys.setdefault(key, a.id)
    return keys


def analyte(analyte_id: str) -> Analyte:
    """The catalogue record for an id; KeyError names the unknown id."""
    try:
        return _by_id()[analyte_id]
    except KeyError:
        raise KeyError(f"unknown analyte id {analyte_id!r}") from None


def match_analyte(label: str) -> str | None:
    """Catalogue id for a label as written, or None when it is not recognised.

    Matching ignores case, spaces and punctuation. A trailing parenthetical that is not part of a known
    label ("Ferritin (serum)") is tried away too, so a qualifier does not hide a known analyte.
    """
    if not isinstance(label, str) or not label.strip():
        return None
    return _match(label)


@lru_cache(maxsize=4096)
def _match(label: str) -> str | None:
    """`match_analyte` of a non-empty label, cached: labels repeat across a case's rows and across cases."""
    keys = _by_key()
    found = keys.get(label_key(label))
    if found is None:
        stripped = re.sub(r"\s*\([^()]*\)\s*$", "", label)
        if stripped != label:
            found = keys.get(label_key(stripped))
    return found
