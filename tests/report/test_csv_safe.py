"""Formula-safe CSV export: trigger characters neutralised, numbers kept, µ and ° readable by Excel."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.domain.schema import observation_frame
from dashboard.report.csv_safe import needs_quote, neutralise_formulas, safe_csv_bytes


@pytest.mark.parametrize("cell", ["=1+1", "=HYPERLINK(\"http://x\",\"y\")", "+41 cmd", "-2+3", "@SUM(A1)",
                                  "\tTAB", "\rCR", "＝1+1", "-", "=", "-1,5"])
def test_formula_triggers_are_quoted(cell: str) -> None:
    assert needs_quote(cell)
    out = neutralise_formulas(pd.DataFrame({"label": [cell]}))
    assert out.loc[0, "label"] == "'" + cell


@pytest.mark.parametrize("cell", ["Ferritin", "1: 640", "<0.5", ">1000", "-1.5", "+2", "-3e5", ".5", "",
                                  " =not at start", "a=b", "4.5–11.0", "µmol/L"])
def test_ordinary_text_and_plain_numbers_are_left_alone(cell: str) -> None:
    assert not needs_quote(cell)
    assert neutralise_formulas(pd.DataFrame({"label": [cell]})).loc[0, "label"] == cell


def test_numbers_stay_numbers_and_the_input_is_not_mutated() -> None:
    frame = pd.DataFrame({
        "label": ["=cmd|' /C calc'!A0", "Hemoglobin", None, "@evil"],
        "value": [-1.5, math.nan, 2.0, -0.0],
        "count": [-1, 2, 3, 4],
        "mixed": ["+x", -1.5, None, "ok"],
        "day": pd.to_datetime(["2020-01-01", None, "2020-01-03", "2020-01-04"]),
    })
    before = frame.copy(deep=True)
    out = neutralise_formulas(frame)
    pd.testing.assert_frame_equal(frame, before)  # NaN and None included
    assert out["label"].tolist()[0::3] == ["'=cmd|' /C calc'!A0", "'@evil"]
    assert out["label"].iloc[1] == "Hemoglobin" and pd.isna(out["label"].iloc[2])
    pd.testing.assert_series_equal(out["value"], frame["value"])
    pd.testing.assert_series_equal(out["count"], frame["count"])
    pd.testing.assert_series_equal(out["day"], frame["day"])
    assert out["mixed"].tolist()[:2] == ["'+x", -1.5]
    assert out.dtypes.tolist() == frame.dtypes.tolist()


def test_pyarrow_backed_tidy_frames_keep_their_dtypes() -> None:
    tidy = observation_frame([
        {"case_id": "c", "label": "=2+5", "value": -1.5, "orig_text": "-1.5", "unit": "µmol/L"},
        {"case_id": "c", "label": "<img src=x onerror=alert(1)>", "value": None, "orig_text": "@x"},
    ])
    before = tidy.copy()
    out = neutralise_formulas(tidy)
    pd.testing.assert_frame_equal(tidy, before)
    assert list(out.dtypes) == list(tidy.dtypes)
    assert out["label"].tolist() == ["'=2+5", "<img src=x onerror=alert(1)>"]
    assert out["orig_text"].tolist() == ["-1.5", "'@x"]
    assert out["value"].iloc[0] == -1.5 and pd.isna(out["value"].iloc[1])


def test_headers_categories_and_index_are_neutralised() -> None:
    frame = pd.DataFrame({"=evil": pd.Categorical(["-x", "fine", "-x"]), "ok": [1, 2, 3]},
                         index=pd.Index(["@a", "b", "c"], name="label"))
    out = neutralise_formulas(frame)
    assert list(out.columns) == ["'=evil", "ok"]
    assert out["'=evil"].tolist() == ["'-x", "fine", "'-x"]
    assert out.index.tolist() == ["'@a", "b", "c"]
    assert list(frame.columns) == ["=evil", "ok"]


def test_csv_bytes_have_a_bom_keep_units_and_read_back() -> None:
    frame = pd.DataFrame({"label": ["Creatinine", "=1+1"], "unit": ["µmol/L", "°C"], "value": [-1.5, 38.6]})
    data = safe_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert "µmol/L".encode() in data and "°C".encode() in data
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["label"].tolist() == ["Creatinine", "'=1+1"]
    assert back["value"].tolist() == [-1.5, 38.6]
    assert back["value"].dtype == np.float64
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "label,unit,value" and lines[2] == "'=1+1,°C,38.6"


def test_an_empty_frame_exports_its_header() -> None:
    frame = pd.DataFrame({"label": pd.Series([], dtype=pd.ArrowDtype(pa.string()))})
    assert safe_csv_bytes(frame) == "\ufefflabel\r\n".encode()


@given(st.lists(st.one_of(st.text(max_size=12), st.floats(), st.none()), min_size=1, max_size=8))
def test_no_exported_text_cell_can_start_a_formula(cells: list) -> None:
    out = neutralise_formulas(pd.DataFrame({"cell": cells}, dtype=object))
    for before, after in zip(cells, out["cell"], strict=True):
        if isinstance(before, str):
            assert after == ("'" + before if needs_quote(before) else before)
            assert not needs_quote(after)
        else:
            assert after == before or (pd.isna(after) and pd.isna(before))


def test_the_derived_csv_keeps_case_and_original_value_and_stays_formula_safe():
    from dashboard.domain.flags import reference_flags
    from dashboard.ingest.bundle import load_uploaded
    from dashboard.views import derived_table

    labs = "Analyte,Reference range,Admission\n=HYPERLINK(x) (mg/L),,120.5\nCRP (mg/L),<5,120.5\n"
    case = load_uploaded({"labs.csv": labs.encode(), "case.toml": b'id = "us-units"\n'})
    text = safe_csv_bytes(derived_table(reference_flags(case.observations))).decode("utf-8-sig")
    header, *lines = text.splitlines()
    assert header.startswith("case_id,timepoint,day,label,analyte,orig_text,orig_value,orig_unit,value,unit")
    crp = next(line for line in lines if ",crp," in line)
    assert crp.startswith("us-units,Admission,") and ",120.5,120.5,mg/L,12.05,mg/dL," in crp
    assert any(line.startswith("us-units,Admission,,'=HYPERLINK(x),") for line in lines)  # quoted, inert
