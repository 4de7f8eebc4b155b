"""Lab trajectories: one small multiple per analyte with its reference band, or all analytes as x ULN.

Input is the flags frame (observations + `flag`, `x_uln`, `change`, `pct_change`). Points are coloured
and shaped by flag so abnormal values stand out in greyscale print too; the reference band is the
range the flag was computed against (the file's, else the upper limit implied by `x_uln`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.axis import DayAxis, as_float
from dashboard.charts.style import (
    CASE_COLORS,
    FLAG_COLORS,
    FLAG_NAMES,
    FLAG_ORDER,
    FLAG_SYMBOLS,
    LINE_COLOR,
    Look,
    case_colour,
    safe_text,
)
from dashboard.domain.flags import PER_SEX_UNKNOWN
from dashboard.domain.sex_ranges import SEX_NAMES, SEX_RANGE_COLUMNS

# The MAS panel shown by default (catalogue ids), in the order clinicians read it.
MAS_PANEL: tuple[str, ...] = (
    "ferritin",
    "platelets",
    "wbc",
    "hemoglobin",
    "ast",
    "ldh",
    "triglycerides",
    "fibrinogen",
    "crp",
    "d_dimer",
)
# A panel whose values and band span more than this ratio is drawn on a log axis (ferritin, CRP...).
LOG_SPAN = 30.0


def plotted_analytes(flags: pd.DataFrame, analytes: tuple[str, ...] | list[str] | None) -> list[str]:
    """The requested analytes (default the MAS panel) that have at least one numeric value, in order."""
    wanted = list(MAS_PANEL if analytes is None else analytes)
    numeric = flags.loc[flags["value"].notna(), "analyte"].dropna().astype(str)
    present = set(numeric)
    return [a for a in dict.fromkeys(wanted) if a in present]


def analyte_label(rows: pd.DataFrame, analyte: str) -> str:
    """The label as written in the case (first one), falling back on the catalogue id."""
    labels = rows["label"].dropna()
    return str(labels.iloc[0]) if len(labels) else analyte


def analyte_unit(rows: pd.DataFrame) -> str:
    units = rows["unit"].dropna()
    return str(units.iloc[0]) if len(units) else ""


@lru_cache(maxsize=1)
def catalogue_ranges() -> dict[str, tuple[float | None, float | None]]:
    """Analyte id -> the catalogue's default (low, high), as domain.flags uses when a report gives none."""
    from dashboard.domain.flags import default_ranges

    frame = default_ranges()
    return {
        str(i): (None if pd.isna(lo) else float(lo), None if pd.isna(hi) else float(hi))
        for i, lo, hi in zip(frame["id"], frame["ref_low"], frame["ref_high"], strict=True)
    }


def reference_range(rows: pd.DataFrame, analyte: str | None = None) -> tuple[float | None, float | None]:
    """(low, high) of the panel's band, the range the flags were computed against.

    The most common range the report stated; else the catalogue default (`ref_source` "catalogue");
    else the upper limit implied by value / x_uln.
    """
    low = as_float(rows["ref_low"]) if "ref_low" in rows else np.array([])
    high = as_float(rows["ref_high"]) if "ref_high" in rows else np.array([])
    if np.isfinite(low).any() or np.isfinite(high).any():
        pairs = pd.DataFrame({"low": low, "high": high}).dropna(how="all")
        best = pairs.value_counts(dropna=False).index[0]
        return (None if pd.isna(best[0]) else float(best[0]), None if pd.isna(best[1]) else float(best[1]))
    from_catalogue = "ref_source" in rows and (rows["ref_source"] == "catalogue").any()
    if analyte is not None and from_catalogue and analyte in catalogue_ranges():
        return catalogue_ranges()[analyte]
    if "x_uln" in rows:
        uln = as_float(rows["value"]) / as_float(rows["x_uln"])
        uln = uln[np.isfinite(uln)]
        if len(uln):
            return None, float(np.median(uln))
    return None, None


def reference_bands(rows: pd.DataFrame, analyte: str | None = None) -> list[tuple[str, float | None, float | None]]:
    """(sex, low, high) of each band the panel draws: the range the flags used (sex ""), or both sexes' ranges
    ("F", "M") where a range printed per sex meets a patient of unknown sex (flags only where both agree)."""
    unknown = rows[rows["ref_source"] == PER_SEX_UNKNOWN] if "ref_source" in rows else rows.iloc[:0]
    if len(unknown):
        first = unknown.iloc[0]
        return [(sex, *(None if pd.isna(first[c]) else float(first[c]) for c in SEX_RANGE_COLUMNS[sex]))
                for sex in SEX_NAMES]
    low, high = reference_range(rows, analyte)
    return [] if low is None and high is None else [("", low, high)]


def flag_keys(rows: pd.DataFrame) -> pd.Series:
    """Flag per row with null (or anything unexpected) spelled 'unknown', so every point has a colour."""
    if "flag" not in rows:
        return pd.Series("unknown", index=rows.index)
    known = rows["flag"].isin(FLAG_ORDER).fillna(False).to_numpy(dtype=bool)
    return pd.Series(
        np.where(known, rows["flag"].to_numpy(dtype=object), "unknown"), index=rows.index, dtype=object
    )


def flag_words(rows: pd.DataFrame) -> pd.Series:
    """Per row the flag in words (FLAG_NAMES), or why it is unknown when the flags say (`flag_note`: a range
    printed per sex, the sex not given), never the generic words for a range the report printed."""
    words = flag_keys(rows).map(FLAG_NAMES)
    if "flag_note" not in rows:
        return words
    note = rows["flag_note"].astype(object).where(rows["flag_note"].notna(), None)
    return pd.Series(np.where(note.notna(), "unknown: " + note.fillna("").map(safe_text), words), index=rows.index,
                     dtype=object)


def _fmt(values: np.ndarray, fmt: str) -> list[str]:
    return ["" if not np.isfinite(v) else format(v, fmt) for v in values]


def hover_texts(rows: pd.DataFrame, unit: str) -> list[str]:
    """Per point: timepoint, value as written, flag (or why it is unknown, `flag_words`), x ULN and change from
    baseline."""
    x_uln = _fmt(as_float(rows["x_uln"]), ".2f") if "x_uln" in rows else [""] * len(rows)
    pct = _fmt(as_float(rows["pct_change"]), "+.0f") if "pct_change" in rows else [""] * len(rows)
    values = _fmt(as_float(rows["value"]), ".4g")
    written = rows["orig_text"] if "orig_text" in rows else pd.Series([None] * len(rows), index=rows.index)
    out = []
    for tp, val, orig, flag, xu, pc in zip(
        rows["timepoint"], values, written, flag_words(rows), x_uln, pct, strict=True
    ):
        parts = [f"<b>{safe_text(tp)}</b>", f"{val} {safe_text(unit)}"]
        if isinstance(orig, str) and orig and orig != val:
            parts.append(f"as written: {safe_text(orig)}")
        parts.append(flag)
        if xu:
            parts.append(f"{xu} × ULN")
        if pc:
            parts.append(f"{pc} % vs first value")
        out.append("<br>".join(parts))
    return out


def use_log_axis(values: np.ndarray, band: tuple[float | None, float | None]) -> bool:
    """Log scale when every value is positive and values plus band span more than LOG_SPAN."""
    finite = values[np.isfinite(values)]
    if len(finite) == 0 or (finite <= 0).any():
        return False
    span = np.concatenate([finite, [b for b in band if b is not None and b > 0]])
    return bool(span.max() / span.min() > LOG_SPAN)


def line_colour(rows: pd.DataFrame) -> str:
    """The case's own colour (style.case_colour, the same in the cohort and exports); grey without an id."""
    ids = rows["case_id"].dropna() if "case_id" in rows else pd.Series([], dtype=object)
    return case_colour(ids.iloc[0]) if len(ids) else LINE_COLOR


def panel_traces(rows: pd.DataFrame, axis: DayAxis, lk: Look, name: str) -> list[go.Scatter]:
    """The line and the flag-coloured markers of one analyte panel."""
    rows = rows.sort_values(axis.column, kind="stable")
    x = as_float(rows[axis.column])
    y = as_float(rows["value"])
    flags = flag_keys(rows)
    unit = analyte_unit(rows)
    line = go.Scatter(
        x=x,
        y=y,
        mode="lines",
        line={"color": line_colour(rows), "width": lk.line_width},
        hoverinfo="skip",
        showlegend=False,
        name=name,
        connectgaps=True,
    )
    markers = go.Scatter(
        x=x,
        y=y,
        mode="markers",
        name=name,
        showlegend=False,
        marker={
            "size": lk.marker,
            "color": [FLAG_COLORS[f] for f in flags],
            "symbol": [FLAG_SYMBOLS[f] for f in flags],
            "line": {"color": "#222222", "width": 1},
        },
        hovertext=hover_texts(rows, unit),
        hoverinfo="text",
    )
    return [line, markers]


def flag_legend_traces(flags_present: list[str], lk: Look) -> list[go.Scatter]:
    """Legend-only entries explaining the marker colours (plotted at no position)."""
    return [
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=FLAG_NAMES[f],
            legendgroup=f"flag-{f}",
            marker={
                "size": lk.marker,
                "color": FLAG_COLORS[f],
                "symbol": FLAG_SYMBOLS[f],
                "line": {"color": "#222222", "width": 1},
            },
        )
        for f in FLAG_ORDER
        if f in flags_present
    ]


def x_uln_values(rows: pd.DataFrame) -> np.ndarray:
    """x ULN from the flags frame, else value / stated upper limit."""
    if "x_uln" in rows and rows["x_uln"].notna().any():
        return as_float(rows["x_uln"])
    return as_float(rows["value"]) / as_float(rows["ref_high"])


def uln_unknown_by_sex(flags: pd.DataFrame, analytes: list[str]) -> list[str]:
    """Labels of the analytes with values whose × ULN is unknown because the upper limit printed per sex differs
    and the patient's sex is not given: the × ULN view says it leaves them out (never silently)."""
    if "ref_source" not in flags:
        return []
    unknown = (flags["ref_source"] == PER_SEX_UNKNOWN).fillna(False) & flags["value"].notna() & \
        flags["x_uln"].isna() & flags["analyte"].isin(analytes).fillna(False)
    return [analyte_label(flags[flags["analyte"] == a], a) for a in dict.fromkeys(flags.loc[unknown, "analyte"])]


def xuln_traces(flags: pd.DataFrame, analytes: list[str], axis: DayAxis, lk: Look) -> list[go.Scatter]:
    """All analytes on one axis as multiples of their upper limit of normal, one coloured line each."""
    traces = []
    for i, analyte in enumerate(analytes):
        rows = flags[flags["analyte"] == analyte].sort_values(axis.column, kind="stable")
        y = x_uln_values(rows)
        if not np.isfinite(y).any():
            continue
        keys = flag_keys(rows)
        label = analyte_label(rows, analyte)
        traces.append(
            go.Scatter(
                x=as_float(rows[axis.column]),
                y=y,
                mode="lines+markers",
                name=safe_text(label),
                line={"color": CASE_COLORS[i % len(CASE_COLORS)], "width": lk.line_width},
                marker={
                    "size": lk.marker,
                    "symbol": [FLAG_SYMBOLS[f] for f in keys],
                    "line": {"color": "#222222", "width": 1},
                },
                hovertext=[f"{safe_text(label)}<br>{h}" for h in hover_texts(rows, analyte_unit(rows))],
                hoverinfo="text",
            )
        )
    return traces
