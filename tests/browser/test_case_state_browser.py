"""Item 1 of issue 13 in a real browser: switching case restores that case's own analyte choice."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dashboard.ingest.bundle import load_case
from dashboard.ingest.store import CaseStore
from dashboard.views import MAS_PANEL, analyte_name
from tests.browser.test_app_browser import wait_for_app, wait_for_plots

pytestmark = pytest.mark.browser

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "cases" / "mini"
MINI_PANEL = ["ferritin", "platelets", "wbc", "hemoglobin", "ast", "triglycerides", "fibrinogen", "d_dimer"]
SEED_TITLE = "Seed copy for the case-switch test"
SEED_PANEL = list(MAS_PANEL)  # the seed has every analyte of the MAS panel
MINI_TITLES = ["Ferritin", "Platelets", "White blood cell count", "Hemoglobin", "AST", "Triglyceride", "Fibrinogen",
               "d-dimer"]  # as the mini fixture's labs.csv writes them
TAGS = '[data-testid="stSidebar"] [data-testid="stMultiSelect"] [data-tag] > span[title]'


def tags(page) -> list[str]:
    return [text.strip() for text in page.locator(TAGS).all_inner_texts()]


def remove_tag(page, name: str) -> None:
    page.get_by_role("button", name=f"Remove {name}").click()


def panel_titles(page) -> list[str]:
    """The panel titles of the case figure (the first chart), from the layout plotly drew."""
    return page.evaluate(
        "() => (document.querySelector('.js-plotly-plot').layout.annotations || [])"
        ".filter(a => a.name === 'panel-title').map(a => a.text.replace(/<\\/?b>/g, ''))"
    )


def settled(page, read, expected, timeout_s: float = 30.0):
    """Poll `read(page)` until it gives `expected` (a rerun redraws the page piece by piece); its last value."""
    deadline = time.monotonic() + timeout_s
    value = read(page)
    while value != expected and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        value = read(page)
    return value


def pick_case(page, title: str) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=title).click()
    wait_for_app(page)


def seed_copy(seed_path):
    """The seed under its own id and title: other browser tests store cases with the seed's title."""
    case = load_case(seed_path)
    case.id, case.meta = "state-seed", {**case.meta, "title": SEED_TITLE}
    case.observations = case.observations.assign(case_id=case.id).astype(case.observations.dtypes)
    case.events = case.events.assign(case_id=case.id).astype(case.events.dtypes)
    return case


def test_switching_case_restores_its_own_analytes(page, app_url, app_store, seed_path, artifacts):
    store = CaseStore(app_store)
    store.save(seed_copy(seed_path))
    store.save(load_case(MINI))
    page.goto(app_url)
    wait_for_plots(page, 1)
    pick_case(page, SEED_TITLE)
    seed_panel = [analyte_name(a) for a in SEED_PANEL]
    assert settled(page, tags, seed_panel) == seed_panel
    remove_tag(page, "Ferritin")
    seed_choice = [analyte_name(a) for a in SEED_PANEL if a != "ferritin"]
    assert settled(page, tags, seed_choice) == seed_choice

    pick_case(page, "Mini seed slice")
    mini_panel = [analyte_name(a) for a in MINI_PANEL]
    assert settled(page, tags, mini_panel) == mini_panel
    mini_titles = settled(page, panel_titles, MINI_TITLES)
    assert mini_titles == MINI_TITLES  # the chart draws what the box shows
    xuln = ["All analytes, × upper limit of normal"]
    page.get_by_text("× upper limit of normal (one axis)").click()  # the next click keeps the case's own list
    assert settled(page, panel_titles, xuln) == xuln
    page.get_by_text("× upper limit of normal (one axis)").click()
    assert settled(page, panel_titles, MINI_TITLES) == MINI_TITLES
    assert tags(page) == mini_panel

    pick_case(page, SEED_TITLE)
    assert settled(page, tags, seed_choice) == seed_choice
    seed_titles = settled(page, lambda p: panel_titles(p)[:1], ["Platelets"])
    assert seed_titles == ["Platelets"] and "Ferritin" not in panel_titles(page)
    wait_for_plots(page, 1)
    page.screenshot(path=artifacts / "case_switch.png")
