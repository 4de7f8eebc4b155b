"""`casetrack export CASE --format fhir|phenopacket [--out FILE] [--day0 YYYY-MM-DD]`.

CASE is a case path (folder, .zip, .xlsx, labs CSV) or the id of a stored case. `fhir` writes a FHIR R4
collection Bundle, `phenopacket` a GA4GH Phenopacket v2, both as JSON (to stdout, or to --out). What
the format cannot hold is printed to stderr as `note:` lines. Dates are day 0 + each day: day 0 is
--day0, else the case's own first date (cases read from FHIR), else 1970-01-01 (said in a note).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

FORMATS = ("fhir", "phenopacket")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="write a case as FHIR R4 or a GA4GH Phenopacket",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", metavar="CASE", help="case path, or the id of a stored case")
    parser.add_argument("--format", choices=FORMATS, required=True)
    parser.add_argument("--out", type=Path, help="write to this file instead of stdout")
    parser.add_argument("--day0", type=date.fromisoformat, help="the calendar date of day 0 (YYYY-MM-DD)")
    parser.add_argument("--store", help="case store folder (default: CASETRACK_STORE or data/store)")
    parser.set_defaults(run=run)


def _load(case: str, store: str | None):
    """A case from a path when it exists, else from the case store."""
    from dashboard.ingest.bundle import load_case

    if Path(case).exists():
        return load_case(case)
    from dashboard.ingest.store import CaseStore

    return CaseStore(store).load(case)


def run(args: argparse.Namespace) -> int:
    from dashboard.ingest.problems import CaseError
    from dashboard.ingest.store import CaseNotFoundError

    try:
        case = _load(args.case, args.store)
    except CaseError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except (CaseNotFoundError, ValueError) as exc:
        print(f"error: no case '{args.case}': not a path, nor a stored case ({exc})", file=sys.stderr)
        return 1
    try:
        if args.format == "fhir":
            from dashboard.report.fhir_export import case_bundle

            document, notes = case_bundle(case, args.day0)
        else:
            from dashboard.report.phenopacket import case_phenopacket

            document, notes = case_phenopacket(case, args.day0)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.format} export of {case.id} to {args.out}", file=sys.stderr)
    return 0
