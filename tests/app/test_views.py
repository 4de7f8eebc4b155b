"""The pure view models behind the pages (no Streamlit)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from dashboard import views
from dashboard.ingest.bundle import load_case
from dashboard.ingest.store import CaseStore


def test_plain_escapes_markdown_and_html():
    assert views.plain("<img src=x onerror=alert(1)>") == r"\<img src=x onerror=alert\(1\)\>"
    assert views.plain("**bold** [link](http://x)") == r"\*\*bold\*\* \[link\]\(http\:\/\/x\)".replace(r"\/", "/")


def test_seed_store_imports_once_and_never_resurrects_a_deleted_case(tmp_path, seed_path):
    store = CaseStore(tmp_path)
    assert views.seed_store(store, seed_path.parent) == ["seed-sle-mas"]
    assert views.seed_store(store, seed_path.parent) == []
    store.delete("seed-sle-mas")
    assert views.seed_store(store, seed_path.parent) == []
    assert not store.exists("seed-sle-mas")
    assert views.deleted_case_ids(store) == ["seed-sle-mas"]
    assert len(views.prior_version_ids(store.versions("seed-sle-mas"))) == 1


def test_oversized_files_at_and_over_the_limit():
    limit = 2 * 1024 * 1024
    problems = views.oversized_files({"at.csv": limit, "over.csv": limit + 1}, 2)
    assert [p["file"] for p in problems] == ["over.csv"]
    assert problems[0]["message"] == "file too large: the limit is 2 MB per file"


def test_exception_record_is_a_readable_error():
    record = views.exception_record(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), ["b.csv", "a.csv"])
    assert record["severity"] == "error" and record["file"] == "a.csv, b.csv"
    assert record["message"].startswith("could not read the upload (UnicodeDecodeError:")


def test_alignment_options_list_medications_first():
    events = pd.DataFrame({"kind": ["procedure", "medication", "medication"], "name": ["BM biopsy", "IVIG", "DSP"]})
    assert views.alignment_options(events) == [views.DAY0, "DSP", "IVIG", "BM biopsy"]


@pytest.fixture(scope="module")
def seed(seed_path):
    return load_case(seed_path)


def test_upload_preview_highlights_only_unmapped_rows(seed):
    observations = seed.observations.copy()
    observations.loc[0, "analyte"] = None
    preview = views.upload_preview(observations)
    styles = views.highlight_unmapped(preview)._compute().ctx
    shaded_rows = {row for (row, _), style in styles.items() if style}
    assert shaded_rows == {0}
    assert views.unmapped_labels(observations) == [observations.loc[0, "label"]]


def test_app_code_never_renders_html_from_strings(root):
    """User text reaches the page only through escaped text elements: no unsafe_allow_html anywhere."""
    app_code = [root / "dashboard" / "ui.py", *(root / "dashboard" / "app_pages").glob("*.py")]
    assert [p.name for p in app_code if "unsafe_allow_html" in p.read_text(encoding="utf-8")] == []


def test_problem_rows_stay_whole_numbers_when_some_problems_have_no_row():
    frame = views.problem_frame([
        {"severity": "error", "file": "lb.xpt", "row": 76, "column": "LBORRES", "value": "lots", "message": "m"},
        {"severity": "warning", "file": "dm.xpt", "row": None, "column": None, "value": None, "message": "n"},
    ])
    assert frame["row"].tolist() == ["76", ""]  # a problem of the whole file: an empty cell, not "None"
    assert frame.loc[1, ["column", "value"]].tolist() == ["", ""]


def test_options_of_the_same_label_are_told_apart_by_their_key():
    labels = views.distinct_labels(["MAS in SLE", "MAS in SLE", "sJIA-MAS", "MAS in SLE"],
                                   ["seed-sle-mas", "revised", "sjia", "third"])
    assert labels == ["seed-sle-mas: MAS in SLE", "revised: MAS in SLE", "sJIA-MAS", "third: MAS in SLE"]
    assert views.distinct_labels(["a", "b"], ["x", "y"]) == ["a", "b"]


def test_the_case_picker_keeps_a_second_case_of_the_same_title(app, store_root):
    """Two cases titled alike: the picker lists them apart and a rerun keeps the second one chosen."""
    at = app("app_pages/case_view.py")  # seeds the store
    seed = CaseStore(store_root).load("seed-sle-mas")
    CaseStore(store_root).save(dataclasses.replace(seed, id="revised-copy"))
    at.run()
    picker = at.selectbox(key="case_pick")
    title = seed.meta["title"]
    assert sorted(picker.options) == [f"revised-copy: {title}", f"seed-sle-mas: {title}"]
    picker.select("revised-copy").run()
    at.toggle(key="case_xuln").set_value(True).run()
    assert at.selectbox(key="case_pick").value == "revised-copy"


def test_the_score_summary_writes_days_as_people_do_and_an_unknown_day_as_a_question_mark():
    from dashboard.domain.scores import score_observations
    from dashboard.ingest.bundle import load_uploaded

    case = load_uploaded({"labs.csv": b"Analyte,Admission,Day 7,Day 10\nFerritin (ng/mL),9000,500,300\n"})
    summary = views.score_summary(score_observations(case.observations), case.meta)
    assert summary[["Timepoint", "Day"]].values.tolist() == [["Admission", "?"], ["Day 7", "7"], ["Day 10", "10"]]
