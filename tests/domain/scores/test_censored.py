"""Censored values (`<30`, `>=6000`) through every score (issue 9, point 1): a criterion is decided only
when every value the bound allows agrees; otherwise it is unknown, and an HScore item takes its range.
Every example of the issue is a row here; the others sit on and beside each cut-off."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.domain.schema import observation_frame
from dashboard.domain.scores import hlh2004, hscore, mas2016, parodi2009, score_matrix, score_observations
from tests.domain.scores.frames import build_matrix, values

# (input, value as written, score column, expected, what it shows); "other items normal" = unknown here
CASES = [
    ("ast_u_per_l", "<30", "hscore.items.ast", 0, "issue 9: AST <30 scores 0, not 19"),
    ("ast_u_per_l", "<=30", "hscore.items.ast", None, "30 itself scores 19: unknown"),
    ("ast_u_per_l", ">=30", "hscore.items.ast", 19, "at or above the cut-off"),
    ("ast_u_per_l", ">29.9", "hscore.items.ast", None, "29.95 or 31"),
    ("fibrinogen_g_per_l", ">2.5", "hscore.items.fibrinogen", 0, "issue 9: fibrinogen >2.5 scores 0, not 30"),
    ("fibrinogen_g_per_l", ">=2.5", "hscore.items.fibrinogen", None, "2.5 scores 30, 2.6 scores 0"),
    ("fibrinogen_g_per_l", "<=2.5", "hscore.items.fibrinogen", 30, ""),
    ("fibrinogen_g_per_l", "<2.6", "hscore.items.fibrinogen", None, ""),
    ("triglycerides_mmol_per_l", "<1.5", "hscore.items.triglycerides", 0, "issue 9: TG <1.5 scores 0, not 44"),
    ("triglycerides_mmol_per_l", "<=1.5", "hscore.items.triglycerides", None, "1.5 scores 44"),
    ("triglycerides_mmol_per_l", ">4", "hscore.items.triglycerides", 64, "issue 9: TG >4 scores 64, not 44"),
    ("triglycerides_mmol_per_l", ">=4", "hscore.items.triglycerides", None, "4 scores 44, 4.1 scores 64"),
    ("triglycerides_mmol_per_l", ">=1.5", "hscore.items.triglycerides", None, "44 or 64"),
    ("ferritin_ng_per_ml", ">6000", "hscore.items.ferritin", 50, "issue 9: ferritin >6000 scores 50, not 35"),
    ("ferritin_ng_per_ml", "<5000", "hscore.items.ferritin", None, "issue 9: 0 or 35"),
    ("ferritin_ng_per_ml", "<2000", "hscore.items.ferritin", 0, "issue 9"),
    ("ferritin_ng_per_ml", "<2000", "hlh2004.criteria.ferritin", None, "issue 9: 400 or 1500 vs >= 500"),
    ("ferritin_ng_per_ml", "<2000", "mas2016.criteria.ferritin", None, "issue 9: vs > 684"),
    ("ferritin_ng_per_ml", "<500", "hlh2004.criteria.ferritin", False, "issue 9"),
    ("ferritin_ng_per_ml", "<=500", "hlh2004.criteria.ferritin", None, "500 meets >= 500"),
    ("ferritin_ng_per_ml", ">684", "mas2016.criteria.ferritin", True, "issue 9"),
    ("ferritin_ng_per_ml", ">=684", "mas2016.criteria.ferritin", None, "684 does not meet > 684"),
    ("ferritin_ng_per_ml", ">=500", "hlh2004.criteria.ferritin", True, ""),
    ("ast_u_per_l", ">40", "parodi2009.criteria.ast", True, "issue 9"),
    ("ast_u_per_l", ">=40", "parodi2009.criteria.ast", None, "40 does not meet > 40"),
    ("ast_u_per_l", "<=48", "mas2016.criteria.ast", False, ""),
    ("temperature_c", ">39.4", "hscore.items.temperature", 49, ""),
    ("temperature_c", ">=38.5", "hlh2004.criteria.fever", True, ""),
    ("temperature_c", "<38.5", "hlh2004.criteria.fever", False, ""),
    ("platelets_1e9_per_l", "<100", "mas2016.criteria.platelets", True, ""),
    ("platelets_1e9_per_l", ">181", "mas2016.criteria.platelets", False, ""),
    ("platelets_1e9_per_l", ">150", "mas2016.criteria.platelets", None, ""),
    ("scd25_u_per_ml", ">2400", "hlh2004.criteria.scd25", True, ""),
    ("scd25_u_per_ml", "<2400", "hlh2004.criteria.scd25", False, ""),
    ("ldh_u_per_l", ">567", "parodi2009.criteria.ldh", True, ""),
    ("hepatomegaly_cm", ">=3", "parodi2009.criteria.hepatomegaly", True, ""),
    ("hepatomegaly_cm", "<3", "parodi2009.criteria.hepatomegaly", False, ""),
    ("triglycerides_mmol_per_l", ">2.02", "mas2016.criteria.triglycerides", True, "2.02 mmol/L = 178.9 mg/dL"),
    ("triglycerides_mmol_per_l", "<1.7", "parodi2009.criteria.triglycerides", False, "150.6 mg/dL"),
]


@pytest.mark.parametrize(("name", "written", "column", "expected", "why"), CASES)
def test_a_censored_value_decides_only_what_every_allowed_value_agrees_on(name, written, column, expected, why):
    out = score_matrix(build_matrix(**{name: [written]}))
    assert values(out[column]) == [expected], why


def test_ferritin_below_5000_spans_the_hscore_item_range():
    out = hscore.score(build_matrix(ferritin_ng_per_ml=["<5000"])).iloc[0]
    assert pd.isna(out["hscore.items.ferritin"]) and "ferritin" in out["hscore.missing"].split(",")
    everything_else = 337 - 50  # the other items unknown: 0..287
    assert (out["hscore.min"], out["hscore.max"]) == (0, everything_else + 35)


def test_triglycerides_below_3_and_fibrinogen_above_1_5_fail_hlh2004_and_parodi():
    m = build_matrix(triglycerides_mmol_per_l=["<3.0"], fibrinogen_g_per_l=[">1.5"])
    assert values(hlh2004.score(m)["hlh2004.criteria.triglycerides_fibrinogen"]) == [False]
    assert values(parodi2009.score(m)["parodi2009.criteria.fibrinogen"]) == [False]
    assert values(mas2016.score(m)["mas2016.criteria.fibrinogen"]) == [None]  # 1.6 or 4.0 g/L vs <= 3.6


def test_ms_score_range_from_bounds():
    # platelets >100 (−0.003 each: unbounded below), LDH 1000, fibrinogen 1.0 g/L, ferritin <10 000
    m = build_matrix(platelets_1e9_per_l=[">100", 100.0], ldh_u_per_l=[1000.0, 1000.0],
                     fibrinogen_g_per_l=[1.0, 1.0], ferritin_ng_per_ml=["<10000", "<10000"],
                     cns_involvement=[0.0, 0.0], hemorrhage=[0.0, 0.0], arthritis=[0.0, 0.0])
    out = score_matrix(m)
    # max: −0.3 + 1.0 − 0.4 + 1.0 = 1.3 (at platelets 100, ferritin 10 000); min: −inf
    assert values(out["ms_score.max"]) == [pytest.approx(1.3), pytest.approx(1.3)]
    assert out["ms_score.min"].iloc[0] == -math.inf
    assert out["ms_score.min"].iloc[1] == pytest.approx(-0.3 + 1.0 - 0.4)  # ferritin 0
    assert values(out["ms_score.value"]) == [None, None]
    assert values(out["ms_score.mas"]) == [None, True]  # −inf..1.3 straddles −2.1; 0.3..1.3 does not


def test_ferritin_esr_ratio_range_from_bounds():
    m = build_matrix(ferritin_ng_per_ml=[">6000", "<1000", 9560.0, 9560.0],
                     esr_mm_per_h=[20.0, ">50", 62.0, "<5"])
    out = score_matrix(m)
    assert values(out["ferritin_esr_ratio.min"]) == [300.0, 0.0, 9560 / 62, 9560 / 5]
    assert values(out["ferritin_esr_ratio.max"]) == [math.inf, 20.0, 9560 / 62, math.inf]
    assert values(out["ferritin_esr_ratio.value"]) == [None, None, 9560 / 62, None]


def _tidy(*rows: dict) -> pd.DataFrame:
    base = {"case_id": "c", "timepoint": "T0", "tp_order": 0, "day": 0.0}
    return observation_frame([{**base, **row} for row in rows])


def _triglycerides(orig_value: float, orig_unit: str, qualifier: str | None = None) -> dict:
    canonical = orig_value / 88.57 if orig_unit == "mg/dL" else orig_value
    return {"analyte": "triglycerides", "value": canonical, "unit": "mmol/L", "qualifier": qualifier,
            "orig_value": orig_value, "orig_unit": orig_unit}


@pytest.mark.parametrize(
    ("orig_value", "orig_unit", "qualifier", "expected"),
    [
        (265.0, "mg/dL", None, True),       # issue 11: the printed 265 mg/dL meets, although 3.0 mmol/L = 265.7
        (264.99, "mg/dL", None, False),
        (265.0, "mg/dl", None, True),       # the unit's spelling in lower case is the same unit
        (265.0, "mg/dL", "<", False),
        (265.0, "mg/dL", "<=", None),
        (264.0, "mg/dL", ">", None),
        (265.0, "mg/dL", ">=", True),
        (3.0, "mmol/L", None, True),
        (2.99, "mmol/L", None, False),
        (3.0, "mmol/L", "<", False),
        (3.0, "mmol/L", ">=", True),
    ],
)
def test_hlh2004_triglycerides_compared_in_the_unit_they_arrived_in(orig_value, orig_unit, qualifier, expected):
    fibrinogen_normal = {"analyte": "fibrinogen", "value": 3.0, "unit": "g/L"}
    out = score_observations(_tidy(_triglycerides(orig_value, orig_unit, qualifier), fibrinogen_normal))
    assert values(out["hlh2004.criteria.triglycerides_fibrinogen"]) == [expected]


def test_mas_and_parodi_triglycerides_in_mg_dl_against_their_printed_cut_offs():
    rows = [{**_triglycerides(v, "mg/dL", q), "timepoint": f"T{i}", "tp_order": i}
            for i, (v, q) in enumerate([(156.0, None), (156.01, None), (156.0, ">"), (178.0, None), (178.0, ">")])]
    out = score_observations(_tidy(*rows))
    assert values(out["mas2016.criteria.triglycerides"]) == [False, True, True, True, True]
    assert values(out["parodi2009.criteria.triglycerides"]) == [False, False, None, False, True]


def test_hemoglobin_in_g_dl_against_the_hscore_printed_9_2():
    rows = [{"analyte": "hemoglobin", "value": v * 10, "unit": "g/L", "orig_value": v, "orig_unit": "g/dL",
             "qualifier": q, "timepoint": f"T{i}", "tp_order": i}
            for i, (v, q) in enumerate([(9.2, None), (9.21, None), (9.3, "<"), (9.2, "<=")])]
    rows += [{"analyte": a, "value": 1.0, "unit": "10^9/L", "timepoint": f"T{i}", "tp_order": i}
             for i in range(4) for a in ("wbc", "platelets")]
    out = score_observations(_tidy(*rows))
    assert values(out["hscore.items.cytopenias"]) == [34, 24, None, 34]


# censored values written in a second unit, as the readers deliver them (canonical value + what was written)
SECOND_UNIT = [
    ("fibrinogen", ">", 250.0, "mg/dL", 2.5, "hscore.items.fibrinogen", 0),
    ("fibrinogen", ">=", 250.0, "mg/dL", 2.5, "hscore.items.fibrinogen", None),
    ("fibrinogen", "<=", 360.0, "mg/dL", 3.6, "mas2016.criteria.fibrinogen", True),   # printed 360 mg/dL
    ("fibrinogen", "<", 361.0, "mg/dL", 3.61, "mas2016.criteria.fibrinogen", None),
    ("fibrinogen", "<", 150.0, "mg/dL", 1.5, "parodi2009.criteria.fibrinogen", True),
    ("triglycerides", ">", 354.28, "mg/dL", 354.28 / 88.57, "hscore.items.triglycerides", 64),
    ("triglycerides", "<", 132.85, "mg/dL", 132.85 / 88.57, "hscore.items.triglycerides", 0),
    ("triglycerides", ">", 156.0, "mg/dL", 156.0 / 88.57, "mas2016.criteria.triglycerides", True),
    ("triglycerides", ">=", 156.0, "mg/dL", 156.0 / 88.57, "mas2016.criteria.triglycerides", None),
    ("temperature", ">", 102.92, "°F", 39.4, "hscore.items.temperature", 49),
    ("temperature", "<", 101.12, "°F", 38.4, "hscore.items.temperature", 0),
    ("ferritin", ">", 6000.0, "µg/L", 6000.0, "hscore.items.ferritin", 50),
    ("ferritin", "<", 500.0, "µg/L", 500.0, "hlh2004.criteria.ferritin", False),
    ("platelets", "<", 100_000.0, "/µL", 100.0, "hlh2004.criteria.cytopenias", None),  # 1 lineage of 2
]


@pytest.mark.parametrize(("analyte", "qualifier", "written", "unit", "canonical", "column", "expected"),
                         SECOND_UNIT)
def test_censored_values_in_a_second_unit(analyte, qualifier, written, unit, canonical, column, expected):
    row = {"analyte": analyte, "value": canonical, "qualifier": qualifier, "orig_value": written,
           "orig_unit": unit}
    out = score_observations(_tidy(row))
    assert values(out[column]) == [expected]
