"""Three-valued (Kleene) logic and cut-off comparisons shared by the score modules.

A criterion is a float64 numpy array: 1.0 met, 0.0 not met, NaN unknown. Plain numpy arrays (not Series,
not the nullable `boolean` dtype) keep every item a few ufunc calls with no per-call pandas overhead, so a
million timepoints score in well under a second; the public frame converts them to nullable dtypes once
at the end (`as_boolean`, `as_int`, `as_float`). Item functions decorated with `item` also take Series and
then return Series on the same index, for callers (and tests) reading one item in pandas.

Cut-offs are compared after rounding to 6 decimals, so a value that went through a unit conversion
(178 mg/dL -> 2.0097098340368 mmol/L -> 178.00000000064 mg/dL) still lands exactly on its cut-off;
no clinical value is measured to a millionth of its unit. Rounding never reverses an order, so each
comparison is made against its `switch_point` (the input value where the rounded comparison flips, found
once per cut-off): the same answer to the last bit, in one pass over the values.
"""

from __future__ import annotations

import functools
import operator
import struct
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from dashboard.domain.matrix import INPUT_COLUMNS

DECIMALS = 6

# Unit facts (clinical-criteria.md): the scores convert the matrix's canonical units to the criterion's.
TG_MG_PER_DL_PER_MMOL_PER_L = 88.57
MG_PER_DL_PER_G_PER_L = 100.0

F = TypeVar("F", bound=Callable[..., Any])


def floats(values: np.ndarray | pd.Series) -> np.ndarray:
    """The values as a float64 array with NaN for unknown (accepts arrays, and Series of numpy, nullable
    and pyarrow dtypes). A float64 input comes back without a copy: callers never write into it."""
    if isinstance(values, np.ndarray) and values.dtype == np.float64:
        return values
    if isinstance(values, (pd.Series, pd.Index)) or pd.api.types.is_extension_array_dtype(values):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    return np.asarray(values, dtype="float64")


def inputs(matrix: pd.DataFrame) -> dict[str, np.ndarray]:
    """The matrix's score inputs as float arrays by column name (no copies for float64 columns)."""
    return {name: floats(matrix[name]) for name in INPUT_COLUMNS if name in matrix.columns}


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


def kleene(met: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """A criterion from two boolean masks: 1.0 where met, NaN where unknown (which wins), else 0.0."""
    out = met.astype(np.float64)
    np.putmask(out, unknown, np.nan)
    return out


def rounded_compare(x: np.ndarray, cut: float, op: Callable, factor: float = 1.0) -> np.ndarray:
    """op(round(x * factor, DECIMALS), cut) elementwise: the definition of every cut-off comparison."""
    with np.errstate(over="ignore", invalid="ignore"):
        return op(np.round(x * factor, DECIMALS), cut)


def _key(x: float) -> int:
    """An integer that orders float64 values as the values themselves (-0.0 and 0.0 both map to 0)."""
    bits = struct.unpack("<q", struct.pack("<d", x))[0]
    return bits if bits >= 0 else -(bits & 0x7FFF_FFFF_FFFF_FFFF)


def _from_key(key: int) -> float:
    bits = key if key >= 0 else -key - (1 << 63)  # sign bit set, magnitude -key
    return struct.unpack("<d", struct.pack("<q", bits))[0]


@functools.cache
def switch_point(cut: float, op: Callable, factor: float = 1.0) -> float:
    """The float t where the rounded comparison switches: for every float x, `rounded_compare(x, ...)` is
    `x >= t` for >= and >, and `x < t` for <= and <.

    round(x * factor, 6) never decreases as x grows (factor > 0), so the comparison changes value once
    along the float line; bisecting the ordered float64 bit patterns finds where, once per cut-off. Each
    comparison of a million values is then one pass, instead of a multiply, a rounding and a compare.
    """
    if not factor > 0:
        raise ValueError(f"switch_point: factor must be positive, not {factor}")
    rising = op in (operator.ge, operator.gt)

    def switched(key: int) -> bool:
        return bool(rounded_compare(np.array([_from_key(key)]), cut, op, factor)[0]) == rising

    low, high = _key(-np.inf), _key(np.inf)  # not switched at -inf, switched at +inf
    if switched(low) or not switched(high):
        raise ValueError(f"switch_point: no switch for cut {cut} ({op.__name__}, factor {factor})")
    while high - low > 1:
        middle = (low + high) // 2
        if switched(middle):
            high = middle
        else:
            low = middle
    return _from_key(high)


def _compare(values: np.ndarray | pd.Series, cut: float, op: Callable, factor: float = 1.0) -> np.ndarray:
    x = floats(values)
    t = switch_point(cut, op, factor)
    met = x >= t if op in (operator.ge, operator.gt) else x < t
    return kleene(met, np.isnan(x))


def at_least(values: np.ndarray | pd.Series, cut: float, factor: float = 1.0) -> np.ndarray:
    """values * factor >= cut, unknown where the value is unknown."""
    return _compare(values, cut, operator.ge, factor)


def at_most(values: np.ndarray | pd.Series, cut: float, factor: float = 1.0) -> np.ndarray:
    return _compare(values, cut, operator.le, factor)


def above(values: np.ndarray | pd.Series, cut: float, factor: float = 1.0) -> np.ndarray:
    return _compare(values, cut, operator.gt, factor)


def below(values: np.ndarray | pd.Series, cut: float, factor: float = 1.0) -> np.ndarray:
    return _compare(values, cut, operator.lt, factor)


def present(finding: np.ndarray | pd.Series) -> np.ndarray:
    """A 1/0/NaN finding column as a criterion (any positive value counts as present)."""
    x = floats(finding)
    return kleene(x > 0, np.isnan(x))


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
    return kleene(met, ~(met | all_no))


def all_of(*criteria: np.ndarray) -> np.ndarray:
    """Kleene AND: not met if any is not met, met if all are met, else unknown."""
    some_no = functools.reduce(np.logical_or, [c == 0.0 for c in criteria])
    all_met = functools.reduce(np.logical_and, [c == 1.0 for c in criteria])
    return kleene(all_met & ~some_no, ~(some_no | all_met))


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
    return kleene(met >= n, (met < n) & (possible >= n))


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
