"""Cohort spaghetti plot aligned on day 0 or on the first start of an event."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.charts.cohort import MAX_LEGEND_CASES, cohort_figure


@pytest.fixture
def cohort(frames):
    """Three copies of the seed, shifted by 0, +3 and -2 days (labs and events together); a fourth
    case has no dexamethasone."""
    obs, events = [], []
    for i, shift in enumerate((0, 3, -2)):
        o = frames.seed_observations(f"case-{i}")
        o["day"] = o["day"] + shift
        e = frames.seed_events(f"case-{i}")
        e["start_day"] = e["start_day"] + shift
        obs.append(o)
        events.append(e)
    obs.append(frames.seed_observations("no-dex"))
    events.append(frames.seed_events("no-dex").iloc[:2])
    return frames.flags_of(pd.concat(obs, ignore_index=True)), pd.concat(events, ignore_index=True)


def test_day0_alignment_keeps_each_case_on_its_own_days(cohort):
    flags, _ = cohort
    fig = cohort_figure(flags, "ferritin")
    by_case = {t.name: t for t in fig.data}
    assert set(by_case) == {"case-0", "case-1", "case-2", "no-dex"}
    assert list(by_case["case-1"].x) == [3, 10, 14, 56]
    assert list(by_case["case-1"].y) == [9560, 8580, 550, 290]
    assert fig.layout.xaxis.title.text == "Day"
    assert [s.name for s in fig.layout.shapes] == ["reference:ferritin"]


def test_event_alignment_counts_days_since_the_first_dose(cohort):
    flags, events = cohort
    fig = cohort_figure(flags, "ferritin", align="dexamethasone", events=events)
    by_case = {t.name: t for t in fig.data}
    assert set(by_case) == {"case-0", "case-1", "case-2"}  # no-dex cannot be aligned
    for trace in by_case.values():
        assert list(trace.x) == [-7, 0, 4, 46]  # DSP started on seed day 7
    assert fig.layout.xaxis.title.text == "Days since first dexamethasone"
    assert "1 left out" in fig.layout.title.text


def test_xuln_scale(cohort):
    flags, _ = cohort
    fig = cohort_figure(flags, "ferritin", scale="xuln")
    assert fig.data[0].y[0] == pytest.approx(9560 / 138)
    assert fig.layout.yaxis.type == "log"
    assert [s.name for s in fig.layout.shapes] == ["uln-line"]


def test_large_cohorts_are_one_trace_plus_median(frames):
    obs = pd.concat(
        [frames.seed_observations(f"c{i:03d}") for i in range(MAX_LEGEND_CASES + 8)], ignore_index=True
    )
    fig = cohort_figure(obs, "platelets")
    assert [t.name for t in fig.data] == [f"cases (n = {MAX_LEGEND_CASES + 8})", "median"]
    assert list(fig.data[1].y) == [22, 29, 113, 287]
    assert sum(pd.isna(fig.data[0].y)) == MAX_LEGEND_CASES + 7  # a gap between consecutive cases


def test_needs_events_for_event_alignment_and_does_not_mutate(cohort):
    flags, events = cohort
    with pytest.raises(ValueError, match="events"):
        cohort_figure(flags, "ferritin", align="dexamethasone")
    before_f, before_e = flags.copy(), events.copy()
    cohort_figure(flags, "ferritin", align="IVIG", events=events, presentation=True)
    pd.testing.assert_frame_equal(flags, before_f)
    pd.testing.assert_frame_equal(events, before_e)


def test_an_exact_event_name_wins_over_names_containing_it(frames):
    from dashboard.charts.cohort import event_origin

    events = frames.seed_events("a")
    events.loc[events["name"] == "Prednisone", "name"] = "Prednisone taper (early)"
    origin = event_origin(events, "prednisone taper")
    assert origin.to_dict() == {"a": 11.0}  # the exact name, not the earlier course containing it
    assert event_origin(events, "prednisone").to_dict() == {"a": 3.0}  # no exact name: contains


def test_source_is_optional_and_shown_with_the_case_count(cohort):
    flags, _ = cohort
    assert "Registry &amp; co" not in cohort_figure(flags, "ferritin").layout.title.text
    fig = cohort_figure(flags, "ferritin", source="Registry & co", presentation=True)
    assert "Registry &amp; co" in fig.layout.title.text and "4 cases" in fig.layout.title.text


def test_a_lab_spanning_orders_of_magnitude_gets_a_log_axis_and_platelets_do_not():
    from dashboard.synth import synthetic_observations

    many = synthetic_observations(12, seed=3)
    assert cohort_figure(many, "ferritin").layout.yaxis.type == "log"
    assert cohort_figure(many, "platelets").layout.yaxis.type != "log"
