"""The review grid: edits applied, problems mapped to their cells, nothing stored while an error remains.

The view models (dashboard/review.py) are tested with plain pytest; the pages (Import a table, and
Upload handing a broken file to the grid) with Streamlit's AppTest against a temporary store.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import review
from dashboard.ingest.published_table import draft_from_table
from dashboard.ingest.published_table.text import read_text
from dashboard.ingest.store import CaseStore

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
SEED_TEXT = Path(__file__).resolve().parents[1] / "fixtures" / "published" / "seed_table1.txt"
BROKEN = ("Analyte,Reference range,Admission,Day 3\n"
          "Ferritin (zorks/L),6.2–138,9560,8580\n"
          "AST (U/L),13–30,51,4?8\n"
          "LDH (U/L),124–222,1260,990\n")


def _draft(text: str):
    return draft_from_table(read_text(text, "pasted.txt")[0])


def test_edits_rename_timepoints_set_days_and_fix_cells():
    draft = _draft("Parameter\tAdmission\tDay 3\nFerritin (ng/mL)\t9560\t8,58O\n")
    grid = review.apply_edits(review.editor_frame(draft), {"edited_rows": {0: {"Day 3": "8580"}}})
    days = review.apply_edits(review.days_frame(draft), {"edited_rows": {0: {"label": "Day 0", "day": 0}}})
    current = review.current_draft(draft, grid, days, "  My title ", "Doe 2024, Table 1")
    assert current.timepoints == ["Day 0", "Day 3"]
    assert current.days == {"Day 0": 0.0, "Day 3": 3.0}
    assert (current.title, current.source) == ("My title", "Doe 2024, Table 1")
    assert current.grid.loc[0, "Day 3"] == "8580"
    assert [p for p, _, _ in review.problems_of(current) if p.is_error] == []
    assert draft.grid.loc[0, "Day 3"] == ""  # the base keeps what was read (the cell was left empty)


def test_problems_point_at_their_cells_and_are_marked():
    draft = review.draft_from_upload({"broken.csv": BROKEN.encode()})
    problems = review.problems_of(draft)
    cells = {(row, column) for p, row, column in problems if p.is_error}
    assert (0, "unit") in cells
    read = {(p.row, p.column, p.value) for p, _, _ in problems if not p.is_error and p.value == "4?8"}
    assert read == {(3, "Day 3", "4?8")}  # listed with its line and column, left empty in the grid
    marked = review.check_marks(review.editor_frame(draft), problems, draft)
    assert "⚠ unit" in marked.loc[0, review.CHECK_COLUMN].split("  ")
    assert marked.loc[1, review.CHECK_COLUMN] == "• Day 3"  # the cell left empty, marked on its row
    assert marked.loc[2, review.CHECK_COLUMN] == ""
    lines = review.problem_lines(problems, draft)
    assert any("row 'Ferritin', column 'unit' 'zorks/L'" in text for _, text in lines)


def test_no_days_notice_and_timepoint_label_problems():
    draft = _draft("Parameter\tAdmission\tDischarge\nFerritin (ng/mL)\t9560\t550\n")
    assert "no days" in review.no_days_notice(draft)
    days = review.apply_edits(review.days_frame(draft), {"edited_rows": {1: {"label": "Admission", "day": 9}}})
    current = review.current_draft(draft, review.editor_frame(draft), days, "", "")
    assert review.no_days_notice(current) is None
    assert review.timepoint_problems(current) == ["timepoint label 'Admission' is used twice"]


def test_grid_height_shows_every_row():
    assert review.grid_height(31) == 35 * 32 + 3
    assert review.grid_height(500) == review.GRID_MAX_PX


@pytest.fixture
def app_at(store_root) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    return at


def test_upload_of_a_broken_file_opens_in_the_grid_and_nothing_is_stored(app_at, store_root):
    at = app_at.switch_page("app_pages/upload.py").run()
    at.file_uploader(key="upload_files").upload("broken.csv", BROKEN.encode(), "text/csv")
    at.run()
    at.button(key="upload_review").click().run()
    at.switch_page("app_pages/import_table.py").run()  # AppTest stays on its own page across st.switch_page
    assert not at.exception
    assert at.text_input(key="import_title").value == "broken.csv"
    at.button(key="import_save").click().run()
    assert not at.exception
    assert any("Not saved" in e.value for e in at.error)
    assert not CaseStore(store_root).exists(at.text_input(key="import_case_id").value)


def test_pasted_seed_is_saved_with_its_original_text(app_at, store_root):
    at = app_at.switch_page("app_pages/import_table.py").run()
    at.text_area(key="import_text").input(SEED_TEXT.read_text(encoding="utf-8")).run()
    at.button(key="import_read").click().run()
    assert any("no days" in w.value for w in at.warning)
    at.text_input(key="import_case_id").input("pasted-seed").run()
    at.text_input(key="import_source").input("Seed case report, Table 1").run()
    assert at.text_area(key="import_text").value.startswith("Table 1")  # nothing typed is lost on reruns
    at.button(key="import_save").click().run()
    assert not at.exception
    case = CaseStore(store_root).load("pasted-seed")
    assert case.meta["source"] == "Seed case report, Table 1"
    assert case.meta["import"]["original_text"] == SEED_TEXT.read_text(encoding="utf-8")
    assert "'109/L' -> '10^9/L'" in case.meta["import"]["report"]
    ferritin = case.observations[case.observations["analyte"] == "ferritin"]
    assert ferritin["value"].tolist() == [9560.0, 8580.0, 550.0, 290.0]
    assert isinstance(case.observations, pd.DataFrame)
