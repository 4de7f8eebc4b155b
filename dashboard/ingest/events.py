"""events.csv: medications, procedures and clinical events on the day axis (`schema.event_frame`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain import schema
from dashboard.domain.values import CellError, parse_number
from dashboard.ingest.grid import Grid
from dashboard.ingest.problems import Problem, error

KINDS = ("medication", "procedure", "clinical")
REQUIRED = ("kind", "name", "start_day")


def read_events(grid: Grid, case_id: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Rows -> event_frame; an empty end_day means a single-day event (end_day = start_day)."""
    header = [name.strip().casefold() for name in grid.header]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return schema.event_frame(), [error(f"events without column(s) {', '.join(missing)}", grid.file, 1,
                                            expected="kind,name,start_day,end_day,dose,dose_unit,route,note")]
    problems: list[Problem] = []
    records: dict[str, list] = {name: [] for name in schema.EVENT_COLUMNS}
    for line, cells in zip(grid.lines, grid.rows):
        row = dict(zip(header, cells))
        kind = row.get("kind", "").casefold()
        if kind not in KINDS:
            problems.append(error("unknown event kind", grid.file, line, "kind", row.get("kind", ""),
                                  " | ".join(KINDS)))
        if not row.get("name"):
            problems.append(error("an event without a name", grid.file, line, "name", "", "a name"))
        numbers = {}
        for column in ("start_day", "end_day", "dose"):
            text = row.get(column, "")
            if not text:
                numbers[column] = np.nan
                continue
            try:
                numbers[column] = parse_number(text)
            except CellError as exc:
                problems.append(error(f"{column} is not a number: {exc}", grid.file, line, column, text,
                                      exc.expected))
                numbers[column] = np.nan
        if not row.get("start_day"):
            problems.append(error("an event without a start_day", grid.file, line, "start_day", "",
                                  "a number of days from day 0"))
        if np.isnan(numbers["end_day"]):
            numbers["end_day"] = numbers["start_day"]
        elif numbers["end_day"] < numbers["start_day"]:
            problems.append(error("end_day is before start_day", grid.file, line, "end_day",
                                  row.get("end_day"), f"a day on or after {row.get('start_day')}"))
        record = {"case_id": case_id, "kind": kind, "name": row.get("name", ""), **numbers,
                  "dose_unit": row.get("dose_unit") or None, "route": row.get("route") or None,
                  "note": row.get("note") or None}
        for name, values in records.items():
            values.append(record[name])
    if not grid.rows:
        return schema.event_frame(), problems
    return schema.frame_from_columns(records, schema.EVENT_SCHEMA), problems
