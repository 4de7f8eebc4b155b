"""A per-timepoint score calculator in plain Python: dicts and if/else, one patient at a time.

This is how an online HScore or HLH-2004 calculator computes: read one patient's values, walk the
criteria. It serves two purposes in `scoring.py`: the baseline the vectorised engine is timed against,
and an independent second implementation whose results must equal the engine's exactly. It was written
from ../shared/clinical-criteria.md and the engine's documented conventions (unknown stays unknown,
three-valued logic, ranges for partly known items, cut-offs compared after rounding), not by calling
or copying the engine's code. The one thing it takes from the engine is that rounding precision
(`logic.DECIMALS`), a documented convention rather than logic, so the two cannot disagree on it.

Input: one dict per timepoint. A numeric input (canonical unit) is None (unknown) or a tuple
(low, high, low_inclusive, high_inclusive): what the table said, `<30` being (0, 30, True, False).
Values written in a unit whose cut-off a source prints (triglycerides or fibrinogen in mg/dL, hemoglobin
in g/dL) also come as written under their own key (`triglycerides_mg_per_dl`), and are then compared with
the printed cut-off. Findings are 1/0/None.
Output: one dict with the engine's flattened score columns.

Censoring is handled without the engine's bound algebra: a comparison is evaluated at the two ends of the
interval, an excluded end standing for the values just inside it; the answer is known when both ends
agree (every predicate here is monotone). A banded item is evaluated at the ends and on both sides of
every cut-off inside the interval, and takes the smallest and largest points found.
"""

from __future__ import annotations

import itertools
import math
import operator

from dashboard.domain.scores.logic import DECIMALS

TG_MG_PER_DL = 88.57
FIB_MG_PER_DL = 100.0
HB_G_PER_DL = 0.1  # g/dL per g/L
HSCORE_ITEMS = ("immunosuppression", "temperature", "organomegaly", "cytopenias", "ferritin",
                "triglycerides", "fibrinogen", "ast", "hemophagocytosis")
HSCORE_TOP = {"immunosuppression": 18, "temperature": 49, "organomegaly": 38, "cytopenias": 34, "ferritin": 50,
              "triglycerides": 64, "fibrinogen": 30, "ast": 19, "hemophagocytosis": 35}
HSCORE_PROBABILITY = ((90, 0.005), (100, 0.01), (110, 0.03), (120, 0.05), (130, 0.09), (140, 0.16),
                      (150, 0.25), (160, 0.40), (170, 0.54), (180, 0.70), (190, 0.80), (200, 0.88),
                      (210, 0.93), (220, 0.96), (230, 0.98), (240, 0.99), (250, 0.995))
OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}

Bounds = tuple[float, float, bool, bool]
Point = tuple[float, int]  # a value, and -1 / +1 for "just below" / "just above" it (0: the value itself)


def _get(row: dict, key: str) -> float | None:
    x = row.get(key)
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(x)


def _bounds(row: dict, key: str) -> Bounds | None:
    return row.get(key)


def _holds(point: Point, op: str, cut: float) -> bool:
    value, side = point
    if side == 0:
        return OPS[op](value, cut)
    if side > 0:  # values just above `value` exceed the cut exactly when value >= cut
        return value >= cut if op in (">", ">=") else value < cut
    return value > cut if op in (">", ">=") else value <= cut


def _ends(b: Bounds, factor: float) -> tuple[float, float, list[Point]]:
    low, high = round(b[0] * factor, DECIMALS), round(b[1] * factor, DECIMALS)
    return low, high, [(low, 0 if b[2] else 1), (high, 0 if b[3] else -1)]


def _cmp(b: Bounds | None, op: str, cut: float, factor: float = 1.0) -> bool | None:
    """Every value in the bounds (times factor, rounded to DECIMALS) compared with cut: True/False when
    they all agree, None when they do not or the value is unknown."""
    if b is None:
        return None
    answers = {_holds(p, op, cut) for p in _ends(b, factor)[2]}
    return answers.pop() if len(answers) == 1 else None


def _criterion(row: dict, key: str, op: str, cut: float, factor: float = 1.0,
               printed: tuple[str, float] | None = None) -> bool | None:
    """A cut-off; with `printed` = (key of values written in the printed unit, its printed cut-off)."""
    if printed is not None and row.get(printed[0]) is not None:
        return _cmp(row[printed[0]], op, printed[1])
    return _cmp(_bounds(row, key), op, cut, factor)


def _present(x: float | None) -> bool | None:
    return None if x is None else x > 0


def _at_least(n: int, flags: list[bool | None]) -> bool | None:
    met = sum(1 for f in flags if f is True)
    unknown = sum(1 for f in flags if f is None)
    if met >= n:
        return True
    if met + unknown < n:
        return False
    return None


def _and(*flags: bool | None) -> bool | None:
    if any(f is False for f in flags):
        return False
    if all(f is True for f in flags):
        return True
    return None


def hscore_probability(points: float | None) -> float | None:
    if points is None:
        return None
    table = HSCORE_PROBABILITY
    if points <= table[0][0]:
        return table[0][1]
    for (x0, p0), (x1, p1) in itertools.pairwise(table):
        if points <= x1:
            return p0 + (p1 - p0) * (points - x0) / (x1 - x0)
    return table[-1][1]


def _banded(b: Bounds | None, bands: list[tuple[str, float, float]], top: float) -> tuple[float, float]:
    """(fewest, most) points over the values the bounds allow; bands (op, cut, points), highest first."""
    if b is None:
        return 0.0, top
    low, high, points = _ends(b, 1.0)
    for _, cut, _ in bands:
        if low < cut < high:
            points += [(cut, -1), (cut, 0), (cut, 1)]

    def score(point: Point) -> float:
        return next((pts for op, cut, pts in bands if _holds(point, op, cut)), 0.0)

    scores = [score(p) for p in points]
    return min(scores), max(scores)


def hscore(row: dict) -> dict:
    items: dict[str, tuple[float, float]] = {}
    immuno = _present(_get(row, "immunosuppression"))
    items["immunosuppression"] = (0.0, 18.0) if immuno is None else ((18.0, 18.0) if immuno else (0.0, 0.0))
    items["temperature"] = _banded(_bounds(row, "temperature_c"), [(">", 39.4, 49.0), (">=", 38.4, 33.0)], 49.0)
    organs = [_present(_get(row, "hepatomegaly")), _present(_get(row, "splenomegaly"))]
    by_organs = (0.0, 23.0, 38.0)
    items["organomegaly"] = (by_organs[sum(o is True for o in organs)],
                             by_organs[sum(o is not False for o in organs)])
    low = [_criterion(row, "hemoglobin_g_per_l", "<=", 9.2, HB_G_PER_DL, ("hemoglobin_g_per_dl", 9.2)),
           _cmp(_bounds(row, "wbc_1e9_per_l"), "<=", 5.0), _cmp(_bounds(row, "platelets_1e9_per_l"), "<=", 110.0)]
    by_lineages = (0.0, 0.0, 24.0, 34.0)
    items["cytopenias"] = (by_lineages[sum(f is True for f in low)], by_lineages[sum(f is not False for f in low)])
    items["ferritin"] = _banded(_bounds(row, "ferritin_ng_per_ml"),
                                [(">", 6000.0, 50.0), (">=", 2000.0, 35.0)], 50.0)
    items["triglycerides"] = _banded(_bounds(row, "triglycerides_mmol_per_l"),
                                     [(">", 4.0, 64.0), (">=", 1.5, 44.0)], 64.0)
    items["fibrinogen"] = _banded(_bounds(row, "fibrinogen_g_per_l"), [("<=", 2.5, 30.0)], 30.0)
    items["ast"] = _banded(_bounds(row, "ast_u_per_l"), [(">=", 30.0, 19.0)], 19.0)
    hemo = _present(_get(row, "hemophagocytosis"))
    items["hemophagocytosis"] = (0.0, 35.0) if hemo is None else ((35.0, 35.0) if hemo else (0.0, 0.0))

    known = {k: lo for k, (lo, hi) in items.items() if lo == hi}
    low = sum(lo for lo, _ in items.values())
    high = sum(hi for _, hi in items.values())
    nothing_known = all(items[k] == (0.0, HSCORE_TOP[k]) for k in HSCORE_ITEMS)
    points = None if nothing_known else low  # what is certain: every item's fewest points
    out = {
        "hscore.points": None if points is None else int(points),
        "hscore.min": int(low),
        "hscore.max": int(high),
        "hscore.missing": ",".join(k for k in HSCORE_ITEMS if k not in known),
        "hscore.probability": hscore_probability(points),
        "hscore.probability_min": hscore_probability(low),
        "hscore.probability_max": hscore_probability(high),
    }
    for k in HSCORE_ITEMS:
        out[f"hscore.items.{k}"] = int(known[k]) if k in known else None
    return out


def hlh2004(row: dict) -> dict:
    crit = {
        "fever": _cmp(_bounds(row, "temperature_c"), ">=", 38.5),
        "splenomegaly": _present(_get(row, "splenomegaly")),
        "cytopenias": _at_least(2, [
            _cmp(_bounds(row, "hemoglobin_g_per_l"), "<", 90.0),
            _cmp(_bounds(row, "platelets_1e9_per_l"), "<", 100.0),
            _cmp(_bounds(row, "neutrophils_1e9_per_l"), "<", 1.0),
        ]),
        "triglycerides_fibrinogen": None,
        "hemophagocytosis": _present(_get(row, "hemophagocytosis")),
        "nk_activity": _present(_get(row, "nk_low")),
        "ferritin": _cmp(_bounds(row, "ferritin_ng_per_ml"), ">=", 500.0),
        "scd25": _cmp(_bounds(row, "scd25_u_per_ml"), ">=", 2400.0),
    }
    tg = _criterion(row, "triglycerides_mmol_per_l", ">=", 3.0, printed=("triglycerides_mg_per_dl", 265.0))
    fib = _cmp(_bounds(row, "fibrinogen_g_per_l"), "<=", 1.5)
    if tg is True or fib is True:
        crit["triglycerides_fibrinogen"] = True
    elif tg is False and fib is False:
        crit["triglycerides_fibrinogen"] = False
    out = {
        "hlh2004.met": sum(v is True for v in crit.values()),
        "hlh2004.unknown": sum(v is None for v in crit.values()),
        "hlh2004.fulfilled": _at_least(5, list(crit.values())),
    }
    out.update({f"hlh2004.criteria.{k}": v for k, v in crit.items()})
    return out


def mas2016(row: dict) -> dict:
    crit = {
        "febrile": _cmp(_bounds(row, "temperature_c"), ">=", 38.0),
        "ferritin": _cmp(_bounds(row, "ferritin_ng_per_ml"), ">", 684.0),
        "platelets": _cmp(_bounds(row, "platelets_1e9_per_l"), "<=", 181.0),
        "ast": _cmp(_bounds(row, "ast_u_per_l"), ">", 48.0),
        "triglycerides": _criterion(row, "triglycerides_mmol_per_l", ">", 156.0, TG_MG_PER_DL,
                                    ("triglycerides_mg_per_dl", 156.0)),
        "fibrinogen": _criterion(row, "fibrinogen_g_per_l", "<=", 360.0, FIB_MG_PER_DL,
                                 ("fibrinogen_mg_per_dl", 360.0)),
    }
    two = _at_least(2, [crit["platelets"], crit["ast"], crit["triglycerides"], crit["fibrinogen"]])
    out = {"mas2016.classified": _and(crit["febrile"], crit["ferritin"], two)}
    out.update({f"mas2016.criteria.{k}": v for k, v in crit.items()})
    return out


def _organ_3cm(row: dict, organ: str) -> bool | None:
    size = _cmp(_bounds(row, f"{organ}_cm"), ">=", 3.0)
    if size is not None:
        return size
    return False if _present(_get(row, organ)) is False else None


def parodi2009(row: dict) -> dict:
    clinical = {
        "fever": _cmp(_bounds(row, "temperature_c"), ">", 38.0),
        "hepatomegaly": _organ_3cm(row, "hepatomegaly"),
        "splenomegaly": _organ_3cm(row, "splenomegaly"),
        "hemorrhage": _present(_get(row, "hemorrhage")),
        "cns_involvement": _present(_get(row, "cns_involvement")),
    }
    laboratory = {
        "cytopenias": _at_least(2, [
            _cmp(_bounds(row, "wbc_1e9_per_l"), "<=", 4.0),
            _cmp(_bounds(row, "hemoglobin_g_per_l"), "<=", 90.0),
            _cmp(_bounds(row, "platelets_1e9_per_l"), "<=", 150.0),
        ]),
        "ferritin": _cmp(_bounds(row, "ferritin_ng_per_ml"), ">", 500.0),
        "ast": _cmp(_bounds(row, "ast_u_per_l"), ">", 40.0),
        "ldh": _cmp(_bounds(row, "ldh_u_per_l"), ">", 567.0),
        "fibrinogen": _cmp(_bounds(row, "fibrinogen_g_per_l"), "<=", 1.5),
        "triglycerides": _criterion(row, "triglycerides_mmol_per_l", ">", 178.0, TG_MG_PER_DL,
                                    ("triglycerides_mg_per_dl", 178.0)),
    }
    out = {
        "parodi2009.fulfilled": _and(_at_least(1, list(clinical.values())),
                                     _at_least(2, list(laboratory.values()))),
        "parodi2009.clinical": sum(v is True for v in clinical.values()),
        "parodi2009.laboratory": sum(v is True for v in laboratory.values()),
    }
    out.update({f"parodi2009.criteria.{k}": v for k, v in {**clinical, **laboratory}.items()})
    return out


def _divide(a: float, b: float) -> float:
    return math.inf if b == 0 else a / b


def ferritin_esr(row: dict) -> dict:
    ferritin, esr = _bounds(row, "ferritin_ng_per_ml"), _bounds(row, "esr_mm_per_h")
    if ferritin is None or esr is None or esr[0] == esr[1] == 0:
        return {"ferritin_esr_ratio.value": None, "ferritin_esr_ratio.min": None, "ferritin_esr_ratio.max": None}
    low, high = _divide(ferritin[0], esr[1]), _divide(ferritin[1], esr[0])
    return {"ferritin_esr_ratio.value": low if low == high else None, "ferritin_esr_ratio.min": low,
            "ferritin_esr_ratio.max": high}


def ms_score(row: dict) -> dict:
    terms = (("platelets_1e9_per_l", -0.003, 1.0), ("ldh_u_per_l", 0.001, 1.0),
             ("fibrinogen_g_per_l", -0.004, FIB_MG_PER_DL), ("ferritin_ng_per_ml", 0.0001, 1.0))
    bounds = [_bounds(row, key) for key, _, _ in terms]
    lo = hi = 0.0
    for key, present_weight in (("cns_involvement", 2.44), ("hemorrhage", 1.54), ("arthritis", -1.30)):
        present = _present(_get(row, key))
        if present is None:
            lo, hi = lo + min(present_weight, 0.0), hi + max(present_weight, 0.0)
        else:
            lo, hi = lo + (present_weight if present else 0.0), hi + (present_weight if present else 0.0)
    if None in bounds:
        return {"ms_score.value": None, "ms_score.min": None, "ms_score.max": None, "ms_score.mas": None}
    lab_lo = lab_hi = 0.0
    for (_, weight, factor), b in zip(terms, bounds):
        ends = (weight * b[0] * factor, weight * b[1] * factor)
        lab_lo, lab_hi = lab_lo + min(ends), lab_hi + max(ends)
    low, high = round(lab_lo + lo, DECIMALS), round(lab_hi + hi, DECIMALS)
    mas = True if low >= -2.1 else (False if high < -2.1 else None)
    return {"ms_score.value": low if low == high else None, "ms_score.min": low, "ms_score.max": high,
            "ms_score.mas": mas}


def score_row(row: dict) -> dict:
    """Every score for one timepoint, as one flat dict."""
    out: dict = {}
    for score in (hscore, hlh2004, mas2016, parodi2009, ferritin_esr, ms_score):
        out.update(score(row))
    return out
