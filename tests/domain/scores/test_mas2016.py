"""2016 EULAR/ACR/PRINTO MAS classification (Ravelli 2016): cut-offs in two unit systems; fever entry."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.scores import mas2016
from tests.domain.scores.frames import MG_DL_PER_MMOL_TG, build_matrix, values


def s(xs):
    return pd.Series(xs, dtype="float64")


def crit(series):
    return [None if pd.isna(v) else bool(v) for v in series]


def test_ferritin_strictly_above_684():
    assert crit(mas2016.ferritin(s([684, 684.1, np.nan]))) == [False, True, None]


def test_platelets_at_most_181_and_per_microlitre():
    assert crit(mas2016.platelets(s([180.9, 181, 181.1]))) == [True, True, False]
    assert crit(mas2016.platelets(s(np.array([181_000.0, 181_100.0]) / 1000))) == [True, False]


def test_ast_strictly_above_48():
    assert crit(mas2016.ast(s([48, 48.1]))) == [False, True]


def test_triglycerides_above_156_mg_dl_in_both_units():
    mg_dl = np.array([155.9, 156.0, 156.1])
    assert crit(mas2016.triglycerides(s(mg_dl / MG_DL_PER_MMOL_TG))) == [False, False, True]
    # 4.13 mmol/L = 365.8 mg/dL (the seed's admission value)
    assert crit(mas2016.triglycerides(s([4.13, 156 / MG_DL_PER_MMOL_TG]))) == [True, False]


def test_fibrinogen_at_most_360_mg_dl_in_both_units():
    assert crit(mas2016.fibrinogen(s([3.59, 3.6, 3.61]))) == [True, True, False]
    assert crit(mas2016.fibrinogen(s(np.array([359.0, 360.0, 361.0]) / 100))) == [True, True, False]


def test_febrile_entry_condition_at_38():
    assert crit(mas2016.febrile(s([37.9, 38.0, np.nan]))) == [False, True, None]


def test_classification_three_valued():
    m = build_matrix(
        temperature_c=[38.6, 38.6, 37.0, np.nan, np.nan, 38.6, 38.6],
        ferritin_ng_per_ml=[9560, 9560, 9560, 9560, 9560, 500, 9560],
        platelets_1e9_per_l=[22, 22, 22, 22, 300, 22, np.nan],
        ast_u_per_l=[51, 20, 51, 51, 20, 51, np.nan],
        triglycerides_mmol_per_l=[np.nan, 1.0, np.nan, np.nan, 1.0, 4.0, np.nan],
        fibrinogen_g_per_l=[np.nan, 4.0, np.nan, np.nan, np.nan, 1.0, 1.0],
    )
    out = mas2016.score(m)
    assert values(out["mas2016.classified"]) == [
        True,   # febrile, ferritin, platelets + AST
        False,  # only platelets of the four
        False,  # afebrile: the rule does not apply
        None,   # lab part met, fever unknown
        False,  # lab part cannot be met (two known normal, one unknown... AST and TG normal, PLT normal)
        False,  # ferritin not > 684
        None,   # fibrinogen met, the other three unknown
    ]
