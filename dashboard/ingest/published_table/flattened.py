"""Flattened PDF text: rows whose columns were lost, read from the right against the number of columns.

Each row's values are taken from its right end (numbers, censored values, titers, dashes, results),
then its reference range, then the label with its unit. The number of timepoint columns is what most
rows agree on; a row that does not fit is refused rather than shifted.
"""

from __future__ import annotations

import re
from collections import Counter

from dashboard.domain.values import MISSING
from dashboard.ingest.published_table.cells import Repair
from dashboard.ingest.published_table.header import REFERENCE_NAMED, UNIT_NAMED, named_count, split_header
from dashboard.ingest.published_table.model import (
    CAPTION,
    PublishedTable,
    header_kind,
    refuse_row,
    section_header,
    unit_like,
)
from dashboard.ingest.published_table.rows import add_row, table_style

_NUM = r"[+\-]?(?:\d+(?:[.,]\d+)*|\.\d+)"
_MARK = (r"(?:[*†‡§¶#^]+|[ᵃᵇᶜᵈᵉᶠᵍ]+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|(?<=\d)[a-f](?=\s|$))?"
         r"(?:\s+(?:H|L|HH|LL)(?=\s|$)|\s*[(\[](?:H|L)[)\]]|\s*[↑↓]+)?")
_QUALITATIVE = (r"not detected|non-reactive|nonreactive|weakly positive|positive|negative|pos|neg|normal|"
                r"low|high|yes|no|detected|reactive|absent|present|trace|\+{1,4}")
# one-word missing markers of the cell parser (`–`, `nd`, `…`, `/`), as tokens of a flattened row
# (lower or upper case only: `Na` ending a label is sodium, not "not available")
_MISSING = "|".join(re.escape(m) for m in sorted({f for m in MISSING for f in (m, m.upper())}, key=len, reverse=True)
                    if m and " " not in m and m != "?")
VALUE_TOKENS = (
    re.compile(r"(?:^|(?<=\s))([<>≤≥]=?\s*1\s*:\s*\d+)$"),
    re.compile(r"(?:^|(?<=\s))(1\s*:\s*\d+(?:\s*\([^()]*\))?)$"),
    re.compile(rf"(?:^|(?<=\s))([<>≤≥]=?\s*{_NUM}{_MARK})$"),
    re.compile(rf"(?:^|(?<=\s))({_NUM}(?:\s*/\s*{_NUM})+)$"),
    re.compile(rf"(?:^|(?<=\s))((?:[<>≤≥]=?\s*)?{_NUM}\s*[x×·]\s*10(?:\s*(?:\^|\*\*|[eE])\s*\+?\d{{1,2}}|"
               rf"[⁰¹²³⁴⁵⁶⁷⁸⁹]{{1,2}}|3|6|9|12)|{_NUM}[eE]\+?\d{{1,2}})$"),
    re.compile(rf"(?:^|(?<=\s))([*†‡§¶#^]*{_NUM}{_MARK})$"),
    re.compile(rf"(?:^|(?<=\s))({_MISSING})$"),
    re.compile(rf"(?:^|(?<=\s))({_QUALITATIVE})$", re.IGNORECASE),
)
_RANGE = _NUM
RANGE_TOKEN = re.compile(rf"(?:^|(?<=\s))({_RANGE}\s*(?:[-–—~]|to)\s*{_RANGE}|{_RANGE}\s+(?:[-–—]|to)\s+{_RANGE})$")
GROUPED_RANGE = re.compile(r"(?:^|(?<=\s))(\d+(?: \d{3})*\s*[-–—]\s*\d{1,3}(?: \d{3})+)$")  # `4000–10 000`
REF_TOKENS = (GROUPED_RANGE, RANGE_TOKEN, *VALUE_TOKENS)


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
    has_reference = reference_last or bool(re.search(r"\b(reference|normal|ref\.?)\b", header_text, re.IGNORECASE)
                                           or REFERENCE_NAMED.search(header_text))
    has_unit = bool(re.search(r"\bunits?\b", header_text, re.IGNORECASE) or UNIT_NAMED.search(header_text))
    with_range = Counter(len(tokens) for _, _, rest, tokens, ref in tails[first_data:]
                         if tokens and (RANGE_TOKEN.search(rest) or RANGE_TOKEN.search(ref) or _ends_in_range_unit(rest)))
    if with_range:
        n = with_range.most_common(1)[0][0]
    else:
        n = counts.most_common(1)[0][0] - (1 if has_reference else 0)
    named = named_count(header_text, n, n + 3)
    if named is not None and named > n:  # most rows have a blank cell: which one cannot be told
        table.notes.append(f"the header names {named} timepoints and most rows hold {n} values: rows with fewer "
                           f"values than {named} are left empty")
        n = named
    if reference_last:
        table.notes.append("the reference range is the last column")
    table.timepoints, header_notes, label_header = split_header(header_text, n)
    table.notes.extend(header_notes)
    style = table_style([[rest, *tokens, ref] for _, _, rest, tokens, ref in tails[first_data:]])
    if glued:
        table.caption = f"{glued.group(1)} {label_header}".strip()
    pending: tuple[int, str] | None = sections[-1] if sections else None  # a section, or a wrapped label
    for n_line, section in sections[:-1]:
        section_header(table, n_line, section)
    for n_line, line, rest, tokens, reference in tails[first_data:]:
        if not tokens and _is_prose(line):
            table.notes.append(f"line {n_line}: the table ends here (prose: '{line.strip()[:60]}')")
            break
        if not tokens:
            if pending:
                section_header(table, *pending)
            pending = (n_line, line.strip())
            continue
        if pending and (rest[:1].islower() or rest.startswith("(") or not rest):
            table.repairs.append(Repair(n_line, "label", rest, f"{pending[1]} {rest}".strip(),
                                        "label wrapped onto two lines joined"))
            rest = f"{pending[1]} {rest}".strip()
        elif pending:
            section_header(table, *pending)
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
    numbers = sum(bool(re.match(r"^[<>≤≥]?\d", t)) for t in extra)
    if numbers > (1 if has_reference and not reference_last and not ranged else 0):
        refuse_row(table, line, rest, text, f"{len(tokens)} values for {n} timepoint columns"
                   + (" and a reference range" if has_reference else "") + ": which of them belong together "
                   "cannot be told")
        return
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
    if len(ways) > 1:  # `15 400 6 210 980`: 15400 | 6210 | 980 or 15400 | 6 | 210980
        table.notes.append(f"line {line}: '{' '.join(tokens)}' can be grouped into thousands in {len(ways)} ways "
                           f"({'; '.join(' | '.join(w) for w in ways[:2])}): not guessed")
        return []
    return tokens if not any(re.fullmatch(r"0\d\d", t) for t in tokens) else []


def _joins(tokens: list[str]) -> list[list[str]]:
    if not tokens:
        return [[]]
    out = [[tokens[0], *rest] for rest in _joins(tokens[1:])]
    if len(tokens) > 1 and re.fullmatch(r"\d{1,3}", tokens[0]) and re.fullmatch(r"\d{3}(?:\.\d+)?", tokens[1]):
        out += [[tokens[0] + tokens[1], *rest] for rest in _joins(tokens[2:])]
    return out


HEADER_START = re.compile(r"^(parameters?|variables?|tests?|analytes?|laborator(y|ies)|investigations?|items?|"
                           r"reference|normal|units?|lab)\b", re.IGNORECASE)


def _is_header(rest: str) -> bool:
    return bool(HEADER_START.match(rest)) or header_kind(rest) is not None


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
    start = next((i for i, (_, line) in enumerate(candidates) if HEADER_START.match(line)), 0)
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
