"""The step every layout ends in: raw cells -> the tidy observation table.

Wide ("Table 1"), long and SDTM files are each reshaped by their reader into the same raw long form (one
row per cell, with the file line and column it came from); this module then recognises labels, parses
cells and ranges, converts units and reports problems, once for all layouts, so equal cases give equal
tables whatever layout they came from.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from dashboard.domain import schema
from dashboard.domain.analytes import analyte, match_analyte
from dashboard.domain.sex_ranges import SEX_RANGE_NAMES
from dashboard.domain.text import plain_text
from dashboard.domain.timepoints import infer_days
from dashboard.domain.units import UnitError, conversion_factor, is_count, is_unit, normalise_unit
from dashboard.domain.values import (
    MISSING,
    CellError,
    NumberStyle,
    number_kind,
    number_tokens,
    parse_cell,
    parse_limit,
    parse_number,
    parse_range,
    scan_numbers,
)
from dashboard.ingest.canonical import canonical_values
from dashboard.ingest.grid import Grid
from dashboard.ingest.problems import Problem, error, warning

# The raw long form: text as written, plus where it came from.
# what a column naming each row's case is called (long tables, transposed tables, events)
CASE_HEADERS = ("case_id", "case", "case id", "usubjid", "subject", "patient", "record_id")
RAW_COLUMNS = ("case_id", "timepoint", "day", "label", "unit", "text", "ref_text", "ref_low", "ref_high",
               "line", "column")
_TRAILING_PARENS = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
_PERCENT_LABEL = re.compile(r"^%\s*(?P<after>\S.*)$|^(?P<before>.*\S)\s*%$")  # `Neutrophils %`, `% Neutrophils`
_UNIT_LIKE = re.compile(r"[/%°^µμ]|\d")  # a parenthetical with these is meant as a unit, not a qualifier


def header_key(name: str) -> str:
    """A column header compared case- and spacing-insensitively, `_` as a space: `Reference_Range` = `reference range`."""
    return " ".join(name.replace("_", " ").casefold().split())


def find_columns(header: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Position of each known column, matching header names case- and spacing-insensitively."""
    keys = {header_key(name): i for i, name in enumerate(header)}
    found = {}
    for column, names in aliases.items():
        for name in names:
            position = keys.get(header_key(name))
            if position is not None:
                found[column] = position
                break
    return found


def stated_days(timepoints: list[str]) -> list[str]:
    """The day each timepoint label states (`Day 7`, `Week 2`, dates from the first one), as a raw day cell
    ("" when it states none): a wide table's headers and a long table's timepoint column alike."""
    stated = infer_days(list(dict.fromkeys(timepoints))).days
    return ["" if stated[name] is None else f"{stated[name]:g}" for name in timepoints]


def raw_from_grid(grid: Grid, columns: dict[str, int], fixed: dict[str, str] | None = None) -> pd.DataFrame:
    """Pick the raw columns out of a long-shaped grid (one row per observation)."""
    data = {}
    for name in RAW_COLUMNS:
        if name in columns:
            data[name] = [row[columns[name]] for row in grid.rows]
        else:
            data[name] = [(fixed or {}).get(name, "")] * len(grid.rows)
    data["line"] = grid.lines
    return pd.DataFrame(data, columns=list(RAW_COLUMNS))



@lru_cache(maxsize=4096)  # labels repeat across cases; the unit check behind it runs several regexes
def split_label(label: str) -> tuple[str, str | None]:
    """`Ferritin (ng/mL)` -> ('Ferritin', 'ng/mL'); a parenthetical that is not a unit stays in the label.

    A parenthetical that looks like a unit but is not one (`(zorks/L)`) is split off too, so it fails
    loudly at conversion instead of being read as the canonical unit.
    """
    found = _TRAILING_PARENS.match(label.strip())
    if found and (is_unit(found.group(2)) or _UNIT_LIKE.search(found.group(2))):
        return found.group(1), normalise_unit(found.group(2))
    percent = _PERCENT_LABEL.match(label.strip())
    if percent:  # a differential as lab systems label it: the % is its unit, never part of the name
        return (percent.group("after") or percent.group("before")), "%"
    return label.strip(), None


def _texts(raw: pd.DataFrame, name: str) -> list[str]:
    """A raw column as plain text (`text.plain_text`: invisible characters gone), missing cells as ''."""
    return [plain_text(v) for v in raw[name].tolist()]


def _first_seen(keys: list) -> list[bool]:
    """True at the first occurrence of each key (the complement of `duplicated(keep='first')`)."""
    seen: set = set()
    first = []
    for key in keys:
        first.append(key not in seen)
        seen.add(key)
    return first


def _codes(keys: list) -> list[int]:
    """Order of first appearance of each key (what `pd.factorize` gives)."""
    index: dict = {}
    return [index.setdefault(key, len(index)) for key in keys]


def _numeric_days(texts: list, lines: list[int], file: str, style: NumberStyle) -> tuple[np.ndarray, list[Problem]]:
    """`day` cells as numbers, one parse (and at most one problem) per distinct text."""
    problems: list[Problem] = []
    parsed: dict[str, float] = {}
    days = np.full(len(texts), np.nan)
    for i, text in enumerate(texts):
        text = str(text).strip()
        if text in ("", "nan"):
            continue
        if text not in parsed:
            try:
                parsed[text] = parse_number(text, style)
            except CellError:
                parsed[text] = np.nan
                problems.append(error("the day is not a number", file, lines[i], "day", text,
                                      "a number of days from day 0, e.g. 7 or -2"))
        days[i] = parsed[text]
    return days, problems


def _ref_ranges(rows: dict[str, list], file: str,
                style: NumberStyle) -> tuple[tuple[np.ndarray, np.ndarray, list, dict], list[Problem]]:
    """ref_low/ref_high as written (converted later with the values), ref_text, and the columns of a range
    printed per sex (`SEX_RANGE_NAMES` -> array), one parse per distinct range."""
    problems: list[Problem] = []
    keys = list(zip(rows["ref_text"], rows["ref_low"], rows["ref_high"], rows["unit_n"], strict=True))
    parsed: dict[tuple, tuple[float, float, str | None, str | None, tuple | None]] = {}
    for position, key in enumerate(keys):
        if key not in parsed:
            parsed[key] = _ref_range(key, rows["line"][position], file, problems, style)
            if parsed[key][3] is not None and key[3] is None:  # the row's unit, printed after its range only
                problems.append(warning(f"the unit '{parsed[key][3]}' is printed only after the reference range: "
                                        "read as the row's unit", file, rows["line"][position], "reference range",
                                        key[0], "the unit in the unit column"))
        if key[3] is None:
            rows["unit_n"][position] = parsed[key][3]
    found = [parsed[key] for key in keys]
    by_sex = {name: np.array([np.nan if f[4] is None or f[4][i] is None else f[4][i] for f in found], dtype="float64")
              for i, name in enumerate(SEX_RANGE_NAMES)}
    return (np.array([f[0] for f in found], dtype="float64"), np.array([f[1] for f in found], dtype="float64"),
            [f[2] for f in found], by_sex), problems


def _ref_range(key: tuple, line: int, file: str, problems: list[Problem],
               style: NumberStyle) -> tuple[float, float, str | None, str | None, tuple | None]:
    """(low, high, text, unit printed after the range, (low F, high F, low M, high M) of a range printed per
    sex or None) of one reference range as written."""
    text, low_text, high_text, row_unit = key
    if not (text or low_text or high_text):
        return np.nan, np.nan, None, None, None
    unit, by_sex = None, None
    try:
        if text:
            parsed = parse_range(text, style)
            low, high, unit = parsed.low, parsed.high, parsed.unit
            if parsed.by_sex is not None:
                by_sex = (*parsed.limits("F"), *parsed.limits("M"))
            if parsed.warning:
                problems.append(warning(parsed.warning, file, line, "reference range", text))
            if unit is not None and row_unit is not None and unit != row_unit:
                raise CellError(f"the range is printed in {unit} but the row's unit is {row_unit}",
                                f"a range in {row_unit} (the row's unit)")
        else:
            low = parse_limit(low_text, style) if low_text else None
            high = parse_limit(high_text, style) if high_text else None
            text = f"{low_text}–{high_text}" if low_text and high_text else (
                f"< {high_text}" if high_text else f"> {low_text}")
    except CellError as exc:
        problems.append(error(f"reference range: {exc}", file, line, "reference range",
                              text or f"{low_text}–{high_text}", exc.expected))
        return np.nan, np.nan, None, None, None
    return (np.nan if low is None else low, np.nan if high is None else high,
            None if text.casefold() in MISSING else text, unit, by_sex)


NUMBER_COLUMNS = ("text", "ref_text", "ref_low", "ref_high")  # the raw cells whose numbers show the style


def shown_style(raw: pd.DataFrame) -> NumberStyle | None:
    """The decimal style every number of a raw table shows ('.' or ','), else None (none, or both).

    A file of many cases is read case by case; its style is still the file's (docs/case-format.md), so
    `12,450` in a case whose own rows show no decimal reads as the other cases' `8.1` says."""
    detected, _ = scan_numbers([text for name in NUMBER_COLUMNS for text in _texts(raw, name)])
    return NumberStyle(detected, shown=True) if detected in (".", ",") else None


def number_style(rows: dict[str, list], file: str, decimal: str | NumberStyle | None = None,
                 ) -> tuple[NumberStyle, list[Problem]]:
    """The file's decimal separator: `decimal` when stated (case.toml, the upload page) or given as the style
    of the whole file (`shown_style`, a file of many cases), else detected from every value and range cell,
    never per cell. One notice when it is a comma, one when thousands separators were read; a file mixing
    both styles is read in its majority style, so each cell of the other style is an error naming its row
    and column."""
    texts = [text for name in NUMBER_COLUMNS for text in rows[name]]
    detected, kinds = scan_numbers(texts)
    problems: list[Problem] = []
    if decimal in (".", ","):
        style = NumberStyle(decimal, declared=True)
    elif isinstance(decimal, NumberStyle) and detected in (None, decimal.decimal):
        style, detected = decimal, decimal.decimal
    elif detected == "mixed":
        style = NumberStyle("," if len(kinds["comma"]) > len(kinds["point"]) else ".")
    else:  # a style the numbers show settles 1,260-like cells; None (no decimals at all) does not
        style = NumberStyle(detected, shown=detected is not None)
    if detected == "," and not style.declared:
        problems.append(warning("decimal comma detected: every number of this file is read with ',' as the decimal "
                                "separator", file, expected='decimal = "." in case.toml if that is wrong'))
    grouped = _thousands(texts, style)
    if grouped:
        n = len(rows["text"])
        first = grouped[0] % n
        example = texts[grouped[0]]
        problems.append(warning(f"{len(grouped)} number(s) written with thousands separators, read as such "
                                f"(e.g. '{example}')", file, rows["line"][first],
                                rows["column"][first] if grouped[0] < n else "reference range", example))
    return style, problems


def _thousands(texts: list[str], style: NumberStyle) -> list[int]:
    """Positions of cells whose numbers carry a thousands separator under the file's style."""
    separator = "," if style.decimal != "," else "."
    kinds = {"point" if separator == "," else "comma"}  # 12,932.7 in a decimal-point file
    if style.settles_groups:  # 1,260 read as 1260: the user stated, or other cells show, the decimal point
        kinds.add("comma-group" if separator == "," else "point-group")
    found = []
    for position, text in enumerate(texts):
        if any(separator in t and number_kind(t) in kinds for t in number_tokens(text)) \
                or re.search(r"\d \d{3}\b", text):
            found.append(position)
    return found


def _take(rows: dict[str, list], positions: list[int]) -> dict[str, list]:
    return {name: [values[i] for i in positions] for name, values in rows.items()}


def tidy_observations(raw: pd.DataFrame, file: str, decimal: str | NumberStyle | None = None,
                      ) -> tuple[pd.DataFrame, list[Problem]]:
    """Raw cells -> `schema.observation_frame`, in canonical units, with every problem found.

    `decimal` ("." or ",") states the file's decimal separator; a NumberStyle is the style the whole file
    shows (`shown_style`); None detects it from these cells' numbers.
    Every row names its cell (`source_file`, `source_row`, `source_column`, as `casetrack check` prints them).

    Works on plain lists: a case has tens to hundreds of cells, where each pandas operation would cost
    more than the Python loop it replaces. Labels, units and cells are each parsed once per distinct text.
    """
    problems: list[Problem] = []
    if raw.empty:
        return schema.observation_frame(), problems
    rows = {name: _texts(raw, name) for name in RAW_COLUMNS if name != "line"}
    rows["line"] = [int(v) for v in raw["line"].tolist()]
    style, problems = number_style(rows, file, decimal)
    ids = list(dict.fromkeys(c for c in rows["case_id"] if c != ""))
    if len(ids) > 1:
        line = rows["line"][rows["case_id"].index(ids[1])]
        return schema.observation_frame(), [error(
            f"the labs file holds {len(ids)} cases ({', '.join(ids[:5])})", file, line, "case_id", ids[1],
            "one case per file (split the file, or use the batch import)")]
    split = {label: split_label(label) for label in dict.fromkeys(rows["label"])}
    written = {unit: normalise_unit(unit) for unit in dict.fromkeys(rows["unit"])}
    rows["unit_n"] = [written[u] if written[u] is not None else split[lab][1]
                      for lab, u in zip(rows["label"], rows["unit"], strict=True)]
    problems += _two_units(rows, split, written, file)
    rows["label"] = [split[label][0] for label in rows["label"]]
    for i, first in enumerate(_first_seen(rows["line"])):
        if first and rows["label"][i] == "":
            problems.append(error("a row without an analyte label", file, rows["line"][i], rows["column"][i] or None,
                                  rows["text"][i], "a label in the first column"))
    labelled = [i for i, label in enumerate(rows["label"]) if label != ""]
    rows = _take(rows, labelled)
    unique, reported = [], set()
    # `Neutrophils (%)` and `Neutrophils (10^9/L)` are two rows (a differential and a count), not a duplicate
    for i, first in enumerate(_first_seen(list(zip(rows["timepoint"], rows["label"], rows["unit_n"], strict=True)))):
        if first:
            unique.append(i)
        elif rows["line"][i] not in reported:
            reported.add(rows["line"][i])
            problems.append(error(f"duplicate analyte '{rows['label'][i]}' at timepoint '{rows['timepoint'][i]}'",
                                  file, rows["line"][i], rows["column"][i] or None, rows["label"][i],
                                  "each analyte once per timepoint"))
    rows = _take(rows, unique)
    matched = {label: match_label(label) for label in dict.fromkeys(rows["label"])}
    rows["analyte"] = [matched[label] for label in rows["label"]]
    problems += _differentials(rows, file)
    problems += _label_problems(rows, file)

    cells = [_parsed_cell(text, style) for text in rows["text"]]
    for i, cell in enumerate(cells):
        if cell[5] is not None:
            problems.append(error(cell[5], file, rows["line"][i], rows["column"][i] or None, rows["text"][i],
                                  cell[6]))
    days, day_problems = _numeric_days(rows["day"], rows["line"], file, style)
    problems += day_problems

    present = [not cell[4] and cell[5] is None for cell in cells]
    has_value = {label for label, p in zip(rows["label"], present, strict=True) if p}
    keep = [i for i, (p, first) in enumerate(zip(present, _first_seen(rows["label"]), strict=True))
            if p or (first and rows["label"][i] not in has_value)]
    (ref_low, ref_high, ref_text, by_sex), ref_problems = _ref_ranges(rows, file, style)
    frame = {
        "case_id": [c or None for c in rows["case_id"]], "timepoint": rows["timepoint"],
        "tp_order": _codes(rows["timepoint"]), "day": days, "analyte": rows["analyte"], "label": rows["label"],
        "orig_value": np.array([np.nan if c[0] is None else c[0] for c in cells], dtype="float64"),
        "orig_unit": [c[3] if c[3] is not None else u for c, u in zip(cells, rows["unit_n"], strict=True)],
        "result": [c[1] for c in cells], "qualifier": [c[2] for c in cells],
        "orig_text": [t if p else None for t, p in zip(rows["text"], present, strict=True)],
        "label_order": _codes(rows["label"]), "line": rows["line"], "column": rows["column"],
        "ref_low": ref_low, "ref_high": ref_high, "ref_text": ref_text, "row_unit": rows["unit_n"], **by_sex,
        "source_file": [file] * len(cells), "source_row": rows["line"], "source_column": rows["column"],
    }
    problems += ref_problems
    frame = {name: values[keep] if isinstance(values, np.ndarray) else [values[i] for i in keep]
             for name, values in frame.items()}
    problems += _same_analyte_twice(frame, file)
    unit_problems = canonical_values(frame, file)
    problems += unit_problems
    order = sorted(range(len(keep)), key=lambda i: (frame["tp_order"][i], frame["label_order"][i]))
    return schema.frame_from_columns(frame, schema.OBSERVATION_SCHEMA, order), problems


@lru_cache(maxsize=16384, typed=True)  # cells repeat ('', 'Yes', 'No', ...) within and across cases
def _parsed_cell(text: str, style: NumberStyle) -> tuple:
    """(value, result, qualifier, unit, missing, error, expected) of a cell."""
    try:
        cell = parse_cell(text, style)
    except CellError as exc:
        return (None, None, None, None, False, str(exc), exc.expected)
    return (cell.value, cell.result, cell.qualifier, cell.unit, cell.missing, None, None)


def _same_analyte_twice(frame: dict, file: str) -> list[Problem]:
    """Two labels naming one analyte at one timepoint ('WBC' and 'Leukocytes'): which one counts is unclear."""
    seen: set[tuple] = set()
    problems: list[Problem] = []
    rows = zip(frame["timepoint"], frame["analyte"], frame["orig_text"], frame["label"], frame["line"],
               frame["column"], strict=True)
    for timepoint, analyte_id, text, label, line, column in rows:
        if not isinstance(analyte_id, str) or not isinstance(text, str):
            continue
        if (timepoint, analyte_id) in seen:
            problems.append(error(f"'{label}' gives {analyte_id} a second time at '{timepoint}'", file, int(line),
                                  column or None, label, "each analyte once per timepoint"))
        seen.add((timepoint, analyte_id))
    return problems


_SPECIMEN = re.compile(r"^(?:(?:f|c|a|v)?[BPSU]|Pt|Erc|E)\s*-\s*(?=\S)|^S\.\s*(?=\S)")


@lru_cache(maxsize=4096)
def match_label(label: str) -> str | None:
    """The catalogue id of a label, also behind a specimen prefix: Nordic lab names (`P-Ferritin`, `B-Hb`,
    `fP-Triglycerides`: plasma, blood, fasting plasma) and `S. Triglycerides` (serum)."""
    found = match_analyte(label)
    if found is None and _SPECIMEN.match(label):
        found = match_analyte(_SPECIMEN.sub("", label))
    return found


def _two_units(rows: dict[str, list], split: dict, written: dict, file: str) -> list[Problem]:
    """A label unit (`Ferritin (ng/mL)`) and a unit column that disagree (`mg/L`): which one the values are in
    cannot be told, so the row's values are not read (same units in two spellings, `µg/L` and `ng/mL`, agree)."""
    problems: list[Problem] = []
    reported: set[tuple[str, str]] = set()
    for i, (label, unit) in enumerate(zip(rows["label"], rows["unit"], strict=True)):
        in_label, in_column = split[label][1], written[unit]
        if in_label is None or in_column is None or in_label == in_column or _same_unit(in_label, in_column):
            continue
        rows["text"][i] = ""
        if (label, unit) not in reported:
            reported.add((label, unit))
            problems.append(error(f"the label says {in_label} but the unit column says {in_column}: the values are "
                                  "not read", file, rows["line"][i], "unit", unit,
                                  "one unit: in the unit column, or in the label's parentheses"))
    return problems


def _same_unit(a: str, b: str) -> bool:
    try:
        return conversion_factor(a, b) == 1.0
    except UnitError:
        return False


def _differentials(rows: dict[str, list], file: str) -> list[Problem]:
    """A cell count in `%` (`Neutrophils (%)` beside the absolute count) is the differential, a share of the
    white cells, not the count: the row is kept as unmapped, with a warning, and never converted."""
    problems: list[Problem] = []
    warned: set[str] = set()
    for i, (analyte_id, unit) in enumerate(zip(rows["analyte"], rows["unit_n"], strict=True)):
        if unit == "%" and isinstance(analyte_id, str) and is_count(analyte_id):
            label = rows["label"][i]
            rows["analyte"][i], rows["label"][i] = None, f"{label} (%)"
            if label not in warned:
                warned.add(label)
                problems.append(warning(f"'{label}' in % is a differential (a share of the white cells), not the "
                                        f"{analyte(analyte_id).name.lower()} count: kept as unmapped as "
                                        f"'{label} (%)'", file, rows["line"][i], None, f"{label} (%)",
                                        "the absolute count in 10^9/L or /µL for scores"))
    return problems


def _label_problems(rows: dict[str, list], file: str) -> list[Problem]:
    """Unrecognised labels are kept as unmapped, with a warning (once per label)."""
    return [warning(f"'{label}' is not in the analyte catalogue: kept as unmapped", file, rows["line"][i],
                    None, label, "a catalogue name or synonym (see docs/case-format.md)")
            for i, (label, first) in enumerate(zip(rows["label"], _first_seen(rows["label"]), strict=True))
            if first and match_label(label) is None]
