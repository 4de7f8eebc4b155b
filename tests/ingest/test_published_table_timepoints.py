"""Timepoint days from their labels (domain/timepoints.py), and in the wide CSV reader too."""

from __future__ import annotations

import pytest

from dashboard.domain.timepoints import infer_days, label_day
from dashboard.ingest.bundle import load_uploaded
from dashboard.ingest.published_table.header import split_header


@pytest.mark.parametrize(("label", "day"), [
    ("Day 7", 7), ("day 0", 0), ("Day -2", -2), ("Day −2", -2), ("Day 7 (discharge)", 7), ("D+7", 7), ("D-1", -1),
    ("D7", 7), ("Hospital day 7", 7), ("HD 7", 7), ("HD#3", 3), ("Week 2", 14), ("week 0", 0), ("Wk 6", 42),
    ("Admission", None), ("After DEX", None), ("7", None), ("Dexamethasone", None), ("6 weeks after discharge", None),
])
def test_label_day(label, day):
    assert label_day(label) == day


def test_dates_are_days_from_the_first_date_when_the_column_decides_the_order():
    assert infer_days(["12/03/2021", "14/03/2021", "01/04/2021"]).days == {
        "12/03/2021": 0.0, "14/03/2021": 2.0, "01/04/2021": 20.0}  # 13+ in the first part: day/month
    assert infer_days(["03/12/2021", "03/14/2021"]).days == {"03/12/2021": 0.0, "03/14/2021": 2.0}  # month/day


@pytest.mark.parametrize("labels,days", [
    (["03/15/2021 08:00", "03/18/2021 07:30"], [0.0, 3.0]),  # a US lab export: 15 > 12 decides month/day
    (["2021-03-15 08:00", "2021-03-18T07:30:00Z"], [0.0, 3.0]),
    (["15.03.2021 8:05 PM", "16.03.2021 06:00", "16.03.2021 18:00"], [0.0, 1.0, 1.0]),  # calendar days
    (["Mar 15, 2021, 08:00", "Mar 16, 2021, 09:00"], [0.0, 1.0]),
])
def test_a_date_with_a_time_of_day_gives_its_calendar_day(labels, days):
    assert list(infer_days(labels).days.values()) == days


def test_a_time_alone_or_an_ambiguous_date_with_a_time_gives_no_day():
    assert infer_days(["08:00", "12:00"]).days == {"08:00": None, "12:00": None}
    assert set(infer_days(["03/04/2021 08:00", "04/05/2021 09:00"]).days.values()) == {None}


def test_ambiguous_dates_are_refused_with_a_note():
    found = infer_days(["03/04/2021", "05/04/2021"])
    assert found.days == {"03/04/2021": None, "05/04/2021": None}
    assert "day/month or month/day" in found.notes[0]


def test_dates_without_a_year_must_be_in_order():
    assert infer_days(["28 Dec", "2 Jan"]).days == {"28 Dec": None, "2 Jan": None}
    assert infer_days(["2 Jan", "9 Jan"]).days == {"2 Jan": 0.0, "9 Jan": 7.0}


def test_a_plain_wide_csv_headed_day_n_is_placed_on_those_days():
    labs = "Analyte,Day 1,Day 5,Day 14\nFerritin (ng/mL),9560,8580,550\n"
    case = load_uploaded({"labs.csv": labs.encode()}, "days")
    assert case.meta["timepoints"] == {"Day 1": 1, "Day 5": 5, "Day 14": 14}
    assert case.observations["day"].tolist() == [1.0, 5.0, 14.0]


def test_case_toml_fills_what_the_labels_do_not_state():
    labs = "Analyte,Admission,Day 5\nFerritin (ng/mL),9560,8580\n"
    toml = '[timepoints]\n"Admission" = 0\n'
    case = load_uploaded({"labs.csv": labs.encode(), "case.toml": toml.encode()}, "days")
    assert case.meta["timepoints"] == {"Admission": 0, "Day 5": 5}


@pytest.mark.parametrize(("header", "names"), [
    ("Reference range Admission After mPSL After DEX 6 weeks after discharge",
     ["Admission", "After mPSL", "After DEX", "6 weeks after discharge"]),
    ("Laboratory test Reference range Admission Day 2 Day 5 Discharge", ["Admission", "Day 2", "Day 5", "Discharge"]),
    ("Parameter Units Normal range Pre-treatment Post-treatment", ["Pre-treatment", "Post-treatment"]),
    ("Test Normal values 1st day 3rd day 7th day 14th day", ["1st day", "3rd day", "7th day", "14th day"]),
    ("Variables At presentation After 48 hours After 1 week At discharge",
     ["At presentation", "After 48 hours", "After 1 week", "At discharge"]),
    ("Parameter Reference Jan 5 Jan 8 Jan 15", ["Jan 5", "Jan 8", "Jan 15"]),
    ("Values On admission (day 1) Day 3 Day 10 (discharge)", ["On admission (day 1)", "Day 3", "Day 10 (discharge)"]),
    ("Lab values Baseline Week 1 Week 4 Month 3", ["Baseline", "Week 1", "Week 4", "Month 3"]),
    ("Parameter Reference range First admission Second admission", ["First admission", "Second admission"]),
    ("Infectious studies Day 1 Day 3", ["Day 1", "Day 3"]),
])
def test_flattened_headers_split_into_timepoint_names(header, names):
    assert split_header(header, len(names))[0] == names


@pytest.mark.parametrize("header", ["Parameter Alpha beta gamma delta epsilon", "Reference range Early Late phase"])
def test_a_header_without_a_clear_split_gets_generic_names(header):
    names, notes, _ = split_header(header, 3 if "Alpha" in header else 2)
    assert names == ["T1", "T2", "T3"][:len(names)] and "name them in the grid" in notes[0]
