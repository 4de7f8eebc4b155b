"""The lines around a labs table: a title above its header, notes below its data, as lab systems and papers
save them (`Table 1. Laboratory findings`, `Printed 2024-03-01`, `Abbreviations: ...`, `* p<0.05`).

The rule, on the non-blank lines of a whole labs file or sheet (a line's *width* is the position of its last
non-empty cell, so `Table 1,,,` of a spreadsheet export is one cell wide):

1. **The header** is the first line with at least two non-empty cells that is at least as wide as the next
   line with at least two non-empty cells (the first data row, which may miss its last values).
2. **Title lines** are the lines above the header. They are set aside only when every one of them
   - has its first cell filled and names no catalogue analyte (`Ferritin (ng/mL)` is data, never a title),
   - has one non-empty cell, or no number, date, timepoint or column name after its first cell
     (`Patient: Doe, John` is a banner; `Analyte,Day 0,Day 7` is a header), or is a `Table N` caption,
   and the header names no analyte and is not all numbers (a data row is not the header of a longer table).
   Otherwise nothing is set aside: the first line is the header, as in a file without a title, and when
   that reading has errors one more error names the line that looks like the header and how to fix it.
3. **Note lines** are the lines at the end of the file, after at least one data row, that have one
   non-empty cell (in the first column) or start like a note (`Abbreviations`, `Note`, `Source`, `Values`,
   `*`, `†`, `a ` ...), and name no catalogue analyte in their first cell (nor beside a value: `ALT, 40`).
   A line like that in the middle of the data stays data, as it always was (an unmapped label, warned).

Every line set aside is a warning naming its file, line and text ("read as a title/note, not data"), kept
with the case's warnings (a banner's name or date masked, with a privacy warning: `privacy.line_identifiers`).
A `Table N ...` caption among the title lines of a wide (one-case) table becomes the case's title, and a
`Source: ...` note the case's source, when case.toml gives none. A line above the header as wide as the
table is read as the header (rule 1), with a warning naming the line below it that looks like the header.
Events tables are read as they are. docs/case-format.md says the same to users.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise

from dashboard.domain.analytes import match_analyte
from dashboard.domain.timepoints import label_day
from dashboard.domain.values import number_tokens
from dashboard.ingest.grid import Grid, grid_from_plain, plain_rows, read_csv_rows
from dashboard.ingest.long import LONG_ALIASES, detect_layout
from dashboard.ingest.privacy import line_identifiers
from dashboard.ingest.problems import Problem, error, errors, warning
from dashboard.ingest.tidy import header_key
from dashboard.ingest.wide import OTHER_HEADERS, REFERENCE_HEADERS, UNIT_HEADERS

Rows = list[tuple[int, list[str]]]

NOTE_START = re.compile(
    r"^\s*(?:abbreviations?\b|notes?\b|n\.?b\.?\b|source\b|sources\b|values\b|data\b|footnotes?\b|legend\b|key\b|"
    r"reference\b|normal\b|printed\b|page\b|[*†‡§¶#]|[a-z](?:\s|\)|\.\s)|\(?\d\)\s|[ᵃ-ᶻ])", re.IGNORECASE)
SOURCE_NOTE = re.compile(r"^\s*sources?\s*:\s*(\S.*)$", re.IGNORECASE)  # the case's source, when case.toml has none
_NOT_LOWER_MARKER = re.compile(r"^\s*[A-Z](?:\s|\)|\.\s)")  # `A ` is no footnote letter; `a ` is


def read_labs_grid(data: bytes, file: str) -> Grid:
    """A labs CSV/TSV file as a checked grid, lines around its table set aside (`labs_grid`)."""
    raw, problems = read_csv_rows(data, file)
    return Grid(file, [], [], [], problems) if raw is None else labs_grid(raw, file, problems)


def labs_grid(raw: Rows, file: str, problems: list[Problem] | None = None) -> Grid:
    """The rows of a whole labs file or sheet as a grid, title and note lines set aside by the module's rule."""
    rows = plain_rows(raw)
    header_at = _header_at(rows)
    if header_at is None or (header_at > 0 and _data_like(rows[header_at][1])):
        return grid_from_plain(rows, file, problems)  # as a file without title: the first line is the header
    refusal = _why_not_title(rows[:header_at])
    if refusal is not None:
        grid = grid_from_plain(rows, file, problems)
        if errors(grid.problems):  # today's errors stand; one more says which line looks like the header
            grid.problems.append(_hint(file, rows[header_at], refusal, "error"))
        return grid
    end = _data_end(rows, header_at)
    header_line, last_line = rows[header_at][0], rows[end - 1][0]
    titles = [(line, cells, f"a title above the header on line {header_line}") for line, cells in rows[:header_at]]
    notes = [(line, cells, f"a note below the last data row, line {last_line}") for line, cells in rows[end:]]
    if notes:
        notes[0] = (*notes[0][:2], notes[0][2] + _blanks(last_line, notes[0][0]))
    if titles:
        titles[-1] = (*titles[-1][:2], titles[-1][2] + _blanks(titles[-1][0], header_line))
    set_aside = []
    for line, cells, where in titles + notes:
        text, identifiers = line_identifiers(_text(cells), file, line)  # a banner's name or date: masked
        set_aside += [warning(f"read as a title/note, not data ({where})", file, line, value=text,
                              expected="only the table's header and data rows are read"), *identifiers]
    grid = grid_from_plain(rows[header_at:end], file, [*(problems or []), *set_aside])
    transposed = detect_layout(grid.header) == "transposed"  # its Unit / Reference range rows follow the header
    if end > header_at + 1 and not transposed and _looks_like_header(rows[header_at + 1][1]):  # a wide banner
        grid.problems.append(_hint(file, rows[header_at + 1], (header_line, _text(rows[header_at][1]),
                                   "it has as many cells as the table, so it is read as the header"), "warning"))
    captions = [_text(cells) for _, cells in rows[:header_at] if _caption(cells)]
    if captions and detect_layout(grid.header) == "wide":
        grid.title = captions[0]
    sources = [found.group(1) for _, cells in rows[end:] if (found := SOURCE_NOTE.match(_text(cells)))]
    grid.source = sources[0] if sources else ""
    return grid


@cache
def _published():
    """The pasted-table importer's caption pattern and label-column names (imported here: that package imports
    the loader, which imports this module)."""
    from dashboard.ingest.published_table import model

    return model


@cache
def column_names() -> frozenset[str]:
    """What a column of a labs table is called (the readers' and the pasted-table importer's names)."""
    return frozenset({*_published().LABEL_WORDS, *REFERENCE_HEADERS, *UNIT_HEADERS, *OTHER_HEADERS,
                      *(name for names in LONG_ALIASES.values() for name in names)})


def _caption(cells: list[str]) -> bool:
    """A `Table 1`, `Table S2.` caption in the first cell."""
    return bool(_published().CAPTION.match(cells[0]))


def _blanks(before: int, after: int) -> str:
    """`, blank line 6 between` for the blank lines between two lines of the file, else ''."""
    blank = list(range(before + 1, after))
    if not blank:
        return ""
    return f", blank line {blank[0]} between" if len(blank) == 1 else f", blank lines {blank[0]}-{blank[-1]} between"


def _filled(cells: list[str]) -> int:
    return sum(1 for cell in cells if cell)


def _width(cells: list[str]) -> int:
    return max((i + 1 for i, cell in enumerate(cells) if cell), default=0)


def _text(cells: list[str]) -> str:
    """A line's text as a reader sees it: its non-empty cells, separated by ', '."""
    return ", ".join(cell for cell in cells if cell)


def _header_at(rows: Rows) -> int | None:
    """Rule 1: the first line of two or more cells at least as wide as the next such line."""
    wide = (i for i, (_, cells) in enumerate(rows) if _filled(cells) >= 2)  # lazy: a table's header is near its top
    for i, j in pairwise(wide):
        if _width(rows[i][1]) >= _width(rows[j][1]):
            return i
    return None


def _names_analyte(cells: list[str]) -> bool:
    """A catalogue analyte in the first cell, or in any cell of a line that also holds a number."""
    if match_analyte(cells[0]) is not None:
        return True
    named = [i for i, cell in enumerate(cells) if cell and match_analyte(cell) is not None]
    return bool(named) and any(number_tokens(cell) for i, cell in enumerate(cells) if cell and i not in named)


def _number(cell: str) -> bool:
    return bool(re.match(r"^\s*[-+<>≤≥]?\d", cell))


def _data_like(cells: list[str]) -> bool:
    """A data row: it names an analyte, or every cell after the first is a number."""
    rest = [cell for cell in cells[1:] if cell]
    return _names_analyte(cells) or (bool(rest) and all(_number(cell) for cell in rest))


def _column_name(cell: str) -> bool:
    """A timepoint (`Day 7`) or a column name (`Reference range`, `Unit`, `Analyte`)."""
    return label_day(cell) is not None or header_key(cell) in column_names()


def _looks_like_header(cells: list[str]) -> bool:
    """A label-column name first (`Analyte`, `Parameter`, `timepoint`), or two timepoints or column names."""
    return header_key(cells[0]) in column_names() or sum(_column_name(cell) for cell in cells[1:] if cell) >= 2


def _why_not_title(above: Rows) -> tuple[int, str, str] | None:
    """Rule 2: None when every line above the header is a title, else (line, text, why it is not)."""
    for line, cells in above:
        text = _text(cells)
        if not cells[0]:
            return line, text, "its first cell is empty (a heading over some columns, not a title)"
        if _names_analyte(cells):
            return line, text, "it names a catalogue analyte (data belongs below the header)"
        if _filled(cells) >= 2 and not _caption(cells) and (
                header_key(cells[0]) in column_names() or any(_number(c) or _column_name(c) for c in cells[1:] if c)):
            return line, text, "it holds a number, date, timepoint or column name, as a header or data row does"
    return None


def _hint(file: str, header: tuple[int, list[str]], refusal: tuple[int, str, str], severity: str) -> Problem:
    line, text, why = refusal
    make = error if severity == "error" else warning
    return make(f"line {header[0]} ('{_text(header[1])}') looks like the table's header, but line {line} above it "
                f"cannot be set aside as a title: {why}", file, line, value=text,
                expected=f"the header as the first line, or only titles above it: delete line {line}, move it below "
                         "the header or join its text into one cell (case.toml can hold a title and source)")


def _data_end(rows: Rows, header_at: int) -> int:
    """Rule 3: the index after the last data row; the note lines at the end of the file follow it."""
    end = len(rows)
    while end > header_at + 2 and _is_note(rows[end - 1][1]):
        end -= 1
    return end


def _is_note(cells: list[str]) -> bool:
    if not cells[0] or _names_analyte(cells):
        return False
    if _filled(cells) == 1:
        return True
    return bool(NOTE_START.match(cells[0])) and not _NOT_LOWER_MARKER.match(cells[0])
