"""Reference-range flags: limits, sources, qualitative results, ×ULN, change from baseline, counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.domain.flags import default_ranges, reference_flags, timepoint_flag_counts
from dashboard.domain.schema import observation_frame

RANGES = pd.DataFrame({"id": ["ferritin", "temperature"], "ref_low": [15.0, 36.1], "ref_high": [150.0, 37.5]})


def obs(*rows: dict) -> pd.DataFrame:
    base = {"case_id": "c", "timepoint": "T0", "tp_order": 0, "day": 0.0}
    return observation_frame([{**base, **row} for row in rows])


def flags_of(frame: pd.DataFrame, ranges: pd.DataFrame = RANGES) -> list:
    return [None if pd.isna(v) else v for v in reference_flags(frame, ranges)["flag"]]


def test_value_exactly_at_a_limit_is_normal_and_just_outside_is_flagged():
    frame = obs(
        *(
            {"analyte": "platelets", "label": "PLT", "value": v, "ref_low": 150.0, "ref_high": 400.0}
            for v in (149.9, 150.0, 400.0, 400.1)
        )
    )
    assert flags_of(frame) == ["L", "N", "N", "H"]


def test_upper_limit_only_range():
    frame = obs(*({"analyte": "d_dimer", "label": "d-dimer", "value": v, "ref_high": 250.0} for v in (0, 250, 251)))
    assert flags_of(frame) == ["N", "N", "H"]


def test_catalogue_fallback_is_marked_and_missing_range_is_unknown():
    frame = obs(
        {"analyte": "temperature", "label": "Temp", "value": 38.6},
        {"analyte": "ferritin", "label": "Ferritin", "value": 100.0, "ref_low": 6.2, "ref_high": 80.0},
        {"analyte": None, "label": "Mystery", "value": 3.0},
    )
    out = reference_flags(frame, RANGES)
    assert list(out["flag"].fillna("?")) == ["H", "H", "?"]
    assert list(out["ref_source"]) == ["catalogue", "report", "none"]


def test_default_ranges_come_from_the_catalogue():
    ranges = default_ranges().set_index("id")
    assert ranges.loc["wbc", "ref_low"] == 4.5 and ranges.loc["wbc", "ref_high"] == 11.0
    frame = obs({"analyte": "wbc", "label": "WBC", "value": 3.0})
    assert list(reference_flags(frame)["flag"]) == ["L"]


def test_qualitative_results_and_titers():
    frame = obs(
        {"analyte": "dat", "label": "DAT", "value": 1.0, "result": "positive"},
        {"analyte": "iat", "label": "IAT", "value": 0.0, "result": "negative"},
        {"analyte": "anti_dsdna", "label": "dsDNA", "value": 40.0, "unit": "titer", "ref_high": 10.0},
        {"analyte": "ana", "label": "ANA", "value": 40.0, "unit": "titer", "ref_high": 40.0},
        {"analyte": "nk_activity", "label": "NK", "result": "low"},
        {"analyte": "hemorrhage", "label": "Bleeding"},
    )
    # positive DAT -> A; negative -> N; 1:40 above 1:10 -> A; 1:40 at its limit -> N; NK low -> L; empty -> unknown
    assert flags_of(frame) == ["A", "N", "A", "N", "L", None]


def test_censored_values_count_only_when_certain():
    frame = obs(
        {"analyte": "ferritin", "label": "F", "value": 150.0, "qualifier": ">", "ref_low": 15.0, "ref_high": 150.0},
        {"analyte": "ferritin", "label": "F", "value": 15.0, "qualifier": "<", "ref_low": 15.0, "ref_high": 150.0},
        # could be 10 (L) or 50 (N): unknown, not N
        {"analyte": "ferritin", "label": "F", "value": 100.0, "qualifier": "<", "ref_low": 15.0, "ref_high": 150.0},
    )
    assert flags_of(frame) == ["H", "L", None]


def _one(value: float, qualifier: str | None, low: float, high: float, analyte: str = "crp") -> str | None:
    row = {"analyte": analyte, "label": analyte, "value": value, "qualifier": qualifier,
           "ref_low": low, "ref_high": high}
    return flags_of(obs(row))[0]


@pytest.mark.parametrize(
    ("analyte", "value", "qualifier", "low", "high", "expected"),
    [
        ("crp", 10.0, "<", 0.0, 5.0, None),          # 0..10 straddles the upper limit
        ("crp", 3.0, "<", 0.0, 5.0, "N"),            # 0..3 inside 0–5
        ("crp", 5.0, "<", 0.0, 5.0, "N"),            # 0..5 (exclusive) inside
        ("crp", 5.0, "<=", 0.0, 5.0, "N"),           # at the limit is N
        ("crp", 5.0, ">", 0.0, 5.0, "H"),            # above 5: H even though 5 itself is N
        ("crp", 5.0, ">=", 0.0, 5.0, None),          # 5 (N) or more (H)
        ("ferritin", 100.0, ">", 15.0, 150.0, None),  # 101 (N) or 10 000 (H)
        ("ferritin", 100.0, "<", 15.0, 150.0, None),  # 10 (L) or 90 (N)
        ("ferritin", 200.0, ">", 15.0, 150.0, "H"),
        ("ferritin", 150.0, ">=", 15.0, 150.0, None),
        ("ferritin", 15.0, "<=", 15.0, 150.0, None),  # 15 is N, 14 is L
        ("ferritin", 14.9, "<=", 15.0, 150.0, "L"),
        ("ferritin", 150.0, None, 15.0, 150.0, "N"),
        ("ferritin", 150.1, None, 15.0, 150.0, "H"),
    ],
)
def test_censored_flags_at_and_around_each_limit(analyte, value, qualifier, low, high, expected):
    assert _one(value, qualifier, low, high, analyte) == expected


def test_x_uln_and_change_from_first_timepoint_with_a_value():
    rows = []
    for order, value in enumerate([np.nan, 200.0, 100.0, 50.0]):
        rows.append({"timepoint": f"T{order}", "tp_order": order, "analyte": "ferritin", "label": "F",
                     "value": None if np.isnan(value) else value, "ref_high": 100.0, "ref_low": 10.0})
    out = reference_flags(obs(*rows), RANGES)
    assert out["x_uln"].tolist()[1:] == [2.0, 1.0, 0.5]
    assert pd.isna(out["x_uln"].iloc[0])
    assert out["change"].tolist()[1:] == [0.0, -100.0, -150.0]   # baseline: T1, the first with a value
    assert out["pct_change"].tolist()[1:] == [0.0, -50.0, -75.0]


def test_change_is_per_case_and_analyte_whatever_the_row_order():
    frame = obs(
        {"case_id": "b", "timepoint": "T1", "tp_order": 1, "analyte": "ast", "label": "AST", "value": 60.0},
        {"case_id": "a", "timepoint": "T0", "tp_order": 0, "analyte": "ast", "label": "AST", "value": 10.0},
        {"case_id": "b", "timepoint": "T0", "tp_order": 0, "analyte": "ast", "label": "AST", "value": 30.0},
        {"case_id": "a", "timepoint": "T0", "tp_order": 0, "analyte": "ldh", "label": "LDH", "value": 0.0},
    )
    out = reference_flags(frame, RANGES)
    assert out["change"].tolist()[:3] == [30.0, 0.0, 0.0]
    assert out["pct_change"].tolist()[1] == 0.0 and pd.isna(out["pct_change"].iloc[3])  # baseline 0


def test_does_not_mutate_its_input():
    frame = obs(
        {"analyte": "ferritin", "label": "F", "value": None},
        {"analyte": "ferritin", "label": "F", "value": 500.0, "ref_high": 150.0},
    )
    before = frame.copy(deep=True)
    reference_flags(frame, RANGES)
    pd.testing.assert_frame_equal(frame, before)
    assert "flag" not in frame.columns


def test_timepoint_counts_in_timepoint_order():
    frame = obs(
        {"timepoint": "Late", "tp_order": 1, "analyte": "ferritin", "label": "F", "value": 100.0, "ref_high": 150.0},
        {"timepoint": "Early", "tp_order": 0, "analyte": "ferritin", "label": "F", "value": 900.0, "ref_high": 150.0},
        {"timepoint": "Early", "tp_order": 0, "analyte": "dat", "label": "DAT", "result": "positive"},
        {"timepoint": "Early", "tp_order": 0, "analyte": "hemorrhage", "label": "Bleeding"},
    )
    counts = timepoint_flag_counts(reference_flags(frame, RANGES))
    assert counts.to_dict("records") == [
        {"case_id": "c", "timepoint": "Early", "abnormal": 2, "assessed": 2},
        {"case_id": "c", "timepoint": "Late", "abnormal": 0, "assessed": 1},
    ]


@pytest.mark.parametrize("flag_column", ["flag", "ref_source", "x_uln", "change", "pct_change"])
def test_adds_its_columns(flag_column):
    out = reference_flags(obs({"analyte": "ferritin", "label": "F", "value": 1.0}), RANGES)
    assert flag_column in out.columns and len(out) == 1
