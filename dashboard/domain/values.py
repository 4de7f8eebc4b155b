"""Parsing of lab-table cells and reference ranges, exactly and without guessing.

Cells carry numbers, missing markers (–, NA, ND), qualitative results (Positive, yes, low), titers
(`1: 640 (speckled)`), censored values (`<0.5`, `≤ 2`: inclusive and exclusive kept apart), organ sizes
(`3 cm`) and a lab's own flag after a number (`8580 H`, `22 L`, `↑`, `*`: read the number, the flag stays in
the original text). Text is made plain first (`text.plain_text`: no-break and thin spaces, soft hyphens,
zero-width marks, the Unicode minus).

Decimal separators are decided per file, never per cell (`scan_numbers`, `NumberStyle`): in a file whose
numbers use decimal points `12,932.7` and `1,266,973` are thousands separators, `3,5` is an error (the
file mixes styles) and `1,260` is an error (1260 or 1.26?) unless the file's style was declared; the
mirror image holds in a decimal-comma file. A silent factor of 1000 in a ferritin would change a score.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from dashboard.domain.sex_ranges import SEX_NAMES, SexLabelError, split_by_sex
from dashboard.domain.text import plain_text
from dashboard.domain.units import is_unit, normalise_unit

MISSING = frozenset({"", "–", "-", "—", "‒", "−", "--", "---", "na", "n/a", "n.a.", "nd", "n.d.", "n/d", "not done",
                     "not available", "not tested", "not measured", "?", "...", "…", "/",
                     # what lab systems print for a test without a result: no observation, never a value
                     "tnp", "test not performed", "not performed", "qns", "quantity not sufficient",
                     "insufficient sample", "cancelled", "canceled", "pending", "see comment", "see comments",
                     "see note", "hemolyzed", "haemolysed", "hemolysed", "haemolyzed", "clotted",
                     "specimen clotted"})
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
EXPECTED_RANGE = "a range 4.5–11.0, < 250, > 60, <1:10, Negative, a range per sex M: 13–17; F: 12–15, or empty"
# a lab's own flag after (or an arrow before) a number; never `C` (°C in a temperature row)
LAB_FLAGS = ("H", "L", "HH", "LL", "(H)", "(L)", "↑", "↓", "↑↑", "↓↓", "*", "**", "!", "H*", "L*",
             "HI", "LO", "High", "Low", "HIGH", "LOW", "CRIT", "A", "AA", "(A)")

_NUM = r"[+\-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+\-]?\d+)?"
_NUMBER = re.compile(rf"^{_NUM}$")
_NUMLIKE = r"[+\-]?(?:\d[\d.,]*\d|\d|[.,]\d+)(?:[eE][+\-]?\d+)?"  # a number in either decimal style
_NUMBER_ANY = re.compile(rf"^{_NUMLIKE}$")
_SPACED_THOUSANDS = re.compile(r"^[+\-]?\d{1,3}(?: \d{3})+(?:[.,]\d+)?$")  # `21 400` (thin space made plain)
_TITER = re.compile(r"^1\s*[:/]\s*(\d+(?:\.\d+)?)\s*(?:\(.*\))?$")
_CENSORED = re.compile(r"^(<=|>=|=<|=>|≤|≥|⩽|⩾|<|>)\s*(.+)$")
_WITH_UNIT = re.compile(rf"^({_NUMLIKE})\s*([^\d\s.,+\-].*)$")
_PAREN = re.compile(r"\s*\([^()]*\)\s*$")
_LIMIT = rf"\d{{1,3}}(?: \d{{3}})+(?:[.,]\d+)?|{_NUMLIKE}"  # a limit, with spaced thousands (150 000)
_RANGE = re.compile(rf"^({_LIMIT})\s*(?:-|–|—|‒|~|to)\s*({_LIMIT})$")
# a range with the unit after it, as lab systems print it: `15 - 150 ng/mL`, `4.0 - 11.0 10*9/L`, `< 5 mg/L`
_RANGE_UNIT = re.compile(rf"^((?:[<>≤≥]=?\s*)?(?:{_LIMIT})(?:\s*(?:-|–|—|‒|~|to)\s*(?:{_LIMIT}))?)\s*(\S.*)$")
_FLAG_AFTER = re.compile(r"^(.*\d)\s*(" + "|".join(re.escape(f) for f in sorted(LAB_FLAGS, key=len, reverse=True))
                         + r")$")
_FLAG_BEFORE = re.compile(r"^([↑↓]{1,2})\s*(.*\d.*)$")
_QUALIFIERS = {"<=": "<=", "=<": "<=", "≤": "<=", "⩽": "<=", ">=": ">=", "=>": ">=", "≥": ">=", "⩾": ">=",
               "<": "<", ">": ">"}
# Token kinds (`number_kind`): which decimal style a written number shows, if any.
# a thousands group starts with 1-9: `0,125` and `0.125` are decimals whatever the style
_GROUPED_POINT = re.compile(r"^[+\-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$")  # 1,266,973  12,932.7  1,260
_GROUPED_COMMA = re.compile(r"^[+\-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?$")  # 1.266.973  12.932,7  1.260
_COMMA_DECIMAL = re.compile(r"^[+\-]?\d*,\d+$")                      # 3,5  0,72


class CellError(ValueError):
    """A cell that cannot be read; `expected` says what would have been accepted."""

    def __init__(self, message: str, expected: str = EXPECTED_CELL) -> None:
        super().__init__(message)
        self.expected = expected


@dataclass(frozen=True)
class NumberStyle:
    """How a file writes numbers: its decimal separator, and whether the user declared it or the file shows it.

    `decimal` None means the file showed no decimals at all: `1,260` and `1.260` are then both ambiguous.
    A declared style (case.toml `decimal`, the upload page) settles `1,260`-like cells, and so does a style
    the file's own numbers show: where other cells write `8.1`, `12,000` can only be twelve thousand (a
    decimal comma there would be a file mixing styles, itself an error), as a reader takes it.
    """

    decimal: str | None = "."
    declared: bool = False
    shown: bool = False

    @property
    def settles_groups(self) -> bool:
        """True when `1,260` / `1.260` read as thousands in this style instead of being ambiguous."""
        return self.declared or self.shown


POINT = NumberStyle(".")
COMMA = NumberStyle(",")


@dataclass(frozen=True)
class Cell:
    value: float | None = None
    result: str | None = None     # positive | negative | low | normal | high
    qualifier: str | None = None  # < > <= >=
    unit: str | None = None       # unit written in the cell ("3 cm") or "titer"
    missing: bool = False
    flag: str | None = None       # the lab's own flag after the number (H, L, ↑, *): kept, never a unit


@dataclass(frozen=True)
class RefRange:
    low: float | None = None
    high: float | None = None
    warning: str | None = None
    unit: str | None = None  # a unit printed after the range (`15 - 150 ng/mL`), normalised
    # a range printed per sex (`M: 13-17; F: 12-15`): sex (F/M) -> (low, high); low/high are then None
    by_sex: tuple[tuple[str, float | None, float | None], ...] | None = None

    def limits(self, sex: str) -> tuple[float | None, float | None]:
        """(low, high) for a sex (F/M): its own range when printed per sex, else the one range."""
        if self.by_sex is None:
            return self.low, self.high
        return next((low, high) for s, low, high in self.by_sex if s == sex)


def number_kind(token: str) -> str:
    """What a number shows of its decimal style.

    'point' (0.72, 12,932.7, 1,266,973), 'comma' (3,5, 12.932,7, 1.266.973), 'comma-group' (1,260: a
    thousands comma or a decimal comma), 'point-group' (1.260), 'plain' (no separator), or '' (not a number).
    """
    s = token.strip().replace(" ", "")
    if re.fullmatch(r"[+\-]?\d+(?:[eE][+\-]?\d+)?", s):
        return "plain"
    if _GROUPED_POINT.match(s):
        return "comma-group" if re.fullmatch(r"[+\-]?[1-9]\d{0,2},\d{3}", s) else "point"
    if _GROUPED_COMMA.match(s):
        return "point-group" if re.fullmatch(r"[+\-]?[1-9]\d{0,2}\.\d{3}", s) else "comma"
    if _NUMBER.match(s):
        return "point"
    if _COMMA_DECIMAL.match(s):
        return "comma"
    return ""


_NUMBER_TOKENS = re.compile(r"\d[\d.,]*\d|\d")


def number_tokens(text: object) -> list[str]:
    """The written numbers of a cell or range (`4,5–11,0` -> ['4,5', '11,0']); titers are not numbers here."""
    s = plain_text(text)
    if _TITER.match(s) or _TITER.match(_CENSORED.sub(r"\2", s)):
        return []
    return _NUMBER_TOKENS.findall(re.sub(r"(?<=\d) (?=\d{3}\b)", "", s))


def scan_numbers(texts: Iterable[object]) -> tuple[str | None, dict[str, list[int]]]:
    """The decimal style a file's cells show ('.', ',' or None) and, per kind, the positions that show it.

    The style is ',' when some numbers use a decimal comma and none a decimal point, '.' when the reverse
    holds or when neither shows (then `1,260`/`1.260` stay ambiguous), 'mixed' when both do.
    """
    kinds: dict[str, list[int]] = {}
    for position, text in enumerate(texts):
        for token in number_tokens(text):
            kind = number_kind(token)
            if kind:
                kinds.setdefault(kind, []).append(position)
    point, comma = bool(kinds.get("point")), bool(kinds.get("comma"))
    style = "mixed" if point and comma else "," if comma else "." if point else None
    return style, kinds


def _grouped(s: str, style: NumberStyle) -> float | None:
    """A number with thousands separators under the file's style, or None when it has none."""
    spaced = _SPACED_THOUSANDS.match(s)
    if spaced:
        s = s.replace(" ", "")
    thousands, decimal = (",", ".") if style.decimal != "," else (".", ",")
    grouped = _GROUPED_POINT if decimal == "." else _GROUPED_COMMA
    if spaced and thousands not in s and decimal not in s:
        return float(s)
    if not grouped.match(s):
        return None
    if re.fullmatch(rf"[+\-]?[1-9]\d{{0,2}}{re.escape(thousands)}\d{{3}}", s) and not (style.settles_groups or spaced):
        as_thousands, as_decimal = s.replace(thousands, ""), f"{float(s.replace(thousands, '.')):g}"
        name = "comma" if thousands == "," else "point"
        raise CellError(f"'{s}' is ambiguous: a thousands separator or a decimal {name} ({as_thousands} or "
                        f"{as_decimal})? It is not guessed",
                        f"the number without a separator ({as_thousands}) or with a decimal "
                        f"{'point' if decimal == '.' else 'comma'} ({s.replace(thousands, decimal)}); or state "
                        f"the file's decimal separator (decimal = \"{decimal}\" in case.toml)")
    return float(s.replace(thousands, "").replace(decimal, "."))


def parse_number(text: str, style: NumberStyle = POINT) -> float:
    """A number written in the file's style; refuses the other style, ambiguous groupings, NaN/inf and
    absurd magnitudes."""
    s = plain_text(text)
    if s.casefold() in NOT_A_NUMBER:
        raise CellError(f"'{s}' is not a number", "a number, or an empty cell for missing")
    if not (_NUMBER_ANY.match(s) or _SPACED_THOUSANDS.match(s)):
        raise CellError(f"'{s}' is not a number", "a number such as 3.5")
    value = _grouped(s, style)
    if value is None:
        value = _plain_number(s, style)
    if not math.isfinite(value) or abs(value) > LARGEST:
        raise CellError(f"'{s}' is implausibly large", f"a value below {LARGEST:g}")
    return value


def _plain_number(s: str, style: NumberStyle) -> float:
    kind = number_kind(s)
    if kind == "comma" and style.decimal != ",":
        raise CellError(f"'{s}' uses a decimal comma but the file's numbers use decimal points",
                        f"a decimal point ({s.replace('.', '').replace(',', '.')}), or decimal = \",\" in "
                        "case.toml when the whole file uses decimal commas")
    if kind == "point" and style.decimal == ",":
        raise CellError(f"'{s}' uses a decimal point but the file's numbers use decimal commas",
                        f"a decimal comma ({s.replace(',', '').replace('.', ',')})")
    if kind == "point-group" and style.decimal is None:
        raise CellError(f"'{s}' is ambiguous: a decimal point ({s}) or a thousands separator "
                        f"({s.replace('.', '')})? The file shows no other decimals, so it is not guessed",
                        f"the number without a separator ({s.replace('.', '')}), or decimal = \".\" in case.toml")
    if kind not in ("plain", "point", "comma", "point-group", "comma-group"):
        raise CellError(f"'{s}' is not a number", "a number such as 3.5")
    return float(s.replace(",", ".")) if style.decimal == "," else float(s)


_EXCEL_TEXT = re.compile(r'^="(.*)"$')  # `="<0.5"`: how lab systems keep a CSV cell as text for Excel


def unwrapped_text(text: object) -> str:
    """A cell made plain, with Excel's text wrapper `="..."` taken off (`="<0.5"` -> `<0.5`)."""
    s = plain_text(text)
    found = _EXCEL_TEXT.match(s)
    return found.group(1).strip() if found else s


def parse_cell(text: object, style: NumberStyle = POINT) -> Cell:
    """Read one lab-table cell; raises CellError (with what was expected) when it cannot be read."""
    s = unwrapped_text(text)
    folded = s.casefold()
    if folded in MISSING:
        return Cell(missing=True)
    flagged = _FLAG_AFTER.match(s) or _FLAG_BEFORE.match(s)
    if flagged:
        body, flag = (flagged.group(1), flagged.group(2)) if flagged.re is _FLAG_AFTER else \
            (flagged.group(2), flagged.group(1))
        inner = parse_cell(body, style)
        if inner.value is None or inner.flag is not None:
            raise CellError(f"'{s}' is not a value casetrack can read")
        return Cell(inner.value, inner.result, inner.qualifier, inner.unit, flag=flag)
    if _NUMBER_ANY.match(s) or _SPACED_THOUSANDS.match(s) or folded in NOT_A_NUMBER:
        return Cell(value=parse_number(s, style))
    titer = _TITER.match(s)
    if titer:
        return Cell(value=parse_number(titer.group(1)), unit="titer")
    censored = _CENSORED.match(s)
    if censored:
        inner = parse_cell(censored.group(2), style)
        if inner.value is None or inner.qualifier is not None:
            raise CellError(f"'{s}' is not a censored value")
        return Cell(value=inner.value, qualifier=_QUALIFIERS[censored.group(1)], unit=inner.unit, flag=inner.flag)
    with_unit = _WITH_UNIT.match(s)
    if with_unit and is_unit(with_unit.group(2)):
        return Cell(value=parse_number(with_unit.group(1), style), unit=normalise_unit(with_unit.group(2)))
    result = RESULTS.get(folded) or RESULTS.get(_PAREN.sub("", folded))
    if result is not None:
        return Cell(result=result)
    raise CellError(f"'{s}' is not a value casetrack can read")


def parse_cells(texts: pd.Series, style: NumberStyle = POINT) -> pd.DataFrame:
    """Parse a column of cells: one row per input with value/result/qualifier/unit/missing/error/expected.

    Each distinct text is parsed once, so a long column of repeated values costs little.
    """
    codes, uniques = pd.factorize(texts.map(plain_text), use_na_sentinel=False)
    rows = []
    for text in uniques:
        try:
            cell = parse_cell(text, style)
            rows.append((cell.value, cell.result, cell.qualifier, cell.unit, cell.missing, None, None))
        except CellError as exc:
            rows.append((None, None, None, None, False, str(exc), exc.expected))
    table = pd.DataFrame(rows, columns=["value", "result", "qualifier", "unit", "missing", "error", "expected"])
    if table.empty:
        table = table.astype({"value": "float64", "missing": "bool"})
    out = table.iloc[codes].reset_index(drop=True)
    out.index = texts.index
    return out


def parse_limit(text: str, style: NumberStyle = POINT) -> float:
    """A range limit: a number, or a titer `1:10` as its reciprocal."""
    titer = _TITER.match(text)
    return parse_number(titer.group(1)) if titer else parse_number(text, style)


_BRACKETED = re.compile(r"\(([^()]*\d[^()]*)\)|\[([^\[\]]*\d[^\[\]]*)\]")


def parse_range(text: object, style: NumberStyle = POINT) -> RefRange:
    """Read a reference range: `4.5–11.0`, `< 250`, `<1: 10`, `> 60`, `Negative`; empty gives no range. A unit
    after the range (`15 - 150 ng/mL`) is returned in `unit` for the caller to check against the row's.

    A bare number is read as an upper limit (ESR `22`), with a warning, since that is what tables mean
    by it far more often than a lower limit.
    """
    s = unwrapped_text(text)
    if s.casefold() in MISSING:
        return RefRange()
    if bracketed := _BRACKETED.fullmatch(s):  # `(12.0-16.0)`: papers print the range in brackets
        return parse_range(bracketed.group(1) or bracketed.group(2), style)
    try:
        split = split_by_sex(s)
    except SexLabelError as exc:
        raise CellError(str(exc), exc.expected) from exc
    if split is not None:
        return _range_by_sex(s, split, style)
    with_unit = _RANGE_UNIT.match(s)
    if with_unit and is_unit(with_unit.group(2)):  # lab systems print the unit after the range
        inner = parse_range(with_unit.group(1), style)
        return RefRange(inner.low, inner.high, inner.warning, normalise_unit(with_unit.group(2)))
    try:
        found = _RANGE.match(s)
        if found:
            low, high = parse_number(found.group(1), style), parse_number(found.group(2), style)
            if low > high:
                raise CellError(f"'{s}' has its low limit above its high limit")
            return RefRange(low, high)
        censored = _CENSORED.match(s)
        if censored:
            limit = parse_limit(censored.group(2).strip(), style)
            return RefRange(high=limit) if _QUALIFIERS[censored.group(1)] in ("<", "<=") else RefRange(low=limit)
        if _NUMBER_ANY.match(s) or _TITER.match(s):
            return RefRange(high=parse_limit(s, style),
                            warning=f"reference '{s}' is a bare number: read as an upper limit")
    except CellError as exc:
        raise CellError(str(exc), EXPECTED_RANGE) from exc
    if RESULTS.get(s.casefold()) or RESULTS.get(_PAREN.sub("", s.casefold())):
        return RefRange()
    raise CellError(f"'{s}' is not a reference range", EXPECTED_RANGE)


def _range_by_sex(text: str, split: dict[str, str], style: NumberStyle) -> RefRange:
    """A range printed per sex: each sex's text read as a range; one unit for both (printed once, after the
    last range, it applies to both). Equal ranges for both sexes are one range."""
    parsed = {}
    for sex, part in split.items():
        try:
            parsed[sex] = parse_range(part, style)
        except CellError as exc:
            raise CellError(f"'{text}': the {SEX_NAMES[sex]} range {exc}", exc.expected) from exc
    units = {r.unit for r in parsed.values()} - {None}
    if len(units) > 1:
        raise CellError(f"'{text}' prints the two sexes' ranges in different units ({', '.join(sorted(units))})",
                        "both ranges in the row's unit")
    empty = [sex for sex, r in parsed.items() if r.low is None and r.high is None]
    if empty and len(empty) < len(parsed):
        raise CellError(f"'{text}' gives no limits for {SEX_NAMES[empty[0]]}s", EXPECTED_RANGE)
    warnings = [f"{SEX_NAMES[sex]}: {r.warning}" for sex, r in parsed.items() if r.warning]
    unit, warning = (units.pop() if units else None), "; ".join(warnings) or None
    if len({(r.low, r.high) for r in parsed.values()}) == 1:
        return RefRange(parsed["F"].low, parsed["F"].high, warning, unit)
    return RefRange(warning=warning, unit=unit, by_sex=tuple((sex, parsed[sex].low, parsed[sex].high)
                                                             for sex in sorted(parsed)))
