"""Text copied from a case report: tab-separated (from a web table) or flattened PDF text (spaces only).

Tab-separated text has its cells; wrapped cells show as short lines and are joined back. Flattened text
has lost its columns: each row is read from the right, where the values are, against the number of
timepoint columns of the table (the count most rows agree on); what is left is the label and the
reference range. A row that does not fit is refused rather than shifted.
"""

from __future__ import annotations

import re
from collections import Counter

from dashboard.ingest.published_table.cells import Repair, normalise_text
from dashboard.ingest.published_table.header import split_header
from dashboard.ingest.published_table.model import PublishedTable, header_kind, refuse_row
from dashboard.ingest.published_table.rows import add_row, table_style

CAPTION = re.compile(r"^\s*((?:Supplementary\s+)?(?:Table|Tab\.)\s*S?\d+(?:[A-Za-z](?=[\s.:]))?)[.:|]?\s*(.*)$")
_NUM = r"[+\-]?(?:\d+(?:[.,]\d+)*|\.\d+)"
_MARK = r"(?:[*†‡§¶#^]+|[ᵃᵇᶜᵈᵉᶠᵍ]+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|(?<=\d)[a-f](?=\s|$))?(?:\s+(?:H|L|HH|LL)(?=\s|$)|\s*[↑↓]+)?"
_QUALITATIVE = (r"not detected|non-reactive|nonreactive|weakly positive|positive|negative|pos|neg|normal|"
                r"low|high|yes|no|detected|reactive|absent|present|trace|\+{1,4}")
_MISSING = r"–|—|-|‒|nd|ND|n\.d\.|NA|N/A|n/a|…|\.\.\.|/|NR|NM"
VALUE_TOKENS = (
    re.compile(r"(?:^|(?<=\s))([<>≤≥]=?\s*1\s*:\s*\d+)$"),
    re.compile(r"(?:^|(?<=\s))(1\s*:\s*\d+(?:\s*\([^()]*\))?)$"),
    re.compile(rf"(?:^|(?<=\s))([<>≤≥]=?\s*{_NUM}{_MARK})$"),
    re.compile(rf"(?:^|(?<=\s))({_NUM}(?:\s*/\s*{_NUM})+)$"),
    re.compile(rf"(?:^|(?<=\s))([*†‡§¶#^]*{_NUM}{_MARK})$"),
    re.compile(rf"(?:^|(?<=\s))({_MISSING})$"),
    re.compile(rf"(?:^|(?<=\s))({_QUALITATIVE})$", re.I),
)
_RANGE = _NUM
RANGE_TOKEN = re.compile(rf"(?:^|(?<=\s))({_RANGE}\s*(?:[-–—~]|to)\s*{_RANGE}|{_RANGE}\s+(?:[-–—]|to)\s+{_RANGE})$")
REF_TOKENS = (RANGE_TOKEN, *VALUE_TOKENS)


def segments(text: str) -> list[tuple[str, int, list[tuple[int, str]]]]:
    """(caption, caption line, [(line, text)]) for each `Table N` in the text; the whole text when none."""
    normal, _ = normalise_text(text)
    lines = [(n, line.rstrip()) for n, line in enumerate(normal.splitlines(), start=1)]
    found: list[tuple[str, int, list[tuple[int, str]]]] = []
    for number, line in lines:
        caption = CAPTION.match(line.split("\t")[0])
        if caption:
            found.append((line.strip(), number, []))
        elif found:
            found[-1][2].append((number, line))
    if not found:
        return [("", 0, lines)]
    return found


def read_text(text: str, file: str = "table") -> list[PublishedTable]:
    """Every table in a text (one per `Table N` caption), in order; tables without data rows are dropped."""
    tables = []
    _, invisible = normalise_text(text)
    for caption, caption_line, lines in segments(text):
        lines = [(n, line) for n, line in lines if line.strip()]
        tabbed = sum("\t" in line for _, line in lines)
        if caption_line and "\t" in caption:  # `Table 1Infectious studies<TAB>Day 1...`: a glued header row
            lines.insert(0, (caption_line, caption))
            caption = caption.split("\t")[0]
        table = (read_tabbed(lines, caption, file) if tabbed >= max(2, len(lines) // 2)
                 else read_flattened(lines, caption, file))
        if table is None:
            continue
        if invisible:
            table.notes.append(f"{invisible} invisible or look-alike character(s) of the copy normalised "
                               "(no-break and thin spaces, soft and non-breaking hyphens, zero-width marks)")
        table.source = text
        tables.append(table)
    return tables


def _caption_and_first(caption: str, line: int, first_cell: str, table_notes: list) -> tuple[str, str]:
    """`Table 1Infectious studies` glued to the first header cell -> caption, header cell."""
    found = CAPTION.match(first_cell)
    if not found:
        return caption, first_cell
    table_notes.append(Repair(line, "header", first_cell, found.group(1) + " | " + found.group(2),
                              "caption glued to the first header cell split off"))
    return (found.group(1) + (" " + found.group(2) if found.group(2) else "")).strip(), found.group(2)


# ------------------------------------------------------------------------------------------ tab-separated
def read_tabbed(lines: list[tuple[int, str]], caption: str, file: str) -> PublishedTable | None:
    """Tab-separated rows: header, then data rows; wrapped cells rejoined; short rows refused."""
    rows = [(n, [c.strip() for c in line.split("\t")]) for n, line in lines]
    rows = [(n, _trim(cells)) for n, cells in rows]
    return read_cells(rows, caption, file, "tab-separated")


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def read_cells(rows: list[tuple[int, list[str]]], caption: str, file: str, layout: str) -> PublishedTable | None:
    """Rows of cells (tab-separated text, HTML, PDF) -> a table; the first row of the widest kind is the header."""
    rows = [(n, cells) for n, cells in rows if any(cells)]
    if len(rows) < 2:
        return None
    width = Counter(len(cells) for _, cells in rows if len(cells) >= 2).most_common(1)
    if not width:
        return None
    width = width[0][0]
    table = PublishedTable(caption, layout, [], [], file)
    rows = _rejoin(rows, width, table)
    header_at = next((i for i, (_, cells) in enumerate(rows) if len(cells) == width), None)
    if header_at is None:
        return None
    for n, cells in rows[:header_at]:
        if CAPTION.match(cells[0]) and not table.caption:
            table.caption = cells[0]
    header_line, header = rows[header_at]
    caption, header[0] = _caption_and_first(table.caption, header_line, header[0], table.repairs)
    table.caption = caption
    kinds = [header_kind(h) for h in header]
    reference = next((i for i, k in enumerate(kinds) if k == "reference" and i > 0), None)
    unit = next((i for i, k in enumerate(kinds) if k == "unit" and i > 0), None)
    points = [i for i in range(1, width) if i not in (reference, unit)]
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
        pending = ""
        add_row(table, n, label, cells[unit] if unit is not None else "",
                cells[reference] if reference is not None else "", [cells[i] for i in points], style)
    return table if table.rows else None


def _section_or_label(table: PublishedTable, line: int, text: str, pending: str) -> str:
    """A row with a label and no values: a section header (`CBC`) or the first line of a wrapped label."""
    if pending:
        table.notes.append(f"line {line - 1}: '{pending}' has no values: read as a section header")
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


# ------------------------------------------------------------------------------------------- flattened
def value_tail(text: str, ranges_spaced: bool = False) -> tuple[str, list[str]]:
    """(what is left, value tokens from the right); stops at a reference range or a word."""
    rest = text.strip()
    tokens: list[str] = []
    while rest:
        ranged = RANGE_TOKEN.search(rest)
        if ranged and (ranges_spaced or not re.search(r"\s[-–—]\s", ranged.group(1))):
            break
        for pattern in VALUE_TOKENS:
            found = pattern.search(rest)
            if found:
                tokens.insert(0, found.group(1))
                rest = rest[:found.start(1)].rstrip()
                break
        else:
            break
    return rest, tokens


def reference_tail(text: str) -> tuple[str, str]:
    """(label part, reference) taken from the right of what a row has left after its values."""
    rest = text.strip()
    for pattern in REF_TOKENS:
        found = pattern.search(rest)
        if found and rest[:found.start(1)].strip():
            return rest[:found.start(1)].rstrip(), found.group(1)
    return rest, ""


def read_flattened(lines: list[tuple[int, str]], caption: str, file: str) -> PublishedTable | None:
    """Space-separated rows whose columns were lost: values read from the right of each row."""
    spaced = (not any(re.search(r"\d[-–—]\d", line) for _, line in lines)
              and any(re.search(r"\d\s[-–—]\s\d", line) for _, line in lines))
    tails = [(n, line, *value_tail(line, spaced)) for n, line in lines]
    counts = Counter(len(tokens) for _, _, rest, tokens in tails if tokens and rest and not _is_header(rest))
    if not counts:
        return None
    table = PublishedTable(caption, "flattened text", [], [], file)
    first_data = next(i for i, (_, _, rest, tokens) in enumerate(tails) if tokens and rest and not _is_header(rest)
                      and len(tokens) >= counts.most_common(1)[0][0] - 1)
    header_lines = _header_lines(tails[:first_data])
    header_text = " ".join(line for _, line in header_lines)
    has_reference = bool(re.search(r"\b(reference|normal|ref\.?)\b", header_text, re.I))
    with_range = Counter(len(tokens) for _, _, rest, tokens in tails[first_data:]
                         if tokens and RANGE_TOKEN.search(rest))
    if with_range:
        n = with_range.most_common(1)[0][0]
    else:
        n = counts.most_common(1)[0][0] - (1 if has_reference else 0)
    reference_last = bool(re.search(r"(reference|normal)\s*(range|values?|interval)?\s*$", header_text, re.I))
    table.timepoints, header_notes = split_header(header_text, n)
    table.notes.extend(header_notes)
    style = table_style([[rest, *tokens] for _, _, rest, tokens in tails[first_data:]])
    pending: tuple[int, str] | None = None
    for n_line, line, rest, tokens in tails[first_data:]:
        if not tokens:
            if pending:
                table.notes.append(f"line {pending[0]}: '{pending[1]}' has no values: read as a section header")
            pending = (n_line, line.strip())
            continue
        if pending and (rest[:1].islower() or rest.startswith("(") or not rest):
            table.repairs.append(Repair(n_line, "label", rest, f"{pending[1]} {rest}".strip(),
                                        "label wrapped onto two lines joined"))
            rest = f"{pending[1]} {rest}".strip()
        elif pending:
            table.notes.append(f"line {pending[0]}: '{pending[1]}' has no values: read as a section header")
        pending = None
        _flattened_row(table, n_line, line, rest, tokens, n, has_reference, reference_last, style)
    return table if table.rows else None


def _flattened_row(table: PublishedTable, line: int, text: str, rest: str, tokens: list[str], n: int,
                   has_reference: bool, reference_last: bool, style: str) -> None:
    reference = ""
    if reference_last and has_reference:
        if len(tokens) == n + 1:
            reference, tokens = tokens[-1], tokens[:-1]
        elif len(tokens) == n and RANGE_TOKEN.search(rest) is None:
            refuse_row(table, line, rest, text, f"{n} values and a reference range were expected at the end")
            return
    tokens = _merge_thousands(tokens, n + (1 if has_reference and not reference_last else 0), table, line)
    if len(tokens) < n:
        refuse_row(table, line, rest, text, f"{len(tokens)} value(s) for {n} timepoint columns: which column a "
                   "value belongs to cannot be told")
        return
    values, extra = tokens[len(tokens) - n:], tokens[:len(tokens) - n]
    rest = " ".join([rest, *extra]).strip()
    if has_reference and not reference:
        rest, reference = reference_tail(rest)
        if not reference and re.match(r"^[<>≤≥]?\d", values[0]):
            refuse_row(table, line, rest, text, "no reference range was found, so the first number could be the "
                       "reference range or the first value")
            return
    if not rest:
        refuse_row(table, line, rest, text, "the row has no label")
        return
    add_row(table, line, rest, "", reference, values, style)


def _merge_thousands(tokens: list[str], target: int, table: PublishedTable, line: int) -> list[str]:
    """`21 400 8 600` for two columns: joined as thousands only when exactly one way fits the count."""
    if len(tokens) <= target and not any(re.fullmatch(r"0\d\d", t) for t in tokens):
        return tokens
    ways = [w for w in _joins(tokens) if len(w) in (target, target - 1)]
    if len(ways) == 1 and ways[0] != tokens:
        table.repairs.append(Repair(line, "row", " ".join(tokens), " | ".join(ways[0]),
                                    "spaces as thousands separators (the only reading that fits the columns)"))
        return ways[0]
    return tokens if not any(re.fullmatch(r"0\d\d", t) for t in tokens) else []


def _joins(tokens: list[str]) -> list[list[str]]:
    if not tokens:
        return [[]]
    out = [[tokens[0], *rest] for rest in _joins(tokens[1:])]
    if len(tokens) > 1 and re.fullmatch(r"\d{1,3}", tokens[0]) and re.fullmatch(r"\d{3}(?:\.\d+)?", tokens[1]):
        out += [[tokens[0] + tokens[1], *rest] for rest in _joins(tokens[2:])]
    return out


_HEADER_START = re.compile(r"^(parameters?|variables?|tests?|analytes?|laborator(y|ies)|investigations?|items?|"
                           r"reference|normal|units?|lab)\b", re.I)


def _is_header(rest: str) -> bool:
    return bool(_HEADER_START.match(rest)) or header_kind(rest) is not None


def _header_lines(before: list[tuple]) -> list[tuple[int, str]]:
    """The header: the lines just above the first data row, stopping at prose or footnotes."""
    out: list[tuple[int, str]] = []
    for n, line, _, _ in reversed(before):
        if _is_footnote(line):
            break
        out.insert(0, (n, line))
        if _HEADER_START.match(line.strip()):
            break
    return out


def _is_footnote(line: str) -> bool:
    text = line.strip()
    return (len(text) > 100 or text.endswith(".") or bool(re.search(r"[A-Za-z]{2,}\s[A-Z][a-z]+.*,\s", text))
            or "=" in text or text.lower().startswith(("abbreviations", "values are", "data are", "note")))
