"""Flag heatmap: every analyte x every timepoint, coloured low/normal/high/abnormal/no reference.

The one-glance summary of a case at a conference: which organ systems were off when. Cells show the
value (or the qualitative result); a blank cell means not measured, grey means measured but no range.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.axis import timepoints
from dashboard.charts.cells import cell_text
from dashboard.charts.events_lane import wrap_label
from dashboard.charts.style import (
    FLAG_COLORS,
    FLAG_NAMES,
    FLAG_ORDER,
    MODEBAR_ROOM,
    Look,
    finish_figure,
    look,
    safe_text,
    title_height,
)
from dashboard.charts.trajectories import MAS_PANEL, flag_keys, flag_words

CODES: dict[str, int] = {flag: i for i, flag in enumerate(FLAG_ORDER)}
FOOTER_PX = 60  # below the last row


def discrete_colorscale() -> list[list]:
    """Step colour scale so code i (0..4) gets exactly FLAG_COLORS[FLAG_ORDER[i]]."""
    n = len(FLAG_ORDER)
    scale = []
    for i, flag in enumerate(FLAG_ORDER):
        scale += [[i / n, FLAG_COLORS[flag]], [(i + 1) / n, FLAG_COLORS[flag]]]
    return scale


def hover_unit(frame: pd.DataFrame) -> pd.Series:
    """The unit after a number; none after Yes/No, a size ('3 cm') or a titer, whose text says it."""
    unit = frame["unit"].astype("string").fillna("")
    says_it = ~frame["text"].str.contains(r"\d", regex=True) | unit.isin(["cm", "titer"])
    return unit.where(~says_it.to_numpy(), "").map(safe_text)


def row_order(frame: pd.DataFrame) -> list[str]:
    """MAS panel first (its clinical order), then every other row in order of first appearance."""
    keys = list(pd.unique(frame["row_key"]))
    panel = [a for a in MAS_PANEL if a in keys]
    return panel + [k for k in keys if k not in panel]


def row_keys(flags: pd.DataFrame) -> pd.Series:
    """The heatmap row of each observation: its analyte, else its label as written ("label:...")."""
    return flags["analyte"].astype("string").fillna("label:" + flags["label"].astype("string"))


def row_labels(flags: pd.DataFrame, lk: Look) -> dict[str, str]:
    """Row key -> its label, wrapped to the shared left margin (so the heatmap lines up with the case figures)."""
    frame = flags.assign(row_key=row_keys(flags)).drop_duplicates("row_key")
    labels = frame.set_index("row_key")["label"].astype("string")
    labels = labels.fillna(pd.Series(labels.index, index=labels.index, dtype="string"))
    fit = max(8, int((lk.left_margin - 16) / (0.6 * lk.tick)))
    return {k: wrap_label(safe_text(labels[k]), fit) for k in row_order(frame)}


def row_height(labels: list[str], lk: Look) -> int:
    """px of each row: room for two lines when any label wraps."""
    return int(lk.tick * (2.8 if any("<br>" in label for label in labels) else 2.0))


def header_height(title: str | None, source: str | None, presentation: bool | Look) -> int:
    """px above the cells: the title block and the timepoint names on top."""
    return max(title_height(title, source, presentation) + 6, MODEBAR_ROOM) + look(presentation).tick * 2


def slide_pages(flags: pd.DataFrame, height: int, *, title: str | None, source: str | None,
                presentation: bool | Look = True) -> list[tuple[str, ...]]:
    """The heatmap's rows split into pages that each fit `height` px (a slide), in row order.

    Pages are balanced (38 rows over 4 slides are 10, 10, 9, 9, never 12, 12, 12, 2), so every slide
    keeps the same row height.
    """
    lk = look(presentation)
    keys = list(row_labels(flags, lk).items())
    room = height - header_height(title, source, presentation) - FOOTER_PX
    fit = max(1, room // row_height([label for _, label in keys], lk))
    n_pages = max(1, -(-len(keys) // fit))
    size, extra = divmod(len(keys), n_pages)
    pages, start = [], 0
    for page in range(n_pages):
        end = start + size + (page < extra)
        pages.append(tuple(key for key, _ in keys[start:end]))
        start = end
    return pages


def flag_heatmap(
    flags: pd.DataFrame,
    *,
    title: str | None = None,
    source: str | None = None,
    presentation: bool | Look = False,
    rows: tuple[str, ...] | list[str] | None = None,
) -> go.Figure:
    """Analytes (rows) x timepoints (columns); colour = flag, text = value. One case.

    `rows` keeps only these rows (keys as `row_keys` gives them): one page of a heatmap split over slides.
    """
    lk = look(presentation)
    frame = flags.copy()
    frame["row_key"] = row_keys(frame)
    frame["code"] = flag_keys(frame).map(CODES).astype(float)
    frame["text"] = cell_text(frame)
    frame.loc[frame["text"] == "", "code"] = np.nan  # a label kept without any value: not reported
    frame = frame.drop_duplicates(["row_key", "timepoint"])
    tps = timepoints(frame)["timepoint"].astype(str).tolist()
    wrapped = row_labels(frame, lk)
    order = [k for k in wrapped if rows is None or k in set(rows)]
    z = frame.pivot(index="row_key", columns="timepoint", values="code").reindex(index=order, columns=tps)
    text = frame.pivot(index="row_key", columns="timepoint", values="text").reindex(index=order, columns=tps)
    hover = frame.assign(
        h=frame["label"].astype("string").fillna("").map(safe_text)
        + " · "
        + frame["timepoint"].astype(str).map(safe_text)
        + "<br>"
        + frame["text"]
        + " "
        + hover_unit(frame)
        + "<br>"
        + flag_words(frame)
    )
    hover = hover.pivot(index="row_key", columns="timepoint", values="h").reindex(index=order, columns=tps)

    labels = [wrapped[k] for k in order]
    n = len(FLAG_ORDER)
    fig = go.Figure(
        go.Heatmap(
            z=z.to_numpy(dtype=float),
            x=[safe_text(t) for t in tps],
            y=labels,
            text=text.fillna("").to_numpy(),
            texttemplate="%{text}",
            textfont={"size": lk.tick},
            hovertext=hover.fillna("not measured").to_numpy(),
            hoverinfo="text",
            colorscale=discrete_colorscale(),
            zmin=-0.5,
            zmax=n - 0.5,
            xgap=2,
            ygap=2,
            colorbar={
                "tickmode": "array",
                "tickvals": list(range(n)),
                "ticktext": [FLAG_NAMES[f] for f in FLAG_ORDER],
                "title": {"text": "flag"},
                "tickfont": {"size": lk.legend},
                "len": min(1.0, 300 / (len(order) * 24 + 1)),
                "yanchor": "top",
                "y": 1,
            },
            name="flags",
        )
    )
    top = header_height(title, source, presentation)
    height = int(len(order) * row_height(labels, lk) + top + FOOTER_PX)
    finish_figure(fig, presentation=presentation, title=title, source=source, height=height)
    fig.update_yaxes(autorange="reversed", showgrid=False, showline=False, ticks="")
    fig.update_xaxes(side="top", showgrid=False, showline=False, ticks="")
    fig.update_layout(margin={"l": lk.left_margin, "t": top, "b": 20}, plot_bgcolor="#FFFFFF")
    return fig
