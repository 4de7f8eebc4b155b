"""From a published table (copied text, a saved web page, a PDF) to a case: read, review, write.

`read_tables(data, name)` finds the tables; `draft_from_table` makes the review grid; `import_report`
lists every decision. The case itself is always written in the documented format and checked by the
same loader as any uploaded case (see docs/importing.md).
"""

from __future__ import annotations

from pathlib import PurePath

from dashboard.ingest.grid import decode
from dashboard.ingest.problems import Problem
from dashboard.ingest.published_table.case import Draft, case_files, clear_problem_cells, draft_from_table
from dashboard.ingest.published_table.documents import read_case_file, read_html, read_pdf
from dashboard.ingest.published_table.model import PublishedTable
from dashboard.ingest.published_table.text import read_text

INPUT_SUFFIXES = (".txt", ".text", ".tsv", ".pdf", ".html", ".htm", ".csv", ".xlsx", ".zip")
CASE_FILE_SUFFIXES = (".csv", ".xlsx", ".zip")


def read_tables(data: bytes, name: str, page: int | None = None) -> list[PublishedTable]:
    """The tables of an input, by its kind: PDF (all pages, or `page`), HTML, else text."""
    suffix = PurePath(name).suffix.casefold()
    if suffix in CASE_FILE_SUFFIXES:
        return read_case_file(data, name)[0]
    if suffix == ".pdf" or data[:5] == b"%PDF-":
        return read_pdf(data, name, page)
    if suffix in (".html", ".htm") or data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return read_html(data, name)
    text, _ = decode(data, name)
    return read_text(text or "", name)


def import_report(draft: Draft, cleared: list[Problem], checked: list[Problem], source: str) -> str:
    """Every decision of an import, for import-report.txt and the app's problem list."""
    table = draft.table
    lines = ["casetrack import report", f"input: {source}"]
    if table is not None:
        lines += [f"layout: {table.layout}", f"caption (title): {table.caption or '(none)'}"]
    days = ", ".join(f"{tp} = day {draft.days[tp]:g}" if draft.days.get(tp) is not None else f"{tp} = day ?"
                     for tp in draft.timepoints)
    lines += [f"timepoints: {days}", f"rows: {len(draft.grid)}", ""]
    if not any(draft.days.get(tp) is not None for tp in draft.timepoints):
        lines += [("This case has no days: its timepoints keep the table's order. Add days in case.toml "
                  "[timepoints] (or in the app) to place them on the day axis."), ""]
    sections = [
        ("Decisions", (table.notes if table else []) + draft.notes),
        ("Repairs (line, column: as printed -> as read: why)", [str(r) for r in table.repairs] if table else []),
        ("Left empty (text as printed, line, column: why)",
         [str(p) for p in (table.problems if table else [])] + [str(p) for p in cleared]),
        ("Check of the written case", [str(p) for p in checked]),
    ]
    for title, items in sections:
        lines.append(f"{title}: {len(items)}")
        lines += [f"- {item}" for item in items]
        lines.append("")
    return "\n".join(lines)


__all__ = ["INPUT_SUFFIXES", "Draft", "PublishedTable", "case_files", "clear_problem_cells", "draft_from_table",
           "import_report", "read_tables"]
