"""Ferritin/ESR ratio.

Source: Eloseily EMA, et al. Ferritin to Erythrocyte Sedimentation Rate Ratio: Simple Measure to Identify
Macrophage Activation Syndrome in Systemic Juvenile Idiopathic Arthritis. Arthritis Rheumatol
2020;72(2):326-34, doi:10.1002/art.41103.

ratio = ferritin (ng/mL) ÷ ESR (mm/h); a ratio > 21.5 favoured MAS over active sJIA.
`value` is the ratio of two exact values; `min`/`max` the range the bounds allow (ferritin low ÷ ESR high,
ferritin high ÷ ESR low: `>6000` gives an unbounded max, inf). Null when either is unknown, or when ESR is
exactly 0 (the ratio is then undefined, not infinite).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain import criteria as registry
from dashboard.domain.scores import logic

CUT_OFF = registry.FERRITIN_ESR_CUT_OFF


@logic.item
def ratio_range(ferritin_ng_per_ml: logic.Value, esr_mm_per_h: logic.Value) -> tuple[np.ndarray, np.ndarray]:
    """(min, max) of ferritin ÷ ESR over the values the bounds allow; NaN when undefined or unknown."""
    ferritin, esr = logic.measure(ferritin_ng_per_ml), logic.measure(esr_mm_per_h)
    defined = ~((esr.low == 0) & (esr.high == 0))
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # x / 0 -> inf, as the bound allows
        low = np.where(defined, ferritin.low / esr.high, np.nan)
        high = np.where(defined, ferritin.high / esr.low, np.nan)
    return low, high


@logic.item
def ratio(ferritin_ng_per_ml: logic.Value, esr_mm_per_h: logic.Value) -> np.ndarray:
    """The ratio where both values are exact (and ESR > 0), else NaN."""
    low, high = ratio_range(ferritin_ng_per_ml, esr_mm_per_h)
    return np.where(low == high, low, np.nan)


def columns(matrix: pd.DataFrame | logic.Inputs) -> dict[str, object]:
    """The ratio columns as arrays, for `score_matrix` to build one frame from."""
    m = logic.inputs(matrix)
    low, high = ratio_range(m["ferritin_ng_per_ml"], m["esr_mm_per_h"])
    return {
        "ferritin_esr_ratio.value": logic.as_float(np.where(low == high, low, np.nan)),
        "ferritin_esr_ratio.min": logic.as_float(low),
        "ferritin_esr_ratio.max": logic.as_float(high),
    }


def score(matrix: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(columns(matrix), index=matrix.index)
