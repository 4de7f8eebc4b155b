"""The medication and event lane: what was given or done, on the same day axis as the labs.

One lane row per drug (repeated courses of a drug share its row) and one per procedure or clinical
event, top to bottom in order of first start. A course covers whole days, start_day to end_day
inclusive, so it is drawn from start_day to end_day + 1 (a 3-day pulse on days 0-2 ends at 3).
Every glucocorticoid (domain.drugs) shares one row, labelled in prednisolone-equivalent mg/day with the
original dose beside it, so pulse -> switch -> taper reads as one course of falling numbers; a dose that
cannot be converted (per kg without a weight, per m²) shows its original dose only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.axis import as_float
from dashboard.charts.style import EVENT_KIND_COLORS, Look, medication_color, safe_text
from dashboard.domain.drugs import GLUCOCORTICOID, classify_events

GLUCOCORTICOID_LANE = "Glucocorticoids (mg/d pred-eq.)"
BAR_WIDTH = 0.62  # lane row height share of a course bar (its label must fit this height)
CHAR_PX = 0.62  # mean width of a label character, in font sizes

KIND_SYMBOLS: dict[str, str] = {"procedure": "diamond", "clinical": "star"}
MAX_LABEL_LINE = 18  # characters per line of a lane row label before it wraps


def wrap_label(text: str, width: int = MAX_LABEL_LINE) -> str:
    """Wrap a lane label on word boundaries with <br> so long drug names keep the left margin narrow."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def dose_text(rows: pd.DataFrame) -> list[str]:
    """'1 g/day IV' per course ('1250 mg/d (1 g/day IV)' for a glucocorticoid with a known
    prednisolone equivalent); the parts that are missing are left out."""
    dose = as_float(rows["dose"])
    pred = as_float(rows["pred_eq_mg_day"]) if "pred_eq_mg_day" in rows else np.full(len(rows), np.nan)
    out = []
    for d, unit, route, p in zip(dose, rows["dose_unit"], rows["route"], pred, strict=True):
        parts = [format(d, "g")] if np.isfinite(d) else []
        parts += [safe_text(v) for v in (unit, route) if isinstance(v, str) and v]
        written = " ".join(parts)
        out.append(f"{p:.4g} mg/d ({written})" if np.isfinite(p) else written)
    return out


def bar_texts(lanes: pd.DataFrame, doses: list[str], lk: Look) -> tuple[list[str], list[str]]:
    """Text and text position of each bar. A glucocorticoid course shows its full label when it fits in
    the bar at the narrowest expected plot, else just its prednisolone-equivalent mg/day, kept inside the
    bar (plotly shrinks it to fit): a 3-day pulse must not spill its label over the next course in the
    row. The hover always has both doses."""
    span = float((lanes["end"] + 1).max() - lanes["start"].min()) if len(lanes) else 1.0
    px_per_char = CHAR_PX * lk.annotation
    pred = as_float(lanes["pred_eq_mg_day"])
    texts, positions = [], []
    for i, (start, end, p) in enumerate(zip(lanes["start"], lanes["end"], pred, strict=True)):
        if not np.isfinite(p):
            texts.append(doses[i])
            positions.append("auto")
            continue
        room = (end + 1 - start) / max(span, 1.0) * lk.min_plot_width / px_per_char - 1
        short = f"{p:.4g}"
        texts.append(doses[i] if len(doses[i]) <= room else short)
        positions.append("inside")
    return texts, positions


def lane_rows(events: pd.DataFrame) -> pd.DataFrame:
    """Events with start_day known, a lane `row` number (0 = top) and inclusive end, sorted by start."""
    ev = events[events["start_day"].notna()].copy()
    ev["start"] = as_float(ev["start_day"])
    end = as_float(ev["end_day"])
    ev["end"] = np.where(np.isfinite(end), np.maximum(end, ev["start"].to_numpy()), ev["start"].to_numpy())
    ev["kind"] = ev["kind"].astype("string").fillna("clinical").astype(str)
    ev["name"] = ev["name"].astype("string").fillna("(unnamed)").astype(str)
    ev = ev.sort_values(["start", "end"], kind="stable")
    classes = classify_events(ev)
    steroid = ((classes["drug_class"] == GLUCOCORTICOID) & (ev["kind"] == "medication")).fillna(False)
    ev["pred_eq_mg_day"] = as_float(classes["pred_eq_mg_day"])
    ev["lane_name"] = np.where(steroid.to_numpy(dtype=bool), GLUCOCORTICOID_LANE, ev["name"].to_numpy())
    ev["lane_key"] = ev["kind"].where(ev["kind"] == "medication", "event") + ":" + ev["lane_name"]
    order = {key: i for i, key in enumerate(pd.unique(ev["lane_key"]))}
    ev["row"] = ev["lane_key"].map(order).astype(int)
    return ev.reset_index(drop=True)


def hover(row: pd.Series, dose: str) -> str:
    days = f"day {row['start']:g}" if row["end"] == row["start"] else f"days {row['start']:g}–{row['end']:g}"
    parts = [f"<b>{safe_text(row['name'])}</b>", days]
    if dose:
        parts.append(dose)
    if np.isfinite(row.get("pred_eq_mg_day", np.nan)):
        parts.append("mg/d: prednisolone-equivalent (Liu 2013); written dose in brackets")
    if isinstance(row.get("note"), str) and row["note"]:
        parts.append(safe_text(row["note"]))
    return "<br>".join(parts)


def lane_traces(events: pd.DataFrame, lk: Look) -> tuple[list[go.BaseTraceType], pd.DataFrame]:
    """Bars for drug courses (one trace per course) and markers for single-day procedures/events.

    Returns the traces and the lane rows (`lane_rows`), from which `lane_ticks` names the y ticks.
    """
    ev = lane_rows(events)
    colors = medication_color(ev.loc[ev["kind"] == "medication", "lane_name"])
    doses = dose_text(ev)
    texts, positions = bar_texts(ev, doses, lk)
    traces: list[go.BaseTraceType] = []
    for i, row in ev.iterrows():
        text = hover(row, doses[i])
        is_course = row["kind"] == "medication" or row["end"] > row["start"]
        if is_course:
            color = colors.get(row["lane_name"], EVENT_KIND_COLORS.get(row["kind"], "#666666"))
            traces.append(
                go.Bar(
                    orientation="h",
                    y=[row["row"]],
                    base=[row["start"]],
                    x=[row["end"] + 1 - row["start"]],
                    width=BAR_WIDTH,
                    name=safe_text(row["name"]),
                    showlegend=False,
                    marker={"color": color, "line": {"color": "#333333", "width": 0.8}},
                    text=[texts[i]],
                    textposition=positions[i],
                    insidetextanchor="start",
                    cliponaxis=False,
                    textfont={"size": lk.annotation},
                    constraintext="inside" if positions[i] == "inside" else "none",
                    hovertext=[text],
                    hoverinfo="text",
                    meta={"lane": "course", "kind": row["kind"]},
                )
            )
        else:
            traces.append(
                go.Scatter(
                    x=[row["start"]],
                    y=[row["row"]],
                    mode="markers",
                    name=safe_text(row["name"]),
                    showlegend=False,
                    hovertext=[text],
                    hoverinfo="text",
                    marker={
                        "size": lk.marker + 5,
                        "symbol": KIND_SYMBOLS.get(row["kind"], "circle"),
                        "color": EVENT_KIND_COLORS.get(row["kind"], "#444444"),
                        "line": {"color": "#ffffff", "width": 1},
                    },
                    meta={"lane": "marker", "kind": row["kind"]},
                )
            )
    return traces, ev


def lane_ticks(lanes: pd.DataFrame) -> dict:
    """y-axis settings naming each lane row, top to bottom."""
    labels = lanes.drop_duplicates("row")
    n = len(labels)
    return {
        "tickmode": "array",
        "tickvals": labels["row"].tolist(),
        "ticktext": [wrap_label(safe_text(name)) for name in labels["lane_name"]],
        "range": [n - 0.5, -0.5],
        "showgrid": False,
        "zeroline": False,
        "fixedrange": True,
    }
