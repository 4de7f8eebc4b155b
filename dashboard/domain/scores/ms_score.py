"""MS score: macrophage activation syndrome versus active systemic JIA.

Source: Minoia F, et al. Development and initial validation of the MS score for diagnosis of macrophage
activation syndrome in systemic juvenile idiopathic arthritis. Ann Rheum Dis 2019;78(10):1357-62,
doi:10.1136/annrheumdis-2019-215211.

MS = 2.44·CNS involvement + 1.54·hemorrhagic manifestations − 1.30·active arthritis
     − 0.003·platelets (×10⁹/L) + 0.001·LDH (U/L) − 0.004·fibrinogen (mg/dL) + 0.0001·ferritin (ng/mL)
Clinical variables are 1 present, 0 absent. MAS should be considered at MS ≥ −2.1.

Choices: `value` is null unless every input is known exactly. With the four laboratory inputs known
(exactly or censored) `min`/`max` give the range the bounds of the laboratory values and the unknown
clinical (binary) items allow (a `>` bound can make it unbounded: ±inf), and `mas` is true when even `min`
≥ −2.1 (criteria registry), false when even `max` < −2.1, otherwise null. Without a laboratory input all
are null.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain import criteria as registry
from dashboard.domain.scores import logic

CUT_OFF = registry.MS_SCORE_CUT_OFF
CLINICAL_WEIGHTS: dict[str, float] = {"cns_involvement": 2.44, "hemorrhage": 1.54, "arthritis": -1.30}
# laboratory input -> (weight, factor from the canonical unit to the formula's unit): fibrinogen is in mg/dL
LABORATORY_WEIGHTS: dict[str, tuple[float, float]] = {
    "platelets_1e9_per_l": (-0.003, 1.0),
    "ldh_u_per_l": (0.001, 1.0),
    "fibrinogen_g_per_l": (-0.004, registry.factor("fibrinogen_g_per_l", "mg/dL")),
    "ferritin_ng_per_ml": (0.0001, 1.0),
}


@logic.item
def laboratory_part(
    platelets_1e9_per_l: logic.Value, ldh_u_per_l: logic.Value,
    fibrinogen_g_per_l: logic.Value, ferritin_ng_per_ml: logic.Value,
) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) of the continuous terms from each value's bounds; NaN when any is unknown."""
    lo = hi = 0.0
    for value, (weight, factor) in zip(
        (platelets_1e9_per_l, ldh_u_per_l, fibrinogen_g_per_l, ferritin_ng_per_ml), LABORATORY_WEIGHTS.values()
    ):
        m = logic.measure(value)
        low, high = (m.low, m.high) if weight > 0 else (m.high, m.low)
        with np.errstate(invalid="ignore"):
            lo, hi = lo + weight * low * factor, hi + weight * high * factor
    return np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)


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


def columns(matrix: pd.DataFrame | logic.Inputs) -> dict[str, object]:
    """The MS score columns as arrays (see `score`), for `score_matrix` to build one frame from."""
    m = logic.inputs(matrix)
    lab_lo, lab_hi = laboratory_part(
        m["platelets_1e9_per_l"], m["ldh_u_per_l"], m["fibrinogen_g_per_l"], m["ferritin_ng_per_ml"]
    )
    lo, hi = clinical_range(m["cns_involvement"], m["hemorrhage"], m["arthritis"])
    low, high = np.round(lab_lo + lo, logic.DECIMALS), np.round(lab_hi + hi, logic.DECIMALS)
    value = np.where(low == high, low, np.nan)
    mas = logic.verdict(low >= CUT_OFF, high < CUT_OFF)  # neither when the laboratory part is unknown
    return {
        "ms_score.value": logic.as_float(value),
        "ms_score.min": logic.as_float(low),
        "ms_score.max": logic.as_float(high),
        "ms_score.mas": logic.as_boolean(mas),
    }


def score(matrix: pd.DataFrame) -> pd.DataFrame:
    """ms_score.value (exact only), .min, .max (null unless the laboratory part is known) and .mas."""
    return pd.DataFrame(columns(matrix), index=matrix.index)
