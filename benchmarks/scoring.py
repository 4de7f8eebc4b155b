"""Scoring throughput: the vectorised engine against a per-timepoint Python calculator, same run.

    .venv/bin/python benchmarks/scoring.py                 # 1 000, 100 000 and 1 000 000 timepoints
    .venv/bin/python benchmarks/scoring.py --sizes 1000 5000

For each size, a synthetic cohort (dashboard.synth; 4 timepoints per case) is scored by
`score_matrix` (all cases at once) and by `calculator.score_row` (one timepoint at a time, the way online
calculators work). The loop is timed on a sample of at most --loop-sample timepoints and its rate scaled,
which the output says. Both must give identical results on that sample, or the run fails. For sizes up to
--tidy-max the tidy -> matrix step (`timepoint_matrix`) is timed too. The last line is
`speedup_1M: <engine timepoints/s ÷ loop timepoints/s>` (at the largest size when 1 M is not run).
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from calculator import score_row
from timing import timed

from dashboard.domain.matrix import FINDING_INPUTS, MEASURE_INPUTS, PRINTED, bound_columns, timepoint_matrix
from dashboard.domain.scores import score_matrix
from dashboard.synth import synthetic_matrix, synthetic_observations

TIMEPOINTS_PER_CASE = 4
FLOAT_TOLERANCE = 1e-12


def peak_mb(fn) -> float:
    """Peak Python-visible allocation of one call (numpy and pandas buffers included), in MB."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def matrix_rows(matrix: pd.DataFrame) -> list[dict]:
    """The calculator's input: one dict per timepoint; a numeric input as its bounds
    (low, high, low_inclusive, high_inclusive) or None when unknown, a finding as 1/0/None."""
    measures = [*MEASURE_INPUTS, *(printed for *_, printed in PRINTED)]
    bounds = {name: [matrix[c].to_numpy(dtype=dtype, na_value=np.nan) if dtype == "float64"
                     else matrix[c].to_numpy(dtype=bool)
                     for c, dtype in zip(bound_columns(name), ("float64", "float64", "bool", "bool"))]
              for name in measures}
    findings = matrix[list(FINDING_INPUTS)].to_numpy(dtype="float64", na_value=np.nan)
    rows = []
    for i, finding_row in enumerate(findings.tolist()):
        row: dict = {k: (None if math.isnan(v) else v) for k, v in zip(FINDING_INPUTS, finding_row)}
        for name, (low, high, low_inc, high_inc) in bounds.items():
            known = not math.isnan(low[i])
            row[name] = (float(low[i]), float(high[i]), bool(low_inc[i]), bool(high_inc[i])) if known else None
        rows.append(row)
    return rows


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if a == b:  # also two equal infinite bounds
        return True
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) <= FLOAT_TOLERANCE * max(1.0, abs(float(a)))
    return a == b


def assert_identical(engine: pd.DataFrame, loop: list[dict]) -> int:
    """Every score column of every sampled timepoint equal; returns the number of columns compared."""
    columns = [c for c in engine.columns if c not in ("tp_order", "day")]
    for column in columns:
        expected = engine[column].astype(object).where(engine[column].notna(), None).tolist()
        got = [row[column] for row in loop]
        bad = [i for i, (e, g) in enumerate(zip(expected, got)) if not _same(e, g)]
        if bad:
            i = bad[0]
            raise AssertionError(
                f"{column}: engine {expected[i]!r} != loop {got[i]!r} at {engine.index[i]} "
                f"({len(bad)} of {len(got)} differ)"
            )
    return len(columns)


def run_size(n_timepoints: int, loop_sample: int, tidy_max: int, seed: int) -> float:
    n_cases = max(1, n_timepoints // TIMEPOINTS_PER_CASE)
    print(f"N = {n_timepoints:,} timepoints ({n_cases:,} synthetic cases x {TIMEPOINTS_PER_CASE})")
    matrix = synthetic_matrix(n_cases, TIMEPOINTS_PER_CASE, seed=seed)
    repeats = 3 if n_timepoints <= 100_000 else 2
    engine_s, engine = timed(lambda: score_matrix(matrix), repeats)
    engine_rate = len(matrix) / engine_s
    engine_peak = peak_mb(lambda: score_matrix(matrix))
    print(f"  engine score_matrix        {engine_s:9.3f} s  {engine_rate:14,.0f} timepoints/s  "
          f"peak {engine_peak:,.0f} MB (tracemalloc)")

    if n_timepoints <= tidy_max:
        tidy = synthetic_observations(n_cases, TIMEPOINTS_PER_CASE, seed=seed)
        tidy_s, tidy_matrix = timed(lambda: timepoint_matrix(tidy), repeats)
        pd.testing.assert_frame_equal(tidy_matrix, matrix)
        print(f"  engine timepoint_matrix    {tidy_s:9.3f} s  {len(matrix) / tidy_s:14,.0f} timepoints/s  "
              f"({len(tidy):,} tidy rows)")
        print(f"  engine tidy -> scores      {tidy_s + engine_s:9.3f} s  "
              f"{len(matrix) / (tidy_s + engine_s):14,.0f} timepoints/s")

    sample = min(len(matrix), loop_sample)
    pick = np.sort(np.random.default_rng(seed).choice(len(matrix), size=sample, replace=False))
    rows = matrix_rows(matrix.iloc[pick])
    loop_s, loop = timed(lambda: [score_row(row) for row in rows], 1)
    loop_rate = sample / loop_s
    loop_peak = peak_mb(lambda: [score_row(row) for row in rows])
    scaled = "" if sample == len(matrix) else f", timed on a sample of {sample:,} and scaled"
    print(f"  loop   per-timepoint Python {loop_s:8.3f} s  {loop_rate:14,.0f} timepoints/s  "
          f"peak {loop_peak:,.0f} MB (tracemalloc{scaled})")
    columns = assert_identical(engine.iloc[pick], loop)
    print(f"  identical results: {sample:,} timepoints x {columns} score columns")
    speedup = engine_rate / loop_rate
    print(f"  speedup engine / loop: {speedup:,.1f}x")
    return speedup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    parser.add_argument("--loop-sample", type=int, default=20_000)
    parser.add_argument("--tidy-max", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    print(f"casetrack scoring benchmark (python {sys.version.split()[0]}, pandas {pd.__version__}, "
          f"numpy {np.__version__})")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    speedups = {n: run_size(n, args.loop_sample, args.tidy_max, args.seed) for n in args.sizes}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {rss:,.0f} MB; total {time.perf_counter() - start:.1f} s")
    key = 1_000_000 if 1_000_000 in speedups else max(speedups)
    label = "1M" if key == 1_000_000 else f"{key}"
    print(f"speedup_{label}: {speedups[key]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
