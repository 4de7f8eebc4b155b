"""The typed frames of the tidy schema: built from columns, they equal what typed_frame gives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain import schema


def test_frame_from_columns_equals_typed_frame_with_nan_and_none():
    columns = {"case_id": ["a", None, "c"], "timepoint": ["D0", "D0", "D1"], "tp_order": [0, 0, 1],
               "day": np.array([0.0, np.nan, 3.5]), "value": [1.5, float("nan"), None], "orig_text": [None] * 3}
    expected = schema.observation_frame(pd.DataFrame(columns))
    pd.testing.assert_frame_equal(schema.frame_from_columns(columns, schema.OBSERVATION_SCHEMA), expected, check_exact=True,
                                  check_index_type=True)
    assert isinstance(schema.frame_from_columns(columns, schema.OBSERVATION_SCHEMA).index, pd.RangeIndex)


def test_frame_from_columns_picks_and_orders_rows():
    columns = {"name": ["x", "y", "z"], "start_day": np.array([2.0, np.nan, 1.0])}
    frame = schema.frame_from_columns(columns, schema.EVENT_SCHEMA, order=[2, 0])
    assert frame["name"].tolist() == ["z", "x"] and frame["start_day"].tolist() == [1.0, 2.0]
    assert frame["kind"].isna().all() and list(frame.columns) == list(schema.EVENT_COLUMNS)


def test_frame_from_columns_of_no_rows_is_the_empty_frame():
    empty = schema.frame_from_columns({name: [] for name in schema.EVENT_COLUMNS}, schema.EVENT_SCHEMA)
    pd.testing.assert_frame_equal(empty, schema.event_frame(), check_exact=True, check_index_type=True)


def test_typed_frame_keeps_already_typed_columns_and_adds_missing_ones():
    typed = schema.observation_frame([{"case_id": "a", "value": 1.5}, {"case_id": None, "value": None}])
    again = schema.observation_frame(typed)
    pd.testing.assert_frame_equal(again, typed, check_exact=True)
    assert typed["value"].isna().tolist() == [False, True]
    assert typed["analyte"].isna().all() and list(typed.columns) == list(schema.OBSERVATION_COLUMNS)
