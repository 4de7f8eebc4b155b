"""The Dask engine gives exactly the pandas engine's scores, on a real distributed.LocalCluster."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster

from dashboard import scale
from dashboard.domain.schema import OBSERVATION_COLUMNS
from dashboard.domain.scores import score_observations
from dashboard.scale import dataset_files, read_observations, score_dataset, score_partition, write_dataset
from dashboard.synth import synthetic_observations

KEYS = ["case_id", "tp_order", "analyte"]


@pytest.fixture(scope="module")
def observations() -> pd.DataFrame:
    return synthetic_observations(90, seed=11)


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0")
    with cluster, Client(cluster) as dask_client:
        yield dask_client


def pandas_engine(observations: pd.DataFrame) -> pd.DataFrame:
    return score_observations(observations).reset_index()


def read_scores(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path).sort_values(["case_id", "tp_order"]).reset_index(drop=True)


def sorted_obs(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(KEYS, kind="stable").reset_index(drop=True)


def test_files_hold_whole_cases(tmp_path, observations):
    root = write_dataset(observations.sample(frac=1, random_state=0), tmp_path / "ds", cases_per_file=7)
    files = sorted(root.glob("*.parquet"))
    assert len(files) == 13  # 90 cases, 7 per file
    seen: list[str] = []
    for f in files:
        ids = pq.read_table(f, columns=["case_id"])["case_id"].unique().to_pylist()
        assert len(ids) <= 7
        seen += ids
    assert sorted(seen) == sorted(observations["case_id"].unique())  # each case in exactly one file


def test_hive_layout_has_one_folder_per_case(tmp_path, observations):
    small = observations[observations["case_id"].isin(observations["case_id"].unique()[:4])]
    root = write_dataset(small, tmp_path / "hive", hive=True)
    folders = sorted(p.name for p in root.iterdir())
    assert folders == [f"case_id={c}" for c in sorted(small["case_id"].unique())]
    assert len(dataset_files(root)) == 4


@pytest.mark.parametrize("hive", [False, True], ids=["case-files", "hive"])
def test_dataset_round_trips_to_the_tidy_schema(tmp_path, observations, hive):
    small = observations[observations["case_id"].isin(observations["case_id"].unique()[:6])]
    root = write_dataset(small, tmp_path / "ds", cases_per_file=4, hive=hive)
    back = read_observations(root)
    assert tuple(back.columns) == OBSERVATION_COLUMNS
    pd.testing.assert_frame_equal(sorted_obs(back), sorted_obs(small))


def test_score_partition_is_the_pandas_engine_flattened(observations):
    pd.testing.assert_frame_equal(score_partition(observations), pandas_engine(observations))


def test_dask_on_local_cluster_equals_pandas_engine_exactly(tmp_path, observations, client):
    root = write_dataset(observations, tmp_path / "ds", cases_per_file=5)
    out = score_dataset(root, tmp_path / "scores", client=client, files_per_partition=2)
    assert len(list(out.glob("*.parquet"))) == 9  # 18 files, 2 per partition
    assert len(client.scheduler_info()["workers"]) == 2
    expected = pandas_engine(observations)
    got = read_scores(out)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert int(got["hscore.points"].max()) >= 169  # real MAS-like scores went through, not an empty frame


def test_dask_reads_a_hive_dataset_partitioned_on_case_id(tmp_path, observations, client):
    small = observations[observations["case_id"].isin(observations["case_id"].unique()[:8])]
    root = write_dataset(small, tmp_path / "hive", hive=True)
    out = score_dataset(root, tmp_path / "scores", client=client, files_per_partition=3)
    pd.testing.assert_frame_equal(read_scores(out), pandas_engine(small), check_exact=True)


def test_dask_without_a_client_uses_the_default_scheduler(tmp_path, observations):
    small = observations[observations["case_id"].isin(observations["case_id"].unique()[:10])]
    root = write_dataset(small, tmp_path / "ds", cases_per_file=3)
    out = score_dataset(root, tmp_path / "scores")
    pd.testing.assert_frame_equal(read_scores(out), pandas_engine(small), check_exact=True)


def test_missing_dask_gives_an_install_hint(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "dask.dataframe", None)
    with pytest.raises(ImportError, match=r"\.\[scale\]"):
        scale._dask_dataframe()


def test_empty_dataset_folder_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no parquet files"):
        dataset_files(tmp_path / "empty")


def test_rerun_replaces_earlier_parts_and_never_deletes_foreign_files(tmp_path, observations):
    root = write_dataset(observations, tmp_path / "ds", cases_per_file=10)
    out = score_dataset(root, tmp_path / "scores", files_per_partition=1)
    assert len(list(out.glob("*.parquet"))) == 9
    score_dataset(root, out, files_per_partition=5)  # fewer partitions: no stale part files may remain
    assert len(list(out.glob("*.parquet"))) == 2
    pd.testing.assert_frame_equal(read_scores(out), pandas_engine(observations), check_exact=True)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a scores dataset"):
        score_dataset(root, tmp_path / "mine")
    assert (tmp_path / "mine" / "thesis.docx").read_text(encoding="utf-8") == "precious"
