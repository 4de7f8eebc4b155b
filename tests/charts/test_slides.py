"""Slides: the plan, the scaled projector look, the heatmap split over slides, the medication strip,
and the contrast of every text colour a slide sets against its background."""

from __future__ import annotations

import re

import pytest

from dashboard.charts.heatmap import slide_pages
from dashboard.charts.slides import slide_figure, slide_plan
from dashboard.charts.style import PRESENTATION, slide_look

TITLE = "MAS complicating an SLE flare"


def test_the_plan_gives_the_lane_its_own_slide_and_the_heatmap_its_pages():
    slides = slide_plan(["a", "b", "c"], per_slide=2)
    assert slides == [("lane", ()), ("case", ("a", "b")), ("case", ("c",)), ("scores", ()), ("heatmap", ())]
    assert slide_plan(["a", "b", "c"], xuln=True, lane=False) == [
        ("case", ("a", "b", "c")), ("scores", ()), ("heatmap", ())]
    assert slide_plan([], lane=False, heatmap_pages=[("x",), ("y",)]) == [
        ("scores", ()), ("heatmap", ("x",)), ("heatmap", ("y",))]


def test_the_look_scales_with_the_screen():
    assert slide_look(1920, 1080) == PRESENTATION
    small = slide_look(1280, 720)  # two thirds of every size, the same characters per line
    assert (small.tick, small.title, small.left_margin) == (13, 19, 180)
    assert small.title_chars == PRESENTATION.title_chars
    assert slide_look(1920, 720) == small  # the smaller side decides: a wide short window still fits


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_heatmap_pages_fit_the_slide_and_keep_every_row(seed_real, width, height):
    flags = seed_real[0]
    lk, room = slide_look(width, height), height - 100
    pages = slide_pages(flags, room, title=TITLE, source="s", presentation=lk)
    assert len(pages) > 1 and max(map(len, pages)) - min(map(len, pages)) <= 1  # balanced
    keys = [key for page in pages for key in page]
    assert len(keys) == len(set(keys)) == flags["label"].nunique()
    for page in pages:
        fig = slide_figure(flags, seed_real[2], seed_real[1], ("heatmap", page), xuln=False, lk=lk, height=room,
                           title=TITLE, source="s")
        assert fig.layout.height <= room
        assert len(fig.data[0].y) == len(page)


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_every_slide_is_as_tall_as_the_screen_allows(seed_real, width, height):
    flags, scores, events = seed_real
    lk, room = slide_look(width, height), height - 100
    for slide in [("lane", ()), ("case", ("ferritin", "platelets")), ("scores", ())]:
        fig = slide_figure(flags, events, scores, slide, xuln=False, lk=lk, height=room, title=TITLE, source="s")
        assert fig.layout.height == room, slide
        assert fig.layout.font.size == lk.tick


def test_lab_slides_carry_a_thin_medication_strip(seed_real):
    flags, scores, events = seed_real
    lk = slide_look(1920, 1080)
    fig = slide_figure(flags, events, scores, ("case", ("ferritin", "platelets")), xuln=False, lk=lk, height=980,
                       title=TITLE, source="s")
    bars = [t for t in fig.data if t.type == "bar"]
    medications = events.loc[events["kind"] == "medication", "name"]
    assert sorted(t.name for t in bars) == sorted(medications)  # every course, no procedure or clinical event
    assert all(list(t.text) == [t.name] for t in bars)  # named in the strip (it has no row labels)
    strip, first_panel = fig.layout.yaxis.domain, fig.layout.yaxis2.domain
    plot_px = 980 - fig.layout.margin.t - fig.layout.margin.b
    assert (strip[1] - strip[0]) * plot_px < 0.25 * plot_px < (first_panel[1] - first_panel[0]) * plot_px
    lane = slide_figure(flags, events, scores, ("lane", ()), xuln=False, lk=lk, height=980, title=TITLE, source="s")
    assert fig.layout.xaxis.range == lane.layout.xaxis.range  # the same day axis as the lane slide


def relative_luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(hex_colour.lstrip("#")[i:i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def full_hex(colour: str) -> str:
    colour = colour.lstrip("#")
    return "#" + ("".join(c * 2 for c in colour) if len(colour) == 3 else colour)


def test_contrast_on_the_cut_off():
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just under 4.5:1
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # just over
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)


def test_every_text_colour_of_every_slide_reads_at_4_5_to_1(seed_real):
    flags, scores, events = seed_real
    lk = slide_look(1280, 720)
    for slide in [("lane", ()), ("case", ("ferritin", "platelets")), ("scores", ()), ("heatmap", ())]:
        fig = slide_figure(flags, events, scores, slide, xuln=False, lk=lk, height=620, title=TITLE, source="src")
        background = fig.layout.paper_bgcolor or fig.layout.template.layout.paper_bgcolor
        colours = {fig.layout.font.color, *re.findall(r"color:\s*(#[0-9a-fA-F]{3,6})", fig.layout.title.text)}
        colours |= {a.font.color for a in fig.layout.annotations if a.font.color}
        for axis in [k for k in fig.layout if k.startswith(("xaxis", "yaxis"))]:
            colours |= {c for c in (fig.layout[axis].tickfont.color, fig.layout[axis].title.font.color) if c}
        assert fig.layout.font.color and len(colours) >= 2
        worst = min(contrast(full_hex(c), full_hex(background)) for c in colours)
        assert worst >= 4.5, (slide, sorted(colours), background)
