"""Lab tables as real MAS/HLH/sJIA/SLE/AOSD/EBV-HLH case reports print them, pasted as text (issue 10's
target: at least 95 % of printed values read right, none wrong).

Each fixture in tests/fixtures/published/pasted/ is a table written the way a journal web page (tabs) or
a PDF copy (spaces, wrapped lines) gives it. Beside it, `<name>.expected` holds every printed value cell,
worked out by hand (one line per row, one entry per timepoint):

* `wbc: 2.1 | 1.4`: the analyte id, then the values as printed, already in the catalogue's unit (or an
  equal one: IU/L = U/L, µg/L = ng/mL, ×10³/µL = ×10⁹/L); `>40000`, `<0.5`: censored;
* `crp [mg/L ÷10]: 186 | 142`: printed in mg/L, so the expected value is the printed number ÷ 10 (mg/dL);
  `triglycerides [mg/dL ÷88.57]`, `creatinine [µmol/L ÷88.4]`, `hemoglobin [g/dL ×10]`, ...;
* `?Total bilirubin: 28.6`: a label that is not in the catalogue, kept unmapped, value as printed;
* `%Neutrophils: 86`: a percent differential of a count, kept unmapped (never read as the count);
* `pos` / `neg`: a qualitative result; `t1280`: a titer 1:1280;
* `.`: no value printed (`–`, `ND`, `N/A`): nothing may be read there;
* `~`: a printed value that has no reading in the catalogue's unit (sCD25 in pg/mL): must be left empty.

A cell is *right* when it is read to the expected value, *empty* when nothing was read (its row must then be
listed in the report), *wrong* otherwise, and every value read that is not expected is wrong too.
Run `python tests/ingest/test_published_pasted.py` for the counts per table.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from dashboard.domain.analytes import match_analyte
from dashboard.ingest.bundle import load_uploaded
from dashboard.ingest.problems import CaseError
from dashboard.ingest.published_table import case_files, clear_problem_cells, draft_from_table
from dashboard.ingest.published_table.text import read_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "published" / "pasted"
_ENTRY = re.compile(r"(<=|>=|<|>)?(t)?(-?\d[\d.]*)")
_CONVERSION = re.compile(r"^(?P<key>.*?) \[(?P<unit>.*) (?P<op>[×÷])(?P<factor>[\d.]+)\]$")


@dataclass
class Tally:
    """Printed values of one or more tables: read right, left empty, read wrong (with what went wrong)."""

    right: int = 0
    empty: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)   # expected values left empty (allowed, but counted)
    unlisted: list[str] = field(default_factory=list)  # left empty without a line in the report

    @property
    def printed(self) -> int:
        return self.right + self.empty + len(self.wrong)

    def add(self, other: Tally) -> None:
        self.right += other.right
        self.empty += other.empty
        self.wrong += other.wrong
        self.missed += other.missed
        self.unlisted += other.unlisted


def _canonical(entry: str, op: str, factor: float) -> str:
    """A printed entry (`186`, `<3`) in the catalogue's unit (`18.6`, `<0.3`); other entries unchanged."""
    found = _ENTRY.fullmatch(entry)
    if not found or found.group(2):
        return entry
    value = float(found.group(3)) * factor if op == "×" else float(found.group(3)) / factor
    return (found.group(1) or "") + repr(value)


def expected_cells(name: str) -> dict[tuple[str, int], str]:
    """(row key, timepoint position) -> expected entry in the catalogue's unit, for every printed cell."""
    out = {}
    text = (FIXTURES / name).with_suffix(".expected").read_text(encoding="utf-8")
    for line in text.strip().splitlines():
        head, entries = line.strip().rsplit(": ", 1)
        conversion = _CONVERSION.match(head)
        key, op, factor = ((conversion["key"], conversion["op"], float(conversion["factor"])) if conversion
                           else (head, "×", 1.0))
        for position, entry in enumerate(e.strip() for e in entries.split("|")):
            out[(key, position)] = _canonical(entry, op, factor)
    return out


def _key(row) -> str:
    if isinstance(row.analyte, str):
        return row.analyte
    unit = row.orig_unit if isinstance(row.orig_unit, str) else ""
    return ("%" if unit == "%" else "?") + str(row.label)


def _matches_key(key: str, observed: str) -> bool:
    if key[:1] in "?%" and observed[:1] == key[:1]:
        return observed[1:].casefold().startswith(key[1:].casefold())
    return key == observed


def _read_right(entry: str, row) -> bool:
    value = None if pd.isna(row.value) else float(row.value)
    if row.analyte is None or not isinstance(row.analyte, str):
        value = None if pd.isna(row.orig_value) else float(row.orig_value)
    qualifier = row.qualifier if isinstance(row.qualifier, str) else None
    result = row.result if isinstance(row.result, str) else None
    if entry in ("pos", "neg"):
        return result == {"pos": "positive", "neg": "negative"}[entry]
    found = _ENTRY.fullmatch(entry)
    assert found, f"bad expectation {entry!r}"
    sign, _, number = found.groups()
    return (value is not None and math.isclose(value, float(number), rel_tol=2e-4)
            and qualifier == sign and (result is None or entry.startswith("t")))


def tally(name: str) -> Tally:
    """Read one fixture as `casetrack from-table` does and compare every cell with its `.expected` file."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    tables = read_text(text, name)
    expected = expected_cells(name)
    out = Tally()
    if not tables:
        out.empty = sum(1 for e in expected.values() if e not in (".", "~"))
        out.missed = [f"{name}: no table" ]
        return out
    table = tables[0]
    draft = draft_from_table(table)
    cleared = clear_problem_cells(draft)
    try:
        case = load_uploaded(case_files(draft), "imported")
    except CaseError as exc:  # no case written: every value counts as left empty
        out.empty = sum(1 for e in expected.values() if e != ".")
        out.missed = [f"{name}: no case: {exc}"]
        return out
    observations = case.observations
    listed = [*table.problems, *cleared, *case.problems]  # import-report.txt: left empty, and the case's check
    positions = {tp: i for i, tp in enumerate(draft.timepoints)}
    seen = set()
    for row in observations[observations["orig_text"].notna()].itertuples():
        if isinstance(row.analyte, str) and pd.isna(row.value) and not isinstance(row.result, str):
            continue  # kept as printed but not read (sCD25 in pg/mL): no value
        observed = _key(row)
        position = positions[row.timepoint]
        key = next((k for k, p in expected if p == position and _matches_key(k, observed)), None)
        where = f"{name}: {observed} @ {row.timepoint} ({row.orig_text!r} -> {row.value} {row.unit})"
        if key is None or expected[(key, position)] in (".", "~"):
            out.wrong.append(f"{where}: not expected")
            continue
        seen.add((key, position))
        if _read_right(expected[(key, position)], row):
            out.right += 1
        else:
            out.wrong.append(f"{where}: expected {expected[(key, position)]}")
    for (key, position), entry in expected.items():
        if entry == "." or (key, position) in seen:
            continue
        out.empty += 1
        if entry != "~":
            out.missed.append(f"{name}: {key} @ {position + 1} ({entry})")
        if not _listed(key, draft, table, listed):
            out.unlisted.append(f"{name}: {key} @ {position + 1} left empty and not listed in the report")
    return out


def _listed(key: str, draft, table, problems: list) -> bool:
    """A row left empty is named in the report: by its source line (reader), or its labs.csv row (loader)."""
    def names_it(label: str) -> bool:
        if key[0] in "?%":
            return label.casefold().startswith(key[1:].casefold())
        return match_analyte(label) == key or match_analyte(label.split(" [line")[0]) == key

    lines = {r.line for r in table.rows if names_it(r.label)}
    lines |= {p.row for p in table.problems  # a refused row: `Ferritin (ng/mL) 7–140 15 400 6 210 980`
              if names_it(re.split(r"\s[(\d<>]", f"{p.column or p.value} ", maxsplit=1)[0])}
    csv_rows = {i + 2 for i, label in enumerate(draft.grid["label"]) if names_it(str(label))}
    assert lines or csv_rows, f"{key}: no row of the table names it"
    return any(p.row in lines | csv_rows for p in problems)


TABLES = sorted(p.name for p in FIXTURES.glob("*.txt"))


def test_every_fixture_has_expectations():
    assert [p.with_suffix(".txt").name for p in sorted(FIXTURES.glob("*.expected"))] == TABLES
    assert len(TABLES) >= 12


@pytest.mark.parametrize("name", TABLES)
def test_nothing_is_read_wrong(name):
    result = tally(name)
    assert result.wrong == []
    assert result.unlisted == []


def test_at_least_95_percent_of_printed_values_are_read_right():
    total = Tally()
    for name in TABLES:
        total.add(tally(name))
    assert total.wrong == []
    assert total.right / total.printed >= 0.95, total.missed


if __name__ == "__main__":
    grand = Tally()
    for table_name in TABLES:
        one = tally(table_name)
        grand.add(one)
        print(f"{table_name:45} right {one.right:3}  empty {one.empty:3}  wrong {len(one.wrong):3}")
    print(f"{'all':45} right {grand.right:3}  empty {grand.empty:3}  wrong {len(grand.wrong):3}  "
          f"({grand.right / grand.printed:.1%} of {grand.printed} printed values read right)")
    for item in grand.wrong:
        print("WRONG", item)
    if "-v" in sys.argv:
        for item in grand.missed:
            print("EMPTY", item)
