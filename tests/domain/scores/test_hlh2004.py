"""HLH-2004 (Henter 2007): inclusive cut-offs, three-valued cytopenias and fulfilment."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.scores import hlh2004
from tests.domain.scores.frames import MG_DL_PER_MMOL_TG, build_matrix, values


def s(xs):
    return pd.Series(xs, dtype="float64")


def crit(series):
    return [None if pd.isna(v) else bool(v) for v in series]


def test_fever_at_38_5_inclusive_and_in_fahrenheit():
    assert crit(hlh2004.fever(s([38.49, 38.5, 38.51, np.nan]))) == [False, True, True, None]
    fahrenheit = np.array([101.282, 101.3, 101.318])  # 38.49, 38.5, 38.51 °C
    assert crit(hlh2004.fever(s((fahrenheit - 32) * 5 / 9))) == [False, True, True]


def test_ferritin_at_500_inclusive():
    assert crit(hlh2004.ferritin(s([499.9, 500, 500.1]))) == [False, True, True]


def test_scd25_at_2400_inclusive():
    assert crit(hlh2004.scd25(s([2399, 2400, np.nan]))) == [False, True, None]


def test_triglycerides_at_3_mmol_and_fibrinogen_at_1_5_g():
    tg = s([2.99, 3.0, np.nan, np.nan, 2.0, np.nan])
    fib = s([np.nan, np.nan, 1.5, 1.51, 1.51, np.nan])
    assert crit(hlh2004.triglycerides_fibrinogen(tg, fib)) == [None, True, True, None, False, None]


def test_triglycerides_in_mg_per_dl():
    # 3.0 mmol/L = 265.71 mg/dL; the paper's "265 mg/dL" is 2.992 mmol/L and does not meet 3.0
    mg_dl = np.array([265.0, 3.0 * MG_DL_PER_MMOL_TG, 266.0])
    assert crit(hlh2004.triglycerides_fibrinogen(s(mg_dl / MG_DL_PER_MMOL_TG), s([3.0] * 3))) == [
        False, True, True,
    ]


def test_fibrinogen_in_mg_per_dl():
    assert crit(hlh2004.triglycerides_fibrinogen(s([1.0] * 3), s(np.array([149.0, 150.0, 151.0]) / 100))) == [
        True, True, False,
    ]


def test_cytopenias_strict_cut_offs():
    hb, plt, anc = s([89.9, 90, 89.9]), s([99.9, 99.9, 100]), s([1.0, 0.99, 1.0])
    # row 0: Hb and PLT low -> met; row 1: Hb 90 not low, PLT and ANC low -> met; row 2: only Hb low
    assert crit(hlh2004.cytopenias(hb, plt, anc)) == [True, True, False]


def test_cytopenias_in_g_per_dl_and_per_microlitre():
    hb_g_dl, plt_ul, anc_ul = np.array([8.99, 9.0]), np.array([99_900.0, 100_000.0]), np.array([900.0, 1000.0])
    assert crit(hlh2004.cytopenias(s(hb_g_dl * 10), s(plt_ul / 1000), s(anc_ul / 1000))) == [True, False]


def test_cytopenias_three_valued():
    hb = s([80, 80, 120, np.nan, 120])
    plt = s([50, 150, 150, np.nan, np.nan])
    anc = s([np.nan, np.nan, np.nan, np.nan, 0.5])
    # two known low -> met; one low + one unknown -> unknown; two known normal -> not met;
    # all unknown -> unknown; one normal, one unknown, one low -> unknown
    assert crit(hlh2004.cytopenias(hb, plt, anc)) == [True, None, False, None, None]


def test_met_unknown_fulfilled():
    m = build_matrix(
        temperature_c=[38.6, 38.6, 37.0], splenomegaly=[1, 1, 0], hemoglobin_g_per_l=[77, 77, 130],
        platelets_1e9_per_l=[22, 22, 300], triglycerides_mmol_per_l=[4.13, 4.13, 1.0],
        ferritin_ng_per_ml=[9560, 300, 100], fibrinogen_g_per_l=[3.5, 3.5, 3.0],
    )
    out = hlh2004.score(m)
    assert values(out["hlh2004.met"]) == [5, 4, 0]
    assert values(out["hlh2004.unknown"]) == [3, 3, 3]
    # 5 met -> true; 4 met + 3 unknown could reach 5 -> null; 0 + 3 < 5 -> false
    assert values(out["hlh2004.fulfilled"]) == [True, None, False]
    assert {c.split(".")[-1] for c in out.columns if ".criteria." in c} == set(hlh2004.CRITERIA)


def test_nk_activity_from_nk_low():
    assert crit(hlh2004.nk_activity(s([1, 0, np.nan]))) == [True, False, None]
