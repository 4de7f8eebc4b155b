"""HScore for reactive hemophagocytic syndrome.

Source: Fardet L, et al. Development and validation of the HScore, a score for the diagnosis of reactive
hemophagocytic syndrome. Arthritis Rheumatol 2014;66(9):2613-20, doi:10.1002/art.38690 (Table 3 points;
probabilities from the paper's lookup of score -> probability).

| item (id)                   | points                                                        |
|-----------------------------|---------------------------------------------------------------|
| immunosuppression           | no 0 · yes 18                                                 |
| temperature (°C)            | <38.4: 0 · 38.4–39.4: 33 · >39.4: 49                          |
| organomegaly                | none 0 · hepatomegaly or splenomegaly 23 · both 38            |
| cytopenias                  | Hb ≤ 92 g/L, WBC ≤ 5.0 ×10⁹/L, PLT ≤ 110 ×10⁹/L: ≤1 lineage 0 · 2: 24 · 3: 34 |
| ferritin (ng/mL)            | <2000: 0 · 2000–6000: 35 · >6000: 50                          |
| triglycerides (mmol/L)      | <1.5: 0 · 1.5–4: 44 · >4: 64                                  |
| fibrinogen (g/L)            | >2.5: 0 · ≤2.5: 30                                            |
| ast (U/L)                   | <30: 0 · ≥30: 19                                              |
| hemophagocytosis (marrow)   | no 0 · yes 35                                                 |

Middle bands include both ends. Every item returns the (lo, hi) points the data allow: equal when the
item is known, the item's whole range when unknown, and a narrower range when only part is known
(hepatomegaly yes, splenomegaly unknown -> 23..38; two lineages low, one unknown -> 24..34).
`points` adds the fully known items only; `min`/`max` add every item's lo/hi.

Probability: the paper's table, linearly interpolated between its rows. Its open ends are clamped:
"<1 %" (score ≤ 90, and anything below) is reported as 0.005 and ">99 %" (score ≥ 250) as 0.995, the
midpoints of what the paper says, so a reported value never claims more than the table does. The
logistic formula some calculators use contradicts this table and is not used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.scores import logic

ITEMS: tuple[str, ...] = (
    "immunosuppression", "temperature", "organomegaly", "cytopenias", "ferritin",
    "triglycerides", "fibrinogen", "ast", "hemophagocytosis",
)
MAX_POINTS = 337

PROBABILITY_TABLE: tuple[tuple[int, float], ...] = (
    (90, 0.005), (100, 0.01), (110, 0.03), (120, 0.05), (130, 0.09), (140, 0.16), (150, 0.25),
    (160, 0.40), (170, 0.54), (180, 0.70), (190, 0.80), (200, 0.88), (210, 0.93), (220, 0.96),
    (230, 0.98), (240, 0.99), (250, 0.995),
)

Range = tuple[np.ndarray, np.ndarray]


def _known(points: np.ndarray, x: np.ndarray, lo: float, hi: float) -> Range:
    """Points where the input is known; the item's full range where it is not (`points` must be 0 there).
    Multiplying by the mask, not np.where, keeps this branch-free: a million timepoints in a millisecond."""
    unknown = np.isnan(x)
    return points + unknown * lo, points + unknown * hi


def _bands(conditions: list[np.ndarray], values: list[float]) -> np.ndarray:
    """The value of the first met condition (criteria, 1.0 = met), else 0 points (also when unknown)."""
    out = np.zeros(len(conditions[0]))
    for condition, value in reversed(list(zip(conditions, values))):
        out[condition == 1.0] = value
    return out


@logic.item
def immunosuppression_points(immunosuppression: np.ndarray) -> Range:
    x = logic.present(immunosuppression)
    return _known(_bands([x], [18.0]), x, 0.0, 18.0)


@logic.item
def temperature_points(temperature_c: np.ndarray) -> Range:
    x = logic.floats(temperature_c)
    pts = _bands([logic.above(x, 39.4), logic.at_least(x, 38.4)], [49.0, 33.0])
    return _known(pts, x, 0.0, 49.0)


@logic.item
def organomegaly_points(hepatomegaly: np.ndarray, splenomegaly: np.ndarray) -> Range:
    """0 none, 23 one organ, 38 both; a range while one organ is unknown."""
    hep, spl = logic.present(hepatomegaly), logic.present(splenomegaly)
    by_count = np.array([0.0, 23.0, 38.0])
    low_n = (hep == 1.0).astype(np.intp) + (spl == 1.0)  # organs known enlarged
    high_n = (hep != 0.0).astype(np.intp) + (spl != 0.0)  # organs not known normal
    return by_count[low_n], by_count[high_n]


@logic.item
def cytopenias_points(
    hemoglobin_g_per_l: np.ndarray, wbc_1e9_per_l: np.ndarray, platelets_1e9_per_l: np.ndarray
) -> Range:
    """Lineages: Hb ≤ 9.2 g/dL (92 g/L), leukocytes ≤ 5.0, platelets ≤ 110 ×10⁹/L; ≤1: 0, 2: 24, 3: 34."""
    low = [
        logic.at_most(hemoglobin_g_per_l, 92.0),
        logic.at_most(wbc_1e9_per_l, 5.0),
        logic.at_most(platelets_1e9_per_l, 110.0),
    ]
    by_count = np.array([0.0, 0.0, 24.0, 34.0])
    met = logic.count_met(*low)
    possible = met + logic.count_unknown(*low)
    return by_count[met], by_count[possible]


@logic.item
def ferritin_points(ferritin_ng_per_ml: np.ndarray) -> Range:
    x = logic.floats(ferritin_ng_per_ml)
    pts = _bands([logic.above(x, 6000.0), logic.at_least(x, 2000.0)], [50.0, 35.0])
    return _known(pts, x, 0.0, 50.0)


@logic.item
def triglycerides_points(triglycerides_mmol_per_l: np.ndarray) -> Range:
    x = logic.floats(triglycerides_mmol_per_l)
    pts = _bands([logic.above(x, 4.0), logic.at_least(x, 1.5)], [64.0, 44.0])
    return _known(pts, x, 0.0, 64.0)


@logic.item
def fibrinogen_points(fibrinogen_g_per_l: np.ndarray) -> Range:
    x = logic.floats(fibrinogen_g_per_l)
    return _known(_bands([logic.at_most(x, 2.5)], [30.0]), x, 0.0, 30.0)


@logic.item
def ast_points(ast_u_per_l: np.ndarray) -> Range:
    x = logic.floats(ast_u_per_l)
    return _known(_bands([logic.at_least(x, 30.0)], [19.0]), x, 0.0, 19.0)


@logic.item
def hemophagocytosis_points(hemophagocytosis: np.ndarray) -> Range:
    x = logic.present(hemophagocytosis)
    return _known(_bands([x], [35.0]), x, 0.0, 35.0)


@logic.item
def probability(points: np.ndarray) -> np.ndarray:
    """Probability of reactive HLH from the paper's table (interpolated; ends clamped, see module doc)."""
    x = logic.floats(points)
    xp, fp = zip(*PROBABILITY_TABLE)
    # Scores are whole points: look those up in the table interpolated once at 0..MAX_POINTS (the same
    # np.interp, so the same numbers), which is far cheaper than interpolating a million values.
    whole = (x == np.floor(x)) & (x >= 0) & (x <= MAX_POINTS)
    prob = np.interp(np.arange(MAX_POINTS + 1), xp, fp)[np.where(whole, x, 0).astype(np.intp)]
    other = ~whole
    prob[other] = np.interp(x[other], xp, fp)
    prob[np.isnan(x)] = np.nan
    return prob


def item_ranges(matrix: pd.DataFrame) -> dict[str, Range]:
    m = logic.inputs(matrix)
    return {
        "immunosuppression": immunosuppression_points(m["immunosuppression"]),
        "temperature": temperature_points(m["temperature_c"]),
        "organomegaly": organomegaly_points(m["hepatomegaly"], m["splenomegaly"]),
        "cytopenias": cytopenias_points(
            m["hemoglobin_g_per_l"], m["wbc_1e9_per_l"], m["platelets_1e9_per_l"]
        ),
        "ferritin": ferritin_points(m["ferritin_ng_per_ml"]),
        "triglycerides": triglycerides_points(m["triglycerides_mmol_per_l"]),
        "fibrinogen": fibrinogen_points(m["fibrinogen_g_per_l"]),
        "ast": ast_points(m["ast_u_per_l"]),
        "hemophagocytosis": hemophagocytosis_points(m["hemophagocytosis"]),
    }


def columns(matrix: pd.DataFrame) -> dict[str, object]:
    """The HScore columns as arrays (see `score`), for `score_matrix` to build one frame from."""
    n = len(matrix)
    lo_total, hi_total, points = np.zeros(n), np.zeros(n), np.zeros(n)
    n_known = np.zeros(n, dtype=np.int8)
    missing = np.zeros(n, dtype=np.uint16)  # bit i set: item i unknown
    items = {}
    for bit, (name, (lo, hi)) in enumerate(item_ranges(matrix).items()):
        known = lo == hi
        lo_total += lo
        hi_total += hi
        points += lo * known
        n_known += known
        missing |= ~known * np.uint16(1 << bit)
        # lo is whole points; where the item is unknown the mask hides it
        items[f"hscore.items.{name}"] = pd.arrays.IntegerArray(lo.astype(np.int64), ~known)
    points[n_known == 0] = np.nan
    return {
        "hscore.points": logic.as_int(points),
        "hscore.min": logic.as_int(lo_total),
        "hscore.max": logic.as_int(hi_total),
        "hscore.missing": _missing_ids(missing),
        "hscore.probability": logic.as_float(probability(points)),
        "hscore.probability_max": logic.as_float(probability(hi_total)),
        **items,
    }


def score(matrix: pd.DataFrame) -> pd.DataFrame:
    """HScore columns for a timepoint matrix: points, min, max, missing, probabilities, items.<id>."""
    return pd.DataFrame(columns(matrix), index=matrix.index)


def _missing_ids(codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Comma-joined ids of the unknown items per timepoint (codes: bit i set when ITEMS[i] is unknown),
    looked up in a table of every pattern so a million timepoints cost 512 joins and one take."""
    patterns = [
        ",".join(name for bit, name in enumerate(ITEMS) if code >> bit & 1) for code in range(1 << len(ITEMS))
    ]
    return pd.array(patterns, dtype="string").take(codes)
