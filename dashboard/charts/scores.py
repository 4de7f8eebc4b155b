"""Score trajectory: HScore with its unknown range and HLH-2004 criteria met, per timepoint.

An HScore computed with items missing is a range, not a number: the error bar spans the total with
every missing item at 0 (min) and at its worst (max), so the reader sees whether the 169 cut-off
could be crossed. HLH-2004 is shown as criteria met plus criteria unknown, stacked, against the 5/8 line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts.axis import as_float, day_axis, timepoint_strip
from dashboard.charts.style import (
    CUTOFF_COLOR,
    MODEBAR_ROOM,
    Look,
    finish_figure,
    look,
    safe_text,
    scaled,
    title_height,
)

HSCORE_CUTOFF = 169  # Fardet 2014: sensitivity 93 %, specificity 86 %
HSCORE_MAX = 337
HLH2004_NEEDED = 5  # Henter 2007: >= 5 of 8 criteria
HLH2004_TOTAL = 8
ITEM_PREFIX = "hscore.items."
MET_COLOR = "#B2182B"
UNKNOWN_COLOR = "#BBBBBB"
HSCORE_COLOR = "#2166AC"


def score_rows(scores: pd.DataFrame) -> pd.DataFrame:
    """Scores with (case_id, timepoint) as columns, one case only, in timepoint order."""
    frame = scores.reset_index() if "timepoint" not in scores.columns else scores.reset_index(drop=True)
    cases = frame["case_id"].dropna().unique() if "case_id" in frame else []
    if len(cases) > 1:
        raise ValueError(f"score_figure draws one case; got case_id values {sorted(map(str, cases))}")
    return frame.sort_values("tp_order", kind="stable").reset_index(drop=True)


def item_hover(frame: pd.DataFrame) -> list[str]:
    """Per timepoint: total, range, probability, the points of each item and the missing items."""
    items = [c for c in frame.columns if c.startswith(ITEM_PREFIX)]
    points = as_float(frame["hscore.points"])
    low, high = as_float(frame["hscore.min"]), as_float(frame["hscore.max"])
    prob = (
        as_float(frame["hscore.probability"])
        if "hscore.probability" in frame
        else np.full(len(frame), np.nan)
    )
    item_values = {c: as_float(frame[c]) for c in items}
    out = []
    for i, tp in enumerate(frame["timepoint"]):
        lines = [f"<b>{safe_text(tp)}</b>", f"HScore {points[i]:g} (range {low[i]:g}–{high[i]:g})"]
        if np.isfinite(prob[i]):
            lines.append(f"probability of HLH ≈ {100 * prob[i]:.0f} %")
        known = [
            f"{c.removeprefix(ITEM_PREFIX)}: {item_values[c][i]:g}"
            for c in items
            if np.isfinite(item_values[c][i])
        ]
        missing = [c.removeprefix(ITEM_PREFIX) for c in items if not np.isfinite(item_values[c][i])]
        lines += known
        if missing:
            lines.append("missing: " + ", ".join(missing))
        out.append("<br>".join(lines))
    return out


def hlh_hover(frame: pd.DataFrame) -> list[str]:
    met = as_float(frame["hlh2004.met"])
    unknown = as_float(frame["hlh2004.unknown"])
    fulfilled = frame["hlh2004.fulfilled"] if "hlh2004.fulfilled" in frame else pd.Series([None] * len(frame))
    verdict = [
        "fulfilled" if f is True else "not fulfilled" if f is False else "undetermined (data missing)"
        for f in fulfilled.astype(object).where(fulfilled.notna(), None)
    ]
    return [
        f"<b>{safe_text(tp)}</b><br>HLH-2004: {m:g} met, {u:g} unknown of {HLH2004_TOTAL}<br>{v}"
        for tp, m, u, v in zip(frame["timepoint"], met, unknown, verdict, strict=True)
    ]


def score_figure(
    scores: pd.DataFrame,
    *,
    title: str | None = None,
    source: str | None = None,
    presentation: bool | Look = False,
    x_span: tuple[float, float] | list[float] | None = None,
    height: int | None = None,
) -> go.Figure:
    """HScore (top) and HLH-2004 criteria (bottom) per timepoint on a shared day axis.

    `x_span` lets the caller give the case figure's x range so the two line up on screen. `height`
    (px) fits the whole figure to a screen, e.g. a projector slide: the two panels shrink together and
    the title, day axis and legend keep their room.
    """
    frame = score_rows(scores)
    lk = look(presentation)
    axis = day_axis(frame)
    x = as_float(frame[axis.column])
    points = as_float(frame["hscore.points"])
    low, high = as_float(frame["hscore.min"]), as_float(frame["hscore.max"])
    if x_span is None and len(x):
        pad = max(1.0, 0.03 * float(np.nanmax(x) - np.nanmin(x)))
        x_span = [float(np.nanmin(x)) - pad, float(np.nanmax(x)) + pad]
    strip = timepoint_strip(frame, axis, x_span if x_span is not None else [0.0, 1.0], lk)
    top = max(title_height(title, source, presentation) + 6, MODEBAR_ROOM) + strip.height
    bottom = scaled(130, lk) if presentation else 100
    heights = [lk.lab_row_height * 2.2, lk.lab_row_height * 1.4]
    if height is not None:
        room = max(height - top - bottom - lk.panel_gap, 2 * lk.panel_gap)
        heights = [h * room / sum(heights) for h in heights]
    plot_h = sum(heights) + lk.panel_gap
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=heights,
        vertical_spacing=lk.panel_gap / plot_h,
        subplot_titles=["", "<b>HLH-2004</b> criteria met / unknown of 8"],
    )
    fig.update_annotations(x=0, xanchor="left")
    fig.add_trace(
        go.Scatter(
            x=x,
            y=points,
            mode="lines+markers",
            name="HScore (bar: range with missing items)",
            legendrank=1,
            line={"color": HSCORE_COLOR, "width": lk.line_width},
            marker={"size": lk.marker + 2},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": np.nan_to_num(high - points),
                "arrayminus": np.nan_to_num(points - low),
                "thickness": lk.line_width,
                "width": lk.marker / 2 + 3,
            },
            hovertext=item_hover(frame),
            hoverinfo="text",
        ),
        row=1,
        col=1,
    )
    fig.add_hline(
        y=HSCORE_CUTOFF,
        row=1,
        col=1,
        line={"color": CUTOFF_COLOR, "dash": "dash", "width": 2},
        annotation_text=f"cut-off {HSCORE_CUTOFF}",
        annotation_position="top left",
        name="hscore-cutoff",
        exclude_empty_subplots=False,
    )
    y_top = max(200.0, float(np.nanmax(np.concatenate([high, [0.0]])) * 1.1))
    fig.update_yaxes(title_text="HScore (points)", range=[0, min(y_top, HSCORE_MAX + 10)], row=1, col=1)

    hover = hlh_hover(frame)
    fig.add_trace(
        go.Bar(
            x=x,
            y=as_float(frame["hlh2004.met"]),
            name="HLH-2004 met",
            marker_color=MET_COLOR,
            legendrank=2,
            hovertext=hover,
            hoverinfo="text",
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=x,
            y=as_float(frame["hlh2004.unknown"]),
            name="HLH-2004 unknown",
            legendrank=3,
            marker={"color": UNKNOWN_COLOR, "pattern": {"shape": "/"}},
            hovertext=hover,
            hoverinfo="text",
        ),
        row=2,
        col=1,
    )
    fig.add_hline(
        y=HLH2004_NEEDED,
        row=2,
        col=1,
        line={"color": CUTOFF_COLOR, "dash": "dash", "width": 2},
        annotation_text=f"{HLH2004_NEEDED}/{HLH2004_TOTAL}",
        annotation_position="top right",
        name="hlh2004-cutoff",
        exclude_empty_subplots=False,
    )
    fig.update_yaxes(title_text="criteria", range=[0, HLH2004_TOTAL], dtick=1, row=2, col=1)

    fig.update_layout(
        shapes=list(fig.layout.shapes) + strip.shapes,
        annotations=list(fig.layout.annotations) + strip.notes,
    )
    fig.update_xaxes(range=list(x_span) if x_span is not None else None, showgrid=True, gridcolor="#EEEEEE")
    fig.update_xaxes(title_text=axis.title, row=2, col=1)
    finish_figure(
        fig, presentation=presentation, title=title, source=source, height=int(plot_h + top + bottom)
    )
    fig.update_layout(
        barmode="stack",
        bargap=0.35,
        margin={"l": lk.left_margin, "t": top, "b": bottom, "r": strip.right},
        legend={"y": -60 / plot_h, "yanchor": "top", "traceorder": "normal"},
        hovermode="closest",
    )
    return fig
