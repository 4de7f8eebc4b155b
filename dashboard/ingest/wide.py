"""The wide "Table 1" layout: one row per analyte, one column per timepoint, as case reports print it.

First column: the label with its unit in trailing parentheses (`Ferritin (ng/mL)`); optional columns
`Reference range` (or `Reference`, `Normal range`, `Referenzbereich`, ...) and `Unit` (`Einheit`, ...:
hospital exports keep the unit apart); every other column is a timepoint, in order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.registry import header_words
from dashboard.ingest.grid import Grid
from dashboard.ingest.problems import Problem, error, warning
from dashboard.ingest.tidy import RAW_COLUMNS, header_key, stated_days

# header words in every language casetrack reads (en, fr, de, es, it, nl, pt, ...): domain/data/header_words.csv
REFERENCE_HEADERS = header_words("reference")
UNIT_HEADERS = header_words("unit")
# columns lab exports print beside the values that are not timepoints: set aside, never read as values
OTHER_HEADERS = ("flag", "flags", "abnormal flag", "abn flag", "comment", "comments", "note", "notes", "remark",
                 "remarks", "method", "specimen", "loinc", "code", "status")


def named_column(header: list[str], names: tuple[str, ...]) -> int | None:
    """Position of the first column (after the label column) whose header is one of `names`."""
    for position, name in enumerate(header[1:], start=1):
        if header_key(name) in names:
            return position
    return None


def read_wide(grid: Grid) -> tuple[pd.DataFrame, list[Problem]]:
    """Melt the table into the raw long form, keeping each cell's line and timepoint column."""
    reference = named_column(grid.header, REFERENCE_HEADERS)
    unit = named_column(grid.header, UNIT_HEADERS)
    other = [i for i, name in enumerate(grid.header) if i > 0 and header_key(name) in OTHER_HEADERS]
    timepoints = [i for i, name in enumerate(grid.header) if i not in (0, reference, unit, *other) and name]
    notices = [warning(f"column '{grid.header[i]}' is not a timepoint: set aside, not read", grid.file,
                       grid.header_row(), grid.header[i], grid.header[i],
                       "timepoint columns only (flags and comments are not values)") for i in other]
    if not timepoints:
        return pd.DataFrame(columns=list(RAW_COLUMNS)), [error(
            "the labs table fits neither layout: no timepoint column (wide) and no timepoint, analyte and value "
            "columns (long)", grid.file, grid.header_row(), value=",".join(grid.header),
            expected="a wide table (label, optional reference/unit, one column per timepoint) or a long table "
                     "(timepoint, analyte, value)")]
    if not grid.rows:
        return pd.DataFrame(columns=list(RAW_COLUMNS)), notices
    cells = np.array(grid.rows, dtype=object)
    n_rows, n_tp = len(grid.rows), len(timepoints)
    empty = np.full(n_rows * n_tp, "", dtype=object)
    names = np.array([grid.header[i] for i in timepoints], dtype=object)
    days = np.array(stated_days(list(names)), dtype=object)  # `Day 5`, `D+7`, `Week 2`, dates: the header states it
    # object columns as built: letting pandas infer a string dtype for each costs more than the rest
    raw = pd.DataFrame({
        "case_id": empty,
        "timepoint": np.tile(names, n_rows),
        "day": np.tile(days, n_rows),
        "label": np.repeat(cells[:, 0], n_tp),
        "unit": np.repeat(cells[:, unit], n_tp) if unit is not None else empty,
        "text": cells[:, timepoints].reshape(-1),
        "ref_text": np.repeat(cells[:, reference], n_tp) if reference is not None else empty,
        "ref_low": empty,
        "ref_high": empty,
        "line": np.repeat(np.array(grid.lines, dtype=object), n_tp),
        "column": np.tile(names, n_rows),
    }, columns=list(RAW_COLUMNS), dtype=object)
    return raw, notices
