"""Ferritin/ESR ratio.

Source: Eloseily EMA, et al. Ferritin to Erythrocyte Sedimentation Rate Ratio: Simple Measure to Identify
Macrophage Activation Syndrome in Systemic Juvenile Idiopathic Arthritis. Arthritis Rheumatol
2020;72(2):326-34, doi:10.1002/art.41103.

ratio = ferritin (ng/mL) ÷ ESR (mm/h); a ratio > 21.5 favoured MAS over active sJIA.
Null when either is unknown, or when ESR is 0 (the ratio is then undefined, not infinite).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.scores import logic

CUT_OFF = 21.5


@logic.item
def ratio(ferritin_ng_per_ml: np.ndarray, esr_mm_per_h: np.ndarray) -> np.ndarray:
    ferritin = logic.floats(ferritin_ng_per_ml)
    esr = logic.floats(esr_mm_per_h)
    with np.errstate(over="ignore"):  # as pandas division: a huge quotient is inf, silently
        return ferritin / np.where(esr > 0, esr, np.nan)


def columns(matrix: pd.DataFrame) -> dict[str, object]:
    """The ratio column as an array, for `score_matrix` to build one frame from."""
    m = logic.inputs(matrix)
    return {"ferritin_esr_ratio.value": logic.as_float(ratio(m["ferritin_ng_per_ml"], m["esr_mm_per_h"]))}


def score(matrix: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(columns(matrix), index=matrix.index)
