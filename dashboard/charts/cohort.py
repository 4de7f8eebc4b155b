"""Cohort overlay: one analyte's trajectory in many cases (spaghetti plot), aligned on a common origin.

Cases only become comparable once aligned: on their own day 0, or on the first start of a chosen
event ("days since the first dexamethasone dose"). Cases that cannot be aligned (no days, no such
event) are left out and counted in a note under the title, never silently shifted.
Up to `MAX_LEGEND_CASES` cases get a coloured line each; a larger cohort is drawn as one thin grey
trace with gaps between cases (fast for thousands of cases) plus the median per x position.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.axis import as_float, uln_marks
from dashboard.charts.style import (
    CASE_COLORS,
    CUTOFF_COLOR,
    REFERENCE_BAND_COLOR,
    Look,
    finish_figure,
    look,
    safe_text,
)
from dashboard.charts.trajectories import analyte_label, analyte_unit, reference_range, use_log_axis

MAX_LEGEND_CASES = 12
Scale = Literal["absolute", "xuln"]


def event_origin(events: pd.DataFrame, name: str) -> pd.Series:
    """case_id -> first start_day of the event `name` (case-insensitive).

    An exact name wins ("Prednisone" must not pick up a later "Prednisone taper" course's case); when
    no event has exactly that name, names containing it count ("dexamethasone" finds
    "Dexamethasone sodium phosphate").
    """
    names = events["name"].astype("string").str.casefold()
    wanted = name.casefold()
    exact = (names == wanted).fillna(False)
    match = exact if exact.any() else names.str.contains(wanted, regex=False).fillna(False)
    hits = events[match.to_numpy(dtype=bool) & events["start_day"].notna().to_numpy(dtype=bool)]
    return hits.assign(start=as_float(hits["start_day"])).groupby("case_id")["start"].min()


def aligned(
    observations: pd.DataFrame, analyte: str, align: str, events: pd.DataFrame | None, scale: Scale
) -> tuple[pd.DataFrame, int]:
    """Rows of the analyte with `x` (aligned days) and `y`; also how many cases were left out."""
    rows = observations[(observations["analyte"] == analyte) & observations["value"].notna()].copy()
    n_cases = rows["case_id"].nunique()
    rows["x"] = as_float(rows["day"])
    if align != "day0":
        if events is None:
            raise ValueError(f"align={align!r} needs the events table")
        origin = event_origin(events, align)
        rows["x"] = rows["x"] - as_float(rows["case_id"].map(origin))
    if scale == "xuln":
        x_uln = as_float(rows["x_uln"]) if "x_uln" in rows else np.full(len(rows), np.nan)
        rows["y"] = np.where(np.isfinite(x_uln), x_uln, as_float(rows["value"]) / as_float(rows["ref_high"]))
    else:
        rows["y"] = as_float(rows["value"])
    rows = rows[np.isfinite(rows["x"]) & np.isfinite(rows["y"])]
    rows = rows.sort_values(["case_id", "x"], kind="stable")
    return rows, n_cases - rows["case_id"].nunique()


def hover(rows: pd.DataFrame, unit: str) -> pd.Series:
    return (
        rows["case_id"].astype(str).map(safe_text)
        + "<br>"
        + rows["timepoint"].astype(str).map(safe_text)
        + "<br>x = "
        + rows["x"].map("{:g}".format)
        + "<br>"
        + rows["y"].map("{:.4g}".format)
        + " "
        + safe_text(unit)
    )


def case_traces(rows: pd.DataFrame, unit: str, lk: Look) -> list[go.Scatter]:
    """One coloured line per case, for cohorts small enough to tell apart."""
    traces = []
    for i, (case_id, grp) in enumerate(rows.groupby("case_id", sort=False)):
        traces.append(
            go.Scatter(
                x=grp["x"].to_numpy(),
                y=grp["y"].to_numpy(),
                mode="lines+markers",
                name=safe_text(case_id),
                line={"color": CASE_COLORS[i % len(CASE_COLORS)], "width": lk.line_width},
                marker={"size": lk.marker},
                hovertext=hover(grp, unit).tolist(),
                hoverinfo="text",
            )
        )
    return traces


def bundle_traces(rows: pd.DataFrame, unit: str, lk: Look) -> list[go.Scatter]:
    """All cases in one trace (NaN between cases breaks the line) plus the median at each x."""
    gap = rows["case_id"].ne(rows["case_id"].shift()).fillna(True).to_numpy(dtype=bool)
    n = len(rows) + int(gap[1:].sum())
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    text = np.full(n, "", dtype=object)
    pos = np.arange(len(rows)) + np.concatenate([[0], np.cumsum(gap[1:])])
    x[pos], y[pos], text[pos] = rows["x"].to_numpy(), rows["y"].to_numpy(), hover(rows, unit).to_numpy()
    median = rows.groupby("x")["y"].median()
    return [
        go.Scattergl(
            x=x,
            y=y,
            mode="lines",
            name=f"cases (n = {rows['case_id'].nunique()})",
            line={"color": "rgba(80, 80, 80, 0.25)", "width": 1},
            hovertext=text,
            hoverinfo="text",
            connectgaps=False,
        ),
        go.Scatter(
            x=median.index.to_numpy(),
            y=median.to_numpy(),
            mode="lines+markers",
            name="median",
            line={"color": CASE_COLORS[1], "width": lk.line_width * 1.5},
            marker={"size": lk.marker},
        ),
    ]


def cohort_figure(
    observations_many: pd.DataFrame,
    analyte: str,
    *,
    align: str = "day0",
    events: pd.DataFrame | None = None,
    scale: Scale = "absolute",
    title: str | None = None,
    source: str | None = None,
    presentation: bool = False,
) -> go.Figure:
    """Spaghetti plot of `analyte` across cases, x aligned on day 0 or the first start of event `align`.

    `scale="xuln"` uses the frame's `x_uln` (pass `reference_flags` output) or value / ref_high.
    `source` (where the cases come from) is shown under the title, before the count of cases.
    """
    if scale not in ("absolute", "xuln"):
        raise ValueError(f"scale must be 'absolute' or 'xuln', not {scale!r}")
    lk = look(presentation)
    rows, left_out = aligned(observations_many, analyte, align, events, scale)
    unit = analyte_unit(rows) if len(rows) else ""
    label = analyte_label(rows, analyte) if len(rows) else analyte
    many = rows["case_id"].nunique() > MAX_LEGEND_CASES
    fig = go.Figure((bundle_traces if many else case_traces)(rows, unit, lk) if len(rows) else [])
    if scale == "xuln":
        uln_shapes, uln_notes = uln_marks(CUTOFF_COLOR)
        fig.update_layout(shapes=uln_shapes, annotations=uln_notes)
        fig.update_yaxes(title_text=f"{safe_text(label)}, × ULN", type="log", dtick="D2")
    else:
        low, high = reference_range(rows, analyte) if len(rows) else (None, None)
        log = bool(len(rows)) and use_log_axis(rows["y"].to_numpy(dtype=float, na_value=np.nan), (low, high))
        if log:  # ferritin, CRP, D-dimer: as in the case view, so a 20 000 does not flatten every 300
            fig.update_yaxes(type="log")
        if high is not None or low is not None:
            top = high if high is not None else float(rows["y"].max()) * 1.15
            bottom = low if low is not None else (float(rows["y"].min()) / 2 if log else 0.0)
            fig.add_hrect(
                y0=bottom,
                y1=top,
                fillcolor=REFERENCE_BAND_COLOR,
                line_width=0,
                layer="below",
                name=f"reference:{analyte}",
            )
        fig.update_yaxes(title_text=f"{safe_text(label)} ({safe_text(unit)})" if unit else safe_text(label))
    x_title = "Day" if align == "day0" else f"Days since first {safe_text(align)}"
    fig.update_xaxes(title_text=x_title, zeroline=True, zerolinecolor="#888888")
    note = f"{rows['case_id'].nunique()} cases" + (
        f"; {left_out} left out (no {'days' if align == 'day0' else repr(align) + ' event'})"
        if left_out
        else ""
    )
    finish_figure(
        fig,
        presentation=presentation,
        title=title or f"{label} across cases",
        source=f"{source} · {note}" if source else note,
        height=int(lk.lab_row_height * 4 + 200),
    )
    fig.update_xaxes(zeroline=True, zerolinecolor="#888888", zerolinewidth=1.5)
    fig.update_layout(hovermode="closest", legend={"y": -0.18})
    return fig
