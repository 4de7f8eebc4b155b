"""The real app in headless Chromium: upload -> case view -> presentation -> cohort, and XSS safety.

Screenshots land in tests/artifacts/ (gitignored) for a human look at projector legibility.
"""

from __future__ import annotations

import pytest

from dashboard.ingest.bundle import load_case
from dashboard.ingest.store import CaseStore
from dashboard.synth import synthetic_events, synthetic_observations, write_case_folders

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
PLOT = ".js-plotly-plot"


def seed_upload(seed_path, case_id: str) -> list[dict]:
    """The seed's files as browser uploads, under another case id (so the save is a new case)."""
    files = []
    for path in sorted(seed_path.iterdir()):
        content = path.read_bytes()
        if path.name == "case.toml":
            content = content.replace(b'id = "seed-sle-mas"', f'id = "{case_id}"'.encode())
        files.append({"name": path.name, "mimeType": "text/plain", "buffer": content})
    return files


def wait_for_app(page) -> None:
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')",
        timeout=60_000,
    )


def wait_for_plots(page, count: int) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('{PLOT} .main-svg').length >= {count}", timeout=60_000
    )
    wait_for_app(page)


def test_upload_save_view_and_present_the_case(page, app_url, seed_path, artifacts):
    page.goto(f"{app_url}/upload")
    wait_for_app(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        seed_upload(seed_path, "uploaded-sle-mas")
    )
    page.get_by_role("button", name="Save and open in case view").click()
    page.get_by_text("Saved uploaded-sle-mas").wait_for()  # the confirmation, on the case view
    wait_for_plots(page, 1)
    assert page.locator(PLOT).count() == 1  # the Overview section: the case figure (labs over medications)
    assert page.get_by_text("Traceback").count() == 0
    page.wait_for_timeout(500)  # let plotly finish its transitions before the picture
    page.screenshot(path=artifacts / "case_view_page.png")
    page.set_viewport_size({"width": 1600, "height": 3000})  # Streamlit scrolls inside: grow the window
    wait_for_plots(page, 1)
    page.wait_for_timeout(800)
    page.screenshot(path=artifacts / "case_view.png")
    page.set_viewport_size({"width": 1920, "height": 1080})  # a projector
    page.get_by_role("tab", name="Flags").click()
    # the heatmap alone: the Overview's figure leaves once the section's rerun is drawn (asserting the count
    # at once could catch the moment both are on the page)
    page.wait_for_function(f"""() => {{ const plots = document.querySelectorAll('{PLOT}');
        return plots.length === 1 && (plots[0].data || []).some(trace => trace.type === 'heatmap'); }}""",
                           timeout=60_000)
    wait_for_plots(page, 1)
    assert page.locator(PLOT).count() == 1
    page.get_by_role("tab", name="Data & export").click()
    wait_for_app(page)

    with page.expect_download() as download:
        page.get_by_role("button", name="HTML case report").click()
    report = download.value.path().read_text(encoding="utf-8")
    assert "MAS complicating an SLE flare" in report and "HScore" in report
    with page.expect_download() as download:  # made when clicked (ui.deferred_download)
        page.get_by_role("button", name="Download CSV").click()
    header, first, *_ = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert header.startswith("case_id,timepoint,day,label,analyte,orig_text,orig_value,orig_unit,value,unit")
    assert first.startswith("uploaded-sle-mas,Admission,0.0,")  # the saved copy, not the seed of the same title
    with page.expect_download(timeout=90_000) as download:  # kaleido drives chromium in the server
        page.get_by_role("button", name="Case figure (PNG)").click()
    assert download.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


    page.get_by_role("button", name="Presentation mode").click()
    page.get_by_text("Slide 1 of").wait_for()
    # lane, the MAS panel 2 per slide, scores, then the flag heatmap over 3 slides of a 1080p screen
    page.get_by_text("Slide 1 of 10").wait_for()
    wait_for_plots(page, 1)
    page.locator('[data-testid="stSidebar"]').wait_for(state="hidden")  # no sidebar on a projector
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts / "presentation.png")
    page.get_by_role("button", name="Next ▶").click()
    page.get_by_text("Slide 2 of").wait_for()
    wait_for_plots(page, 1)
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts / "presentation_2.png")
    for slide in range(3, 8):
        page.get_by_role("button", name="Next ▶").click()
        page.get_by_text(f"Slide {slide} of").wait_for()
    wait_for_plots(page, 1)
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts / "presentation_scores.png")


def test_cohort_overlay(page, app_url, app_store, artifacts, tmp_path):
    observations, events = synthetic_observations(6, seed=3), synthetic_events(6, seed=3)
    store = CaseStore(app_store)
    for folder in write_case_folders(observations, events, tmp_path):
        store.save(load_case(folder))
    page.goto(f"{app_url}/cohort")
    wait_for_plots(page, 1)
    assert page.locator(f"{PLOT} .scatterlayer .trace").count() >= 7  # the seed and six synthetic cases
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts / "cohort.png")


def test_an_html_label_renders_as_text(page, app_url, artifacts):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{app_url}/upload")
    wait_for_app(page)
    labs = f"Analyte,Reference range,Admission,Day 3\n{XSS},,1,2\nFerritin (ng/mL),,900,300\n"
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        [{"name": "xss.csv", "mimeType": "text/csv", "buffer": labs.encode()}]
    )
    page.get_by_text(XSS).first.wait_for()
    assert page.locator('img[src="x"]').count() == 0
    assert dialogs == []
    wait_for_app(page)
    page.locator('[data-testid="stDataFrame"]').last.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)  # the tables are canvases drawn after the page settles
    page.screenshot(path=artifacts / "upload.png", full_page=True)


def test_a_page_without_charts_loads_the_chart_and_table_code_while_idle(page, app_url):
    """The Upload page draws no chart and no table, yet its tab evaluates Streamlit's Plotly and data-grid code
    in idle time, so the preview and the case view after "Save and open" do not wait for it
    (dashboard/components.py)."""
    page.goto(f"{app_url}/upload")
    wait_for_app(page)
    assert page.locator(PLOT).count() == 0 and page.locator('[data-testid="stDataFrame"]').count() == 0
    page.wait_for_function("() => document.documentElement.dataset.casetrackScripts === 'ready'", timeout=30_000)
    loaded = page.evaluate("() => performance.getEntriesByType('resource').map(r => new URL(r.name))"
                           ".filter(u => /[/]static[/]js[/](PlotlyChart|DataFrame)[.]/.test(u.pathname))"
                           ".map(u => [u.pathname.split('/').pop().split('.')[0], u.host])")
    assert {name for name, _ in loaded} == {"PlotlyChart", "DataFrame"}
    assert {host for _, host in loaded} == {app_url.removeprefix("http://")}  # from the local server only
