"""Cut-offs written in another unit, converted by the catalogue's own conversion (domain.units), land
exactly where the criterion puts them: at the cut-off and a hair either side."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.domain.scores import hlh2004, hscore, mas2016, parodi2009
from dashboard.domain.units import to_canonical


def canonical(values: list[float], unit: str, analyte: str) -> pd.Series:
    return pd.Series(to_canonical(pd.Series(values, dtype="float64"), unit, analyte))


def crit(series: pd.Series) -> list:
    return [None if pd.isna(v) else bool(v) for v in series]


@pytest.mark.parametrize(
    ("criterion", "analyte", "unit", "values", "expected"),
    [
        (mas2016.triglycerides, "triglycerides", "mg/dL", [155.99, 156.0, 156.01], [False, False, True]),
        (parodi2009.triglycerides, "triglycerides", "mg/dL", [177.99, 178.0, 178.01], [False, False, True]),
        (mas2016.fibrinogen, "fibrinogen", "mg/dL", [359.99, 360.0, 360.01], [True, True, False]),
        (parodi2009.fibrinogen, "fibrinogen", "mg/dL", [149.99, 150.0, 150.01], [True, True, False]),
        (mas2016.platelets, "platelets", "/µL", [180_999.0, 181_000.0, 181_001.0], [True, True, False]),
        (hlh2004.ferritin, "ferritin", "µg/L", [499.99, 500.0, 500.01], [False, True, True]),
        (hlh2004.fever, "temperature", "°F", [101.29, 101.3, 101.31], [False, True, True]),
    ],
)
def test_criterion_cut_offs_in_other_units(criterion, analyte, unit, values, expected):
    assert crit(criterion(canonical(values, unit, analyte))) == expected


def test_hlh2004_triglycerides_converted_without_their_written_unit_meet_3_mmol():
    # values converted to mmol/L and passed without the unit they arrived in compare with 3.0 mmol/L
    # (= 265.71 mg/dL); arrived in mg/dL they meet the printed 265 mg/dL (test_censored.py)
    tg = canonical([265.0, 265.71, 266.0], "mg/dL", "triglycerides")
    assert crit(hlh2004.triglycerides_fibrinogen(tg, pd.Series([3.0] * 3))) == [False, True, True]


def test_hscore_bands_in_other_units():
    def pts(item_range):
        lo, hi = item_range
        return list(lo.where(lo == hi))

    tg = canonical([132.85, 132.855, 354.28, 354.29], "mg/dL", "triglycerides")  # 1.5 and 4 mmol/L
    assert pts(hscore.triglycerides_points(tg)) == [0, 44, 44, 64]
    fib = canonical([249.99, 250.0, 250.01], "mg/dL", "fibrinogen")
    assert pts(hscore.fibrinogen_points(fib)) == [30, 30, 0]
    hb = canonical([9.2, 9.21], "g/dL", "hemoglobin")
    plt = canonical([110_000.0, 110_000.0], "/µL", "platelets")
    assert pts(hscore.cytopenias_points(hb, pd.Series([5.0, 5.0]), plt)) == [34, 24]
    temp = canonical([101.12, 102.92, 102.93], "°F", "temperature")  # 38.4, 39.4, 39.405 °C
    assert pts(hscore.temperature_points(temp)) == [33, 33, 49]
