"""Bytes or a spreadsheet sheet in, a checked grid of text cells out.

Every reader starts from a `Grid`, so encodings, separators, ragged rows and duplicate headers are
handled (and reported with line numbers) once, whatever the layout and whether it came from CSV or xlsx.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from dashboard.domain.text import plain_text
from dashboard.ingest.problems import Problem, error, warning

MAX_FILE_BYTES = 20 * 1024 * 1024  # a case's lab table is kilobytes; anything this big is not a case file
_SEPARATORS = (",", ";", "\t")


@dataclass
class Grid:
    """A header and data rows of text, each row padded to the header, with its 1-based file line.

    `title` is a caption line found above the header of a one-case table, `source` the text of a `Source: ...`
    note below its data (`ingest/preamble.py`), else "";
    `header_line` the header's own line (0 when unknown: then the line above the first data row).
    """

    file: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    problems: list[Problem] = field(default_factory=list)
    title: str = ""
    source: str = ""
    header_line: int = 0

    def header_row(self) -> int:
        """The file line of the header, for problems about a column."""
        return self.header_line or (self.lines[0] - 1 if self.lines else 1)


def decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Text of a file: UTF-8 (with or without BOM), UTF-16 with BOM, else Latin-1 with a warning."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            return None, [error("the file says UTF-16 but is not", file, expected="UTF-8 or UTF-16 text")]
    if b"\x00" in data[:4096]:
        return None, [error("unknown encoding (the file has NUL bytes: UTF-16 without a BOM, or not text)",
                            file, expected="a CSV saved as UTF-8 (or UTF-16 with a BOM)")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        return data.decode("cp1252" if _is_cp1252(data) else "latin-1"), [
            warning("not UTF-8: read as Latin-1 (Windows-1252); check symbols such as µ and °", file,
                    expected="UTF-8")]


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _separator(text: str) -> str:
    """The separator of the table: of `,`, `;` (European Excel) and tab, the one that splits the most of the
    first 50 non-blank lines into the same number of cells, so a title line above the header (no separator,
    or a comma in a tab file) does not decide it; a tie goes to the separator the first line has most of."""
    lines = [line for line in text.splitlines() if line.strip()][:50]
    first = lines[0] if lines else ""

    def support(sep: str) -> int:
        counts = Counter(line.count(sep) for line in lines if sep in line)
        return max(counts.values(), default=0)

    by_first = max(_SEPARATORS, key=first.count)
    best = max(_SEPARATORS, key=lambda sep: (support(sep), sep == by_first))
    return best if support(best) > 0 else ","


def plain_rows(raw: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The non-blank (line, cells) rows, each cell as plain text.

    Invisible characters of PDF/web copies (no-break and thin spaces, zero-width marks) go first, so a
    header `After\u00a0mPSL` is the timepoint case.toml calls `After mPSL`.
    """
    plain = [(line, [plain_text(c) for c in cells]) for line, cells in raw]
    return [(line, cells) for line, cells in plain if any(cells)]


def grid_from_rows(raw: list[tuple[int, list[str]]], file: str, problems: list[Problem] | None = None) -> Grid:
    """Check and pad (line, cells) rows: empty file, header only, ragged rows, duplicate headers."""
    return grid_from_plain(plain_rows(raw), file, problems)


def grid_from_plain(raw: list[tuple[int, list[str]]], file: str, problems: list[Problem] | None = None) -> Grid:
    """`grid_from_rows` of rows already made `plain_rows`: the first row is the header."""
    problems = list(problems or [])
    if not raw:
        problems.append(error("the file is empty", file, expected="a header row and data rows"))
        return Grid(file, [], [], [], problems)
    header_line, header = raw[0]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    rows, lines = [], []
    for line, cells in raw[1:]:
        extra = cells[width:]
        if any(extra):
            problems.append(error(f"row has {len(cells)} cells but the header has {width}", file, line,
                                  value=",".join(c for c in extra if c),
                                  expected=f"{width} cells per row (quote cells that contain the separator)"))
        elif len(cells) < width:
            problems.append(warning(f"row has {len(cells)} cells but the header has {width}: the missing cells "
                                    "are read as empty", file, line))
        rows.append((cells + [""] * width)[:width])
        lines.append(line)
    if not rows:
        problems.append(error("the file has a header but no data rows", file, header_line,
                              expected="at least one data row under the header"))
    seen: dict[str, int] = {}
    for position, name in enumerate(header):
        if not name:
            # the top-left cell of a wide table is often left blank: the first column is the label column
            if position > 0 and any(row[position] for row in rows):
                problems.append(error(f"column {position + 1} has values but no header", file, header_line,
                                      expected="a header for every column"))
            continue
        key = name.casefold()
        if key in seen:
            problems.append(error(f"duplicate column '{name}' (columns {seen[key] + 1} and {position + 1})",
                                  file, header_line, name, name, "each column header once"))
        else:
            seen[key] = position
    return Grid(file, header, rows, lines, problems, header_line=header_line)


def read_csv_rows(data: bytes, file: str) -> tuple[list[tuple[int, list[str]]] | None, list[Problem]]:
    """(line, cells) of a CSV (or semicolon/tab separated) file, or None with the problems that stop it."""
    if len(data) > MAX_FILE_BYTES:
        return None, [error(f"the file is {len(data) / 1e6:.0f} MB, over the {MAX_FILE_BYTES / 1e6:.0f} MB limit",
                            file, expected="a case file under the size limit")]
    text, problems = decode(data, file)
    if text is None:
        return None, problems
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text))
    try:
        return [(reader.line_num, cells) for cells in reader], problems
    except csv.Error as exc:
        problems.append(error(f"not a readable CSV: {exc}", file, reader.line_num, expected="CSV text"))
        return None, problems


def read_csv_grid(data: bytes, file: str) -> Grid:
    """Decode and split a CSV (or semicolon/tab separated) file into a checked grid, its first line the header."""
    raw, problems = read_csv_rows(data, file)
    return Grid(file, [], [], [], problems) if raw is None else grid_from_rows(raw, file, problems)


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold: 77.0 -> '77', 0.5 -> '0.5', None -> ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)
