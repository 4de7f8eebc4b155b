"""The drug catalogue: names, brands, treatment class and prednisolone equivalence, kept as data.

Event names in case files vary ("mPSL pulse", "Solu-Medrol 1 g", "Dexamethasone sodium phosphate");
response metrics need to know which event is an MAS/HLH treatment, and the medication lane draws every
glucocorticoid on one prednisolone-equivalent scale, so recognition happens once, here, from
domain/data/drugs.csv. A name the catalogue does not know keeps class "other": it is shown, never dropped.

Glucocorticoid equivalence (anti-inflammatory potency, oral/IV; Liu D et al., Allergy Asthma Clin
Immunol 2013;9:30, Table 1): 5 mg prednisolone = 5 mg prednisone = 4 mg methylprednisolone = 4 mg
triamcinolone = 20 mg hydrocortisone = 0.75 mg dexamethasone = 0.6 mg betamethasone.
Dexamethasone sodium phosphate: a dose is taken as written for the phosphate salt (4 mg phosphate =
3.3 mg base, so factor 6.67 x 3.3 / 4 = 5.5); a dose written as the base would be 6.67 (21 % more).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import pandas as pd

from dashboard.domain import registry
from dashboard.domain.registry import fold_accents, optional_float, pipe_list

# The classes of issue 12, in the order a clinician lists them; "other" is every unmatched name too.
DRUG_CLASSES: tuple[str, ...] = (
    "glucocorticoid", "IVIG", "calcineurin inhibitor", "IL-1 blockade", "IL-6 blockade", "JAK inhibitor",
    "etoposide", "IFN-γ blockade", "plasma exchange", "antimicrobial", "other",
)
# Classes that start MAS/HLH treatment, and so can anchor response metrics (not antimicrobials, not "other").
TREATMENT_CLASSES: tuple[str, ...] = tuple(c for c in DRUG_CLASSES if c not in ("antimicrobial", "other"))
GLUCOCORTICOID = "glucocorticoid"
OTHER = "other"

# dose unit -> factor to mg/day; "/kg" units need the patient's weight. A bare "mg" is not a daily dose.
_MASS_MG = {"mg": 1.0, "g": 1000.0, "mcg": 0.001, "ug": 0.001}
# per day also as French (j, jour), German (Tag), Spanish/Portuguese (día, dia), Italian (giorno), Dutch (dag)
_DOSE_UNIT = re.compile(r"^\s*(mg|g|mcg|ug)\s*(/\s*kg)?\s*(/\s*(?:day|d|24\s*h|j|jour|tag|día|dia|giorno|dag)|\s+daily)\s*$",
                        re.IGNORECASE)


@dataclass(frozen=True)
class Drug:
    id: str
    name: str
    synonyms: tuple[str, ...]
    drug_class: str
    pred_equiv: float | None  # mg prednisolone per mg of this drug (glucocorticoids only)
    equiv_source: str
    notes: str = ""

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.id, self.name, *self.synonyms)


def name_tokens(text: str) -> tuple[str, ...]:
    """Lower-case letters-and-digits words, accents removed: 'Solu-Médrol 1 g' -> ('solu', 'medrol', '1', 'g')."""
    folded = fold_accents(text).replace("γ", "gamma")
    return tuple(re.findall(r"[0-9a-z]+", folded))


def _read() -> tuple[Drug, ...]:
    return tuple(
        Drug(
            id=row["id"],
            name=row["name"],
            synonyms=pipe_list(row["synonyms"]),
            drug_class=row["class"],
            pred_equiv=optional_float(row["pred_equiv"]),
            equiv_source=row["equiv_source"],
            notes=row["notes"],
        )
        for row in registry.rows("drugs.csv")
    )


@cache
def catalogue() -> tuple[Drug, ...]:
    """All drugs, in catalogue order (read once per process)."""
    return _read()


@cache
def _by_key() -> dict[str, str]:
    keys: dict[str, str] = {}
    for drug in catalogue():
        for label in drug.labels:
            keys.setdefault("".join(name_tokens(label)), drug.id)
    return keys


@cache
def _by_id() -> dict[str, Drug]:
    return {d.id: d for d in catalogue()}


def drug(drug_id: str) -> Drug:
    """The catalogue record of an id; KeyError names the unknown id."""
    try:
        return _by_id()[drug_id]
    except KeyError:
        raise KeyError(f"unknown drug id {drug_id!r}") from None


def match_drug(name: object) -> Drug | None:
    """The catalogue drug an event name refers to, or None.

    Case, spaces, hyphens and accents do not matter ("Methyl-prednisolone", "SOLU-MEDROL"). The name may
    carry more words ("Methylprednisolone pulse", "IV dexamethasone 10 mg"): the longest run of words
    that spells a catalogue name or synonym wins, so "Dexamethasone sodium phosphate" is the salt, not
    plain dexamethasone. Words only match whole ("6-MP" is not "MP").
    """
    if not isinstance(name, str) or not name.strip():
        return None
    found = _match(name)
    return None if found is None else _by_id()[found]


@lru_cache(maxsize=4096)
def _match(name: str) -> str | None:
    tokens, keys = name_tokens(name), _by_key()
    best: tuple[int, str] | None = None
    for start in range(len(tokens)):
        for stop in range(start + 1, len(tokens) + 1):
            key = "".join(tokens[start:stop])
            if key in keys and (best is None or len(key) > best[0]):
                best = (len(key), keys[key])
    return None if best is None else best[1]


def drug_class(name: object) -> str:
    """Class of an event name; "other" when the catalogue does not know it."""
    found = match_drug(name)
    return OTHER if found is None else found.drug_class


def class_key(text: str) -> str:
    """A class name reduced for matching ("il1 blockade", "IL-1 Blockade" meet)."""
    return "".join(name_tokens(text))


# Everyday words for a class, besides the class names themselves and their prefixes ("calcineurin").
CLASS_ALIASES: dict[str, str] = {
    "steroid": GLUCOCORTICOID, "corticosteroid": GLUCOCORTICOID, "antibiotic": "antimicrobial",
    "ivig": "IVIG", "pex": "plasma exchange",
}


def find_class(text: str) -> str | None:
    """The class a user names ("glucocorticoids", "IL-1 blockade", "calcineurin", "steroid"), or None.

    A plural -s is forgiven; a prefix names a class only when it names exactly one.
    """
    wanted = class_key(text)
    for key in (wanted, wanted.removesuffix("s")):
        for cls in DRUG_CLASSES:
            if class_key(cls) == key:
                return cls
        if key in CLASS_ALIASES:
            return CLASS_ALIASES[key]
    prefixed = [cls for cls in DRUG_CLASSES if len(wanted) >= 3 and class_key(cls).startswith(wanted)]
    return prefixed[0] if len(prefixed) == 1 else None


def dose_mg_per_day(dose: float | None, unit: object, weight_kg: float | None = None) -> float | None:
    """A daily dose in mg, from mg/day, g/day, µg/day or their /kg forms (with the weight); else None.

    None means "not a daily mass dose we can convert" (a bare "mg", "g/kg total", mg/m²): unknown, not 0.
    """
    if dose is None or not isinstance(unit, str) or not math.isfinite(float(dose)):
        return None
    found = _DOSE_UNIT.match(unicodedata.normalize("NFKC", unit).replace("\u03bc", "u"))  # µ and μ -> u
    if found is None:
        return None
    mass, per_kg = _MASS_MG[found.group(1).lower()], found.group(2) is not None
    if per_kg:
        if weight_kg is None or not math.isfinite(weight_kg) or weight_kg <= 0:
            return None
        return float(dose) * mass * weight_kg
    return float(dose) * mass


def prednisolone_equivalent(name: object, dose: float | None, unit: object,
                            weight_kg: float | None = None) -> float | None:
    """Prednisolone-equivalent mg/day of a glucocorticoid course; None for other drugs or unknown doses."""
    found = match_drug(name)
    if found is None or found.pred_equiv is None:
        return None
    mg = dose_mg_per_day(dose, unit, weight_kg)
    return None if mg is None else mg * found.pred_equiv


def classify_events(events: pd.DataFrame, weight_kg: float | None = None) -> pd.DataFrame:
    """A copy of the events plus drug_id, drug_class ("other" when unmatched) and pred_eq_mg_day.

    Every event is kept. Clinical events (discharge, fever) have no class and are never treatments;
    a procedure can be one (plasma exchange), a bone-marrow biopsy is "other".
    """
    out = events.copy()
    names = out["name"].astype("string").fillna("")
    unique = pd.unique(names)
    found = {name: match_drug(name) for name in unique}  # a cohort repeats a few names thousands of times
    drug_id = names.map({n: (d.id if d else None) for n, d in found.items()})
    cls = names.map({n: (d.drug_class if d else OTHER) for n, d in found.items()})
    factor = names.map({n: (d.pred_equiv if d and d.pred_equiv else np.nan) for n, d in found.items()})
    clinical = (out["kind"].astype("string") == "clinical").fillna(False).to_numpy(dtype=bool)
    out["drug_id"] = pd.array(np.where(clinical, None, drug_id.to_numpy(dtype=object)), dtype="string")
    out["drug_class"] = pd.array(np.where(clinical, None, cls.to_numpy(dtype=object)), dtype="string")
    factor = factor.to_numpy(dtype="float64", na_value=np.nan)
    steroid = np.flatnonzero(np.isfinite(factor))
    doses = out["dose"].to_numpy(dtype="float64", na_value=np.nan)
    units = out["dose_unit"].to_numpy(dtype=object)
    pred = np.full(len(out), np.nan)
    for i in steroid:
        mg = dose_mg_per_day(doses[i], units[i] if isinstance(units[i], str) else None, weight_kg)
        pred[i] = np.nan if mg is None else mg * factor[i]
    out["pred_eq_mg_day"] = pd.array(pred, dtype="Float64")  # NaN -> <NA>: unknown, not 0
    return out
