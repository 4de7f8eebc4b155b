"""Score trajectory figure: HScore with its unknown range and the 169 line; HLH-2004 met/unknown."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.charts.scores import score_figure


def hscore_trace(fig):
    return next(t for t in fig.data if t.name.startswith("HScore"))


def test_hscore_error_bar_spans_the_unknown_range(hand_scores):
    fig = score_figure(hand_scores)
    trace = hscore_trace(fig)
    assert list(trace.y) == [256, 220, 86, 62]
    # admission: marrow not examined -> 256..291; error bar is asymmetric (nothing below the known total)
    assert trace.error_y.symmetric is False
    assert list(trace.error_y.array) == [35, 87, 122, 122]
    assert list(trace.error_y.arrayminus) == [0, 0, 0, 0]


def test_cutoff_lines_at_169_and_five_of_eight(hand_scores):
    fig = score_figure(hand_scores)
    named = {s.name: s for s in fig.layout.shapes if s.name}
    assert named["hscore-cutoff"].y0 == 169 and named["hscore-cutoff"].yref == "y"
    assert named["hlh2004-cutoff"].y0 == 5 and named["hlh2004-cutoff"].yref == "y2"


def test_hover_lists_item_points_and_missing_items(hand_scores):
    hover = hscore_trace(score_figure(hand_scores)).hovertext[0]
    assert "HScore 256 (range 256–291)" in hover
    assert "ferritin: 50" in hover and "triglycerides: 64" in hover
    assert "missing: hemophagocytosis" in hover
    assert "probability of HLH ≈ 99 %" in hover


def test_hlh2004_met_and_unknown_are_stacked_bars_on_the_shared_day_axis(hand_scores):
    fig = score_figure(hand_scores)
    met, unknown = (t for t in fig.data if t.type == "bar")
    assert met.name == "HLH-2004 met" and list(met.y) == [4, 4, 0, 0]
    assert unknown.name == "HLH-2004 unknown" and list(unknown.y) == [2, 4, 4, 4]
    assert fig.layout.barmode == "stack"
    assert list(met.x) == list(hscore_trace(fig).x) == [0, 7, 11, 53]
    assert fig.layout.xaxis.matches == "x2"
    assert "undetermined" in met.hovertext[0]


def test_x_span_lines_up_with_the_case_figure(hand_scores):
    fig = score_figure(hand_scores, x_span=(-2, 56))
    assert tuple(fig.layout.xaxis.range) == (-2, 56)


def test_columns_or_index_and_no_mutation(hand_scores):
    flat = hand_scores.reset_index()
    before = flat.copy()
    fig = score_figure(flat, presentation=True, title="Case", source="Src")
    pd.testing.assert_frame_equal(flat, before)
    assert fig.layout.title.font.size >= 26 and fig.layout.font.size >= 20


def test_one_case_only(hand_scores):
    two = pd.concat([hand_scores.reset_index(), hand_scores.reset_index().assign(case_id="other")])
    with pytest.raises(ValueError, match="other"):
        score_figure(two)


def test_real_seed_scores(seed_real):
    _, scores, _ = seed_real
    fig = score_figure(scores)
    trace = hscore_trace(fig)
    admission = scores.xs("Admission", level="timepoint").iloc[0]
    assert trace.y[0] == admission["hscore.points"] == 256
    assert trace.y[0] + trace.error_y.array[0] == admission["hscore.max"]


@pytest.mark.parametrize("height", [700, 900])
def test_a_slide_height_shrinks_the_panels_and_keeps_the_legend_below_the_day_axis(hand_scores, height):
    natural = score_figure(hand_scores, title="A case", source="A source", presentation=True)
    fitted = score_figure(hand_scores, title="A case", source="A source", presentation=True, height=height)
    assert natural.layout.height > 1080 > fitted.layout.height == height
    assert fitted.layout.margin.t == natural.layout.margin.t and fitted.layout.margin.b == natural.layout.margin.b
    plot_h = height - fitted.layout.margin.t - fitted.layout.margin.b
    legend_px_below_axis = -fitted.layout.legend.y * plot_h
    assert legend_px_below_axis == pytest.approx(60)  # under the tick labels and the "Day" title, at any height
    assert legend_px_below_axis < fitted.layout.margin.b
