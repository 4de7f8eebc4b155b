"""Figure layout: shared left margin, timepoint labels clear of panel titles, a tight slide header.

Positions are checked in px from the layout (margins, yshift, domains), as the browser would place them.
"""

from __future__ import annotations

import pytest

from dashboard.charts.axis import label_rows
from dashboard.charts.case_figure import case_figure, panel_title_room
from dashboard.charts.heatmap import flag_heatmap
from dashboard.charts.scores import score_figure
from dashboard.charts.style import PRESENTATION, SCREEN, look, title_height


def labels(fig, name):
    return [a for a in fig.layout.annotations if a.name == name]


@pytest.mark.parametrize("presentation", [False, True])
def test_case_score_and_heatmap_share_one_left_margin(hand_flags, hand_events, hand_scores, presentation):
    opts = {"presentation": presentation, "title": "t", "source": "s"}
    figures = [
        case_figure(hand_flags, hand_events, **opts),
        case_figure(hand_flags, None, ["ferritin", "platelets"], **opts),  # a lab slide
        case_figure(hand_flags, hand_events, [], **opts),  # the event-lane slide
        case_figure(hand_flags, hand_events, scale="xuln", **opts),
        score_figure(hand_scores, **opts),
        flag_heatmap(hand_flags, **opts),
    ]
    assert {f.layout.margin.l for f in figures} == {look(presentation).left_margin}


def test_slides_with_the_same_days_have_the_same_plot_width(hand_flags, hand_events, hand_scores):
    lane = case_figure(hand_flags, hand_events, [], presentation=True)
    span = list(lane.layout.xaxis.range)
    labs = case_figure(hand_flags, None, ["ferritin"], presentation=True, x_span=span)
    scores = score_figure(hand_scores, presentation=True, x_span=span)
    assert list(labs.layout.xaxis.range) == span
    assert lane.layout.margin.r == labs.layout.margin.r == scores.layout.margin.r


@pytest.mark.parametrize("presentation", [False, True])
def test_timepoint_labels_sit_above_the_top_panel_title(hand_flags, presentation):
    fig = case_figure(hand_flags, None, ["ferritin", "platelets"], presentation=presentation)
    lk = look(presentation)
    top_title = max(labels(fig, "panel-title"), key=lambda a: a.y)
    assert top_title.y == 1 and top_title.yanchor == "bottom"  # occupies panel_title_room px above y = 1
    tps = labels(fig, "timepoint-label")
    assert len(tps) == 4
    for note in tps:
        assert (note.y, note.yref, note.yanchor, note.textangle) == (1, "paper", "bottom", None)
        assert note.yshift >= panel_title_room(lk) > lk.annotation  # bottom edge above the title's top
    # ... and the strip fits inside the top margin, below the figure title
    highest = max(n.yshift for n in tps) + lk.annotation * 1.45
    assert highest <= fig.layout.margin.t - title_height(None, None, presentation)


def test_with_the_lane_on_top_the_labels_start_at_the_plot_top(hand_flags, hand_events):
    fig = case_figure(hand_flags, hand_events)
    assert min(n.yshift for n in labels(fig, "timepoint-label")) == 0


def test_close_timepoints_are_staggered_not_overlapping():
    # two labels that touch go to a second row; a third clear of the first goes back to row 0
    assert label_rows([0, 50, 200], [80, 130, 260], gap=5) == [0, 1, 0]
    assert label_rows([0, 100], [80, 180], gap=5) == [0, 0]


def test_day_7_and_11_labels_do_not_share_a_row(hand_flags, hand_events):
    fig = case_figure(hand_flags, hand_events)
    by_text = {n.text: n.yshift for n in labels(fig, "timepoint-label")}
    assert by_text["After mPSL"] != by_text["After DEX"]
    assert by_text["Admission"] == by_text["After mPSL"] == 0
    stems = [s for s in fig.layout.shapes if (s.name or "").startswith("timepoint-stem:")]
    assert [s.name for s in stems] == ["timepoint-stem:After DEX"]


def test_slide_header_leaves_the_plot_most_of_a_1080p_slide(seed_case):
    from dashboard.domain.flags import reference_flags

    flags, events, meta = reference_flags(seed_case.observations), seed_case.events, seed_case.meta
    opts = {"title": meta["title"], "source": meta["source"], "presentation": True}
    labs = case_figure(flags, None, ["ferritin", "platelets"], **opts)
    lane = case_figure(flags, events, [], **opts)
    assert meta["source"][:20] in labs.layout.title.text  # title and source stay on every slide
    assert labs.layout.margin.t <= 240 and lane.layout.margin.t <= 210  # was ~350 px
    assert labs.layout.title.y == 1 and labs.layout.title.yref == "container"  # survives a height change


def test_title_height_grows_with_lines():
    one = title_height("t", None, True)
    assert title_height(None, None, True) == 0
    assert title_height("t", "s", True) - one == pytest.approx(1.3 * PRESENTATION.title, abs=1)
    assert title_height("t", None, False) < one
    assert SCREEN.left_margin < PRESENTATION.left_margin
