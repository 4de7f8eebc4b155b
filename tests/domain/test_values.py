"""Cell and reference-range parsing: examples from the seed and the issue, plus property tests."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.domain.values import (
    COMMA,
    POINT,
    Cell,
    CellError,
    NumberStyle,
    RefRange,
    parse_cell,
    parse_cells,
    parse_range,
    scan_numbers,
)

CELLS = [
    ("0.72", Cell(value=0.72)), ("1260", Cell(value=1260.0)), (" 38.6 ", Cell(value=38.6)),
    ("-0.5", Cell(value=-0.5)), (".5", Cell(value=0.5)), ("1e3", Cell(value=1000.0)),
    ("Positive", Cell(result="positive")), ("negative", Cell(result="negative")), ("Yes", Cell(result="positive")),
    ("no", Cell(result="negative")), ("present", Cell(result="positive")), ("absent", Cell(result="negative")),
    ("low", Cell(result="low")), ("Normal", Cell(result="normal")), ("elevated", Cell(result="high")),
    ("Positive (weak)", Cell(result="positive")),
    ("1:40", Cell(value=40.0, unit="titer")), ("1: 640 (speckled)", Cell(value=640.0, unit="titer")),
    ("1/160", Cell(value=160.0, unit="titer")),
    ("<0.5", Cell(value=0.5, qualifier="<")), ("> 1000", Cell(value=1000.0, qualifier=">")),
    ("≤ 2", Cell(value=2.0, qualifier="<=")), ("<1:10", Cell(value=10.0, qualifier="<", unit="titer")),
    ("3 cm", Cell(value=3.0, unit="cm")), ("4cm", Cell(value=4.0, unit="cm")), ("38.6 °C", Cell(value=38.6, unit="°C")),
]


@pytest.mark.parametrize("text,expected", CELLS)
def test_parse_cell(text, expected):
    assert parse_cell(text) == expected


@pytest.mark.parametrize("text", ["", " ", "–", "-", "—", "NA", "na", "ND", "n/a", "N/A", None, float("nan"), "…",
                                  "/", "not tested", "\u2212", "\u00a0", "--", "---", "n/d", "N/D"])
def test_missing(text):
    assert parse_cell(text) == Cell(missing=True)


@pytest.mark.parametrize("text,message,expected", [
    ("3,5", "decimal comma", "a decimal point (3.5)"),
    ("1,260", "thousands separator or a decimal comma", "(1260)"),
    ("1.260,5", "decimal comma but the file's numbers use decimal points", "decimal comma"),
    ("8580 mg H", "not a value", "a number"),
    ("NaN", "not a number", "empty cell for missing"),
    ("inf", "not a number", "a number"),
    ("-Infinity", "not a number", "a number"),
    ("1e400", "implausibly large", "below"),
    ("99999999999999", "implausibly large", "below"),
    ("abc", "not a value casetrack can read", "titer 1:40"),
    ("< high", "not a censored value", "a number"),
    ("<<3", "not a censored value", "a number"),
])
def test_refused_cells(text, message, expected):
    with pytest.raises(CellError, match=message) as caught:
        parse_cell(text)
    assert expected in caught.value.expected


RANGES = [
    ("4.5–11.0", RefRange(4.5, 11.0)), ("4.5-11.0", RefRange(4.5, 11.0)), ("4.5 — 11.0", RefRange(4.5, 11.0)),
    ("2 to 4", RefRange(2.0, 4.0)), ("0.0–0.16", RefRange(0.0, 0.16)), ("< 250", RefRange(high=250.0)),
    ("<1: 10", RefRange(high=10.0)), ("< 1: 40", RefRange(high=40.0)), ("> 60", RefRange(low=60.0)),
    ("≥60", RefRange(low=60.0)), ("Negative", RefRange()), ("–", RefRange()), ("", RefRange()),
    ("(12.0-16.0)", RefRange(12.0, 16.0)), ("[150–400]", RefRange(150.0, 400.0)), ("(<5)", RefRange(high=5.0)),
    ("(12.0-16.0 g/dL)", RefRange(12.0, 16.0, unit="g/dL")),
]


@pytest.mark.parametrize("text,expected", RANGES)
def test_parse_range(text, expected):
    assert parse_range(text) == expected


def test_bare_number_is_an_upper_limit_with_a_warning():
    parsed = parse_range("22")
    assert (parsed.low, parsed.high) == (None, 22.0)
    assert "upper limit" in parsed.warning


@pytest.mark.parametrize("text,message", [("5-2", "low limit above"), ("1,5-3", "comma"), ("3,5", "decimal comma"),
                                          ("sometimes", "not a reference range"),
                                          ("(5-2)", "low limit above"), ("(x)", "not a reference range")])
def test_refused_ranges(text, message):
    with pytest.raises(CellError, match=message):
        parse_range(text)


def test_parse_cells_is_row_aligned_and_keeps_errors():
    texts = pd.Series(["1", "x", None, "1", "Yes"], index=[10, 11, 12, 13, 14])
    out = parse_cells(texts)
    assert out.index.tolist() == [10, 11, 12, 13, 14]
    assert out["value"].tolist()[0] == 1.0 and out["value"].tolist()[3] == 1.0
    assert out["missing"].tolist() == [False, False, True, False, False]
    assert out["error"].notna().tolist() == [False, True, False, False, False]
    assert out["result"].tolist()[4] == "positive"


def test_parse_cells_empty():
    assert parse_cells(pd.Series([], dtype=object)).empty


@given(st.text(max_size=40))
def test_any_text_parses_or_gives_a_cell_error(text):
    try:
        cell = parse_cell(text)
    except CellError as exc:
        assert str(exc) and exc.expected
        return
    assert cell.missing or cell.value is not None or cell.result is not None
    if cell.value is not None:
        assert math.isfinite(cell.value)


@given(st.text(max_size=40))
def test_any_text_as_a_range_parses_or_gives_a_cell_error(text):
    try:
        parsed = parse_range(text)
    except CellError as exc:
        assert exc.expected
        return
    if parsed.low is not None and parsed.high is not None:
        assert parsed.low <= parsed.high


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_written_numbers_read_back_exactly(number):
    assert parse_cell(repr(number)).value == number
    assert parse_cell(f"<{number!r}") == Cell(value=number, qualifier="<")


@given(st.floats(min_value=0, max_value=1e6), st.floats(min_value=0, max_value=1e6), st.sampled_from("-–—‒"))
def test_ranges_read_back(low, high, dash):
    low, high = sorted((low, high))
    assert parse_range(f"{low!r}{dash}{high!r}") == RefRange(low, high)


@given(st.integers(min_value=1, max_value=100_000))
def test_titers_read_back(n):
    assert parse_cell(f"1:{n}") == Cell(value=float(n), unit="titer")
    assert parse_cell(f"1: {n} (speckled)").value == n


# Lab flags, invisible characters and inclusive censoring (issue 9 point 2)
@pytest.mark.parametrize("text,expected", [
    ("8580 H", Cell(value=8580.0, flag="H")), ("22 L", Cell(value=22.0, flag="L")), ("9560H", Cell(value=9560.0, flag="H")),
    ("51 ↑", Cell(value=51.0, flag="↑")), ("↓ 22", Cell(value=22.0, flag="↓")), ("1.71*", Cell(value=1.71, flag="*")),
    ("46 (H)", Cell(value=46.0, flag="(H)")), (">6000 H", Cell(value=6000.0, qualifier=">", flag="H")),
    ("8\u2009580", Cell(value=8580.0)), ("21 400", Cell(value=21400.0)), ("\u00a038.6\u200b", Cell(value=38.6)),
    ("\u22120.5", Cell(value=-0.5)), ("4\u00ad5", Cell(value=45.0)), ("3\u00a0cm", Cell(value=3.0, unit="cm")),
    ("≤30", Cell(value=30.0, qualifier="<=")), ("<30", Cell(value=30.0, qualifier="<")),
    ("≥ 2.5", Cell(value=2.5, qualifier=">=")), (">2.5", Cell(value=2.5, qualifier=">")),
    ("=<30", Cell(value=30.0, qualifier="<=")), ("<=30", Cell(value=30.0, qualifier="<=")),
    (">=6000", Cell(value=6000.0, qualifier=">=")),
])
def test_flags_invisible_characters_and_censoring(text, expected):
    assert parse_cell(text) == expected


# Decimal styles: (text, style, value) where the file's style decides
@pytest.mark.parametrize("text,style,value", [
    ("12,932.7", POINT, 12932.7), ("1,266,973", POINT, 1266973.0), ("3,5", COMMA, 3.5), ("0,72", COMMA, 0.72),
    ("1,260", COMMA, 1.26), ("12.932,7", COMMA, 12932.7), ("1.266.973", COMMA, 1266973.0),
    ("1,260", NumberStyle(".", declared=True), 1260.0), ("1.260", NumberStyle(",", declared=True), 1260.0),
    ("1,260", NumberStyle(".", shown=True), 1260.0), ("1.260", NumberStyle(",", shown=True), 1260.0),
    ("12,000", NumberStyle(".", shown=True), 12000.0), (">40,000", NumberStyle(".", shown=True), 40000.0),
    ("1.260", POINT, 1.26), ("<0,5", COMMA, 0.5), ("0.125", NumberStyle(None), 0.125), ("3,5 cm", COMMA, 3.5), ("1260", NumberStyle(None), 1260.0),
])
def test_numbers_in_the_files_style(text, style, value):
    assert parse_cell(text, style).value == value


@pytest.mark.parametrize("text,style,message", [
    ("1,260", POINT, "ambiguous"), ("1.260", COMMA, "ambiguous"), ("0.72", COMMA, "decimal point but"),
    ("3,5", POINT, "decimal comma but"), ("1.260", NumberStyle(None), "ambiguous"),
    ("1,260", NumberStyle(None), "ambiguous"),
])
def test_numbers_against_the_files_style_are_refused(text, style, message):
    with pytest.raises(CellError, match=message):
        parse_cell(text, style)


def test_ranges_in_decimal_comma_style():
    assert parse_range("4,5–11,0", COMMA) == RefRange(4.5, 11.0)
    assert parse_range("150 000–400 000", COMMA) == RefRange(150000.0, 400000.0)
    assert parse_range("150\u202f000 - 400\u202f000") == RefRange(150000.0, 400000.0)
    assert parse_range("< 0,5", COMMA) == RefRange(high=0.5)


@pytest.mark.parametrize("texts,style", [
    (["0.72", "4.5–11.0", "9560", "1,260"], "."), (["0,72", "4,5–11,0", "9560", "1.260"], ","),
    (["9560", "1,260", "22"], None), (["6.2–138", "3,5", "3.5"], "mixed"), (["1:40", "1: 640 (speckled)"], None),
    (["12,932.7"], "."), (["12.932,7"], ","), (["0,125", "9560"], ","), (["0.125", "9560"], "."),
])
def test_scan_numbers_decides_per_file(texts, style):
    assert scan_numbers(texts)[0] == style
