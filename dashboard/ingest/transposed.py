"""The transposed "Table 1": one row per timepoint, one column per analyte.

Papers and spreadsheets print trajectories as `Day, WBC (10^9/L), Hb (g/dL), Platelets, Ferritin` as
often as the other way round. A header is read this way when at least two of its cells after the first
name catalogue analytes and its first cell does not (a wide table's header names timepoints, a long
table's the columns timepoint/analyte/value). Each value cell becomes one raw observation whose row names
the timepoint and whose column the analyte, so every problem still names the cell's own line and column.

- The first column holds the timepoints: a number under `Day` (`Jour`, `Tag`, ...) is that day (`Day 3`),
  anything else (`Admission`, a date) is a label whose day is read as a wide table's header's is.
- A row headed by a reference or unit word (`Reference range`, `Normal`, `Unit`) gives those columns'
  ranges or units instead of a timepoint.
- A column whose header is neither a catalogue analyte nor a label with a unit (`Notes`, `Treatment`) is
  set aside with a notice, never read as values.
"""

from __future__ import annotations

import re

import pandas as pd

from dashboard.domain.analytes import match_analyte
from dashboard.domain.registry import header_words
from dashboard.ingest.grid import Grid
from dashboard.ingest.problems import Problem, warning
from dashboard.ingest.tidy import CASE_HEADERS, RAW_COLUMNS, header_key, split_label, stated_days
from dashboard.ingest.wide import REFERENCE_HEADERS, UNIT_HEADERS

DAY_HEADERS = ("day", "days", "study day", "hospital day", "day of illness", "illness day", *header_words("day"))
_DAY_NUMBER = re.compile(r"[+\-−]?\d+")


def _analyte_of(name: str) -> str | None:
    return match_analyte(split_label(name)[0]) or match_analyte(name)


def timepoint_names(column: str, cells: list[str]) -> list[str]:
    """A timepoint column's cells as timepoint names: numbers under `Day` (`Days`, `Jour`, `Tag`, ...) become
    `Day 0`, `Day 3` (so their days are read); any other cell stays as written (`Admission`, a date)."""
    by_day = header_key(column) in DAY_HEADERS
    return [f"Day {cell.strip()}" if by_day and _DAY_NUMBER.fullmatch(cell.strip()) else cell.strip() for cell in cells]


def _timepoint_column(header: list[str]) -> int:
    """The first column, or the one after a leading case column (`Patient, Day, WBC, ...`)."""
    return 1 if len(header) > 1 and header_key(header[0]) in CASE_HEADERS else 0


def is_transposed(header: list[str]) -> bool:
    """True when the header names analytes (two or more after the timepoint column) and that column does not."""
    at = _timepoint_column(header)
    named = [name for name in header[at + 1:] if name.strip() and _analyte_of(name)]
    return len(named) >= 2 and not _analyte_of(header[at] if header else "")


def read_transposed(grid: Grid) -> tuple[pd.DataFrame, list[Problem]]:
    """Raw observations of a table with one row per timepoint and one column per analyte."""
    header, problems = grid.header, []
    at = _timepoint_column(header)
    kept = [j for j, name in enumerate(header) if j > at and name.strip()
            and (_analyte_of(name) or split_label(name)[1] is not None)]
    set_aside = [name for j, name in enumerate(header) if j > at and name.strip() and j not in kept]
    if set_aside:
        problems.append(warning(f"column(s) {', '.join(set_aside)} set aside: not an analyte of the catalogue "
                                "and no unit in the header", grid.file, grid.header_row(),
                                expected="an analyte name, or a label with its unit in brackets (IL-18 (pg/mL))"))
    ranges, units, timepoints = {}, {}, []
    for cells, line in zip(grid.rows, grid.lines, strict=True):
        first = header_key(cells[at]) if len(cells) > at else ""
        if first in REFERENCE_HEADERS or first in UNIT_HEADERS:
            (ranges if first in REFERENCE_HEADERS else units).update({j: cells[j] for j in kept if j < len(cells)})
        elif first:
            timepoints.append((cells, line))
    labels = timepoint_names(header[at], [cells[at] for cells, _ in timepoints])
    days = dict(zip(labels, stated_days(labels), strict=True))
    rows = [
        {"case_id": cells[0].strip() if at else "", "timepoint": label, "day": days[label], "label": header[j], "unit": units.get(j, ""),
         "text": cells[j] if j < len(cells) else "", "ref_text": ranges.get(j, ""), "ref_low": "", "ref_high": "",
         "line": line, "column": header[j]}
        for label, (cells, line) in zip(labels, timepoints, strict=True) for j in kept
    ]
    return pd.DataFrame(rows, columns=list(RAW_COLUMNS)), problems
