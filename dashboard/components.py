"""The app's own browser code: two small Streamlit components, static scripts that carry no user data.

Streamlit has no keyboard events and no way to warm a script before a page needs it; each of these is the
smallest piece of JavaScript that does one of those, mounted with height 0 and hidden by CSS.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

from dashboard.charts.slides import Screen
from dashboard.ui import SCREEN, SLIDE_INDEX

STATIC = Path(__file__).resolve().parent / "static"
STREAMLIT_JS = Path(st.__file__).resolve().parent / "static" / "static" / "js"

# ---------------------------------------------------------------------------------------- presentation
# A clicker sends ArrowRight/ArrowLeft or PageDown/PageUp: they click the Next/Previous buttons (one code
# path with the mouse); Home/End jump to the first/last slide. The component also reports the screen size
# (and again after a resize) so every slide is built to fit it.
_presenter = st.components.v2.component("casetrack_presenter",
                                        js=(STATIC / "presenter.js").read_text(encoding="utf-8"))


def presenter(last: int) -> None:
    """Mount the keyboard and screen-size listener (its callbacks run before the next rerun draws)."""
    _presenter(key="present_keys", data=st.session_state.get(SCREEN), on_screen_change=_keep_screen,
               on_jump_change=lambda: _jump(last), height=0)


def current_screen() -> Screen:
    """The screen the presentation component last reported; 1920 x 1080 until it has."""
    size = st.session_state.get(SCREEN)
    return Screen(int(size["width"]), int(size["height"])) if size else Screen()


def _keep_screen() -> None:
    st.session_state[SCREEN] = st.session_state["present_keys"]["screen"]


def _jump(last: int) -> None:
    target = st.session_state["present_keys"]["jump"]
    st.session_state[SLIDE_INDEX] = 0 if target == "first" else last


# ---------------------------------------------------------------------------------------- warm-up
# A tab's first chart waits for Streamlit's Plotly code (4.7 MB) to be evaluated, 1.2-1.3 s on the machines
# we measured, and its first table for the data grid's (0.5 MB): more than half of "Save and open in case
# view". Evaluating them while the user is still choosing files (the browser's idle time) takes that wait
# away; the files are Streamlit's own, served by the local server, and a tab evaluates a module once however
# often it is imported.
WARMED = ("PlotlyChart", "DataFrame")  # the code behind st.plotly_chart and st.dataframe
_warm_scripts = st.components.v2.component("casetrack_warm_scripts",
                                           js=(STATIC / "warm_scripts.js").read_text(encoding="utf-8"))


@cache  # the install does not change while the app runs: look once, not on every rerun of a page
def warmed_chunks() -> tuple[str, ...]:
    """The file names of that code in this install (hashed per release); a name not found is left out."""
    found = [sorted(STREAMLIT_JS.glob(f"{name}.*.js")) for name in WARMED]
    return tuple(files[0].name for files in found if len(files) == 1)


def warm_scripts() -> None:
    """Have the browser evaluate the chart and table code in idle time (nothing to do if none is found).

    For the pages a user opens before a chart (Upload, Import a table, the Case library); a page that draws
    charts at once loads the code itself, and the component would only add its own cost there."""
    chunks = warmed_chunks()
    if chunks:
        with st.sidebar:
            _warm_scripts(key="warm_scripts_code", data={"chunks": list(chunks)}, height=0)
