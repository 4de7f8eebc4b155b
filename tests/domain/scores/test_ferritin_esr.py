"""Ferritin/ESR ratio (Eloseily 2020): value, nulls, ESR 0."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.domain.scores import ferritin_esr
from tests.domain.scores.frames import build_matrix, values


def test_ratio_of_the_seed_admission():
    out = ferritin_esr.score(build_matrix(ferritin_ng_per_ml=[9560], esr_mm_per_h=[62]))
    assert out["ferritin_esr_ratio.value"].iloc[0] == pytest.approx(154.1935, abs=1e-4)


def test_null_when_either_is_missing_or_esr_is_zero():
    ferritin = pd.Series([np.nan, 100.0, 100.0, 21.5])
    esr = pd.Series([10.0, np.nan, 0.0, 1.0])
    assert values(ferritin_esr.ratio(ferritin, esr)) == [None, None, None, 21.5]


def test_same_in_micrograms_per_litre():
    # ferritin 1 µg/L = 1 ng/mL: the ratio does not depend on which of the two was written
    assert values(ferritin_esr.ratio(pd.Series([430.0]), pd.Series([20.0]))) == [21.5]
