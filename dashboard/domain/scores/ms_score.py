"""MS score: macrophage activation syndrome versus active systemic JIA.

Source: Minoia F, et al. Development and initial validation of the MS score for diagnosis of macrophage
activation syndrome in systemic juvenile idiopathic arthritis. Ann Rheum Dis 2019;78(10):1357-62,
doi:10.1136/annrheumdis-2019-215211.

MS = 2.44·CNS involvement + 1.54·hemorrhagic manifestations − 1.30·active arthritis
     − 0.003·platelets (×10⁹/L) + 0.001·LDH (U/L) − 0.004·fibrinogen (mg/dL) + 0.0001·ferritin (ng/mL)
Clinical variables are 1 present, 0 absent. MAS should be considered at MS ≥ −2.1.

Choices: `value` is null unless every input is known. When the four laboratory inputs are known and only
clinical (binary) items are unknown, `min`/`max` give the range those items allow and `mas` is true when
even `min` ≥ −2.1, false when even `max` < −2.1, otherwise null. Without a laboratory input all are null.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.scores import logic

CUT_OFF = -2.1
CLINICAL_WEIGHTS: dict[str, float] = {"cns_involvement": 2.44, "hemorrhage": 1.54, "arthritis": -1.30}


@logic.item
def laboratory_part(
    platelets_1e9_per_l: np.ndarray, ldh_u_per_l: np.ndarray,
    fibrinogen_g_per_l: np.ndarray, ferritin_ng_per_ml: np.ndarray,
) -> np.ndarray:
    """The continuous terms; NaN when any is unknown. Fibrinogen enters in mg/dL (g/L × 100)."""
    return (
        -0.003 * logic.floats(platelets_1e9_per_l)
        + 0.001 * logic.floats(ldh_u_per_l)
        - 0.004 * logic.floats(fibrinogen_g_per_l) * logic.MG_PER_DL_PER_G_PER_L
        + 0.0001 * logic.floats(ferritin_ng_per_ml)
    )


@logic.item
def clinical_range(
    cns_involvement: np.ndarray, hemorrhage: np.ndarray, arthritis: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) of the binary terms: a known item adds its weight or 0; an unknown one either."""
    lo = hi = np.zeros(len(cns_involvement))
    for finding, weight in zip((cns_involvement, hemorrhage, arthritis), CLINICAL_WEIGHTS.values()):
        known = logic.present(finding) * weight
        unknown = np.isnan(known)
        lo = lo + np.where(unknown, min(weight, 0.0), known)
        hi = hi + np.where(unknown, max(weight, 0.0), known)
    return lo, hi


def columns(matrix: pd.DataFrame) -> dict[str, object]:
    """The MS score columns as arrays (see `score`), for `score_matrix` to build one frame from."""
    m = logic.inputs(matrix)
    lab = laboratory_part(
        m["platelets_1e9_per_l"], m["ldh_u_per_l"], m["fibrinogen_g_per_l"], m["ferritin_ng_per_ml"]
    )
    lo, hi = clinical_range(m["cns_involvement"], m["hemorrhage"], m["arthritis"])
    low, high = np.round(lab + lo, logic.DECIMALS), np.round(lab + hi, logic.DECIMALS)
    value = np.where(low == high, low, np.nan)
    surely, surely_not = low >= CUT_OFF, high < CUT_OFF
    mas = logic.kleene(surely, ~(surely | surely_not) | np.isnan(lab))
    return {
        "ms_score.value": logic.as_float(value),
        "ms_score.min": logic.as_float(low),
        "ms_score.max": logic.as_float(high),
        "ms_score.mas": logic.as_boolean(mas),
    }


def score(matrix: pd.DataFrame) -> pd.DataFrame:
    """ms_score.value, .min, .max (null unless the laboratory part is known) and .mas."""
    return pd.DataFrame(columns(matrix), index=matrix.index)
