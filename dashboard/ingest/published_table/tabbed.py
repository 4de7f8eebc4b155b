"""Rows of cells (tab-separated text, HTML tables, PDF rows split by position) -> a published table.

The widest common row length is the table's width; shorter rows are cells wrapped onto two lines
(joined back when the pieces add up) or rows whose blank cells cannot be placed (refused). A header
over two rows, a panel column beside the labels and a table printed with analytes as columns are
recognised and noted.
"""

from __future__ import annotations

import re
from collections import Counter

from dashboard.domain.analytes import match_analyte
from dashboard.ingest.published_table.cells import Repair
from dashboard.ingest.published_table.model import (
    CAPTION,
    PublishedTable,
    header_kind,
    refuse_row,
    section_header,
)
from dashboard.ingest.published_table.rows import add_row, table_style
from dashboard.ingest.transposed import timepoint_names


def _caption_and_first(caption: str, line: int, first_cell: str, table_notes: list) -> tuple[str, str]:
    """`Table 1Infectious studies` glued to the first header cell -> caption, header cell."""
    found = CAPTION.match(first_cell)
    if not found:
        return caption, first_cell
    table_notes.append(Repair(line, "header", first_cell, found.group(1) + " | " + found.group(2),
                              "caption glued to the first header cell split off"))
    return (found.group(1) + (" " + found.group(2) if found.group(2) else "")).strip(), found.group(2)


def read_tabbed(lines: list[tuple[int, str]], caption: str, file: str) -> PublishedTable | None:
    """Tab-separated rows: header, then data rows; wrapped cells rejoined; short rows refused."""
    rows = [(n, [c.strip() for c in line.split("\t")]) for n, line in lines]
    return read_cells(rows, caption, file, "tab-separated")


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def _fit(cells: list[str], width: int) -> list[str]:
    """A row's cells: trailing empty cells kept up to the width (blank cells of a copied table), not past it."""
    trimmed = _trim(cells)
    return cells[:width] if len(trimmed) <= width <= len(cells) else trimmed


def _group_column(rows: list[tuple[int, list[str]]], width: int) -> bool:
    """A first column of panel names (`CBC` spanning its rows) beside the label column."""
    full = [cells for _, cells in rows if len(cells) == width][1:]  # below the header
    if width < 4 or len(full) < 3:
        return False
    first = sum(match_analyte(c[0]) is not None for c in full)
    second = sum(match_analyte(c[1]) is not None for c in full)
    return first == 0 and second >= 0.5 * len(full) and len({c[0] for c in full}) <= 0.5 * len(full)


def _transposed(rows: list[tuple[int, list[str]]], width: int) -> list[tuple[int, list[str]]] | None:
    """The rows of a table printed with analytes as columns (`Date | WBC | Hb | ...`), turned; else None."""
    header_at = next((i for i, (_, cells) in enumerate(rows) if len(cells) == width), None)
    if header_at is None:
        return None
    header_line, header = rows[header_at]
    body = [(n, cells) for n, cells in rows[header_at + 1:] if len(cells) == width]
    named = sum(match_analyte(h) is not None for h in header[1:])
    firsts = sum(match_analyte(cells[0]) is not None for _, cells in body)
    if named < 2 or named < 0.6 * (width - 1) or firsts > 0.3 * max(len(body), 1) or not body:
        return None
    turned = [[header[0] or "Parameter", *timepoint_names(header[0], [cells[0] for _, cells in body])]]
    turned += [[header[j], *[cells[j] for _, cells in body]] for j in range(1, width)]
    return [(header_line, cells) for cells in turned]


def read_cells(rows: list[tuple[int, list[str]]], caption: str, file: str, layout: str,
               transpose: bool | None = None) -> PublishedTable | None:
    """Rows of cells (tab-separated text, HTML, PDF) -> a table; the first row of the widest kind is the header."""
    rows = [(n, cells) for n, cells in rows if any(cells)]
    if len(rows) < 2:
        return None
    counts = Counter(len(_trim(cells)) for _, cells in rows if len(_trim(cells)) >= 2)
    common = [count for count, times in counts.items() if times >= max(2, len(rows) // 5)]
    if not counts:
        return None
    width = max(common) if common else counts.most_common(1)[0][0]  # wrapped rows are short, never long
    rows = [(n, _fit(cells, width)) for n, cells in rows]
    if _group_column(rows, width):
        table = read_cells([(n, cells[1:]) for n, cells in rows], caption, file, layout, transpose)
        if table is not None:
            table.notes.append("the first column groups the rows (a panel name beside each label): set aside")
        return table
    if transpose is None:
        flipped = _transposed(rows, width)
        if flipped is not None:
            table = read_cells(flipped, caption, file, layout, transpose=False)
            if table is not None:
                table.notes.append("analytes are the columns and timepoints the rows: the table was transposed "
                                   "(line numbers are those of the header row)")
            return table
    table = PublishedTable(caption, layout, [], [], file)
    rows = _rejoin(rows, width, table)
    header_at = next((i for i, (_, cells) in enumerate(rows) if len(cells) == width), None)
    if header_at is None:
        return None
    for n, cells in rows[:header_at]:
        if CAPTION.match(cells[0]) and not table.caption:
            table.caption = cells[0]
    header_at = _group_header(rows, header_at, width, table)
    header_at = _header_below(rows, header_at, width, table)
    header_line, header = rows[header_at]
    if _lab_row(header):  # the real header has fewer cells (`Parameter<tab>Day 1 Day 5 Reference`)
        return None
    caption, header[0] = _caption_and_first(table.caption, header_line, header[0], table.repairs)
    table.caption = caption
    kinds = [header_kind(h) for h in header]
    reference = next((i for i, k in enumerate(kinds) if k == "reference" and i > 0), None)
    unit = next((i for i, k in enumerate(kinds) if k == "unit" and i > 0), None)
    flags = [i for i, k in enumerate(kinds) if k == "flag" and i > 0]
    if flags:
        table.notes.append(f"the column '{header[flags[0]]}' holds the lab's flags: set aside (the values are read)")
    points = [i for i in range(1, width) if i not in (reference, unit, *flags)]
    table.timepoints = _unique([header[i] or f"T{k + 1}" for k, i in enumerate(points)], table)
    body = rows[header_at + 1:]
    style = table_style([cells for _, cells in body])
    pending = ""
    for n, cells in body:
        if len(cells) == 1 or all(not c for c in cells[1:]):
            pending = _section_or_label(table, n, cells[0], pending)
            continue
        if len(cells) != width:
            refuse_row(table, n, cells[0], "\t".join(cells), f"the row has {len(cells)} cells and the header "
                       f"{width}: which cell is missing cannot be told")
            continue
        label = cells[0]
        if pending and (not label or label[:1].islower() or label.startswith("(")):
            table.repairs.append(Repair(n, "label", label, f"{pending} {label}".strip(),
                                        "label wrapped onto two lines joined"))
            label = f"{pending} {label}".strip()
        elif pending:
            _section_or_label(table, n, "", pending)
        pending = ""
        add_row(table, n, label, cells[unit] if unit is not None else "",
                cells[reference] if reference is not None else "", [cells[i] for i in points], style)
    return table if table.rows else None


VALUE_CELL = re.compile(r"^[<>≤≥]?\s*\d[\d.,\s]*$")


def _lab_row(cells: list[str]) -> bool:
    """A catalogue analyte with values: a row of data where the header should be. Read as the header, its
    values would become timepoint names and the rows under them shift (CRP's `<0.5` read as a value)."""
    return match_analyte(cells[0]) is not None and any(VALUE_CELL.match(c.strip()) for c in cells[1:])


def _group_header(rows: list[tuple[int, list[str]]], at: int, width: int, table: PublishedTable) -> int:
    """A header over two rows (`Hospital day` spanning `1 3 7`): the names joined, the lower row returned."""
    top = rows[at][1]
    if at + 1 >= len(rows) or all(top[1:]) or not any(top[1:]):
        return at
    below_line, below = rows[at + 1]
    if len(below) != width or sum(1 for c in below[1:] if c) < width - 2 or match_analyte(below[0]) is not None:
        return at
    group, joined = "", list(below)
    for j in range(1, width):
        group = top[j] or group
        if not below[j]:
            joined[j] = top[j]  # `Reference` over an empty cell
        elif header_kind(below[j]) is None and group and header_kind(group) is None:
            joined[j] = f"{group} {below[j]}"
    joined[0] = below[0] or top[0]
    table.repairs.append(Repair(below_line, "header", " | ".join(top) + " / " + " | ".join(below),
                                " | ".join(joined), "a header over two rows joined (the upper cell spans those below)"))
    rows[at + 1] = (below_line, joined)
    return at + 1


_HEADER_NOTE = re.compile(r"^\(.*\)$|^\d{1,4}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?$|^[A-Za-z][A-Za-z .+\-]*\d*$")


def _header_below(rows: list[tuple[int, list[str]]], at: int, width: int, table: PublishedTable) -> int:
    """A second header row without a label (`(03/12)`, `HD 4` under `Admission`, `Day 4`): joined to the
    names above it, the lower row returned as the header. Its cells must all be dates, words or
    parentheses (never a number a row could hold)."""
    if at + 1 >= len(rows):
        return at
    below_line, below = rows[at + 1]
    filled = [c for c in below[1:] if c]
    if len(below) != width or below[0] or len(filled) < 2 or not all(_HEADER_NOTE.match(c) for c in filled):
        return at
    top = rows[at][1]
    joined = [top[0], *[f"{t} {b}".strip() if header_kind(t) is None else t for t, b in zip(top[1:], below[1:],
                                                                                             strict=True)]]
    table.repairs.append(Repair(below_line, "header", " | ".join(top) + " / " + " | ".join(below),
                                " | ".join(joined), "a second header row (no label) joined to the names above"))
    rows[at + 1] = (below_line, joined)
    return at + 1


def _section_or_label(table: PublishedTable, line: int, text: str, pending: str) -> str:
    """A row with a label and no values: a section header (`CBC`) or the first line of a wrapped label."""
    if pending:
        section_header(table, line - 1, pending)
    return text


def _rejoin(rows: list[tuple[int, list[str]]], width: int, table: PublishedTable) -> list[tuple[int, list[str]]]:
    """Join a row broken over lines by a line break inside a cell (its pieces add up to the width)."""
    out: list[tuple[int, list[str]]] = []
    i = 0
    while i < len(rows):
        n, cells = rows[i]
        joined = list(cells)
        j = i
        while 1 < len(joined) < width and j + 1 < len(rows) and len(joined) + len(rows[j + 1][1]) - 1 <= width:
            nxt = rows[j + 1][1]
            joined = joined[:-1] + [f"{joined[-1]} {nxt[0]}".strip()] + nxt[1:]
            j += 1
        if j > i and len(joined) == width:
            table.repairs.append(Repair(n, "row", " | ".join(cells), " | ".join(joined),
                                        f"a cell wrapped onto {j - i + 1} lines joined"))
            out.append((n, joined))
            i = j + 1
        else:
            out.append((n, cells))
            i += 1
    return out


def _unique(names: list[str], table: PublishedTable) -> list[str]:
    seen: Counter = Counter()
    out = []
    for name in names:
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
        if seen[name] > 1:
            table.notes.append(f"timepoint '{name}' appears twice: the second is named '{out[-1]}'")
    return out
