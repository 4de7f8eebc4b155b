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

The cut-offs are read from the criteria registry (criteria.py). Rule: ≥ 1 clinical and ≥ 2 laboratory
criteria. Bone-marrow hemophagocytosis is "needed only in doubtful cases" and is not part of the rule, so
it is not scored here. Choices: an enlarged organ of unknown size is unknown for the ≥ 3 cm criterion; `clinical`/`laboratory` count the criteria known to be met; `fulfilled`
is null while the unknown criteria could still change it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain import criteria as registry
from dashboard.domain.scores import logic

CLINICAL: tuple[str, ...] = ("fever", "hepatomegaly", "splenomegaly", "hemorrhage", "cns_involvement")
LABORATORY: tuple[str, ...] = ("cytopenias", "ferritin", "ast", "ldh", "fibrinogen", "triglycerides")


def _rule(item: str, x: logic.Value) -> np.ndarray:
    return logic.meets(registry.rule("parodi2009", item), x)


@logic.item
def fever(temperature_c: logic.Value) -> np.ndarray:
    return _rule("fever", temperature_c)


@logic.item
def enlarged_3cm(finding: np.ndarray, size_cm: logic.Value, organ: str = "hepatomegaly") -> np.ndarray:
    """≥ 3 cm when the size is known; not met when the organ is not enlarged; unknown otherwise."""
    by_size = _rule(organ, size_cm)
    absent = logic.present(finding) == 0.0
    by_size[np.isnan(by_size) & absent] = 0.0
    return by_size


@logic.item
def cytopenias(
    wbc_1e9_per_l: logic.Value, hemoglobin_g_per_l: logic.Value, platelets_1e9_per_l: logic.Value
) -> np.ndarray:
    wbc, hb, plt = registry.rules("parodi2009", "cytopenias")
    return logic.at_least_n(
        registry.tally("parodi2009", "cytopenias").needed,
        logic.meets(wbc, wbc_1e9_per_l),
        logic.meets(hb, hemoglobin_g_per_l),
        logic.meets(plt, platelets_1e9_per_l),
    )


@logic.item
def ferritin(ferritin_ng_per_ml: logic.Value) -> np.ndarray:
    return _rule("ferritin", ferritin_ng_per_ml)


@logic.item
def ast(ast_u_per_l: logic.Value) -> np.ndarray:
    return _rule("ast", ast_u_per_l)


@logic.item
def ldh(ldh_u_per_l: logic.Value) -> np.ndarray:
    return _rule("ldh", ldh_u_per_l)


@logic.item
def fibrinogen(fibrinogen_g_per_l: logic.Value) -> np.ndarray:
    return _rule("fibrinogen", fibrinogen_g_per_l)


@logic.item
def triglycerides(triglycerides_mmol_per_l: logic.Value) -> np.ndarray:
    return _rule("triglycerides", triglycerides_mmol_per_l)


def criteria(matrix: pd.DataFrame | logic.Inputs) -> dict[str, np.ndarray]:
    m = logic.inputs(matrix)
    return {
        "fever": fever(m["temperature_c"]),
        "hepatomegaly": enlarged_3cm(m["hepatomegaly"], m["hepatomegaly_cm"], "hepatomegaly"),
        "splenomegaly": enlarged_3cm(m["splenomegaly"], m["splenomegaly_cm"], "splenomegaly"),
        "hemorrhage": _rule("hemorrhage", m["hemorrhage"]),
        "cns_involvement": _rule("cns_involvement", m["cns_involvement"]),
        "cytopenias": cytopenias(
            m["wbc_1e9_per_l"], m["hemoglobin_g_per_l"], m["platelets_1e9_per_l"]
        ),
        "ferritin": ferritin(m["ferritin_ng_per_ml"]),
        "ast": ast(m["ast_u_per_l"]),
        "ldh": ldh(m["ldh_u_per_l"]),
        "fibrinogen": fibrinogen(m["fibrinogen_g_per_l"]),
        "triglycerides": triglycerides(m["triglycerides_mmol_per_l"]),
    }


def columns(matrix: pd.DataFrame | logic.Inputs) -> dict[str, object]:
    """The Parodi 2009 columns as arrays (see `score`), for `score_matrix` to build one frame from."""
    crit = criteria(matrix)
    clinical = [crit[c] for c in CLINICAL]
    laboratory = [crit[c] for c in LABORATORY]
    fulfilled = logic.all_of(
        logic.at_least_n(registry.tally("parodi2009", "clinical").needed, *clinical),
        logic.at_least_n(registry.tally("parodi2009", "laboratory").needed, *laboratory),
    )
    return {
        "parodi2009.fulfilled": logic.as_boolean(fulfilled),
        "parodi2009.clinical": logic.count_met(*clinical),
        "parodi2009.laboratory": logic.count_met(*laboratory),
        **{f"parodi2009.criteria.{name}": logic.as_boolean(criterion) for name, criterion in crit.items()},
    }


def score(matrix: pd.DataFrame) -> pd.DataFrame:
    """parodi2009.fulfilled, .clinical, .laboratory (criteria known met) and .criteria.<id>."""
    return pd.DataFrame(columns(matrix), index=matrix.index)
