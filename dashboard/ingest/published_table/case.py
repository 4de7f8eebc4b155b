"""A read table -> the review grid -> case files, checked by the same loader as every other case.

The grid is plain text (label, unit, reference, one column per timepoint) so the user can correct any
cell; `grid_problems` runs the case loader on the files the grid would write and maps each problem back
to its grid cell. `clear_problem_cells` leaves a cell that still cannot be read empty (and says so),
which is what `casetrack from-table` writes when nobody is there to fix it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field

import pandas as pd

from dashboard.domain.analytes import match_analyte
from dashboard.domain.timepoints import infer_days
from dashboard.domain.units import normalise_unit
from dashboard.ingest.bundle import check_uploaded
from dashboard.ingest.long import LONG_ALIASES
from dashboard.ingest.problems import Problem, warning
from dashboard.ingest.published_table.model import PublishedTable
from dashboard.ingest.tidy import header_key

FIXED_COLUMNS = ("label", "unit", "reference")
_MARKED = re.compile(r"\[line \d+\]$")
_LABEL_UNIT = re.compile(r"\s*\([^()]*\)\s*$")
LABS_HEADER = ("Analyte", "Unit", "Reference range")
LABS_FILE = "labs.csv"


@dataclass
class Draft:
    """What the user reviews: the grid of text, timepoint days, title and source, and how it was read."""

    grid: pd.DataFrame                      # label, unit, reference, <timepoints...>, line
    days: dict[str, float | None]           # timepoint label -> day (None = not known)
    title: str
    source: str = ""
    table: PublishedTable | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def timepoints(self) -> list[str]:
        return [c for c in self.grid.columns if c not in (*FIXED_COLUMNS, "line")]


def draft_from_table(table: PublishedTable) -> Draft:
    """The grid of a read table, with days inferred from the timepoint names."""
    notes = []
    reserved = {header_key(name) for names in LONG_ALIASES.values() for name in names}
    for k, name in enumerate(table.timepoints):
        if header_key(name) in reserved:  # `Result`, `Value`: a wide labs.csv headed so would read as long
            table.timepoints[k] = f"{name} (T{k + 1})"
            notes.append(f"timepoint '{name}' named '{table.timepoints[k]}' (the case format reserves '{name}')")
    records = [{"label": r.label, "unit": r.unit, "reference": r.reference,
                **dict(zip(table.timepoints, r.cells, strict=True)), "line": r.line} for r in table.rows]
    grid = pd.DataFrame(records, columns=[*FIXED_COLUMNS, *table.timepoints, "line"])
    inferred = infer_days(table.timepoints)
    title = table.caption or "Imported table"
    return Draft(grid.astype({c: "string" for c in grid.columns if c != "line"}), dict(inferred.days), title,
                 table=table, notes=notes + list(inferred.notes))


def _text(value: object) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) else str(value)


def labs_csv(grid: pd.DataFrame, timepoints: list[str]) -> bytes:
    """The wide labs.csv of the documented case format (a Unit column, a Reference range column)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*LABS_HEADER, *timepoints])
    for _, row in grid.iterrows():
        writer.writerow([_text(row[c]).strip() for c in (*FIXED_COLUMNS, *timepoints)])
    return out.getvalue().encode("utf-8")


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def case_toml(draft: Draft) -> bytes:
    """case.toml: title (the caption), source (left for the user), [timepoints] days where known."""
    lines = [f"title = {_toml_string(draft.title)}",
             f"source = {_toml_string(draft.source)}" if draft.source else
             '# source = "the case report: authors, journal, year, table number"']
    known = {label: day for label, day in draft.days.items() if day is not None and label in draft.timepoints}
    lines.append("")
    lines.append("[timepoints]  # days from day 0" + ("" if known else ": none known yet, add them"))
    for label, day in known.items():
        lines.append(f"{_toml_string(label)} = {int(day) if float(day).is_integer() else day}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def case_files(draft: Draft) -> dict[str, bytes]:
    return {LABS_FILE: labs_csv(draft.grid, draft.timepoints), "case.toml": case_toml(draft)}


def grid_problems(draft: Draft, name: str = "imported") -> list[tuple[Problem, int | None, str | None]]:
    """Every problem of the case the draft would write, with the grid row and column it points at."""
    out = []
    for problem in check_uploaded(case_files(draft), name):
        out.append((problem, *_cell_of(problem, draft)))
    return out


def _cell_of(problem: Problem, draft: Draft) -> tuple[int | None, str | None]:
    if problem.file != LABS_FILE or problem.row is None or not 2 <= problem.row < len(draft.grid) + 2:
        return None, None
    index = problem.row - 2
    unit = _text(draft.grid.iloc[index]["unit"])
    if problem.column == "reference range":
        return index, "reference"
    if problem.value is not None and unit and problem.value in (unit, normalise_unit(unit)) and "unit" in \
            problem.message.casefold() or "cannot be converted" in problem.message \
            or problem.message.startswith("unknown unit"):  # the unit as the loader spells it (`mm/1sth`)
        return index, "unit"
    if problem.column in draft.timepoints:
        return index, problem.column
    if problem.value is not None and problem.value == _text(draft.grid.iloc[index]["label"]):
        return index, "label"
    return index, None


def _printed(draft: Draft, row: int, column: str, text: str) -> str:
    """The cell as the table printed it (before repairs), when the grid row still is the row as read."""
    if draft.table is None or column not in draft.timepoints or row >= len(draft.table.rows):
        return text
    source = draft.table.rows[row]
    if source.label != _text(draft.grid.iloc[row]["label"]):
        return text
    return source.printed[draft.timepoints.index(column)]


def _same_analyte_twice(draft: Draft, row: int, problem: Problem) -> bool:
    """Two rows naming one analyte (`CRP` twice, `WBC` and `Leukocytes`): which one is meant cannot be told, so
    each keeps its values under its label marked with its line (`CRP [line 4]`), unmapped; noted."""
    if "duplicate analyte" not in problem.message and "a second time" not in problem.message:
        return False
    name = _text(draft.grid.iloc[row]["label"])
    if _MARKED.search(name):
        return True  # marked already in this round
    target = match_analyte(name) or name
    for index in range(len(draft.grid)):
        label = _text(draft.grid.iloc[index]["label"])
        if not _MARKED.search(label) and (match_analyte(label) or label) == target:
            line = draft.grid.iloc[index]["line"]
            marked = f"{label} [line {line}]"
            draft.grid.iloc[index, draft.grid.columns.get_loc("label")] = marked
            draft.notes.append(f"'{label}' (line {line}) names an analyte another row names too: kept as "
                               f"'{marked}', unmapped (which row is meant cannot be told)")
    return True


def clear_problem_cells(draft: Draft, rounds: int = 5) -> list[Problem]:
    """Empty every cell an error points at (a row's values when its unit is refused), until none is left.

    Returns one warning per emptied cell with the text as printed and the source line, for the report.
    """
    cleared: list[Problem] = []
    for _ in range(rounds):
        errors = [(p, row, column) for p, row, column in grid_problems(draft) if p.is_error]
        if not errors:
            break
        for problem, row, column in errors:
            if row is None:
                continue
            if _same_analyte_twice(draft, row, problem):
                continue
            columns = draft.timepoints if column in ("label", None) else [column]
            if column == "unit":  # values in a unit that cannot be read are not values: clear both
                columns = [*draft.timepoints, "reference", "unit"]
            for name in columns:
                text = _text(draft.grid.iloc[row][name])
                if not text or text in ("–", "-"):
                    continue
                line = draft.grid.iloc[row]["line"]
                cleared.append(warning(f"left empty: {problem.message}", draft.table.file if draft.table else "",
                                       None if pd.isna(line) else int(line), name, _printed(draft, row, name, text),
                                       problem.expected or "a value casetrack can read, typed into the grid"))
                draft.grid.iloc[row, draft.grid.columns.get_loc(name)] = ""
            label = _text(draft.grid.iloc[row]["label"])
            if column == "unit" and not _text(draft.grid.iloc[row]["unit"]) and (bare := _LABEL_UNIT.sub("", label)):
                draft.grid.iloc[row, draft.grid.columns.get_loc("label")] = bare  # `ESR (mm/1st h)`: the
                draft.notes.append(f"'{label}': its unit cannot be read, so it was taken out of the label "  # unit
                                   f"with the values ('{bare}')")                                     # the label held
    return cleared
