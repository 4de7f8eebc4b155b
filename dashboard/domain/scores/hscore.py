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

Middle bands include both ends. The cut-offs and points are read from the criteria registry
(criteria.py); this table is its summary. Every item returns the (lo, hi) points the data allow: equal
when the item is known, the item's whole range when unknown, and a narrower range when only part is known
(hepatomegaly yes, splenomegaly unknown -> 23..38; two lineages low, one unknown -> 24..34; ferritin
`<5000` -> 0..35). `points` is the guaranteed minimum: every item counts what is certain, so `points`
equals `min` (null only when nothing at all is known); `max` adds every item's hi.

Probability: the paper's table, linearly interpolated between its rows. Its open ends are clamped:
"<1 %" (score ≤ 90, and anything below) is reported as 0.005 and ">99 %" (score ≥ 250) as 0.995, the
midpoints of what the paper says, so a reported value never claims more than the table does. The
logistic formula some calculators use contradicts this table and is not used. `probability_min` and
`probability_max` are the probabilities of `min` and `max`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain import criteria as registry
from dashboard.domain.scores import logic

ITEMS: tuple[str, ...] = registry.HSCORE_ITEMS
MAX_POINTS = registry.HSCORE_MAX_POINTS

PROBABILITY_TABLE: tuple[tuple[int, float], ...] = (
    (90, 0.005), (100, 0.01), (110, 0.03), (120, 0.05), (130, 0.09), (140, 0.16), (150, 0.25),
    (160, 0.40), (170, 0.54), (180, 0.70), (190, 0.80), (200, 0.88), (210, 0.93), (220, 0.96),
    (230, 0.98), (240, 0.99), (250, 0.995),
)

Range = tuple[np.ndarray, np.ndarray]
Value = logic.Value


def banded(item: str, x: Value) -> Range:
    """An item scored by bands (nested: a value over the top cut-off meets the lower ones too, and scores
    the highest band it meets): lo is the top band surely met, hi the top band possibly met (met or
    unknown), 0 when none. A missing value, or a bound straddling a cut-off, leaves the range those
    bands allow, exactly like a missing finding."""
    lo = hi = 0.0
    for band in registry.rules("hscore", item):
        met = logic.meets(band, x)
        lo = np.maximum(lo, band.points * (met == 1.0))
        hi = np.maximum(hi, band.points * (met != 0.0))  # NaN != 0: unknown may be met
    return lo, hi


def counted(item: str, criteria_met: list[np.ndarray]) -> Range:
    """An item scored by how many of its criteria are met (registry tally): the points of the count
    surely met, and of the count possibly met."""
    by_count = np.array(registry.tally("hscore", item).points, dtype=np.float64)
    met = logic.count_met(*criteria_met)
    return by_count[met], by_count[met + logic.count_unknown(*criteria_met)]


@logic.item
def immunosuppression_points(immunosuppression: np.ndarray) -> Range:
    return banded("immunosuppression", logic.floats(immunosuppression))


@logic.item
def temperature_points(temperature_c: Value) -> Range:
    return banded("temperature", temperature_c)


@logic.item
def organomegaly_points(hepatomegaly: np.ndarray, splenomegaly: np.ndarray) -> Range:
    """0 none, 23 one organ, 38 both; a range while one organ is unknown."""
    liver, spleen = registry.rules("hscore", "organomegaly")
    return counted("organomegaly", [logic.meets(liver, hepatomegaly), logic.meets(spleen, splenomegaly)])


@logic.item
def cytopenias_points(hemoglobin_g_per_l: Value, wbc_1e9_per_l: Value, platelets_1e9_per_l: Value) -> Range:
    """Lineages: Hb ≤ 9.2 g/dL (92 g/L), leukocytes ≤ 5.0, platelets ≤ 110 ×10⁹/L; ≤1: 0, 2: 24, 3: 34."""
    hb, wbc, plt = registry.rules("hscore", "cytopenias")
    return counted("cytopenias", [
        logic.meets(hb, hemoglobin_g_per_l), logic.meets(wbc, wbc_1e9_per_l), logic.meets(plt, platelets_1e9_per_l)
    ])


@logic.item
def ferritin_points(ferritin_ng_per_ml: Value) -> Range:
    return banded("ferritin", ferritin_ng_per_ml)


@logic.item
def triglycerides_points(triglycerides_mmol_per_l: Value) -> Range:
    return banded("triglycerides", triglycerides_mmol_per_l)


@logic.item
def fibrinogen_points(fibrinogen_g_per_l: Value) -> Range:
    return banded("fibrinogen", fibrinogen_g_per_l)


@logic.item
def ast_points(ast_u_per_l: Value) -> Range:
    return banded("ast", ast_u_per_l)


@logic.item
def hemophagocytosis_points(hemophagocytosis: np.ndarray) -> Range:
    return banded("hemophagocytosis", logic.floats(hemophagocytosis))


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


def item_ranges(matrix: pd.DataFrame | logic.Inputs) -> dict[str, Range]:
    """(lo, hi) points of every item at every timepoint: what the audit and the "why" lines read."""
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


def columns(matrix: pd.DataFrame | logic.Inputs) -> dict[str, object]:
    """The HScore columns as arrays (see `score`), for `score_matrix` to build one frame from."""
    ranges = item_ranges(matrix)
    n = len(next(iter(ranges.values()))[0])
    lo_total, hi_total = np.zeros(n), np.zeros(n)
    missing = np.zeros(n, dtype=np.uint16)  # bit i set: item i not fully known
    items = {}
    for bit, (name, (lo, hi)) in enumerate(ranges.items()):
        known = lo == hi
        lo_total += lo
        hi_total += hi
        missing |= ~known * np.uint16(1 << bit)
        # lo is whole points; where the item is unknown the mask hides it
        items[f"hscore.items.{name}"] = pd.arrays.IntegerArray(lo.astype(np.int64), ~known)
    informed = (lo_total > 0) | (hi_total < MAX_POINTS)  # some item at least partly known
    points = np.where(informed, lo_total, np.nan)
    return {
        "hscore.points": logic.as_int(points),
        "hscore.min": logic.as_int(lo_total),
        "hscore.max": logic.as_int(hi_total),
        "hscore.missing": _missing_ids(missing),
        "hscore.probability": logic.as_float(probability(points)),
        "hscore.probability_min": logic.as_float(probability(lo_total)),
        "hscore.probability_max": logic.as_float(probability(hi_total)),
        **items,
    }


def score(matrix: pd.DataFrame) -> pd.DataFrame:
    """HScore columns for a timepoint matrix: points (= min), min, max, missing, probability (of points),
    probability_min, probability_max, items.<id> (null unless the item is fully known)."""
    return pd.DataFrame(columns(matrix), index=matrix.index)


def _missing_ids(codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Comma-joined ids of the unknown items per timepoint (codes: bit i set when ITEMS[i] is unknown),
    looked up in a table of every pattern so a million timepoints cost 512 joins and one take."""
    patterns = [
        ",".join(name for bit, name in enumerate(ITEMS) if code >> bit & 1) for code in range(1 << len(ITEMS))
    ]
    return pd.array(patterns, dtype="string").take(codes)
