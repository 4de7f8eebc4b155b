"""Shared look: escaping of case strings and the presentation sizes."""

from __future__ import annotations

import pandas as pd

from dashboard.charts.style import PRESENTATION, SCREEN, safe_text, title_text


def test_safe_text_escapes_markup_and_blanks_missing():
    assert safe_text("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert safe_text(None) == "" and safe_text(pd.NA) == "" and safe_text(float("nan")) == ""


def test_projector_sizes():
    assert PRESENTATION.tick >= 20 and PRESENTATION.title >= 26
    assert SCREEN.tick < PRESENTATION.tick


def test_long_titles_wrap_and_carry_the_source():
    text = title_text("word " * 40, "a source", presentation=True)
    assert text.count("<br>") >= 2 and text.endswith("a source</span>")
    assert title_text(None, None, False) is None
