"""Physiological limits: a value outside them is a unit problem or a typo, never a result.

Every numeric analyte of the catalogue has a plausible range in its canonical unit (`plausible_low`,
`plausible_high`) and the other units tables commonly use (`common_units`). A value without a unit that is
implausible in the canonical unit may be plausible in exactly one common unit; it is read in that unit
only when the evidence is unambiguous:

* the row's reference range, read in that unit, is plausible and within `AGREEMENT` (1.5x) of the
  catalogue's default range, or
* the unit's plausible values do not overlap the canonical unit's at all (a temperature above 45 without
  a unit can only be °F), so the value alone decides.

A stated reference range `RANGE_OFF` (8x) or more away from the catalogue's default is a unit problem
(a warning: the range may be misprinted, or the values may be in another unit).

Values without a unit that are plausible in the canonical unit are read in it only when nothing on the row
speaks against it: a row reference range `UNITLESS_RANGE_OFF` (3x) or more away from the default, for an
analyte with other common units, is evidence of another unit (CRP `45` against `<5` is mg/L: 4.5 mg/dL,
not 45). The values are then read in the one common unit the range agrees with, or refused. Without any
range, values plausible both in the canonical unit and in a common unit at most `CLOSE_UNITS` (10x) away
(CRP 45: mg/dL or mg/L? Hb 20: g/L or g/dL?) are refused: nothing on the row decides. So are values that
would be ordinary results in a farther common unit too (`usual_floor`): WBC 900 is 900 x10^9/L or
900 cells/µL, triglycerides 120 are 120 mmol/L or 120 mg/dL.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from dashboard.domain.analytes import analyte
from dashboard.domain.units import UnitError, conversion_factor, convert

AGREEMENT = 1.5   # a reference range within this factor of the catalogue's default agrees with it
RANGE_OFF = 8.0   # this far from the default is a unit problem (g/dL vs g/L is 10x; assay ranges differ <8x)
UNITLESS_RANGE_OFF = 3.0  # without a unit, a range this far from the default speaks against the canonical unit
CLOSE_UNITS = 10.0  # units this close (mg/L and mg/dL, g/L and g/dL) both make ordinary values plausible
USUAL_BELOW = 100.0  # a result 100x below the reference range's lower limit is no ordinary result (WBC 0.045)


def _in_canonical(values: Iterable[float], unit: str | None, analyte_id: str) -> np.ndarray:
    record = analyte(analyte_id)
    array = np.asarray(list(values), dtype="float64")
    if unit is None or unit == record.unit:
        return array
    return convert(array, unit, record.unit, record.molar_mass)


def implausible(analyte_id: str, values: np.ndarray, qualifiers: list | None = None) -> np.ndarray:
    """True where a value (canonical unit) lies outside the analyte's plausible range.

    A censored bound counts only where it cannot be right: `<x` below the low limit, `>x` above the high
    limit (`<100000` ferritin says little but is not wrong). NaN is never implausible.
    """
    record = analyte(analyte_id)
    values = np.round(np.asarray(values, dtype="float64"), 6)  # 113 °F is 45.00000000000006 °C: on the limit
    low = -np.inf if record.plausible_low is None else record.plausible_low
    high = np.inf if record.plausible_high is None else record.plausible_high
    qualifiers = [None] * len(values) if qualifiers is None else list(qualifiers)
    below = np.array([q not in (">", ">=") for q in qualifiers], dtype=bool) & (values < low)
    above = np.array([q not in ("<", "<=") for q in qualifiers], dtype=bool) & (values > high)
    return below | above


def range_ratio(analyte_id: str, low: float | None, high: float | None) -> float | None:
    """How far a reference range (canonical unit) is from the catalogue's default: stated / default limit.

    Upper limits are compared when both have one, else lower limits; None when nothing compares.
    """
    record = analyte(analyte_id)
    pairs = [(high, record.ref_high), (low, record.ref_low)]
    for stated, default in pairs:
        if stated is not None and default and not np.isnan(stated) and stated > 0:
            return float(stated / default)
    return None


def range_far_off(analyte_id: str, low: float | None, high: float | None, factor: float) -> float | None:
    """The ratio `range_ratio` when it is `factor` or more away from 1 (either way), else None."""
    ratio = range_ratio(analyte_id, low, high)
    return ratio if ratio is not None and not 1 / factor < ratio < factor else None


def _range_agrees(analyte_id: str, low: float | None, high: float | None) -> bool:
    record = analyte(analyte_id)
    limits = [x for x in (low, high) if x is not None and not np.isnan(x)]
    plausible_high = np.inf if record.plausible_high is None else record.plausible_high
    plausible_low = -np.inf if record.plausible_low is None else record.plausible_low
    if any(x > plausible_high for x in limits) or (high is not None and not np.isnan(high) and high < plausible_low):
        return False
    ratio = range_ratio(analyte_id, low, high)
    return ratio is not None and 1 / AGREEMENT <= ratio <= AGREEMENT


def candidate_units(analyte_id: str, values: Iterable[float], qualifiers: list | None = None,
                    ranges: Iterable[tuple[float | None, float | None]] = (),
                    exclude: str | None = None) -> list[str]:
    """The analyte's units (canonical and common, except `exclude`) that make every value plausible and
    every given reference range (as written) plausible and agreeing with the catalogue default."""
    record = analyte(analyte_id)
    values = list(values)
    ranges = list(ranges)
    found = []
    for unit in (record.unit, *record.common_units):
        if unit == exclude or unit is None:
            continue
        try:
            canonical = _in_canonical(values, unit, analyte_id)
            limits = [tuple(_in_canonical([np.nan if x is None else x for x in pair], unit, analyte_id))
                      for pair in ranges]
        except UnitError:
            continue
        if implausible(analyte_id, canonical, qualifiers).any():
            continue
        if all(_range_agrees(analyte_id, low, high) for low, high in limits):
            found.append(unit)
    return found


def overlapping_units(analyte_id: str, units: Iterable[str], values: Iterable[float]) -> list[str]:
    """The units among `units` (each already making every value plausible) that a unitless row could as
    well be written in: a unit within `CLOSE_UNITS` of the canonical one (CRP 45: mg/dL or mg/L), or a unit
    in which some value reads as an ordinary result, at or above `usual_floor` (WBC 900: 900 x10^9/L or
    900 cells/µL = 0.9 x10^9/L; triglycerides 120: mmol/L or mg/dL; platelets 2000: x10^9/L or /µL)."""
    record = analyte(analyte_id)
    values = np.asarray(list(values), dtype="float64")
    floor = usual_floor(analyte_id)
    found = []
    for unit in units:
        if unit in ("°C", "°F") or unit == record.unit:
            continue
        try:
            factor = conversion_factor(unit, record.unit, record.molar_mass)
        except UnitError:
            continue
        if 1 / CLOSE_UNITS <= factor <= CLOSE_UNITS or (floor > 0 and np.any(values * factor >= floor)):
            found.append(unit)
    return found


def usual_floor(analyte_id: str) -> float:
    """The lowest value (canonical unit) still an ordinary result rather than a sign of another unit: a
    hundredth of the reference range's lower limit, and never below the plausible low limit (0 when the
    catalogue gives neither: then only close units count as overlapping)."""
    record = analyte(analyte_id)
    return max(record.ref_low / USUAL_BELOW if record.ref_low else 0.0, record.plausible_low or 0.0)


def decides_alone(analyte_id: str, unit: str) -> bool:
    """True when no number is plausible both in the canonical unit and in `unit` (°F vs °C, % vs L/L)."""
    record = analyte(analyte_id)
    if record.plausible_low is None or record.plausible_high is None:
        return False
    in_unit = sorted(convert(np.array([record.plausible_low, record.plausible_high]), record.unit, unit,
                             record.molar_mass))
    return in_unit[0] > record.plausible_high or in_unit[1] < record.plausible_low
