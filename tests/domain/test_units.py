"""Unit spellings and conversions, table-tested against the unit facts of clinical-criteria.md."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.domain.units import UnitError, convert, is_unit, normalise_unit, to_canonical

SPELLINGS = [
    ("10^9/L", "10^9/L"), ("10*9/L", "10^9/L"), ("x10⁹/L", "10^9/L"), ("×10⁹/L", "10^9/L"),
    ("10E9/L", "10^9/L"), ("10e9/l", "10^9/L"), ("109/L", "10^9/L"), ("x 10^9 /L", "10^9/L"),
    ("103/µL", "10^3/µL"), ("10^3/uL", "10^3/µL"), ("10³/μL", "10^3/µL"), ("/µL", "/µL"), ("cells/uL", "/µL"),
    ("/mm3", "/mm^3"), ("μg/L", "µg/L"), ("ug/L", "µg/L"), ("umol/l", "µmol/L"), ("mg/dl", "mg/dL"),
    ("g/l", "g/L"), ("ng/ml", "ng/mL"), ("mmol/l", "mmol/L"), ("mm/hour", "mm/h"), ("mm/hr", "mm/h"),
    ("seconds", "s"), ("sec", "s"), ("°C", "°C"), ("degC", "°C"), ("°F", "°F"), ("IU/L", "U/L"),
    ("u/l", "U/L"), ("l/l", "L/L"), ("percent", "%"), ("g/24h", "g/day"), ("titre", "titer"), ("", None),
    ("  ", None), (None, None),
]


@pytest.mark.parametrize("written,normal", SPELLINGS)
def test_normalise_unit(written, normal):
    assert normalise_unit(written) == normal


@pytest.mark.parametrize("text,expected", [("g/L", True), ("seconds", True), ("bone marrow", False),
                                           ("speckled", False), ("serum", False), ("mmol/zork", False)])
def test_is_unit(text, expected):
    assert is_unit(text) is expected


# (value, from, to, molar mass, expected): every pair of the unit facts, both directions where useful.
CONVERSIONS = [
    (4.13, "mmol/L", "mg/dL", 885.7, 365.79),        # TG 4.13 mmol/L = 365.8 mg/dL
    (88.57, "mg/dL", "mmol/L", 885.7, 1.0),
    (3.5, "g/L", "mg/dL", None, 350.0),              # fibrinogen 3.5 g/L = 350 mg/dL
    (150, "mg/dL", "g/L", None, 1.5),
    (9.2, "g/dL", "g/L", None, 92.0),                # hemoglobin 1 g/dL = 10 g/L
    (1, "10^9/L", "10^3/µL", None, 1.0),             # counts
    (1, "10^9/L", "/µL", None, 1000.0),
    (250000, "/µL", "10^9/L", None, 250.0),
    (250000, "/mm^3", "10^9/L", None, 250.0),
    (1, "ng/mL", "µg/L", None, 1.0),                 # ferritin
    (1, "mg/dL", "µmol/L", 113.12, 88.4),            # creatinine
    (88.4, "µmol/L", "mg/dL", 113.12, 1.0),
    (1, "mg/dL", "mg/L", None, 10.0),                # CRP
    (68.8, "mg/L", "mg/dL", None, 6.88),
    (3.5, "g/dL", "g/L", None, 35.0),                # albumin
    (0.36, "L/L", "%", None, 36.0),
    (2400, "U/mL", "U/L", None, 2_400_000.0),
    (0.5, "mg/L", "µg/L", None, 500.0),              # d-dimer mg/L FEU -> µg/L
    (5.7, "mmol/L", "g/L", 16114.5, 91.85),          # hemoglobin (haem monomer)
]


@pytest.mark.parametrize("value,source,target,molar_mass,expected", CONVERSIONS)
def test_convert(value, source, target, molar_mass, expected):
    assert convert([value], source, target, molar_mass)[0] == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("fahrenheit,celsius", [(98.6, 37.0), (101.12, 38.4), (32.0, 0.0), (102.92, 39.4)])
def test_fahrenheit(fahrenheit, celsius):
    assert convert([fahrenheit], "°F", "°C")[0] == pytest.approx(celsius)
    assert to_canonical([fahrenheit], "°F", "temperature")[0] == pytest.approx(celsius)


@pytest.mark.parametrize("values,unit,analyte_id,expected", [
    ([365.8, 88.57], "mg/dL", "triglycerides", [4.13, 1.0]),
    ([350, 150], "mg/dL", "fibrinogen", [3.5, 1.5]),
    ([9.2], "g/dL", "hemoglobin", [92.0]),
    ([22000, 150000], "/µL", "platelets", [22.0, 150.0]),
    ([4.5], "10³/µL", "wbc", [4.5]),
    ([45.1], "µmol/L", "creatinine", [0.51]),
    ([688], "mg/L", "crp", [68.8]),
    ([0.72], "109/L", "wbc", [0.72]),
    ([4766], "ng/mL", "d_dimer", [4766.0]),
    ([38.6], None, "temperature", [38.6]),
])
def test_to_canonical(values, unit, analyte_id, expected):
    assert to_canonical(pd.Series(values), unit, analyte_id) == pytest.approx(expected, abs=0.005)


def test_to_canonical_keeps_nan_and_the_input():
    values = pd.Series([3.5, np.nan])
    out = to_canonical(values, "g/dL", "albumin")
    assert out[0] == 35.0 and np.isnan(out[1])
    assert values.tolist()[0] == 3.5


@pytest.mark.parametrize("unit,analyte_id,message", [
    ("mmol/L", "ferritin", "cannot be converted to ng/mL for Ferritin"),
    ("zorks/L", "ast", "unknown unit"),
    ("blarg", "wbc", "unknown unit"),
    ("g/L", "immunosuppression", "takes no unit"),
    ("°C", "wbc", "cannot be converted"),
])
def test_incompatible_or_unknown_units_raise(unit, analyte_id, message):
    with pytest.raises(UnitError, match=message) as caught:
        to_canonical([1.0], unit, analyte_id)
    assert caught.value.expected


def test_conversion_factor_is_computed_once_per_unit_pair():
    from dashboard.domain.units import conversion_factor

    conversion_factor.cache_clear()
    for _ in range(3):
        to_canonical([1.0, 2.0], "mg/dL", "triglycerides")
    info = conversion_factor.cache_info()
    assert info.misses == 1 and info.hits == 2


def test_cached_normalise_unit_still_maps_missing_to_none():
    assert normalise_unit(None) is None and normalise_unit(float("nan")) is None
    assert normalise_unit(" x10^9/l ") == normalise_unit("10^9/L") == "10^9/L"


# Spellings from published tables and lab systems (issue 9 point 2, clinical-criteria.md "Unit spellings"):
# (written, analyte, value as written, value in the canonical unit, computed by hand from the unit facts)
PUBLISHED = [
    ("G/L", "wbc", 4.5, 4.5),                  # giga per litre = 10^9/L
    ("T/L", "platelets", 0.15, 150.0),         # tera per litre = 10^12/L = 1000 x 10^9/L
    ("K/µL", "wbc", 4.5, 4.5), ("K/uL", "wbc", 4.5, 4.5), ("K/mcL", "wbc", 4.5, 4.5), ("k/uL", "wbc", 4.5, 4.5),
    ("x10E3/uL", "platelets", 150, 150.0), ("thou/uL", "platelets", 150, 150.0),
    ("10³/mm³", "platelets", 150, 150.0), ("/cmm", "platelets", 150000, 150.0),
    ("lakh/cumm", "platelets", 1.5, 150.0),    # 1 lakh = 100000: 1.5 lakh/mm³ = 150000/µL
    ("109/L", "wbc", 0.72, 0.72), ("1012/L", "platelets", 0.15, 150.0), ("×103/uL", "wbc", 4.5, 4.5),
    ("units/L", "ast", 51, 51.0), ("IU/l", "alt", 46, 46.0), ("U/l", "ldh", 1260, 1260.0),
    ("µ/L", "ast", 51, 51.0), ("μ/L", "ldh", 1260, 1260.0),   # sic, micro sign and Greek mu
    ("mEq/L", "sodium", 130, 130.0), ("mEq/L", "potassium", 4.5, 4.5), ("meq/l", "chloride", 101, 101.0),
    ("mEq/L", "bicarbonate", 24, 24.0),
    ("g/l", "hemoglobin", 77, 77.0), ("µmol/l", "creatinine", 45.1, 0.51), ("mcg/L", "ferritin", 9560, 9560.0),
    ("mg/dl", "triglycerides", 365.8, 4.13), ("g/dl", "hemoglobin", 7.7, 77.0),
    ("K/cumm", "wbc", 4.5, 4.5), ("Thou/cu mm", "platelets", 150, 150.0), ("x10(9)/L", "wbc", 4.5, 4.5),
    ("K/μL", "wbc", 4.5, 4.5), ("×103/μL", "wbc", 4.5, 4.5), ("10⁹/L", "wbc", 4.5, 4.5), ("1012/l", "platelets", 0.15, 150.0),
]


@pytest.mark.parametrize("written,analyte_id,value,expected", PUBLISHED)
def test_published_unit_spellings_convert(written, analyte_id, value, expected):
    assert to_canonical([value], written, analyte_id)[0] == pytest.approx(expected, abs=0.005)


@pytest.mark.parametrize("written,normal", [("G/L", "10^9/L"), ("g/L", "g/L"), ("g/l", "g/L"), ("T/L", "10^12/L"),
                                            ("K/µL", "10^3/µL"), ("lakh/cumm", "10^5/mm^3"),
                                            ("mEq/L", "mEq/L"), ("µ/L", "µ/L"), ("µg/mL FEU", "µg/mL FEU"),
                                            ("ng/ml (DDU)", "ng/mL DDU"), ("g\u00a0/\u2009L", "g/L")])
def test_normalised_spelling_keeps_what_only_the_analyte_decides(written, normal):
    assert normalise_unit(written) == normal


@pytest.mark.parametrize("written,analyte_id,message", [
    ("mEq/L", "ferritin", "only for Sodium, Potassium, Chloride, Bicarbonate: not for Ferritin"),
    ("mEq/L", "triglycerides", "not for Triglycerides"),
    ("µ/L", "ferritin", "only for"),
    ("µg/mL FEU", "ferritin", "D-dimer basis"),
    ("pg/mL", "scd25", "never converted"),
])
def test_spellings_valid_only_for_some_analytes_are_refused_elsewhere(written, analyte_id, message):
    with pytest.raises(UnitError, match=message):
        to_canonical([1.0], written, analyte_id)


@pytest.mark.parametrize("written,value,expected,unit", [
    ("µg/mL FEU", 4.766, 4766.0, "µg/L FEU"), ("mg/L FEU", 0.43, 430.0, "µg/L FEU"),
    ("ng/mL DDU", 215, 215.0, "µg/L DDU"), ("ng/mL", 4766, 4766.0, "µg/L"),
])
def test_d_dimer_keeps_its_basis(written, value, expected, unit):
    from dashboard.domain.units import canonical_unit

    assert to_canonical([value], written, "d_dimer")[0] == pytest.approx(expected)
    assert canonical_unit(normalise_unit(written), "d_dimer") == unit


def test_feu_and_ddu_are_never_interchanged():
    with pytest.raises(UnitError, match="not interchangeable"):
        convert([1.0], "µg/mL FEU", "µg/L DDU")
    with pytest.raises(UnitError, match="not interchangeable"):
        convert([1.0], "µg/mL FEU", "µg/L")


def test_spelling_table_is_consistent():
    """Every spelling means a unit pint reads, names catalogue analytes, and no two spellings collide."""
    from dashboard.domain.analytes import analyte
    from dashboard.domain.units import _parse, spelling_key, spellings

    folded: dict[str, str] = {}
    for row in spellings():
        assert _parse(row.unit), row
        for analyte_id in row.analytes or ():
            assert analyte(analyte_id).unit == row.unit
        key = spelling_key(row.spelling).casefold()
        if not row.exact_case:
            assert folded.setdefault(key, row.unit) == row.unit, row
    exact = [spelling_key(row.spelling) for row in spellings()]
    assert len(exact) == len(set(exact))
    assert {"G/L", "T/L", "K/µL", "K/uL", "K/mcL", "x10E3/uL", "thou/uL", "10³/mm³", "units/L", "IU/l",
            "U/l", "µ/L", "mEq/L", "g/l", "µmol/l", "mcg/L", "mg/dl", "/cmm", "lakh/cumm", "109/L", "1012/L",
            "×103/uL"} <= {row.spelling for row in spellings()}
