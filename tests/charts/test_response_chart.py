"""Response charts: markers on the case's trajectories, the glucocorticoid lane, time-to-response (KM)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.charts.case_figure import case_figure
from dashboard.charts.events_lane import GLUCOCORTICOID_LANE, lane_rows
from dashboard.charts.response import time_to_response_figure, with_response_markers
from dashboard.charts.style import case_colour
from dashboard.domain.flags import reference_flags
from dashboard.domain.response import response_table
from dashboard.domain.schema import event_frame


@pytest.fixture(scope="module")
def seed(seed_case):
    flags = reference_flags(seed_case.observations)
    return seed_case, flags, response_table(seed_case.observations, seed_case.events)


def test_markers_sit_at_the_peak_and_each_observed_response(seed):
    case, flags, table = seed
    fig = with_response_markers(case_figure(flags, case.events, ["ferritin", "platelets"]), flags, table)
    marks = [t for t in fig.data if t.name == "response"]
    ferritin, platelets = marks
    assert (list(ferritin.x), list(ferritin.y), ferritin.meta["response"]) == (
        [0, 11], [9560, 550], ["peak", "fall_50"])  # normal never reached: no ring
    assert (list(platelets.x), list(platelets.y), platelets.meta["response"]) == (
        [0, 11, 53], [22, 113, 287], ["nadir", "recovery_100", "normal"])
    panel = next(t for t in fig.data if t.name == "Ferritin" and t.mode == "markers")
    assert ferritin.yaxis == panel.yaxis and platelets.yaxis != ferritin.yaxis
    lines = [t for t in fig.data if t.type == "scatter" and t.mode == "lines" and not t.meta]
    assert lines and {t.line.color for t in lines} == {case_colour(case.id)}  # as in the cohort


def test_glucocorticoids_share_one_lane_row_in_prednisolone_equivalents(seed):
    case, _, _ = seed
    lanes = lane_rows(case.events)
    steroids = lanes[lanes["lane_name"] == GLUCOCORTICOID_LANE]
    assert steroids["name"].tolist() == ["Methylprednisolone pulse", "Prednisone", "Dexamethasone sodium phosphate",
                                         "Prednisone taper"]
    assert steroids["row"].nunique() == 1
    # 1 g/day x 1.25; 60 mg x 1; 9 mg phosphate x 5.5; 20 mg x 1
    assert steroids["pred_eq_mg_day"].tolist() == pytest.approx([1250.0, 60.0, 49.5, 20.0])


def km_table(by: list[float], after: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"case_id": [f"c{i}" for i in range(len(by))], "analyte": "ferritin",
                         "fall_50_by": by, "fall_50_after": after})


def test_time_to_response_is_one_minus_kaplan_meier_by_hand():
    # reached by days 5, 10, 10; censored at 7 and 20.
    # at risk: day 5: 5 -> S = 4/5; day 7 censored; day 10: 3 at risk, 2 events -> S = 4/5 x 1/3 = 4/15
    table = km_table([5, np.nan, 10, 10, np.nan], [2, 7, 5, 5, 20])
    fig = time_to_response_figure(table)
    curve = next(t for t in fig.data if (t.name or "").startswith("share reached"))
    steps = dict(zip(curve.x, curve.y, strict=True))
    assert steps[5] == pytest.approx(1 / 5) and steps[10] == pytest.approx(11 / 15)
    assert steps[20] == pytest.approx(11 / 15)  # the last case is censored: no step
    assert curve.name == "share reached (3 of 5 cases)"
    censored = next(t for t in fig.data if t.name == "censored (never reached)")
    assert list(censored.x) == [7, 20]


def test_time_to_response_with_no_data_says_so():
    fig = time_to_response_figure(km_table([], []))
    assert "no case has this analyte" in fig.layout.title.text and len(fig.data) == 0


def test_unknown_drugs_keep_their_own_lane_row():
    events = event_frame([{"case_id": "a", "kind": "medication", "name": "Zzzumab", "start_day": 0, "end_day": 2}])
    assert lane_rows(events)["lane_name"].tolist() == ["Zzzumab"]
