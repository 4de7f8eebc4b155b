"""Registry scale: a parquet observations dataset scored by the pandas engine and by Dask, same run.

    .venv/bin/python benchmarks/scale.py                    # 50 000 synthetic cases (200 000 timepoints)
    .venv/bin/python benchmarks/scale.py --cases 2000 --workers 2

Writes a synthetic cohort as a dataset partitioned by case (`dashboard.scale.write_dataset`), then
scores it (1) with the pandas engine, whole dataset in memory (`read_observations` + `score_partition`),
and (2) with `score_dataset` on a `distributed.LocalCluster` of worker processes, and checks the two
score tables are equal. On one 2-core machine Dask cannot beat pandas by much; what it buys is that the
same code runs unchanged on a cluster for datasets larger than one machine's memory.
The last line is `dask_timepoints_per_s: <rate>`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.scale import read_observations, score_dataset, score_partition, write_dataset
from dashboard.synth import synthetic_observations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--cases-per-file", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    from distributed import Client, LocalCluster

    print(f"casetrack scale benchmark: {args.cases:,} synthetic cases x 4 timepoints, "
          f"{args.cases_per_file:,} cases per file, {args.workers} Dask worker processes")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="casetrack-scale-") as tmp:
        start = time.perf_counter()
        observations = synthetic_observations(args.cases, seed=0)
        dataset = write_dataset(observations, Path(tmp) / "observations", cases_per_file=args.cases_per_file)
        n_files = len(list(dataset.glob("*.parquet")))
        print(f"  dataset: {len(observations):,} observations in {n_files} files "
              f"({time.perf_counter() - start:.1f} s to generate and write)")
        del observations

        start = time.perf_counter()
        expected = score_partition(read_observations(dataset))
        pandas_s = time.perf_counter() - start
        n = len(expected)
        print(f"  pandas engine (read + score) {pandas_s:8.2f} s  {n / pandas_s:10,.0f} timepoints/s")

        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
        with cluster, Client(cluster) as client:
            client.run(lambda: None)  # workers are up before the clock starts
            start = time.perf_counter()
            out = score_dataset(dataset, Path(tmp) / "scores", client=client, files_per_partition=1)
            dask_s = time.perf_counter() - start
        got = pd.read_parquet(out).sort_values(["case_id", "tp_order"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected.sort_values(["case_id", "tp_order"]).reset_index(drop=True))
        print(f"  dask engine (read + score)   {dask_s:8.2f} s  {n / dask_s:10,.0f} timepoints/s  "
              f"({pandas_s / dask_s:.2f}x pandas)")
        print(f"  identical results: {n:,} timepoints")
    print(f"dask_timepoints_per_s: {n / dask_s:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
