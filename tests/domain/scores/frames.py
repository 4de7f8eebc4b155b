"""Builders for score tests (imported by the test modules): a timepoint matrix from a few columns."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dashboard.domain.matrix import (
    FINDING_INPUTS,
    INPUT_COLUMNS,
    MEASURE_INPUTS,
    PRINTED,
    measure_columns,
    unknown_column,
)
from dashboard.domain.measure import Measure

# Unit facts (clinical-criteria.md), written out here so the tests do not reuse the code's constants.
MG_DL_PER_MMOL_TG = 88.57
MEASURES = (*MEASURE_INPUTS, *(p[3] for p in PRINTED))
_CENSORED = re.compile(r"^(<=|>=|<|>)\s*(.+)$")


def measure(values: list) -> Measure:
    """Values as a test writes them: numbers (exact), None/NaN (unknown) or text "<30", ">=6000"."""
    numbers, qualifiers = [], []
    for v in values:
        match = _CENSORED.match(v) if isinstance(v, str) else None
        qualifiers.append(match.group(1) if match else None)
        numbers.append(float(match.group(2)) if match else (np.nan if v is None else float(v)))
    return Measure.from_qualified(np.array(numbers), pd.Series(qualifiers, dtype=object))


def build_matrix(**columns: list) -> pd.DataFrame:
    """One row per list position; unnamed inputs are unknown. Numeric inputs (and the printed-unit
    measures such as `triglycerides_mg_per_dl`) take numbers or censored text ("<5000")."""
    n = max((len(v) for v in columns.values()), default=1)
    frame = {name: unknown_column(name, n) for name in INPUT_COLUMNS}
    for name, values in columns.items():
        if name in MEASURES:
            frame.update(measure_columns(name, measure(values)))
        else:
            assert name in FINDING_INPUTS, name
            frame[name] = np.asarray(values, dtype="float64")
    out = pd.DataFrame(frame)
    out.insert(0, "day", np.arange(n, dtype="float64"))
    out.insert(0, "tp_order", pd.array(range(n), dtype="Int32"))
    return out


def values(series: pd.Series) -> list:
    """A score column as plain Python values with None for unknown."""
    return [None if pd.isna(v) else (bool(v) if isinstance(v, (bool, np.bool_)) else v) for v in series]
