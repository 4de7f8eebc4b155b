"""The treatment-response view: event lane on top, lab panels below, all on one shared day axis.

Clinicians read a case left to right: what was given (lane), what the labs did (panels), with dotted
lines at each assessed timepoint so a drop in ferritin can be tied to the drug started before it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.axis import (
    DayAxis,
    as_float,
    day_axis,
    plain_frame,
    timepoint_strip,
    uln_marks,
)
from dashboard.charts.events_lane import lane_ticks, lane_traces
from dashboard.charts.style import (
    CUTOFF_COLOR,
    MODEBAR_ROOM,
    REFERENCE_BAND_COLOR,
    Look,
    axis_style,
    base_layout,
    look,
    safe_text,
    scaled,
    title_height,
)
from dashboard.charts.trajectories import (
    analyte_label,
    analyte_unit,
    flag_keys,
    flag_legend_traces,
    panel_traces,
    plotted_analytes,
    reference_bands,
    uln_unknown_by_sex,
    use_log_axis,
    xuln_traces,
)

Scale = Literal["absolute", "xuln"]


def x_range(flags: pd.DataFrame, lane_rows: pd.DataFrame | None, axis: DayAxis) -> list[float]:
    """Span of labs and events with a little air on both sides."""
    xs = [as_float(flags[axis.column])]
    if lane_rows is not None and len(lane_rows):
        xs += [as_float(lane_rows["start"]), as_float(lane_rows["end"]) + 1]
    allx = np.concatenate(xs)
    allx = allx[np.isfinite(allx)]
    if len(allx) == 0:
        return [0.0, 1.0]
    lo, hi = float(allx.min()), float(allx.max())
    pad = max(1.0, 0.03 * (hi - lo))
    return [lo - pad, hi + pad]


def stack_domains(heights: list[float], gap: float) -> list[list[float]]:
    """Paper-y domains of panels stacked top to bottom with `gap` px between them."""
    total = sum(heights) + gap * (len(heights) - 1)
    domains, top = [], total
    for h in heights:
        domains.append([max(0.0, (top - h) / total), top / total])
        top -= h + gap
    return domains


def suffix(n: int) -> str:
    """Plotly's axis suffix: the first axis is 'x'/'y', then 'x2', 'x3'..."""
    return "" if n == 1 else str(n)


def panel_title_room(lk: Look) -> int:
    """px a panel title takes above its panel (one line of annotation text and its padding)."""
    return int(lk.annotation * 1.45) + 4


def panel_title(text: str, domain: list[float]) -> dict:
    """Left-aligned title just above a panel (`panel_title_room` px tall)."""
    return {
        "text": text,
        "x": 0,
        "xref": "paper",
        "xanchor": "left",
        "y": domain[1],
        "yref": "paper",
        "yanchor": "bottom",
        "showarrow": False,
        "name": "panel-title",
    }


def lab_panel(flags: pd.DataFrame, analyte: str, axis: DayAxis, lk: Look, n: int) -> tuple[list, dict, list]:
    """Traces, y-axis settings and reference-band shapes of lab panel number `n` (axis suffix)."""
    rows = flags[(flags["analyte"] == analyte) & flags["value"].notna()]
    bands = reference_bands(rows, analyte)  # one, or each sex's when a range printed per sex meets an unknown sex
    values = as_float(rows["value"])
    log = use_log_axis(values, tuple(b for band in bands for b in band[1:]))
    traces = panel_traces(rows, axis, lk, safe_text(analyte_label(rows, analyte)))
    shapes = []
    for sex, low, high in bands:
        floor = (np.nanmin(values) / 3 if log else 0.0) if low is None or (log and low <= 0) else low
        top = high if high is not None else float(np.nanmax(values)) * 1.15
        shapes.append(
            {
                "type": "rect",
                "xref": f"x{suffix(n)} domain",
                "yref": f"y{suffix(n)}",
                "x0": 0,
                "x1": 1,
                "y0": floor,
                "y1": top,
                "fillcolor": REFERENCE_BAND_COLOR,
                "line": {"width": 0},
                "layer": "below",
                "name": f"reference:{analyte}" + (f":{sex}" if sex else ""),
                **({"label": {"text": sex, "textposition": "top right", "font": {"size": lk.annotation - 2}}}
                   if sex else {}),
            }
        )
    yaxis = {
        "title": {"text": safe_text(analyte_unit(rows))},
        **({"type": "log", "dtick": 1} if log else {"type": "linear", "nticks": 5}),
    }
    return traces, yaxis, shapes


def strip_row_height(lk: Look) -> int:
    """px of one medication row in a thin strip (the drug's name fits inside or beside its bar)."""
    return round(lk.tick * 1.15)


def strip_traces(traces: list, lk: Look) -> list:
    """Lane traces as a thin strip: each course named by its bar text, as the strip has no row labels."""
    for trace in traces:
        if trace.type == "bar":
            trace.update(text=[trace.name], textposition="auto", width=0.85,
                         textfont={"size": round(lk.annotation * 0.8)})
    return traces


def case_figure(
    flags: pd.DataFrame,
    events: pd.DataFrame | None = None,
    analytes: tuple[str, ...] | list[str] | None = None,
    *,
    scale: Scale = "absolute",
    title: str | None = None,
    source: str | None = None,
    presentation: bool | Look = False,
    x_span: tuple[float, float] | list[float] | None = None,
    strip: bool = False,
    height: int | None = None,
) -> go.Figure:
    """Event lane + one lab panel per analyte (default the MAS panel), or one x ULN panel.

    `x_span` sets the day range (a slide of labs takes the event-lane slide's, so slides line up).
    `strip` draws only the medications, as a thin strip (a lab slide's reminder of what was given when):
    short row names, each course named on its bar. `height` (px) fits the whole figure to a screen: the lab panels share
    what the title, lane, day axis and legend leave.

    Analytes without a numeric value are skipped. When a timepoint has no day, x is timepoint order
    and the event lane (which needs days) is left out; the axis title says so. The layout is built as
    one dict: adding shapes and axes one call at a time costs plotly seconds on an 11-panel figure.
    """
    if scale not in ("absolute", "xuln"):
        raise ValueError(f"scale must be 'absolute' or 'xuln', not {scale!r}")
    lk = look(presentation)
    flags = plain_frame(flags)
    axis = day_axis(flags)
    picked = plotted_analytes(flags, analytes)
    if strip and events is not None:
        events = events[events["kind"] == "medication"]
    has_lane = axis.in_days and events is not None and bool(events["start_day"].notna().any())
    lane_traces_, lanes = lane_traces(events, lk) if has_lane else ([], None)
    if strip and has_lane:
        lane_traces_ = strip_traces(lane_traces_, lk)
    panels = [] if not picked else (["xuln"] if scale == "xuln" else picked)
    n_lane_rows = lanes["row"].nunique() if has_lane else 0
    lane_row = strip_row_height(lk) if strip else lk.lane_row_height
    heights = ([n_lane_rows * lane_row + (4 if strip else 20)] if has_lane else []) + [
        lk.lab_row_height * (3 if p == "xuln" else 1) for p in panels
    ] or [lk.lab_row_height]
    span = list(x_span) if x_span is not None else x_range(flags, lanes, axis)
    # Timepoint labels get their own strip above the top panel, clear of its title (a lab panel's).
    lift = 0 if has_lane or not panels else panel_title_room(lk)
    tp_strip = timepoint_strip(flags, axis, span, lk, lift=lift)
    top = max(title_height(title, source, presentation) + 6, MODEBAR_ROOM) + tp_strip.height + lift
    bottom = scaled(110, lk) if presentation else 80
    if height is not None and panels:  # the lab panels share what is left of the screen
        labs = heights[1:] if has_lane else heights
        fixed = top + bottom + lk.panel_gap * (len(heights) - 1) + sum(heights) - sum(labs)
        room = max(height - fixed, lk.panel_gap * len(labs))
        heights = heights[: len(heights) - len(labs)] + [h * room / sum(labs) for h in labs]
    domains = stack_domains(heights, lk.panel_gap)
    plot_h = sum(heights) + lk.panel_gap * (len(heights) - 1)
    n_rows = len(heights)

    layout: dict = {}
    data: list = []
    shapes: list[dict] = []
    notes: list[dict] = []
    for i, domain in enumerate(domains, start=1):
        layout[f"xaxis{i}"] = {
            **axis_style(lk),
            "domain": [0, 1],
            "anchor": f"y{suffix(i)}",
            "range": span,
            "showgrid": True,
            "gridcolor": "#EEEEEE",
            "showticklabels": i in (1, n_rows),
            **({"matches": "x"} if i > 1 else {}),
        }
        layout[f"yaxis{i}"] = {**axis_style(lk), "domain": domain, "anchor": f"x{suffix(i)}"}
    layout[f"xaxis{n_rows}"]["title"] = {"text": axis.title, "font": {"size": lk.axis_title}}

    first_panel = 1
    if has_lane:
        data += [t.update(xaxis="x", yaxis="y") for t in lane_traces_]
        layout["yaxis1"].update(lane_ticks(lanes))
        if strip:  # row names on one short line, small: the strip's rows are a line of text tall
            names = [text.split("<br>")[0] for text in layout["yaxis1"]["ticktext"]]
            layout["yaxis1"].update(ticktext=names, tickfont={"size": round(lk.tick * 0.75)})
        first_panel = 2
    flags_present: set[str] = set()
    for n, panel in enumerate(panels, start=first_panel):
        if panel == "xuln":
            data += [
                t.update(xaxis=f"x{suffix(n)}", yaxis=f"y{suffix(n)}")
                for t in xuln_traces(flags, picked, axis, lk)
            ]
            uln_shapes, uln_notes = uln_marks(CUTOFF_COLOR, f"x{suffix(n)}", f"y{suffix(n)}")
            shapes += uln_shapes
            notes += uln_notes
            layout[f"yaxis{n}"].update({"type": "log", "dtick": 1, "title": {"text": "× ULN"}})
            left_out = uln_unknown_by_sex(flags, picked)
            notes.append(panel_title("All analytes, × upper limit of normal" + (
                f" (not shown where unknown: {safe_text(', '.join(left_out))}, ULN depends on sex)" if left_out
                else ""), domains[n - 1]))
            continue
        traces, yaxis, bands = lab_panel(flags, panel, axis, lk, n)
        data += [t.update(xaxis=f"x{suffix(n)}", yaxis=f"y{suffix(n)}") for t in traces]
        layout[f"yaxis{n}"].update(yaxis)
        layout[f"yaxis{n}"]["title"]["font"] = {"size": lk.axis_title}
        shapes += bands
        rows = flags[(flags["analyte"] == panel) & flags["value"].notna()]
        flags_present.update(flag_keys(rows))
        notes.append(panel_title(f"<b>{safe_text(analyte_label(rows, panel))}</b>", domains[n - 1]))
    if scale == "absolute":
        data += [
            t.update(xaxis=f"x{suffix(n_rows)}", yaxis=f"y{suffix(n_rows)}")
            for t in flag_legend_traces(sorted(flags_present), lk)
        ]

    shapes += tp_strip.shapes
    notes += tp_strip.notes
    layout.update(
        base_layout(
            lk, presentation=presentation, title=title, source=source, height=int(plot_h + top + bottom)
        )
    )
    layout["xaxis"] = layout.pop("xaxis1")
    layout["yaxis"] = layout.pop("yaxis1")
    for note in notes:
        note.setdefault("font", {})["size"] = lk.annotation
    layout.update(
        shapes=shapes,
        annotations=notes,
        barmode="overlay",
        bargap=0.3,
        hovermode="closest",
        margin={"l": lk.left_margin, "t": top, "b": bottom, "r": tp_strip.right},
    )
    layout["legend"].update({"y": -45 / plot_h, "yanchor": "top"})
    return go.Figure(data=data, layout=layout)
