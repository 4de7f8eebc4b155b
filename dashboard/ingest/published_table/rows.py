"""One table row, whatever layout it came from: label, unit and reference split, cells repaired.

Every layout (tab-separated text, flattened PDF text, HTML, PDF) hands rows of text here, so the
repairs and the refusals are written once.
"""

from __future__ import annotations

import re

from dashboard.domain.analytes import analyte, match_analyte
from dashboard.domain.plausibility import AGREEMENT, candidate_units
from dashboard.domain.units import conversion_factor, is_unit, normalise_unit
from dashboard.domain.values import CellError, parse_cell
from dashboard.ingest.problems import warning
from dashboard.ingest.published_table.cells import (
    Repair,
    decimal_style,
    exponent_cell,
    repair_cell,
    times_power,
)
from dashboard.ingest.published_table.model import (
    PublishedTable,
    SourceRow,
    refuse_row,
    specimen_label,
    split_reference,
    split_row_label,
)

_COMBINED_CELL = re.compile(r"^\d[\d.,]*(?:\s*/\s*\d[\d.,]*)+$")
_COUNT_UNIT = re.compile(r"^(?:/|cells/)(?:L|µL|uL|μL|mm3|mm\^3|cumm|mcL)$", re.IGNORECASE)


def table_style(rows: list[list[str]]) -> str | None:
    """The decimal style of the whole table (value and reference cells), decided once."""
    return decimal_style([cell for row in rows for cell in row[1:]])


def add_row(table: PublishedTable, line: int, label_text: str, unit_text: str, ref_text: str,
            cells: list[str], style: str | None) -> None:
    """Split, repair and append one row (two or more for a combined `PT/INR` row)."""
    label, unit, reference = split_row_label(label_text, line, table)
    label = specimen_label(table, line, label)
    if ref_text:
        reference, ref_unit = split_reference(ref_text, line, table)
        if ref_unit and not unit:
            unit = ref_unit
        elif ref_unit and normalise_unit(ref_unit) != normalise_unit(unit):
            refuse_row(table, line, label, label_text, f"the label says '{unit}' and the reference cell "
                       f"'{ref_unit}': the values' unit is not certain")
            table.rows.append(SourceRow(line, label, "", "", [""] * len(cells), list(cells)))
            return
    if unit_text:
        unit = unit_text.strip()
    filled = [c.strip() for c in cells if c.strip()]
    if not unit and filled and all(_PERCENT_CELL.match(c) for c in filled):
        unit = "%"  # `72%` in every cell: a row in percent
    if "/" in label and any(_COMBINED_CELL.match(c.strip()) for c in cells):
        _combined(table, line, label, unit, reference, cells, style)
        return
    decided = _label_and_unit(table, line, label, unit, reference, cells, style)
    if decided is None:
        return
    label, unit = decided
    repaired = []
    for column, text in zip(table.timepoints, cells, strict=True):
        repaired.append(_cell(table, line, column, label, unit, text, style))
    reference = _reference(table, line, reference, style)
    table.rows.append(SourceRow(line, label, unit, reference, repaired, list(cells)))


_SPECIMEN = re.compile(r"^(?:serum|plasma|blood|sr|se|s|p|b)(?:\.\s*|\s*-\s*|\s+)(?=\S)", re.IGNORECASE)
DIFFERENTIAL = ", % of leukocytes"
_PERCENT_CELL = re.compile(r"^[<>≤≥]?\s*\d+(?:[.,]\d+)?\s*%$")
_COUNT_AND_PERCENT = re.compile(r"^([<>≤≥]?\s*\d[\d.,]*)\s*(\(\s*\d+(?:[.,]\d+)?\s*%\s*\))$")


def catalogue_label(table: PublishedTable, line: int, label: str, unit: str) -> str:
    """The label as the catalogue should read it; each change recorded.

    * A specimen prefix (`S. ferritin`, `Serum triglycerides`, `P-Fibrinogen`) is dropped only when the
      label is not known with it and is known without it.
    * A percentage of a cell count (`Neutrophils (%)`, `Lymphocytes, %`) is the differential, another
      quantity than the count: it is kept unmapped as `Neutrophils, % of leukocytes`, never read as
      the count.
    """
    if match_analyte(label) is None and (found := _SPECIMEN.match(label)) and match_analyte(label[found.end():]):
        table.repairs.append(Repair(line, "label", label, label[found.end():], "specimen prefix dropped"))
        label = label[found.end():]
    known = match_analyte(label)
    if known is not None and normalise_unit(unit) == "%" and analyte(known).unit == "10^9/L":
        table.repairs.append(Repair(line, "label", label, label + DIFFERENTIAL, "a percentage of a cell count is "
                                    "the differential, not the count: kept unmapped"))
        label += DIFFERENTIAL
    return label


def _label_and_unit(table: PublishedTable, line: int, label: str, unit: str, reference: str, cells: list[str],
                    style: str | None) -> tuple[str, str] | None:
    """The row's label for the catalogue and its unit; None when the row is refused (appended empty)."""
    label = catalogue_label(table, line, label, unit)
    if not unit and (known := match_analyte(label)) is not None:
        unit, why = unit_from_reference(known, reference, cells, style)
        if why:
            refuse_row(table, line, label, label, why)
            table.rows.append(SourceRow(line, label, "", reference, [""] * len(cells), list(cells)))
            return None
        if unit:
            table.repairs.append(Repair(line, "unit", "", unit, f"no unit printed: the reference range "
                                        f"'{reference}' agrees with {unit} only"))
    return label, unit


def unit_from_reference(analyte_id: str, reference: str, cells: list[str], style: str | None) -> tuple[str, str | None]:
    """(unit, why refused) for a row of a known analyte printed without a unit.

    The catalogue's canonical and common units in which every value is plausible are the candidates
    (CRP `12` is plausible in mg/L and in mg/dL; hemoglobin `98` only in g/L). One candidate: read in it.
    Several: the row's reference range decides when its upper limit agrees with the catalogue's upper
    limit in exactly one of them: within 1.5× (the loader's agreement), else within 3.5× (CRP `<5` is
    mg/L; `<3` agrees with mg/L and mg/dL alike); otherwise refused.
    """
    record = analyte(analyte_id)
    if record.unit is None or not record.common_units:
        return "", None
    values, qualifiers = [], []
    for text in cells:
        try:
            cell = parse_cell(repair_cell(text, style, None, "")[0])
        except CellError:
            continue
        if cell.value is not None and cell.unit is None:
            values.append(cell.value)
            qualifiers.append(cell.qualifier)
    candidates = candidate_units(analyte_id, values, qualifiers) if values else []
    if len(candidates) <= 1:
        return "", None  # one reading, or none (the loader says why)
    tops = re.findall(r"\d+(?:[.,]\d+)?", reference.replace(",", ".") if style == "," else reference.replace(",", ""))
    if tops and record.ref_high and not re.match(r"^\s*[>≥]", reference):
        high = float(tops[-1])
        ratios = {u: high / (record.ref_high * conversion_factor(record.unit, u, record.molar_mass))
                  for u in candidates}
        for window in (AGREEMENT, 3.5):  # the loader's agreement first (g/dL and mmol/L are 1.6× apart)
            agree = [u for u, ratio in ratios.items() if 1 / window <= ratio <= window]
            if agree:
                break
        if len(agree) == 1:
            return agree[0], None
    return "", (f"no unit is printed, and the values of {record.name} are plausible in {', '.join(candidates)}: "
                + (f"the reference range '{reference}' does not decide which" if reference else
                   "without a unit or a reference range which one is not certain"))


def _differential_aside(table: PublishedTable, line: int, column: str, label: str, cell: str) -> str:
    """`0.9 (45%)` in a row of a cell count: the count, with its differential percentage set aside (recorded)."""
    found = _COUNT_AND_PERCENT.match(cell)
    known = match_analyte(label)
    if not found or known is None or analyte(known).unit != "10^9/L":
        return cell
    table.repairs.append(Repair(line, column, cell, found.group(1), f"the differential percentage "
                                f"'{found.group(2)}' set aside (the row is the count)"))
    return found.group(1)


def _reference(table: PublishedTable, line: int, text: str, style: str | None) -> str:
    cell, repairs = repair_cell(text, style, line, "reference range")
    table.repairs.extend(repairs)
    return cell


def _cell(table: PublishedTable, line: int, column: str, label: str, unit: str, text: str, style: str | None) -> str:
    """A value cell repaired; one that still cannot be read is listed and left empty."""
    cell, repairs = repair_cell(text, style, line, column)
    table.repairs.extend(repairs)
    cell = _differential_aside(table, line, column, label, cell)
    exponent = exponent_cell(cell)
    if exponent is not None:
        number, power, written = exponent
        canonical = normalise_unit(unit) or ""
        if written and canonical.startswith("10^"):
            return _refuse(table, line, column, label, text, f"'{text}' carries a power of ten and so does the "
                           f"row's unit '{unit}': which one the value is in is not certain")
        if not written and not _COUNT_UNIT.match(unit.replace(" ", "")):
            return _refuse(table, line, column, label, text, f"'{text}' carries a power of ten, but the row's "
                           f"unit '{unit or 'none'}' is not a count per volume it could multiply")
        value = times_power(number, power)
        table.repairs.append(Repair(line, column, cell, value, f"×10^{power} multiplied out"
                                    + ("" if written else f" ('×10{power}': a flattened superscript)")))
        return value
    if "/" in cell and _COMBINED_CELL.match(cell) and not re.match(r"^1\s*/", cell):
        return _refuse(table, line, column, label, text, f"'{text}' holds two values; the label '{label}' does "
                       "not name them both")
    try:
        parse_cell(cell)
    except CellError as exc:
        return _refuse(table, line, column, label, text, str(exc))
    return cell


def _refuse(table: PublishedTable, line: int, column: str, label: str, text: str, why: str) -> str:
    table.problems.append(warning(f"left empty: {why}", table.file, line, column, text,
                                  f"the value of {label or 'this row'} at {column}, typed into the grid"))
    return ""


def _combined(table: PublishedTable, line: int, label: str, unit: str, reference: str, cells: list[str],
              style: str | None) -> None:
    """`PT/INR 24.1/1.7`: one row per named analyte when every cell splits the same way, else refused."""
    names = [part.strip() for part in label.split("/")]
    parts = [[p.strip() for p in c.split("/")] if c.strip() else [""] * len(names) for c in cells]
    if any(len(p) != len(names) for p in parts if any(p)) or not all(names):
        for column, text in zip(table.timepoints, cells, strict=True):
            if text.strip():
                _refuse(table, line, column, label, text, f"'{label}' combines analytes and '{text}' does not "
                        "split into one value for each")
        table.rows.append(SourceRow(line, label, unit, reference, [""] * len(cells), list(cells)))
        return
    pieces = [u.strip() for u in unit.split("/")]
    if not unit or is_unit(unit):
        units = [unit] * len(names)
    elif len(pieces) == len(names) and all(is_unit(u) for u in pieces):
        units = pieces
    else:
        units = [""] * len(names)
        table.notes.append(f"line {line}: the unit '{unit}' of '{label}' cannot be shared out: left empty")
    refs = reference.split("/") if reference and len(reference.split("/")) == len(names) else [""] * len(names)
    table.notes.append(f"line {line}: '{label}' split into {len(names)} rows ({', '.join(names)}), each cell "
                       "read as one value per analyte")
    for i, name in enumerate(names):
        printed = [p[i] for p in parts]
        decided = _label_and_unit(table, line, name, units[i].strip(), refs[i].strip(), printed, style)
        if decided is None:
            continue
        row_cells = [_cell(table, line, column, decided[0], decided[1], text, style)
                     for column, text in zip(table.timepoints, printed, strict=True)]
        table.rows.append(SourceRow(line, decided[0], decided[1], refs[i].strip(), row_cells, printed))
