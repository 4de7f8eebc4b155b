"""The JSON contract of `casetrack score PATH --json` (issue 3): one object per case.

Keys and ids are a public contract (the app, reports and outside scripts read them), so they are built
here from the flat score frame in one place. Unknown stays `None` (JSON null), never 0; numbers are
rounded for reading: probabilities to 3 decimals, the ferritin/ESR ratio to 1, the MS score to 3.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import pandas as pd

from dashboard.domain.flags import reference_flags, timepoint_flag_counts
from dashboard.domain.scores import hlh2004, hscore, mas2016, parodi2009, score_observations


class CaseLike(Protocol):
    id: str
    meta: dict
    observations: pd.DataFrame


def _plain(value: Any, digits: int | None = None) -> Any:
    """A pandas/numpy scalar as a JSON-ready Python value; NA/NaN -> None."""
    if value is None or value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
        return None  # unknown; an unbounded range end (ms_score.max for ferritin `>6000`) is null too
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and digits is not None:
        return round(value, digits)
    return value


def _day(value: Any) -> int | float | None:
    day = _plain(value)
    if isinstance(day, float) and day.is_integer():
        return int(day)
    return day


def _block(row: pd.Series, prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(row[f"{prefix}.{name}"]) for name in names}


def timepoint_scores(row: pd.Series) -> dict[str, Any]:
    """The `scores` object of one timepoint from one row of `score_observations`."""
    missing = _plain(row["hscore.missing"])
    return {
        "hscore": {
            "points": _plain(row["hscore.points"]),
            "min": _plain(row["hscore.min"]),
            "max": _plain(row["hscore.max"]),
            "missing": missing.split(",") if missing else [],
            "probability": _plain(row["hscore.probability"], 3),
            "probability_min": _plain(row["hscore.probability_min"], 3),
            "probability_max": _plain(row["hscore.probability_max"], 3),
            "items": _block(row, "hscore.items", hscore.ITEMS),
        },
        "hlh2004": {
            "met": _plain(row["hlh2004.met"]),
            "unknown": _plain(row["hlh2004.unknown"]),
            "fulfilled": _plain(row["hlh2004.fulfilled"]),
            "criteria": _block(row, "hlh2004.criteria", hlh2004.CRITERIA),
        },
        "mas2016": {
            "classified": _plain(row["mas2016.classified"]),
            "criteria": _block(row, "mas2016.criteria", mas2016.CRITERIA),
        },
        "parodi2009": {
            "fulfilled": _plain(row["parodi2009.fulfilled"]),
            "clinical": _plain(row["parodi2009.clinical"]),
            "laboratory": _plain(row["parodi2009.laboratory"]),
            "criteria": _block(row, "parodi2009.criteria", parodi2009.CLINICAL + parodi2009.LABORATORY),
        },
        "ferritin_esr_ratio": {
            "value": _plain(row["ferritin_esr_ratio.value"], 1),
            "min": _plain(row["ferritin_esr_ratio.min"], 1),
            "max": _plain(row["ferritin_esr_ratio.max"], 1),
        },
        "ms_score": {
            "value": _plain(row["ms_score.value"], 3),
            "min": _plain(row["ms_score.min"], 3),
            "max": _plain(row["ms_score.max"], 3),
            "mas": _plain(row["ms_score.mas"]),
        },
    }


def _by_analyte(flags: pd.DataFrame) -> dict[tuple[str, str], dict[str, str | None]]:
    known = flags[flags["analyte"].notna()]
    out: dict[tuple[str, str], dict[str, str | None]] = {}
    for case_id, timepoint, analyte, flag in zip(
        known["case_id"], known["timepoint"], known["analyte"], known["flag"], strict=True
    ):
        out.setdefault((case_id, timepoint), {})[analyte] = _plain(flag)
    return out


def timepoint_values(observations: pd.DataFrame) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """(case, timepoint) -> {analyte id: {value, unit, qualifier, text}}: what was read, in canonical units."""
    read = observations[observations["analyte"].notna() & observations["orig_text"].notna()]
    out: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for row in read[["case_id", "timepoint", "analyte", "value", "unit", "qualifier", "orig_text"]].itertuples(
            index=False):
        out.setdefault((row.case_id, row.timepoint), {})[row.analyte] = {
            "value": _plain(row.value), "unit": _plain(row.unit), "qualifier": _plain(row.qualifier),
            "text": _plain(row.orig_text)}
    return out


def case_score_json(case: CaseLike, values: bool = False) -> dict[str, Any]:
    """{"case": {id, title}, "timepoints": [{label, day, flags, scores}, ...]} in timepoint order.

    With `values`, each timepoint also lists what was read: {analyte: {value, unit, qualifier, text}}.
    """
    flags = reference_flags(case.observations)
    counts = timepoint_flag_counts(flags).set_index(["case_id", "timepoint"])
    by_analyte = _by_analyte(flags)
    scores = score_observations(case.observations)
    read = timepoint_values(case.observations) if values else {}
    timepoints = []
    for (case_id, label), row in scores.iterrows():
        count = counts.loc[(case_id, label)]
        timepoints.append(
            {
                "label": label,
                "day": _day(row["day"]),
                "flags": {
                    "abnormal": int(count["abnormal"]),
                    "assessed": int(count["assessed"]),
                    "by_analyte": by_analyte.get((case_id, label), {}),
                },
                "scores": timepoint_scores(row),
            }
        )
        if values:
            timepoints[-1]["values"] = read.get((case_id, label), {})
    return {"case": {"id": case.id, "title": case.meta.get("title")}, "timepoints": timepoints}
