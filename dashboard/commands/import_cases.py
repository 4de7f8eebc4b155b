"""`casetrack import PATH...`: validate and store many cases in the case store in one go.

Each PATH is a case (folder, .zip, .xlsx, labs CSV) or a folder of cases (its sub-folders, zips,
workbooks and CSVs). A case with errors is reported and skipped; the others are stored (an existing
case keeps its previous version). Progress goes to stderr as plain text, so stdout stays a clean
summary; the exit code is 1 if any case failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from dashboard.ingest.store import CaseStore

CASE_SUFFIXES = (".zip", ".xlsx", ".csv")
BAR_WIDTH = 30


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("import", help="store many cases (or folders of cases) in the case store",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", metavar="PATH", help="case or folder of cases")
    parser.add_argument("--store", help="case store folder (default: CASETRACK_STORE or data/store)")
    parser.set_defaults(run=run)


def is_case(path: Path) -> bool:
    """A folder holding labs.csv, or a case file."""
    if path.is_dir():
        return (path / "labs.csv").is_file()
    return path.is_file() and path.suffix.lower() in CASE_SUFFIXES


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Cases named directly, plus the cases inside folders that are not cases themselves, sorted."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if is_case(path) or not path.is_dir():
            found.append(path)  # a missing path is kept so it is reported, not silently dropped
            continue
        found.extend(sorted(p for p in path.iterdir() if not p.name.startswith(".") and is_case(p)))
    return found


def progress_line(done: int, total: int, elapsed_s: float, failed: int) -> str:
    """`[#########.....]  12/40  30%  8.1 cases/s  1 failed` — plain text, one line."""
    filled = BAR_WIDTH * done // total if total else BAR_WIDTH
    rate = done / elapsed_s if elapsed_s > 0 else 0.0
    percent = 100 * done // total if total else 100
    tail = f"  {failed} failed" if failed else ""
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:>{len(str(total))}}/{total} {percent:3d}%  " \
           f"{rate:.1f} cases/s{tail}"


def import_cases(paths: list[Path], store: CaseStore, stream: TextIO | None = None) -> tuple[list[str], list[str]]:
    """Load and save each case; returns (stored case ids, failure messages).

    Progress is drawn on `stream` (default stderr): redrawn in place on a terminal, one line per step
    (at most ~100) otherwise, so logs stay readable.
    """
    stream = sys.stderr if stream is None else stream
    from dashboard.ingest.bundle import load_case
    from dashboard.ingest.privacy import identifier_warnings, labs_columns_at
    from dashboard.ingest.problems import CaseError

    stored: list[str] = []
    failures: list[str] = []
    interactive = stream.isatty()
    start = time.perf_counter()
    step = max(1, len(paths) // 100)
    for i, path in enumerate(paths, start=1):
        try:
            case = load_case(path)
            store.save(case)
            stored.append(case.id)
        except (CaseError, OSError, ValueError) as exc:
            failures.append(f"{path}: {exc}")
        else:
            for problem in identifier_warnings(case.observations, case.meta, labs_columns_at(path), case.events):
                stream.write(("\n" if interactive else "") + f"{path}: {problem}\n")
        if interactive or i % step == 0 or i == len(paths):
            line = progress_line(i, len(paths), time.perf_counter() - start, len(failures))
            stream.write(("\r" if interactive else "") + line + ("" if interactive else "\n"))
            stream.flush()
    if interactive:
        stream.write("\n")
    return stored, failures


def run(args: argparse.Namespace) -> int:
    from dashboard.ingest.store import CaseStore

    paths = expand_paths(args.paths)
    if not paths:
        print("casetrack import: no cases found in " + " ".join(args.paths), file=sys.stderr)
        return 1
    store = CaseStore(args.store) if args.store else CaseStore()
    stored, failures = import_cases(paths, store)
    for message in failures:
        print(f"failed: {message}", file=sys.stderr)
    print(f"imported {len(stored)} case(s) into {store.root}; {len(failures)} failed")
    return 1 if failures else 0
