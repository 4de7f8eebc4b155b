"""The browser components' static parts (their behaviour is checked in tests/browser)."""

from __future__ import annotations

from dashboard import components


def test_the_code_to_warm_is_this_streamlit_s_own_chart_and_table_files():
    # A Streamlit release that renames its chunks would silently lose the warm-up: fail here instead.
    plotly, grid = components.warmed_chunks()
    assert plotly.startswith("PlotlyChart.") and grid.startswith("DataFrame.") and grid.endswith(".js")
    assert (components.STREAMLIT_JS / plotly).stat().st_size > 1_000_000  # plotly.js itself, not a stub
