"""The browser components' static parts (their behaviour is checked in tests/browser)."""

from __future__ import annotations

from dashboard import components


def test_the_chart_code_to_warm_is_this_streamlit_s_own_file():
    # A Streamlit release that renames its Plotly chunk would silently lose the warm-up: fail here instead.
    chunk = components.plotly_chunk()
    assert chunk is not None and chunk.startswith("PlotlyChart.") and chunk.endswith(".js")
    assert (components.STREAMLIT_JS / chunk).stat().st_size > 1_000_000  # plotly.js itself, not a stub
