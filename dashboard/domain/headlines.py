"""Score headlines in words: one readable verdict per score and timepoint, never a blank or a bare tick.

Each verdict says met / not met / unknown, and when unknown what it would take. A range stands wherever an
item is unknown ("HScore 62–184 (probability 0.5–74 %)"), and the MS score shows its range and verdict
although its value is unknown. The app's score summary, the HTML report and their tests read these
functions, so a headline is worded once. Pure: rows of `score_observations` in, text out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard.domain import criteria
from dashboard.domain.audit import band_name, case_audits, hscore_bands
from dashboard.domain.scores import hlh2004, mas2016, ms_score, parodi2009
from dashboard.domain.why import item_label, item_readings, unknown, why_lines

# Probability columns of the HScore range (the probabilities of hscore.min and hscore.max).
PROBABILITY_LOW = "hscore.probability_min"
PROBABILITY_HIGH = "hscore.probability_max"

# Every score column a headline reads; a test checks each exists in the engine's output (issue 11).
SOURCE_COLUMNS: tuple[str, ...] = (
    "hscore.min", "hscore.max", PROBABILITY_LOW, PROBABILITY_HIGH,
    "hlh2004.met", "hlh2004.unknown", "hlh2004.fulfilled",
    "mas2016.classified", *(f"mas2016.criteria.{c}" for c in mas2016.CRITERIA),
    "parodi2009.fulfilled", "parodi2009.clinical", "parodi2009.laboratory",
    *(f"parodi2009.criteria.{c}" for c in parodi2009.CLINICAL + parodi2009.LABORATORY),
    "ms_score.value", "ms_score.min", "ms_score.max", "ms_score.mas",
    "ferritin_esr_ratio.value", "ferritin_esr_ratio.min", "ferritin_esr_ratio.max",
)
HEADLINE_COLUMNS = ("Timepoint", "Day", "HScore", "HScore probability", "Ferritin/ESR", "MS score", "HLH-2004",
                    "MAS 2016", "Parodi 2009")
OUTSIDE_MARK = " †"  # the summary table's mark for OUTSIDE_POPULATION (its caption says what it means)
OUTSIDE_POPULATION = "criteria applied outside their validated population"
# Systemic JIA by its usual names (adult-onset Still's disease is a different population).
_SJIA = re.compile(r"\bs-?jia\b|systemic[- ](onset )?juvenile (idiopathic|chronic|rheumatoid) arthritis", re.IGNORECASE)


def _names(items: list[str]) -> str:
    return ", ".join(item.replace("_", " ") for item in items)


def _number(value: float, digits: int) -> str:
    """A signed number with a real minus sign (−0.55), as printed in the papers."""
    return f"{value:.{digits}f}".replace("-", "−")


def percent(probability: float) -> str:
    """0.005 -> "0.5", 0.74 -> "74", 0.995 -> "99.5" (three significant digits, no padding)."""
    return format(100 * probability, ".3g")


# ---------------------------------------------------------------------------------------------- HScore
def hscore_range(row: Mapping) -> str:
    """"256" when every item is known, else the range the unknown items allow ("62–184")."""
    low, high = row["hscore.min"], row["hscore.max"]
    return f"{low}" if low == high else f"{low}–{high}"


def probability_range(row: Mapping) -> str:
    """The probability (or its range, whenever an item is unknown) in percent: "0.5–74 %"."""
    low, high = row[PROBABILITY_LOW], row[PROBABILITY_HIGH]
    if unknown(low) or unknown(high):
        return "unknown"
    if row["hscore.min"] == row["hscore.max"] or percent(low) == percent(high):
        return f"{percent(high)} %"
    return f"{percent(low)}–{percent(high)} %"


def hscore_headline(row: Mapping) -> str:
    """"HScore 62–184 (probability 0.5–74 %) — ≥ 169: unknown, met if the unknown items add ≥ 107"."""
    low, high = int(row["hscore.min"]), int(row["hscore.max"])
    cut = int(criteria.HSCORE_CUT_OFF)
    if low >= cut:
        verdict = "met"
    elif high < cut:
        verdict = f"not met, even with every unknown item at its highest ({high})"
    else:
        verdict = f"unknown, met if the unknown items add ≥ {cut - low}"
    return f"HScore {hscore_range(row)} (probability {probability_range(row)}) — ≥ {cut}: {verdict}"


# ------------------------------------------------------------------------------------------- HLH-2004
def hlh2004_verdict(row: Mapping) -> str:
    met, open_count, fulfilled = int(row["hlh2004.met"]), int(row["hlh2004.unknown"]), row["hlh2004.fulfilled"]
    required, total = hlh2004.REQUIRED, len(hlh2004.CRITERIA)
    counted = f"{met} of {total} criteria met, {open_count} unknown"
    if unknown(fulfilled):
        return f"unknown: {counted}; met if {required - met} more of the unknown are met"
    if fulfilled:
        return f"met: {counted} (≥ {required} needed)"
    return f"not met: {counted}; even all unknown met gives {met + open_count} < {required}"


# ------------------------------------------------------------------------------------------- MAS 2016
def is_sjia(meta: Mapping) -> bool:
    patient = meta.get("patient") or {}
    return bool(_SJIA.search(str(patient.get("diagnosis") or "")))


def population_note(meta: Mapping) -> str:
    """"" for systemic JIA (the population the 2016 criteria were validated in), else why it is flagged."""
    if is_sjia(meta):
        return ""
    diagnosis = (meta.get("patient") or {}).get("diagnosis")
    stated = f"this case: {diagnosis}" if diagnosis else "this case states no diagnosis in case.toml [patient]"
    return f"{OUTSIDE_POPULATION} (validated in systemic JIA; {stated})"


def mas2016_verdict(row: Mapping, meta: Mapping | None = None) -> str:
    classified = row["mas2016.classified"]
    open_items = [c for c in mas2016.CRITERIA if unknown(row[f"mas2016.criteria.{c}"])]
    if unknown(classified):
        text = f"unknown: depends on {_names(open_items)}"
    elif classified:
        text = "met"
    else:
        text = "not met" + (f" (unknown: {_names(open_items)})" if open_items else "")
    outside = meta is not None and not is_sjia(meta)
    return f"{text} — {OUTSIDE_POPULATION}" if outside else text


# ------------------------------------------------------------------------------------------ Parodi 2009
def parodi_verdict(row: Mapping) -> str:
    fulfilled = row["parodi2009.fulfilled"]
    clinical, laboratory = int(row["parodi2009.clinical"]), int(row["parodi2009.laboratory"])
    counted = f"{clinical} clinical + {laboratory} laboratory met (≥ 1 + ≥ 2 needed)"
    if not unknown(fulfilled):
        return f"{'met' if fulfilled else 'not met'}: {counted}"
    needs = []
    if clinical < 1:
        open_clinical = [c for c in parodi2009.CLINICAL if unknown(row[f"parodi2009.criteria.{c}"])]
        needs.append(f"1 clinical of {_names(open_clinical)}")
    if laboratory < 2:
        open_lab = [c for c in parodi2009.LABORATORY if unknown(row[f"parodi2009.criteria.{c}"])]
        needs.append(f"{2 - laboratory} laboratory of {_names(open_lab)}")
    return f"unknown: {counted}; met if {' and '.join(needs)}"


# ------------------------------------------------------------------------------------ MS score, ratio
def ms_score_text(row: Mapping, *, short: bool = False) -> str:
    """"−0.55..2.29: MAS yes (cut-off −2.1)" — the value or the range the unknown clinical items allow, and
    the verdict; `short` leaves out the explanation in brackets (for the summary table)."""
    low, high, value, mas = row["ms_score.min"], row["ms_score.max"], row["ms_score.value"], row["ms_score.mas"]
    if unknown(low):
        return "unknown" if short else "unknown: needs platelets, LDH, fibrinogen and ferritin"
    shown = _number(value, 2) if not unknown(value) else _span(low, high, 2)
    cut = _number(ms_score.CUT_OFF, 1)
    verdict = f"{shown}: MAS {'unknown' if unknown(mas) else 'yes' if mas else 'no'}"
    if short:
        return verdict
    return verdict + (f" (yes if ≥ {cut}; depends on the unknown clinical items)" if unknown(mas) else f" (cut-off {cut})")


def _span(low: float, high: float, digits: int) -> str:
    """"−0.55..2.29"; "≥ 12.0" when the range has no upper end (a censored `>` input)."""
    if unknown(high) or high == float("inf"):
        return f"≥ {_number(low, digits)}"
    return f"{_number(low, digits)}..{_number(high, digits)}"


def ferritin_esr_text(row: Mapping) -> str:
    """The ratio, or the range censored inputs allow; unknown when ferritin or ESR is missing."""
    ratio, low, high = row["ferritin_esr_ratio.value"], row["ferritin_esr_ratio.min"], row["ferritin_esr_ratio.max"]
    if not unknown(ratio):
        return _number(ratio, 1)
    return "unknown: needs ferritin and ESR" if unknown(low) else _span(low, high, 1)


# ----------------------------------------------------------------------------------------------- table
def _word(verdict: Any) -> str:
    return "unknown" if unknown(verdict) else "met" if verdict else "not met"


def headline_row(row: Mapping, meta: Mapping) -> dict[str, str]:
    """The summary table's compact headlines (the panels below it say what an unknown would take)."""
    mas = _word(row["mas2016.classified"]) + ("" if is_sjia(meta) else OUTSIDE_MARK)
    return {
        "HScore": hscore_range(row),
        "HScore probability": probability_range(row),
        "Ferritin/ESR": ferritin_esr_text(row),
        "MS score": ms_score_text(row, short=True),
        "HLH-2004": f"{_word(row['hlh2004.fulfilled'])}: {row['hlh2004.met']}/{len(hlh2004.CRITERIA)} met, "
                    f"{row['hlh2004.unknown']} unknown",
        "MAS 2016": mas,
        "Parodi 2009": f"{_word(row['parodi2009.fulfilled'])}: {row['parodi2009.clinical']} clinical + "
                       f"{row['parodi2009.laboratory']} laboratory",
    }


# ----------------------------------------------------------------------------------------------- audit
def _totals(possible: list[int]) -> str:
    if len(possible) <= 4:
        return " or ".join(map(str, possible))
    return f"{possible[0]}–{possible[-1]}, not every value between"


def hscore_audit_line(audit: Mapping, readings: Mapping[str, str] | None = None) -> str:
    """"Stated HScore 271 — not attainable from the data (256 or 291); closest: triglycerides 4.13 mmol/L
    scored in the middle band (44 instead of 64), with marrow hemophagocytosis filled as yes (35)"."""
    readings = readings or {}
    stated = f"Stated HScore {audit['reported']}"
    best = audit["explanations"][0] if audit["explanations"] else None
    if audit["attainable"]:
        fills = ", ".join(f"{_item(f['item'])} {f['to']}" for f in best["fills"]) if best else ""
        return f"{stated} — attainable from the data" + (f" with the unknown items filled as {fills}" if fills else "")
    line = f"{stated} — not attainable from the data ({_totals(audit['possible'])})"
    if best is None:
        return line + "; no change of item bands reproduces it"
    changes = [
        f"{_item(c['item'])}{' ' + readings[c['item']] if c['item'] in readings else ''} scored "
        f"{_band(c['item'], c['to'], with_points=False)} ({c['to']} instead of {c['from']})"
        for c in best["changes"]
    ]
    fills = [f"{_item(f['item'])} filled {_band(f['item'], f['to'])}" for f in best["fills"]]
    closest = " and ".join(changes) + (f", with {', '.join(fills)}" if fills else "")
    others = len(audit["explanations"]) - 1
    more = f" ({others} costlier explanation{'s' if others != 1 else ''})" if others else ""
    return f"{line}; closest: {closest}{more}"


def count_audit_line(audit: Mapping, name: str = "HLH-2004") -> str:
    """"Stated HLH-2004 5 of 8 met — attainable: 5 met and 3 unknown allow 5–8"; or the near misses."""
    met, open_count = audit["met"], audit["unknown"]
    allows = f"{met} met and {open_count} unknown allow {met}–{met + open_count}"
    stated = f"Stated {name} {audit['reported']} criteria met"
    if audit["attainable"]:
        return f"{stated} — attainable: {allows}"
    misses = "; ".join(f"{m['label']} {m['value']:g} {m['unit']} vs {m['rule']}" for m in audit["near_misses"])
    return f"{stated} — not attainable: {allows}; " + (
        f"near misses (within 10 % of a cut-off): {misses}" if misses else "no value within 10 % of a cut-off")


def audit_lines(audit: Mapping, readings: Mapping[str, str] | None = None) -> list[str]:
    """The audit of one timepoint in words, one line per stated value."""
    lines = []
    if "hscore" in audit:
        lines.append(hscore_audit_line(audit["hscore"], readings))
    if "hlh2004_met" in audit:
        lines.append(count_audit_line(audit["hlh2004_met"]))
    return lines


def _band(item: str, points: int, *, with_points: bool = True) -> str:
    """"in the middle band", "as yes (35)" (the words after "scored" / "filled")."""
    name = band_name(hscore_bands()[item], points)
    if name in ("yes", "no"):
        return f"as {name} ({points})" if with_points else f"as {name}"
    return f"in {name}" + (f" ({points})" if with_points else "")


def _item(item: str) -> str:
    """An HScore item named inside a sentence: "triglycerides", "marrow hemophagocytosis", "AST"."""
    label = item_label("hscore", item)
    return label if label.isupper() else label[0].lower() + label[1:]


# -------------------------------------------------------------------------------------- per timepoint
SCORE_NAMES = {"hscore": "HScore", "hlh2004": "HLH-2004", "mas2016": "MAS 2016 (EULAR/ACR/PRINTO)",
               "parodi2009": "Parodi 2009 (juvenile SLE)", "ms_score": "MS score", "ferritin_esr_ratio": "Ferritin/ESR"}


@dataclasses.dataclass(frozen=True)
class TimepointScores:
    """What the case view shows for one timepoint: headlines, the stated-vs-computed audit, why lines."""

    label: str
    day: float
    headlines: dict[str, str]            # score name -> verdict in words
    audit: list[str]                     # one line per value the source states (empty when none)
    why: dict[str, list[str]]            # score name -> one line per item


def timepoint_scores(observations: pd.DataFrame, scores: pd.DataFrame, meta: Mapping) -> list[TimepointScores]:
    """Per timepoint, in order: each score's verdict, its audit against what the source states, its why lines."""
    lines = why_lines(observations, scores)
    audits = case_audits(observations, meta)
    out = []
    for (case_id, label), row in scores.iterrows():
        here = lines[(lines["case_id"] == case_id) & (lines["timepoint"] == label)]
        verdicts = {
            SCORE_NAMES["hscore"]: hscore_headline(row),
            SCORE_NAMES["hlh2004"]: hlh2004_verdict(row),
            SCORE_NAMES["mas2016"]: mas2016_verdict(row, meta),
            SCORE_NAMES["parodi2009"]: parodi_verdict(row),
            SCORE_NAMES["ms_score"]: ms_score_text(row),
            SCORE_NAMES["ferritin_esr_ratio"]: ferritin_esr_text(row),
        }
        stated = audit_lines(audits.get((case_id, label), {}), item_readings(observations, (case_id, label)))
        why = {SCORE_NAMES[s]: group["line"].tolist() for s, group in here.groupby("score", sort=False)}
        out.append(TimepointScores(str(label), row["day"], verdicts, stated, why))
    return out
