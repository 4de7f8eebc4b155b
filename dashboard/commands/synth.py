"""`casetrack synth N --out DIR [--parquet DATASET]`: generate a synthetic cohort of N cases.

For benchmarks, demos and scale tests: no real patient may ship with the project. `--out` writes one
case folder per case (wide labs.csv, events.csv, case.toml) that `casetrack import` and the app read
like any other case; `--parquet` writes the tidy observations as a dataset partitioned by case, the
input of `casetrack score --engine dask`.
"""

from __future__ import annotations

import argparse
import sys
import time


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("synth", help="generate a synthetic cohort (case folders and/or parquet)",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of cases")
    parser.add_argument("--out", help="folder to write one case folder per case into")
    parser.add_argument("--parquet", metavar="DATASET", help="folder to write a parquet observations dataset")
    parser.add_argument("--timepoints", type=int, default=4, help="timepoints per case (default 4)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same cohort)")
    parser.add_argument("--cases-per-file", type=int, default=1000,
                        help="cases per parquet file of the dataset (default 1000)")
    parser.add_argument("--hive", action="store_true", help="partition the dataset as case_id=<id> folders")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.n < 1:
        print("casetrack synth: N must be at least 1", file=sys.stderr)
        return 2
    if not args.out and not args.parquet:
        print("casetrack synth: give --out DIR and/or --parquet DATASET", file=sys.stderr)
        return 2
    from dashboard.synth import synthetic_events, synthetic_observations, write_case_folders

    start = time.perf_counter()
    observations = synthetic_observations(args.n, args.timepoints, seed=args.seed)
    if args.out:
        events = synthetic_events(args.n, args.timepoints, seed=args.seed)
        folders = write_case_folders(observations, events, args.out)
        print(f"wrote {len(folders)} case folders to {args.out}")
    if args.parquet:
        from dashboard.scale import write_dataset

        write_dataset(observations, args.parquet, cases_per_file=args.cases_per_file, hive=args.hive)
        print(f"wrote {len(observations):,} observations of {args.n} cases to {args.parquet}")
    print(f"done in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0
