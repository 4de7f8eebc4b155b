"""`casetrack from-table INPUT --out DIR [--table N] [--page N]`: a published lab table -> a case folder.

INPUT is text copied from a web page or PDF (`.txt`, or `-` for stdin), a PDF, or a saved HTML page.
DIR gets labs.csv, case.toml (the caption as title, days where the timepoint names state them),
original.txt (the input text) and import-report.txt (every decision). Cells that cannot be read with
certainty are left empty and listed. Exit 0 when a case was written, 1 when no table was found.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("from-table", help="a published lab table (text, PDF, HTML) -> a case folder",
                                   description=__doc__)
    parser.add_argument("input", help="a .txt, .pdf or .html file, or - for text on stdin")
    parser.add_argument("--out", required=True, type=Path, help="the case folder to write (new or empty)")
    parser.add_argument("--table", type=int, default=None, help="which table (1, 2, ...) when there are several")
    parser.add_argument("--page", type=int, default=None, help="PDF only: read this page (1, 2, ...)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dashboard.ingest.bundle import check_case
    from dashboard.ingest.published_table import (
        clear_problem_cells,
        draft_from_table,
        import_report,
        read_tables,
    )

    if args.input == "-":
        data, name = sys.stdin.buffer.read(), "stdin.txt"
    else:
        path = Path(args.input)
        if not path.is_file():
            print(f"error: {args.input}: no such file", file=sys.stderr)
            return 2
        data, name = path.read_bytes(), path.name
    out: Path = args.out
    if out.exists() and any(out.iterdir()):
        print(f"error: {out} exists and is not empty: choose a new folder (nothing is overwritten)", file=sys.stderr)
        return 2
    tables = read_tables(data, name, args.page)
    if not tables:
        print(f"error: {name}: no table found (expected a header row with as many cells as the rows of values, "
              "e.g. 'Parameter<tab>Day 1<tab>Day 5<tab>Reference', then rows of values)", file=sys.stderr)
        return 1
    if args.table is not None and not 1 <= args.table <= len(tables):
        print(f"error: --table {args.table}: the input has {len(tables)} table(s)", file=sys.stderr)
        return 2
    chosen = tables[(args.table or 1) - 1]
    draft = draft_from_table(chosen)
    if len(tables) > 1:
        draft.notes.append(f"the input holds {len(tables)} tables ("
                           + "; ".join(t.caption or f"table {i}" for i, t in enumerate(tables, 1))
                           + f"): table {args.table or 1} was read (choose with --table N)")
    cleared = clear_problem_cells(draft)
    out.mkdir(parents=True, exist_ok=True)
    from dashboard.ingest.published_table import case_files

    for file_name, content in case_files(draft).items():
        (out / file_name).write_bytes(content)
    source_text = chosen.source if chosen.source and not name.endswith(".pdf") else data.decode("utf-8", "replace")
    if not name.casefold().endswith(".pdf"):
        (out / "original.txt").write_text(source_text, encoding="utf-8")
    checked = check_case(out)
    report = import_report(draft, cleared, checked, f"{args.input} ({name})")
    (out / "import-report.txt").write_text(report, encoding="utf-8")
    left_empty = len(chosen.problems) + len(cleared)
    print(f"wrote {out}: {len(draft.grid)} rows x {len(draft.timepoints)} timepoints; {len(chosen.repairs)} "
          f"repair(s), {left_empty} cell(s)/row(s) left empty; see {out / 'import-report.txt'}")
    errors = [p for p in checked if p.is_error]
    for problem in errors:
        print(problem, file=sys.stderr)
    return 1 if errors else 0
