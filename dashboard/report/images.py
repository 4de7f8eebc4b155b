"""Static PNG/SVG/PDF export of figures through kaleido 1.x and the system Chromium.

Starting Chromium costs seconds; kaleido's sync server keeps one browser for the whole process, so
after the first figure each export takes a fraction of a second and a full set takes seconds.
The server handles one request at a time through shared queues, so calls are serialised with a lock
(Streamlit runs each session in its own thread).
"""

from __future__ import annotations

import io
import threading

import kaleido
import plotly.graph_objects as go
from kaleido import PageGenerator
from PIL import Image

from dashboard.charts.style import PRESENTATION, SCREEN

FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
DEFAULT_HEIGHT = 800
PNG_SCALE = 2  # sharp on slides and retina screens

# The page kaleido draws in: plotly.js from the installed plotly package, and no MathJax, which kaleido
# would otherwise load from cdnjs.cloudflare.com on every export (casetrack figures use no LaTeX).
EXPORT_PAGE = PageGenerator(mathjax=False)

_lock = threading.Lock()


def ensure_server() -> None:
    """Start kaleido's persistent Chromium once per process (a no-op once running)."""
    kaleido.start_sync_server(page_generator=EXPORT_PAGE, silence_warnings=True)


def default_width(fig: go.Figure) -> int:
    """Slide width for presentation figures (their fonts are projector-sized), else a page width.

    Plotly's own default (700 px) is cramped for stacked lab panels.
    """
    presentation = (fig.layout.font.size or 0) >= PRESENTATION.tick
    return PRESENTATION.export_width if presentation else SCREEN.export_width


def export_figure(fig: go.Figure, fmt: str, *, width: int | None = None, height: int | None = None) -> bytes:
    """The figure as PNG, SVG or PDF bytes, at the figure's own size unless width/height are given."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    opts = {
        "format": fmt,
        "width": width or fig.layout.width or default_width(fig),
        "height": height or fig.layout.height or DEFAULT_HEIGHT,
        "scale": PNG_SCALE if fmt == "png" else 1,
    }
    with _lock:
        ensure_server()
        data = kaleido.calc_fig_sync(fig, opts=opts)
    return bytes(data)


def export_deck(figs: list[go.Figure], *, width: int = 1920, height: int = 1080) -> bytes:
    """Slides as one PDF, a page per figure, every page width x height (16:9 for a 1920 x 1080 slide).

    Each slide is drawn as a PNG at PNG_SCALE (3840 x 2160 px for a 1080p slide, sharp on any projector)
    and Pillow, already installed with Streamlit, binds them: the page size in points follows from the
    pixel size and the resolution, so every page has the slide's aspect ratio.
    """
    if not figs:
        raise ValueError("a deck needs at least one slide")
    pages = [
        Image.open(io.BytesIO(export_figure(fig, "png", width=width, height=height))).convert("RGB")
        for fig in figs
    ]
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=96.0 * PNG_SCALE)
    return buffer.getvalue()


def export_figures(figs: dict[str, go.Figure], fmt: str) -> dict[str, bytes]:
    """Several figures in one format, keyed as given (e.g. for a zip download)."""
    return {name: export_figure(fig, fmt) for name, fig in figs.items()}
