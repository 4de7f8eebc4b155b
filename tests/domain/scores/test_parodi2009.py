"""Parodi 2009 MAS in juvenile SLE: each cut-off, organ size, and the 1 clinical + 2 laboratory rule."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.scores import parodi2009
from tests.domain.scores.frames import MG_DL_PER_MMOL_TG, build_matrix, values


def s(xs):
    return pd.Series(xs, dtype="float64")


def crit(series):
    return [None if pd.isna(v) else bool(v) for v in series]


def test_fever_strictly_above_38():
    assert crit(parodi2009.fever(s([38.0, 38.01]))) == [False, True]
    assert crit(parodi2009.fever(s((np.array([100.4, 100.418]) - 32) * 5 / 9))) == [False, True]


def test_organ_at_least_3_cm():
    finding = s([1, 1, 1, 0, np.nan])
    size = s([2.9, 3.0, np.nan, np.nan, np.nan])
    assert crit(parodi2009.enlarged_3cm(finding, size)) == [False, True, None, False, None]


def test_cytopenias_inclusive_cut_offs():
    wbc, hb, plt = s([4.0, 4.01, 4.01]), s([90.0, 90.0, 90.1]), s([200.0, 150.0, 150.0])
    assert crit(parodi2009.cytopenias(wbc, hb, plt)) == [True, True, False]
    hb_g_dl, plt_ul = np.array([9.0, 9.01]), np.array([150_000.0, 150_100.0])
    assert crit(parodi2009.cytopenias(s([5.0, 5.0]), s(hb_g_dl * 10), s(plt_ul / 1000))) == [True, False]


def test_laboratory_strict_cut_offs():
    assert crit(parodi2009.ferritin(s([500, 500.1]))) == [False, True]
    assert crit(parodi2009.ast(s([40, 40.1]))) == [False, True]
    assert crit(parodi2009.ldh(s([567, 567.1]))) == [False, True]
    assert crit(parodi2009.fibrinogen(s([1.5, 1.51]))) == [True, False]
    assert crit(parodi2009.fibrinogen(s(np.array([150.0, 151.0]) / 100))) == [True, False]


def test_triglycerides_above_178_mg_dl_in_both_units():
    mg_dl = np.array([177.9, 178.0, 178.1])
    assert crit(parodi2009.triglycerides(s(mg_dl / MG_DL_PER_MMOL_TG))) == [False, False, True]
    # 2.1 mmol/L = 186.0 mg/dL (the seed after DEX): met
    assert crit(parodi2009.triglycerides(s([2.1, 2.0]))) == [True, False]


def test_rule_one_clinical_two_laboratory():
    m = build_matrix(
        temperature_c=[38.6, 38.6, 37.0, np.nan, np.nan],
        ferritin_ng_per_ml=[9560, 9560, 9560, 9560, 100],
        ast_u_per_l=[51, 20, 51, 51, 20],
        ldh_u_per_l=[np.nan, np.nan, 1000, 1000, 100],
    )
    out = parodi2009.score(m)
    assert values(out["parodi2009.clinical"]) == [1, 1, 0, 0, 0]
    assert values(out["parodi2009.laboratory"]) == [2, 1, 3, 3, 0]
    # 1c+2l -> true; 1c+1l with two lab unknown -> null; 0c with 4 unknown clinical -> null;
    # lab 0 met, 3 unknown (cytopenias, fibrinogen, TG) -> could reach 2 -> null
    assert values(out["parodi2009.fulfilled"]) == [True, None, None, None, None]


def test_rule_false_when_laboratory_cannot_reach_two():
    m = build_matrix(
        temperature_c=[38.6], wbc_1e9_per_l=[6], hemoglobin_g_per_l=[130], platelets_1e9_per_l=[250],
        ferritin_ng_per_ml=[100], ast_u_per_l=[20], ldh_u_per_l=[100], fibrinogen_g_per_l=[3],
        triglycerides_mmol_per_l=[np.nan],
    )
    assert values(parodi2009.score(m)["parodi2009.fulfilled"]) == [False]
