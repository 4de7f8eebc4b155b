"""The benchmark scripts run end to end at tiny sizes and print their figures (not timed here)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NUMBER = r"[\d,]+(?:\.\d+)?"


def run_script(name: str, *args: str, timeout: int = 300) -> list[str]:
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / name), *args], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()


def test_scoring_benchmark_prints_rates_identity_and_speedup_last():
    lines = run_script("scoring.py", "--sizes", "200", "400", "--loop-sample", "150")
    text = "\n".join(lines)
    assert re.search(r"N = 400 timepoints \(100 synthetic cases x 4\)", text)
    assert len(re.findall(rf"engine score_matrix .* {NUMBER} timepoints/s  peak {NUMBER} MB", text)) == 2
    assert len(re.findall(r"engine timepoint_matrix", text)) == 2  # tidy -> matrix timed at small sizes
    assert "timed on a sample of 150 and scaled" in text  # 400 > 150: the loop was sampled, and says so
    assert re.search(r"identical results: 150 timepoints x [1-9]\d+ score columns", text)
    assert re.fullmatch(r"speedup_400: \d+\.\d", lines[-1])


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scoring_last_line_is_the_1m_speedup_when_1m_runs(monkeypatch, capsys):
    scoring = load_script("scoring")
    sizes: list[int] = []
    speedups = {1_000: 3.0, 100_000: 40.0, 1_000_000: 123.456}
    monkeypatch.setattr(scoring, "run_size", lambda n, *rest: sizes.append(n) or speedups[n])
    assert scoring.main([]) == 0
    assert sizes == [1_000, 100_000, 1_000_000]  # the default run
    assert capsys.readouterr().out.splitlines()[-1] == "speedup_1M: 123.5"


def test_ingest_benchmark_prints_parse_and_store_rates_against_baselines():
    lines = run_script("ingest.py", "--cases", "4", "--repeats", "1")
    text = "\n".join(lines)
    for label in ("parse  baseline read_csv+toml", "parse  load_case", "store  save",
                  "store  baseline read_parquet", "store  load"):
        assert re.search(rf"{re.escape(label)} +{NUMBER} s +{NUMBER} cases/s", text), label
    assert "4 case folders" in text
    assert re.fullmatch(rf"ingest_cases_per_s: {NUMBER}", lines[-1])


@pytest.mark.browser
def test_app_benchmark_times_upload_to_case_view_in_chromium():
    assert shutil.which("chromium"), "Debian's chromium is needed (make test installs it)"
    lines = run_script("app.py", "--runs", "1", timeout=400)
    text = "\n".join(lines)
    assert re.search(rf"baseline: bare page, 3 Plotly figures +median +{NUMBER} s", text)
    assert re.search(rf"warm case view \(seed\) +median +{NUMBER} s", text)
    assert re.search(rf"upload -> drawn case view \(warm\) +median +{NUMBER} s", text)
    assert re.fullmatch(rf"case_view_vs_bare: {NUMBER}", lines[-2])
    assert re.fullmatch(rf"upload_to_view_s: {NUMBER}", lines[-1])


def test_scale_benchmark_runs_dask_worker_processes_and_matches_pandas():
    lines = run_script("scale.py", "--cases", "60", "--cases-per-file", "20")
    text = "\n".join(lines)
    assert "60 synthetic cases x 4 timepoints, 20 cases per file, 2 Dask worker processes" in text
    assert re.search(rf"pandas engine \(read \+ score\) +{NUMBER} s +{NUMBER} timepoints/s", text)
    assert re.search(rf"dask engine \(read \+ score\) +{NUMBER} s +{NUMBER} timepoints/s", text)
    assert "identical results: 240 timepoints" in text
    assert re.fullmatch(rf"dask_timepoints_per_s: {NUMBER}", lines[-1])


CUTS: dict[str, tuple[float, ...]] = {
    "temperature_c": (38.0, 38.4, 38.5, 39.4), "hemoglobin_g_per_l": (90.0, 92.0),
    "wbc_1e9_per_l": (4.0, 5.0), "platelets_1e9_per_l": (100.0, 110.0, 150.0, 181.0),
    "neutrophils_1e9_per_l": (1.0,), "ferritin_ng_per_ml": (500.0, 684.0, 2000.0, 6000.0),
    "triglycerides_mmol_per_l": (1.5, 3.0, 4.0, 156 / 88.57, 178 / 88.57),
    "fibrinogen_g_per_l": (1.5, 2.5, 3.6), "ast_u_per_l": (30.0, 40.0, 48.0), "ldh_u_per_l": (567.0,),
    "esr_mm_per_h": (0.0, 20.0), "scd25_u_per_ml": (2400.0,), "hepatomegaly_cm": (0.0, 3.0),
    "splenomegaly_cm": (0.0, 3.0),
    # values as written in a unit whose cut-off the source prints
    "triglycerides_mg_per_dl": (132.85, 156.0, 178.0, 265.0, 354.28), "fibrinogen_mg_per_dl": (150.0, 360.0),
    "hemoglobin_g_per_dl": (9.0, 9.2),
}


def test_calculator_agrees_with_the_engine_at_and_beside_every_cut_off():
    """The benchmark's loop doubles as an independent implementation: on values sitting exactly on each
    cut-off (or 1e-6 either side, or unknown), exact or censored (<, <=, >, >=), in canonical or printed
    units, it must give the engine's result in every score column."""
    import numpy as np
    import pandas as pd

    from dashboard.domain.matrix import FINDING_INPUTS, MEASURE_INPUTS, PRINTED, measure_columns
    from dashboard.domain.measure import Measure
    from dashboard.domain.scores import score_matrix

    scoring, calculator = load_script("scoring"), load_script("calculator")
    rng = np.random.default_rng(0)
    n = 4000
    columns = {}
    for name in (*MEASURE_INPUTS, *(printed for *_, printed in PRINTED)):
        cuts = np.array(CUTS[name])[rng.integers(0, len(CUTS[name]), n)]
        values = cuts + rng.choice([-1e-6, 0.0, 1e-6], n)
        unknown = rng.random(n) < (0.2 if name in MEASURE_INPUTS else 0.8)
        qualifier = rng.choice(np.array([None, None, None, "<", "<=", ">", ">="], dtype=object), n)
        columns.update(measure_columns(name, Measure.from_qualified(np.where(unknown, np.nan, values), qualifier)))
    for name in FINDING_INPUTS:  # present / absent / unknown
        columns[name] = np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 2, n).astype(float))
    index = pd.MultiIndex.from_arrays([pd.array([f"c{i}" for i in range(n)], dtype="string"),
                                       pd.array(["t"] * n, dtype="string")], names=["case_id", "timepoint"])
    matrix = pd.DataFrame(columns, index=index)
    matrix.insert(0, "day", 0.0)
    matrix.insert(0, "tp_order", pd.array([0] * n, dtype="Int32"))
    engine = score_matrix(matrix)
    loop = [calculator.score_row(row) for row in scoring.matrix_rows(matrix)]
    assert scoring.assert_identical(engine, loop) == len(engine.columns) - 2  # all but tp_order, day
    assert engine["hscore.points"].nunique() > 50  # the draw reached many different totals
    assert (engine["hscore.min"] < engine["hscore.max"]).mean() > 0.5  # and many censored/unknown ranges
