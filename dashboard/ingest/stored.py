"""A case's parts as the store writes them: Arrow tables with the schema's types, problems as JSON records.

Kept apart from the store's file handling (versions, staging, locks) so that what "the same content"
means is written once, next to how the content is written.
"""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.domain.schema import EVENT_SCHEMA, OBSERVATION_SCHEMA
from dashboard.ingest.case import Case
from dashboard.ingest.problems import Problem, warning


def arrow_table(frame: pd.DataFrame, schema: dict[str, pa.DataType]) -> pa.Table:
    """Frame -> arrow table with the schema's types; pyarrow-backed columns pass through untouched."""
    arrays, names = [], []
    for name in frame.columns:
        col = frame[name]
        typ = schema.get(name)
        if isinstance(col.dtype, pd.ArrowDtype):
            arr = pa.array(col.array)  # the backing arrow data itself: NaN and null stay distinct
            if typ is not None and arr.type != typ:
                arr = arr.cast(typ)
        else:
            arr = pa.array(col.tolist(), type=typ, from_pandas=True)
        arrays.append(arr)
        names.append(str(name))
    return pa.Table.from_arrays(arrays, names=names)


def owned_by(frame: pd.DataFrame, case_id: str) -> pd.DataFrame:
    """The frame with `case_id` set to the id it is stored under (a renamed case must not keep its old id
    in its rows, or the cohort would merge or split cases); unchanged when it already matches."""
    frame = frame.reset_index(drop=True)
    if "case_id" not in frame.columns or frame["case_id"].eq(case_id).fillna(False).all():
        return frame
    return frame.assign(case_id=pd.Series([case_id] * len(frame), dtype=pd.ArrowDtype(pa.string())))


def read_frame(path: Path) -> pd.DataFrame:
    return pq.read_table(path).to_pandas(types_mapper=pd.ArrowDtype)


def problem_record(problem: Problem | str) -> dict[str, Any]:
    """A problem as readable text plus its fields, so that loading gives the same Problem back."""
    fields = asdict(problem) if is_dataclass(problem) else {}
    return {"text": str(problem), **fields}


def problem_from(record: dict[str, Any] | str) -> Problem:
    """Rebuild a stored problem; text alone (or fields this version does not know) gives a warning."""
    if isinstance(record, dict):
        fields = {k: v for k, v in record.items() if k != "text"}
        with suppress(TypeError):
            return Problem(**fields)
        record = record.get("text", "")
    return warning(str(record))


def same_content(case: Case, other: Case) -> bool:
    """True when a save of `case` would write what `other` holds: tables, metadata and problems.

    Tables are compared as the Arrow tables a save writes (values, nulls and types, not memory layout);
    metadata and problems as the JSON a save writes.
    """
    for name, schema in (("observations", OBSERVATION_SCHEMA), ("events", EVENT_SCHEMA)):
        mine = arrow_table(owned_by(getattr(case, name), case.id), schema)
        stored = arrow_table(owned_by(getattr(other, name), case.id), schema)
        if not mine.equals(stored):
            return False

    def text(c: Case) -> str:
        rest = {"meta": c.meta, "problems": [problem_record(p) for p in c.problems]}
        return json.dumps(rest, sort_keys=True, ensure_ascii=False, default=str)

    return text(case) == text(other)
