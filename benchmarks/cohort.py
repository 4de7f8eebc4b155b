"""Cohort page at scale: 1 000 stored synthetic cases, drawn warm, against loading the same cases.

    .venv/bin/python benchmarks/cohort.py                 # 1 000 cases, 3 measured runs after a warm-up
    .venv/bin/python benchmarks/cohort.py --cases 200 --runs 2 --no-browser

Saves the cases into a temporary store (CaseStore.save, as an import does), then measures, in one run:
- baseline: loading the observations and events of every case from the store (CaseStore.load_all_*);
- compute: what the page computes once the store frames are cached (the overlay with its binned median,
  the response table of every case, the Kaplan-Meier curve, all serialised to JSON as Streamlit sends them);
- page: the cohort page in headless Chromium (`streamlit run`, a fresh tab per run, warm caches), from
  navigation until its charts are drawn and Streamlit is idle; beside it a bare Streamlit page,
  a yardstick for how loaded the machine is (benchmarks/app.py's bare page with three Plotly figures).
The last line is `cohort_page_vs_store_load: <ratio>` (page seconds / store-loading seconds).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import timed

from dashboard.ingest.bundle import Case
from dashboard.ingest.store import CaseStore
from dashboard.synth import synthetic_events, synthetic_observations

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
COHORT_CHARTS = 2  # the overlay and the time-to-response curve
TIMEOUT_MS = 120_000


def fill_store(store: CaseStore, n_cases: int, seed: int = 0) -> list[str]:
    """Save `n_cases` synthetic cases (labs and events) into the store; returns their ids."""
    observations = synthetic_observations(n_cases, seed=seed)
    events = synthetic_events(n_cases, seed=seed)
    by_case = dict(tuple(events.groupby("case_id", sort=False)))
    ids = []
    for case_id, obs in observations.groupby("case_id", sort=True):
        case_events = by_case.get(case_id, events.iloc[:0])
        tps = obs.drop_duplicates("timepoint").sort_values("tp_order")
        meta = {"title": f"Synthetic case {case_id}", "source": "casetrack synthetic cohort",
                "timepoints": dict(zip(tps["timepoint"], tps["day"].astype(float), strict=True))}
        store.save(Case(id=str(case_id), meta=meta, observations=obs.reset_index(drop=True),
                        events=case_events.reset_index(drop=True), problems=[]))
        ids.append(str(case_id))
    return ids


def store_load(store: CaseStore, ids: list[str]) -> tuple:
    return store.load_all_observations(ids), store.load_all_events(ids)


def page_compute(frames: tuple) -> int:
    """The cohort page's own work on cached frames; returns the bytes of figure JSON it would send."""
    from dashboard.charts.cohort import ANCHOR, cohort_figure
    from dashboard.charts.response import time_to_response_figure
    from dashboard.domain.response import response_table
    from dashboard.domain.response_summary import cohort_summary, cohort_table

    flags, events, scores = frames
    overlay = cohort_figure(flags, "ferritin", align=ANCHOR, events=events)
    metrics = response_table(flags, events, scores=scores, analytes=("ferritin", "platelets"))
    cohort_summary(cohort_table(metrics))
    km = time_to_response_figure(metrics)
    return len(overlay.to_json()) + len(km.to_json())


def wait_drawn(page) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {COHORT_CHARTS}",
        timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')", timeout=TIMEOUT_MS)


def browser_page(store_root: Path, tmp: Path, runs: int) -> tuple[list[float], list[float]]:
    """Seconds from navigation to a drawn, idle cohort page (a warm-up first fills Streamlit's caches),
    and, as a yardstick for the machine's load, to benchmarks/app.py's bare page (three Plotly figures)."""
    from app import BARE_PAGE, drawn_page
    from playwright.sync_api import sync_playwright

    from dashboard.commands.app import running_app

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("benchmarks/cohort.py needs Debian's chromium on PATH (or --no-browser)")
    times, bare = [], []
    bare_script = tmp / "bare.py"
    bare_script.write_text(BARE_PAGE, encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            with running_app(tmp / "bare-store", tmp / "bare.log", script=bare_script) as url:
                bare = [drawn_page(browser, url) for _ in range(runs + 1)][1:]
            with running_app(store_root, tmp / "app.log") as url:
                times = _cohort_runs(browser, url, runs)
        finally:
            browser.close()
    return times, bare


def _cohort_runs(browser, url: str, runs: int) -> list[float]:
    times = []
    for i in range(runs + 1):
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        start = time.perf_counter()
        page.goto(f"{url}/cohort")
        wait_drawn(page)
        if i:  # the first run is the warm-up
            times.append(time.perf_counter() - start)
        if page.get_by_text("Traceback").count():
            raise RuntimeError("the cohort page shows a traceback")
        context.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true", help="skip the headless-Chromium page timing")
    args = parser.parse_args(argv)
    from dashboard.domain.flags import reference_flags
    from dashboard.domain.scores import score_observations

    print(f"casetrack cohort benchmark: {args.cases} stored synthetic cases, {args.runs} runs")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="casetrack-cohort-bench-") as tmp:
        store = CaseStore(Path(tmp) / "store")
        fill, ids = timed(lambda: fill_store(store, args.cases))
        print(f"  saved {len(ids)} cases in {fill:.1f} s")
        load, (observations, events) = timed(lambda: store_load(store, ids), args.runs)
        print(f"  baseline: store load of {len(ids)} cases ({len(observations)} observations)  {load:6.2f} s")
        derive, frames = timed(lambda: (reference_flags(observations), events, score_observations(observations)))
        print(f"  flags + scores of the cohort (cached by the page)        {derive:6.2f} s")
        compute, sent = timed(lambda: page_compute(frames), args.runs)
        print(f"  page compute, warm (overlay, responses, KM, JSON {sent / 1e6:.1f} MB)  {compute:6.2f} s")
        ratio = compute / load
        if not args.no_browser:
            pages, bare = browser_page(store.root, Path(tmp), args.runs)
            page_s = statistics.median(pages)
            print(f"  yardstick: a bare Streamlit page drawn (median of {len(bare)})  "
                  f"{statistics.median(bare):6.2f} s")
            print(f"  cohort page drawn in Chromium, warm (median of {len(pages)})  {page_s:6.2f} s "
                  f"(min {min(pages):.2f}, max {max(pages):.2f}; target 3 s; "
                  f"{page_s / statistics.median(bare):.1f}x the bare page)")
            ratio = page_s / load
            print(f"cohort_page_s: {page_s:.2f}")
    print(f"cohort_page_vs_store_load: {ratio:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
