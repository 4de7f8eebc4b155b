"""Preliminary diagnostic guidelines for MAS in juvenile systemic lupus erythematosus.

Source: Parodi A, et al. Macrophage activation syndrome in juvenile systemic lupus erythematosus: a
multinational multicenter study of thirty-eight patients. Arthritis Rheum 2009;60(11):3388-99,
doi:10.1002/art.24883.

| kind        | criterion (id)   | met when                                                        |
|-------------|------------------|-----------------------------------------------------------------|
| clinical    | fever            | temperature > 38 °C                                             |
| clinical    | hepatomegaly     | ≥ 3 cm below the costal arch                                    |
| clinical    | splenomegaly     | ≥ 3 cm below the costal arch                                    |
| clinical    | hemorrhage       | hemorrhagic manifestations                                      |
| clinical    | cns_involvement  | CNS dysfunction                                                 |
| laboratory  | cytopenias       | ≥ 2 of: WBC ≤ 4.0 ×10⁹/L, Hb ≤ 90 g/L, platelets ≤ 150 ×10⁹/L   |
| laboratory  | ferritin         | > 500 µg/L                                                      |
| laboratory  | ast              | > 40 U/L                                                        |
| laboratory  | ldh              | > 567 U/L                                                       |
| laboratory  | fibrinogen       | ≤ 1.5 g/L                                                       |
| laboratory  | triglycerides    | > 178 mg/dL (mmol/L × 88.57)                                    |

Rule: ≥ 1 clinical and ≥ 2 laboratory criteria. Bone-marrow hemophagocytosis is "needed only in doubtful
cases" and is not part of the rule, so it is not scored here. Choices: an enlarged organ of unknown size is
unknown for the ≥ 3 cm criterion; `clinical`/`laboratory` count the criteria known to be met; `fulfilled`
is null while the unknown criteria could still change it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.scores import logic

CLINICAL: tuple[str, ...] = ("fever", "hepatomegaly", "splenomegaly", "hemorrhage", "cns_involvement")
LABORATORY: tuple[str, ...] = ("cytopenias", "ferritin", "ast", "ldh", "fibrinogen", "triglycerides")


@logic.item
def fever(temperature_c: np.ndarray) -> np.ndarray:
    return logic.above(temperature_c, 38.0)


@logic.item
def enlarged_3cm(finding: np.ndarray, size_cm: np.ndarray) -> np.ndarray:
    """≥ 3 cm when the size is known; not met when the organ is not enlarged; unknown otherwise."""
    by_size = logic.at_least(size_cm, 3.0)
    absent = logic.present(finding) == 0.0
    by_size[np.isnan(by_size) & absent] = 0.0
    return by_size


@logic.item
def cytopenias(
    wbc_1e9_per_l: np.ndarray, hemoglobin_g_per_l: np.ndarray, platelets_1e9_per_l: np.ndarray
) -> np.ndarray:
    return logic.at_least_n(
        2,
        logic.at_most(wbc_1e9_per_l, 4.0),
        logic.at_most(hemoglobin_g_per_l, 90.0),
        logic.at_most(platelets_1e9_per_l, 150.0),
    )


@logic.item
def ferritin(ferritin_ng_per_ml: np.ndarray) -> np.ndarray:
    return logic.above(ferritin_ng_per_ml, 500.0)


@logic.item
def ast(ast_u_per_l: np.ndarray) -> np.ndarray:
    return logic.above(ast_u_per_l, 40.0)


@logic.item
def ldh(ldh_u_per_l: np.ndarray) -> np.ndarray:
    return logic.above(ldh_u_per_l, 567.0)


@logic.item
def fibrinogen(fibrinogen_g_per_l: np.ndarray) -> np.ndarray:
    return logic.at_most(fibrinogen_g_per_l, 1.5)


@logic.item
def triglycerides(triglycerides_mmol_per_l: np.ndarray) -> np.ndarray:
    return logic.above(triglycerides_mmol_per_l, 178.0, factor=logic.TG_MG_PER_DL_PER_MMOL_PER_L)


def criteria(matrix: pd.DataFrame) -> dict[str, np.ndarray]:
    m = logic.inputs(matrix)
    return {
        "fever": fever(m["temperature_c"]),
        "hepatomegaly": enlarged_3cm(m["hepatomegaly"], m["hepatomegaly_cm"]),
        "splenomegaly": enlarged_3cm(m["splenomegaly"], m["splenomegaly_cm"]),
        "hemorrhage": logic.present(m["hemorrhage"]),
        "cns_involvement": logic.present(m["cns_involvement"]),
        "cytopenias": cytopenias(
            m["wbc_1e9_per_l"], m["hemoglobin_g_per_l"], m["platelets_1e9_per_l"]
        ),
        "ferritin": ferritin(m["ferritin_ng_per_ml"]),
        "ast": ast(m["ast_u_per_l"]),
        "ldh": ldh(m["ldh_u_per_l"]),
        "fibrinogen": fibrinogen(m["fibrinogen_g_per_l"]),
        "triglycerides": triglycerides(m["triglycerides_mmol_per_l"]),
    }


def columns(matrix: pd.DataFrame) -> dict[str, object]:
    """The Parodi 2009 columns as arrays (see `score`), for `score_matrix` to build one frame from."""
    crit = criteria(matrix)
    clinical = [crit[c] for c in CLINICAL]
    laboratory = [crit[c] for c in LABORATORY]
    fulfilled = logic.all_of(logic.at_least_n(1, *clinical), logic.at_least_n(2, *laboratory))
    return {
        "parodi2009.fulfilled": logic.as_boolean(fulfilled),
        "parodi2009.clinical": logic.count_met(*clinical),
        "parodi2009.laboratory": logic.count_met(*laboratory),
        **{f"parodi2009.criteria.{name}": logic.as_boolean(criterion) for name, criterion in crit.items()},
    }


def score(matrix: pd.DataFrame) -> pd.DataFrame:
    """parodi2009.fulfilled, .clinical, .laboratory (criteria known met) and .criteria.<id>."""
    return pd.DataFrame(columns(matrix), index=matrix.index)
