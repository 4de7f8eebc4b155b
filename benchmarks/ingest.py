"""Ingest throughput: parsing wide CSV case folders and the parquet case store, against plain pandas.

    .venv/bin/python benchmarks/ingest.py                 # 200 synthetic cases
    .venv/bin/python benchmarks/ingest.py --cases 50

A synthetic cohort (dashboard.synth, 4 timepoints per case, mixed units, missing cells) is written as
case folders (wide labs.csv, events.csv, case.toml). Then, in the same run:
  parse     `load_case` on every folder (validation, label and unit recognition, conversion)
            vs baseline: `pandas.read_csv` of the same labs.csv and events.csv + tomllib of case.toml
  save      `CaseStore.save` (staging folder, fsync, atomic rename)
  load      `CaseStore.load` of every case
            vs baseline: `pandas.read_parquet` of the same stored parquet files
  list      `CaseStore.list_cases`
The last line is `ingest_cases_per_s: <load_case cases/s>`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import tomllib
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import timed

from dashboard.ingest.bundle import load_case
from dashboard.ingest.store import CaseStore
from dashboard.synth import synthetic_events, synthetic_observations, write_case_folders


def rate(n: int, seconds: float) -> str:
    return f"{seconds:8.3f} s  {n / seconds:10,.1f} cases/s"


def baseline_parse(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame | None, dict]:
    labs = pd.read_csv(folder / "labs.csv")
    events = pd.read_csv(folder / "events.csv") if (folder / "events.csv").exists() else None
    with open(folder / "case.toml", "rb") as handle:
        meta = tomllib.load(handle)
    return labs, events, meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the read-only steps (median)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n = args.cases
    print(f"casetrack ingest benchmark: {n} synthetic cases x 4 timepoints (pandas {pd.__version__})")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="casetrack-bench-") as tmp:
        observations = synthetic_observations(n, seed=args.seed)
        folders = write_case_folders(observations, synthetic_events(n, seed=args.seed), Path(tmp) / "cases")
        print(f"  cohort: {len(observations):,} observations written as {len(folders)} case folders")

        base_s, _ = timed(lambda: [baseline_parse(f) for f in folders], args.repeats)
        parse_s, cases = timed(lambda: [load_case(f) for f in folders], args.repeats)
        print(f"  parse  baseline read_csv+toml {rate(n, base_s)}")
        print(f"  parse  load_case              {rate(n, parse_s)}  ({parse_s / base_s:.1f}x the baseline's time)")

        store = CaseStore(Path(tmp) / "store")
        save_s, _ = timed(lambda: [store.save(case) for case in cases])
        print(f"  store  save                   {rate(n, save_s)}")

        files = sorted((Path(tmp) / "store").glob("*/current/*.parquet"))
        base_load_s, _ = timed(lambda: [pd.read_parquet(f) for f in files], args.repeats)
        load_s, loaded = timed(lambda: [store.load(case.id) for case in cases], args.repeats)
        assert [c.id for c in loaded] == [c.id for c in cases]
        print(f"  store  baseline read_parquet  {rate(n, base_load_s)}  ({len(files)} files)")
        print(f"  store  load                   {rate(n, load_s)}  ({load_s / base_load_s:.1f}x the baseline's time)")
        list_s, listing = timed(store.list_cases, args.repeats)
        assert len(listing) == n
        print(f"  store  list_cases             {list_s:8.3f} s  for {len(listing)} cases")
    print(f"ingest_cases_per_s: {n / parse_s:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
