"""The registries casetrack keeps as data (analytes, unit spellings, drugs, header words): CSV files in the package.

Read with importlib.resources, so a plain `pip install .` finds them; one reader, so every registry parses
its empty cells and `|`-separated lists the same way.
"""

from __future__ import annotations

import csv
import unicodedata
from functools import cache
from importlib.resources import files


def rows(name: str) -> list[dict[str, str]]:
    """The rows of `dashboard/domain/data/<name>` as dicts of text, in file order."""
    with (files("dashboard.domain") / "data" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def optional_float(text: str | None) -> float | None:
    """A number, or None for an empty cell."""
    return float(text) if text and text.strip() else None


def pipe_list(text: str | None) -> tuple[str, ...]:
    """`a|b|c` as a tuple, blanks dropped (an empty cell is an empty tuple)."""
    return tuple(s.strip() for s in (text or "").split("|") if s.strip())


def fold_accents(text: str) -> str:
    """The text lower-cased with its accents removed: 'Hémoglobine' -> 'hemoglobine', 'Día' -> 'dia'.

    The one place registry labels lose their accents, so a table typed without them (`Hemoglobine`,
    `Fibrinogeno`, `Valeurs de reference`) meets the registry's accented spelling. Only combining marks go:
    `ß` becomes `ss` (case folding) and Greek letters stay Greek (`sIL-2Rα`).
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


@cache
def header_words(role: str) -> tuple[str, ...]:
    """The words `header_words.csv` lists for one role (`reference`, `unit`, `day`, `day_letter`, `week`, `named`,
    the long layout's `sample_time`, `test_name`, `result`, and the events' `event_*` columns).

    A word whose case does not matter is given lower-cased, and once more without its accents
    (`valeurs de référence`, `valeurs de reference`); an `exact` one (`D`, `J`) as written.
    """
    words: list[str] = []
    for row in rows("header_words.csv"):
        if row["role"] == role:
            forms = (row["word"],) if row["case"] == "exact" else (row["word"].casefold(), fold_accents(row["word"]))
            words.extend(form for form in forms if form not in words)
    if not words:
        raise KeyError(f"no header words for role {role!r} in header_words.csv")
    return tuple(words)
