"""Unit spellings and conversion to each analyte's canonical unit (pint, plus analyte molar masses).

Case reports and lab systems spell one unit many ways (`10^9/L`, `G/L`, `K/µL`, `x10E3/uL`, the
PDF-mangled `109/L`). The spellings are data (`data/unit_spellings.csv`: one row per spelling, its
meaning, the analytes it is valid for, whether case matters); a few generic rules (µ/u/mc, `10^n`,
lower-case litre) cover the rest. `normalise_unit` gives one spelling per unit, `to_canonical` converts a
whole column with a factor computed once per (unit, analyte) by pint. Triglycerides and creatinine cross
between mass and substance concentration through the catalogue's molar mass.

A spelling valid only for some analytes (`mEq/L` = mmol/L for monovalent ions only) keeps its own
spelling until the analyte is known; elsewhere it is refused. D-dimer keeps its basis (`FEU`, `DDU`) in
the unit: values convert within one basis, never across.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import pandas as pd
import pint

from dashboard.domain import registry
from dashboard.domain.analytes import analyte, catalogue
from dashboard.domain.registry import pipe_list
from dashboard.domain.text import plain_text

BASES = ("FEU", "DDU")


class UnitError(ValueError):
    """A unit that is not understood, or cannot be converted to the analyte's canonical unit."""

    def __init__(self, message: str, expected: str = "") -> None:
        super().__init__(message)
        self.expected = expected


@dataclass(frozen=True)
class Spelling:
    spelling: str                    # as written in a table
    unit: str                        # what it means, in casetrack's spelling
    analytes: tuple[str, ...] | None  # the analytes it is valid for; None for any
    exact_case: bool                 # `G/L` (giga) is not `g/L` (grams)
    note: str = ""


_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPTS = str.maketrans(_SUPERSCRIPT_DIGITS + "⁻", "0123456789-")
_EXPONENT = re.compile(rf"(?<=\d)([{_SUPERSCRIPT_DIGITS}⁻]+)")
_BASIS = re.compile(r"^(.*?)\s*[(\[]?\b(FEU|DDU)\b[)\]]?$", re.IGNORECASE)


def spelling_key(text: str) -> str:
    """A unit written without spaces, `μ` as `µ`, `×` as `x` and superscript exponents as `^n` (`10³` -> `10^3`)."""
    unit = _EXPONENT.sub(lambda m: "^" + m.group(1).translate(_SUPERSCRIPTS), plain_text(text))
    unit = unit.translate(_SUPERSCRIPTS)
    return unit.replace("μ", "µ").replace("×", "x").replace("·", "").replace(" ", "")


@cache
def spellings() -> tuple[Spelling, ...]:
    """Every spelling of the table, in table order (read once per process)."""
    return tuple(Spelling(row["spelling"], row["unit"],
                          None if row["analytes"] == "any" else pipe_list(row["analytes"]),
                          row["case"] == "exact", row["note"])
                 for row in registry.rows("unit_spellings.csv"))


@cache
def _tables() -> tuple[dict[str, Spelling], dict[str, Spelling]]:
    """(spelling key -> row, case-folded key -> row for the rows where case does not matter)."""
    exact = {spelling_key(s.spelling): s for s in spellings()}
    folded = {spelling_key(s.spelling).casefold(): s for s in spellings() if not s.exact_case}
    return exact, folded


def _spelling(key: str) -> Spelling | None:
    exact, folded = _tables()
    return exact.get(key) or folded.get(key.casefold())


def split_basis(unit: str) -> tuple[str, str | None]:
    """`µg/mL FEU` -> ('µg/mL', 'FEU'); a unit without a D-dimer basis -> (unit, None)."""
    found = _BASIS.match(unit)
    if found and found.group(1):
        return found.group(1), found.group(2).upper()
    return unit, None


def normalise_unit(text: str | None) -> str | None:
    """One spelling per unit: `µ`, `10^9/L`, `mg/dL`, `mm/h`, `s`, `°C`. Empty text gives None.

    A spelling valid only for some analytes (`mEq/L`) is returned as the table spells it; `resolve_unit`
    decides once the analyte is known. A D-dimer basis stays at the end (`µg/mL FEU`).
    """
    text = plain_text(text)
    return _normalise(text) if text else None


@lru_cache(maxsize=4096)
def _normalise(text: str) -> str | None:
    """`normalise_unit` of a plain, non-empty text, cached: a case repeats a handful of spellings."""
    unit, basis = split_basis(text)
    unit = _generic(spelling_key(unit))
    if not unit:
        return None
    return f"{unit} {basis}" if basis else unit


def _generic(key: str) -> str:
    """The spelling table, else the generic rules (then the table again): `x10E9/l` -> `10^9/L`."""
    found = _spelling(key)
    if found is not None:
        return found.unit if found.analytes is None else found.spelling
    unit = re.sub(r"^x(?=10)", "", key)
    unit = re.sub(r"^10(\*\*|\*|\^|[eE])(\d+)", r"10^\2", unit)
    unit = re.sub(r"^10\((\d+)\)", r"10^\1", unit)  # x10(9)/L
    unit = re.sub(r"(?i)mm3$|cumm$|mm\^3$", "mm^3", unit)
    unit = re.sub(r"(?i)(^|/)cells?/", r"\1/", unit)
    unit = re.sub(r"(?<![A-Za-z])(u|mc)(?=(g|l|L|mol|m)\b|(g|l|L|mol)/)", "µ", unit)
    unit = re.sub(r"(?<=[/µmdnp])l$|(?<=[/µmdnp])l(?=/)", "L", unit)
    unit = re.sub(r"^l/", "L/", unit)
    found = _spelling(unit)
    if found is not None:
        return found.unit if found.analytes is None else found.spelling
    return re.sub(r"^10(3|5|6|9|12)/(L|µL|nL|mm\^3)$", r"10^\1/\2", unit)


def resolve_unit(unit: str | None, analyte_id: str) -> str | None:
    """A normalised unit made definite for one analyte: `mEq/L` -> `mmol/L` for sodium, refused for ferritin.

    Raises UnitError naming the analyte when the spelling or the D-dimer basis is not valid for it.
    """
    if unit is None:
        return None
    record = analyte(analyte_id)
    base, basis = split_basis(unit)
    if basis is not None and basis not in record.bases:
        raise UnitError(f"'{basis}' is a D-dimer basis, not part of a unit of {record.name}",
                        f"a unit convertible to {record.unit}")
    found = _spelling(base)
    if found is not None and found.analytes is not None:
        if analyte_id not in found.analytes:
            names = ", ".join(analyte(a).name for a in found.analytes)
            raise UnitError(f"'{found.spelling}' means {found.unit} only for {names}: not for {record.name}",
                            f"a unit convertible to {record.unit}")
        base = found.unit
    return f"{base} {basis}" if basis else base


def is_count(analyte_id: str) -> bool:
    """True for a cell count (canonical unit 10^n/L): its `%` is a differential, another measurement."""
    return re.fullmatch(r"10\^\d+/L", analyte(analyte_id).unit or "") is not None


def canonical_unit(unit: str | None, analyte_id: str) -> str | None:
    """The unit a value of this analyte is stored in: the catalogue's, plus the D-dimer basis when stated."""
    record = analyte(analyte_id)
    basis = split_basis(unit)[1] if unit else None
    return f"{record.unit} {basis}" if basis and record.unit else record.unit


@cache
def _registry() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry()
    ureg.define("titer = [titer]")
    return ureg


_COUNT = re.compile(r"^10\^(\d+)/(L|µL|nL|mm\^3)$")
_SPECIAL = {"%": "percent", "°C": "degC", "°F": "degF", "ratio": "dimensionless", "L/L": "dimensionless",
            "mm/h": "mm/hour", "titer": "titer"}


def _pint_form(unit: str) -> tuple[float, str]:
    """(scale, pint expression) for a normalised unit: `10^9/L` -> (1e9, '1/L')."""
    count = _COUNT.match(unit)
    if count:
        return 10.0 ** int(count.group(1)), "1/" + count.group(2).replace("µ", "u").replace("^", "**")
    if unit in _SPECIAL:
        return 1.0, _SPECIAL[unit]
    expr = unit.replace("µ", "u").replace("^", "**").replace("IU", "U")
    if expr.startswith("/"):
        expr = "1" + expr
    return 1.0, expr


_UNIT_TEXT = re.compile(r"^(?=.*[A-Za-zµ°%])[A-Za-z0-9µ°%/^*.\-]+$")


_MOJIBAKE = re.compile(r"[ÂÃâ][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")  # UTF-8 bytes read as Windows-1252


@cache
def _parse(unit: str) -> tuple[float, pint.Unit]:
    expected = "a unit such as g/L, mg/dL, 10^9/L, U/L, % (see the unit spellings in docs/case-format.md)"
    if _MOJIBAKE.search(unit):
        expected = ("the unit as written: 'Âµ' and 'Â°' are µ and ° garbled by a wrong text encoding (UTF-8 read as "
                    "Windows-1252); save the file as UTF-8")
    unknown = UnitError(f"unknown unit '{unit}'", expected)
    if not _UNIT_TEXT.match(unit):
        raise unknown
    scale, expr = _pint_form(unit)
    try:
        return scale, _registry().parse_units(expr)
    except Exception as exc:  # pint's expression parser raises assorted types (even AssertionError)
        raise unknown from exc


def is_unit(text: str) -> bool:
    """True when the text reads as a unit of some catalogue analyte (used to split `Ferritin (ng/mL)` from
    `Hemophagocytosis (bone marrow)`, and `Potassium (K)` from kelvin: pint reads `K`, `Mg`, `TG`, `PT` as
    kelvin, megagram, teragram, petatesla, none of which a lab table means)."""
    unit = normalise_unit(text)
    if unit is None:
        return False
    base = split_basis(unit)[0]
    found = _spelling(base)
    if found is not None and found.analytes is not None:
        return True
    return _usable(base)


@cache
def _usable(unit: str) -> bool:
    """A unit that converts to the canonical unit of at least one catalogue analyte (°C/°F only as written)."""
    try:
        _, parsed = _parse(unit)
    except UnitError:
        return False
    if "[temperature]" in str(_registry().Quantity(1, parsed).dimensionality):
        return unit in ("°C", "°F")
    for record in catalogue():
        if unit in record.kept_units:
            return True
        if record.unit is None:
            continue
        try:
            conversion_factor(unit, record.unit, record.molar_mass)
        except UnitError:
            continue
        return True
    return False


def _is_offset(unit: str) -> bool:
    return unit in ("°C", "°F")


@lru_cache(maxsize=1024)  # one pint computation per (from_unit, to_unit, molar_mass), not per value
def conversion_factor(from_unit: str, to_unit: str, molar_mass: float | None = None) -> float:
    """Multiplier taking a value in `from_unit` to `to_unit` (normalised spellings; not for °C/°F).

    A D-dimer basis must be the same on both sides: FEU and DDU are never interchangeable.
    """
    (from_base, from_basis), (to_base, to_basis) = split_basis(from_unit), split_basis(to_unit)
    if from_basis != to_basis:
        raise UnitError(f"'{from_unit}' cannot be converted to {to_unit}: FEU and DDU (and a stated and an "
                        "unstated basis) are not interchangeable", f"a unit in the same basis as {to_unit}")
    ureg = _registry()
    from_scale, from_u = _parse(from_base)
    to_scale, to_u = _parse(to_base)
    quantity = ureg.Quantity(from_scale, from_u)
    if quantity.dimensionality != ureg.Quantity(1, to_u).dimensionality and molar_mass:
        mass = ureg.Quantity(molar_mass, "g/mol")
        quantity = quantity / mass if "[mass]" in quantity.dimensionality else quantity * mass
    try:
        factor = float(quantity.to(to_u).magnitude) / to_scale
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"'{from_unit}' cannot be converted to {to_unit}", f"a unit convertible to {to_unit}") from exc
    return float(f"{factor:.12g}")  # drop float noise: µg/L -> ng/mL is exactly 1, not 0.9999999999999998


def convert(values: pd.Series | np.ndarray, from_unit: str, to_unit: str,
            molar_mass: float | None = None) -> np.ndarray:
    """Convert a whole column between two (normalised) units; temperatures go through pint's offsets."""
    array = np.asarray(values, dtype="float64")
    if from_unit == to_unit:
        return array.copy()
    if _is_offset(from_unit) or _is_offset(to_unit):
        ureg = _registry()
        try:
            return np.asarray(ureg.Quantity(array, _parse(from_unit)[1]).to(_parse(to_unit)[1]).magnitude)
        except pint.errors.DimensionalityError as exc:
            raise UnitError(f"'{from_unit}' cannot be converted to {to_unit}", f"a unit convertible to {to_unit}") from exc
    return array * conversion_factor(from_unit, to_unit, molar_mass)


def to_canonical(values: pd.Series | np.ndarray, unit: str | None, analyte_id: str) -> np.ndarray:
    """Values of one analyte in one unit -> the analyte's canonical unit (`canonical_unit`).

    A missing unit means the canonical unit (the caller checks plausibility and warns). Raises UnitError
    naming the analyte when the unit is unknown, not valid for the analyte, or of the wrong kind (ferritin
    in g/dL is fine, ferritin in mmol/L is not).
    """
    record = analyte(analyte_id)
    unit = resolve_unit(normalise_unit(unit), analyte_id)
    target = canonical_unit(unit, analyte_id)
    if unit is None or target is None or unit == target:
        if target is None and unit is not None:
            raise UnitError(f"{record.name} takes no unit, got '{unit}'", "no unit")
        return np.asarray(values, dtype="float64").copy()
    if split_basis(unit)[0] in record.kept_units:
        raise UnitError(f"{record.name} in {unit} is never converted to {record.unit} (no fixed conversion)",
                        f"{record.unit}, or the value kept as stated")
    try:
        return convert(values, unit, target, record.molar_mass)
    except UnitError as exc:
        garbled = _MOJIBAKE.search(unit)  # the encoding hint says more than the unit expected
        raise UnitError(f"{exc} for {record.name}", exc.expected if garbled else f"a unit convertible to {target}") from exc
