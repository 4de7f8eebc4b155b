"""`casetrack score PATH... [--json] [--out FILE] [--engine pandas|dask]`.

Without --out: a readable table, or with --json the JSON contract (one case: the case object; more:
`{"cases": [...]}`). --out writes one tidy scores table (one row per case and timepoint) as .parquet or
.csv. PATH may be a case, a file of many cases or a folder of cases. Every warning and error goes to
stderr (`case <id>: <check's line>`); cases with errors are named and skipped, the others are scored, and
the exit code is 1 when any case failed. `--engine dask` scores a dataset larger than memory with
`dashboard.scale`: a parquet observations dataset, or a long CSV of many cases.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("score", help="clinical scores at every timepoint", description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="case(s) or a folder of cases")
    parser.add_argument("--json", action="store_true", help="print the JSON contract")
    parser.add_argument("--values", action="store_true", help="with --json: each timepoint's values as read")
    parser.add_argument("--out", type=Path, help="write one tidy scores table (.parquet or .csv)")
    parser.add_argument("--engine", choices=("pandas", "dask"), default="pandas")
    parser.set_defaults(run=run)


def summary_table(scores: pd.DataFrame) -> pd.DataFrame:
    """One readable line per timepoint: HScore with its range and the probability range of that range (as
    the app words it), then each score's verdict."""
    from dashboard.domain.headlines import probability_range

    def text(value: object) -> str:
        return "?" if value is pd.NA or value is None or pd.isna(value) else str(value)

    rows = []
    for (case_id, label), row in scores.iterrows():
        rows.append(
            {
                "case": case_id,
                "timepoint": label,
                "day": "?" if pd.isna(day := row["day"]) else f"{day:g}",
                "HScore": f"{text(row['hscore.points'])} [{row['hscore.min']}–{row['hscore.max']}]",
                "p(HLH)": probability_range(row),
                "HLH-2004": f"{row['hlh2004.met']}/8 (+{row['hlh2004.unknown']}?) "
                f"{text(row['hlh2004.fulfilled'])}",
                "MAS 2016": text(row["mas2016.classified"]),
                "Parodi 2009": f"{row['parodi2009.clinical']}c+{row['parodi2009.laboratory']}l "
                f"{text(row['parodi2009.fulfilled'])}",
                "ferritin/ESR": "?" if pd.isna(r := row["ferritin_esr_ratio.value"]) else f"{r:.1f}",
                "MS score": _ms_text(row),
            }
        )
    return pd.DataFrame(rows)


def _ms_text(row: pd.Series) -> str:
    if pd.isna(row["ms_score.min"]):
        return "?"
    if not pd.isna(row["ms_score.value"]):
        return f"{row['ms_score.value']:.2f}"
    return f"{row['ms_score.min']:.2f}..{row['ms_score.max']:.2f}"


def write_table(table: pd.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        table.to_csv(out, index=False)
    else:
        table.to_parquet(out, index=False)


def _run_dask(args: argparse.Namespace) -> int:
    if args.out is None or len(args.paths) != 1:
        print("casetrack score --engine dask needs one dataset PATH (parquet folder or long CSV) and --out",
              file=sys.stderr)
        return 2
    from dashboard.scale import CSV_SUFFIXES, PROBLEMS, score_dataset

    out = score_dataset(args.paths[0], args.out)
    print(f"wrote {args.out}")
    if args.paths[0].suffix.casefold() not in CSV_SUFFIXES:
        return 0
    found = pd.read_parquet(out, columns=["case_id", "tp_order", PROBLEMS]).drop_duplicates("case_id")
    for case_id, text in found.dropna(subset=[PROBLEMS])[["case_id", PROBLEMS]].itertuples(index=False):
        print("\n".join(f"case {case_id}: {line}" for line in text.splitlines()), file=sys.stderr)
    return _report_failed(sorted(found.loc[found["tp_order"].isna(), "case_id"]))


def _report_failed(failed: list[str]) -> int:
    """Name the cases that were not scored; the exit code (1 when any)."""
    if failed:
        print(f"not scored, {len(failed)} case(s) with errors: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def run(args: argparse.Namespace) -> int:
    if args.engine == "dask":
        return _run_dask(args)
    from dashboard.commands.check import read_and_report
    from dashboard.domain.score_json import case_score_json
    from dashboard.domain.scores import score_observations

    outcomes = read_and_report(args.paths)
    if outcomes is None:
        return 1
    cases = [o.case for o in outcomes if o.ok]
    code = _report_failed([o.case_id for o in outcomes if not o.ok])
    if not cases:
        return code
    if args.json:  # more than one case named: {"cases": [...]}, even when only one of them could be read
        objects = [case_score_json(case, values=args.values) for case in cases]
        doc = objects[0] if len(outcomes) == 1 else {"cases": objects}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        scores = pd.concat([score_observations(case.observations) for case in cases])
        if args.out is not None:
            write_table(scores.reset_index(), args.out)
            print(f"wrote {len(scores)} timepoints of {len(cases)} case(s) to {args.out}")
        else:
            print(summary_table(scores).to_string(index=False))
    return code
