"""events.csv: medications, procedures and clinical events on the day axis (`schema.event_frame`).

Columns go by the names clinicians and lab systems give them (`EVENT_ALIASES`). Start and end are days
from day 0 (`0`, `3`, `-2`) or dates (`03/15/2021`, `15.03.2021`, `2021-03-15`, a time after it ignored),
placed on the labs' day axis (`timepoints.date_axis`); the stored case keeps days, never the dates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from dashboard.domain import schema
from dashboard.domain.registry import header_words
from dashboard.domain.timepoints import DateAxis, date_axis, date_day, is_date
from dashboard.domain.values import CellError, parse_number
from dashboard.ingest.grid import Grid
from dashboard.ingest.privacy import IDENTIFIER_MESSAGE, mask
from dashboard.ingest.problems import Problem, error, warning
from dashboard.ingest.tidy import find_columns, header_key

KINDS = ("medication", "procedure", "clinical")
REQUIRED = ("kind", "name", "start_day")
EVENT_ALIASES: dict[str, tuple[str, ...]] = {
    "kind": ("kind",),
    "name": ("name", "drug", "medication", "treatment", "therapy", "event", "agent"),
    "start_day": ("start_day", "start", "from", "started", "start date", "date", "day"),
    "end_day": ("end_day", "end", "to", "stop", "stopped", "end date", "stop date"),
    "dose": ("dose",),
    "dose_unit": ("dose_unit", "unit", "units"),
    "route": ("route",),
    "note": ("note", "notes", "comment"),
}
_DOSE_WITH_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*([^\d\s.,].*)")  # `1 g/day`, `2 g/kg total`, `100 mg q6h`
# a name column called so says every row is a medication: `kind` may then be left out
MEDICATION_NAMES = ("drug", "medication", "treatment", "therapy", "agent", *header_words("event_medication"))
# The same columns named in French, German, Spanish, Italian, Dutch, Portuguese: domain/data/header_words.csv
OTHER_LANGUAGES = {"name": ("event_medication",), "start_day": ("event_start",), "end_day": ("event_end",),
                   "dose": ("event_dose",), "route": ("event_route",), "note": ("event_note",)}
COLUMNS = {column: (*names, *(word for role in OTHER_LANGUAGES.get(column, ()) for word in header_words(role)))
           for column, names in EVENT_ALIASES.items()}
_DAY_COLUMNS = ("start_day", "end_day")
_DAYS = "days from day 0 (0, 3, -2)"


def read_events(grid: Grid, case_id: str, labs_days: Mapping[str, float | None] | None = None,
                ) -> tuple[pd.DataFrame, list[Problem]]:
    """Rows -> event_frame; an empty end_day means a single-day event (end_day = start_day).

    `labs_days` (timepoint label -> day, None when unknown) is the labs' day axis: dates in the start and
    end columns are placed on it.
    """
    found = find_columns(grid.header, COLUMNS)
    problems: list[Problem] = []
    all_medications = "kind" not in found and "name" in found and (
        header_key(grid.header[found["name"]]) in MEDICATION_NAMES)
    if all_medications:
        problems.append(warning(f"no kind column: every event is a medication (the name column is "
                                f"'{grid.header[found['name']]}')", grid.file, 1, expected="a kind column "
                                "(medication, procedure, clinical) when some events are not medications"))
    missing = [name for name in REQUIRED if name not in found and not (name == "kind" and all_medications)]
    if missing:
        return schema.event_frame(), [error(f"events without column(s) {', '.join(missing)}", grid.file, 1,
                                            expected="kind,name,start_day,end_day,dose,dose_unit,route,note")]
    rows = [{name: cells[position].strip() for name, position in found.items()} for cells in grid.rows]
    header = {name: grid.header[position] for name, position in found.items()}
    known = {str(label): None if pd.isna(day) else float(day) for label, day in (labs_days or {}).items()}
    days, more = _days(grid, rows, header, known)
    problems += more
    ends = days.get("end_day") or [np.nan] * len(rows)
    records: dict[str, list] = {name: [] for name in schema.EVENT_COLUMNS}
    for index, (line, row) in enumerate(zip(grid.lines, rows)):
        kind = row.get("kind", "medication").casefold()
        if kind not in KINDS:
            problems.append(error("unknown event kind", grid.file, line, header["kind"], row["kind"],
                                  " | ".join(KINDS)))
        if not row.get("name"):
            problems.append(error("an event without a name", grid.file, line, header["name"], "", "a name"))
        start, end = days["start_day"][index], ends[index]
        dose, dose_unit = np.nan, row.get("dose_unit") or None
        if row.get("dose"):
            with_unit = None if dose_unit else _DOSE_WITH_UNIT.match(row["dose"])
            try:  # `1 g/day` in a dose column without a unit column: the number, then its unit
                dose = parse_number(with_unit.group(1) if with_unit else row["dose"])
                dose_unit = with_unit.group(2).strip() if with_unit else dose_unit
            except CellError as exc:
                problems.append(error(f"dose is not a number: {exc}", grid.file, line, header["dose"],
                                      row["dose"], "a number such as 3.5, or a number and its unit (1 g/day) "
                                      "when there is no dose_unit column"))
        if not row["start_day"]:
            problems.append(error("an event without a start_day", grid.file, line, header["start_day"], "",
                                  "a number of days from day 0"))
        if np.isnan(end):
            end = start
        elif end < start:
            problems.append(error("end_day is before start_day", grid.file, line, header["end_day"],
                                  row["end_day"], f"a day on or after {row['start_day']}"))
        record = {"case_id": case_id, "kind": kind, "name": row.get("name", ""), "start_day": start,
                  "end_day": end, "dose": dose, "dose_unit": dose_unit,
                  "route": row.get("route") or None, "note": row.get("note") or None}
        for name, values in records.items():
            values.append(record[name])
    if not grid.rows:
        return schema.event_frame(), problems
    return schema.frame_from_columns(records, schema.EVENT_SCHEMA), problems


def _days(grid: Grid, rows: list[dict[str, str]], header: dict[str, str], labs_days: Mapping[str, float | None],
          ) -> tuple[dict[str, list[float]], list[Problem]]:
    """start_day and end_day of every row, from days or dates (one or the other in a column, never both)."""
    problems: list[Problem] = []
    columns = [name for name in _DAY_COLUMNS if name in header]
    dates = [(line, header[name], row[name]) for line, row in zip(grid.lines, rows) for name in columns
             if row[name] and is_date(row[name])]
    axis = date_axis(labs_days, [text for _, _, text in dates]) if dates else None
    if dates:
        problems.append(_date_warning(grid.file, dates))
    if axis is not None and axis.day0 is None:  # no date can be placed: one error, at the first
        line, column, text = dates[0]
        more = f" ({len(dates)} date cells)" if len(dates) > 1 else ""
        problems.append(error(f"an event date cannot be placed on the labs' day axis: {axis.refusal}{more}",
                              grid.file, line, column, text, f"{_DAYS} instead of dates"))
    days: dict[str, list[float]] = {}
    for name in columns:
        cells = [(line, row[name]) for line, row in zip(grid.lines, rows)]
        dated = [(line, text) for line, text in cells if text and is_date(text)]
        plain = [(line, text) for line, text in cells if text and not is_date(text)]
        if dated and plain:
            line, text = max(dated[0], plain[0])  # the first cell unlike the column's first one
            problems.append(error(f"the {header[name]} column mixes days and dates", grid.file, line, header[name],
                                  text, f"one or the other in a column: {_DAYS}, or dates"))
        values = []
        for line, text in cells:
            values.append(_day(text, axis, grid.file, line, header[name], problems) if text else np.nan)
        days[name] = values
    return days, problems


def _day(text: str, axis: DateAxis | None, file: str, line: int, column: str, problems: list[Problem]) -> float:
    """A day cell's day: a number of days, or a date placed on the labs' axis; NaN (and an error) when neither."""
    if axis is not None and is_date(text):
        if axis.day0 is None:  # said once for the file
            return np.nan
        try:
            return float(date_day(text, axis))
        except ValueError as exc:
            problems.append(error(f"the date cannot be placed on the labs' day axis: {exc}", file, line, column,
                                  text, f"{_DAYS} instead of dates, or ISO dates (2021-03-15)"))
            return np.nan
    try:
        return parse_number(text)
    except CellError as exc:
        problems.append(error(f"{column} is not a number: {exc}", file, line, column, text, exc.expected))
        return np.nan


def _date_warning(file: str, dates: list[tuple[int, str, str]]) -> Problem:
    """Dates in events are possible identifiers, as dated timepoints are (`privacy.identifier_warnings`)."""
    line, column, text = dates[0]
    cells = f" ({len(dates)} cells)" if len(dates) > 1 else ""
    return warning(f"{IDENTIFIER_MESSAGE} (full date) in the events' start and end columns{cells}; the case "
                   "keeps days from day 0, not these dates.", file, line, column, mask(text),
                   expected="days relative to day 0, not calendar dates")
