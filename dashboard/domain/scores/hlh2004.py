"""HLH-2004 diagnostic criteria.

Source: Henter JI, et al. HLH-2004: Diagnostic and therapeutic guidelines for hemophagocytic
lymphohistiocytosis. Pediatr Blood Cancer 2007;48(2):124-31, doi:10.1002/pbc.21039 (Table 1).

Diagnosis: a molecular diagnosis consistent with HLH, or ≥ 5 of these 8 criteria:

| criterion (id)              | met when                                                          |
|-----------------------------|-------------------------------------------------------------------|
| fever                       | temperature ≥ 38.5 °C                                             |
| splenomegaly                | splenomegaly present                                              |
| cytopenias                  | ≥ 2 of: Hb < 90 g/L, platelets < 100 ×10⁹/L, neutrophils < 1.0 ×10⁹/L |
| triglycerides_fibrinogen    | fasting triglycerides ≥ 3.0 mmol/L and/or fibrinogen ≤ 1.5 g/L    |
| hemophagocytosis            | in bone marrow, spleen or lymph nodes                             |
| nk_activity                 | low or absent NK-cell activity                                    |
| ferritin                    | ≥ 500 µg/L (= ng/mL)                                              |
| scd25                       | soluble CD25 ≥ 2400 U/mL                                          |

The cut-offs are read from the criteria registry (criteria.py). Choices: Henter's inclusive bounds are
used (the seed's Table 2 words some as strict). The triglyceride cut-off is printed as 3.0 mmol/L
(≥ 265 mg/dL): a value that arrived in mg/dL is compared with 265 mg/dL (so 265 mg/dL is met), any other
with 3.0 mmol/L (so 2.99 mmol/L is not). The infant hemoglobin bound (< 100 g/L under 4 weeks) is not
applied: the matrix carries no age. Molecular diagnosis is not modelled. Three-valued throughout:
cytopenias is met when two known lineages are low even if the third is unknown, and not met when at most
one could be low.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain import criteria as registry
from dashboard.domain.scores import logic

CRITERIA: tuple[str, ...] = registry.HLH2004_CRITERIA
REQUIRED = registry.HLH2004_REQUIRED


def _rule(item: str, x: logic.Value) -> np.ndarray:
    return logic.meets(registry.rule("hlh2004", item), x)


@logic.item
def fever(temperature_c: logic.Value) -> np.ndarray:
    return _rule("fever", temperature_c)


@logic.item
def splenomegaly(splenomegaly: np.ndarray) -> np.ndarray:
    return _rule("splenomegaly", splenomegaly)


@logic.item
def cytopenias(
    hemoglobin_g_per_l: logic.Value, platelets_1e9_per_l: logic.Value, neutrophils_1e9_per_l: logic.Value
) -> np.ndarray:
    hb, plt, anc = registry.rules("hlh2004", "cytopenias")
    return logic.at_least_n(
        registry.tally("hlh2004", "cytopenias").needed,
        logic.meets(hb, hemoglobin_g_per_l),
        logic.meets(plt, platelets_1e9_per_l),
        logic.meets(anc, neutrophils_1e9_per_l),
    )


@logic.item
def triglycerides_fibrinogen(triglycerides_mmol_per_l: logic.Value, fibrinogen_g_per_l: logic.Value) -> np.ndarray:
    tg, fib = registry.rules("hlh2004", "triglycerides_fibrinogen")
    return logic.any_of(logic.meets(tg, triglycerides_mmol_per_l), logic.meets(fib, fibrinogen_g_per_l))


@logic.item
def hemophagocytosis(hemophagocytosis: np.ndarray) -> np.ndarray:
    return _rule("hemophagocytosis", hemophagocytosis)


@logic.item
def nk_activity(nk_low: np.ndarray) -> np.ndarray:
    return _rule("nk_activity", nk_low)


@logic.item
def ferritin(ferritin_ng_per_ml: logic.Value) -> np.ndarray:
    return _rule("ferritin", ferritin_ng_per_ml)


@logic.item
def scd25(scd25_u_per_ml: logic.Value) -> np.ndarray:
    return _rule("scd25", scd25_u_per_ml)


def criteria(matrix: pd.DataFrame | logic.Inputs) -> dict[str, np.ndarray]:
    m = logic.inputs(matrix)
    return {
        "fever": fever(m["temperature_c"]),
        "splenomegaly": splenomegaly(m["splenomegaly"]),
        "cytopenias": cytopenias(
            m["hemoglobin_g_per_l"], m["platelets_1e9_per_l"], m["neutrophils_1e9_per_l"]
        ),
        "triglycerides_fibrinogen": triglycerides_fibrinogen(
            m["triglycerides_mmol_per_l"], m["fibrinogen_g_per_l"]
        ),
        "hemophagocytosis": hemophagocytosis(m["hemophagocytosis"]),
        "nk_activity": nk_activity(m["nk_low"]),
        "ferritin": ferritin(m["ferritin_ng_per_ml"]),
        "scd25": scd25(m["scd25_u_per_ml"]),
    }


def columns(matrix: pd.DataFrame | logic.Inputs) -> dict[str, object]:
    """The HLH-2004 columns as arrays (see `score`), for `score_matrix` to build one frame from."""
    crit = criteria(matrix)
    return {
        "hlh2004.met": logic.count_met(*crit.values()),
        "hlh2004.unknown": logic.count_unknown(*crit.values()),
        "hlh2004.fulfilled": logic.as_boolean(logic.at_least_n(REQUIRED, *crit.values())),
        **{f"hlh2004.criteria.{name}": logic.as_boolean(criterion) for name, criterion in crit.items()},
    }


def score(matrix: pd.DataFrame) -> pd.DataFrame:
    """HLH-2004 columns: met, unknown, fulfilled (true ≥ 5 met, false when met + unknown < 5)."""
    return pd.DataFrame(columns(matrix), index=matrix.index)
