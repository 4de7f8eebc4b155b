"""Treatment response in the real app: the seed's Response panel and the cohort's time-to-response plot.

Screenshots land in tests/artifacts/ (response_panel.png, cohort_response.png, cohort_km.png).
"""

from __future__ import annotations

import pytest

from dashboard.ingest.bundle import load_case
from dashboard.ingest.store import CaseStore
from dashboard.synth import synthetic_events, synthetic_observations, write_case_folders
from tests.browser.test_app_browser import wait_for_app

pytestmark = pytest.mark.browser

PLOT = ".js-plotly-plot"
SEED_TITLE = "MAS complicating an SLE flare"


def drawn(page, key: str):
    """The keyed element once its plotly figure is drawn, scrolled into view."""
    element = page.locator(f".st-key-{key}")
    element.wait_for(timeout=60_000)
    element.scroll_into_view_if_needed()
    element.locator(f"{PLOT} .main-svg").first.wait_for(timeout=60_000)
    page.wait_for_timeout(600)  # plotly transitions
    return element


def test_the_seed_response_panel(page, app_url, artifacts):
    page.set_viewport_size({"width": 1600, "height": 1400})
    page.goto(app_url)  # the case view is the default page
    wait_for_app(page)
    # other browser tests may have stored newer cases: pick the seed (an uploaded copy has the same data)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=SEED_TITLE).first.click()
    wait_for_app(page)
    page.get_by_role("tab", name="Response").click()
    wait_for_app(page)
    table = page.locator(".st-key-case_response_table")
    table.wait_for(timeout=60_000)
    chart = drawn(page, "case_response_chart")
    assert page.get_by_text("Traceback").count() == 0
    assert page.get_by_text("Methylprednisolone pulse, glucocorticoid").count() == 1  # the anchor caption
    # a star at each peak/nadir and a ring at each observed response: ferritin 2, platelets 3, AST 3
    assert chart.locator(".scatterlayer .trace .points path.point").count() >= 8
    table.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.locator('[data-testid="stMain"]').screenshot(path=artifacts / "response_panel_page.png")
    chart.screenshot(path=artifacts / "response_panel.png")
    table.screenshot(path=artifacts / "response_table.png")


def test_the_cohort_time_to_response_plot(page, app_url, app_store, artifacts, tmp_path):
    store = CaseStore(app_store)
    for folder in write_case_folders(synthetic_observations(6, seed=3), synthetic_events(6, seed=3), tmp_path):
        store.save(load_case(folder))
    page.set_viewport_size({"width": 1600, "height": 1200})
    page.goto(f"{app_url}/cohort")
    wait_for_app(page)
    overlay = drawn(page, "cohort_chart")
    assert page.get_by_text("Traceback").count() == 0
    assert overlay.get_by_text("median of cases").count() == 1
    assert overlay.get_by_text("catalogue adult default").count() + overlay.get_by_text(
        "printed in the case reports").count() == 1  # the reference band says where it comes from
    overlay.screenshot(path=artifacts / "cohort_response.png")
    km = drawn(page, "cohort_km_chart")
    assert km.get_by_text("share reached").count() == 1
    assert page.get_by_text("interval-censored").count() >= 1  # the caption
    km.screenshot(path=artifacts / "cohort_km.png")
    summary = page.locator(".st-key-cohort_response_summary")
    summary.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.locator(".st-key-cohort_response_table").screenshot(path=artifacts / "cohort_response_table.png")
