"""Treatment response metrics: anchor choice, peak/nadir, observed response intervals, scores.

Expected values are worked out by hand from the rows written in each test (and, for the seed, from
its Table 1 as in issue 12).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.domain.analytes import analyte
from dashboard.domain.response import (
    AnchorNotFound,
    case_anchor,
    case_response_json,
    interval,
    response_table,
    score_metrics,
)
from dashboard.domain.schema import event_frame, observation_frame
from dashboard.domain.scores import score_observations
from dashboard.ingest.bundle import load_case


def labs(case_id: str, analyte: str, values: dict[float, object], ref: tuple | None = None) -> list[dict]:
    """Rows of one analyte: {day: value or (qualifier, value)}; `ref` the row's own (low, high)."""
    rows = []
    for i, (day, value) in enumerate(values.items()):
        qualifier, number = value if isinstance(value, tuple) else (None, value)
        rows.append({"case_id": case_id, "timepoint": f"d{day:g}", "tp_order": i, "day": day, "analyte": analyte,
                     "label": analyte, "value": number, "qualifier": qualifier,
                     "ref_low": None if ref is None else ref[0], "ref_high": None if ref is None else ref[1]})
    return rows


def meds(case_id: str, *courses: tuple[str, float]) -> list[dict]:
    return [{"case_id": case_id, "kind": "medication", "name": name, "start_day": day, "end_day": day}
            for name, day in courses]


def metrics(rows: list[dict], events: list[dict], anchor: str | None = None) -> dict[str, pd.Series]:
    table = response_table(observation_frame(rows), event_frame(events), anchor=anchor)
    return {row["analyte"]: row for _, row in table.iterrows()}


@pytest.fixture(scope="module")
def seed_json(seed_path):
    case = load_case(seed_path)
    return case_response_json(case.id, case.observations, case.events, score_observations(case.observations))


def test_seed_anchor_is_the_methylprednisolone_pulse_started_with_ivig(seed_json):
    assert seed_json["anchor"] == {"name": "Methylprednisolone pulse", "class": "glucocorticoid", "study_day": 0,
                                   "day": 0, "also_started": ["IVIG"]}


def test_seed_ferritin_as_in_the_issue(seed_json):
    ferritin = seed_json["analytes"]["ferritin"]
    assert ferritin["peak"] == {"day": 0, "value": 9560}
    assert ferritin["last"] == {"day": 53, "value": 290}
    assert ferritin["pct_change_from_peak"] == -96.97  # (290 - 9560) / 9560
    assert ferritin["fall_50"] == {"after": 7, "by": 11}  # 8580 > 4780 at day 7, 550 at day 11
    assert ferritin["normal"] == {"after": 53, "by": None}  # 290 > 138 (the row's own range)
    assert ferritin["reference"] == {"limit": "upper", "value": 138, "source": "report"}


def test_seed_platelets_as_in_the_issue(seed_json):
    platelets = seed_json["analytes"]["platelets"]
    assert platelets["nadir"] == {"day": 0, "value": 22}
    assert platelets["recovery_100"] == {"after": 7, "by": 11}  # 29 then 113
    assert platelets["normal"] == {"after": 11, "by": 53}  # 113 < 150, 287
    assert "fall_50" not in platelets


def test_seed_scores_at_baseline_and_last(seed_json):
    hscore = seed_json["scores"]["hscore"]
    # 18 + 33 + 38 + 34 + 50 + 64 + 0 + 19 = 256; marrow unknown: up to 291
    assert hscore["baseline"] == {"day": 0, "points": 256, "min": 256, "max": 291}
    # day 53: 18 + 44 (TG 1.6) known; temperature (49), organs (38) and marrow (35) unknown: max 184
    assert hscore["last"] == {"day": 53, "points": 62, "min": 62, "max": 184}
    assert hscore["below_169"] == {"after": 53, "by": None}  # the unknowns keep 169 within reach
    assert seed_json["scores"]["hlh2004"]["baseline"]["fulfilled"] is True


def test_a_first_antibiotic_does_not_anchor_the_later_steroid_does():
    rows = labs("a", "ferritin", {0: 3000, 2: 4000, 5: 1900, 9: 300}, ref=(10, 300))
    events = meds("a", ("Ceftriaxone", 0), ("Prednisolone", 2))
    anchor = case_anchor(event_frame(events))
    assert (anchor.name, anchor.drug_class, anchor.study_day) == ("Prednisolone", "glucocorticoid", 2.0)
    ferritin = metrics(rows, events)["ferritin"]
    assert (ferritin["baseline_day"], ferritin["baseline_value"]) == (0.0, 4000.0)  # last value at/before day 2
    assert (ferritin["extreme_day"], ferritin["fall_50_after"], ferritin["fall_50_by"]) == (0.0, 0.0, 3.0)
    assert (ferritin["normal_after"], ferritin["normal_by"]) == (3.0, 7.0)  # 300 <= ULN 300


def test_an_analyte_that_never_normalises_ends_after_its_last_observation():
    rows = labs("a", "ferritin", {0: 9000, 7: 5000, 14: 2000, 30: 900}, ref=(10, 300))
    ferritin = metrics(rows, meds("a", ("Anakinra", 0)))["ferritin"]
    assert ferritin["normal_after"] == 30.0 and np.isnan(ferritin["normal_by"])
    assert (ferritin["fall_50_after"], ferritin["fall_50_by"]) == (7.0, 14.0)  # 5000 > 4500, 2000


def test_the_anchor_can_be_given_by_class():
    rows = labs("a", "platelets", {0: 40, 3: 30, 6: 90, 10: 160}, ref=(150, 400))
    events = meds("a", ("Methylprednisolone", 0), ("Anakinra", 3))
    table = metrics(rows, events, anchor="IL-1 blockade")
    assert case_anchor(event_frame(events), "il-1 blockade").name == "Anakinra"
    platelets = table["platelets"]
    assert (platelets["baseline_day"], platelets["baseline_value"]) == (0.0, 30.0)  # day 3 is day 0 now
    assert (platelets["extreme_day"], platelets["extreme_value"]) == (0.0, 30.0)
    assert (platelets["recovery_100_after"], platelets["recovery_100_by"]) == (3.0, 7.0)
    assert (platelets["normal_after"], platelets["normal_by"]) == (3.0, 7.0)
    with pytest.raises(AnchorNotFound, match="etoposide"):
        case_anchor(event_frame(events), "etoposide")


def test_without_a_treatment_the_days_are_the_cases_own_and_it_says_so():
    anchor = case_anchor(event_frame(meds("a", ("Ceftriaxone", 4))))
    assert (anchor.name, anchor.study_day) == (None, 0.0) and "no MAS/HLH treatment" in anchor.note


@pytest.mark.parametrize(("value", "met"), [(4999.0, True), (5000.0, True), (5001.0, False)])
def test_fall_50_boundary_is_at_most_half_the_peak(value, met):
    rows = labs("a", "ferritin", {0: 10000, 4: value})
    ferritin = metrics(rows, meds("a", ("IVIG", 0)))["ferritin"]
    assert (ferritin["fall_50_by"] == 4.0) is met


@pytest.mark.parametrize(("value", "met"), [(99.0, False), (100.0, True), (101.0, True)])
def test_recovery_100_boundary_is_at_least_100(value, met):
    rows = labs("a", "platelets", {0: 20, 5: value})
    platelets = metrics(rows, meds("a", ("IVIG", 0)))["platelets"]
    assert (platelets["recovery_100_by"] == 5.0) is met


def test_the_catalogue_range_serves_when_the_row_has_none():
    uln = analyte("ferritin").ref_high
    rows = labs("a", "ferritin", {0: 2000, 5: uln + 1, 9: uln})  # no own range: the catalogue's ULN
    ferritin = metrics(rows, meds("a", ("IVIG", 0)))["ferritin"]
    assert (ferritin["reference_source"], ferritin["reference_limit"]) == ("catalogue", uln)
    assert (ferritin["normal_after"], ferritin["normal_by"]) == (5.0, 9.0)  # at the limit is normal


def test_a_censored_value_is_neither_met_nor_missed():
    # peak 9560: half is 4780. "<5000" may be above or below it; 4000 is certainly below.
    rows = labs("a", "ferritin", {0: 9560, 3: 8000, 7: ("<", 5000), 11: 4000})
    ferritin = metrics(rows, meds("a", ("IVIG", 0)))["ferritin"]
    assert (ferritin["fall_50_after"], ferritin["fall_50_by"]) == (3.0, 11.0)
    rows = labs("a", "ferritin", {0: 9560, 3: ("<", 4000)})
    ferritin = metrics(rows, meds("a", ("IVIG", 0)))["ferritin"]
    assert (ferritin["fall_50_after"], ferritin["fall_50_by"]) == (0.0, 3.0)  # "<4000" is below 4780


def test_interval_from_the_extreme_on():
    days = np.array([0.0, 7, 11, 53])
    assert interval(days, np.array([0.0, 0, 1, 1]), 0) == (7.0, 11.0)
    after, by = interval(days, np.array([0.0, 0, 0, 0]), 0)
    assert after == 53.0 and np.isnan(by)
    after, by = interval(days, np.array([1.0, 1, 1, 1]), 0)
    assert np.isnan(after) and by == 0.0


def test_hscore_below_169_uses_the_whole_range():
    index = pd.MultiIndex.from_tuples([("a", "d0"), ("a", "d5"), ("a", "d9")], names=["case_id", "timepoint"])
    scores = pd.DataFrame({
        "tp_order": [0, 1, 2], "day": [0.0, 5.0, 9.0],
        "hscore.points": [250, 120, 100], "hscore.min": [250, 120, 100], "hscore.max": [260, 169, 168],
        "hlh2004.met": [5, 2, 1], "hlh2004.unknown": [0, 1, 1], "hlh2004.fulfilled": [True, None, False],
    }, index=index)
    out = score_metrics(scores, {"a": 0.0}).loc["a"]
    assert (out["hscore_below_169_after"], out["hscore_below_169_by"]) == (5.0, 9.0)  # 169 is not below 169
    assert (out["hscore_baseline_points"], out["hscore_last_max"]) == (250, 168)


def test_the_cohort_table_on_cases_with_known_answers():
    rows = (labs("a", "ferritin", {0: 8000, 7: 3000}) + labs("b", "ferritin", {0: 8000, 7: 6000, 14: 3500})
            + labs("c", "ferritin", {-2: 5000, 1: 6000, 20: 5000}) + labs("d", "platelets", {0: 20, 9: 120}))
    events = (meds("a", ("Methylprednisolone", 0)) + meds("b", ("Ceftriaxone", -3), ("Anakinra", 0))
              + meds("c", ("Dexamethasone", 0)) + meds("d", ("Naproxen", 0)))
    table = response_table(observation_frame(rows), event_frame(events), analytes=("ferritin", "platelets"))
    by_case = table.set_index("case_id")
    assert by_case["analyte"].to_dict() == {"a": "ferritin", "b": "ferritin", "c": "ferritin", "d": "platelets"}
    assert by_case["fall_50_by"].tolist()[:2] == [7.0, 14.0]
    assert by_case.loc["c", "fall_50_after"] == 20.0 and np.isnan(by_case.loc["c", "fall_50_by"])  # 5000 > 3000
    assert (by_case.loc["c", "extreme_day"], by_case.loc["c", "extreme_value"]) == (1.0, 6000.0)
    assert by_case["anchor_name"].tolist()[:3] == ["Methylprednisolone", "Anakinra", "Dexamethasone"]
    assert pd.isna(by_case.loc["d", "anchor_name"])  # naproxen is not an MAS treatment
    assert by_case.loc["d", "recovery_100_by"] == 9.0
    only_anchored = response_table(observation_frame(rows), event_frame(events), require_anchor=True)
    assert set(only_anchored["case_id"]) == {"a", "b", "c"}


def test_a_synthetic_cohort_agrees_with_a_plain_loop_per_case():
    """An independent, one-case-at-a-time reading of the definitions (sorted lists, no numpy)."""
    from dashboard.synth import synthetic_events, synthetic_observations

    obs, events = synthetic_observations(60, seed=5), synthetic_events(60, seed=5)
    table = response_table(obs, events, analytes=("ferritin",)).set_index("case_id")
    treatments = {"Methylprednisolone pulse", "Anakinra", "Cyclosporine", "Dexamethasone", "IVIG", "Prednisone"}
    ferritin = obs[(obs["analyte"] == "ferritin") & obs["value"].notna()]
    checked = 0
    for case_id, rows in ferritin.groupby("case_id"):
        starts = [float(d) for n, d, c in zip(events["name"], events["start_day"], events["case_id"], strict=True)
                  if c == case_id and n in treatments]
        anchor = min(starts) if starts else 0.0
        points = sorted((float(d) - anchor, float(v)) for d, v in zip(rows["day"], rows["value"], strict=True))
        base = max((i for i, (d, _) in enumerate(points) if d <= 0), default=0)
        peak_at = max(range(base, len(points)), key=lambda i: (points[i][1], -i))
        peak_day, peak = points[peak_at]
        by = next((d for d, v in points[peak_at:] if v <= peak / 2), None)
        after = max((d for d, v in points[peak_at:] if v > peak / 2 and (by is None or d < by)), default=None)
        row = table.loc[case_id]
        assert (row["extreme_day"], row["extreme_value"]) == (peak_day, peak), case_id
        assert (None if np.isnan(row["fall_50_by"]) else row["fall_50_by"]) == by, case_id
        assert (None if np.isnan(row["fall_50_after"]) else row["fall_50_after"]) == after, case_id
        assert row["anchor_study_day"] == anchor
        checked += 1
    assert checked >= 55


def test_the_cohort_view_table_and_its_median_iqr():
    from dashboard.domain.response_summary import cohort_summary, cohort_table

    rows = (labs("a", "ferritin", {0: 8000, 7: 3000}) + labs("b", "ferritin", {0: 8000, 7: 6000, 14: 3500})
            + labs("c", "ferritin", {0: 6000, 20: 5000}) + labs("d", "platelets", {0: 20, 4: 60, 9: 120})
            + labs("e", "platelets", {0: 150, 5: 200}))
    events = [*(meds(c, ("IVIG", 0)) for c in "abcde")]
    table = response_table(observation_frame(rows), event_frame([e for es in events for e in es]))
    per_case = cohort_table(table).set_index("Case")
    assert per_case["Ferritin −50 % by day"].tolist()[:2] == [7.0, 14.0]
    assert np.isnan(per_case.loc["c", "Ferritin −50 % by day"])  # 5000 is not <= 3000
    assert per_case.loc["c", "Ferritin −50 % after day"] == 20.0
    assert (per_case.loc["d", "Platelets ≥ 100 after day"], per_case.loc["d", "Platelets ≥ 100 by day"]) == (4.0, 9.0)
    assert per_case.loc["e", "Platelets nadir"] == 150.0 and np.isnan(per_case.loc["e", "Platelets ≥ 100 by day"])
    summary = cohort_summary(cohort_table(table)).set_index("measure")["median (IQR)"]
    assert summary["Ferritin −50 % by day"] == "10.5 (8.75–12.25), n = 2"  # numpy's linear quartiles of 7, 14
    assert summary["Platelets ≥ 100 by day"] == "9 (9–9), n = 1"
    assert summary["HScore at anchor"] == "n = 0"  # no scores given
