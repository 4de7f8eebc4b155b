"""`casetrack check PATH`: validate a case and print every problem; exit 1 on errors, 0 on warnings only."""

from __future__ import annotations

import argparse
import sys

from dashboard.ingest.bundle import check_case, load_case
from dashboard.ingest.privacy import identifier_warnings, labs_columns_at


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check", help="validate a case folder, .zip, .xlsx or labs CSV",
                                   description=__doc__)
    parser.add_argument("path", help="case folder, .zip, .xlsx workbook or single labs CSV")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    problems = check_case(args.path)
    if not any(p.is_error for p in problems):  # a readable case: also look for direct identifiers
        case = load_case(args.path)
        problems += identifier_warnings(case.observations, case.meta, labs_columns_at(args.path), case.events)
    for problem in problems:  # `severity: file:row:column 'value' — message (expected ...)`
        print(problem, file=sys.stdout)
    n_errors = sum(p.is_error for p in problems)
    n_warnings = len(problems) - n_errors
    print(f"{args.path}: {n_errors} error(s), {n_warnings} warning(s)")
    return 1 if n_errors else 0
