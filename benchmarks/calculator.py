"""A per-timepoint score calculator in plain Python: dicts and if/else, one patient at a time.

This is how an online HScore or HLH-2004 calculator computes: read one patient's values, walk the
criteria. It serves two purposes in `scoring.py`: the baseline the vectorised engine is timed against,
and an independent second implementation whose results must equal the engine's exactly. It was written
from ../shared/clinical-criteria.md and the engine's documented conventions (unknown stays unknown,
three-valued logic, ranges for partly known items, cut-offs compared after rounding), not by calling
or copying the engine's code. The one thing it takes from the engine is that rounding precision
(`logic.DECIMALS`), a documented convention rather than logic, so the two cannot disagree on it.

Input: one dict per timepoint with the timepoint-matrix columns (canonical units; None = unknown).
Output: one dict with the engine's flattened score columns.
"""

from __future__ import annotations

import itertools
import math

from dashboard.domain.scores.logic import DECIMALS

TG_MG_PER_DL = 88.57
FIB_MG_PER_DL = 100.0
HSCORE_ITEMS = ("immunosuppression", "temperature", "organomegaly", "cytopenias", "ferritin",
                "triglycerides", "fibrinogen", "ast", "hemophagocytosis")
HSCORE_PROBABILITY = ((90, 0.005), (100, 0.01), (110, 0.03), (120, 0.05), (130, 0.09), (140, 0.16),
                      (150, 0.25), (160, 0.40), (170, 0.54), (180, 0.70), (190, 0.80), (200, 0.88),
                      (210, 0.93), (220, 0.96), (230, 0.98), (240, 0.99), (250, 0.995))


def _get(row: dict, key: str) -> float | None:
    x = row.get(key)
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(x)


def _cmp(x: float | None, op: str, cut: float, factor: float = 1.0) -> bool | None:
    """x (times factor, rounded to DECIMALS) compared with cut; None when x is unknown."""
    if x is None:
        return None
    v = round(x * factor, DECIMALS)
    if op == ">":
        return v > cut
    if op == ">=":
        return v >= cut
    if op == "<":
        return v < cut
    return v <= cut


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


def _banded(x: float | None, top: float, top_points: float, mid: float, mid_points: float, hi: float):
    if x is None:
        return 0.0, hi
    if _cmp(x, ">", top):
        return top_points, top_points
    if _cmp(x, ">=", mid):
        return mid_points, mid_points
    return 0.0, 0.0


def hscore(row: dict) -> dict:
    items: dict[str, tuple[float, float]] = {}
    immuno = _present(_get(row, "immunosuppression"))
    items["immunosuppression"] = (0.0, 18.0) if immuno is None else ((18.0, 18.0) if immuno else (0.0, 0.0))
    items["temperature"] = _banded(_get(row, "temperature_c"), 39.4, 49.0, 38.4, 33.0, 49.0)
    organs = [_present(_get(row, "hepatomegaly")), _present(_get(row, "splenomegaly"))]
    by_organs = (0.0, 23.0, 38.0)
    items["organomegaly"] = (by_organs[sum(o is True for o in organs)],
                             by_organs[sum(o is not False for o in organs)])
    low = [_cmp(_get(row, "hemoglobin_g_per_l"), "<=", 92.0), _cmp(_get(row, "wbc_1e9_per_l"), "<=", 5.0),
           _cmp(_get(row, "platelets_1e9_per_l"), "<=", 110.0)]
    by_lineages = (0.0, 0.0, 24.0, 34.0)
    items["cytopenias"] = (by_lineages[sum(f is True for f in low)], by_lineages[sum(f is not False for f in low)])
    items["ferritin"] = _banded(_get(row, "ferritin_ng_per_ml"), 6000.0, 50.0, 2000.0, 35.0, 50.0)
    items["triglycerides"] = _banded(_get(row, "triglycerides_mmol_per_l"), 4.0, 64.0, 1.5, 44.0, 64.0)
    fib = _cmp(_get(row, "fibrinogen_g_per_l"), "<=", 2.5)
    items["fibrinogen"] = (0.0, 30.0) if fib is None else ((30.0, 30.0) if fib else (0.0, 0.0))
    ast = _cmp(_get(row, "ast_u_per_l"), ">=", 30.0)
    items["ast"] = (0.0, 19.0) if ast is None else ((19.0, 19.0) if ast else (0.0, 0.0))
    hemo = _present(_get(row, "hemophagocytosis"))
    items["hemophagocytosis"] = (0.0, 35.0) if hemo is None else ((35.0, 35.0) if hemo else (0.0, 0.0))

    known = {k: lo for k, (lo, hi) in items.items() if lo == hi}
    points = sum(known.values()) if known else None
    high = sum(hi for _, hi in items.values())
    out = {
        "hscore.points": None if points is None else int(points),
        "hscore.min": int(sum(lo for lo, _ in items.values())),
        "hscore.max": int(high),
        "hscore.missing": ",".join(k for k in HSCORE_ITEMS if k not in known),
        "hscore.probability": hscore_probability(points),
        "hscore.probability_max": hscore_probability(high),
    }
    for k in HSCORE_ITEMS:
        out[f"hscore.items.{k}"] = int(known[k]) if k in known else None
    return out


def hlh2004(row: dict) -> dict:
    crit = {
        "fever": _cmp(_get(row, "temperature_c"), ">=", 38.5),
        "splenomegaly": _present(_get(row, "splenomegaly")),
        "cytopenias": _at_least(2, [
            _cmp(_get(row, "hemoglobin_g_per_l"), "<", 90.0),
            _cmp(_get(row, "platelets_1e9_per_l"), "<", 100.0),
            _cmp(_get(row, "neutrophils_1e9_per_l"), "<", 1.0),
        ]),
        "triglycerides_fibrinogen": None,
        "hemophagocytosis": _present(_get(row, "hemophagocytosis")),
        "nk_activity": _present(_get(row, "nk_low")),
        "ferritin": _cmp(_get(row, "ferritin_ng_per_ml"), ">=", 500.0),
        "scd25": _cmp(_get(row, "scd25_u_per_ml"), ">=", 2400.0),
    }
    tg = _cmp(_get(row, "triglycerides_mmol_per_l"), ">=", 3.0)
    fib = _cmp(_get(row, "fibrinogen_g_per_l"), "<=", 1.5)
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
        "febrile": _cmp(_get(row, "temperature_c"), ">=", 38.0),
        "ferritin": _cmp(_get(row, "ferritin_ng_per_ml"), ">", 684.0),
        "platelets": _cmp(_get(row, "platelets_1e9_per_l"), "<=", 181.0),
        "ast": _cmp(_get(row, "ast_u_per_l"), ">", 48.0),
        "triglycerides": _cmp(_get(row, "triglycerides_mmol_per_l"), ">", 156.0, TG_MG_PER_DL),
        "fibrinogen": _cmp(_get(row, "fibrinogen_g_per_l"), "<=", 360.0, FIB_MG_PER_DL),
    }
    two = _at_least(2, [crit["platelets"], crit["ast"], crit["triglycerides"], crit["fibrinogen"]])
    out = {"mas2016.classified": _and(crit["febrile"], crit["ferritin"], two)}
    out.update({f"mas2016.criteria.{k}": v for k, v in crit.items()})
    return out


def _organ_3cm(row: dict, organ: str) -> bool | None:
    size = _cmp(_get(row, f"{organ}_cm"), ">=", 3.0)
    if size is not None:
        return size
    return False if _present(_get(row, organ)) is False else None


def parodi2009(row: dict) -> dict:
    clinical = {
        "fever": _cmp(_get(row, "temperature_c"), ">", 38.0),
        "hepatomegaly": _organ_3cm(row, "hepatomegaly"),
        "splenomegaly": _organ_3cm(row, "splenomegaly"),
        "hemorrhage": _present(_get(row, "hemorrhage")),
        "cns_involvement": _present(_get(row, "cns_involvement")),
    }
    laboratory = {
        "cytopenias": _at_least(2, [
            _cmp(_get(row, "wbc_1e9_per_l"), "<=", 4.0),
            _cmp(_get(row, "hemoglobin_g_per_l"), "<=", 90.0),
            _cmp(_get(row, "platelets_1e9_per_l"), "<=", 150.0),
        ]),
        "ferritin": _cmp(_get(row, "ferritin_ng_per_ml"), ">", 500.0),
        "ast": _cmp(_get(row, "ast_u_per_l"), ">", 40.0),
        "ldh": _cmp(_get(row, "ldh_u_per_l"), ">", 567.0),
        "fibrinogen": _cmp(_get(row, "fibrinogen_g_per_l"), "<=", 1.5),
        "triglycerides": _cmp(_get(row, "triglycerides_mmol_per_l"), ">", 178.0, TG_MG_PER_DL),
    }
    out = {
        "parodi2009.fulfilled": _and(_at_least(1, list(clinical.values())),
                                     _at_least(2, list(laboratory.values()))),
        "parodi2009.clinical": sum(v is True for v in clinical.values()),
        "parodi2009.laboratory": sum(v is True for v in laboratory.values()),
    }
    out.update({f"parodi2009.criteria.{k}": v for k, v in {**clinical, **laboratory}.items()})
    return out


def ferritin_esr(row: dict) -> dict:
    ferritin, esr = _get(row, "ferritin_ng_per_ml"), _get(row, "esr_mm_per_h")
    ok = ferritin is not None and esr is not None and esr > 0
    return {"ferritin_esr_ratio.value": ferritin / esr if ok else None}


def ms_score(row: dict) -> dict:
    plt, ldh = _get(row, "platelets_1e9_per_l"), _get(row, "ldh_u_per_l")
    fib, ferritin = _get(row, "fibrinogen_g_per_l"), _get(row, "ferritin_ng_per_ml")
    if None in (plt, ldh, fib, ferritin):
        lab = None
    else:
        lab = -0.003 * plt + 0.001 * ldh - 0.004 * fib * FIB_MG_PER_DL + 0.0001 * ferritin
    lo = hi = 0.0
    for key, weight in (("cns_involvement", 2.44), ("hemorrhage", 1.54), ("arthritis", -1.30)):
        present = _present(_get(row, key))
        if present is None:
            lo, hi = lo + min(weight, 0.0), hi + max(weight, 0.0)
        else:
            lo, hi = lo + (weight if present else 0.0), hi + (weight if present else 0.0)
    if lab is None:
        return {"ms_score.value": None, "ms_score.min": None, "ms_score.max": None, "ms_score.mas": None}
    low, high = round(lab + lo, DECIMALS), round(lab + hi, DECIMALS)
    mas = True if low >= -2.1 else (False if high < -2.1 else None)
    return {"ms_score.value": low if low == high else None, "ms_score.min": low, "ms_score.max": high,
            "ms_score.mas": mas}


def score_row(row: dict) -> dict:
    """Every score for one timepoint, as one flat dict."""
    out: dict = {}
    for score in (hscore, hlh2004, mas2016, parodi2009, ferritin_esr, ms_score):
        out.update(score(row))
    return out
