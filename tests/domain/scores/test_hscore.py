"""HScore (Fardet 2014): every cut-off at and just either side, in two unit systems; ranges; probability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.domain.scores import hscore
from tests.domain.scores.frames import MG_DL_PER_MMOL_TG, build_matrix, values


def points(item_range):
    lo, hi = item_range
    return [None if a != b else a for a, b in zip(lo, hi)]


def s(xs):
    return pd.Series(xs, dtype="float64")


def test_temperature_bands_include_both_middle_ends():
    assert points(hscore.temperature_points(s([38.39, 38.4, 39.4, 39.41, np.nan]))) == [0, 33, 33, 49, None]


def test_temperature_in_fahrenheit_lands_on_the_same_cut_offs():
    fahrenheit = np.array([101.102, 101.12, 102.92, 102.938])  # 38.39, 38.4, 39.4, 39.41 °C
    celsius = (fahrenheit - 32) * 5 / 9
    assert points(hscore.temperature_points(s(celsius))) == [0, 33, 33, 49]


def test_ferritin_bands():
    assert points(hscore.ferritin_points(s([1999.9, 2000, 6000, 6000.1]))) == [0, 35, 35, 50]


def test_ferritin_in_micrograms_per_litre_is_the_same_number():
    ug_per_l = s([1999.9, 2000, 6000, 6000.1])  # 1 ng/mL = 1 µg/L
    assert points(hscore.ferritin_points(ug_per_l * 1.0)) == [0, 35, 35, 50]


def test_triglycerides_bands_mmol():
    assert points(hscore.triglycerides_points(s([1.49, 1.5, 4.0, 4.01]))) == [0, 44, 44, 64]


def test_triglycerides_bands_from_mg_per_dl():
    mg_dl = np.array([1.49, 1.5, 4.0, 4.01]) * MG_DL_PER_MMOL_TG  # 131.97, 132.855, 354.28, 355.17
    assert points(hscore.triglycerides_points(s(mg_dl / MG_DL_PER_MMOL_TG))) == [0, 44, 44, 64]


def test_fibrinogen_at_2_5_scores():
    assert points(hscore.fibrinogen_points(s([2.49, 2.5, 2.51]))) == [30, 30, 0]


def test_fibrinogen_from_mg_per_dl():
    assert points(hscore.fibrinogen_points(s(np.array([249.0, 250.0, 251.0]) / 100))) == [30, 30, 0]


def test_ast_at_30_scores():
    assert points(hscore.ast_points(s([29.9, 30, 30.1]))) == [0, 19, 19]


@pytest.mark.parametrize(
    ("hb_g_l", "wbc", "plt", "expected"),
    [
        (92.0, 5.0, 110.0, 34),    # all three exactly at their cut-off: three lineages
        (92.1, 5.0, 110.0, 24),    # Hb just above
        (92.0, 5.01, 110.0, 24),   # WBC just above
        (92.0, 5.0, 110.1, 24),    # platelets just above
        (92.1, 5.01, 110.0, 0),    # one lineage: 0
        (120.0, 8.0, 300.0, 0),    # none: 0
    ],
)
def test_cytopenias_at_each_cut_off(hb_g_l, wbc, plt, expected):
    assert points(hscore.cytopenias_points(s([hb_g_l]), s([wbc]), s([plt]))) == [expected]


def test_cytopenias_in_g_per_dl_and_per_microlitre():
    hb_g_dl = np.array([9.2, 9.21, 9.2])
    plt_per_ul = np.array([110_000.0, 110_000.0, 110_100.0])
    got = points(hscore.cytopenias_points(s(hb_g_dl * 10), s([5.0] * 3), s(plt_per_ul / 1000)))
    assert got == [34, 24, 24]


def test_cytopenias_with_an_unknown_lineage_is_a_range():
    lo, hi = hscore.cytopenias_points(s([80.0, 80.0, 130.0]), s([2.0, 9.0, 9.0]), s([np.nan] * 3))
    assert list(lo) == [24, 0, 0]   # two known low -> at least 24; one -> at least 0
    assert list(hi) == [34, 24, 0]  # the unknown may add a lineage; two known normal -> 0 whatever it is


def test_organomegaly_from_findings_and_partial_knowledge():
    lo, hi = hscore.organomegaly_points(s([1, 1, 0, 1, np.nan, 0]), s([1, 0, 0, np.nan, np.nan, np.nan]))
    assert list(lo) == [38, 23, 0, 23, 0, 0]
    assert list(hi) == [38, 23, 0, 38, 38, 23]


def test_binary_items():
    assert points(hscore.immunosuppression_points(s([1, 0, np.nan]))) == [18, 0, None]
    assert points(hscore.hemophagocytosis_points(s([1, 0, np.nan]))) == [35, 0, None]


@pytest.mark.parametrize(
    ("score", "expected"),
    [(90, 0.005), (100, 0.01), (110, 0.03), (120, 0.05), (130, 0.09), (140, 0.16), (150, 0.25),
     (160, 0.40), (170, 0.54), (180, 0.70), (190, 0.80), (200, 0.88), (210, 0.93), (220, 0.96),
     (230, 0.98), (240, 0.99), (250, 0.995)],
)
def test_probability_at_the_papers_rows(score, expected):
    assert hscore.probability(s([score])).iloc[0] == pytest.approx(expected)


def test_probability_interpolates_and_clamps():
    got = hscore.probability(s([0, 89, 169, 175, 251, 337, np.nan]))
    assert list(got[:6].round(4)) == [0.005, 0.005, 0.526, 0.62, 0.995, 0.995]  # 169: .40 + .9 × .14
    assert got.isna().tolist() == [False] * 6 + [True]


def test_score_totals_range_and_missing():
    m = build_matrix(
        immunosuppression=[1], temperature_c=[38.6], hepatomegaly=[1], splenomegaly=[1],
        hemoglobin_g_per_l=[77], wbc_1e9_per_l=[0.72], platelets_1e9_per_l=[22],
        ferritin_ng_per_ml=[9560], triglycerides_mmol_per_l=[4.13], fibrinogen_g_per_l=[3.5],
        ast_u_per_l=[51],
    )
    out = hscore.score(m).iloc[0]
    # 18 + 33 + 38 + 34 + 50 + 64 + 0 + 19 = 256; hemophagocytosis unknown adds 0..35
    assert (out["hscore.points"], out["hscore.min"], out["hscore.max"]) == (256, 256, 291)
    assert out["hscore.missing"] == "hemophagocytosis"
    assert out["hscore.items.hemophagocytosis"] is pd.NA
    assert out["hscore.probability"] == pytest.approx(0.995)


def test_nothing_known_gives_null_points_not_zero():
    out = hscore.score(build_matrix(ldh_u_per_l=[300])).iloc[0]
    assert out["hscore.points"] is pd.NA and out["hscore.probability"] is pd.NA
    assert (out["hscore.min"], out["hscore.max"]) == (0, hscore.MAX_POINTS)
    assert out["hscore.missing"].split(",") == list(hscore.ITEMS)
    assert out["hscore.probability_max"] == pytest.approx(0.995)


def test_partially_known_item_counts_what_is_certain_in_points():
    out = hscore.score(build_matrix(hepatomegaly=[1], ferritin_ng_per_ml=[3000])).iloc[0]
    assert (out["hscore.points"], out["hscore.min"], out["hscore.max"]) == (58, 58, 337 - 50 - 38 + 35 + 38)
    assert "organomegaly" in out["hscore.missing"].split(",")


finite = st.floats(min_value=0, max_value=20_000, allow_nan=False)
maybe = st.one_of(st.none(), finite)


@settings(max_examples=200, deadline=None)
@given(ferritin=maybe, extra=st.floats(min_value=0, max_value=10_000), platelets=maybe,
       drop=st.floats(min_value=0, max_value=500), hb=maybe, wbc=maybe)
def test_raising_ferritin_or_lowering_platelets_never_lowers_the_score(ferritin, extra, platelets, drop, hb, wbc):
    def nan(x):
        return np.nan if x is None else x

    base = build_matrix(
        ferritin_ng_per_ml=[nan(ferritin)] * 3, platelets_1e9_per_l=[nan(platelets)] * 3,
        hemoglobin_g_per_l=[nan(hb)] * 3, wbc_1e9_per_l=[nan(wbc)] * 3,
    )
    if ferritin is not None:
        base.loc[1, "ferritin_ng_per_ml"] = ferritin + extra
    if platelets is not None:
        base.loc[2, "platelets_1e9_per_l"] = max(platelets - drop, 0.0)
    out = hscore.score(base)
    for col in ("hscore.min", "hscore.max"):
        got = values(out[col])
        assert got[1] >= got[0] and got[2] >= got[0], col
    # points add known items only: an item may become undetermined (null), but a known sum never drops
    got = values(out["hscore.points"])
    for later in got[1:]:
        assert got[0] is None or later is None or later >= got[0]



@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        # (points, min, max); every other item unknown adds its whole range to max (total 337)
        ({"hepatomegaly": [1.0]}, (23, 23, 337)),                        # liver yes, spleen unknown: 23..38
        ({"hepatomegaly": [1.0], "splenomegaly": [0.0]}, (23, 23, 337 - 38 + 23)),
        ({"hepatomegaly": [0.0], "splenomegaly": [0.0]}, (0, 0, 337 - 38)),  # known 0 is 0, not unknown
        ({"hemoglobin_g_per_l": [80.0], "wbc_1e9_per_l": [2.0]}, (24, 24, 337)),  # 2 lineages, 3rd unknown
        ({"ferritin_ng_per_ml": ["<5000"]}, (0, 0, 337 - 50 + 35)),       # censored: 0..35
        ({"ferritin_ng_per_ml": [">=2000"]}, (35, 35, 337)),              # 35..50
        ({}, (None, 0, 337)),                                             # nothing known: no points
    ],
)
def test_points_is_the_guaranteed_minimum_of_partly_known_items(inputs, expected):
    out = hscore.score(build_matrix(**inputs)).iloc[0]
    points = None if pd.isna(out["hscore.points"]) else out["hscore.points"]
    assert (points, out["hscore.min"], out["hscore.max"]) == expected
    assert points is None or points >= out["hscore.min"]
