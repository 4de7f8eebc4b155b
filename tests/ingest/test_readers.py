"""Details of the readers: metadata, SDTM codes, days from two sources, separators, grids."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.ingest.bundle import CaseError, load_uploaded
from dashboard.ingest.grid import cell_text, read_csv_grid
from dashboard.ingest.meta import meta_from_pairs, read_case_toml
from dashboard.ingest.tidy import split_label

LABS = "Analyte,Day 0,Day 5\nFerritin (ng/mL),9560,8580\n"


def load(files: dict[str, str], name: str = "t"):
    return load_uploaded({k: v.encode("utf-8") for k, v in files.items()}, name=name)


def problems_of(files: dict[str, str]) -> list:
    with pytest.raises(CaseError) as caught:
        load(files)
    return caught.value.problems


@pytest.mark.parametrize("label,expected", [
    ("Ferritin (ng/mL)", ("Ferritin", "ng/mL")), ("Platelets  (109/L)", ("Platelets", "10^9/L")),
    ("Hemophagocytosis (bone marrow)", ("Hemophagocytosis (bone marrow)", None)),
    ("aPTT (seconds)", ("aPTT", "s")), ("ESR (mm/hour)", ("ESR", "mm/h")), ("Ferritin", ("Ferritin", None)),
    ("Ferritin (zorks/L)", ("Ferritin", "zorks/L")),
])
def test_split_label(label, expected):
    assert split_label(label) == expected


def test_case_toml_days_and_patient():
    meta, problems = read_case_toml(b'id = "x"\n[patient]\nage = 33\n[timepoints]\n"Day 0" = 0\n"Day 5" = 5.5\n')
    assert problems == [] and meta["timepoints"] == {"Day 0": 0, "Day 5": 5.5} and meta["patient"]["age"] == 33


def test_case_toml_patient_age_must_be_a_number():
    _, problems = read_case_toml(b'[patient]\nage = "thirty"\n')
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "patient", "thirty")]


def test_case_sheet_pairs():
    meta, problems = meta_from_pairs([(1, "key", "value"), (2, "title", "T"), (3, "timepoints.Day 0", "0"),
                                      (4, "timepoints.Day 5", "five"), (5, "patient.sex", "F")], "c.xlsx[case]")
    assert meta["title"] == "T" and meta["patient"] == {"sex": "F"}
    assert [(p.file, p.row, p.value) for p in problems] == [("c.xlsx[case]", 4, "five")]


def test_days_from_labs_win_over_case_toml_with_a_warning():
    labs = "timepoint,day,analyte,value,unit\nDay 0,0,Ferritin,9560,ng/mL\nDay 5,6,Ferritin,8580,ng/mL\n"
    case = load({"labs.csv": labs, "case.toml": '[timepoints]\n"Day 0" = 0\n"Day 5" = 5\n"Day 9" = 9\n'})
    assert case.observations["day"].tolist() == [0.0, 6.0]
    messages = [p.message for p in case.problems]
    assert "timepoint 'Day 5' has a day in the labs and another in case.toml: the labs' day is used" in messages
    assert "case.toml names timepoints not in the labs: Day 9" in messages


def test_one_timepoint_with_two_days_is_an_error():
    labs = "timepoint,day,analyte,value\nDay 0,0,Ferritin,9560\nDay 0,1,AST,51\n"
    found = [p for p in problems_of({"labs.csv": labs}) if "more than one day" in p.message]
    assert found and found[0].value == "Day 0"


def test_sdtm_with_test_codes_only():
    labs = ("USUBJID,VISIT,LBDY,LBTESTCD,LBORRES,LBORRESU\npt-7,Baseline,1,PLAT,180000,/uL\n"
            "pt-7,Baseline,1,FIBRINO,150,mg/dL\npt-7,Baseline,1,TRIG,265,mg/dL\n")
    case = load({"export.csv": labs}, name="")
    assert case.id == "pt-7"
    values = case.observations.set_index("analyte")["value"]
    assert values["platelets"] == 180.0 and values["fibrinogen"] == 1.5
    assert values["triglycerides"] == pytest.approx(265 / 88.57)


def test_semicolon_and_tab_separators():
    for sep in (";", "\t"):
        case = load({"labs.csv": LABS.replace(",", sep)})
        assert case.observations["value"].tolist() == [9560.0, 8580.0]


def test_events_single_day_and_kinds():
    events = "kind,name,start_day,end_day,dose,dose_unit\nprocedure,Biopsy,7,,,\nmedication,IVIG,0,4,2,g/kg\n"
    case = load({"labs.csv": LABS, "events.csv": events})
    assert case.events["end_day"].tolist() == [7.0, 4.0]
    assert case.events["case_id"].tolist() == ["t", "t"]
    assert pd.isna(case.events["dose"].iloc[0]) and case.events["dose"].iloc[1] == 2.0


def test_events_without_required_columns():
    found = problems_of({"labs.csv": LABS, "events.csv": "what,when\nIVIG,0\n"})
    assert found[0].message == "events without column(s) kind, name, start_day"


def test_grid_quotes_and_trailing_empty_cells():
    grid = read_csv_grid(b'Analyte,Day 0,,\n"LDH (U/L)","990",,\n', "x.csv")
    assert grid.header == ["Analyte", "Day 0"] and grid.rows == [["LDH (U/L)", "990"]] and grid.problems == []


@pytest.mark.parametrize("value,text", [(None, ""), (77.0, "77"), (0.5, "0.5"), (4.13, "4.13"), (3, "3"),
                                        (True, "yes"), ("1:40", "1:40")])
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_input_frames_are_not_mutated():
    from dashboard.ingest.tidy import tidy_observations

    raw = pd.DataFrame({"case_id": [""], "timepoint": ["D0"], "day": [None], "label": ["Ferritin (ng/mL)"],
                        "unit": [""], "text": ["9560"], "ref_text": [None], "ref_low": [""], "ref_high": [""],
                        "line": [2], "column": ["D0"]})
    before = raw.copy()
    frame, problems = tidy_observations(raw, "x.csv")
    pd.testing.assert_frame_equal(raw, before)
    assert frame["value"].tolist() == [9560.0] and problems == []


def test_blank_top_left_cell_is_the_label_column():
    case = load({"labs.csv": ",Day 0,Day 5\nFerritin (ng/mL),9560,8580\n"})
    assert case.observations["analyte"].tolist() == ["ferritin", "ferritin"]
