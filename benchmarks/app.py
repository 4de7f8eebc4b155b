"""App latency in headless Chromium: the warm case view against a bare page, and upload -> drawn case view.

    .venv/bin/python benchmarks/app.py                  # the seed case, 5 measured runs after the warm-ups
    .venv/bin/python benchmarks/app.py --runs 3 --case data/cases/seed-sle-mas

Starts `streamlit run dashboard/app.py` on a free port with a temporary CASETRACK_STORE, and drives
Debian's chromium (Playwright sync API); every run is a new tab (a new Streamlit session) of one browser
profile, which keeps the scripts it has loaded, as a user's browser does.
- Baseline, in the same run: a bare Streamlit page drawing three small Plotly figures, from a second
  server, timed from navigation until the figures are drawn and Streamlit is idle.
- Warm case view: the seed's case view (caches warm), timed the same way.
- Upload -> view: the clock runs from handing the files to the uploader, through the preview and "Save and
  open in case view", until the case view's opening section (Overview: the case figure and the headline
  scores) is drawn and Streamlit is idle. Every run saves under a new case id, so each is a real save.
  Before the clock starts, the Upload page has evaluated the chart and table code in its idle time, as it
  does while a user chooses files (dashboard/components.py); that wait is printed as a stage of its own.
  The same time is also given as a ratio to the bare page (`upload_to_view_vs_bare`), since the bare
  page's own time says how fast this machine's browser draws.
The last two lines are `case_view_vs_bare: <ratio of medians>` and `upload_to_view_s: <median seconds>`.
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

from dashboard.commands.app import running_app

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PLOT = ".js-plotly-plot"
BARE_FIGURES = 3
CASE_VIEW_FIGURES = 1  # the case view opens on its Overview: the case figure (labs over the medication lane)
WARM_UPS = 2  # loads of each page before measuring: the first loads also compile the app's scripts
TIMEOUT_MS = 60_000


def wait_idle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                           timeout=TIMEOUT_MS)


def wait_drawn(page, figures: int) -> None:
    """Until the page's figures are drawn, Streamlit is idle and every figure on the page is drawn."""
    page.wait_for_function(f"() => document.querySelectorAll('{PLOT} .main-svg').length >= {figures}",
                           timeout=TIMEOUT_MS)
    wait_idle(page)
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{PLOT}')].every(plot => plot.querySelector('.main-svg'))",
        timeout=TIMEOUT_MS,
    )


def case_files(case: Path, case_id: str) -> list[dict]:
    """The case folder's files as browser uploads, with case.toml's id replaced (a new case each run)."""
    files = []
    for path in sorted(p for p in case.iterdir() if p.is_file()):
        content = path.read_bytes()
        if path.name == "case.toml":
            lines = [ln for ln in content.decode("utf-8").splitlines() if not ln.startswith("id =")]
            content = "\n".join([f'id = "{case_id}"', *lines]).encode("utf-8")
        files.append({"name": path.name, "mimeType": "text/plain", "buffer": content})
    return files


CHOOSING_FILES = "upload page idle -> chart+table code"  # the user choosing files: not on the clock
STAGES = (CHOOSING_FILES, "upload -> preview", "save -> drawn case view")


def upload_to_view(browser, url: str, case: Path, case_id: str) -> dict[str, float]:
    """Seconds per stage, from handing the files to the uploader to a drawn, idle case view."""
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(f"{url}/upload")
        wait_idle(page)
        # A user takes a few seconds to choose the files; the page uses them to load the chart and table code
        # (dashboard/components.py). The clock starts once it has, and the wait is reported as its own line.
        opened = time.perf_counter()
        page.wait_for_function("() => document.documentElement.dataset.casetrackScripts === 'ready'",
                               timeout=TIMEOUT_MS)
        start = time.perf_counter()
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            case_files(case, case_id)
        )
        save = page.get_by_role("button", name="Save and open in case view")
        save.wait_for()
        wait_idle(page)
        previewed = time.perf_counter()
        save.click()
        page.get_by_text(f"Saved {case_id}").wait_for()
        wait_drawn(page, CASE_VIEW_FIGURES)
        drawn = time.perf_counter()
        if page.get_by_text("Traceback").count():
            raise RuntimeError("the case view shows a traceback")
        return dict(zip(STAGES, (start - opened, previewed - start, drawn - previewed), strict=True))
    except Exception:
        shot = Path(tempfile.gettempdir()) / f"casetrack-app-bench-{case_id}.png"
        page.screenshot(path=shot, full_page=True)
        print(f"failed run {case_id}: screenshot {shot}", file=sys.stderr)
        raise
    finally:
        page.close()


BARE_PAGE = """import plotly.graph_objects as go
import streamlit as st

st.write("casetrack baseline")
for n in range(3):
    st.plotly_chart(go.Figure(go.Scatter(x=[0, 7, 11, 53], y=[9560 / (n + 1), 8580, 550, 290])), key=f"f{n}")
"""


def drawn_page(browser, url: str, figures: int) -> float:
    """Seconds from navigation to a page whose figures are drawn, Streamlit idle."""
    page = browser.new_page()
    try:
        start = time.perf_counter()
        page.goto(url)
        wait_drawn(page, figures)
        return time.perf_counter() - start
    finally:
        page.close()


def summary(label: str, times: list[float]) -> str:
    return (f"  {label:<34} median {statistics.median(times):6.2f} s  "
            f"(min {min(times):.2f}, max {max(times):.2f}, {len(times)} runs)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", type=Path, default=ROOT / "data" / "cases" / "seed-sle-mas")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium")
    if chromium is None:
        print("benchmarks/app.py needs Debian's chromium on PATH (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    print(f"casetrack app benchmark: upload {args.case.name} -> drawn case view, headless chromium, "
          f"{WARM_UPS} warm-ups + {args.runs} runs")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="casetrack-app-bench-") as tmp, sync_playwright() as playwright:
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE_PAGE, encoding="utf-8")
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        # One browser profile for the whole run, a new tab per measurement: as a user's browser, it keeps
        # the scripts it has loaded (HTTP and code caches); every tab is still a new Streamlit session.
        browser = launched.new_context(viewport={"width": 1600, "height": 1000})
        try:
            # Both servers run at once and the measurements alternate, so a busy machine slows both alike.
            with running_app(Path(tmp) / "bare-store", Path(tmp) / "bare.log", script=bare_script) as bare_url, \
                    running_app(Path(tmp) / "store", Path(tmp) / "app.log") as url:
                for _ in range(WARM_UPS):  # both servers, the seed's caches and the browser's compiled scripts
                    drawn_page(browser, bare_url, BARE_FIGURES)
                    drawn_page(browser, url, CASE_VIEW_FIGURES)  # only the seed is stored: the view opens on it
                bare, case_view = [], []
                for _ in range(args.runs):
                    bare.append(drawn_page(browser, bare_url, BARE_FIGURES))
                    case_view.append(drawn_page(browser, url, CASE_VIEW_FIGURES))
                upload_to_view(browser, url, args.case, "bench-warmup")
                runs = [upload_to_view(browser, url, args.case, f"bench-{i}") for i in range(args.runs)]
        finally:
            browser.close()
            launched.close()
    print(summary("baseline: bare page, 3 Plotly figures", bare))
    print(summary("warm case view (seed)", case_view))
    totals = [sum(seconds for stage, seconds in run.items() if stage != CHOOSING_FILES) for run in runs]
    for stage in STAGES:
        print(summary(f"  stage: {stage}", [run[stage] for run in runs]))
    print(summary("upload -> drawn case view (warm)", totals))
    print(f"upload_to_view_vs_bare: {statistics.median(totals) / statistics.median(bare):.2f}")
    print(f"case_view_vs_bare: {statistics.median(case_view) / statistics.median(bare):.2f}")
    print(f"upload_to_view_s: {statistics.median(totals):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
