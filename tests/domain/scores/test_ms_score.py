"""MS score (Minoia 2019): the formula, the range unknown binary items allow, the −2.1 cut-off."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.domain.scores import ms_score
from tests.domain.scores.frames import build_matrix, values


def labs(n, platelets, ldh, fibrinogen_g_l, ferritin, **findings):
    return build_matrix(
        platelets_1e9_per_l=[platelets] * n, ldh_u_per_l=[ldh] * n,
        fibrinogen_g_per_l=[fibrinogen_g_l] * n, ferritin_ng_per_ml=[ferritin] * n, **findings,
    )


def test_value_when_everything_is_known():
    m = labs(1, 22, 1260, 3.5, 9560, cns_involvement=[0], hemorrhage=[1], arthritis=[1])
    # −0.066 + 1.26 − 0.004·350 + 0.956 = 0.75; + 1.54 − 1.30 = 0.99
    out = ms_score.score(m).iloc[0]
    assert out["ms_score.value"] == pytest.approx(0.99)
    assert out["ms_score.min"] == out["ms_score.max"] == pytest.approx(0.99)
    assert values(ms_score.score(m)["ms_score.mas"]) == [True]


def test_range_from_unknown_binary_items():
    m = labs(1, 22, 1260, 3.5, 9560, cns_involvement=[0])
    out = ms_score.score(m).iloc[0]
    assert values(ms_score.score(m)["ms_score.value"]) == [None]
    assert out["ms_score.min"] == pytest.approx(0.75 - 1.30)
    assert out["ms_score.max"] == pytest.approx(0.75 + 1.54)


def test_cut_off_at_minus_2_1_inclusive():
    # platelets alone: −0.003·p with every other term 0 (LDH 0, fibrinogen 0, ferritin 0, findings absent)
    m = build_matrix(
        platelets_1e9_per_l=[700, 699.9, 700.1], ldh_u_per_l=[0] * 3, fibrinogen_g_per_l=[0] * 3,
        ferritin_ng_per_ml=[0] * 3, cns_involvement=[0] * 3, hemorrhage=[0] * 3, arthritis=[0] * 3,
    )
    out = ms_score.score(m)
    assert values(out["ms_score.value"].round(4)) == [-2.1, -2.0997, -2.1003]
    assert values(out["ms_score.mas"]) == [True, True, False]


def test_fibrinogen_enters_in_mg_per_dl():
    # −0.004 × 360 mg/dL = −1.44, the same whether fibrinogen was 3.6 g/L or 360 mg/dL
    a = ms_score.laboratory_part(*(pd.Series([x], dtype="float64") for x in (0, 0, 3.6, 0)))
    b = ms_score.laboratory_part(*(pd.Series([x], dtype="float64") for x in (0, 0, 360 / 100, 0)))
    assert a[0].iloc[0] == pytest.approx(-1.44) and b[1].iloc[0] == pytest.approx(-1.44)


def test_mas_unknown_when_range_straddles_and_null_without_labs():
    m = labs(1, 287, 245, 3.5, 290)
    out = ms_score.score(m).iloc[0]
    # −0.861 + 0.245 − 1.4 + 0.029 = −1.987; range −3.287..1.993 straddles −2.1
    assert out["ms_score.min"] == pytest.approx(-3.287)
    assert values(ms_score.score(m)["ms_score.mas"]) == [None]
    no_ldh = build_matrix(platelets_1e9_per_l=[22], fibrinogen_g_per_l=[3.5], ferritin_ng_per_ml=[9560])
    out = ms_score.score(no_ldh)
    assert values(out["ms_score.min"]) == [None] and values(out["ms_score.mas"]) == [None]


def test_mas_false_when_even_max_is_below():
    m = labs(1, 1000, 0, 0, 0, cns_involvement=[0], hemorrhage=[0])
    # −3.0 + 0 .. −3.0 (arthritis unknown can only lower it)
    assert values(ms_score.score(m)["ms_score.mas"]) == [False]
