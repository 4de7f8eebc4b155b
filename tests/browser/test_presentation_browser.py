"""Presentation mode on a projector: every slide fits 1280 x 720 and 1920 x 1080 without scrolling, clicker
keys move the slides, and axis and label text stands out from the background (WCAG contrast >= 4.5:1)."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_app_browser import PLOT, wait_for_app, wait_for_plots

pytestmark = pytest.mark.browser

SCREENS = [(1280, 720), (1920, 1080)]
# Every element that scrolls its content, and where the slide's figure sits in the window.
FIT = """() => {
  const scrolling = [...document.querySelectorAll('*')].filter(el => {
    const overflow = getComputedStyle(el).overflowY;
    return (overflow === 'auto' || overflow === 'scroll') && el.scrollHeight - el.clientHeight > 2;
  }).map(el => el.getAttribute('data-testid') || el.className || el.tagName);
  const plot = document.querySelector('.js-plotly-plot').getBoundingClientRect();
  return {scrolling, top: plot.top, bottom: plot.bottom, right: plot.right,
          width: window.innerWidth, height: window.innerHeight};
}"""
# The fill of every axis, title, legend and annotation text of the slide, as drawn.
TEXT_COLOURS = """() => [...document.querySelectorAll(
  '.js-plotly-plot :is(.xtick, .ytick, .g-xtitle, .g-ytitle, .g-gtitle, .legendtext, .annotation-text-g, .cbtitle, .cbaxis) text'
)].filter(t => t.textContent.trim()).map(t => getComputedStyle(t).fill)"""


def slide_number(page) -> tuple[int, int]:
    text = page.get_by_text(re.compile(r"Slide \d+ of \d+")).inner_text()
    index, total = re.findall(r"\d+", text)
    return int(index), int(total)


def wait_for_slide(page, index: int) -> None:
    page.get_by_text(re.compile(rf"Slide {index} of \d+")).wait_for()
    wait_for_plots(page, 1)
    page.wait_for_timeout(300)


def open_presentation(browser, app_url, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/present")
    wait_for_slide(page, 1)
    wait_for_height(page, f"<= {height}")  # built for this screen
    wait_for_app(page)
    return context, page


def wait_for_height(page, test: str) -> None:
    """Wait until the slide's figure is drawn with a height passing `test` (e.g. "<= 720")."""
    page.wait_for_function(
        f"() => {{ const plot = document.querySelector('{PLOT}'); return !!(plot && plot.layout && plot.layout.height {test}); }}"
    )
    wait_for_app(page)


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    light, dark = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rgb(css: str) -> tuple[int, int, int]:
    """'rgb(34, 34, 34)', '#222222' or '#222' as (r, g, b)."""
    if css.startswith("#"):
        digits = css[1:] if len(css) == 7 else "".join(c * 2 for c in css[1:4])
        return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))
    return tuple(int(float(v)) for v in re.findall(r"[\d.]+", css)[:3])


def test_contrast_formula_on_known_pairs():
    assert rgb("#fff") == rgb("#FFFFFF") == rgb("rgb(255, 255, 255)") == (255, 255, 255)
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((0x77, 0x77, 0x77), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)  # just below 4.5
    assert contrast((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)  # just above


@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_every_slide_fits_the_screen(browser, app_url, artifacts, width, height):
    context, page = open_presentation(browser, app_url, width, height)
    try:
        _, total = slide_number(page)
        for index in range(1, total + 1):
            if index > 1:
                page.get_by_role("button", name="Next ▶").click()
                wait_for_slide(page, index)
            fit = page.evaluate(FIT)
            assert fit["scrolling"] == [], f"slide {index} scrolls at {width}x{height}"
            assert 0 <= fit["top"] and fit["bottom"] <= height and fit["right"] <= width, (index, fit)
            background = page.evaluate(f"() => document.querySelector('{PLOT}')._fullLayout.paper_bgcolor")
            low = min(contrast(rgb(fill), rgb(background)) for fill in page.evaluate(TEXT_COLOURS))
            assert low >= 4.5, f"slide {index}: text at {low:.2f}:1"
            page.screenshot(path=artifacts / f"slide_{width}x{height}_{index}.png")
    finally:
        context.close()


def test_clicker_keys_move_the_slides(browser, app_url):
    context, page = open_presentation(browser, app_url, 1280, 720)
    try:
        _, total = slide_number(page)
        page.keyboard.press("ArrowRight")
        wait_for_slide(page, 2)
        page.keyboard.press("PageDown")
        wait_for_slide(page, 3)
        page.keyboard.press("ArrowLeft")
        wait_for_slide(page, 2)
        page.keyboard.press("PageUp")
        wait_for_slide(page, 1)
        page.keyboard.press("End")
        wait_for_slide(page, total)
        page.keyboard.press("Home")
        wait_for_slide(page, 1)
        assert slide_number(page) == (1, total)
        page.set_viewport_size({"width": 1920, "height": 1080})  # a resized window rebuilds the slide for it
        wait_for_height(page, "=== 1080 - 100")
    finally:
        context.close()
