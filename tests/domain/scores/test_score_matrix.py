"""score_matrix / score_observations: the flat frame every consumer reads."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.domain.schema import observation_frame
from dashboard.domain.scores import score_matrix, score_observations
from tests.domain.scores.frames import build_matrix


def test_flat_columns_and_dtypes():
    out = score_matrix(build_matrix(ferritin_ng_per_ml=[9000, float("nan")]))
    assert out.columns[:2].tolist() == ["tp_order", "day"]
    assert str(out["hscore.points"].dtype) == "Int64"
    assert str(out["hlh2004.fulfilled"].dtype) == "boolean"
    assert str(out["hlh2004.met"].dtype) == "int64"
    assert {"hscore.items.ferritin", "hlh2004.criteria.fever", "mas2016.classified", "parodi2009.fulfilled",
            "ferritin_esr_ratio.value", "ms_score.value", "ms_score.min", "ms_score.max", "ms_score.mas"} <= set(
        out.columns
    )
    assert out["hscore.items.ferritin"].tolist()[0] == 50 and out["hscore.items.ferritin"].isna().tolist()[1]


def test_a_matrix_without_an_input_is_refused_by_name():
    with pytest.raises(ValueError, match="ferritin_ng_per_ml"):
        score_matrix(build_matrix().drop(columns="ferritin_ng_per_ml.high"))


def test_score_observations_does_not_mutate_and_indexes_by_case_and_timepoint():
    frame = observation_frame(
        [
            {"case_id": "c", "timepoint": "T0", "tp_order": 0, "day": 0.0, "analyte": "ferritin", "value": 9000.0},
            {"case_id": "c", "timepoint": "T0", "tp_order": 0, "day": 0.0, "analyte": "esr", "value": None},
        ]
    )
    before = frame.copy(deep=True)
    out = score_observations(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert out.index.names == ["case_id", "timepoint"] and list(out.index) == [("c", "T0")]
    assert out["ferritin_esr_ratio.value"].isna().all()


def test_no_observations_give_an_empty_frame_with_every_column():
    out = score_observations(observation_frame())
    assert len(out) == 0 and "hscore.points" in out.columns and out.index.names == ["case_id", "timepoint"]


def _mixed_matrix():
    """A few timepoints with values on and around cut-offs, and unknowns in every column."""
    return build_matrix(
        temperature_c=[38.4, 39.41, float("nan"), 37.0],
        ferritin_ng_per_ml=[684.0, 6000.1, 9000.0, float("nan")],
        platelets_1e9_per_l=[110.0, 181.0, float("nan"), 22.0],
        hemoglobin_g_per_l=[90.0, 92.0, 80.0, float("nan")],
        wbc_1e9_per_l=[5.0, float("nan"), 2.0, 4.0],
        triglycerides_mmol_per_l=[156 / 88.57, 3.0, float("nan"), 4.01],
        fibrinogen_g_per_l=[3.6, 1.5, 2.5, float("nan")],
        ast_u_per_l=[48.0, 30.0, float("nan"), 41.0],
        ldh_u_per_l=[567.0, 600.0, float("nan"), 300.0],
        esr_mm_per_h=[0.0, 20.0, 62.0, float("nan")],
        hepatomegaly=[1.0, 0.0, float("nan"), 1.0],
        hepatomegaly_cm=[3.0, float("nan"), float("nan"), float("nan")],
        splenomegaly=[float("nan"), 1.0, 0.0, 1.0],
        cns_involvement=[0.0, 1.0, float("nan"), 0.0],
        hemorrhage=[0.0, float("nan"), 1.0, 0.0],
        arthritis=[1.0, 0.0, 0.0, float("nan")],
    )


def test_score_matrix_is_every_module_score_side_by_side():
    from dashboard.domain.scores import SCORES

    matrix = _mixed_matrix()
    expected = pd.concat([matrix[["tp_order", "day"]]] + [module.score(matrix) for module in SCORES], axis=1)
    pd.testing.assert_frame_equal(score_matrix(matrix), expected, check_exact=True)


def test_nullable_and_pyarrow_inputs_score_the_same_as_float64():
    matrix = _mixed_matrix()
    typed = matrix.astype({"ferritin_ng_per_ml.low": "Float64", "temperature_c.high": "double[pyarrow]",
                           "ast_u_per_l.low_inclusive": "bool[pyarrow]"})
    pd.testing.assert_frame_equal(score_matrix(typed), score_matrix(matrix), check_exact=True)


def test_score_matrix_neither_mutates_nor_shares_its_input():
    matrix = _mixed_matrix()
    before = matrix.copy(deep=True)
    out = score_matrix(matrix)
    pd.testing.assert_frame_equal(matrix, before)
    out.loc[0, "day"] = 99.0
    out.loc[0, "tp_order"] = 99
    pd.testing.assert_frame_equal(matrix, before)
