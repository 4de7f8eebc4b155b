"""Pure view models of the review grid (Import a table, and Upload when a file needs fixing).

The page keeps the table as read (the base) and Streamlit keeps the user's edits; `apply_edits` puts
them together, so the problems shown and the case saved are always those of what is on screen. No
Streamlit here: every step is tested with plain pytest.
"""

from __future__ import annotations

import math

import pandas as pd

from dashboard.ingest.problems import Problem
from dashboard.ingest.published_table import Draft, case_files, import_report
from dashboard.ingest.published_table.case import FIXED_COLUMNS, grid_problems

CHECK_COLUMN = "check"
PROBLEM_STYLE = "background-color: #fde2e1; color: #8a1c1c"
DAY_COLUMNS = ("column", "label", "day")
ROW_PX = 35           # the data editor's row height
GRID_MAX_PX = 2400    # a long table scrolls inside the grid beyond this


def grid_height(rows: int) -> int:
    """Pixels that show every row of the grid (and its header), so a review needs no scrolling inside it."""
    return min(GRID_MAX_PX, ROW_PX * (rows + 1) + 3)


def editor_frame(draft: Draft) -> pd.DataFrame:
    """The grid as the editor shows it: a read-only `check` column, label, unit, reference, timepoints."""
    frame = draft.grid.drop(columns=["line"]).copy()
    frame.insert(0, CHECK_COLUMN, "")
    return frame.reset_index(drop=True)


def days_frame(draft: Draft) -> pd.DataFrame:
    """One row per timepoint column: the name as read, the label to use, the day (empty = unknown)."""
    days = [draft.days.get(tp) for tp in draft.timepoints]
    return pd.DataFrame({"column": draft.timepoints, "label": draft.timepoints,
                         "day": pd.array([None if d is None else float(d) for d in days], dtype="Float64")})


def apply_edits(base: pd.DataFrame, state: dict | None) -> pd.DataFrame:
    """The frame on screen: st.data_editor's `edited_rows` applied to the base (rows are fixed)."""
    frame = base.copy()
    for row, changes in ((state or {}).get("edited_rows") or {}).items():
        for column, value in changes.items():
            if column in frame.columns and int(row) < len(frame):
                frame.iloc[int(row), frame.columns.get_loc(column)] = value
    return frame


def _day(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def current_draft(draft: Draft, grid: pd.DataFrame, days: pd.DataFrame, title: str, source: str) -> Draft:
    """The draft as the user has edited it: cells, timepoint labels and days, title and source."""
    labels = {row.column: (str(row.label).strip() or row.column) for row in days.itertuples()}
    values = grid.drop(columns=[CHECK_COLUMN], errors="ignore").copy()
    values["line"] = draft.grid["line"].to_numpy()
    values = values.rename(columns=labels)
    new_days = {labels[row.column]: _day(row.day) for row in days.itertuples()}
    return Draft(values, new_days, title.strip() or draft.title, source.strip(), draft.table, list(draft.notes))


def problems_of(draft: Draft) -> list[tuple[Problem, int | None, str | None]]:
    """Problems of the table as read (cells left empty) and of the case it would write, with their cells."""
    rows = {int(line): i for i, line in reversed(list(enumerate(draft.grid["line"]))) if not pd.isna(line)}
    read = [(p, rows.get(p.row), p.column) for p in (draft.table.problems if draft.table else [])]
    return read + grid_problems(draft)


def timepoint_problems(draft: Draft) -> list[str]:
    """Timepoint labels that are empty or repeated: the case could not tell its columns apart."""
    names = draft.timepoints
    problems = [f"timepoint {i + 1} has no label" for i, name in enumerate(names) if not str(name).strip()]
    problems += [f"timepoint label '{name}' is used twice" for name in sorted({n for n in names if names.count(n) > 1})]
    return problems


def check_marks(frame: pd.DataFrame, problems: list[tuple[Problem, int | None, str | None]],
                draft: Draft) -> pd.DataFrame:
    """The editor frame with each row's `check` cell naming its problem columns (⚠ error, • warning)."""
    out = frame.copy()
    marks: dict[int, list[str]] = {}
    labels = dict(zip(draft.timepoints, frame.columns[len(FIXED_COLUMNS) + 1:], strict=False))
    for problem, row, column in problems:
        if row is None:
            continue
        sign = "⚠" if problem.is_error else "•"
        marks.setdefault(row, []).append(f"{sign} {labels.get(column, column) or 'row'}")
    out[CHECK_COLUMN] = ["  ".join(dict.fromkeys(marks.get(i, []))) for i in range(len(out))]
    return out


def style_checks(frame: pd.DataFrame):
    """Shade the `check` cells that name a problem (the editor styles read-only columns only)."""
    def shade(column: pd.Series) -> list[str]:
        return [PROBLEM_STYLE if text else "" for text in column]

    return frame.style.apply(shade, subset=[CHECK_COLUMN])


def problem_lines(problems: list[tuple[Problem, int | None, str | None]], draft: Draft) -> list[tuple[str, str]]:
    """(severity, whole message) per problem, located by grid row label and column, for the list beside."""
    out = []
    for problem, row, column in problems:
        where = []
        if row is not None and row < len(draft.grid):
            where.append(f"row '{draft.grid.iloc[row]['label']}'")
        elif problem.row is not None:
            where.append(f"line {problem.row}")
        if column:
            where.append(f"column '{column}'")
        value = f" '{problem.value}'" if problem.value is not None else ""
        expected = f" (expected {problem.expected})" if problem.expected else ""
        out.append((problem.severity, f"{', '.join(where) or problem.location()}{value}: {problem.message}{expected}"))
    return out


def no_days_notice(draft: Draft) -> str | None:
    """What to say above the grid when no timepoint has a day."""
    if any(draft.days.get(tp) is not None for tp in draft.timepoints):
        return None
    return ("This case has no days: its timepoints keep the table's order, and charts cannot place them on a "
            "day axis. Enter the day of each timepoint below (days from day 0, e.g. admission = 0).")


def files_to_save(draft: Draft) -> dict[str, bytes]:
    """labs.csv and case.toml of the reviewed draft, as the loader reads them."""
    return case_files(draft)


def saved_meta(draft: Draft, source_text: str, problems: list[Problem]) -> dict:
    """What is kept with the case beside its tables: the text as given and the import report."""
    return {"original_text": source_text, "report": import_report(draft, [], problems, "pasted or uploaded table")}


# Session key of a draft handed to the Import page (by Upload, for a file that needs fixing).
HANDED_DRAFT = "review_handed_draft"


def draft_from_upload(files: dict[str, bytes]) -> Draft | None:
    """A single uploaded case file (labs .csv, .xlsx, .zip) as a review draft; None when it is not a wide table."""
    from dashboard.ingest.published_table import draft_from_table
    from dashboard.ingest.published_table.documents import read_case_file

    if len(files) != 1:
        return None
    name, data = next(iter(files.items()))
    tables, meta = read_case_file(data, name)
    if not tables:
        return None
    draft = draft_from_table(tables[0])
    stated = meta.get("timepoints") if isinstance(meta.get("timepoints"), dict) else {}
    for label, day in stated.items():
        if label in draft.days and isinstance(day, (int, float)) and not isinstance(day, bool):
            draft.days[label] = float(day)
    draft.title = str(meta.get("title") or name)
    draft.source = str(meta.get("source") or "")
    return draft


def case_id_for(title: str) -> str:
    """A case id from a title: letters, digits and dashes, at most 48 characters."""
    import re

    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()[:48].strip("-")
    return slug or "imported-table"
