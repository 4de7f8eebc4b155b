"""`casetrack score --engine dask` on a long CSV of many cases: the same scores as the pandas engine."""

from __future__ import annotations

import csv
import random

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.domain.scores import score_observations
from dashboard.ingest.bundle import load_case, load_cases
from dashboard.scale import PROBLEMS, score_long_csv


@pytest.fixture(scope="module")
def cohort_csv(seed_path, tmp_path_factory):
    """The seed's labs as a long CSV, five times under five subject ids, rows shuffled; one bad subject."""
    seed = load_case(seed_path).observations
    seed = seed[seed["orig_text"].notna()]
    def text(value) -> str:
        return "" if pd.isna(value) else str(value)

    rows = [[f"S{n}", r.timepoint, f"{r.day:g}", r.label, r.orig_text, text(r.orig_unit), text(r.ref_text)]
            for n in range(1, 6) for r in seed.itertuples()]
    rows.append(["S9", "Admission", "0", "Ferritin", "lots", "ng/mL", ""])
    random.Random(3).shuffle(rows)
    path = tmp_path_factory.mktemp("cohort") / "cohort.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject", "timepoint", "day", "analyte", "value", "unit", "reference_range"])
        writer.writerows(rows)
    return path


def read_scores(out) -> pd.DataFrame:
    return pd.read_parquet(out).sort_values(["case_id", "tp_order"], na_position="last").reset_index(drop=True)


def test_dask_scores_of_a_long_csv_equal_the_pandas_engine(cohort_csv, tmp_path):
    out = score_long_csv(cohort_csv, tmp_path / "scores", block_bytes=4_000)  # many blocks: a real shuffle
    got = read_scores(out)
    good = got[got["case_id"] != "S9"].drop(columns=PROBLEMS).reset_index(drop=True)
    expected = pd.concat(score_observations(c.observations) for c in load_cases_good(cohort_csv)).reset_index()
    expected = expected.sort_values(["case_id", "tp_order"]).reset_index(drop=True)
    # the same values; ints and bools are nullable columns here, as a case with errors has no scores
    pd.testing.assert_frame_equal(good, expected.astype(good.dtypes.to_dict()), check_exact=True)
    assert good.loc[good["case_id"] == "S3", "hscore.points"].tolist() == [256, 220, 62, 62]
    bad = got[got["case_id"] == "S9"]
    assert len(bad) == 1 and bad["hscore.points"].isna().all()
    assert bad[PROBLEMS].item().startswith("error: cohort.csv:")
    assert "'lots'" in bad[PROBLEMS].item()


def load_cases_good(path):
    from dashboard.ingest.bundle import read_cases

    return [o.case for o in read_cases(path) if o.ok]


def test_the_command_reports_the_bad_case_and_exits_1(cohort_csv, tmp_path, capsys):
    assert main(["score", str(cohort_csv), "--engine", "dask", "--out", str(tmp_path / "scores")]) == 1
    printed = capsys.readouterr()
    assert "case S9: error: cohort.csv:" in printed.err and "'lots'" in printed.err
    assert "not scored, 1 case(s) with errors: S9" in printed.err
    assert f"wrote {tmp_path / 'scores'}" in printed.out


def test_the_pandas_engine_reads_the_same_file_as_many_cases(cohort_csv):
    with pytest.raises(ValueError, match="S9"):
        load_cases(cohort_csv)
    assert sorted(c.id for c in load_cases_good(cohort_csv)) == ["S1", "S2", "S3", "S4", "S5"]
