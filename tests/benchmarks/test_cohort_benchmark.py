"""benchmarks/cohort.py runs end to end at a tiny size and ends with its ratio line (not timed here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cohort_benchmark_prints_store_load_compute_and_the_ratio_last():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "cohort.py"), "--cases", "12", "--runs", "1",
                           "--no-browser"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert "saved 12 cases" in done.stdout and "baseline: store load of 12 cases" in done.stdout
    assert re.fullmatch(r"cohort_page_vs_store_load: \d+\.\d", lines[-1])
