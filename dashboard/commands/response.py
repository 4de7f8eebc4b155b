"""`casetrack response PATH... [--json] [--anchor NAME_OR_CLASS] [--out FILE]`: treatment response, measured.

One case prints its response metrics (anchor, baseline, peak/nadir, last, % change, observed response
intervals, scores) as a table, or with --json as the JSON contract of docs/response.md. Several cases,
or a folder of cases, with --out give one row per case x analyte (.parquet or .csv), for cohorts.
A case that cannot be read is reported and skipped (exit status 1); the others are still written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("response", help="treatment response metrics per case", description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="case(s) or a folder of cases")
    parser.add_argument("--json", action="store_true", help="print the JSON contract (one case, or a list)")
    parser.add_argument("--anchor", metavar="NAME_OR_CLASS",
                        help="anchor on the first event of this class or drug (default: first MAS/HLH treatment)")
    parser.add_argument("--out", type=Path, help="write one row per case x analyte (.parquet or .csv)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dashboard.commands.check import read_and_report
    from dashboard.commands.score import write_table
    from dashboard.domain.response import AnchorNotFound, case_response_json, response_table
    from dashboard.domain.response_summary import metrics_text
    from dashboard.domain.scores import score_observations

    outcomes = read_and_report(args.paths)
    if outcomes is None:
        return 1
    cases = [o.case for o in outcomes if o.ok]
    failed = len(outcomes) - len(cases)
    if not cases:
        return 1

    if args.json:
        objects = []
        for case in cases:
            try:
                objects.append(case_response_json(case.id, case.observations, case.events,
                                                  score_observations(case.observations), args.anchor))
            except AnchorNotFound as error:
                print(f"{case.id}: {error}", file=sys.stderr)
                failed += 1
        if objects:
            print(json.dumps(objects[0] if len(objects) == 1 else objects, indent=2, ensure_ascii=False))
        return 1 if failed else 0

    observations = pd.concat([c.observations for c in cases], ignore_index=True)
    events = pd.concat([c.events for c in cases], ignore_index=True)
    table = response_table(observations, events, anchor=args.anchor, scores=score_observations(observations))
    unanchored = sorted(set(table.loc[table["anchor_name"].isna(), "case_id"]))
    if unanchored:
        wanted = repr(args.anchor) if args.anchor else "MAS/HLH treatment"
        print(f"no {wanted} event in {len(unanchored)} case(s) ({', '.join(unanchored[:5])}"
              f"{', …' if len(unanchored) > 5 else ''}): their days are counted from their own day 0",
              file=sys.stderr)
    if args.out is not None:
        write_table(table, args.out)
        print(f"wrote {len(table)} rows ({table['case_id'].nunique()} case(s) x analyte) to {args.out}")
    else:
        print(metrics_text(table).to_string(index=False))
    return 1 if failed else 0
