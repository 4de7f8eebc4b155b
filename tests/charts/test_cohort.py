"""Cohort spaghetti plot aligned on day 0 or on the first start of an event."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.charts.cohort import ANCHOR, MAX_LEGEND_CASES, binned, cohort_figure
from dashboard.charts.style import CASE_COLORS, case_colour
from dashboard.domain.flags import reference_flags
from dashboard.domain.schema import event_frame, observation_frame


def case_lines(fig) -> dict:
    return {t.name: t for t in fig.data if t.meta and "case_id" in t.meta}


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
    by_case = case_lines(fig)
    assert set(by_case) == {"case-0", "case-1", "case-2", "no-dex"}
    assert list(by_case["case-1"].x) == [3, 10, 14, 56]
    assert list(by_case["case-1"].y) == [9560, 8580, 550, 290]
    assert fig.layout.xaxis.title.text == "Day"
    assert [s.name for s in fig.layout.shapes] == ["reference:ferritin"]


def test_event_alignment_counts_days_since_the_first_dose(cohort):
    flags, events = cohort
    fig = cohort_figure(flags, "ferritin", align="dexamethasone", events=events)
    by_case = case_lines(fig)
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


def test_large_cohorts_are_one_trace_plus_binned_median(frames):
    obs = pd.concat(
        [frames.seed_observations(f"c{i:03d}") for i in range(MAX_LEGEND_CASES + 8)], ignore_index=True
    )
    fig = cohort_figure(obs, "platelets")
    assert [t.name for t in fig.data] == [f"cases (n = {MAX_LEGEND_CASES + 8})", "IQR (25th–75th percentile)",
                                          "median of cases"]
    assert list(fig.data[2].y) == [22, 29, 113, 287]  # days 0, 7, 11, 53 fall in four bins
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


def obs_rows(values: dict[str, dict[float, float]], analyte: str = "ferritin") -> pd.DataFrame:
    rows = [{"case_id": c, "timepoint": f"d{d:g}", "tp_order": i, "day": d, "analyte": analyte, "label": analyte,
             "value": v, "unit": "ng/mL", "ref_low": 10.0, "ref_high": 300.0}
            for c, series in values.items() for i, (d, v) in enumerate(series.items())]
    return observation_frame(rows)


def test_binned_median_and_iqr_over_cases_with_known_answers():
    # day 0 bin: cases a-e, values 100..500 (case e twice: counts once, by its median 500)
    # days 4-7 bin: two cases only -> not drawn, n shown
    obs = obs_rows({"a": {0: 100, 5: 10}, "b": {0: 200, 6: 20}, "c": {0: 300}, "d": {0: 400},
                    "e": {0: 500, 0.5: 500}})
    fig = cohort_figure(obs, "ferritin")
    bins = binned(pd.DataFrame({"case_id": obs["case_id"], "x": obs["day"].astype(float),
                                "y": obs["value"].astype(float)}))
    day0 = bins[bins["label"] == "0"].iloc[0]
    assert (day0["n"], day0["median"], day0["q1"], day0["q3"], day0["drawn"]) == (5, 300, 200, 400, True)
    later = bins[bins["label"] == "4 to 7"].iloc[0]
    assert (later["n"], later["median"], later["drawn"]) == (2, 15, False)
    median = next(t for t in fig.data if t.name == "median of cases")
    y = list(median.y)
    assert y[0] == 300 and pd.isna(y[1])  # the 2-case bin is not drawn
    counts = [a.text for a in fig.layout.annotations if a.name == "bin-n"]
    assert counts == ["n=5", "<i>n=2</i>"]


@pytest.mark.parametrize(("value", "drawn"), [(2, False), (3, True)])
def test_a_bin_needs_three_cases(value, drawn):
    obs = obs_rows({f"c{i}": {0: 100.0 * (i + 1)} for i in range(value)})
    fig = cohort_figure(obs, "ferritin")
    assert any(t.name == "median of cases" for t in fig.data) is drawn


def test_the_reference_band_names_its_source(cohort):
    flags, _ = cohort
    labels = [a.text for a in cohort_figure(flags, "ferritin").layout.annotations if a.name == "reference-label"]
    assert labels == ["reference range 6.2–138 ng/mL (most common range printed in the case reports)"]
    no_ranges = reference_flags(obs_rows({"a": {0: 100.0}}).assign(ref_low=None, ref_high=None))
    labels = [a.text for a in cohort_figure(no_ranges, "ferritin").layout.annotations
              if a.name == "reference-label"]
    assert labels == ["reference range 15–150 ng/mL (catalogue adult default)"]


def test_times_baseline_divides_by_the_last_value_at_or_before_the_origin(cohort):
    flags, events = cohort
    fig = cohort_figure(flags, "ferritin", align="dexamethasone", events=events, scale="xbaseline")
    line = case_lines(fig)["case-1"]
    # DSP on seed day 7: baseline is the day-7 ferritin 8580
    assert list(line.y) == pytest.approx([9560 / 8580, 1.0, 550 / 8580, 290 / 8580])
    assert fig.layout.yaxis.title.text == "Ferritin, × baseline"


def test_aligning_on_the_anchor_or_a_class(frames):
    obs = obs_rows({"a": {0: 5000, 7: 2000}, "b": {0: 5000, 7: 2000}})
    events = event_frame([
        {"case_id": "a", "kind": "medication", "name": "Ceftriaxone", "start_day": 0},
        {"case_id": "a", "kind": "medication", "name": "Anakinra", "start_day": 2},
        {"case_id": "b", "kind": "medication", "name": "Solu-Medrol", "start_day": 1},
    ])
    fig = cohort_figure(obs, "ferritin", align=ANCHOR, events=events)
    assert {k: list(t.x) for k, t in case_lines(fig).items()} == {"a": [-2, 5], "b": [-1, 6]}
    assert fig.layout.xaxis.title.text == "Days since the anchor (first MAS/HLH treatment)"
    fig = cohort_figure(obs, "ferritin", align="IL-1 blockade", events=events)
    assert {k: list(t.x) for k, t in case_lines(fig).items()} == {"a": [-2, 5]}
    assert "1 left out" in fig.layout.title.text


def test_each_case_keeps_its_colour_whatever_the_company():
    assert case_colour("seed-sle-mas") == case_colour("seed-sle-mas") in CASE_COLORS
    assert len({case_colour(f"synth-{i:06d}") for i in range(200)}) == len(CASE_COLORS)
    alone = case_lines(cohort_figure(obs_rows({"x1": {0: 100.0}}), "ferritin"))
    crowd = case_lines(cohort_figure(obs_rows({"a0": {0: 1.0}, "x1": {0: 100.0}, "b": {0: 3.0}}), "ferritin"))
    assert alone["x1"].line.color == crowd["x1"].line.color == case_colour("x1")


def test_the_iqr_band_never_spans_a_bin_with_too_few_cases():
    # bins 0 and 1-3 drawn (3 cases), 4-7 has 1 case, 8-14 drawn: two polygons
    obs = obs_rows({"a": {0: 10.0, 2: 20.0, 5: 1.0, 9: 40.0}, "b": {0: 30.0, 2: 40.0, 9: 60.0},
                    "c": {0: 50.0, 2: 60.0, 9: 80.0}})
    band = next(t for t in cohort_figure(obs, "ferritin").data if t.name.startswith("IQR"))
    assert list(band.x) == [0, 2, 2, 0, None, 9, 9]
    assert list(band.y) == [40, 50, 30, 20, None, 70, 50]  # q3 out, q1 back: pandas' linear quartiles
