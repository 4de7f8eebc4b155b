"""`casetrack import PATH...`: validate and store many cases in the case store in one go.

Each PATH is a case (folder, .zip, .xlsx, labs CSV), a file of many cases (a long table with a case
column) or a folder of cases. A case with errors is reported and skipped; the others are stored (an
existing case keeps its previous version; an unchanged case is not stored again). Every warning and
error goes to stderr as `case <id>: <check's line>`, with the progress, so stdout stays a clean summary;
the exit code is 1 if any case failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from dashboard.ingest.store import CaseStore

BAR_WIDTH = 30


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("import", help="store many cases (or folders of cases) in the case store",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", metavar="PATH", help="case or folder of cases")
    parser.add_argument("--store", help="case store folder (default: $CASETRACK_STORE, else data/store in a "
                        "checkout or the user data folder of an install)")
    parser.set_defaults(run=run)


def progress_line(done: int, total: int, elapsed_s: float, failed: int) -> str:
    """`[#########.....]  12/40  30%  8.1 cases/s  1 failed` — plain text, one line."""
    filled = BAR_WIDTH * done // total if total else BAR_WIDTH
    rate = done / elapsed_s if elapsed_s > 0 else 0.0
    percent = 100 * done // total if total else 100
    tail = f"  {failed} failed" if failed else ""
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:>{len(str(total))}}/{total} {percent:3d}%  " \
           f"{rate:.1f} cases/s{tail}"


def import_cases(paths: list[Path], store: CaseStore, stream: TextIO | None = None,
                 ) -> tuple[list[str], list[str], list[str]]:
    """Read every case of each path and save the good ones; returns (stored ids, unchanged ids, failures).

    Problems and progress are written to `stream` (default stderr): progress redrawn in place on a
    terminal, one line per step (at most ~100) otherwise, so logs stay readable.
    """
    stream = sys.stderr if stream is None else stream
    from dashboard.commands.check import print_problems
    from dashboard.ingest.bundle import read_cases

    stored: list[str] = []
    unchanged: list[str] = []
    failures: list[str] = []
    interactive = stream.isatty()
    start = time.perf_counter()
    step = max(1, len(paths) // 100)
    for i, path in enumerate(paths, start=1):
        outcomes = read_cases(path)
        if interactive and any(o.problems for o in outcomes):
            stream.write("\n")  # off the progress line
        print_problems(outcomes, stream)
        for outcome in outcomes:
            if not outcome.ok:
                failures.append(f"{path}: case {outcome.case_id} has errors (listed above)")
                continue
            try:
                if store.unchanged(outcome.case):
                    unchanged.append(outcome.case_id)
                else:
                    store.save(outcome.case)
                    stored.append(outcome.case_id)
            except (OSError, ValueError) as exc:
                failures.append(f"{path}: case {outcome.case_id}: {exc}")
        if interactive or i % step == 0 or i == len(paths):
            line = progress_line(i, len(paths), time.perf_counter() - start, len(failures))
            stream.write(("\r" if interactive else "") + line + ("" if interactive else "\n"))
            stream.flush()
    if interactive:
        stream.write("\n")
    return stored, unchanged, failures


def run(args: argparse.Namespace) -> int:
    from dashboard.ingest.bundle import case_sources
    from dashboard.ingest.store import CaseStore

    paths = case_sources(args.paths)
    if not paths:
        print("casetrack import: no cases found in " + " ".join(args.paths), file=sys.stderr)
        return 1
    store = CaseStore(args.store) if args.store else CaseStore()
    stored, unchanged, failures = import_cases(paths, store)
    for message in failures:
        print(f"failed: {message}", file=sys.stderr)
    same = f"; {len(unchanged)} unchanged (already stored, not saved again)" if unchanged else ""
    print(f"imported {len(stored)} case(s) into {store.root}{same}; {len(failures)} failed")
    return 1 if failures else 0
