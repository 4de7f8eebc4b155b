"""Upload page: a labs table with a title line above its header and a footnote below its data (as papers and lab
systems save them) is previewed with the lines set aside named as warnings, saved, and titled by its caption."""

from __future__ import annotations

from pathlib import Path

from dashboard.ingest.store import CaseStore

UPLOAD = "app_pages/upload.py"
TITLED = Path(__file__).resolve().parents[1] / "fixtures" / "preamble" / "titled.csv"


def test_a_titled_table_uploads_with_its_title_and_footnote_named(app, upload, store_root, page_text, table):
    at = upload(app(UPLOAD), {"labs_title.csv": TITLED.read_bytes()})
    assert not at.exception
    assert "2 warning(s): the case can be imported" in page_text(at)
    assert "cannot be imported" not in page_text(at)
    problems = table(at, "upload_problems")
    assert problems[["severity", "row", "value"]].values.tolist() == [
        ["warning", "1", "Table 1. Laboratory findings of the patient"],
        ["warning", "7", "Normal values in parentheses."]]
    assert problems["message"].str.startswith("read as a title/note, not data").all()
    preview = table(at, "upload_preview")
    ferritin = preview[(preview["analyte"] == "ferritin") & (preview["timepoint"] == "Day 0")]
    assert ferritin[["orig_text", "value", "unit"]].values.tolist() == [["12000", 12000.0, "ng/mL"]]
    assert len(preview) == 6
    at.button(key="upload_save").click().run()
    assert not at.exception
    assert CaseStore(store_root).exists("labs_title")
    stored = CaseStore(store_root).load("labs_title")
    assert stored.meta["title"] == "Table 1. Laboratory findings of the patient"
    assert [p.row for p in stored.problems if "read as a title/note" in p.message] == [1, 7]
    at.button(key="upload_open").click().run()
    at.switch_page("app_pages/case_view.py").run()
    assert not at.exception
    assert "Table 1. Laboratory findings of the patient" in page_text(at)  # the case's heading
    assert "Warnings when the case was read (2)" in [e.label for e in at.expander]
