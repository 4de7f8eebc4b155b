"""Parsing of lab-table cells and reference ranges, exactly and without guessing.

Cells carry numbers, missing markers (–, NA, ND), qualitative results (Positive, yes, low), titers
(`1: 640 (speckled)`), censored values (`<0.5`) and organ sizes (`3 cm`). A decimal comma (`3,5`) or a
thousands separator (`1,260`) is refused rather than guessed: `1,260` is 1260 in one locale and 1.26 in
another, and a silent factor of 1000 in a ferritin would change a score.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from dashboard.domain.units import is_unit, normalise_unit

MISSING = frozenset({"", "–", "-", "—", "‒", "−", "na", "n/a", "n.a.", "nd", "n.d.", "not done",
                     "not available", "?", "..."})
NOT_A_NUMBER = frozenset({"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "#num!",
                          "#value!", "#div/0!", "#n/a"})
RESULTS = {
    "positive": "positive", "pos": "positive", "+": "positive", "yes": "positive", "y": "positive",
    "present": "positive", "detected": "positive", "reactive": "positive", "true": "positive",
    "negative": "negative", "neg": "negative", "no": "negative", "n": "negative", "absent": "negative",
    "not detected": "negative", "non-reactive": "negative", "nonreactive": "negative", "false": "negative",
    "none": "negative",
    "low": "low", "decreased": "low", "reduced": "low", "absent activity": "low",
    "normal": "normal", "wnl": "normal", "within normal limits": "normal",
    "high": "high", "elevated": "high", "increased": "high",
}
LARGEST = 1e12  # no lab value in any unit the catalogue accepts comes near this
EXPECTED_CELL = "a number (3.5), <0.5 or >1000, a titer 1:40, positive/negative/yes/no, or empty for missing"
EXPECTED_RANGE = "a range 4.5–11.0, < 250, > 60, <1:10, Negative, or empty"

_NUM = r"[+\-−]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+\-]?\d+)?"
_NUMBER = re.compile(rf"^{_NUM}$")
_DECIMAL_COMMA = re.compile(r"^[+\-−]?\d+,\d+$")
_THOUSANDS = re.compile(r"^[+\-−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_TITER = re.compile(r"^1\s*[:/]\s*(\d+(?:\.\d+)?)\s*(?:\(.*\))?$")
_CENSORED = re.compile(r"^(<=|>=|≤|≥|<|>)\s*(.+)$")
_WITH_UNIT = re.compile(rf"^({_NUM})\s*([^\d\s.,+\-−].*)$")
_PAREN = re.compile(r"\s*\([^()]*\)\s*$")
_RANGE = re.compile(rf"^({_NUM})\s*(?:-|–|—|‒|−|~|to)\s*({_NUM})$")
_QUALIFIERS = {"<=": "<=", "≤": "<=", ">=": ">=", "≥": ">=", "<": "<", ">": ">"}


class CellError(ValueError):
    """A cell that cannot be read; `expected` says what would have been accepted."""

    def __init__(self, message: str, expected: str = EXPECTED_CELL) -> None:
        super().__init__(message)
        self.expected = expected


@dataclass(frozen=True)
class Cell:
    value: float | None = None
    result: str | None = None     # positive | negative | low | normal | high
    qualifier: str | None = None  # < > <= >=
    unit: str | None = None       # unit written in the cell ("3 cm") or "titer"
    missing: bool = False


@dataclass(frozen=True)
class RefRange:
    low: float | None = None
    high: float | None = None
    warning: str | None = None


def _clean(text: object) -> str:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return str(text).replace("\u00a0", " ").replace("\u2009", " ").strip()


def parse_number(text: str) -> float:
    """A plain number; refuses decimal commas, thousands separators, NaN/inf and absurd magnitudes."""
    s = _clean(text)
    if _THOUSANDS.match(s):
        raise CellError(f"'{s}' has a comma: a thousands separator or a decimal comma? It is not guessed",
                        f"the number without a comma ({s.replace(',', '')}) or with a decimal point "
                        f"({s.replace(',', '.')})")
    if _DECIMAL_COMMA.match(s):
        raise CellError(f"'{s}' uses a decimal comma", f"a decimal point ({s.replace(',', '.')})")
    if s.casefold() in NOT_A_NUMBER:
        raise CellError(f"'{s}' is not a number", "a number, or an empty cell for missing")
    if not _NUMBER.match(s):
        raise CellError(f"'{s}' is not a number", "a number such as 3.5")
    value = float(s.replace("−", "-"))
    if not math.isfinite(value) or abs(value) > LARGEST:
        raise CellError(f"'{s}' is implausibly large", f"a value below {LARGEST:g}")
    return value


def parse_cell(text: object) -> Cell:
    """Read one lab-table cell; raises CellError (with what was expected) when it cannot be read."""
    s = _clean(text)
    folded = s.casefold()
    if folded in MISSING:
        return Cell(missing=True)
    if _NUMBER.match(s) or "," in s and re.fullmatch(r"[+\-−]?[\d,]+(?:\.\d+)?", s) or folded in NOT_A_NUMBER:
        return Cell(value=parse_number(s))
    titer = _TITER.match(s)
    if titer:
        return Cell(value=parse_number(titer.group(1)), unit="titer")
    censored = _CENSORED.match(s)
    if censored:
        inner = parse_cell(censored.group(2))
        if inner.value is None or inner.qualifier is not None:
            raise CellError(f"'{s}' is not a censored value")
        return Cell(value=inner.value, qualifier=_QUALIFIERS[censored.group(1)], unit=inner.unit)
    with_unit = _WITH_UNIT.match(s)
    if with_unit and is_unit(with_unit.group(2)):
        return Cell(value=parse_number(with_unit.group(1)), unit=normalise_unit(with_unit.group(2)))
    result = RESULTS.get(folded) or RESULTS.get(_PAREN.sub("", folded))
    if result is not None:
        return Cell(result=result)
    raise CellError(f"'{s}' is not a value casetrack can read")


def parse_cells(texts: pd.Series) -> pd.DataFrame:
    """Parse a column of cells: one row per input with value/result/qualifier/unit/missing/error/expected.

    Each distinct text is parsed once, so a long column of repeated values costs little.
    """
    codes, uniques = pd.factorize(texts.map(_clean), use_na_sentinel=False)
    rows = []
    for text in uniques:
        try:
            cell = parse_cell(text)
            rows.append((cell.value, cell.result, cell.qualifier, cell.unit, cell.missing, None, None))
        except CellError as exc:
            rows.append((None, None, None, None, False, str(exc), exc.expected))
    table = pd.DataFrame(rows, columns=["value", "result", "qualifier", "unit", "missing", "error", "expected"])
    if table.empty:
        table = table.astype({"value": "float64", "missing": "bool"})
    out = table.iloc[codes].reset_index(drop=True)
    out.index = texts.index
    return out


def parse_limit(text: str) -> float:
    """A range limit: a number, or a titer `1:10` as its reciprocal."""
    titer = _TITER.match(text)
    return parse_number(titer.group(1)) if titer else parse_number(text)


def parse_range(text: object) -> RefRange:
    """Read a reference range: `4.5–11.0`, `< 250`, `<1: 10`, `> 60`, `Negative`; empty gives no range.

    A bare number is read as an upper limit (ESR `22`), with a warning, since that is what tables mean
    by it far more often than a lower limit.
    """
    s = _clean(text)
    if s.casefold() in MISSING:
        return RefRange()
    try:
        found = _RANGE.match(s)
        if found:
            low, high = parse_number(found.group(1)), parse_number(found.group(2))
            if low > high:
                raise CellError(f"'{s}' has its low limit above its high limit")
            return RefRange(low, high)
        censored = _CENSORED.match(s)
        if censored:
            limit = parse_limit(censored.group(2).strip())
            return RefRange(high=limit) if censored.group(1) in ("<", "<=", "≤") else RefRange(low=limit)
        if _NUMBER.match(s) or _TITER.match(s):
            return RefRange(high=parse_limit(s), warning=f"reference '{s}' is a bare number: read as an upper limit")
    except CellError as exc:
        raise CellError(str(exc), EXPECTED_RANGE) from exc
    if "," in s:
        raise CellError(f"reference range '{s}' has a comma (decimal comma?)", EXPECTED_RANGE)
    if RESULTS.get(s.casefold()) or RESULTS.get(_PAREN.sub("", s.casefold())):
        return RefRange()
    raise CellError(f"'{s}' is not a reference range", EXPECTED_RANGE)
