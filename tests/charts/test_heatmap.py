"""Flag heatmap: analytes x timepoints coloured by flag, value as text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.charts.heatmap import CODES, flag_heatmap
from dashboard.charts.trajectories import MAS_PANEL
from dashboard.domain.schema import observation_frame


def test_cells_carry_flag_codes_and_values(hand_flags):
    fig = flag_heatmap(hand_flags)
    heat = fig.data[0]
    rows = list(heat.y)
    assert rows[:2] == ["Ferritin", "Platelets"]  # MAS panel first, in its order
    assert list(heat.x) == ["Admission", "After mPSL", "After DEX", "6 weeks after discharge"]
    ferritin = rows.index("Ferritin")
    assert list(heat.text[ferritin]) == ["9560", "8580", "550", "290"]
    assert list(heat.z[ferritin]) == [CODES["H"]] * 4
    platelets = rows.index("Platelets")
    assert list(heat.z[platelets]) == [CODES["L"]] * 3 + [CODES["N"]]


def test_not_measured_is_blank_and_no_range_is_unknown(hand_flags):
    heat = flag_heatmap(hand_flags).data[0]
    rows = list(heat.y)
    retic = rows.index("Reticulocyte count")
    assert heat.z[retic][0] == CODES["H"] and np.isnan(heat.z[retic][1]) and heat.text[retic][1] == ""
    temp = rows.index("Temperature")
    assert heat.z[temp][0] == CODES["unknown"]
    assert len(rows) == len(MAS_PANEL) + 2


def test_qualitative_results_and_titers_read_as_written():
    obs = observation_frame(
        [
            {
                "case_id": "c",
                "timepoint": "T0",
                "tp_order": 0,
                "day": 0.0,
                "analyte": "ana",
                "label": "ANA",
                "value": 640.0,
                "unit": "titer",
            },
            {
                "case_id": "c",
                "timepoint": "T0",
                "tp_order": 0,
                "day": 0.0,
                "analyte": "dat",
                "label": "DAT",
                "value": 1.0,
                "result": "positive",
            },
            {
                "case_id": "c",
                "timepoint": "T0",
                "tp_order": 0,
                "day": 0.0,
                "analyte": None,
                "label": "Arthritis",
            },
        ]
    )
    flags = obs.assign(flag=pd.array(["A", "A", None], dtype="string"))
    heat = flag_heatmap(flags).data[0]
    assert [row[0] for row in heat.text] == ["1:640", "positive", ""]
    assert np.isnan(heat.z[2][0])  # a label kept without a value is "not reported", not "no range"


def test_no_mutation_and_presentation(hand_flags):
    before = hand_flags.copy()
    fig = flag_heatmap(hand_flags, presentation=True, title="T", source="S")
    pd.testing.assert_frame_equal(hand_flags, before)
    assert fig.layout.font.size >= 20 and fig.layout.title.font.size >= 26


def test_real_seed_heatmap(seed_real):
    flags, _, _ = seed_real
    heat = flag_heatmap(flags).data[0]
    ferritin = list(heat.y).index("Ferritin")
    assert list(heat.text[ferritin]) == ["9560", "8580", "550", "290"]
