"""Text copied from a case report: tab-separated (from a web table) or flattened PDF text (spaces only).

The text is cut at each `Table N` caption; each part is read in the layout most of its lines have
(tabbed.py: cells; flattened.py: values read from the right of each row).
"""

from __future__ import annotations

import re

from dashboard.ingest.published_table.cells import normalise_text
from dashboard.ingest.published_table.flattened import HEADER_START, read_flattened, value_tail
from dashboard.ingest.published_table.model import CAPTION, PublishedTable
from dashboard.ingest.published_table.tabbed import read_tabbed


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
    return text.endswith(".") or bool(_CAPTION_WORDS.search(text) and not HEADER_START.match(text))
