"""Text copied from a case report: tab-separated (from a web table) or flattened PDF text (spaces only).

Tab-separated text has its cells; wrapped cells show as short lines and are joined back. Flattened text
has lost its columns: each row is read from the right, where the values are, against the number of
timepoint columns of the table (the count most rows agree on); what is left is the label and the
reference range. A row that does not fit is refused rather than shifted.
"""

from __future__ import annotations

import re
from collections import Counter

from dashboard.domain.analytes import match_analyte
from dashboard.ingest.published_table.cells import Repair, normalise_text
from dashboard.ingest.published_table.header import split_header
from dashboard.ingest.published_table.model import PublishedTable, header_kind, refuse_row, unit_like
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
    re.compile(rf"(?:^|(?<=\s))({_NUM}\s*[x×]\s*10(?:3|6|9|12))$"),
    re.compile(rf"(?:^|(?<=\s))([*†‡§¶#^]*{_NUM}{_MARK})$"),
    re.compile(rf"(?:^|(?<=\s))({_MISSING})$"),
    re.compile(rf"(?:^|(?<=\s))({_QUALITATIVE})$", re.IGNORECASE),
)
_RANGE = _NUM
RANGE_TOKEN = re.compile(rf"(?:^|(?<=\s))({_RANGE}\s*(?:[-–—~]|to)\s*{_RANGE}|{_RANGE}\s+(?:[-–—]|to)\s+{_RANGE})$")
GROUPED_RANGE = re.compile(r"(?:^|(?<=\s))(\d+(?: \d{3})*\s*[-–—]\s*\d{1,3}(?: \d{3})+)$")  # `4000–10 000`
REF_TOKENS = (GROUPED_RANGE, RANGE_TOKEN, *VALUE_TOKENS)


def segments(text: str) -> list[tuple[str, int, list[tuple[int, str]]]]:
    """(caption, caption line, [(line, text)]) for each `Table N` in the text; the whole text when none."""
    normal, _ = normalise_text(text)
    lines = [(n, line.rstrip("\r\n ")) for n, line in enumerate(normal.splitlines(), start=1)]
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
        if caption_line and lines and _caption_goes_on(caption, lines[0][1]):  # `Table 1` / `Laboratory data.`
            caption = f"{caption} {lines.pop(0)[1].strip()}"
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


_CAPTION_WORDS = re.compile(r"\b(laborator|findings?|results?|characteristics|data|values|investigations?|"
                            r"course|tests?|parameters?|evolution|trends?)", re.IGNORECASE)


def _caption_goes_on(caption: str, line: str) -> bool:
    """The line after a bare `Table 1` that is the rest of its caption (a sentence, not the header)."""
    found = CAPTION.match(caption)
    if not found or found.group(2) or "\t" in line or value_tail(line)[1]:
        return False
    text = line.strip()
    return text.endswith(".") or bool(_CAPTION_WORDS.search(text) and not _HEADER_START.match(text))


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
    turned = [[header[0] or "Parameter", *[cells[0] for _, cells in body]]]
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
        elif pending:
            _section_or_label(table, n, "", pending)
        pending = ""
        add_row(table, n, label, cells[unit] if unit is not None else "",
                cells[reference] if reference is not None else "", [cells[i] for i in points], style)
    return table if table.rows else None


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


_RANGE_UNIT = re.compile(rf"(?:^|(?<=\s))((?:[<>≤≥]=?\s*)?{_NUM}(?:\s*(?:[-–—~]|to)\s*{_NUM})?\s+(\S+))$")


def reference_tail(text: str) -> tuple[str, str]:
    """(label part, reference) taken from the right of a row's text: a range, `< 250`, `22`, `–`, `4.5–11 K/uL`."""
    rest = text.strip()
    found = _RANGE_UNIT.search(rest)
    if found and unit_like(found.group(2)) and rest[:found.start(1)].strip():
        return rest[:found.start(1)].rstrip(), found.group(1)
    for pattern in REF_TOKENS:
        found = pattern.search(rest)
        if found and rest[:found.start(1)].strip():
            return rest[:found.start(1)].rstrip(), found.group(1)
    return rest, ""


def _split_line(line: str, spaced: bool, reference_last: bool) -> tuple[str, list[str], str]:
    """(label part, value tokens, reference taken from the end when the reference column is last)."""
    reference = ""
    text = line.strip()
    if reference_last:
        found = _RANGE_UNIT.search(text)
        if found and unit_like(found.group(2)) or (found := RANGE_TOKEN.search(text)) and (spaced or not re.search(r"\s[-–—]\s", found.group(1))):
            text, reference = text[:found.start(1)].rstrip(), found.group(1)
    rest, tokens = value_tail(text, spaced)
    return rest, tokens, reference


def read_flattened(lines: list[tuple[int, str]], caption: str, file: str) -> PublishedTable | None:
    """Space-separated rows whose columns were lost: values read from the right of each row."""
    spaced = (not any(re.search(r"\d[-–—]\d", line) for _, line in lines)
              and any(re.search(r"\d\s[-–—]\s\d", line) for _, line in lines))
    ends_in_range = sum(bool(RANGE_TOKEN.search(line.strip())) for _, line in lines)
    reference_last = ends_in_range > len(lines) // 3
    tails = [(n, line, *_split_line(line, spaced, reference_last)) for n, line in lines]
    data = [i for i, (_, _, rest, tokens, _) in enumerate(tails) if tokens and rest and not _is_header(rest)]
    counts = Counter(len(tails[i][3]) for i in data)
    if not counts:
        return None
    table = PublishedTable(caption, "flattened text", [], [], file)
    first_data = next(i for i in data if len(tails[i][3]) >= counts.most_common(1)[0][0] - 1)
    header_lines, sections = _header_lines(tails[:first_data])
    glued = None
    header_text = " ".join(line for _, line in header_lines)
    if not header_text and caption:  # `Table 1Infectious studies Day 1 Day 3`: the header glued to the caption
        glued = CAPTION.match(caption)
        header_text = glued.group(2) if glued else ""
        table.notes.append(f"the header is on the caption line: '{caption}'")
    has_reference = reference_last or bool(re.search(r"\b(reference|normal|ref\.?)\b", header_text, re.IGNORECASE))
    has_unit = bool(re.search(r"\bunits?\b", header_text, re.IGNORECASE))
    with_range = Counter(len(tokens) for _, _, rest, tokens, ref in tails[first_data:]
                         if tokens and (RANGE_TOKEN.search(rest) or RANGE_TOKEN.search(ref) or _ends_in_range_unit(rest)))
    if with_range:
        n = with_range.most_common(1)[0][0]
    else:
        n = counts.most_common(1)[0][0] - (1 if has_reference else 0)
    if reference_last:
        table.notes.append("the reference range is the last column")
    table.timepoints, header_notes, label_header = split_header(header_text, n)
    table.notes.extend(header_notes)
    style = table_style([[rest, *tokens, ref] for _, _, rest, tokens, ref in tails[first_data:]])
    if glued:
        table.caption = f"{glued.group(1)} {label_header}".strip()
    pending: tuple[int, str] | None = sections[-1] if sections else None  # a section, or a wrapped label
    for n_line, section in sections[:-1]:
        table.notes.append(f"line {n_line}: '{section}' has no values: read as a section header")
    for n_line, line, rest, tokens, reference in tails[first_data:]:
        if not tokens and _is_prose(line):
            table.notes.append(f"line {n_line}: the table ends here (prose: '{line.strip()[:60]}')")
            break
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
        shape = (n, has_reference, reference_last, has_unit)
        _flattened_row(table, n_line, line, rest, tokens, reference, shape, style)
    return table if table.rows else None


def _flattened_row(table: PublishedTable, line: int, text: str, rest: str, tokens: list[str], reference: str,
                   shape: tuple[int, bool, bool, bool], style: str) -> None:
    n, has_reference, reference_last, has_unit = shape
    while len(tokens) > n and re.fullmatch(r"\d{3}", tokens[0]) and re.search(r"[-–—]\s*\d{1,3}$", rest):
        rest = f"{rest} {tokens.pop(0)}"  # `4000–10 000`: the range's upper limit, written in groups
    if reference_last and not reference and len(tokens) == n + 1:
        reference, tokens = tokens[-1], tokens[:-1]
    ranged = reference or RANGE_TOKEN.search(rest) or _ends_in_range_unit(rest)
    tokens = _merge_thousands(tokens, n, n + (1 if has_reference and not ranged else 0), table, line)
    if len(tokens) < n:
        refuse_row(table, line, rest, text, f"{len(tokens)} value(s) for {n} timepoint columns: which column a "
                   "value belongs to cannot be told")
        return
    values, extra = tokens[len(tokens) - n:], tokens[:len(tokens) - n]
    rest = " ".join([rest, *extra]).strip()
    if has_reference and not reference_last:
        rest, reference = reference_tail(rest)
        if not reference and re.match(r"^[<>≤≥]?\d", values[0]):
            refuse_row(table, line, rest, text, "no reference range was found, so the first number could be the "
                       "reference range or the first value")
            return
    elif reference_last and not reference and re.match(r"^[<>≤≥]?\d", values[-1]):
        refuse_row(table, line, rest, text, "no reference range was found, so the last number could be the "
                   "reference range or the last value")
        return
    unit = ""
    if has_unit and " " in rest and unit_like(rest.rsplit(" ", 1)[1]):
        rest, unit = rest.rsplit(" ", 1)
    if not rest:
        refuse_row(table, line, rest, text, "the row has no label")
        return
    add_row(table, line, rest, unit, reference, values, style)


def _merge_thousands(tokens: list[str], low: int, high: int, table: PublishedTable, line: int) -> list[str]:
    """`21 400 8 600` for two columns: joined as thousands only when exactly one way fits the count."""
    if len(tokens) <= high and not any(re.fullmatch(r"0\d\d", t) for t in tokens):
        return tokens
    ways = [w for w in _joins(tokens) if low <= len(w) <= high]
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
                           r"reference|normal|units?|lab)\b", re.IGNORECASE)


def _is_header(rest: str) -> bool:
    return bool(_HEADER_START.match(rest)) or header_kind(rest) is not None


def _header_lines(before: list[tuple]) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(header lines, section headers) above the first data row, stopping at prose or footnotes.

    The header is the first line after any footnotes; lines after it that start in lower case (or with
    a parenthesis) are its wrapped cells (`6 weeks` / `after` / `discharge`); other short lines are
    section headers (`CBC`) before the first row.
    """
    candidates: list[tuple[int, str]] = []
    for n, line, *_ in reversed(before):
        if _is_footnote(line):
            break
        candidates.insert(0, (n, line.strip()))
    if not candidates:
        return [], []
    start = next((i for i, (_, line) in enumerate(candidates) if _HEADER_START.match(line)), 0)
    header, sections = [candidates[start]], []
    for n, line in candidates[start + 1:]:
        if (line[:1].islower() or line.startswith("(")) and not sections:
            header.append((n, line))
        else:
            sections.append((n, line))
    return header, sections


def _ends_in_range_unit(text: str) -> bool:
    found = _RANGE_UNIT.search(text)
    return bool(found and unit_like(found.group(2)))


def _is_prose(line: str) -> bool:
    """A line of running text or a footnote after the table, not a section header or a wrapped label."""
    text = line.strip()
    return len(text.split()) >= 6 or (text.endswith(".") and len(text) > 25) or bool(re.match(r"^Fig(ure|\.)\s*\d", text))


def _is_footnote(line: str) -> bool:
    text = line.strip()
    return (len(text) > 100 or text.endswith(".") or bool(re.search(r"[A-Za-z]{2,}\s[A-Z][a-z]+.*,\s", text))
            or "=" in text or text.lower().startswith(("abbreviations", "values are", "data are", "note")))
