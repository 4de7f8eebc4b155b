"""`casetrack check PATH`: validate a case (or a file of many cases) and print every problem.

Exit 1 when any case has errors, 0 on warnings only. A file of many cases names each case before its
problems, so the bad ones can be found and fixed.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from dashboard.ingest.bundle import Outcome, case_sources, read_cases
from dashboard.ingest.problems import errors


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check", help="validate a case folder, .zip, .xlsx or labs CSV",
                                   description=__doc__)
    parser.add_argument("path", help="case folder, .zip, .xlsx workbook or labs CSV (one or many cases)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    outcomes = read_cases(args.path)
    many = len(outcomes) > 1
    for outcome in outcomes:
        if many:
            verdict = "ok" if outcome.ok else "not readable"
            print(f"case {outcome.case_id}: {verdict}, {len(errors(outcome.problems))} error(s), "
                  f"{len(outcome.problems) - len(errors(outcome.problems))} warning(s)")
        for problem in outcome.problems:  # `severity: file:row:column 'value' — message (expected ...)`
            print(("  " if many else "") + str(problem), file=sys.stdout)
    n_errors = sum(len(errors(o.problems)) for o in outcomes)
    n_warnings = sum(len(o.problems) for o in outcomes) - n_errors
    cases = f"{len(outcomes)} cases ({sum(not o.ok for o in outcomes)} with errors), " if many else ""
    print(f"{args.path}: {cases}{n_errors} error(s), {n_warnings} warning(s)")
    return 1 if n_errors else 0


def print_problems(outcomes: list[Outcome], stream: TextIO | None = None) -> int:
    """Every problem of every case as `case <id>: <check's line>` (stderr by default); returns the errors.

    `casetrack score` and `casetrack import` use it, so nothing inferred or refused goes unsaid.
    """
    stream = sys.stderr if stream is None else stream
    for outcome in outcomes:
        for problem in outcome.problems:
            print(f"case {outcome.case_id}: {problem}", file=stream)
    return sum(len(errors(o.problems)) for o in outcomes)


def read_and_report(paths: list) -> list[Outcome] | None:
    """Every case under the paths, each problem printed (stderr); None, said, when there is no case at all.

    The one way `score`, `import` and `response` read what they are given, so they report alike.
    """
    sources = case_sources(paths)
    if not sources:
        print("no cases found in " + ", ".join(map(str, paths)), file=sys.stderr)
        return None
    outcomes = [outcome for source in sources for outcome in read_cases(source)]
    print_problems(outcomes)
    return outcomes
