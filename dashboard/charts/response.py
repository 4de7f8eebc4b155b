"""Response charts: markers on a case's trajectories (peak/nadir and the day each response was observed)
and the cohort's time-to-response curve (Kaplan-Meier, lifelines).

Both read `domain.response.response_table` output; nothing here recomputes a metric.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.axis import as_float
from dashboard.charts.style import Look, finish_figure, look, safe_text
from dashboard.charts.trajectories import analyte_label
from dashboard.domain.analytes import analyte as analyte_record
from dashboard.domain.response import CONDITIONS
from dashboard.domain.response_summary import CONDITION_NAMES, time_to_event

EXTREME_SYMBOL = "star"
RESPONSE_SYMBOL = "diamond-open"
MARKER_COLOR = "#6A1B9A"
KM_CAPTION = (
    "Kaplan–Meier estimate (lifelines) of the share of cases that reached the response by each day since "
    "their anchor; a case that never reached it is censored at its last observation known not to meet it "
    "(ticks). Sparse tables make these times interval-censored: each case is counted on the first day it "
    "was observed to meet it, and the true day lies between that and the observation before."
)


def _panel_of(fig: go.Figure, label: str) -> tuple[str, str] | None:
    """(xaxis, yaxis) of the lab panel whose markers are named `label`, if the figure has one."""
    for trace in fig.data:
        if trace.type == "scatter" and trace.mode == "markers" and trace.name == label and not trace.meta:
            return trace.xaxis or "x", trace.yaxis or "y"
    return None


def _value_on(days: np.ndarray, values: np.ndarray, day: float) -> float:
    hit = np.flatnonzero(days == day)
    return float(values[hit[-1]]) if len(hit) else np.nan


def marker_points(flags: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The points to mark: analyte, label, study day, value, kind (peak/nadir/condition), text."""
    points = []
    for _, row in table.iterrows():
        rows = flags[(flags["analyte"] == row["analyte"]) & flags["value"].notna()]
        if rows.empty:
            continue
        label = safe_text(analyte_label(rows, row["analyte"]))
        study = float(row["anchor_study_day"])
        day = as_float(rows["day"])
        value = as_float(rows["value"])

        points.append({"analyte": row["analyte"], "label": label, "day": study + row["extreme_day"],
                       "value": row["extreme_value"], "kind": row["extreme"],
                       "text": f"{row['extreme']} (day {row['extreme_day']:g})"})
        for name in CONDITIONS[row["direction"]]:
            by = row[f"{name}_by"]
            if pd.isna(by):
                continue
            after = row[f"{name}_after"]
            when = f"by day {by:g}" if pd.isna(after) else f"day {after:g}–{by:g}"
            points.append({"analyte": row["analyte"], "label": label, "day": study + by,
                           "value": _value_on(day, value, study + by), "kind": name, "text": f"{CONDITION_NAMES[name]} {when}"})
    return pd.DataFrame(points, columns=["analyte", "label", "day", "value", "kind", "text"])


def with_response_markers(fig: go.Figure, flags: pd.DataFrame, table: pd.DataFrame,
                          presentation: bool = False) -> go.Figure:
    """The case figure with a star at each peak/nadir and a ring at each observed response (`by` day),
    on the panel of its analyte. Returns a new figure."""
    lk = look(presentation)
    out = go.Figure(fig)
    points = marker_points(flags, table)
    for label, grp in points.groupby("label", sort=False):
        axes = _panel_of(out, label)
        if axes is None:
            continue
        out.add_trace(_markers(grp, axes, lk))
    return out


def _markers(points: pd.DataFrame, axes: tuple[str, str], lk: Look) -> go.Scatter:
    extreme = points["kind"].isin(["peak", "nadir"]).to_numpy()
    return go.Scatter(
        x=points["day"].to_numpy(dtype=float), y=points["value"].to_numpy(dtype=float), xaxis=axes[0],
        yaxis=axes[1], mode="markers", name="response", showlegend=False,
        marker={"symbol": np.where(extreme, EXTREME_SYMBOL, RESPONSE_SYMBOL).tolist(), "size": lk.marker + 9,
                "color": MARKER_COLOR, "line": {"color": MARKER_COLOR, "width": 2.5}},
        hovertext=points["text"].map(safe_text).tolist(), hoverinfo="text",
        meta={"response": points["kind"].tolist()},
    )


def time_to_response_figure(table: pd.DataFrame, analyte: str = "ferritin", condition: str = "fall_50", *,
                            title: str | None = None, presentation: bool = False) -> go.Figure:
    """Share of cases that reached `condition` of `analyte` by each day since their anchor (1 - KM
    survival, with its 95 % band), censored cases as ticks. Empty figure (said in the title) when no case
    has the data."""
    from lifelines import KaplanMeierFitter  # imported on use: it pulls in scipy and matplotlib

    lk = look(presentation)
    data = time_to_event(table, analyte, condition)
    label = f"{analyte_record(analyte).name} {CONDITION_NAMES[condition]}"
    fig = go.Figure()
    if len(data):
        km = KaplanMeierFitter().fit(data["duration"], data["reached"], label="reached")
        timeline = km.survival_function_.index.to_numpy(dtype=float)
        share = 1.0 - km.survival_function_["reached"].to_numpy(dtype=float)
        ci = km.confidence_interval_survival_function_
        low, high = 1.0 - ci.iloc[:, 1].to_numpy(dtype=float), 1.0 - ci.iloc[:, 0].to_numpy(dtype=float)
        fig.add_trace(go.Scatter(x=timeline, y=high, mode="lines", line={"width": 0, "shape": "hv"},
                                 hoverinfo="skip", showlegend=False, name="ci-high"))
        fig.add_trace(go.Scatter(x=timeline, y=low, mode="lines", line={"width": 0, "shape": "hv"},
                                 fill="tonexty", fillcolor="rgba(0, 114, 178, 0.18)", name="95 % confidence band",
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(
            x=timeline, y=share, mode="lines", line={"color": "#0072B2", "width": lk.line_width, "shape": "hv"},
            name=f"share reached ({int(data['reached'].sum())} of {len(data)} cases)",
            hovertemplate="day %{x:g}: %{y:.0%} reached<extra></extra>"))
        censored = data[data["reached"] == 0]
        if len(censored):
            at = np.interp(censored["duration"], timeline, share)
            fig.add_trace(go.Scatter(x=censored["duration"], y=at, mode="markers", name="censored (never reached)",
                                     marker={"symbol": "line-ns-open", "size": lk.marker + 6, "color": "#333333"},
                                     hovertext=censored["case_id"].map(safe_text).tolist(), hoverinfo="text"))
    fig.update_yaxes(title_text="share of cases", range=[0, 1.02], tickformat=".0%")
    fig.update_xaxes(title_text="Days since the anchor", zeroline=True, zerolinecolor="#888888")
    n_text = f"{len(data)} cases" if len(data) else "no case has this analyte after its anchor"
    finish_figure(fig, presentation=presentation, title=title or f"Time to {label}",
                  source=f"{n_text}; Kaplan–Meier, interval-censored data (see caption)", height=420)
    fig.update_layout(hovermode="x", legend={"y": -0.2})
    return fig
