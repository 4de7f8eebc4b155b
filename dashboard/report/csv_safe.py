"""CSV exports that are safe to open in a spreadsheet (no formula injection) and keep µ and °.

A text cell such as `=HYPERLINK(...)` or `@SUM(...)` in an exported CSV is run as a formula by Excel and
LibreOffice (OWASP "CSV injection"). Analyte labels, notes and titles come from user files, so every text
cell (and header) that starts with a formula trigger is prefixed with a single quote, which spreadsheets
show as text. Numbers stay numbers: a float -1.5 is untouched, and so is text that is a plain number
("-1.5", "+2"), which no spreadsheet runs as a formula. The bytes are UTF-8 with a BOM so that Excel on
Windows reads µmol/L and °C correctly.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

# = + - @, tab and carriage return (OWASP), and their full-width forms, which some spreadsheets also accept
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_TRIGGER = re.compile("^[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def needs_quote(value: Any) -> bool:
    """True for a text cell a spreadsheet could run as a formula."""
    return isinstance(value, str) and bool(_TRIGGER.match(value)) and not _PLAIN_NUMBER.match(value)


def _quote(value: Any) -> Any:
    return "'" + value if needs_quote(value) else value


def _is_text_dtype(dtype: Any) -> bool:
    if isinstance(dtype, pd.ArrowDtype):
        return pd.api.types.is_string_dtype(dtype) or dtype.kind in "OUS"
    return pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)


def _neutralise_column(column: pd.Series) -> pd.Series:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.rename_categories(_quote)
    if not _is_text_dtype(column.dtype):
        return column  # numbers, dates and booleans cannot carry a formula
    if pd.api.types.is_object_dtype(column.dtype):  # mixed cells: only the str ones are text
        return column.map(_quote)
    text = column.astype("string")
    flagged = text.str.match(_TRIGGER, na=False) & ~text.str.match(_PLAIN_NUMBER, na=False)
    if not flagged.any():
        return column
    return text.mask(flagged, "'" + text).astype(column.dtype)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with formula-like text cells and headers prefixed by `'`; the input is untouched."""
    out = frame.copy()
    for position in range(out.shape[1]):
        out.isetitem(position, _neutralise_column(out.iloc[:, position]))
    out.columns = [_quote(name) for name in out.columns]
    if not isinstance(out.index, pd.RangeIndex):
        out.index = out.index.map(_quote) if out.index.nlevels == 1 else out.index
    return out


def safe_csv_bytes(frame: pd.DataFrame, *, index: bool = False) -> bytes:
    """The frame as formula-safe CSV bytes, UTF-8 with BOM (for `st.download_button`)."""
    return neutralise_formulas(frame).to_csv(index=index, lineterminator="\r\n").encode("utf-8-sig")
