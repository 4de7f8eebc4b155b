"""Unit spellings and conversion to each analyte's canonical unit (pint, plus analyte molar masses).

Case reports spell one unit many ways (`10^9/L`, `x10⁹/L`, `10E9/L`, and the PDF-mangled `109/L`);
`normalise_unit` maps them to one spelling, and `to_canonical` converts a whole column at once with a
factor computed once per (unit, analyte) by pint. Triglycerides and creatinine cross between mass and
substance concentration through the catalogue's molar mass (1 mmol/L TG = 88.57 mg/dL).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import numpy as np
import pandas as pd
import pint

from dashboard.domain.analytes import analyte


class UnitError(ValueError):
    """A unit that is not understood, or cannot be converted to the analyte's canonical unit."""

    def __init__(self, message: str, expected: str = "") -> None:
        super().__init__(message)
        self.expected = expected


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
# normalised spelling (lower-cased lookup) -> normalised spelling
_ALIASES = {
    "mm/hour": "mm/h", "mm/hr": "mm/h", "mm/1h": "mm/h", "mm/1sthour": "mm/h", "mm/h": "mm/h",
    "seconds": "s", "second": "s", "sec": "s", "secs": "s", "s": "s",
    "°c": "°C", "degc": "°C", "degreesc": "°C", "celsius": "°C", "℃": "°C", "c": "°C",
    "°f": "°F", "degf": "°F", "degreesf": "°F", "fahrenheit": "°F", "℉": "°F",
    "g/24h": "g/day", "g/24hr": "g/day", "g/24hours": "g/day", "g/d": "g/day", "g/day": "g/day",
    "mg/24h": "mg/day", "mg/24hr": "mg/day", "mg/d": "mg/day", "mg/day": "mg/day",
    "percent": "%", "%": "%", "titer": "titer", "titre": "titer", "ratio": "ratio", "inr": "ratio",
    "l/l": "L/L", "u/l": "U/L", "iu/l": "U/L", "u/ml": "U/mL", "iu/ml": "U/mL", "cm": "cm", "mm": "mm",
}
_COUNT = re.compile(r"^10\^(\d+)/(L|µL|nL|mm\^3)$")
_MANGLED_COUNT = re.compile(r"^10(3|6|9|12)/(L|µL|nL|mm\^3)$")


def normalise_unit(text: str | None) -> str | None:
    """One spelling per unit: `µ`, `10^9/L`, `mg/dL`, `mm/h`, `s`, `°C`. Empty text gives None."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    return _normalise(str(text))


@lru_cache(maxsize=4096)
def _normalise(text: str) -> str | None:
    """`normalise_unit` of a text, cached: a case repeats a handful of spellings on every row."""
    unit = text.strip().translate(_SUPERSCRIPTS)
    if not unit:
        return None
    unit = unit.replace("μ", "µ").replace("×", "x").replace("·", "").replace(" ", "")
    unit = re.sub(r"^x(?=10)", "", unit)
    unit = re.sub(r"^10(\*\*|\*|\^|[eE])(\d+)", r"10^\2", unit)
    unit = re.sub(r"(?i)mm3$|cumm$|mm\^3$", "mm^3", unit)
    unit = re.sub(r"(?i)(^|/)cells?/", r"\1/", unit)
    unit = re.sub(r"(?<![A-Za-z])u(?=(g|l|L|mol|m)\b|(g|l|L|mol)/)", "µ", unit)
    unit = re.sub(r"(?<=[/µmdnp])l$|(?<=[/µmdnp])l(?=/)", "L", unit)
    unit = re.sub(r"^l/", "L/", unit)
    alias = _ALIASES.get(unit.casefold())
    if alias is not None:
        return alias
    unit = _MANGLED_COUNT.sub(r"10^\1/\2", unit)
    return unit


@cache
def _registry() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry()
    ureg.define("titer = [titer]")
    return ureg


def _pint_form(unit: str) -> tuple[float, str]:
    """(scale, pint expression) for a normalised unit: `10^9/L` -> (1e9, '1/L')."""
    count = _COUNT.match(unit)
    if count:
        return 10.0 ** int(count.group(1)), "1/" + count.group(2).replace("µ", "u").replace("^", "**")
    special = {"%": "percent", "°C": "degC", "°F": "degF", "ratio": "dimensionless", "L/L": "dimensionless",
               "mm/h": "mm/hour", "titer": "titer"}
    if unit in special:
        return 1.0, special[unit]
    expr = unit.replace("µ", "u").replace("^", "**").replace("IU", "U")
    if expr.startswith("/"):
        expr = "1" + expr
    return 1.0, expr


_UNIT_TEXT = re.compile(r"^(?=.*[A-Za-zµ°%])[A-Za-z0-9µ°%/^*.\-]+$")


@cache
def _parse(unit: str) -> tuple[float, pint.Unit]:
    unknown = UnitError(f"unknown unit '{unit}'", "a unit such as g/L, mg/dL, 10^9/L, U/L, %")
    if not _UNIT_TEXT.match(unit):
        raise unknown
    scale, expr = _pint_form(unit)
    try:
        return scale, _registry().parse_units(expr)
    except Exception as exc:  # pint's expression parser raises assorted types (even AssertionError)
        raise unknown from exc


def is_unit(text: str) -> bool:
    """True when the text reads as a unit (used to split `Ferritin (ng/mL)` from `Hemophagocytosis (bone marrow)`)."""
    unit = normalise_unit(text)
    if unit is None:
        return False
    try:
        _parse(unit)
    except UnitError:
        return False
    return True


def _is_offset(unit: str) -> bool:
    return unit in ("°C", "°F")


@lru_cache(maxsize=1024)  # one pint computation per (from_unit, to_unit, molar_mass), not per value
def conversion_factor(from_unit: str, to_unit: str, molar_mass: float | None = None) -> float:
    """Multiplier taking a value in `from_unit` to `to_unit` (normalised spellings; not for °C/°F)."""
    ureg = _registry()
    from_scale, from_u = _parse(from_unit)
    to_scale, to_u = _parse(to_unit)
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
    """Values of one analyte in one unit -> the catalogue's canonical unit.

    A missing unit means the canonical unit (the caller warns). Raises UnitError naming the analyte when
    the unit is unknown or of the wrong kind (ferritin in g/dL is fine, ferritin in mmol/L is not).
    """
    record = analyte(analyte_id)
    unit = normalise_unit(unit)
    target = record.unit
    if unit is None or target is None or unit == target:
        if target is None and unit is not None:
            raise UnitError(f"{record.name} takes no unit, got '{unit}'", "no unit")
        return np.asarray(values, dtype="float64").copy()
    try:
        return convert(values, unit, target, record.molar_mass)
    except UnitError as exc:
        raise UnitError(f"{exc} for {record.name}", f"a unit convertible to {target}") from exc
