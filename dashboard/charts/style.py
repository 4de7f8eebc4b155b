"""The one place for casetrack's look: colours, fonts, template and the presentation (projector) variant.

Every builder ends with `finish_figure`, so the screen and projector looks differ only here.
Case strings shown inside a figure go through `safe_text`: plotly renders a small HTML subset in
labels and decodes entities, so escaping keeps a label such as `<b>` literal and any markup inert.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, replace
from textwrap import wrap

import pandas as pd
import plotly.graph_objects as go

FONT_FAMILY = "DejaVu Sans, Arial, Helvetica, sans-serif"
TITLE_PAD = 12  # px above the figure title
MODEBAR_ROOM = 28  # px on top of an untitled figure, so plotly's hover toolbar clears the timepoint labels

# Reference-range flags (domain.flags): Low, Normal, High, Abnormal (qualitative), and no reference.
FLAG_ORDER: tuple[str, ...] = ("L", "N", "H", "A", "unknown")
FLAG_NAMES: dict[str, str] = {
    "L": "low",
    "N": "within range",
    "H": "high",
    "A": "abnormal",
    "unknown": "no flag (no range applies)",  # no range printed or in the catalogue, or one per sex unknown
}
# Colour-blind-safe (Okabe–Ito) so low/high stay distinct on a projector and for readers with CVD.
FLAG_COLORS: dict[str, str] = {
    "L": "#0072B2",
    "N": "#7FB77E",
    "H": "#D55E00",
    "A": "#CC79A7",
    "unknown": "#BBBBBB",
}
FLAG_SYMBOLS: dict[str, str] = {
    "L": "triangle-down",
    "N": "circle",
    "H": "triangle-up",
    "A": "diamond",
    "unknown": "circle-open",
}

# Text on the white background reads at >= 4.5:1 (WCAG AA) on a projector: #222 is 15.9:1, #555 7.5:1.
BACKGROUND = "#FFFFFF"
TEXT_COLOR = "#222222"
SOURCE_COLOR = "#555555"
LINE_COLOR = "#333333"
REFERENCE_BAND_COLOR = "rgba(0, 158, 115, 0.13)"
CUTOFF_COLOR = "#B22222"
TIMEPOINT_LINE_COLOR = "#888888"
EVENT_KIND_COLORS: dict[str, str] = {"procedure": "#6A3D9A", "clinical": "#444444"}
# Drug courses cycle through a qualitative palette; the same drug name always gets the same colour.
MEDICATION_COLORS: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0A3A3",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999933",
    "#882255",
)
CASE_COLORS: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#882255",
    "#999933",
    "#332288",
    "#44AA99",
    "#AA4499",
    "#117733",
)


@dataclass(frozen=True)
class Look:
    """Font sizes and spacing of one display medium (pixels)."""

    tick: int
    axis_title: int
    title: int
    annotation: int
    legend: int
    marker: int
    line_width: float
    lab_row_height: int
    lane_row_height: int
    export_width: int  # px of a static export when the figure sets no width (a slide is 1920 wide)
    panel_gap: int  # vertical px between stacked panels (room for the panel title)
    title_chars: int  # wrap the case title after this many characters (fits a ~1100/1800 px figure)
    source_chars: int
    left_margin: int  # px left of every day-axis plot, so stacked figures (and slides) line up
    min_plot_width: int  # px of the narrowest plot area expected; timepoint labels are spaced for it


SCREEN = Look(
    tick=12,
    axis_title=13,
    title=17,
    annotation=12,
    legend=12,
    marker=9,
    line_width=2,
    lab_row_height=130,
    lane_row_height=30,
    export_width=1200,
    panel_gap=46,
    title_chars=105,
    source_chars=160,
    left_margin=170,
    min_plot_width=650,
)
# Projector: >= 20 px ticks and >= 26 px titles, read from the back of a conference room.
PRESENTATION = Look(
    tick=20,
    axis_title=21,
    title=28,
    annotation=20,
    legend=20,
    marker=15,
    line_width=3.5,
    lab_row_height=210,
    lane_row_height=46,
    export_width=1920,
    panel_gap=72,
    title_chars=100,
    source_chars=140,
    left_margin=270,
    min_plot_width=1300,
)


# The screen a slide is designed for; `slide_look` scales the projector look to any other screen.
SLIDE_WIDTH, SLIDE_HEIGHT = 1920, 1080
_SCALED_FIELDS = ("tick", "axis_title", "title", "annotation", "legend", "marker", "line_width", "lab_row_height",
                  "lane_row_height", "export_width", "panel_gap", "left_margin", "min_plot_width")


def slide_look(width: float, height: float) -> Look:
    """The projector look scaled to a screen of width x height px, as a slide scales on a projector.

    Every size (fonts, rows, margins) scales by min(width / 1920, height / 1080), so a slide made for
    1920 x 1080 fits a 1280 x 720 screen with the same proportions; characters per line stay the same.
    """
    scale = min(width / SLIDE_WIDTH, height / SLIDE_HEIGHT)
    sizes = {name: getattr(PRESENTATION, name) * scale for name in _SCALED_FIELDS}
    return replace(PRESENTATION, **{k: v if k == "line_width" else round(v) for k, v in sizes.items()})


def look(presentation: bool | Look) -> Look:
    """The look of a figure: screen, projector, or a given (e.g. scaled projector) Look."""
    if isinstance(presentation, Look):
        return presentation
    return PRESENTATION if presentation else SCREEN


def scaled(px: float, lk: Look) -> int:
    """A projector size in px (designed at 20 px ticks) scaled to a look's tick size."""
    return round(px * lk.tick / PRESENTATION.tick)


def safe_text(value: object) -> str:
    """Escape a case-supplied string for plotly text; missing values become an empty string."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value))


def title_text(title: str | None, source: str | None, presentation: bool | Look) -> str | None:
    """Figure title: the case title, with the source underneath in smaller type."""
    if not title and not source:
        return None
    lk = look(presentation)
    parts = [f"<b>{line}</b>" for line in wrap(safe_text(title), lk.title_chars)] if title else []
    if source:
        parts += [
            f"<span style='font-size:{lk.annotation}px;color:{SOURCE_COLOR}'>{line}</span>"
            for line in wrap(safe_text(source), lk.source_chars)
        ]
    return "<br>".join(parts)


def title_height(title: str | None, source: str | None, presentation: bool | Look) -> int:
    """px the figure title block takes from the top edge (0 without one).

    Plotly spaces every line of a title at 1.3 x the title font, the smaller source lines included;
    the first line's glyphs take about 1.1 x the font.
    """
    text = title_text(title, source, presentation)
    if text is None:
        return 0
    lk = look(presentation)
    return TITLE_PAD + int(text.count("<br>") * 1.3 * lk.title + 1.1 * lk.title + 0.5)


def axis_style(lk: Look) -> dict:
    """Look of every x and y axis."""
    return {
        "tickfont": {"size": lk.tick},
        "title": {"font": {"size": lk.axis_title}},
        "automargin": True,
        "showline": True,
        "linecolor": "#999999",
        "zeroline": False,
    }


def base_layout(
    lk: Look,
    *,
    presentation: bool | Look,
    title: str | None,
    source: str | None,
    height: int | None,
    width: int | None = None,
) -> dict:
    """Template, fonts, legend and title as one layout dict (one validation pass, not one per setter)."""
    text = title_text(title, source, presentation)
    n_title_lines = 0 if text is None else text.count("<br>") + 1
    return {
        "template": "plotly_white",
        "font": {"family": FONT_FAMILY, "size": lk.tick, "color": TEXT_COLOR},
        "paper_bgcolor": BACKGROUND,
        "plot_bgcolor": BACKGROUND,
        "title": (
            {
                "text": text,
                "x": 0.0,
                "xanchor": "left",
                "xref": "container",
                "yanchor": "top",
                "yref": "container",
                "y": 1,  # pinned TITLE_PAD px below the top edge, whatever height a caller sets later
                # plotly lifts a multi-line title by ~0.7 em (measured), which would clip its first line
                "pad": {"l": 12, "t": TITLE_PAD + (int(0.7 * lk.title) if n_title_lines > 1 else 0)},
                "font": {"size": lk.title},
            }
            if text
            else None
        ),
        "legend": {
            "font": {"size": lk.legend},
            "orientation": "h",
            "yanchor": "top",
            "y": -0.02,
            "x": 0.0,
            "xanchor": "left",
        },
        "hoverlabel": {"font": {"size": lk.tick}},
        "margin": {"l": 10, "r": 30, "t": 40 + n_title_lines * int(lk.title * 1.5), "b": 40},
        "height": height,
        "width": width,
    }


def finish_figure(
    fig: go.Figure,
    *,
    presentation: bool | Look,
    title: str | None = None,
    source: str | None = None,
    height: int | None = None,
    width: int | None = None,
) -> go.Figure:
    """Apply the shared template, fonts and title; returns the same figure for chaining."""
    lk = look(presentation)
    layout = base_layout(
        lk, presentation=presentation, title=title, source=source, height=height, width=width
    )
    style = axis_style(lk)
    layout.update({name: style for name in fig.layout if name.startswith(("xaxis", "yaxis"))})
    fig.update_layout(layout)
    fig.update_annotations(font_size=lk.annotation)
    return fig


def medication_color(names: pd.Series) -> dict[str, str]:
    """Stable name -> colour mapping in order of first appearance."""
    unique = pd.unique(names.astype("string").fillna(""))
    return {str(name): MEDICATION_COLORS[i % len(MEDICATION_COLORS)] for i, name in enumerate(unique)}


def case_colour(case_id: object) -> str:
    """The one colour of a case in every view (case view, cohort, exports): chosen from CASE_COLORS by a
    hash of its id, so it never depends on which other cases are shown or in what order.
    Two cases may share a colour (12 colours); hover text and legends name each case."""
    digest = hashlib.blake2b(str(case_id).encode("utf-8"), digest_size=4).digest()
    return CASE_COLORS[int.from_bytes(digest, "big") % len(CASE_COLORS)]
