"""Physiological limits and unit inference (issue 9 point 4), at and beside each factor."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.domain.plausibility import AGREEMENT, candidate_units, decides_alone, implausible, range_ratio


@pytest.mark.parametrize("high,agrees", [(600000, True), (610000, False), (266667, True), (260000, False)])
def test_a_reference_range_agrees_within_its_factor(high, agrees):
    # platelets default 150–400 ×10^9/L; in /µL a high limit of 600000 is 600 = 1.5x, 266667 is 1/1.5
    assert AGREEMENT == 1.5
    units = candidate_units("platelets", [95000], ranges=[(150000, high)], exclude="10^9/L")
    assert units == (["/µL"] if agrees else [])


def test_censored_bounds_count_only_where_they_cannot_be_right():
    values = np.array([0.3, 0.3, 600000.0, 600000.0])
    assert implausible("ferritin", values, ["<", ">", "<", ">"]).tolist() == [True, False, False, True]
    assert implausible("ferritin", np.array([np.nan])).tolist() == [False]


def test_units_that_the_number_alone_decides():
    assert decides_alone("temperature", "°F") and decides_alone("hematocrit", "%")
    assert not decides_alone("hemoglobin", "g/dL") and not decides_alone("platelets", "/µL")


def test_range_ratio_compares_upper_limits_first():
    assert range_ratio("crp", None, 10.0) == pytest.approx(10.0)
    assert range_ratio("hemoglobin", 12.0, 16.0) == pytest.approx(0.1)
    assert range_ratio("triglycerides", 1.8, None) is None  # no default low limit to compare with
