"""Shared score logic: rounded cut-off comparisons on bounds, Kleene operators, the Series/array boundary, nullable output."""

from __future__ import annotations

import operator

import numpy as np
import pandas as pd
import pytest

from dashboard.domain.scores import hlh2004, hscore, logic, ms_score, parodi2009
from tests.domain.scores.frames import measure

# Every (cut, comparison, factor) the score modules use (module docstrings), written out independently.
TG = 88.57
CUT_OFFS = [
    (39.4, operator.gt, 1.0), (38.4, operator.ge, 1.0), (92.0, operator.le, 1.0), (5.0, operator.le, 1.0),
    (110.0, operator.le, 1.0), (6000.0, operator.gt, 1.0), (2000.0, operator.ge, 1.0), (4.0, operator.gt, 1.0),
    (1.5, operator.ge, 1.0), (2.5, operator.le, 1.0), (30.0, operator.ge, 1.0),
    (38.5, operator.ge, 1.0), (90.0, operator.lt, 1.0), (100.0, operator.lt, 1.0), (1.0, operator.lt, 1.0),
    (3.0, operator.ge, 1.0), (1.5, operator.le, 1.0), (500.0, operator.ge, 1.0), (2400.0, operator.ge, 1.0),
    (38.0, operator.ge, 1.0), (684.0, operator.gt, 1.0), (181.0, operator.le, 1.0), (48.0, operator.gt, 1.0),
    (156.0, operator.gt, TG), (360.0, operator.le, 100.0),
    (38.0, operator.gt, 1.0), (4.0, operator.le, 1.0), (90.0, operator.le, 1.0), (150.0, operator.le, 1.0),
    (500.0, operator.gt, 1.0), (40.0, operator.gt, 1.0), (567.0, operator.gt, 1.0), (178.0, operator.gt, TG),
    (3.0, operator.ge, 1.0),
]
SYMBOL = {operator.ge: ">=", operator.gt: ">", operator.le: "<=", operator.lt: "<"}


def by_definition(x: np.ndarray, cut: float, op, factor: float) -> np.ndarray:
    """The documented rule, computed the slow way: round(x × factor, 6) compared with the cut."""
    with np.errstate(over="ignore", invalid="ignore"):
        return op(np.round(x * factor, 6), cut)


def around(x: float, ulps: int = 300) -> np.ndarray:
    return x + np.arange(-ulps, ulps + 1) * np.spacing(x)


@pytest.mark.parametrize(("cut", "op", "factor"), CUT_OFFS)
def test_every_cut_off_is_the_rounded_comparison(cut, op, factor):
    # on the cut, on both rounding edges (cut ± half a millionth), and random values either side
    edges = [cut / factor, (cut - 5e-7) / factor, (cut + 5e-7) / factor, (cut - 1e-6) / factor]
    rng = np.random.default_rng(int(cut * 1000))
    x = np.concatenate(
        [*(around(e) for e in edges), rng.uniform(0, 2 * cut / factor, 20_000), [0.0, -cut, np.inf, -np.inf]]
    )
    got = logic.compare(x, SYMBOL[op], cut, factor)
    expected = by_definition(x, cut, op, factor)
    assert np.array_equal(got == 1.0, expected)
    assert not np.isnan(got).any()


def test_unknown_stays_unknown_for_every_comparison():
    for op in SYMBOL.values():
        got = logic.compare(np.array([np.nan, 1.0]), op, 1.0)
        assert np.isnan(got[0]) and not np.isnan(got[1])


# bounds on and beside a cut-off of 30, for each comparison: (written, >= 30, > 30, <= 30, < 30)
BOUNDS = [
    ("<30", False, False, True, True),
    ("<=30", None, False, True, None),
    (">30", True, True, False, False),
    (">=30", True, None, None, False),
    ("<30.000001", None, None, None, None),    # 30 itself allowed, and values just above it
    (">29.999999", None, None, None, None),    # 30 itself allowed
    ("<29.999999", False, False, True, True),
    (">30.000001", True, True, False, False),
    ("30", True, False, True, False),
    ("<=29.9999996", None, False, True, None),  # the bound rounds to 30.0, included: 30 itself allowed
]


@pytest.mark.parametrize(("written", "ge", "gt", "le", "lt"), BOUNDS)
def test_bounds_decide_only_what_every_allowed_value_agrees_on(written, ge, gt, le, lt):
    m = measure([written])
    got = [kleene_value(logic.compare(m, op, 30.0)[0]) for op in (">=", ">", "<=", "<")]
    assert got == [ge, gt, le, lt]


def test_a_measure_is_rounded_once_per_factor():
    m = measure(["<30", 2.0])
    assert m.rounded(88.57) is m.rounded(88.57) and m.rounded() is not m.rounded(88.57)


def test_compare_refuses_an_unknown_operator():
    with pytest.raises(ValueError, match="op must be"):
        logic.compare(np.array([1.0]), "=>", 1.0)


U = np.nan
PAIRS = [(a, b) for a in (1.0, 0.0, U) for b in (1.0, 0.0, U)]


def kleene_value(v):
    return None if np.isnan(v) else bool(v)


def test_kleene_or_and_truth_tables():
    a, b = (np.array(col) for col in zip(*PAIRS))
    # Kleene's strong three-valued logic, row by row: (1,1) (1,0) (1,U) (0,1) (0,0) (0,U) (U,1) (U,0) (U,U)
    assert [kleene_value(v) for v in logic.any_of(a, b)] == [True, True, True, True, False, None, True, None, None]
    assert [kleene_value(v) for v in logic.all_of(a, b)] == [True, False, None, False, False, False, None, False, None]


def test_at_least_n_and_counts():
    a, b = (np.array(col) for col in zip(*PAIRS))
    c = np.full(len(a), 1.0)
    assert [kleene_value(v) for v in logic.at_least_n(2, a, b)] == [True, False, None, False, False, False, None,
                                                                     False, None]
    assert [kleene_value(v) for v in logic.at_least_n(3, a, b, c)] == [True, False, None, False, False, False,
                                                                        None, False, None]
    assert logic.count_met(a, b).tolist() == [2, 1, 1, 1, 0, 0, 1, 0, 0]
    assert logic.count_unknown(a, b).tolist() == [0, 0, 1, 0, 0, 1, 1, 1, 2]
    assert logic.count_met(a, b).dtype == np.int64


def test_present_counts_any_positive_value_and_keeps_unknown():
    got = logic.present(np.array([2.0, 1.0, 0.0, -1.0, np.nan]))
    assert [kleene_value(v) for v in got] == [True, True, False, False, None]


def test_nullable_conversions_turn_nan_into_na():
    x = np.array([1.0, 0.0, np.nan])
    assert logic.as_boolean(x).tolist() == [True, False, pd.NA]
    assert logic.as_int(np.array([24.0, 0.0, np.nan])).tolist() == [24, 0, pd.NA]
    assert str(logic.as_int(x).dtype) == "Int64" and str(logic.as_float(x).dtype) == "Float64"
    assert logic.as_float(x).isna().tolist() == [False, False, True]


def test_as_float_does_not_alias_its_input():
    x = np.array([1.0, np.nan])
    out = logic.as_float(x)
    out[0] = 5.0
    assert x[0] == 1.0


def test_items_take_series_or_arrays_and_agree():
    index = pd.Index([10, 20, 30, 40], name="row")
    temperature = pd.Series([38.39, 38.4, 39.41, np.nan], index=index)
    series_lo, series_hi = hscore.temperature_points(temperature)
    array_lo, array_hi = hscore.temperature_points(temperature.to_numpy())
    assert isinstance(series_lo, pd.Series) and series_lo.index.equals(index)
    assert isinstance(array_lo, np.ndarray)
    assert np.array_equal(series_lo.to_numpy(), array_lo) and np.array_equal(series_hi.to_numpy(), array_hi)
    fever = hlh2004.fever(temperature)
    assert isinstance(fever, pd.Series) and fever.index.equals(index)
    assert np.array_equal(fever.to_numpy(), hlh2004.fever(temperature.to_numpy()), equal_nan=True)


def test_items_accept_nullable_and_pyarrow_series():
    values = [2.0, 4.0, None]
    for dtype in ("float64", "Float64", "double[pyarrow]"):
        got = parodi2009.enlarged_3cm(pd.Series([1.0, 1.0, 0.0], dtype=dtype), pd.Series(values, dtype=dtype))
        assert [kleene_value(v) for v in got] == [False, True, False], dtype


def test_item_results_are_fresh_arrays_not_views_of_the_input():
    size = np.array([4.0, np.nan])
    finding = np.array([1.0, 0.0])
    out = parodi2009.enlarged_3cm(finding, size)
    assert not np.shares_memory(out, size) and not np.shares_memory(out, finding)
    lo, hi = ms_score.clinical_range(finding, finding, finding)
    assert not np.shares_memory(lo, hi)


def test_items_take_keyword_arguments():
    got = hlh2004.cytopenias(
        hemoglobin_g_per_l=pd.Series([89.0]), platelets_1e9_per_l=pd.Series([99.0]),
        neutrophils_1e9_per_l=pd.Series([np.nan]),
    )
    assert isinstance(got, pd.Series) and got.tolist() == [1.0]
