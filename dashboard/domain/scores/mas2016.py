"""2016 EULAR/ACR/PRINTO classification criteria for macrophage activation syndrome in sJIA.

Source: Ravelli A, et al. 2016 Classification Criteria for Macrophage Activation Syndrome Complicating
Systemic Juvenile Idiopathic Arthritis. Arthritis Rheumatol 2016;68(3):566-76, doi:10.1002/art.39332.

A febrile patient with known or suspected sJIA is classified as having MAS if
ferritin > 684 ng/mL and any 2 of:

| criterion (id)  | met when                          |
|-----------------|-----------------------------------|
| platelets       | ≤ 181 ×10⁹/L                      |
| ast             | > 48 U/L                          |
| triglycerides   | > 156 mg/dL (mmol/L × 88.57)      |
| fibrinogen      | ≤ 360 mg/dL (g/L × 100)           |

The cut-offs are read from the criteria registry (criteria.py); values that arrived in mg/dL are
compared with the printed mg/dL cut-offs as written, others after conversion.

Choices: "febrile" is an entry condition, recorded as criterion `febrile` (temperature ≥ 38.0 °C, the
usual definition of fever; the paper gives no number) and combined with Kleene AND: a known afebrile
timepoint is not classified (false), and an unknown temperature leaves the classification unknown (null)
whenever the laboratory part is met, because the rule only applies to febrile patients. Whether the
patient has sJIA is not checked (the criteria are applied as a reference to any case).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain import criteria as registry
from dashboard.domain.scores import logic

CRITERIA: tuple[str, ...] = ("febrile", "ferritin", "platelets", "ast", "triglycerides", "fibrinogen")


def _rule(item: str, x: logic.Value) -> np.ndarray:
    return logic.meets(registry.rule("mas2016", item), x)


@logic.item
def febrile(temperature_c: logic.Value) -> np.ndarray:
    return _rule("febrile", temperature_c)


@logic.item
def ferritin(ferritin_ng_per_ml: logic.Value) -> np.ndarray:
    return _rule("ferritin", ferritin_ng_per_ml)


@logic.item
def platelets(platelets_1e9_per_l: logic.Value) -> np.ndarray:
    return _rule("platelets", platelets_1e9_per_l)


@logic.item
def ast(ast_u_per_l: logic.Value) -> np.ndarray:
    return _rule("ast", ast_u_per_l)


@logic.item
def triglycerides(triglycerides_mmol_per_l: logic.Value) -> np.ndarray:
    return _rule("triglycerides", triglycerides_mmol_per_l)


@logic.item
def fibrinogen(fibrinogen_g_per_l: logic.Value) -> np.ndarray:
    return _rule("fibrinogen", fibrinogen_g_per_l)


def criteria(matrix: pd.DataFrame | logic.Inputs) -> dict[str, np.ndarray]:
    m = logic.inputs(matrix)
    return {
        "febrile": febrile(m["temperature_c"]),
        "ferritin": ferritin(m["ferritin_ng_per_ml"]),
        "platelets": platelets(m["platelets_1e9_per_l"]),
        "ast": ast(m["ast_u_per_l"]),
        "triglycerides": triglycerides(m["triglycerides_mmol_per_l"]),
        "fibrinogen": fibrinogen(m["fibrinogen_g_per_l"]),
    }


def columns(matrix: pd.DataFrame | logic.Inputs) -> dict[str, object]:
    """The MAS 2016 columns as arrays (see `score`), for `score_matrix` to build one frame from."""
    crit = criteria(matrix)
    two_of_four = logic.at_least_n(
        registry.tally("mas2016", "laboratory").needed,
        crit["platelets"], crit["ast"], crit["triglycerides"], crit["fibrinogen"],
    )
    classified = logic.all_of(crit["febrile"], crit["ferritin"], two_of_four)
    return {
        "mas2016.classified": logic.as_boolean(classified),
        **{f"mas2016.criteria.{name}": logic.as_boolean(criterion) for name, criterion in crit.items()},
    }


def score(matrix: pd.DataFrame) -> pd.DataFrame:
    """mas2016.classified (true/false/null) and mas2016.criteria.<id>."""
    return pd.DataFrame(columns(matrix), index=matrix.index)
