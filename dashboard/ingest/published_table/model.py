"""What a published table is read into: caption, timepoint names, rows of text, and every decision made.

Rows keep the text as printed beside the repaired text, so the report and the review grid can show
what was changed; cells that could not be read with certainty are listed as problems and left empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dashboard.domain.analytes import analyte, match_analyte
from dashboard.domain.units import is_unit
from dashboard.ingest.problems import Problem, warning
from dashboard.ingest.published_table.cells import Repair, repair_unit
from dashboard.ingest.wide import REFERENCE_HEADERS, UNIT_HEADERS

CAPTION = re.compile(r"^\s*((?:Supplementary\s+)?(?:Table|Tab\.)\s*S?\d+(?:[A-Za-z](?=[\s.:]))?)[.:|]?\s*(.*)$")
REFERENCE_WORDS = ("reference range", "reference ranges", "normal range", "normal ranges", "reference values",
                   "reference value", "normal values", "normal value", "reference interval", "ref range",
                   "ref. range", "reference", "normal", "range", "rr", "ref", "ref.", "normal limits",
                   "reference range (unit)", "reference range and unit", "normal range (unit)")
UNIT_WORDS = ("unit", "units")
LABEL_WORDS = ("parameter", "parameters", "variable", "variables", "test", "tests", "analyte", "analytes",
               "laboratory parameter", "laboratory parameters", "laboratory test", "laboratory tests",
               "laboratory data", "laboratory findings", "laboratory values", "investigation", "investigations",
               "lab test", "lab tests", "item", "items", "measure", "characteristic", "laboratory")
_RANGE_WORDS = (r"(?:(?:normal|reference|ref\.?|NR|RR|N)(?:\s+(?:range|ranges|values?|interval|limits?))?"
                r"(?:\s*\((?:NR|RR)\))?\s*[:=,]?\s*)?")  # `WBC (NR 4–11 ×10⁹/L)`, `Hb (Normal range (NR) 120–150 g/L)`
_RANGE_IN_LABEL = re.compile(
    r"^(?P<label>.*?)\s*\(\s*" + _RANGE_WORDS + r"(?P<range>(?:[<>≤≥]=?\s*)?\d[\d.,]*(?:\s*[-–—]\s*\d[\d.,]*)?)"
    r"\s*(?P<unit>[^()]*?)\s*\)\s*$", re.IGNORECASE)
_UNIT_AFTER_COMMA = re.compile(r"^(?P<label>.*[^\s,]),\s*(?P<unit>[^,()]+)$")
_RANGE_THEN_UNIT = re.compile(
    r"^(?P<range>(?:[<>≤≥]=?\s*)?\d[\d.,]*(?:\s*(?:[-–—]|to)\s*\d[\d.,]*)?)\s+(?P<unit>\S.*)$")
_LABEL_MARKER = re.compile(r"^(.*?[^\s*†‡§¶#^ᵃᵇᶜᵈᵉᶠ])\s*([*†‡§¶#^]+|[ᵃᵇᶜᵈᵉᶠ]+)$")
_UNIT_PARENS = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


@dataclass
class SourceRow:
    line: int
    label: str
    unit: str
    reference: str
    cells: list[str]      # one per timepoint, repaired ("" = empty)
    printed: list[str]    # one per timepoint, as printed


@dataclass
class PublishedTable:
    caption: str
    layout: str                     # 'tab-separated', 'flattened text', 'html', 'pdf'
    timepoints: list[str]
    rows: list[SourceRow]
    file: str = "table"
    repairs: list[Repair] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)        # decisions about the table as a whole
    problems: list[Problem] = field(default_factory=list)  # what was left empty, and why
    source: str = ""                                       # the text as given
    specimen: str = ""                                     # the current section when it names a body fluid


def header_kind(text: str) -> str | None:
    """'reference', 'unit', 'flag' or 'label' for a column header that names such a column, else None."""
    key = " ".join(re.sub(r"[*†‡§¶#^:]", " ", text).casefold().split())
    key = re.sub(r"\s*\(.*\)$", "", key) if key not in REFERENCE_WORDS else key
    if key in REFERENCE_WORDS or key in REFERENCE_HEADERS or key.startswith(("reference range", "normal range",
                                                                             "reference value")):
        return "reference"
    if key in UNIT_WORDS or key in UNIT_HEADERS:
        return "unit"
    if key in ("flag", "flags", "h/l", "abnormal flag", "interpretation"):
        return "flag"  # the lab's H/L column: set aside, never a timepoint
    if key in LABEL_WORDS or key == "":
        return "label"
    return None


def unit_like(text: str) -> bool:
    """A unit as printed, before the spelling table has its say (`K/mcL`, `109/L`, `mg/dl`, `%`)."""
    return is_unit(text) or bool(re.fullmatch(r"[A-Za-zµμ°%0-9^*×x./ ]*[/%°µμ][A-Za-zµμ°%0-9^*.]*", text.strip()))


def _bare_unit(text: str) -> bool:
    """A unit after the label without a parenthesis or comma (`Ferritin ng/mL`): only a unit casetrack knows,
    or a count per volume (`copies/mL`), so `HIV 1/2 Ag/Ab` keeps its words."""
    return is_unit(repair_unit(text, None)[0]) or bool(re.fullmatch(r"[A-Za-z]+/(?:mL|L|dL|µL|uL|μL)", text))


def split_row_label(text: str, line: int, table: PublishedTable) -> tuple[str, str, str]:
    """(label, unit, reference) from a label cell: `WBC (4.5–11 k/uL)`, `AST, U/L`, `Ferritin (ng/mL)*`."""
    label = " ".join(text.split())
    if found := _LABEL_MARKER.match(label):
        table.repairs.append(Repair(line, "label", label, found.group(1), f"footnote marker '{found.group(2)}' "
                                                                           "removed"))
        label = found.group(1)
    reference = unit = ""
    if (found := _UNIT_PARENS.match(label)) and unit_like(found.group(2)):
        label, unit = found.group(1), found.group(2)
    elif (found := _RANGE_IN_LABEL.match(label)) and (not found.group("unit") or unit_like(found.group("unit"))):
        label, reference, unit = found.group("label"), found.group("range"), found.group("unit")
        table.repairs.append(Repair(line, "label", text.strip(), label, f"reference range '{reference}'"
                                    + (f" and unit '{unit}'" if unit else "") + " taken out of the label"))
    elif (found := _UNIT_AFTER_COMMA.match(label)) and unit_like(found.group("unit")):
        label, unit = found.group("label"), found.group("unit")
        table.repairs.append(Repair(line, "label", text.strip(), label, f"unit '{unit}' after the comma taken "
                                                                          "out of the label"))
    elif " " in label and re.search(r"[/%°]", last := label.rsplit(" ", 1)[1]) and _bare_unit(last):
        label, unit = label.rsplit(" ", 1)[0], last
        table.repairs.append(Repair(line, "label", text.strip(), label, f"unit '{unit}' after the label split off"))
    if unit:
        unit, more = repair_unit(unit, line)
        table.repairs.extend(more)
    return label, unit, reference


def split_reference(text: str, line: int, table: PublishedTable) -> tuple[str, str]:
    """(range, unit) from a merged `4.5–11.0 K/mcL` reference cell; a plain range comes back as is."""
    cell = " ".join(text.split())
    found = _RANGE_THEN_UNIT.match(cell)
    if found and unit_like(found.group("unit")):
        unit, more = repair_unit(found.group("unit"), line)
        table.repairs.append(Repair(line, "reference range", cell, found.group("range"),
                                    f"unit '{found.group('unit')}' split from the reference range"))
        table.repairs.extend(more)
        return found.group("range"), unit
    return cell, ""


_FLUID = re.compile(r"\b(?:urine|urinary|urinalysis|csf|cerebrospinal|pleural|ascit\w*|peritoneal|bal|bronchoalveolar|"
                    r"bone marrow|marrow|stool|faecal|fecal|synovial|joint fluid|aqueous|vitreous)\b", re.IGNORECASE)


def section_header(table: PublishedTable, line: int, text: str) -> None:
    """A row without values read as a section header; a section naming a body fluid (`CSF`, `Urinalysis`)
    is kept in front of its rows' labels, so `WBC` under `CSF` is never the blood count."""
    table.notes.append(f"line {line}: '{text}' has no values: read as a section header"
                       + (": its rows are of that specimen" if _FLUID.search(text) else ""))
    table.specimen = text.strip().rstrip(":") if _FLUID.search(text) else ""


def _of_specimen(label: str, section: str) -> bool:
    """The catalogue names this analyte in that specimen (`Hemophagocytosis` under `Bone marrow aspirate`)."""
    known = match_analyte(label)
    fluid = _FLUID.search(section)
    if known is None or fluid is None:
        return False
    record = analyte(known)
    word = fluid.group(0).casefold()
    return any(word in name.casefold() for name in (record.name, *record.synonyms))


def specimen_label(table: PublishedTable, line: int, label: str) -> str:
    """`WBC` under a `CSF` section -> `CSF: WBC`; `WBC (CSF)` -> `CSF WBC` (a fluid in the label's parenthesis
    is not dropped the way `Ferritin (serum)` is); recorded."""
    if table.specimen and not _FLUID.search(label) and not _of_specimen(label, table.specimen):
        table.repairs.append(Repair(line, "label", label, f"{table.specimen}: {label}",
                                    f"the row is under the section '{table.specimen}'"))
        return f"{table.specimen}: {label}"
    found = re.match(r"^(.*\S)\s*\(([^()]*)\)$", label)
    if found and _FLUID.search(found.group(2)) and match_analyte(label) != match_analyte(
            moved := f"{found.group(2)} {found.group(1)}"):
        table.repairs.append(Repair(line, "label", label, moved, "the specimen in parentheses put in front"))
        return moved
    return label


def refuse_row(table: PublishedTable, line: int, label: str, text: str, why: str) -> None:
    """A row whose values cannot be placed with certainty: listed, values left empty."""
    table.problems.append(warning(f"values left empty: {why}", table.file, line, label or None, text,
                                  "type the values into the grid"))
