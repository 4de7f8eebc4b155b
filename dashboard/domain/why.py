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
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.domain.audit import hscore_states
from dashboard.domain.matrix import timepoint_matrix

WHY_COLUMNS = ("case_id", "timepoint", "score", "item", "line")
SOURCE_COLUMNS = ("source_file", "source_row", "source_column")


@dataclass(frozen=True)
class Rule:
    """How one item reads its inputs: the analytes it uses and, per outcome, the rule's words.

    HScore items: `bands` maps points -> the band's words. Criteria: `rule` is the met condition.
    """

    label: str
    inputs: tuple[str, ...]
    bands: Mapping[int, str] | None = None
    rule: str = ""


# TODO(registry): derive these words from dashboard/domain/criteria.py once the engine's registry lands.
RULES: dict[str, dict[str, Rule]] = {
    "hscore": {
        "immunosuppression": Rule("Known immunosuppression", ("immunosuppression",), {0: "no", 18: "yes"}),
        "temperature": Rule("Temperature", ("temperature",),
                            {0: "< 38.4 °C", 33: "in 38.4–39.4 °C", 49: "> 39.4 °C"}),
        "organomegaly": Rule("Organomegaly", ("hepatomegaly", "splenomegaly"),
                             {0: "neither organ enlarged", 23: "one organ enlarged", 38: "both enlarged"}),
        "cytopenias": Rule("Cytopenias", ("hemoglobin", "wbc", "platelets"),
                           {0: "≤ 1 lineage low", 24: "2 lineages low", 34: "3 lineages low"},
                           "Hb ≤ 92 g/L, WBC ≤ 5.0 ×10⁹/L, platelets ≤ 110 ×10⁹/L"),
        "ferritin": Rule("Ferritin", ("ferritin",), {0: "< 2000 ng/mL", 35: "in 2000–6000 ng/mL", 50: "> 6000 ng/mL"}),
        "triglycerides": Rule("Triglycerides", ("triglycerides",),
                              {0: "< 1.5 mmol/L", 44: "in 1.5–4 mmol/L", 64: "> 4 mmol/L"}),
        "fibrinogen": Rule("Fibrinogen", ("fibrinogen",), {0: "> 2.5 g/L", 30: "≤ 2.5 g/L"}),
        "ast": Rule("AST", ("ast",), {0: "< 30 U/L", 19: "≥ 30 U/L"}),
        "hemophagocytosis": Rule("Marrow hemophagocytosis", ("hemophagocytosis",), {0: "no", 35: "yes"}),
    },
    "hlh2004": {
        "fever": Rule("Fever", ("temperature",), rule="≥ 38.5 °C"),
        "splenomegaly": Rule("Splenomegaly", ("splenomegaly",), rule="present"),
        "cytopenias": Rule("Cytopenias", ("hemoglobin", "platelets", "neutrophils"),
                           rule="≥ 2 of Hb < 90 g/L, platelets < 100 ×10⁹/L, neutrophils < 1.0 ×10⁹/L"),
        "triglycerides_fibrinogen": Rule("Triglycerides/fibrinogen", ("triglycerides", "fibrinogen"),
                                         rule="TG ≥ 3.0 mmol/L (≥ 265 mg/dL) or fibrinogen ≤ 1.5 g/L"),
        "hemophagocytosis": Rule("Hemophagocytosis", ("hemophagocytosis",), rule="present"),
        "nk_activity": Rule("NK-cell activity", ("nk_activity",), rule="low or absent"),
        "ferritin": Rule("Ferritin", ("ferritin",), rule="≥ 500 ng/mL"),
        "scd25": Rule("Soluble CD25", ("scd25",), rule="≥ 2400 U/mL"),
    },
    "mas2016": {
        "febrile": Rule("Febrile", ("temperature",), rule="≥ 38.0 °C (entry condition)"),
        "ferritin": Rule("Ferritin", ("ferritin",), rule="> 684 ng/mL (required)"),
        "platelets": Rule("Platelets", ("platelets",), rule="≤ 181 ×10⁹/L"),
        "ast": Rule("AST", ("ast",), rule="> 48 U/L"),
        "triglycerides": Rule("Triglycerides", ("triglycerides",), rule="> 156 mg/dL (1.76 mmol/L)"),
        "fibrinogen": Rule("Fibrinogen", ("fibrinogen",), rule="≤ 360 mg/dL (3.6 g/L)"),
    },
    "parodi2009": {
        "fever": Rule("Fever", ("temperature",), rule="> 38 °C"),
        "hepatomegaly": Rule("Hepatomegaly", ("hepatomegaly",), rule="≥ 3 cm"),
        "splenomegaly": Rule("Splenomegaly", ("splenomegaly",), rule="≥ 3 cm"),
        "hemorrhage": Rule("Hemorrhagic manifestations", ("hemorrhage",), rule="present"),
        "cns_involvement": Rule("CNS dysfunction", ("cns_involvement",), rule="present"),
        "cytopenias": Rule("Cytopenias", ("wbc", "hemoglobin", "platelets"),
                           rule="≥ 2 of WBC ≤ 4.0 ×10⁹/L, Hb ≤ 90 g/L, platelets ≤ 150 ×10⁹/L"),
        "ferritin": Rule("Ferritin", ("ferritin",), rule="> 500 ng/mL"),
        "ast": Rule("AST", ("ast",), rule="> 40 U/L"),
        "ldh": Rule("LDH", ("ldh",), rule="> 567 U/L"),
        "fibrinogen": Rule("Fibrinogen", ("fibrinogen",), rule="≤ 1.5 g/L"),
        "triglycerides": Rule("Triglycerides", ("triglycerides",), rule="> 178 mg/dL (2.01 mmol/L)"),
    },
}
CRITERIA_COLUMN = {"hlh2004": "hlh2004.criteria.", "mas2016": "mas2016.criteria.",
                   "parodi2009": "parodi2009.criteria."}


INPUT_NAMES = {"nk_activity": "NK-cell activity", "scd25": "soluble CD25", "cns_involvement": "CNS involvement",
               "wbc": "WBC", "ast": "AST", "ldh": "LDH", "hemophagocytosis": "marrow hemophagocytosis"}


def _na(value: Any) -> bool:
    return value is None or value is pd.NA or bool(pd.isna(value))


def _clean(value: float) -> str:
    return format(value, ".4g")


def reading_text(obs: Mapping) -> str:
    """The value as read: cell text with its unit, the converted value when the unit differs, the source."""
    text = "" if _na(obs.get("orig_text")) else str(obs["orig_text"]).strip()
    unit, orig_unit = obs.get("unit"), obs.get("orig_unit")
    if not _na(orig_unit) and orig_unit not in text and orig_unit != "titer":
        text = f"{text} {orig_unit}"
    value = obs.get("value")
    if not _na(unit) and not _na(orig_unit) and unit != orig_unit and not _na(value):
        text = f"{text} (= {_clean(float(value))} {unit})"
    return text + source_text(obs)


def source_text(obs: Mapping) -> str:
    """" [labs.csv row 13, column 'Admission']" when the tidy table names the cell, else ""."""
    file, row, column = (obs.get(c) for c in SOURCE_COLUMNS)
    if _na(file):
        return ""
    parts = [str(file)]
    if not _na(row):
        parts.append(f"row {int(row)}")
    if not _na(column):
        parts.append(f"column '{column}'")
    return f" [{', '.join(parts)}]"


def _readings(rule: Rule, cells: Mapping[str, Mapping]) -> tuple[list[str], list[str]]:
    """("Hemoglobin 77 g/L", ...) for the inputs read at this timepoint, and the names of those missing."""
    read, missing = [], []
    for analyte in rule.inputs:
        obs = cells.get(analyte)
        if obs is None or (_na(obs.get("value")) and _na(obs.get("result"))):
            missing.append(INPUT_NAMES.get(analyte, analyte.replace("_", " ")))
        else:
            label = obs.get("label") if not _na(obs.get("label")) else analyte
            read.append(f"{label} {reading_text(obs)}")
    return read, missing


def _unknown(missing: list[str]) -> str:
    return f"unknown: no {', '.join(missing)} at this timepoint" if missing else "unknown from what was reported"


def _hscore_line(rule: Rule, cells: Mapping[str, Mapping], lo: int, hi: int) -> str:
    read, missing = _readings(rule, cells)
    shown = "; ".join(read)
    if lo != hi:
        known = f"{shown}; " if shown else ""
        return f"{rule.label}: {known}{_unknown(missing)} ({lo}–{hi})"
    band = rule.bands[lo]
    if band in ("yes", "no"):  # a finding: the reading is the rule
        return f"{rule.label}: {reading_text(cells[rule.inputs[0]])} → {lo}"
    if len(rule.inputs) == 1:
        return f"{shown} {band} → {lo}"
    return f"{rule.label}: {shown} → {band} ({rule.rule}) → {lo}" if rule.rule else f"{rule.label}: {shown} → {band} → {lo}"


def _criterion_line(rule: Rule, cells: Mapping[str, Mapping], met: Any) -> str:
    read, missing = _readings(rule, cells)
    shown = "; ".join(read)
    if _na(met):
        known = f"{shown}; " if shown else ""
        return f"{rule.label} ({rule.rule}): {known}{_unknown(missing)}"
    return f"{rule.label} ({rule.rule}): {shown or 'as reported'} → {'met' if met else 'not met'}"


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
    return {
        item: reading_text(here[rule.inputs[0]])
        for item, rule in RULES["hscore"].items()
        if len(rule.inputs) == 1 and rule.inputs[0] in here and not _na(here[rule.inputs[0]].get("value"))
        and set(rule.bands.values()) != {"yes", "no"}
    }


def why_lines(observations: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """One line per (case, timepoint, score, item): columns case_id, timepoint, score, item, line."""
    cells = _cells(observations)
    matrix = timepoint_matrix(observations)
    states = dict(zip(matrix.index, hscore_states(matrix), strict=True))
    rows = []
    for key, row in scores.iterrows():
        here = cells.get(key, {})
        for state in states[key]:
            line = _hscore_line(RULES["hscore"][state.item], here, state.lo, state.hi)
            rows.append((*key, "hscore", state.item, line))
        for score, prefix in CRITERIA_COLUMN.items():
            for item, rule in RULES[score].items():
                rows.append((*key, score, item, _criterion_line(rule, here, row[prefix + item])))
    return pd.DataFrame(rows, columns=list(WHY_COLUMNS))
