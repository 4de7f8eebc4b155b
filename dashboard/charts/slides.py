"""Presentation slides: one figure per screen, every one sized to fit it without scrolling.

A slide is designed for 1920 x 1080 and scaled to the screen it is shown on (`style.slide_look`), so
fonts keep their share of the screen on a 1280 x 720 projector too. Every slide sits on the event lane's
day axis; lab slides carry a thin medication strip on that axis, so the room sees what was given when.
The heatmap is split over as many slides as its rows need (`heatmap.slide_pages`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.case_figure import case_figure
from dashboard.charts.heatmap import flag_heatmap, slide_pages
from dashboard.charts.scores import score_figure
from dashboard.charts.style import SLIDE_HEIGHT, SLIDE_WIDTH, Look, slide_look

# Lab panels per slide (at projector sizes a third panel leaves each too flat to read).
PANELS_PER_SLIDE = 2

SLIDE_CHROME_PX = 100  # the slide buttons and the page padding above and below a slide's figure

Slide = tuple[str, tuple[str, ...]]  # (kind, analytes or heatmap rows): "lane" | "case" | "scores" | "heatmap"


@dataclass(frozen=True)
class Screen:
    """The browser's inner size in px, as the presentation component reports it."""

    width: int = SLIDE_WIDTH
    height: int = SLIDE_HEIGHT

    @property
    def slide_height(self) -> int:
        """px a slide's figure may take: the screen minus the slide buttons above it."""
        return max(self.height - SLIDE_CHROME_PX, 200)

    @property
    def look(self) -> Look:
        return slide_look(self.width, self.height)


def has_event_lane(events: pd.DataFrame, flags: pd.DataFrame) -> bool:
    """Whether a case can draw its event lane: events with start days, and timepoints with days."""
    return bool(events["start_day"].notna().any() and flags["day"].notna().any())


def slide_plan(analytes: list[str], *, lane: bool = True, xuln: bool = False,
               heatmap_pages: list[tuple[str, ...]] | None = None, per_slide: int = PANELS_PER_SLIDE) -> list[Slide]:
    """The event lane, the labs a few panels per slide (or one x ULN slide), scores, the flag heatmap pages."""
    if xuln:
        labs = [("case", tuple(analytes))] if analytes else []
    else:
        labs = [("case", tuple(analytes[i:i + per_slide])) for i in range(0, len(analytes), per_slide)]
    heatmaps = [("heatmap", page) for page in heatmap_pages] if heatmap_pages else [("heatmap", ())]
    return [*([("lane", ())] if lane else []), *labs, ("scores", ()), *heatmaps]


def case_slide_plan(flags: pd.DataFrame, events: pd.DataFrame, analytes: list[str], *, xuln: bool, lk: Look,
                    height: int, title: str | None, source: str | None) -> list[Slide]:
    """`slide_plan` of a case, its heatmap split into pages that fit `height` px."""
    pages = slide_pages(flags, height, title=title, source=source, presentation=lk)
    return slide_plan(analytes, lane=has_event_lane(events, flags), xuln=xuln, heatmap_pages=pages)


def slide_figure(flags: pd.DataFrame, events: pd.DataFrame, scores: pd.DataFrame, slide: Slide, *, xuln: bool,
                 lk: Look, height: int, title: str | None, source: str | None) -> go.Figure:
    """One slide's figure, `height` px tall, titled with the case, on the event lane's day axis."""
    name, items = slide
    labels = {"title": title, "source": source, "presentation": lk}
    if name == "heatmap":
        return flag_heatmap(flags, rows=items or None, **labels)  # its page fits: rows keep their height
    lane = case_figure(flags, events, [], **labels)
    if name == "lane":  # the lane's rows share the screen
        return lane.update_layout(height=height)
    span = list(lane.layout.xaxis.range) if lane.layout.xaxis.range else None
    if name == "scores":
        return score_figure(scores, x_span=span, height=height, **labels)
    return case_figure(flags, events, list(items), scale="xuln" if xuln else "absolute", x_span=span, strip=True,
                       height=height, **labels)
