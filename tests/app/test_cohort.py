"""Cohort page: overlay of one analyte across stored cases, alignment on an event, scores table."""

from __future__ import annotations

from dashboard.ingest.bundle import load_case
from dashboard.ingest.store import CaseStore

COHORT = "app_pages/cohort.py"


def add_second_case(store_root, seed_path) -> None:
    """A copy of the seed under another id: two cases whose trajectories overlay exactly."""
    case = load_case(seed_path)
    case.id = "seed-copy"
    case.observations = case.observations.assign(case_id="seed-copy").astype(case.observations.dtypes)
    case.events = case.events.assign(case_id="seed-copy").astype(case.events.dtypes)
    CaseStore(store_root).save(case)


def test_overlay_of_all_cases_with_their_scores(app, store_root, seed_path, chart, table):
    add_second_case(store_root, seed_path)
    at = app(COHORT)
    assert at.toggle(key="cohort_all").value is True
    assert at.selectbox(key="cohort_analyte").value == "ferritin"
    figure = chart(at, "cohort_chart")
    lines = [t for t in figure["data"] if t.get("y") and len(t["y"]) == 4]
    assert len(lines) >= 2
    assert all(list(t["y"]) == [9560, 8580, 550, 290] for t in lines)
    scores = table(at, "cohort_scores")
    assert len(scores) == 8
    assert set(scores["Case"]) == {"seed-copy", "seed-sle-mas"}


def test_alignment_on_the_first_dexamethasone_dose(app, chart):
    at = app(COHORT)
    at.selectbox(key="cohort_align").set_value("Dexamethasone sodium phosphate").run()
    assert not at.exception
    lines = [t for t in chart(at, "cohort_chart")["data"] if t.get("y") and len(t["y"]) == 4]
    assert list(lines[0]["x"]) == [-7, 0, 4, 46]  # days 0, 7, 11, 53 minus the first DSP day (7)


def test_xuln_and_other_analyte(app, chart):
    at = app(COHORT)
    at.selectbox(key="cohort_analyte").set_value("platelets").run()
    at.segmented_control(key="cohort_scale").set_value("xuln").run()
    assert not at.exception
    lines = [t for t in chart(at, "cohort_chart")["data"] if t.get("y") and len(t["y"]) == 4]
    assert [round(v, 3) for v in lines[0]["y"]] == [round(v / 400, 3) for v in (22, 29, 113, 287)]


def test_picking_cases_by_hand(app, store_root, seed_path, table):
    add_second_case(store_root, seed_path)
    at = app(COHORT)
    at.toggle(key="cohort_all").set_value(False).run()
    at.multiselect(key="cohort_cases").set_value(["seed-copy"]).run()
    assert not at.exception
    assert set(table(at, "cohort_scores")["Case"]) == {"seed-copy"}


def test_response_table_and_time_to_response_on_the_seed(app, chart, table):
    at = app(COHORT)
    per_case = table(at, "cohort_response_table")
    seed = per_case[per_case["Case"] == "seed-sle-mas"].iloc[0]
    assert (seed["Anchor drug"], seed["Ferritin −50 % by day"], seed["Platelets ≥ 100 by day"]) == (
        "Methylprednisolone pulse", 11, 11)
    assert seed["HScore at anchor"] == 256
    summary = table(at, "cohort_response_summary")
    assert summary.loc[summary["measure"] == "Ferritin −50 % by day", "median (IQR)"].iloc[0] == "11 (11–11), n = 1"
    km = chart(at, "cohort_km_chart")
    assert any((t.get("name") or "").startswith("share reached (1 of 1") for t in km["data"])
    assert any("interval-censored" in c.value for c in at.caption)


def test_aligning_on_a_class_and_times_baseline(app, chart):
    at = app(COHORT)
    at.selectbox(key="cohort_align").set_value("calcineurin inhibitor").run()
    at.segmented_control(key="cohort_scale").set_value("xbaseline").run()
    assert not at.exception
    lines = [t for t in chart(at, "cohort_chart")["data"] if t.get("y") and len(t["y"]) == 4]
    assert [round(v, 4) for v in lines[0]["x"]] == [-3, 4, 8, 50]  # cyclosporine started on day 3
    assert [round(v, 4) for v in lines[0]["y"]] == [1.0, round(8580 / 9560, 4), round(550 / 9560, 4),
                                                    round(290 / 9560, 4)]
