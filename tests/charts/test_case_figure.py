"""The treatment-response figure: lane + lab panels on one shared day axis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.charts.case_figure import case_figure
from dashboard.charts.trajectories import MAS_PANEL

XSS = "<img src=x onerror=alert(1)>"


def bars(fig: go.Figure) -> list[go.Bar]:
    return [t for t in fig.data if t.type == "bar"]


def shapes_named(fig: go.Figure, prefix: str) -> list:
    return [s for s in fig.layout.shapes if (s.name or "").startswith(prefix)]


def yaxis_of(fig: go.Figure, trace) -> go.layout.YAxis:
    return fig.layout["yaxis" + trace.yaxis.removeprefix("y")]


def test_one_bar_per_drug_course_with_dose_and_route(hand_flags, hand_events):
    fig = case_figure(hand_flags, hand_events)
    courses = bars(fig)
    assert len(courses) == 6  # six medication rows in events.csv
    by_name = {b.name: b for b in courses}
    mpsl = by_name["Methylprednisolone pulse"]
    assert mpsl.base[0] == 0 and mpsl.x[0] == 3  # days 0-2 inclusive drawn 0..3
    assert "1250 mg/d (1 g/day IV)" in mpsl.hovertext[0]  # prednisolone-equivalent, the written dose beside it
    assert mpsl.text[0] == "1250" and mpsl.constraintext == "inside"  # a 3-day bar: the number, shrunk to fit
    assert by_name["Prednisone taper"].text[0] == "20 mg/d (20 mg/day oral)"  # a long course has room for both
    assert "1 g/day for 3 days" in mpsl.hovertext[0]  # the note is in the hover
    assert by_name["Cyclosporine"].text[0] == "300 mg/day oral"


def test_procedure_and_clinical_events_are_markers_on_their_own_lane_rows(hand_flags, hand_events):
    fig = case_figure(hand_flags, hand_events)
    markers = {t.name: t for t in fig.data if t.meta and t.meta.get("lane") == "marker"}
    assert set(markers) == {"Bone-marrow biopsy", "Discharge"}
    assert markers["Bone-marrow biopsy"].x[0] == 7
    assert "focal hemophagocytosis" in markers["Bone-marrow biopsy"].hovertext[0]
    lane = fig.layout.yaxis
    assert "Bone-marrow biopsy" in lane.ticktext and len(lane.ticktext) == 5  # glucocorticoids share a row


def test_one_reference_band_per_lab_panel_and_units_on_the_axes(hand_flags, hand_events):
    fig = case_figure(hand_flags, hand_events)
    bands = shapes_named(fig, "reference:")
    assert [b.name for b in bands] == [f"reference:{a}" for a in MAS_PANEL]
    ferritin = next(b for b in bands if b.name == "reference:ferritin")
    assert (ferritin.y0, ferritin.y1) == (6.2, 138.0)
    ddimer = next(b for b in bands if b.name == "reference:d_dimer")
    assert (
        ddimer.y1 == 250.0 and 0 < ddimer.y0 < 102
    )  # "< 250" on a log axis: band from below the lowest value
    marker_traces = [
        t
        for t in fig.data
        if t.type == "scatter" and t.mode == "markers" and t.x[0] is not None and not t.meta
    ]
    assert [t.name for t in marker_traces][:2] == ["Ferritin", "Platelets"]
    assert yaxis_of(fig, marker_traces[0]).title.text == "ng/mL"
    assert yaxis_of(fig, marker_traces[0]).type == "log"
    assert yaxis_of(fig, marker_traces[1]).type == "linear"


def test_abnormal_points_are_coloured_by_flag(hand_flags, hand_events):
    fig = case_figure(hand_flags, hand_events, ["platelets"])
    points = next(t for t in fig.data if t.name == "Platelets" and t.mode == "markers")
    # 22, 29, 113 are below 150 (low), 287 within range
    assert list(points.marker.symbol) == ["triangle-down"] * 3 + ["circle"]
    assert len(set(points.marker.color[:3])) == 1 and points.marker.color[3] != points.marker.color[0]
    legend = [t.name for t in fig.data if t.showlegend is not False and t.x == (None,)]
    assert legend == ["low", "within range"]


def test_all_panels_share_one_day_axis_and_timepoints_are_marked(hand_flags, hand_events):
    fig = case_figure(hand_flags, hand_events)
    xaxes = [k for k in fig.layout if k.startswith("xaxis")]
    assert len(xaxes) == 11  # lane + 10 MAS analytes
    # every axis follows the lane's (zoom one panel, all follow)
    assert all(fig.layout[k].matches == "x" for k in xaxes if k != "xaxis")
    lines = shapes_named(fig, "timepoint:")
    assert [s.x0 for s in lines] == [0.0, 7.0, 11.0, 53.0]
    assert all((s.yref, s.y0, s.y1) == ("paper", 0, 1) for s in lines)  # through the lane and every panel
    last = fig.layout["xaxis11"]
    assert last.title.text == "Day"
    assert fig.layout.xaxis.range[0] < 0 and fig.layout.xaxis.range[1] > 54  # courses end on day 53 + 1


def test_analytes_without_data_are_skipped(hand_flags, hand_events):
    fig = case_figure(hand_flags, hand_events, ["ferritin", "scd25", "crp"])
    assert [b.name for b in shapes_named(fig, "reference:")] == ["reference:ferritin", "reference:crp"]
    assert len([k for k in fig.layout if k.startswith("xaxis")]) == 3


def test_xuln_view_puts_all_analytes_on_one_axis_with_a_line_at_one(hand_flags, hand_events):
    fig = case_figure(hand_flags, hand_events, scale="xuln")
    lines = [t for t in fig.data if t.type == "scatter" and t.mode == "lines+markers"]
    assert len(lines) == len(MAS_PANEL)
    ferritin = next(t for t in lines if t.name == "Ferritin")
    assert ferritin.y[0] == pytest.approx(9560 / 138)
    assert {t.yaxis for t in lines} == {"y2"}
    uln = shapes_named(fig, "uln-line")
    assert len(uln) == 1 and uln[0].y0 == 1
    assert fig.layout.yaxis2.type == "log"


def test_unknown_days_fall_back_to_timepoint_order(hand_flags, hand_events):
    flags = hand_flags.copy()
    flags["day"] = pd.Series([None] * len(flags), dtype=flags["day"].dtype)
    fig = case_figure(flags, hand_events, ["ferritin"])
    assert not bars(fig)  # the lane needs days
    assert fig.layout.xaxis.title.text == "Timepoint order (days unknown)"
    points = next(t for t in fig.data if t.name == "Ferritin" and t.mode == "markers")
    assert list(points.x) == [0, 1, 2, 3]


def test_builder_does_not_mutate_its_inputs(hand_flags, hand_events):
    flags = hand_flags.copy()
    flags.loc[0, "x_uln"] = np.nan  # NaN in the input must survive untouched
    before_flags, before_events = flags.copy(), hand_events.copy()
    case_figure(flags, hand_events, title="t", source="s")
    case_figure(flags, hand_events, scale="xuln", presentation=True)
    pd.testing.assert_frame_equal(flags, before_flags)
    pd.testing.assert_frame_equal(hand_events, before_events)


def test_presentation_mode_uses_projector_fonts_and_shows_title_and_source(hand_flags, hand_events):
    fig = case_figure(hand_flags, hand_events, title="SLE-MAS", source="Table 1", presentation=True)
    assert fig.layout.font.size >= 20
    assert fig.layout.xaxis.tickfont.size >= 20
    assert fig.layout.title.font.size >= 26
    assert "SLE-MAS" in fig.layout.title.text and "Table 1" in fig.layout.title.text
    screen = case_figure(hand_flags, hand_events)
    assert screen.layout.font.size < 20 and fig.layout.height > screen.layout.height


def test_case_strings_are_escaped_in_the_figure(hand_flags, hand_events):
    events = hand_events.copy()
    events.loc[0, "name"] = XSS
    flags = hand_flags.copy()
    flags["label"] = flags["label"].where(flags["analyte"] != "ferritin", XSS)
    fig = case_figure(flags, events, title=XSS)
    payload = fig.to_json()
    assert "onerror=alert(1)>" not in payload.replace("\\u003e", ">").replace("&gt;", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in fig.layout.title.text


def test_rejects_an_unknown_scale(hand_flags):
    with pytest.raises(ValueError, match="scale"):
        case_figure(hand_flags, None, scale="percent")


def test_real_seed_case_draws_the_mas_panel(seed_real, seed_case):
    flags, _, events = seed_real
    fig = case_figure(flags, events, title=seed_case.meta["title"], source=seed_case.meta["source"])
    assert len(shapes_named(fig, "reference:")) == 10
    assert len(bars(fig)) == 6
    ferritin = next(t for t in fig.data if t.name == "Ferritin" and t.mode == "markers")
    assert list(ferritin.y) == [9560, 8580, 550, 290]


def test_without_a_stated_range_the_band_is_the_catalogue_default(hand_observations):
    from dashboard.domain.flags import reference_flags

    obs = hand_observations.copy()
    obs["ref_low"] = obs["ref_low"].where(obs["analyte"] != "platelets")
    obs["ref_high"] = obs["ref_high"].where(obs["analyte"] != "platelets")
    flags = reference_flags(obs)
    assert set(flags.loc[flags["analyte"] == "platelets", "ref_source"]) == {"catalogue"}
    fig = case_figure(flags, None, ["platelets"])
    (band,) = shapes_named(fig, "reference:platelets")
    assert (band.y0, band.y1) == (150.0, 400.0)  # the catalogue's adult range, as the flags used
