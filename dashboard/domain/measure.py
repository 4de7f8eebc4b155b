"""What a table says about a number: the interval its true value lies in.

An exact result `51` is the interval [51, 51]; a censored one is open on one side: `<30` is [0, 30),
`<=30` is [0, 30], `>6000` is (6000, +inf), `>=6000` is [6000, +inf). A bound is inclusive or not as
written. Unknown is NaN on both sides. A score criterion is met (or not) only when every value the
interval allows agrees; otherwise it is unknown, like a missing value (see `scores/logic.py`).

`Measure` holds these four arrays for many rows at once, so flags, the timepoint matrix and the scores
share one definition of what `<`, `<=`, `>` and `>=` mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DECIMALS = 6  # every comparison with a cut-off is made on values rounded to 6 decimals (scores/logic.py)
QUALIFIERS: tuple[str, ...] = ("<", "<=", ">", ">=")


@dataclass(frozen=True, eq=False)
class Measure:
    """Bounds of the true values (float arrays; NaN unknown) and whether each bound is inclusive (bool).

    `printed` maps a unit in which a criterion's source prints its cut-off ("mg/dL") to the same values
    as they arrived in that unit (NaN on rows that arrived in another unit): scores compare those with
    the cut-off printed in that unit (criteria.py).
    """

    low: np.ndarray
    high: np.ndarray
    low_inclusive: np.ndarray
    high_inclusive: np.ndarray
    printed: Mapping[str, Measure] = field(default_factory=dict)
    _rounded: dict = field(default_factory=dict, repr=False)  # cache: rounded bounds per factor, masks

    @classmethod
    def exact(cls, values: np.ndarray | pd.Series | list) -> Measure:
        """Exact values (NaN unknown): both bounds equal and inclusive."""
        x = floats(values)
        inclusive = np.ones(len(x), dtype=bool)
        return cls(x, x, inclusive, inclusive)

    @classmethod
    def from_qualified(cls, values: np.ndarray | pd.Series, qualifiers: np.ndarray | pd.Series) -> Measure:
        """Values with their censoring qualifier (None, "<", "<=", ">", ">="), as in the tidy table."""
        x = floats(values)
        # factorize once: the per-row flags are looked up over the few distinct qualifiers
        code, distinct = pd.factorize(pd.Series(qualifiers, dtype="string"))
        kinds = distinct.tolist()
        unexpected = [k for k in kinds if k not in QUALIFIERS]
        if unexpected:
            raise ValueError(f"qualifier {unexpected[0]!r} is not one of {', '.join(QUALIFIERS)} (or empty)")

        def rows_with(*wanted: str) -> np.ndarray:
            return np.array([k in wanted for k in kinds] + [False])[code]  # code -1 (no qualifier): False

        below, above = rows_with("<", "<="), rows_with(">", ">=")
        low = np.where(below & ~np.isnan(x), 0.0, x)
        high = np.where(above & ~np.isnan(x), np.inf, x)
        # 0 is an allowed value of `<30`; +inf is no value, so never an included bound
        return cls(low, high, ~rows_with(">"), ~(rows_with("<") | above))

    @property
    def known(self) -> np.ndarray:
        """Rows with any information (a bound)."""
        return ~np.isnan(self.low)

    @property
    def is_exact(self) -> np.ndarray:
        """Rows holding one known value."""
        return self.low == self.high

    def rounded(self, factor: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """(low, high) times `factor` (a unit conversion), rounded to DECIMALS; computed once per factor."""
        if factor not in self._rounded:
            with np.errstate(over="ignore", invalid="ignore"):
                self._rounded[factor] = (
                    np.round(self.low * factor, DECIMALS), np.round(self.high * factor, DECIMALS)
                )
        return self._rounded[factor]

    def excluded(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(low excluded, high excluded) masks, or None for a side where every bound is inclusive (no
        `>` / `<` value in the column): comparisons then skip that side's exclusive case."""
        if "excluded" not in self._rounded:
            low_out, high_out = ~self.low_inclusive, ~self.high_inclusive
            self._rounded["excluded"] = (low_out if low_out.any() else None, high_out if high_out.any() else None)
        return self._rounded["excluded"]

    def take(self, rows: np.ndarray) -> Measure:
        """The same measure on a subset of rows (boolean mask or positions)."""
        return Measure(
            self.low[rows], self.high[rows], self.low_inclusive[rows], self.high_inclusive[rows],
            {unit: m.take(rows) for unit, m in self.printed.items()},
        )

    def __len__(self) -> int:
        return len(self.low)


def floats(values: object) -> np.ndarray:
    """The values as a float64 array with NaN for unknown (accepts arrays, and Series of numpy, nullable
    and pyarrow dtypes). A float64 array comes back without a copy: callers never write into it."""
    if isinstance(values, np.ndarray) and values.dtype == np.float64:
        return values
    if isinstance(values, (pd.Series, pd.Index)) or pd.api.types.is_extension_array_dtype(values):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    return np.asarray(values, dtype="float64")
