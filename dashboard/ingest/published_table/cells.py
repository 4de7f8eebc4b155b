"""Text repairs of a published table's cells, each one recorded: what a careful reader undoes by eye.

PDF and web copies add invisible characters, footnote markers (`9560†`, `22ᵃ`), thousands separators
(`21 400`, `>50,000`), decimal commas and mangled exponents (`109/L` for 10⁹/L). A lab's own flag
(`8580 H`) and missing markers (`nd`, `…`, `/`) are left to the cell parser (domain/values.py).
Each repair here is unambiguous by itself or by a decision made once for the whole table (the decimal
style); anything else is left as written, so the cell parser refuses it and the user is asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from dashboard.domain.text import HYPHENS, REMOVED, SPACES
from dashboard.domain.values import scan_numbers

_PLAIN = str.maketrans({**dict.fromkeys(SPACES, " "), **dict.fromkeys(REMOVED, None), **dict.fromkeys(HYPHENS, "-")})
_THIN_THOUSANDS = re.compile(r"(?<=\d)[\u2009\u202f\u2007](?=\d{3}(?!\d))")
_FOOTNOTE = r"[*†‡§¶#^]+|[ᵃᵇᶜᵈᵉᶠᵍ]+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+"
_TRAILING_MARKER = re.compile(rf"^(.*\d)\s*({_FOOTNOTE}|(?<=\d)[a-f](?![a-z]))$")
_LEADING_MARKER = re.compile(rf"^({_FOOTNOTE})\s*(?=[<>≤≥]?\d)")
_COMMA_GROUPS = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+)(\.\d+)?(?![\d,])")
_LAKH_GROUPS = re.compile(r"(?<![\d.,])(\d{1,2}(?:,\d{2})+,\d{3})(?![\d,])")  # `1,12,000` = 112000
_BRACKET_FLAG = re.compile(r"^(.*\d)\s*\[(H|L|HH|LL)\]$")
_SPACE_GROUPS = re.compile(r"^([<>≤≥]=?\s*)?(\d{1,3}(?: \d{3})+)(\.\d+)?$")
_SPACED_RANGE = re.compile(r"^(\d+(?: \d{3})*)\s*([-–—])\s*(\d{1,3}(?: \d{3})+|\d+)$")
_DECIMAL_COMMA = re.compile(r"(?<![\d,])(\d+),(\d{1,2}|\d{4,})(?![\d,])")  # `1,260` stays: 1260 or 1.26?
_MANGLED_UNIT = re.compile(r"^(?:[x×]\s*)?10(?:\s*[×x]\s*)?(3|6|9|12)\s*/")  # `109/L`, `x 10×9/L`
_EXPONENT_CELL = re.compile(r"^(\d+(?:\.\d+)?)\s*[x×]\s*10(?:\^|\*\*|\*|e|E)?(3|6|9|12)$")
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
# `3.2 × 10^4`, `4.6×10⁵`, `1.2 x 10E6`, `2.1E+04`: the power of ten printed as such (caret, superscript, E)
_WRITTEN_EXPONENT = re.compile(
    r"^([<>≤≥]=?\s*)?(\d+(?:\.\d+)?)\s*(?:[x×·*]\s*10\s*(?:\^|\*\*|[eE])\s*\+?(\d{1,2})|[x×·*]\s*10([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})"
    r"|[eE]\+?(\d{1,2}))$")


@dataclass(frozen=True)
class Repair:
    """One change made to the text as printed: where, before, after, and why."""

    line: int | None
    column: str
    before: str
    after: str
    what: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "table"
        column = f", {self.column}" if self.column else ""
        return f"{where}{column}: '{self.before}' -> '{self.after}': {self.what}"


def normalise_text(text: str) -> tuple[str, int]:
    """Invisible characters of a copy made plain (domain.text's rule); thin spaces between digit groups are
    thousands separators and are joined first. Returns (text, number of characters changed)."""
    joined = _THIN_THOUSANDS.sub("", text)
    count = len(text) - len(joined) + sum(joined.count(c) for c in (*SPACES, *REMOVED, *HYPHENS))
    return joined.translate(_PLAIN), count  # not plain_text(): it strips, and a leading tab is an empty cell


def decimal_style(cells: list[str]) -> str | None:
    """'.', ',', 'mixed' or None: how the table's numbers write decimals, decided once per table.

    The one rule of domain.values.scan_numbers (the same as for any case file): `3,5` or `0,72` is a
    decimal comma, `4.08` a decimal point, and `1,260` or `1.260` decide nothing.
    """
    return scan_numbers(cells)[0]


def repair_cell(text: str, style: str | None, line: int | None, column: str) -> tuple[str, list[Repair]]:
    """A value cell with its markers, flags and separators undone; each change recorded."""
    repairs: list[Repair] = []
    cell = " ".join(text.split())

    def record(after: str, what: str) -> None:
        nonlocal cell
        if after != cell:
            repairs.append(Repair(line, column, cell, after, what))
            cell = after

    if found := _LEADING_MARKER.match(cell):
        record(cell[found.end():], f"footnote marker '{found.group(1)}' removed")
    if (found := _TRAILING_MARKER.match(cell)) and not _WRITTEN_EXPONENT.match(cell):  # `10⁵` is no footnote
        record(found.group(1).rstrip(), f"footnote marker '{found.group(2)}' removed")
    if cell in ("(-)", "(+)"):
        record("negative" if cell == "(-)" else "positive", f"'{cell}' read as the finding it marks")
    if found := _BRACKET_FLAG.match(cell):
        record(f"{found.group(1)} ({found.group(2)})", "the lab's flag in brackets written as '(H)'")
    if found := _SPACED_RANGE.match(cell):
        record(f"{found.group(1).replace(' ', '')}{found.group(2)}{found.group(3).replace(' ', '')}",
               "spaces as thousands separators removed from the range")
    if found := _SPACE_GROUPS.match(cell):
        record((found.group(1) or "") + found.group(2).replace(" ", "") + (found.group(3) or ""),
               "space as thousands separator removed")
    after, what = _separators(cell, style)
    if what:
        record(after, what)
    return cell, repairs


def _separators(cell: str, style: str | None) -> tuple[str, str | None]:
    """Thousands and decimal separators by the table's style; an ambiguous comma is left for the parser."""
    if style != "," and _LAKH_GROUPS.search(cell):
        return _LAKH_GROUPS.sub(lambda m: m.group(1).replace(",", ""), cell), ("Indian digit grouping "
                                                                                "(lakhs) read as thousands")
    groups = _COMMA_GROUPS.search(cell)
    if groups and (style == "." or groups.group(2) or groups.group(1).count(",") > 1):
        after = _COMMA_GROUPS.sub(lambda m: m.group(1).replace(",", "") + (m.group(2) or ""), cell)
        because = " (the table writes decimals with a point)" if style == "." else ""
        return after, "comma as thousands separator removed" + because
    if style == "," and _DECIMAL_COMMA.search(cell) and not re.search(r"\d\.\d", cell):
        return _DECIMAL_COMMA.sub(r"\1.\2", cell), "decimal comma read as a point (the table writes decimals with a comma)"
    return cell, None


def exponent_cell(text: str) -> tuple[str, int, bool] | None:
    """(number, power of ten, printed as a power?) of a cell in scientific notation, else None.

    `4.6×10⁵`, `3.2 × 10^4`, `2.1E+04` print the power as such (True); `234 × 106` is a ×10⁶ whose
    superscript the copy flattened (False: read only for a count per volume, see rows.py). A comparator
    stays in front of the number: `<1.0 × 10^3` -> ('<1.0', 3, True).
    """
    cell = " ".join(text.split())
    if found := _WRITTEN_EXPONENT.match(cell):
        power = found.group(3) or (found.group(4) or "").translate(_SUPERSCRIPT) or found.group(5)
        return (found.group(1) or "").replace(" ", "") + found.group(2), int(power), True
    found = _EXPONENT_CELL.match(cell)
    return (found.group(1), int(found.group(2)), False) if found else None


def times_power(number: str, power: int) -> str:
    """`3.2`, 4 -> `32000`: decimal arithmetic, so no float noise (`32000.000000000004`) reaches the grid."""
    sign = re.match(r"^[<>≤≥]=?", number)
    digits = number[sign.end():] if sign else number
    return (sign.group(0) if sign else "") + format(Decimal(digits).scaleb(power).normalize(), "f")


def repair_unit(unit: str, line: int | None) -> tuple[str, list[Repair]]:
    """A unit whose superscript exponent the copy flattened (`109/L`, `×103/uL`) -> `10^9/L`, recorded."""
    text = " ".join(unit.split())
    if re.match(r"^X\s*10", text):  # `X10^9/L`: the times sign typed as a capital X
        return repair_unit("×" + text[1:], line)
    found = _MANGLED_UNIT.match(text)
    if not found:
        return text, []
    repaired = f"10^{found.group(1)}/" + text[found.end():].strip()
    return repaired, [Repair(line, "unit", text, repaired, f"'10{found.group(1)}' read as the exponent "
                                                             f"10^{found.group(1)} (a flattened superscript)")]
