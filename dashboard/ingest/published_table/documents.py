"""Saved web pages and PDFs -> rows of cells, read by the same row reader as copied text.

HTML tables come from pandas.read_html (every cell kept as text: numbers are not converted, so `0.50`
and `1,260` reach the cell parser as printed), with the table's <caption> or the `Table N` text before
it. PDFs are read with pdfplumber: the words of each line with their positions; a gap much wider than
a space separates cells, so a PDF line becomes a tab-separated row (a table with its own rules keeps
its columns; a row with a blank cell is refused, never shifted).

Superscripts are never flattened into the number before them (`655<sup>3</sup>` is 655 with footnote 3,
not 6553): in HTML the <sup> element, in a PDF the smaller raised characters, become `^9` right after
`10` (an exponent: `10<sup>9</sup>/L` -> `10^9/L`) and otherwise Unicode superscripts (`655³`, `41ᵃ`),
which the cell repairs remove as footnote markers. A PDF header printed over several lines (`Hospital
day` spanning `1 4 12`, beside `Parameter` centred over both) is joined column by column.
"""

from __future__ import annotations

import io
import re
from bisect import bisect
from collections import Counter
from itertools import pairwise
from pathlib import PurePosixPath
from statistics import median

from dashboard.ingest.grid import cell_text
from dashboard.ingest.published_table.model import CAPTION, PublishedTable
from dashboard.ingest.published_table.tabbed import read_cells
from dashboard.ingest.published_table.text import read_text

CELL_GAP = 2.2  # a gap wider than this many median character widths separates two cells
SMALL_TEXT = 0.9  # characters this much smaller than the page's body text are superscripts (or subscripts)
_SUPERSCRIPT = str.maketrans("0123456789abcdefg", "⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉᶠᵍ")
_EXPONENT_BASE = re.compile(r"10$")


def superscript_text(before: str, text: str) -> str:
    """A superscript as plain text: `^9` after `10` (an exponent), else Unicode superscripts (`³`, `ᵃ`, `b,c` ->
    `ᵇᶜ`) when every character has one (footnote markers the cell repairs remove), else the text as printed."""
    text = text.strip()
    if re.fullmatch(r"[-−]?\d{1,2}", text) and _EXPONENT_BASE.search(before.rstrip()):
        return "^" + text.replace("−", "-")
    markers = re.sub(r"[,\s]+", "", text)  # `b,c`: two footnote markers
    if markers and all(c in "0123456789abcdefg" for c in markers):
        return markers.translate(_SUPERSCRIPT)
    return text


def _html_superscripts(element) -> None:
    """Every <sup> of a table replaced by `superscript_text`, in place."""
    for sup in element.xpath(".//sup"):
        parent, previous = sup.getparent(), sup.getprevious()
        before = (previous.tail if previous is not None else parent.text) or ""
        joined = superscript_text(before, sup.text_content()) + (sup.tail or "")
        if previous is not None:
            previous.tail = (previous.tail or "") + joined
        else:
            parent.text = (parent.text or "") + joined
        parent.remove(sup)


def read_html(data: bytes, file: str) -> list[PublishedTable]:
    """Every table of a saved HTML page with at least a header and one data row."""
    import lxml.html
    import pandas as pd

    text = data.decode("utf-8", errors="replace")
    document = lxml.html.fromstring(text)
    elements = document.xpath("//table")
    tables = []
    for number, element in enumerate(elements, start=1):
        _html_superscripts(element)
        html = lxml.html.tostring(element, encoding="unicode")
        try:
            frames = pd.read_html(io.StringIO(html), converters=_as_text(element), thousands=None,
                                  keep_default_na=False, na_values=[], header=None)
        except ValueError:
            continue
        if not frames:
            continue
        frame = frames[0]
        header = [] if isinstance(frame.columns, pd.RangeIndex) else [_header_cell(c) for c in frame.columns]
        body = [[" ".join(cell_text(v).split()) for v in row] for row in frame.itertuples(index=False)]
        rows = list(enumerate(([header] if header else []) + body, start=1))
        rows = [(n, _dedupe_spans(cells)) for n, cells in rows]
        table = read_cells(rows, _caption(element), f"{file} table {number}", "html")
        if table is not None:
            table.source = text
            tables.append(table)
    return tables


def _as_text(element) -> dict[int, type]:
    """A str converter for every column: read_html must not turn `0.50` into 0.5 or `1,260` into 1260."""
    width = max((sum(_span(c) for c in row.xpath("./th|./td")) for row in element.xpath(".//tr")), default=0)
    return {i: str for i in range(width)}


def _span(cell) -> int:
    try:
        return max(1, int(cell.get("colspan") or 1))
    except ValueError:
        return 1


def _header_cell(column: object) -> str:
    """A header cell; the levels of a two-row header joined (`Day 1` over `value` -> `Day 1 value`)."""
    parts = column if isinstance(column, tuple) else (column,)
    words: list[str] = []
    for part in parts:
        text = " ".join(str(part).split())
        if text and not text.startswith("Unnamed:") and text not in words:
            words.append(text)
    return " ".join(words)


def _dedupe_spans(cells: list[str]) -> list[str]:
    """read_html repeats a colspan cell in each column it spans: keep one (a section header row)."""
    if len(cells) > 1 and len(set(cells)) == 1:
        return [cells[0]]
    return cells


def _caption(element) -> str:
    """The table's <caption>, else a `Table N ...` text just before it (or before its wrapper)."""
    caption = element.xpath("./caption")
    if caption:
        return " ".join(caption[0].text_content().split())
    parent = element.getparent()
    return _caption_before(element) or (_caption_before(parent) if parent is not None else "")


def _caption_before(element) -> str:
    for previous in element.itersiblings(preceding=True):
        words = " ".join(previous.text_content().split())
        if words:
            return words if CAPTION.match(words) else ""
    return ""


def pdf_lines(data: bytes, notes: list[str] | None = None, page: int | None = None) -> list[str]:
    """The text of a PDF, one line per printed line, cells separated by tabs where the gap is wide.

    A row with blank cells is placed by position: each of its cells goes to the column (measured on the
    page's complete rows) it overlaps, when that is unique and in order; the blanks become empty cells.
    """
    import pdfplumber

    lines: list[str] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = pdf.pages if page is None else pdf.pages[page - 1:page]
        for sheet in pages:
            words = sheet.extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=1.5,
                                        extra_attrs=["size"])
            if not words:
                continue
            char_width = median((w["x1"] - w["x0"]) / max(len(w["text"]), 1) for w in words)
            words = _attach_superscripts(words, char_width, notes)
            word_rows = _rows(words)
            rows = [_chunks(row, CELL_GAP * char_width) for row in word_rows]
            spans = _column_spans(rows)
            rows = _joined_header(_split_by_columns(rows, word_rows, spans), spans, notes)
            for row in rows:
                cells = [text for _, _, text in row]
                placed = _placed(row, spans) if spans and 2 <= len(row) < len(spans) else None
                if placed is not None:
                    if notes is not None:
                        notes.append(f"PDF line '{' '.join(cells)[:50]}': blank cells placed by their position on "
                                     "the page")
                    cells = placed
                lines.append("\t".join(cells))
            lines.append("")
    return lines


def _attach_superscripts(words: list[dict], char_width: float, notes: list[str] | None) -> list[dict]:
    """Words printed smaller than the body text glued to the word they touch (`superscript_text`); a small
    word touching nothing (a footnote's own marker) keeps its place, in superscript characters."""
    body = median(w["size"] for w in words)
    small = [w for w in words if w["size"] < SMALL_TEXT * body]
    normal = [dict(w) for w in words if w["size"] >= SMALL_TEXT * body]
    for word in small:
        host = next((w for w in normal if abs(word["x0"] - w["x1"]) < 0.5 * char_width
                     and word["top"] < w["bottom"] and w["top"] < word["bottom"]), None)
        text = superscript_text(host["text"] if host else "", word["text"])
        if host is None:
            normal.append({**word, "text": text, "size": body})
            continue
        if text.startswith("^") and notes is not None:
            notes.append(f"PDF '{host['text']}' with superscript '{word['text']}': read as the exponent 10{text}")
        host["text"], host["x1"] = host["text"] + text, word["x1"]
    return normal


def _joined_header(rows: list[list[tuple[float, float, str]]],
                   spans: list[tuple[float, float]], notes: list[str] | None) -> list[list[tuple[float, float, str]]]:
    """A header printed over lines above the first complete row, joined into one header row column by
    column: a chunk over one column names it; a chunk above the last header line (`Hospital day`) is
    prefixed to every column of the run of last-line names it overlaps (`1`, `4`, `12`)."""
    first = next((i for i, row in enumerate(rows) if spans and len(row) == len(spans)), None)
    if first is None:
        return rows
    start = first
    while start > 0 and first - start < 3 and rows[start - 1] and not CAPTION.match(rows[start - 1][0][2]) \
            and all(_overlapped(chunk, spans) for chunk in rows[start - 1]):
        start -= 1
    if first - start < 2:
        return rows
    lines = rows[start:first]
    names: list[list[str]] = [[] for _ in spans]
    last = {j for chunk in lines[-1] for j in _overlapped(chunk, spans)}
    for line in lines:
        for chunk in line:
            columns = set(_overlapped(chunk, spans))
            if line is not lines[-1] and len(columns) > 1:  # a spanning name (`Hospital day` over `1 4 12`)
                columns = _run(columns, last)
            for j in sorted(columns):
                names[j].append(chunk[2])
    if not all(names):
        return rows
    header = [(lo, hi, " ".join(parts)) for (lo, hi), parts in zip(spans, names, strict=True)]
    if notes is not None:
        notes.append(f"header printed over {len(lines)} lines, joined column by column: "
                     + " | ".join(text for _, _, text in header))
    return rows[:start] + [header] + rows[first:]


def _split_by_columns(rows: list[list[tuple[float, float, str]]], word_rows: list[list[dict]],
                      spans: list[tuple[float, float]]) -> list[list[tuple[float, float, str]]]:
    """Rows of the table with fewer cells than columns, split where narrow columns printed two cells closer
    than a cell gap. The header line just above the first complete row (`Day 1 Day 5 Reference`): each word
    goes to the column whose gutters (midway between the columns' printed spans) hold its centre, which
    moves no value. A data row (`Ferritin (ng/mL) 9560 >40,000 15–150`) is cut at gaps that hold a column's
    printed edge, and kept so only when it then has one cell under each column, in order, each overlapping
    its own column's span and no other; else it stays as printed (and is refused or placed later)."""
    full = [i for i, row in enumerate(rows) if spans and len(row) == len(spans)]
    if not full:
        return rows
    edges = sorted({lo for lo, _ in spans[1:]} | {hi for _, hi in spans[:-1]})
    gutters = [(spans[j][1] + spans[j + 1][0]) / 2 for j in range(len(spans) - 1)]
    out = list(rows)
    above = rows[full[0] - 1] if full[0] > 0 else []
    if above and len(above) < len(spans) and _is_data(rows[full[0]]) and not CAPTION.match(above[0][2]):
        line = full[0] - 1
        out[line] = [piece for chunk in rows[line] for piece in _by_centre(chunk, word_rows[line], gutters)]
    for i in range(full[0] + 1, full[-1]):
        if len(rows[i]) >= len(spans):
            continue
        split = [piece for chunk in rows[i] for piece in _split_chunk(chunk, word_rows[i], edges)]
        if len(split) == len(spans) and all(_overlapped(piece, spans) == [j] for j, piece in enumerate(split)):
            out[i] = split
    return out


_VALUE = re.compile(r"^[<>≤≥]?=?\s*\d[\d.,\s]*\S{0,3}$")  # `236`, `>40,000`, `9560ᵃᵇ`, `1.71*`


def _is_data(row: list[tuple[float, float, str]]) -> bool:
    """A row whose cells after the label are mostly values: the table's header is above it, not in it."""
    cells = [text for _, _, text in row[1:]]
    return sum(bool(_VALUE.match(text)) for text in cells) * 2 > len(cells)


def _words_in(chunk: tuple[float, float, str], words: list[dict]) -> list[dict]:
    return [w for w in words if w["x0"] >= chunk[0] - 0.01 and w["x1"] <= chunk[1] + 0.01]


def _joined(words: list[dict], same: list[bool]) -> list[tuple[float, float, str]]:
    """Words joined into pieces: each word starts a new piece unless `same[k]` (k >= 1) says otherwise."""
    pieces = [[words[0]["x0"], words[0]["x1"], words[0]["text"]]]
    for word, keep in zip(words[1:], same[1:], strict=True):
        if keep:
            pieces[-1][1], pieces[-1][2] = word["x1"], f"{pieces[-1][2]} {word['text']}"
        else:
            pieces.append([word["x0"], word["x1"], word["text"]])
    return [tuple(piece) for piece in pieces]


def _by_centre(chunk: tuple[float, float, str], words: list[dict],
               gutters: list[float]) -> list[tuple[float, float, str]]:
    """A header chunk split between words whose centres lie in different columns."""
    inside = _words_in(chunk, words)
    if not inside:
        return [chunk]
    columns = [bisect(gutters, (w["x0"] + w["x1"]) / 2) for w in inside]
    return _joined(inside, [True] + [a == b for a, b in pairwise(columns)])


def _split_chunk(chunk: tuple[float, float, str], words: list[dict],
                 edges: list[float]) -> list[tuple[float, float, str]]:
    """A chunk cut at each gap between its words that holds a column edge."""
    inside = _words_in(chunk, words)
    if not inside:
        return [chunk]
    return _joined(inside, [True] + [not any(a["x1"] <= e <= b["x0"] for e in edges)
                                     for a, b in pairwise(inside)])


def _overlapped(chunk: tuple[float, float, str], spans: list[tuple[float, float]]) -> list[int]:
    return [j for j, (lo, hi) in enumerate(spans) if min(chunk[1], hi) - max(chunk[0], lo) > 0]


def _run(columns: set[int], names: set[int]) -> set[int]:
    """`columns` widened to the contiguous run of `names` columns that contains them."""
    run = set(columns)
    for step in (-1, 1):
        j = (min(run) if step < 0 else max(run)) + step
        while j in names:
            run.add(j)
            j += step
    return run


def _chunks(row: list[dict], gap: float) -> list[tuple[float, float, str]]:
    """A printed line's cells: words closer than `gap` joined, as (x0, x1, text)."""
    out = [(row[0]["x0"], row[0]["x1"], row[0]["text"])]
    for word in row[1:]:
        x0, x1, text = out[-1]
        if word["x0"] - x1 > gap:
            out.append((word["x0"], word["x1"], word["text"]))
        else:
            out[-1] = (x0, word["x1"], f"{text} {word['text']}")
    return out


def _column_spans(rows: list[list[tuple[float, float, str]]]) -> list[tuple[float, float]]:
    """The x-span of each column, from the rows that have every cell (the most common long row length)."""
    counts = Counter(len(row) for row in rows if len(row) >= 3)
    if not counts:
        return []
    width, times = counts.most_common(1)[0]
    if times < 3:
        return []
    full = [row for row in rows if len(row) == width]
    return [(min(r[j][0] for r in full), max(r[j][1] for r in full)) for j in range(width)]


def _placed(row: list[tuple[float, float, str]], spans: list[tuple[float, float]]) -> list[str] | None:
    """The row's cells in their columns (blanks empty), or None when any cell's column is not clear."""
    cells = [""] * len(spans)
    last = -1
    for x0, x1, text in row:
        overlaps = [min(x1, hi) - max(x0, lo) for lo, hi in spans]
        hits = [j for j, o in enumerate(overlaps) if o > 0]
        if len(hits) != 1 or hits[0] <= last:
            return None
        last = hits[0]
        cells[last] = text
    return cells


def _rows(words: list[dict]) -> list[list[dict]]:
    """Words grouped into printed lines by their vertical position, each line left to right."""
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        # a cell holding a superscript sits a little lower on its line: tolerate a third of a line
        if rows and abs(rows[-1][0]["top"] - word["top"]) <= max(2.5, 0.3 * (word["bottom"] - word["top"])):
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(row, key=lambda w: w["x0"]) for row in rows]


def read_pdf(data: bytes, file: str, page: int | None = None) -> list[PublishedTable]:
    """Every table of a PDF (or of one page, 1-based) with a text layer; a scanned PDF has no words."""
    notes: list[str] = []
    text = "\n".join(lines := pdf_lines(data, notes, page))
    tables = read_text(text, file)
    for table in tables:
        table.layout = "pdf (" + table.layout + ")"
        table.notes.extend(notes)
    if not tables and any(re.search(r"\d", line) for line in lines):
        tables = read_text(text.replace("\t", " "), file)
    return tables


def read_case_file(data: bytes, name: str) -> tuple[list[PublishedTable], dict]:
    """A case file (labs .csv, .xlsx workbook, .zip of a case folder) as a table for the review grid.

    Returns the tables (at most one: the labs table, when it is wide) and the case.toml metadata, so an
    upload that the loader refuses can still be opened and fixed cell by cell.
    """
    from dashboard.ingest.grid import read_csv_grid
    from dashboard.ingest.meta import read_case_toml

    lower = name.casefold()
    meta: dict = {}
    rows: list[tuple[int, list[str]]] = []
    labs_name = name
    if lower.endswith(".zip"):
        import zipfile

        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            return [], {}
        members = {PurePosixPath(i.filename).name.casefold(): i for i in archive.infolist() if not i.is_dir()}
        labs = next((members[k] for k in members if k.startswith("labs.") and k.endswith((".csv", ".tsv"))), None)
        if labs is None or labs.file_size > 20 * 1024 * 1024:
            return [], {}
        if "case.toml" in members and members["case.toml"].file_size < 1024 * 1024:
            meta, _ = read_case_toml(archive.read(members["case.toml"]))
        grid = read_csv_grid(archive.read(labs), labs.filename)
        rows, labs_name = [(grid.lines[0] - 1 if grid.lines else 1, grid.header)] + list(
            zip(grid.lines, grid.rows, strict=True)), labs.filename
    elif lower.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    else:
        grid = read_csv_grid(data, name)
        rows = [(grid.lines[0] - 1 if grid.lines else 1, grid.header)] + list(zip(grid.lines, grid.rows, strict=True))
    table = read_cells(rows, str(meta.get("title") or ""), labs_name, "case file") if rows else None
    return ([table] if table is not None else []), meta


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl

    from dashboard.ingest.archive import sheet_rows

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = {n.strip().casefold(): n for n in book.sheetnames}
        sheet = book[sheets.get("labs", book.sheetnames[0])]
        rows = sheet_rows(sheet, numbers_as_text=True)
        book.close()
    except Exception:  # noqa: BLE001 - a damaged workbook is "no table", reported by the caller
        return []
    return rows
