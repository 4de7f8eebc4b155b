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
