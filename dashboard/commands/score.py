"""`casetrack score PATH... [--json] [--out FILE] [--engine pandas|dask]`.

One case without --out prints a readable table (or, with --json, the issue-3 JSON contract). Several
cases, or a folder of cases, give one tidy scores table (one row per case and timepoint) written to
--out as .parquet or .csv. `--engine dask` scores a parquet dataset of observations with
`dashboard.scale.score_dataset`, for datasets larger than memory.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

CASE_SUFFIXES = (".zip", ".xlsx", ".csv")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("score", help="clinical scores at every timepoint", description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="case(s) or a folder of cases")
    parser.add_argument("--json", action="store_true", help="print the JSON contract")
    parser.add_argument("--values", action="store_true", help="with --json: each timepoint's values as read")
    parser.add_argument("--out", type=Path, help="write one tidy scores table (.parquet or .csv)")
    parser.add_argument("--engine", choices=("pandas", "dask"), default="pandas")
    parser.set_defaults(run=run)


def is_case(path: Path) -> bool:
    """A folder is one case when it holds a labs file or case.toml; files are cases by suffix."""
    if path.is_dir():
        return any(path.glob("labs.*")) or (path / "case.toml").exists()
    return path.suffix.lower() in CASE_SUFFIXES


def case_paths(paths: list[Path]) -> list[Path]:
    """Expand folders of cases into their cases, in name order."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir() and not is_case(path):
            out.extend(child for child in sorted(path.iterdir()) if is_case(child))
        else:
            out.append(path)
    return out


def summary_table(scores: pd.DataFrame) -> pd.DataFrame:
    """One readable line per timepoint: HScore with its range, then each score's verdict."""

    def text(value: object) -> str:
        return "?" if value is pd.NA or value is None or pd.isna(value) else str(value)

    rows = []
    for (case_id, label), row in scores.iterrows():
        prob = row["hscore.probability"]
        rows.append(
            {
                "case": case_id,
                "timepoint": label,
                "day": "?" if pd.isna(day := row["day"]) else f"{day:g}",
                "HScore": f"{text(row['hscore.points'])} [{row['hscore.min']}–{row['hscore.max']}]",
                "p(HLH)": "?" if pd.isna(prob) else f"{prob:.3f}",
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
        print("casetrack score --engine dask needs one observations dataset PATH and --out", file=sys.stderr)
        return 2
    from dashboard.scale import score_dataset

    score_dataset(args.paths[0], args.out)
    print(f"wrote {args.out}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.engine == "dask":
        return _run_dask(args)
    from dashboard.domain.score_json import case_score_json
    from dashboard.domain.scores import score_observations
    from dashboard.ingest.bundle import load_case
    from dashboard.ingest.problems import CaseError

    paths = case_paths(args.paths)
    if not paths:
        print("no cases found in " + ", ".join(map(str, args.paths)), file=sys.stderr)
        return 1
    try:
        cases = [load_case(path) for path in paths]
    except CaseError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1

    if args.json:
        objects = [case_score_json(case, values=args.values) for case in cases]
        print(json.dumps(objects[0] if len(objects) == 1 else objects, indent=2, ensure_ascii=False))
        return 0
    scores = pd.concat([score_observations(case.observations) for case in cases])
    if args.out is not None:
        write_table(scores.reset_index(), args.out)
        print(f"wrote {len(scores)} timepoints of {len(cases)} case(s) to {args.out}")
        return 0
    print(summary_table(scores).to_string(index=False))
    return 0
