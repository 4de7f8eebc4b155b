"""Why each score item scored what it did: one line per item, per score, per timepoint.

Each line gives the value as read (the cell's text and unit, the converted value when the unit differs),
the rule it met and what that gives ("AST 51 U/L ≥ 30 U/L → 19"), or what is unknown and the range it
leaves ("unknown: no AST at this timepoint (0–19)"), and the cell it came from (file, row, column) when
the tidy table carries `source_file`/`source_row`/`source_column`.

The verdict of every line is the engine's own (the score columns and `hscore.item_ranges`): this module
only words it, so a line can never disagree with the number it explains. Pure: tidy observations and the
score frame in, a tidy frame of lines out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard.domain import criteria
from dashboard.domain.audit import hscore_states
from dashboard.domain.matrix import ANALYTE_OF, timepoint_matrix
from dashboard.domain.scores import ms_score

WHY_COLUMNS = ("case_id", "timepoint", "score", "item", "line")
SOURCE_COLUMNS = ("source_file", "source_row", "source_column")


SCORES: tuple[str, ...] = ("hscore", "hlh2004", "mas2016", "parodi2009")
# How a reader names an item (display only: every rule, cut-off and point comes from the registry).
ITEM_LABELS = {"ast": "AST", "ldh": "LDH", "nk_activity": "NK-cell activity", "scd25": "Soluble CD25",
               "cns_involvement": "CNS involvement", "triglycerides_fibrinogen": "Triglycerides/fibrinogen",
               "hemorrhage": "Hemorrhagic manifestations", "immunosuppression": "Known immunosuppression",
               "arthritis": "Active arthritis"}
INPUT_NAMES = {"nk_activity": "NK-cell activity", "scd25": "soluble CD25", "cns_involvement": "CNS involvement",
               "wbc": "WBC", "ast": "AST", "ldh": "LDH"}
_NEGATED = {">=": "<", ">": "≤", "<=": ">", "<": "≥"}


def items(score: str) -> tuple[str, ...]:
    """The items of a score that read case data (not thresholds on a computed total), in registry order."""
    return tuple(dict.fromkeys(c.item for c in criteria.CRITERIA if c.score == score and c.input in ANALYTE_OF))


def item_label(score: str, item: str) -> str:
    if score == "hscore" and item == "hemophagocytosis":
        return "Marrow hemophagocytosis"
    return ITEM_LABELS.get(item, item.replace("_", " ").capitalize())


def inputs(score: str, item: str) -> tuple[str, ...]:
    """The analytes an item reads, in registry order."""
    return tuple(dict.fromkeys(ANALYTE_OF[i] for i in criteria.inputs_of(score, item)))


def _condition(rule: criteria.Criterion, *, negated: bool = False) -> str:
    """"≥ 30 U/L", "≥ 3.0 mmol/L (≥ 265 mg/dL)"; negated: "< 30 U/L" (the band below the lowest)."""
    if not negated:  # the registry's own words, without the input's name and the points
        return rule.text.removeprefix(criteria.INPUTS[rule.input][0] + " ").split(" → ")[0]
    symbol = _NEGATED[rule.op]
    first, *others = rule.cutoffs
    return f"{symbol} {first}" + (f" ({', '.join(f'{symbol} {o}' for o in others)})" if others else "")


def unknown(value: Any) -> bool:
    """None, NA or NaN: a value the data do not give."""
    return value is None or value is pd.NA or bool(pd.isna(value))


def _clean(value: float) -> str:
    return format(value, ".4g")


def reading_text(obs: Mapping) -> str:
    """The value as read: cell text with its unit, the converted value when the unit differs, the source."""
    text = "" if unknown(obs.get("orig_text")) else str(obs["orig_text"]).strip()
    unit, orig_unit = obs.get("unit"), obs.get("orig_unit")
    if not unknown(orig_unit) and orig_unit not in text and orig_unit != "titer":
        text = f"{text} {orig_unit}"
    value = obs.get("value")
    if not unknown(unit) and not unknown(orig_unit) and unit != orig_unit and not unknown(value):
        text = f"{text} (= {_clean(float(value))} {unit})"
    return text


def sources_text(analytes: tuple[str, ...], cells: Mapping[str, Mapping]) -> str:
    """" [labs.csv, row 13, column 'Admission']" for the cells a line read (when the tidy table names
    them), appended to the line so the reading itself stays plain."""
    found = [text for a in analytes if a in cells and (text := source_text(cells[a]))]
    return f" [{'; '.join(dict.fromkeys(found))}]" if found else ""


def source_text(obs: Mapping) -> str:
    """"labs.csv, row 13, column 'Admission'" when the tidy table names the cell, else ""."""
    file, row, column = (obs.get(c) for c in SOURCE_COLUMNS)
    if unknown(file):
        return ""
    parts = [str(file)]
    if not unknown(row):
        parts.append(f"row {int(row) if isinstance(row, float) and row.is_integer() else row}")
    if not unknown(column):
        parts.append(f"column '{column}'")
    return ", ".join(parts)


def _in_rule_unit(rule: criteria.Criterion, obs: Mapping) -> str:
    """" (= 9.3 g/dL)" when the rule prints its cut-off in a unit other than the value's, so the reader can
    compare the two numbers directly; "" otherwise."""
    if rule.op == "yes" or unknown(obs.get("value")):
        return ""
    unit = rule.units[0]
    if unit in (criteria.INPUTS[rule.input][1], obs.get("orig_unit")) or criteria.factor(rule.input, unit) == 1.0:
        return ""  # the same number in the rule's unit (ng/mL = µg/L)
    return f" (= {_clean(float(obs['value']) * criteria.factor(rule.input, unit))} {unit})"


def _name(analyte: str) -> str:
    return INPUT_NAMES.get(analyte, analyte.replace("_", " "))


def _readings_of(analytes: tuple[str, ...], cells: Mapping[str, Mapping],
                 suffix=lambda analyte, obs: "") -> tuple[list[str], list[str]]:
    """("Hemoglobin 77 g/L", ...) for the analytes read at this timepoint, and the names of those missing."""
    read, missing = [], []
    for analyte in analytes:
        obs = cells.get(analyte)
        if obs is None or (unknown(obs.get("value")) and unknown(obs.get("result"))):
            missing.append(_name(analyte))
        else:
            label = obs.get("label") if not unknown(obs.get("label")) else analyte
            read.append(f"{label} {reading_text(obs)}{suffix(analyte, obs)}")
    return read, missing


def _readings(score: str, item: str, cells: Mapping[str, Mapping]) -> tuple[list[str], list[str]]:
    """The inputs an item read, each also in the unit its rule prints ("Hemoglobin 77 g/L (= 7.7 g/dL)")."""
    by_analyte = {ANALYTE_OF[r.input]: r for r in reversed(criteria.rules(score, item))}
    return _readings_of(inputs(score, item), cells, lambda analyte, obs: _in_rule_unit(by_analyte[analyte], obs))


def _unknown(missing: list[str]) -> str:
    if missing:
        return f"unknown: no {', '.join(missing)} at this timepoint"
    return "unknown: the value as read (a bound, or an organ without its size) allows either side of the cut-off"


def _hscore_line(item: str, cells: Mapping[str, Mapping], lo: int, hi: int) -> str:
    label, analytes = item_label("hscore", item), inputs("hscore", item)
    read, missing = _readings("hscore", item, cells)
    shown = "; ".join(read)
    if lo != hi:
        known = f"{shown}; " if shown else ""
        return f"{label}: {known}{_unknown(missing)} ({lo}–{hi})"
    rules = criteria.rules("hscore", item)
    counted = [t for t in criteria.TALLIES if (t.score, t.item) == ("hscore", item)]
    if counted:
        points = counted[0].points
        count = "≤ 1" if lo == 0 and points[1] == 0 else str(points.index(lo))
        of = ", ".join(r.text for r in rules)
        return f"{label}: {shown} → {count} of {len(rules)} met ({of}) → {lo}"
    if rules[0].op == "yes":  # a finding: the reading is the rule
        return f"{label}: {reading_text(cells[analytes[0]])} → {lo}"
    band = criteria.band("hscore", item, lo)
    condition = _condition(band) if band is not None else _condition(rules[-1], negated=True)
    return f"{shown} {condition} → {lo}"


def _criterion_line(score: str, item: str, cells: Mapping[str, Mapping], met: Any) -> str:
    read, missing = _readings(score, item, cells)
    shown = "; ".join(read)
    lead = f"{item_label(score, item)} ({criteria.rule_text(score, item)})"
    if unknown(met):
        known = f"{shown}; " if shown else ""
        return f"{lead}: {known}{_unknown(missing)}"
    return f"{lead}: {shown or 'as reported'} → {'met' if met else 'not met'}"


def _cells(observations: pd.DataFrame) -> dict[tuple[str, str], dict[str, dict]]:
    """{(case_id, timepoint): {analyte: observation}}; a repeated analyte keeps its last row, as the matrix."""
    out: dict[tuple[str, str], dict[str, dict]] = {}
    known = observations[observations["analyte"].notna()]
    for record in known.to_dict("records"):
        out.setdefault((record["case_id"], record["timepoint"]), {})[record["analyte"]] = record
    return out


def item_readings(observations: pd.DataFrame, key: tuple[str, str]) -> dict[str, str]:
    """{HScore item: its one value as read ("4.13 mmol/L")} at one timepoint, for single-input lab items."""
    here = _cells(observations).get(key, {})
    single = {item: inputs("hscore", item) for item in items("hscore")}
    return {
        item: reading_text(here[analytes[0]])
        for item, analytes in single.items()
        if len(analytes) == 1 and analytes[0] in here and not unknown(here[analytes[0]].get("value"))
        and criteria.rules("hscore", item)[0].op != "yes"
    }


def _term(value: float, sign: str = "+") -> str:
    """A signed number of the MS score formula with a real minus: "−0.066", "+1.26" ("1.26" without sign)."""
    return format(value, f"{sign}.4g").replace("-", "−")


def _ms_score_lines(cells: Mapping[str, Mapping]) -> list[tuple[str, str]]:
    """(item, line) per term of the MS score: value × weight, or the unknown and what it can add."""
    out = []
    for column, (weight, factor) in ms_score.LABORATORY_WEIGHTS.items():
        analyte = ANALYTE_OF[column]
        read, missing = _readings_of((analyte,), cells)
        if missing:
            out.append((analyte, f"{_name(analyte)}: {_unknown(missing)} (the score is unknown without it)"))
            continue
        obs = cells[analyte]
        bound = "" if unknown(obs.get("qualifier")) else " (a bound: the term is a range)"
        in_unit = f" (= {_clean(float(obs['value']) * factor)} mg/dL)" if factor != 1.0 else ""
        term = weight * float(obs["value"]) * factor
        out.append((analyte, f"{read[0]}{in_unit} × {_term(weight, '')} = {_term(term)}{bound}"))
    for finding, weight in ms_score.CLINICAL_WEIGHTS.items():
        label = item_label("ms_score", finding)
        read, missing = _readings_of((ANALYTE_OF[finding],), cells)
        if missing:
            out.append((finding, f"{label}: {_unknown(missing)} (adds 0 or {_term(weight)})"))
            continue
        present = cells[ANALYTE_OF[finding]].get("result") == "positive"
        obs = cells[ANALYTE_OF[finding]]
        out.append((finding, f"{label}: {reading_text(obs)} → {_term(weight) if present else '0'}"))
    return out


def _ratio_line(cells: Mapping[str, Mapping], ratio: Any) -> str:
    read, missing = _readings_of(("ferritin", "esr"), cells)
    cut = _clean(criteria.FERRITIN_ESR_CUT_OFF)
    if missing:
        return f"Ferritin/ESR: {'; '.join(read) + '; ' if read else ''}{_unknown(missing)}"
    shown = "a range (a bound was read)" if unknown(ratio) else _clean(round(float(ratio), 1))
    return f"{read[0]} ÷ {read[1]} = {shown} (> {cut} favoured MAS over active sJIA)"


def why_lines(observations: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """One line per (case, timepoint, score, item): columns case_id, timepoint, score, item, line."""
    cells = _cells(observations)
    matrix = timepoint_matrix(observations)
    states = dict(zip(matrix.index, hscore_states(matrix), strict=True))
    rows = []
    for key, row in scores.iterrows():
        if key not in states:
            continue  # a scored timepoint with no observations here: nothing to explain it with
        here = cells.get(key, {})
        for state in states[key]:
            line = _hscore_line(state.item, here, state.lo, state.hi)
            rows.append((*key, "hscore", state.item, line + sources_text(inputs("hscore", state.item), here)))
        for score in SCORES[1:]:
            for item in items(score):
                line = _criterion_line(score, item, here, row[f"{score}.criteria.{item}"])
                rows.append((*key, score, item, line + sources_text(inputs(score, item), here)))
        rows.extend((*key, "ms_score", item, line + sources_text((ANALYTE_OF.get(item, item),), here))
                    for item, line in _ms_score_lines(here))
        ratio = _ratio_line(here, row["ferritin_esr_ratio.value"])
        rows.append((*key, "ferritin_esr_ratio", "ratio", ratio + sources_text(("ferritin", "esr"), here)))
    return pd.DataFrame(rows, columns=list(WHY_COLUMNS))
