"""The long layout: one row per observation (timepoint, analyte, value, optional unit/range/day).

Its alias table also decides the layout of a labs file (`detect_layout`), so what the long reader accepts
and what is detected as long are one rule.
"""

from __future__ import annotations

import pandas as pd

from dashboard.domain.registry import header_words
from dashboard.ingest.grid import Grid
from dashboard.ingest.problems import Problem, error
from dashboard.ingest.sdtm import is_sdtm
from dashboard.ingest.tidy import CASE_HEADERS, RAW_COLUMNS, find_columns, raw_from_grid, stated_days
from dashboard.ingest.transposed import is_transposed
from dashboard.ingest.wide import REFERENCE_HEADERS, UNIT_HEADERS

LONG_ALIASES = {
    # lab-system exports name the sampling time `Collected`, `Collection date`, `Date`, ... (one per draw)
    "timepoint": ("timepoint", "time point", "visit", "time", "collected", "collection date", "collection time",
                  "date collected", "collected date", "specimen date", "sample date", "sampling date", "date",
                  *header_words("sample_time")),  # other languages: domain/data/header_words.csv
    "analyte": ("analyte", "label", "test", "parameter", "test name", "test description", "component",
                "analysis", "lab test", *header_words("test_name")),
    "value": ("value", "result", "result value", *header_words("result")),
    "unit": ("unit", "units", "result units", "uom", *UNIT_HEADERS),
    "ref_low": ("ref_low", "reference low", "low"),
    "ref_high": ("ref_high", "reference high", "high"),
    "reference_range": ("reference_range", *REFERENCE_HEADERS),
    "day": ("day", "study day"),
    # a censoring sign in its own column (`>` beside 40000) is part of the value: never dropped
    "comparator": ("comparator", "result comparator", "qualifier", "operator", "modifier", "result modifier",
                   "sign"),
    "case_id": CASE_HEADERS,
}
LONG_REQUIRED = ("timepoint", "analyte", "value")


def detect_layout(header: list[str]) -> str:
    """'sdtm' (an LBORRES column), 'long', 'transposed' (analytes across the header) or 'wide' ("Table 1"),
    by the long reader's own alias table.

    A header with two of the long reader's three required columns (timepoint, analyte, value) is long, so
    `test,visit,result,unit` is long even with one visit, and a long file missing the third column is refused
    by the long reader (naming it) instead of being misread as a wide table whose timepoints are "visit"
    and "result". Anything else is wide; a wide header without a timepoint column is refused too.
    """
    if is_sdtm(header):
        return "sdtm"
    found = find_columns(header, LONG_ALIASES)
    if sum(name in found for name in LONG_REQUIRED) >= 2:
        return "long"
    return "transposed" if is_transposed(header) else "wide"


def read_long(grid: Grid) -> tuple[pd.DataFrame, list[Problem]]:
    """The long layout: timepoint, analyte, value, optional unit, ref_low, ref_high, reference_range, day."""
    found = find_columns(grid.header, LONG_ALIASES)
    missing = [name for name in ("timepoint", "analyte", "value") if name not in found]
    if missing:
        return pd.DataFrame(columns=list(RAW_COLUMNS)), [error(
            f"long layout without column(s) {', '.join(missing)}", grid.file, grid.header_row(),
            expected="columns timepoint, analyte, value (unit, ref_low, ref_high, reference_range, day optional)")]
    columns = {"case_id": found.get("case_id"), "timepoint": found["timepoint"], "day": found.get("day"),
               "label": found["analyte"], "unit": found.get("unit"), "text": found["value"],
               "ref_text": found.get("reference_range"), "ref_low": found.get("ref_low"),
               "ref_high": found.get("ref_high")}
    raw = raw_from_grid(grid, {k: v for k, v in columns.items() if v is not None},
                        {"column": grid.header[found["value"]]})
    if "day" not in found:  # dates and `Day 7` labels state their day, as a wide table's headers do
        raw["day"] = stated_days(list(raw["timepoint"]))
    if "comparator" in found:
        raw["text"] = [_with_comparator(row[found["comparator"]], text) for row, text in
                       zip(grid.rows, raw["text"], strict=True)]
    return raw, []


def _with_comparator(sign: str, text: str) -> str:
    """`>` and `40000` -> `>40000`; a value that carries its own sign, or an empty sign, stays as written
    (`=` means exact). Anything else in the column is kept in front, so the cell parser refuses it."""
    sign, text = sign.strip(), text.strip()
    if not sign or sign == "=" or not text or text[0] in "<>≤≥":
        return text
    return f"{sign}{text}"


