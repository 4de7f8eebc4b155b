"""Three-valued (Kleene) logic and cut-off comparisons shared by the score modules.

A criterion is a float64 numpy array: 1.0 met, 0.0 not met, NaN unknown. Plain numpy arrays (not Series,
not the nullable `boolean` dtype) keep every item a few ufunc calls with no per-call pandas overhead, so a
million timepoints score in well under a second; the public frame converts them to nullable dtypes once
at the end (`as_boolean`, `as_int`, `as_float`). Item functions decorated with `item` also take Series and
then return Series on the same index, for callers (and tests) reading one item in pandas.

Numeric inputs are `Measure`s: the bounds of what the table says (`<30` is [0, 30)). A comparison is met
when every value the bounds allow meets it, not met when none does, unknown otherwise (`compare`).
Cut-offs are compared after rounding to 6 decimals, so a value that went through a unit conversion
(178 mg/dL -> 2.0097098340368 mmol/L -> 178.00000000064 mg/dL) still lands exactly on its cut-off;
no clinical value is measured to a millionth of its unit. Each input is rounded once per unit factor
(`Measure.rounded`), not once per comparison.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from dashboard.domain import criteria
from dashboard.domain.criteria import Criterion
from dashboard.domain.matrix import FINDING_INPUTS, measures
from dashboard.domain.measure import DECIMALS, Measure, floats

__all__ = ["DECIMALS", "Measure", "floats"]

Value = Measure | np.ndarray | pd.Series  # what an item accepts for a numeric input
Inputs = dict[str, Measure | np.ndarray]  # a matrix's inputs by name (`inputs`)
F = TypeVar("F", bound=Callable[..., Any])


def inputs(matrix: pd.DataFrame | Inputs) -> Inputs:
    """The matrix's score inputs by name: a `Measure` per numeric input (with the values that arrived
    in a printed unit), a float array (1/0/NaN) per finding. Inputs already read come back as they are,
    so `score_matrix` reads (and rounds) each input once for all the scores."""
    if isinstance(matrix, dict):
        return matrix
    found: Inputs = dict(measures(matrix))
    found.update({name: floats(matrix[name]) for name in FINDING_INPUTS if name in matrix.columns})
    return found


def measure(values: Value) -> Measure:
    """A Measure as is; plain values as exact values."""
    return values if isinstance(values, Measure) else Measure.exact(floats(values))


def item(fn: F) -> F:
    """Let a numpy item function take Series too: Series arguments become float arrays, and the result
    (an array, or a tuple of arrays) comes back as float Series on the first Series' index. The engine
    passes arrays and pays nothing; a caller holding Series gets Series, as before."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        index = next((a.index for a in (*args, *kwargs.values()) if isinstance(a, pd.Series)), None)
        if index is None:
            return fn(*args, **kwargs)
        as_array = {k: floats(v) if isinstance(v, pd.Series) else v for k, v in kwargs.items()}
        result = fn(*(floats(a) if isinstance(a, pd.Series) else a for a in args), **as_array)
        if isinstance(result, tuple):
            return tuple(pd.Series(r, index=index) for r in result)
        return pd.Series(result, index=index)

    return wrapper  # type: ignore[return-value]


def verdict(met: np.ndarray, not_met: np.ndarray) -> np.ndarray:
    """A criterion from two exclusive boolean masks: 1.0 met, 0.0 not met, NaN where neither holds.

    Computed as met ÷ (met or not met), i.e. 1/1, 0/1 or 0/0 = NaN: one pass, no masked writes (which
    cost three times as much over a million timepoints)."""
    with np.errstate(invalid="ignore"):
        return np.true_divide(met, met | not_met, dtype=np.float64)


def meets(rule: Criterion, x: Value) -> np.ndarray:
    """The criterion `rule` (criteria.py) on an input: met where every value its bounds allow meets the
    printed cut-off, not met where none does, else unknown.

    Values that arrived in a unit the rule prints a cut-off in (`x.printed`) are compared with that
    cut-off; the others with the cut-off in the canonical unit, or converted to the rule's first unit.
    """
    if rule.op == "yes":
        return present(x)
    m = measure(x)
    canonical = criteria.INPUTS[rule.input][1]
    cut = rule.cut(canonical)
    if cut is not None:
        out = compare(m, rule.op, cut)
    else:
        unit = rule.units[0]
        out = compare(m, rule.op, rule.cut(unit), criteria.factor(rule.input, unit))
    for unit, arrived in m.printed.items():
        if rule.cut(unit) is not None:
            out = np.where(arrived.known, compare(arrived, rule.op, rule.cut(unit)), out)
    return out


def compare(x: Value, op: str, cut: float, factor: float = 1.0) -> np.ndarray:
    """round(value × factor, 6) `op` cut for every value the bounds allow: 1.0 when all do, 0.0 when none
    does, NaN when they disagree or the value is unknown. An exclusive bound (`<30`) excludes itself."""
    m = measure(x)
    low, high = m.rounded(factor)
    low_excluded, high_excluded = m.excluded()
    if op == ">=":
        surely, surely_not = low >= cut, _all_below(high, cut, high_excluded)
    elif op == ">":
        surely, surely_not = _all_above(low, cut, low_excluded), high <= cut
    elif op == "<=":
        surely, surely_not = high <= cut, _all_above(low, cut, low_excluded)
    elif op == "<":
        surely, surely_not = _all_below(high, cut, high_excluded), low >= cut
    else:
        raise ValueError(f"compare: op must be one of >= > <= <, not {op!r}")
    return verdict(surely, surely_not)


def _all_below(high: np.ndarray, cut: float, excluded: np.ndarray | None) -> np.ndarray:
    """Every allowed value < cut: the upper bound is below it, or on it and excluded (`<30` vs 30)."""
    below = high < cut
    if excluded is not None:
        below |= (high == cut) & excluded
    return below


def _all_above(low: np.ndarray, cut: float, excluded: np.ndarray | None) -> np.ndarray:
    """Every allowed value > cut: the lower bound is above it, or on it and excluded (`>4` vs 4)."""
    above = low > cut
    if excluded is not None:
        above |= (low == cut) & excluded
    return above


def present(finding: np.ndarray | pd.Series) -> np.ndarray:
    """A 1/0/NaN finding column as a criterion (any positive value counts as present)."""
    x = floats(finding)
    return verdict(x > 0, x <= 0)  # NaN is neither


def _count(masks: list[np.ndarray]) -> np.ndarray:
    """How many of the boolean masks hold, per timepoint (int8: there are never 128 criteria)."""
    total = np.zeros(len(masks[0]), dtype=np.int8)
    for mask in masks:
        total += mask
    return total


def any_of(*criteria: np.ndarray) -> np.ndarray:
    """Kleene OR: met if any is met, not met if all are not met, else unknown."""
    met = functools.reduce(np.logical_or, [c == 1.0 for c in criteria])
    all_no = functools.reduce(np.logical_and, [c == 0.0 for c in criteria])
    return verdict(met, all_no)


def all_of(*criteria: np.ndarray) -> np.ndarray:
    """Kleene AND: not met if any is not met, met if all are met, else unknown."""
    some_no = functools.reduce(np.logical_or, [c == 0.0 for c in criteria])
    all_met = functools.reduce(np.logical_and, [c == 1.0 for c in criteria])
    return verdict(all_met, some_no)


def count_met(*criteria: np.ndarray) -> np.ndarray:
    """How many criteria are met, per timepoint (int64)."""
    return _count([c == 1.0 for c in criteria]).astype(np.int64)


def count_unknown(*criteria: np.ndarray) -> np.ndarray:
    """How many criteria are unknown, per timepoint (int64)."""
    return _count([np.isnan(c) for c in criteria]).astype(np.int64)


def at_least_n(n: int, *criteria: np.ndarray) -> np.ndarray:
    """Met when n are known met; not met when even the unknowns cannot reach n; else unknown."""
    met = _count([c == 1.0 for c in criteria])
    possible = met + _count([np.isnan(c) for c in criteria])
    return verdict(met >= n, possible < n)


def as_boolean(criterion: np.ndarray | pd.Series) -> pd.arrays.BooleanArray:
    """1.0/0.0/NaN -> nullable boolean True/False/<NA> for the public frame."""
    c = floats(criterion)
    return pd.arrays.BooleanArray(c == 1.0, np.isnan(c))


def as_int(points: np.ndarray | pd.Series) -> pd.arrays.IntegerArray:
    """Float points with NaN -> nullable Int64 (rounded to whole points)."""
    x = np.round(floats(points))
    unknown = np.isnan(x)
    return pd.arrays.IntegerArray(np.where(unknown, 0.0, x).astype(np.int64), unknown)


def as_float(values: np.ndarray | pd.Series) -> pd.arrays.FloatingArray:
    """Float values with NaN -> nullable Float64 (NaN becomes <NA>, as `astype("Float64")` does)."""
    x = floats(values)
    return pd.arrays.FloatingArray(x.copy(), np.isnan(x))
