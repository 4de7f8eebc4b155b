"""The seed's score view in headless Chromium: the headlines, the audit line and a why panel, with a
screenshot (tests/artifacts/score_view.png) for a human look."""

from __future__ import annotations

import pytest

from tests.browser.test_app_browser import wait_for_app, wait_for_plots

pytestmark = pytest.mark.browser


SEED_TITLE = "MAS complicating an SLE flare in a 33-year-old woman"


def open_seed(page, app_url) -> None:
    """The case view on the seed (other browser tests store more cases, and the newest opens first)."""
    page.goto(app_url)
    wait_for_plots(page, 1)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=SEED_TITLE).first.click()
    wait_for_plots(page, 1)
    page.get_by_role("tab", name="Scores").click()
    wait_for_app(page)


def test_seed_score_view_shows_headlines_audit_and_why(page, app_url, artifacts):
    open_seed(page, app_url)
    page.get_by_text("Stated HScore 271 — not attainable from the data").first.wait_for()
    page.get_by_role("tab", name="After DEX").click()
    page.get_by_text("HScore 62–184 (probability 0.5–74 %)").first.click()
    wait_for_app(page)
    page.get_by_text("AST 21 U/L < 30 U/L → 0").first.wait_for()
    assert page.get_by_text("Traceback").count() == 0
    page.locator(".st-key-case_hscore_items").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts / "score_view.png")
    section = page.locator('[data-testid="stExpander"]').filter(has_text="HScore 62–184").first
    section.screenshot(path=artifacts / "score_view_why.png")


def test_seed_admission_panels_show_ms_score_terms(page, app_url, artifacts):
    open_seed(page, app_url)
    page.get_by_role("tab", name="Admission").click()
    page.get_by_text("MS score: −0.55..2.29: MAS yes (cut-off −2.1)").first.click()
    page.get_by_text("LDH 1260 U/L × 0.001 = +1.26").first.wait_for()
    tab = page.locator('[data-testid="stTabs"]').first
    tab.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    tab.screenshot(path=artifacts / "score_view_admission.png")
