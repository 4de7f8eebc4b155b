"""Registry-scale scoring on Dask: the same vectorised pandas functions, one partition of cases at a time.

A registry or hospital extract can outgrow one machine's memory. Rather than a home-made scheduler,
`score_dataset` hands partitions of a parquet observations dataset to Dask (`dask.dataframe.from_map`
+ `map_partitions`) and applies exactly `timepoint_matrix` + `score_matrix` to each, so the Dask engine
cannot drift from the pandas one: a test checks they agree on a `distributed.LocalCluster`.

Dataset layout (what `casetrack synth --parquet` writes): a folder of parquet files in the tidy
observation schema, **partitioned by case** — either hive folders `case_id=<id>/...parquet`, or plain
files each holding whole cases. A case must never span two files (or two hive folders), because each
partition is scored on its own. Dask is optional (`pip install .[scale]`) and imported only here, lazily.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from dashboard.domain.schema import OBSERVATION_SCHEMA
from dashboard.domain.scores import score_observations

FILES_PER_PARTITION = 16  # hive folders or case files read into one Dask partition (bounds its memory)
_HIVE = ds.partitioning(pa.schema([("case_id", pa.string())]), flavor="hive")


def _dask_dataframe() -> Any:
    """dask.dataframe, or an ImportError that says how to install the optional extra."""
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - exercised only without the extra installed
        raise ImportError(
            "the Dask engine needs the optional 'scale' extra: pip install '.[scale]' "
            "(dask[dataframe] and distributed)"
        ) from exc
    return dd


def dataset_files(dataset_path: str | Path) -> list[list[Path]]:
    """Parquet files grouped so that each group holds whole cases: one group per hive folder or file."""
    root = Path(dataset_path)
    if root.is_file():
        return [[root]]
    files = sorted(p for p in root.rglob("*.parquet") if not p.name.startswith((".", "_")))
    if not files:
        raise FileNotFoundError(f"no parquet files under {root}")
    groups: dict[Path, list[Path]] = {}
    for path in files:
        hive = path.parent != root and path.parent.name.startswith("case_id=")
        groups.setdefault(path.parent if hive else path, []).append(path)
    return list(groups.values())


def _as_observations(table: pa.Table) -> pd.DataFrame:
    """The table in the tidy observation schema (column order and types), as pyarrow-backed pandas."""
    columns = {
        name: table[name].cast(typ) if name in table.column_names else pa.nulls(len(table), typ)
        for name, typ in OBSERVATION_SCHEMA.items()
    }
    return pa.table(columns).to_pandas(types_mapper=pd.ArrowDtype)


def read_files(files: Sequence[Path], root: str | Path) -> pd.DataFrame:
    """Observations of some dataset files; `case_id` comes from a hive folder name when present."""
    if not files:
        return _as_observations(pa.table({}))
    hive = any(part.startswith("case_id=") for f in files for part in Path(f).relative_to(root).parts[:-1])
    if hive:
        table = ds.dataset(
            [str(f) for f in files], format="parquet", partitioning=_HIVE, partition_base_dir=str(root)
        ).to_table()
    else:
        table = pa.concat_tables([pq.read_table(f) for f in files], promote_options="default")
    return _as_observations(table)


def read_observations(dataset_path: str | Path) -> pd.DataFrame:
    """The whole dataset as one tidy frame: the pandas engine's input, for datasets that fit in memory."""
    root = Path(dataset_path)
    files = [f for group in dataset_files(root) for f in group]
    return read_files(files, root if root.is_dir() else root.parent)


def score_partition(observations: pd.DataFrame) -> pd.DataFrame:
    """Scores of the cases in one partition, flat (case_id, timepoint columns instead of an index)."""
    return score_observations(observations).reset_index()


def _read_and_score(files: Sequence[Path], root: str) -> pd.DataFrame:
    return score_partition(read_files(files, root))


def score_dataset(
    dataset_path: str | Path,
    out_path: str | Path,
    *,
    client: Any = None,
    files_per_partition: int = FILES_PER_PARTITION,
) -> Path:
    """Score a parquet observations dataset partitioned by case with Dask; write a scores dataset.

    `client` is a `distributed.Client` to run on; without one, Dask's default scheduler is used (a
    client created beforehand becomes the default). The output folder holds one parquet file per
    partition with the columns of `score_partition`; read it with `pandas.read_parquet(out_path)`.
    """
    dd = _dask_dataframe()
    root = Path(dataset_path)
    groups = dataset_files(root)
    per = max(1, files_per_partition)
    chunks = [[f for group in groups[i:i + per] for f in group] for i in range(0, len(groups), per)]
    base = str(root if root.is_dir() else root.parent)
    meta = score_partition(_as_observations(pa.table({})))
    frame = dd.from_map(_read_and_score, chunks, args=(base,), meta=meta, enforce_metadata=False)
    out = _clear_previous_scores(Path(out_path))
    write = frame.to_parquet(str(out), write_index=False, compute=False)
    if client is not None:
        client.compute(write).result()
    else:
        write.compute()
    return out


def _clear_previous_scores(out: Path) -> Path:
    """Remove an earlier run's part files, so a smaller rerun leaves no stale partitions behind.

    Refuses a folder holding anything else: a mistyped --out must never delete a user's files.
    """
    if out.is_file():
        raise FileExistsError(f"{out} is a file; --out for the Dask engine is a folder")
    if not out.exists():
        return out
    entries = list(out.iterdir())
    foreign = [p.name for p in entries if not re.fullmatch(r"part\.\d+\.parquet|_(common_)?metadata", p.name)]
    if foreign:
        raise FileExistsError(f"{out} holds files that are not a scores dataset ({', '.join(foreign[:3])}); "
                              "choose a new or empty folder")
    for path in entries:
        path.unlink()
    return out


def write_dataset(
    observations: pd.DataFrame, dataset_path: str | Path, *, cases_per_file: int = 1000, hive: bool = False
) -> Path:
    """Write observations as a dataset partitioned by case: files of whole cases, or hive `case_id=` folders.

    Rows are grouped by case first, so a case never spans two files whatever the input order.
    """
    root = Path(dataset_path)
    root.mkdir(parents=True, exist_ok=True)
    frame = observations.sort_values(["case_id", "tp_order"], kind="stable")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = pa.table({name: table[name].cast(typ) for name, typ in OBSERVATION_SCHEMA.items()})
    if hive:
        pq.write_to_dataset(table, str(root), partition_cols=["case_id"], basename_template="part-{i}.parquet")
        return root
    codes, _ = pd.factorize(frame["case_id"])
    file_of_row = codes // max(1, cases_per_file)
    starts = np.flatnonzero(np.diff(file_of_row, prepend=-1))
    ends = [*starts[1:], len(frame)]
    width = max(5, len(str(len(starts))))
    for i, (start, end) in enumerate(zip(starts, ends)):
        pq.write_table(table.slice(int(start), int(end - start)), root / f"part-{i:0{width}d}.parquet")
    return root
