"""Item 1 of issue 13 in a real browser: switching case restores that case's own analyte choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.ingest.bundle import load_case
from dashboard.ingest.store import CaseStore
from dashboard.views import MAS_PANEL, analyte_name
from tests.browser.test_app_browser import wait_for_app, wait_for_plots

pytestmark = pytest.mark.browser

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "cases" / "mini"
MINI_PANEL = ["ferritin", "platelets", "wbc", "hemoglobin", "ast", "triglycerides", "fibrinogen", "d_dimer"]
SEED_PANEL = list(MAS_PANEL)  # the seed has every analyte of the MAS panel
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


def pick_case(page, title: str) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=title).click()
    wait_for_app(page)


def test_switching_case_restores_its_own_analytes(page, app_url, app_store, artifacts):
    CaseStore(app_store).save(load_case(MINI))
    page.goto(app_url)
    wait_for_plots(page, 3)
    assert tags(page) == [analyte_name(a) for a in SEED_PANEL]
    remove_tag(page, "Ferritin")
    wait_for_plots(page, 3)
    seed_choice = [analyte_name(a) for a in SEED_PANEL if a != "ferritin"]
    assert tags(page) == seed_choice

    pick_case(page, "Mini seed slice")
    wait_for_plots(page, 3)
    assert tags(page) == [analyte_name(a) for a in MINI_PANEL]
    assert panel_titles(page)[:2] == ["Ferritin", "Platelets"]  # the chart draws what the box shows
    page.get_by_text("× upper limit of normal (one axis)").click()  # the next click keeps the case's own list
    wait_for_plots(page, 3)
    page.get_by_text("× upper limit of normal (one axis)").click()
    wait_for_plots(page, 3)
    assert tags(page) == [analyte_name(a) for a in MINI_PANEL]
    assert len(panel_titles(page)) == len(MINI_PANEL)

    pick_case(page, "MAS complicating an SLE flare")
    wait_for_plots(page, 3)
    assert tags(page) == seed_choice
    assert "Ferritin" not in panel_titles(page) and panel_titles(page)[0] == "Platelets"
    page.screenshot(path=artifacts / "case_switch.png")
