"""Tidy observations -> timepoint matrix: columns, findings, unknowns, order, duplicates, speed."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from dashboard.domain.matrix import INPUT_COLUMNS, timepoint_matrix
from dashboard.domain.schema import observation_frame


def obs(*rows: dict) -> pd.DataFrame:
    base = {"case_id": "c", "timepoint": "T0", "tp_order": 0, "day": 0.0}
    return observation_frame([{**base, **row} for row in rows])


def test_one_row_per_timepoint_with_every_input_column():
    frame = obs(
        {"timepoint": "Later", "tp_order": 1, "day": 7.0, "analyte": "ferritin", "value": 8580.0},
        {"analyte": "ferritin", "value": 9560.0},
        {"analyte": "platelets", "value": 22.0},
        {"analyte": "crp", "value": 68.8},
    )
    m = timepoint_matrix(frame)
    assert list(m.index) == [("c", "T0"), ("c", "Later")]
    assert list(m.columns) == ["tp_order", "day", *INPUT_COLUMNS]
    assert m["ferritin_ng_per_ml.low"].tolist() == [9560.0, 8580.0]
    assert m["platelets_1e9_per_l.low"].iloc[0] == 22.0 and np.isnan(m["platelets_1e9_per_l.low"].iloc[1])
    assert m["day"].tolist() == [0.0, 7.0] and m["tp_order"].tolist() == [0, 1]
    bounds = [c for c in INPUT_COLUMNS if not c.endswith("_inclusive")]
    assert (m.dtypes[bounds] == "float64").all() and (m.dtypes.drop(["tp_order", "day", *bounds]) == "bool").all()


def test_findings_present_absent_unknown():
    frame = obs(
        {"analyte": "hepatomegaly", "value": 3.0, "unit": "cm", "result": "positive"},
        {"analyte": "splenomegaly", "result": "negative"},
        {"analyte": "immunosuppression", "value": 1.0, "result": "positive"},
        {"analyte": "hemorrhage"},
        {"analyte": "nk_activity", "result": "low"},
        {"timepoint": "T1", "tp_order": 1, "analyte": "hepatomegaly", "value": 2.0, "unit": "cm"},
        {"timepoint": "T1", "tp_order": 1, "analyte": "nk_activity", "result": "normal"},
        {"timepoint": "T1", "tp_order": 1, "analyte": "splenomegaly", "value": 0.0, "unit": "cm"},
    )
    m = timepoint_matrix(frame)
    first, second = (m.drop(columns="tp_order").iloc[i] for i in (0, 1))
    assert (first["hepatomegaly"], first["hepatomegaly_cm.low"]) == (1.0, 3.0)
    assert first["splenomegaly"] == 0.0 and np.isnan(first["splenomegaly_cm.low"])
    assert first["immunosuppression"] == 1.0
    assert np.isnan(first["hemorrhage"])          # an empty row is unknown, never "no"
    assert first["nk_low"] == 1.0 and second["nk_low"] == 0.0
    assert (second["hepatomegaly"], second["hepatomegaly_cm.low"]) == (1.0, 2.0)  # size > 0 -> present
    assert (second["splenomegaly"], second["splenomegaly_cm.low"]) == (0.0, 0.0)
    assert np.isnan(second["immunosuppression"])   # findings are not carried forward


def test_cases_sorted_and_kept_apart():
    frame = obs(
        {"case_id": "b", "analyte": "ast", "value": 2.0},
        {"case_id": "a", "timepoint": "T1", "tp_order": 1, "analyte": "ast", "value": 3.0},
        {"case_id": "a", "analyte": "ast", "value": 1.0},
    )
    m = timepoint_matrix(frame)
    assert list(m.index) == [("a", "T0"), ("a", "T1"), ("b", "T0")]
    assert m["ast_u_per_l.low"].tolist() == [1.0, 3.0, 2.0]


def test_does_not_mutate_its_input():
    frame = obs({"analyte": "ferritin", "value": None}, {"analyte": "ldh", "value": 300.0})
    before = frame.copy(deep=True)
    timepoint_matrix(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_fast_for_many_timepoints():
    n_tp = 100_000
    analytes = ["ferritin", "platelets", "hemoglobin", "wbc", "ast", "triglycerides", "fibrinogen", "hepatomegaly"]
    n = n_tp * len(analytes)
    rng = np.random.default_rng(0)
    tp = np.repeat(np.arange(n_tp), len(analytes))
    frame = pd.DataFrame(
        {
            "case_id": (tp // 4).astype(str),
            "timepoint": (tp % 4).astype(str),
            "tp_order": tp % 4,
            "day": (tp % 4).astype(float),
            "analyte": np.tile(analytes, n_tp),
            "value": rng.uniform(0, 500, n),
            "result": np.where(np.tile(analytes, n_tp) == "hepatomegaly", "positive", None),
        }
    )
    start = time.perf_counter()
    m = timepoint_matrix(frame)
    elapsed = time.perf_counter() - start
    assert len(m) == n_tp and m["hepatomegaly"].eq(1.0).all()
    assert elapsed < 10.0, elapsed


def test_results_in_any_case_and_rows_without_an_analyte():
    frame = obs(
        {"analyte": "hepatomegaly", "result": "Positive"},
        {"analyte": "splenomegaly", "result": "NEGATIVE"},
        {"analyte": "nk_activity", "result": "Low"},
        {"analyte": "hemorrhage", "result": "absent"},  # not a recognised result: unknown, not "no"
        {"analyte": None, "value": 5.0, "result": "positive"},
        {"timepoint": "T1", "tp_order": 1, "analyte": "nk_activity", "result": "High"},
        {"timepoint": "T1", "tp_order": 1, "analyte": "hemophagocytosis", "result": "negative"},
    )
    first, second = (timepoint_matrix(frame).drop(columns="tp_order").iloc[i] for i in (0, 1))
    assert (first["hepatomegaly"], first["splenomegaly"], first["nk_low"]) == (1.0, 0.0, 1.0)
    assert np.isnan(first["hemorrhage"])
    bounds = [c for c in INPUT_COLUMNS if not c.endswith("_inclusive")]
    assert first[bounds].drop(["hepatomegaly", "splenomegaly", "nk_low"]).isna().all()
    assert (second["nk_low"], second["hemophagocytosis"]) == (0.0, 0.0)


def test_object_columns_give_the_same_matrix_as_the_typed_frame():
    frame = obs(
        {"analyte": "ferritin", "value": 9560.0},
        {"analyte": "nk_activity", "result": "normal"},
        {"analyte": "splenomegaly", "value": 2.0, "unit": "cm"},
        {"timepoint": "T1", "tp_order": 1, "analyte": "hepatomegaly", "result": "positive"},
    )
    plain = frame.astype({"case_id": object, "timepoint": object, "analyte": object, "result": object})
    pd.testing.assert_frame_equal(timepoint_matrix(plain), timepoint_matrix(frame), check_exact=True)


def test_censored_values_become_bounds_inclusive_as_written():
    frame = obs(
        {"analyte": "ast", "value": 30.0, "qualifier": "<"},
        {"analyte": "ferritin", "value": 6000.0, "qualifier": ">="},
        {"analyte": "ldh", "value": 250.0, "qualifier": "<="},
        {"analyte": "scd25", "value": 2400.0, "qualifier": ">"},
        {"analyte": "platelets", "value": 22.0},
    )
    row = timepoint_matrix(frame).iloc[0]

    def bounds(name):
        return tuple(row[f"{name}.{b}"] for b in ("low", "high", "low_inclusive", "high_inclusive"))

    assert bounds("ast_u_per_l") == (0.0, 30.0, True, False)
    assert bounds("ferritin_ng_per_ml") == (6000.0, np.inf, True, False)
    assert bounds("ldh_u_per_l") == (0.0, 250.0, True, True)
    assert bounds("scd25_u_per_ml") == (2400.0, np.inf, False, False)
    assert bounds("platelets_1e9_per_l") == (22.0, 22.0, True, True)
    assert np.isnan(row["wbc_1e9_per_l.low"]) and np.isnan(row["wbc_1e9_per_l.high"])


def test_values_written_in_a_printed_unit_are_carried_as_written():
    frame = obs(
        {"analyte": "triglycerides", "value": 265 / 88.57, "orig_value": 265.0, "orig_unit": "mg/dL",
         "qualifier": ">="},
        {"analyte": "fibrinogen", "value": 3.5, "orig_value": 3.5, "orig_unit": "g/L"},
        {"timepoint": "T1", "tp_order": 1, "analyte": "hemoglobin", "value": 77.0, "orig_value": 7.7,
         "orig_unit": "g/dL"},
    )
    m = timepoint_matrix(frame)
    assert m["triglycerides_mg_per_dl.low"].tolist()[0] == 265.0
    assert (m["triglycerides_mg_per_dl.high"].iloc[0], m["triglycerides_mg_per_dl.low_inclusive"].iloc[0]) == (
        np.inf, True)
    assert m["triglycerides_mmol_per_l.low"].iloc[0] == pytest.approx(265 / 88.57)
    assert m["fibrinogen_mg_per_dl.low"].isna().all()  # arrived in g/L: no mg/dL value
    assert np.isnan(m["hemoglobin_g_per_dl.low"].iloc[0]) and m["hemoglobin_g_per_dl.low"].iloc[1] == 7.7


def test_an_unknown_qualifier_is_refused_by_name():
    with pytest.raises(ValueError, match="'~'"):
        timepoint_matrix(obs({"analyte": "ast", "value": 30.0, "qualifier": "~"}))
