"""Import a table in a real browser: paste the seed's Table 1, fix a cell and a day in the grid, save, view.

The grid is Streamlit's data editor (a canvas): cells are reached with the keyboard from the first cell,
as a user would, and typed over. The screenshot (tests/artifacts/import_table.png) is for a human look.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from dashboard.ingest.store import CaseStore
from tests.browser.test_app_browser import wait_for_app

pytestmark = pytest.mark.browser

SEED_TEXT = Path(__file__).resolve().parents[1] / "fixtures" / "published" / "seed_table1.txt"
ROW_PX = 35  # the data editor's row height (header row too)


def open_editor(page, column: int):
    """Walk right from the selected row's first cell to `column` and open its editor (a box over the canvas)."""
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    editor = page.locator("#portal textarea, #portal input").first
    editor.wait_for(timeout=3_000)
    return editor


def type_into_cell(page, key: str, row: int, label: tuple[int, str], column: int, text: str) -> None:
    """Type `text` into (row, column) of an editor, after checking that the row's cell at label[0] reads
    label[1]: the row under a click depends on the header height, so the row is checked, never assumed."""
    grid = page.locator(f".st-key-{key} [data-testid='stDataFrameResizable']")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    for below in (1, 1.5, 2, 2.5, 3):
        page.mouse.click(box["x"] + 20, box["y"] + ROW_PX * (row + below) + ROW_PX / 2)
        page.wait_for_timeout(300)
        try:
            editor = open_editor(page, label[0])
        except PlaywrightTimeout:  # the click hit the header row: no cell was selected
            continue
        found = editor.input_value()
        page.keyboard.press("Escape")
        editor.wait_for(state="detached")
        if found == label[1]:
            break
    else:
        raise AssertionError(f"row {row} of {key} ({label[1]}) not found")
    page.keyboard.press("Home")
    editor = open_editor(page, column)
    editor.press("Control+a")
    editor.press_sequentially(text, delay=30)
    editor.press("Enter")
    wait_for_app(page)


def test_paste_fix_set_a_day_save_and_view(page, app_url, app_store, artifacts):
    page.set_viewport_size({"width": 1600, "height": 2400})  # Streamlit scrolls inside: a tall window shows all
    page.goto(f"{app_url}/import")
    wait_for_app(page)
    page.get_by_label("Paste the table here").fill(SEED_TEXT.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Read the table").click()  # the click itself commits the paste
    wait_for_app(page)
    page.get_by_test_id("stAlertContentWarning").get_by_text("This case has no days").wait_for()
    problems = page.locator(".st-key-import_problems")
    problems.get_by_text("reference '22' is a bare number").wait_for()

    # ESR (row 21 of the grid) prints its reference as a bare '22': write it as the range it means.
    type_into_cell(page, "import_grid", row=20, label=(1, "ESR"), column=3, text="0–22")
    problems.get_by_text("reference '22' is a bare number").wait_for(state="detached")
    # Admission is day 0.
    type_into_cell(page, "import_days", row=0, label=(1, "Admission"), column=2, text="0")
    page.get_by_test_id("stAlertContentWarning").get_by_text("This case has no days").wait_for(state="detached")
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts / "import_table.png", full_page=True)

    page.get_by_label("Case id").fill("seed-pasted")
    page.keyboard.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Save case").click()
    wait_for_app(page)
    page.get_by_role("heading", name="Table 1 Laboratory data upon admission").wait_for()  # the case view
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 1",
                           timeout=60_000)
    assert page.get_by_text("Traceback").count() == 0
    page.wait_for_timeout(800)
    page.screenshot(path=artifacts / "import_saved_case_view.png")

    case = CaseStore(app_store).load("seed-pasted")
    esr = case.observations[case.observations["analyte"] == "esr"].iloc[0]
    assert (esr["ref_low"], esr["ref_high"], esr["ref_text"]) == (0.0, 22.0, "0–22")
    assert case.meta["timepoints"] == {"Admission": 0}
    assert case.meta["title"].startswith("Table 1 Laboratory data")
    ferritin = case.observations[case.observations["analyte"] == "ferritin"]
    assert ferritin["value"].tolist() == [9560.0, 8580.0, 550.0, 290.0]
    assert "White blood cell count  (109/L)" in case.meta["import"]["original_text"]


def test_problems_are_listed_whole_and_block_the_save(page, app_url, app_store, artifacts):
    page.set_viewport_size({"width": 1600, "height": 1400})
    page.goto(f"{app_url}/import")
    wait_for_app(page)
    text = ("Table 2 Laboratory course\nParameter\tReference range\tDay 1\tDay 4\n"
            "Ferritin (zorks/L)\t15–150\t9560\t8580\nLDH (U/L)\t135–225\t1,260\t990\n")
    page.get_by_label("Paste the table here").fill(text)
    page.keyboard.press("Control+Enter")
    wait_for_app(page)
    read = page.get_by_role("button", name="Read the table")
    expect(read).to_be_enabled()
    read.click()
    wait_for_app(page)
    problems = page.locator(".st-key-import_problems")
    problems.get_by_text("unknown unit 'zorks/L'", exact=False).first.wait_for()
    ambiguous = problems.get_by_text("'1,260'", exact=False).first
    ambiguous.wait_for()
    assert "It is not guessed" in ambiguous.inner_text() or "thousands" in ambiguous.inner_text()
    page.get_by_role("button", name="Save case").click()
    wait_for_app(page)
    page.get_by_text("Not saved:", exact=False).first.wait_for()
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts / "import_problems.png", full_page=True)
    assert CaseStore(app_store).list_cases()["case_id"].str.startswith("table-2").sum() == 0
