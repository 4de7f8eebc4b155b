"""The shared x-axis of every case chart: days since day 0, or timepoint order when days are unknown.

Kept in one place so the lab panels, the event lane and the score figure always agree on where a
timepoint sits; mixing days with ordinal positions would put labs and drugs in different places.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.charts.style import TIMEPOINT_LINE_COLOR, Look, safe_text

DAY_TITLE = "Day"
ORDER_TITLE = "Timepoint order (days unknown)"
CHAR_EM = 0.6  # mean width of a label character in em (DejaVu Sans runs wide; over-estimating is safe)
LABEL_LINE = 1.45  # height of one row of timepoint labels, in em


@dataclass(frozen=True)
class DayAxis:
    """Which column places timepoints on x, and how the axis is titled."""

    column: str  # "day" or "tp_order"
    title: str

    @property
    def in_days(self) -> bool:
        return self.column == "day"


def day_axis(frame: pd.DataFrame) -> DayAxis:
    """Days when every timepoint has one, else timepoint order (said in the axis title)."""
    has_days = "day" in frame.columns and len(frame) > 0 and bool(frame["day"].notna().all())
    return DayAxis("day", DAY_TITLE) if has_days else DayAxis("tp_order", ORDER_TITLE)


def as_float(series: pd.Series) -> np.ndarray:
    """Numeric numpy view of a (possibly pyarrow-backed, possibly null) column; null -> NaN."""
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy(na_value=np.nan)


def timepoints(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per timepoint (timepoint, tp_order, day), in order; the ticks and dotted lines of a chart."""
    cols = [c for c in ("timepoint", "tp_order", "day") if c in frame.columns]
    out = frame[cols].drop_duplicates(subset=["timepoint"]).copy()
    if "tp_order" in out.columns:
        out = out.sort_values("tp_order", kind="stable")
    return out.reset_index(drop=True)


def label_rows(left_px: list[float], right_px: list[float], gap: float) -> list[int]:
    """Row (0 = nearest the plot) of each label, in x order: the lowest row where it clears its neighbour.

    Labels are horizontal (read from the back of a room, unlike turned text); two that would touch
    (days 7 and 11 on a narrow plot) go into different rows instead.
    """
    ends: list[float] = []  # right edge of the last label in each row
    rows = []
    for left, right in zip(left_px, right_px, strict=True):
        row = next((r for r, end in enumerate(ends) if left >= end + gap), len(ends))
        if row == len(ends):
            ends.append(right)
        else:
            ends[row] = right
        rows.append(row)
    return rows


@dataclass(frozen=True)
class TimepointStrip:
    """Dotted timepoint lines through the plot and their labels in a strip reserved above it.

    `height` is the strip's px (the builder adds it to the top margin); `right` the right margin the
    last label needs. The strip sits `lift` px above the plot top, clear of the top panel's title.
    """

    shapes: list[dict]
    notes: list[dict]
    height: int
    right: int


def timepoint_strip(
    frame: pd.DataFrame, axis: DayAxis, span: list[float] | tuple[float, float], lk: Look, *, lift: int = 0
) -> TimepointStrip:
    """Lines and horizontal labels of every timepoint, rows staggered so no two labels overlap.

    Overlap is judged at `lk.min_plot_width`, the narrowest plot the figure is expected in: on a wider
    screen the labels only get further apart.
    """
    tps = timepoints(frame)
    if not len(tps):
        return TimepointStrip([], [], 0, 30)
    lo, hi = float(span[0]), float(span[1])
    px_per_x = lk.min_plot_width / max(hi - lo, 1e-9)
    texts = [safe_text(t) for t in tps["timepoint"]]
    xs = as_float(tps[axis.column])
    centres = (xs - lo) * px_per_x
    widths = np.array([len(str(t)) * CHAR_EM * lk.annotation for t in tps["timepoint"]])
    rows = label_rows(list(centres - widths / 2), list(centres + widths / 2), gap=lk.annotation * 0.6)
    row_px = round(lk.annotation * LABEL_LINE)
    width = max(1.0, lk.line_width / 2.5)
    shapes, notes = [], []
    for x, text, row, name in zip(xs, texts, rows, tps["timepoint"], strict=True):
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": x,
                "x1": x,
                "y0": 0,
                "y1": 1,
                "line": {"color": TIMEPOINT_LINE_COLOR, "width": width, "dash": "dot"},
                "layer": "below",
                "name": f"timepoint:{name}",
            }
        )
        if row:  # a stem down to the first row, so a raised label still points at its line
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "ysizemode": "pixel",
                    "yanchor": 1,
                    "x0": x,
                    "x1": x,
                    "y0": lift,
                    "y1": lift + row * row_px,
                    "line": {"color": TIMEPOINT_LINE_COLOR, "width": width},
                    "name": f"timepoint-stem:{name}",
                }
            )
        notes.append(
            {
                "x": x,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "xanchor": "center",
                "yshift": lift + row * row_px,
                "text": text,
                "showarrow": False,
                "bgcolor": "rgba(255, 255, 255, 0.85)",
                "font": {"color": "#333333", "size": lk.annotation},
                "name": "timepoint-label",
            }
        )
    overflow = centres[-1] + widths[-1] / 2 - lk.min_plot_width
    return TimepointStrip(shapes, notes, (max(rows) + 1) * row_px + 4, int(max(30, overflow + 12)))


def uln_marks(color: str, xref: str = "x", yref: str = "y") -> tuple[list[dict], list[dict]]:
    """(shapes, annotations): a dashed line at 1 x ULN on a log y-axis, labelled 'ULN'.

    The label is placed by hand at log10(1) = 0: plotly places annotations on log axes in log10 units,
    so add_hline's `annotation_text` would land at 10 instead of 1.
    """
    line = {
        "type": "line",
        "xref": f"{xref} domain",
        "yref": yref,
        "x0": 0,
        "x1": 1,
        "y0": 1,
        "y1": 1,
        "line": {"color": color, "dash": "dash", "width": 2},
        "name": "uln-line",
    }
    label = {
        "x": 0,
        "xref": f"{xref} domain",
        "xanchor": "left",
        "y": 0,
        "yref": yref,
        "yanchor": "bottom",
        "text": "ULN",
        "showarrow": False,
        "font": {"color": color},
        "name": "uln-label",
    }
    return [line], [label]


def plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with numeric columns as float64 (NaN) and the rest as object (None).

    Builders slice one frame many times (a panel per analyte); doing the pyarrow -> numpy conversion
    once up front keeps a full case figure well under a second.
    """
    out = {}
    for name, col in frame.items():
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            out[name] = pd.to_numeric(col, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
        else:
            out[name] = col.astype(object).where(col.notna(), None).to_numpy()
    return pd.DataFrame(out, index=frame.index)
