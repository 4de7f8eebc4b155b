"""Builders for score tests (imported by the test modules): a timepoint matrix from a few columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.matrix import INPUT_COLUMNS

# Unit facts (clinical-criteria.md), written out here so the tests do not reuse the code's constants.
MG_DL_PER_MMOL_TG = 88.57


def build_matrix(**columns: list[float]) -> pd.DataFrame:
    """One row per list position; unnamed inputs are NaN (unknown)."""
    n = max((len(v) for v in columns.values()), default=1)
    frame = pd.DataFrame({name: np.full(n, np.nan) for name in INPUT_COLUMNS})
    for name, values in columns.items():
        assert name in INPUT_COLUMNS, name
        frame[name] = np.asarray(values, dtype="float64")
    frame.insert(0, "day", np.arange(n, dtype="float64"))
    frame.insert(0, "tp_order", pd.array(range(n), dtype="Int32"))
    return frame


def values(series: pd.Series) -> list:
    """A score column as plain Python values with None for unknown."""
    return [None if pd.isna(v) else (bool(v) if isinstance(v, (bool, np.bool_)) else v) for v in series]
