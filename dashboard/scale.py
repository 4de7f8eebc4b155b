"""Registry-scale scoring on Dask: the same vectorised pandas functions, one partition of cases at a time.

A registry or hospital extract can outgrow one machine's memory. Rather than a home-made scheduler,
`score_dataset` hands partitions of a parquet observations dataset to Dask (`dask.dataframe.from_map`
+ `map_partitions`) and applies exactly `timepoint_matrix` + `score_matrix` to each, so the Dask engine
cannot drift from the pandas one: a test checks they agree on a `distributed.LocalCluster`.

Dataset layout (what `casetrack synth --parquet` writes): a folder of parquet files in the tidy
observation schema, **partitioned by case** — either hive folders `case_id=<id>/...parquet`, or plain
files each holding whole cases. A case must never span two files (or two hive folders), because each
partition is scored on its own. Dask is optional (`pip install .[scale]`) and imported only here, lazily.

A long CSV of many cases (a case column, rows in any order) is scored by `score_long_csv`: Dask reads it
in blocks, groups the rows by case, and each case goes through the same loader as `casetrack score`.
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
from dashboard.ingest.bundle import CASE_COLUMN, Outcome, read_grid
from dashboard.ingest.grid import grid_from_rows
from dashboard.ingest.long import find_columns

FILES_PER_PARTITION = 16  # hive folders or case files read into one Dask partition (bounds its memory)
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
CSV_BLOCK_BYTES = 64_000_000  # bytes of a large CSV read into one Dask partition
CASE_KEY = "__case"  # the rows of a CSV are grouped on a copy of its case column
LINE = "__line"  # the file line of each CSV row, so problems name it as `casetrack check` does
PROBLEMS = "problems"  # scores of a CSV: the case's errors and warnings as check's lines (null: none)
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
    """Score a parquet observations dataset partitioned by case (or a long CSV) with Dask; write scores.

    `client` is a `distributed.Client` to run on; without one, Dask's default scheduler is used (a
    client created beforehand becomes the default). The output folder holds one parquet file per
    partition with the columns of `score_partition`; read it with `pandas.read_parquet(out_path)`.
    """
    if Path(dataset_path).suffix.casefold() in CSV_SUFFIXES:
        return score_long_csv(dataset_path, out_path, client=client)
    dd = _dask_dataframe()
    root = Path(dataset_path)
    groups = dataset_files(root)
    per = max(1, files_per_partition)
    chunks = [[f for group in groups[i:i + per] for f in group] for i in range(0, len(groups), per)]
    base = str(root if root.is_dir() else root.parent)
    meta = score_partition(_as_observations(pa.table({})))
    frame = dd.from_map(_read_and_score, chunks, args=(base,), meta=meta, enforce_metadata=False)
    return _write_scores(frame, Path(out_path), client)


def _write_scores(frame: Any, out_path: Path, client: Any) -> Path:
    out = _clear_previous_scores(out_path)
    write = frame.to_parquet(str(out), write_index=False, compute=False)
    if client is not None:
        client.compute(write).result()
    else:
        write.compute()
    return out


def _csv_separator(path: Path) -> str:
    """The header line's separator: `;` (European Excel), tab, else `,` (as the one-case reader decides)."""
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        header = handle.readline()
    return max((",", ";", "\t"), key=header.count) if any(sep in header for sep in ",;\t") else ","


def _csv_scores_meta() -> pd.DataFrame:
    """score_partition's columns plus `problems`; numpy ints and bools become nullable (Arrow) columns,
    since a case with errors has a row without scores."""
    meta = score_partition(_as_observations(pa.table({})))
    nullable = {name: pd.ArrowDtype(pa.from_numpy_dtype(dtype)) for name, dtype in meta.dtypes.items()
                if isinstance(dtype, np.dtype) and dtype.kind in "iub"}
    return meta.astype(nullable).assign(**{PROBLEMS: pd.Series(dtype=pd.ArrowDtype(pa.string()))})


def scores_of(outcomes: list[Outcome]) -> pd.DataFrame:
    """Scores of the good cases and one row per case with errors, each row with its case's problems."""
    meta = _csv_scores_meta()
    frames = [meta]
    for outcome in outcomes:
        text = "\n".join(str(p) for p in outcome.problems) or None
        if outcome.ok:
            frames.append(score_partition(outcome.case.observations).assign(**{PROBLEMS: text}))
        else:
            frames.append(pd.DataFrame({"case_id": [outcome.case_id], PROBLEMS: [text]}))
    frame = pd.concat(frames, ignore_index=True)[list(meta.columns)]
    return frame.astype(meta.dtypes.to_dict())


def _score_case_rows(rows: pd.DataFrame, file: str, header: list[str]) -> pd.DataFrame:
    """One case's rows of a large CSV -> its scores, through the loader every other path uses."""
    rows = rows.sort_values(LINE, kind="stable")  # the shuffle may have reordered them
    cells = rows[header].astype(str).to_numpy().tolist()
    grid = grid_from_rows([(1, list(header)), *zip(rows[LINE].astype(int).tolist(), cells, strict=True)], file)
    return scores_of(read_grid(grid, file))


def score_long_csv(csv_path: str | Path, out_path: str | Path, *, client: Any = None,
                   block_bytes: int = CSV_BLOCK_BYTES) -> Path:
    """Score a long CSV of many cases, larger than memory, with Dask; write a scores dataset.

    Rows are grouped by the case column (`case_id`, `USUBJID`, `subject`, `patient`, `record_id`) with a
    Dask shuffle, so they may come in any order. Each case is read by `ingest.bundle.read_grid`, exactly
    as `casetrack score` reads it; the `problems` column holds each case's errors and warnings, and a case
    with errors gives one row with its problems and no scores. Cells may not hold line breaks.
    """
    dd = _dask_dataframe()
    path = Path(csv_path)
    frame = dd.read_csv(str(path), sep=_csv_separator(path), dtype=str, keep_default_na=False,
                        na_filter=False, blocksize=block_bytes, encoding="utf-8-sig")
    header = [str(name) for name in frame.columns]
    found = find_columns(header, CASE_COLUMN)
    if "case_id" not in found:
        raise ValueError(f"{path.name}: no case column ({', '.join(CASE_COLUMN['case_id'])}); a file of one "
                         "case is scored without --engine dask")
    ones = frame[header[0]].map_partitions(lambda s: pd.Series(1, index=s.index, dtype="int64"),
                                           meta=(LINE, "int64"))
    # + 1: the header is line 1; the case column is copied, as grouping columns leave each group's frame
    frame = frame.assign(**{LINE: ones.cumsum() + 1, CASE_KEY: frame[header[found["case_id"]]]})
    scored = frame.groupby(CASE_KEY).apply(_score_case_rows, path.name, header, meta=_csv_scores_meta())
    return _write_scores(scored, Path(out_path), client)


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
