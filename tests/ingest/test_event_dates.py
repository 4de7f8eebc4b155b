"""events.csv as clinicians and lab systems write it: other column names, and dates placed on the labs' days.

Expected days are counted by hand on a calendar (15 March 2021 = day 0 -> 17 March = day 2).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dashboard.domain import schema
from dashboard.domain.timepoints import date_axis, date_day
from dashboard.ingest.bundle import load_case, load_cases, read_cases
from dashboard.ingest.events import EVENT_ALIASES
from dashboard.ingest.privacy import is_identifier_warning
from tests.ingest.test_bad_input import workbook

US_LABS = ("Collection Date,Test Name,Result,Units,Reference Range\n"
           "03/15/2021 08:00,FERRITIN,12450,ng/mL,30-400\n"
           "03/18/2021 07:30,FERRITIN,>40000,ng/mL,30-400\n"
           "03/15/2021 08:00,HEMOGLOBIN,8.1,g/dL,12.0-16.0\n")
US_EVENTS = ("kind,name,start,end,dose,dose_unit,route\n"
             "medication,Methylprednisolone,03/15/2021,03/17/2021,1000,mg/day,IV\n"
             "medication,Anakinra,03/16/2021,,100,mg q6h,SC\n")


def folder(tmp_path, labs: str, events: str):
    (tmp_path / "labs.csv").write_text(labs, encoding="utf-8")
    (tmp_path / "events.csv").write_text(events, encoding="utf-8")
    return tmp_path


def days(case) -> list[tuple[str, float, float]]:
    return list(zip(case.events["name"], case.events["start_day"], case.events["end_day"]))


def only_error(tmp_path, labs: str, events: str):
    [outcome] = read_cases(folder(tmp_path, labs, events))
    found = [p for p in outcome.problems if p.is_error]
    assert len(found) == 1, found
    return found[0]


def test_a_lab_system_export_and_a_dated_medication_list(tmp_path):
    case = load_case(folder(tmp_path, US_LABS, US_EVENTS))
    assert days(case) == [("Methylprednisolone", 0.0, 2.0), ("Anakinra", 1.0, 1.0)]
    assert case.events["dose"].tolist() == [1000.0, 100.0]
    assert case.meta["timepoints"] == {"03/15/2021 08:00": 0, "03/18/2021 07:30": 3}


def test_the_case_keeps_days_and_warns_about_the_dates(tmp_path):
    case = load_case(folder(tmp_path, US_LABS, US_EVENTS))
    assert {name: str(case.events[name].dtype) for name in ("start_day", "end_day")} == {
        "start_day": "double[pyarrow]", "end_day": "double[pyarrow]"}
    assert str(schema.EVENT_SCHEMA["start_day"]) == "double"
    [dated] = [p for p in case.problems if is_identifier_warning(p) and p.file == "events.csv"]
    assert (dated.row, dated.column, dated.value) == (2, "start", "03/••/••••")
    assert "(3 cells)" in dated.message and "days" in dated.expected


def test_the_old_day_format_is_unchanged_and_warns_about_nothing(tmp_path):
    events = ("kind,name,start_day,end_day,dose,dose_unit,route,note\n"
              "medication,Methylprednisolone pulse,0,2,1,g/day,IV,1 g/day for 3 days\n"
              "procedure,Bone-marrow biopsy,7,,,,,focal hemophagocytosis\n"
              "clinical,Fever,-2,,,,,\n")
    case = load_case(folder(tmp_path, US_LABS, events))
    assert days(case) == [("Methylprednisolone pulse", 0.0, 2.0), ("Bone-marrow biopsy", 7.0, 7.0),
                          ("Fever", -2.0, -2.0)]
    assert case.events["kind"].tolist() == ["medication", "procedure", "clinical"]
    assert not [p for p in case.problems if p.file == "events.csv"]


def test_a_labs_date_past_12_decides_month_day_for_an_ambiguous_event_date(tmp_path):
    labs = "date,test,result,unit\n03/09/2021,Ferritin,900,ng/mL\n03/20/2021,Ferritin,5000,ng/mL\n"
    case = load_case(folder(tmp_path, labs, "kind,name,start_day\nmedication,IVIG,03/10/2021\n"))
    assert days(case) == [("IVIG", 1.0, 1.0)]  # 10 March, not 3 October


def test_an_events_date_past_12_decides_month_day_when_the_labs_are_iso(tmp_path):
    labs = "date,test,result,unit\n2021-03-09,Ferritin,900,ng/mL\n"
    events = "kind,name,start,end\nmedication,Dexamethasone,03/10/2021,03/20/2021\n"
    case = load_case(folder(tmp_path, labs, events))
    assert days(case) == [("Dexamethasone", 1.0, 11.0)]


def test_european_dates(tmp_path):
    labs = "Datum,Test,Result,Unit\n15.03.2021,Ferritin,900,ng/mL\n16.03.2021,Ferritin,5000,ng/mL\n"
    events = "kind,name,start date,end date\nmedication,Ciclosporin,15.03.2021,01.04.2021\n"
    labs = labs.replace("Datum", "date")
    case = load_case(folder(tmp_path, labs, events))
    assert days(case) == [("Ciclosporin", 0.0, 17.0)]  # 16 days left in March + 1 April


def test_iso_dates_with_times_count_calendar_days(tmp_path):
    labs = "date,test,result,unit\n2021-03-15T23:30:00,Ferritin,900,ng/mL\n"
    events = "kind,name,start\nmedication,Etoposide,2021-03-16 00:10\nmedication,Anakinra,2021-03-15\n"
    case = load_case(folder(tmp_path, labs, events))
    assert days(case) == [("Etoposide", 1.0, 1.0), ("Anakinra", 0.0, 0.0)]  # 40 minutes later, the next day


def test_a_workbook_with_date_cells(tmp_path):
    data = workbook({"labs": [["Collection Date", "Test", "Result", "Units"],
                              [datetime(2021, 3, 15, 8, 0), "Ferritin", 12450, "ng/mL"]],
                     "events": [["Medication", "Start", "Stop"], ["Anakinra", date(2021, 3, 16), date(2021, 3, 25)]]})
    (tmp_path / "case.xlsx").write_bytes(data)
    assert days(load_case(tmp_path / "case.xlsx")) == [("Anakinra", 1.0, 10.0)]


def test_a_labs_day_column_sets_day_0_not_the_first_date(tmp_path):
    labs = "date,day,test,result,unit\n2021-03-15,3,Ferritin,900,ng/mL\n2021-03-17,5,Ferritin,5000,ng/mL\n"
    case = load_case(folder(tmp_path, labs, "kind,name,start\nmedication,IVIG,2021-03-12\n"))
    assert days(case) == [("IVIG", 0.0, 0.0)]  # the labs say 15 March is day 3


def test_a_drug_list_without_kind_is_medications_with_a_notice(tmp_path):
    events = ("Drug,Start Date,Stop Date,Dose,Units,Route,Comment\n"
              "Methylprednisolone,03/15/2021,03/17/2021,1000,mg/day,IV,pulse\n")
    case = load_case(folder(tmp_path, US_LABS, events))
    assert days(case) == [("Methylprednisolone", 0.0, 2.0)]
    assert case.events[["kind", "dose_unit", "route", "note"]].iloc[0].tolist() == ["medication", "mg/day",
                                                                                      "IV", "pulse"]
    [notice] = [p for p in case.problems if p.message.startswith("no kind column")]
    assert (notice.severity, notice.file, notice.row) == ("warning", "events.csv", 1)
    assert "'Drug'" in notice.message


@pytest.mark.parametrize(("start", "end"), [("start day", "end day"), ("Start_Date", "END_DATE"), ("from", "to"),
                                           ("Started", "Stopped"), ("date", "stop date")])
def test_start_and_end_column_names(tmp_path, start, end):
    events = f"kind,Treatment,{start},{end}\nmedication,Etoposide,3,5\n"
    assert days(load_case(folder(tmp_path, US_LABS, events))) == [("Etoposide", 3.0, 5.0)]


def test_an_event_list_without_kind_is_still_refused(tmp_path):
    problem = only_error(tmp_path, US_LABS, "event,date\nFever,03/16/2021\n")
    assert (problem.file, problem.row, problem.message) == ("events.csv", 1, "events without column(s) kind")


def test_event_dates_with_undated_labs_are_refused_naming_the_cell(tmp_path):
    labs = "timepoint,test,result,unit\nDay 0,Ferritin,900,ng/mL\nAdmission,Ferritin,5000,ng/mL\n"
    problem = only_error(tmp_path, labs, US_EVENTS)
    assert (problem.file, problem.row, problem.column, problem.value) == ("events.csv", 2, "start", "03/15/2021")
    assert "'Day 0', 'Admission'" in problem.message and problem.message.endswith("a date has no day (3 date cells)")
    assert problem.expected.startswith("days from day 0")
    assert "ISO" not in problem.expected  # an ISO date could not be placed either


def test_an_ambiguous_event_date_is_refused_with_the_fix(tmp_path):
    labs = "date,test,result,unit\n2021-03-01,Ferritin,900,ng/mL\n"
    problem = only_error(tmp_path, labs, "kind,name,start\nmedication,IVIG,03/04/2021\n")
    assert (problem.file, problem.row, problem.column, problem.value) == ("events.csv", 2, "start", "03/04/2021")
    assert "could be day/month or month/day" in problem.message
    assert "days from day 0" in problem.expected and "2021-03-15" in problem.expected


def test_labs_that_do_not_decide_the_order_cannot_place_event_dates(tmp_path):
    labs = "date,test,result,unit\n03/04/2021,Ferritin,900,ng/mL\n03/06/2021,Ferritin,5000,ng/mL\n"
    problem = only_error(tmp_path, labs, "kind,name,start\nmedication,IVIG,03/20/2021\n")
    assert (problem.row, problem.column, problem.value) == (2, "start", "03/20/2021")
    assert "'03/04/2021' could be day/month or month/day" in problem.message


def test_day_month_events_against_month_day_labs_refuse_every_numeric_event_date(tmp_path):
    events = ("kind,name,start\nmedication,IVIG,20/03/2021\nmedication,Anakinra,03/04/2021\n"
              "medication,Etoposide,2021-03-16\n")
    [outcome] = read_cases(folder(tmp_path, US_LABS, events))
    found = [p for p in outcome.problems if p.is_error]
    assert [(p.row, p.column, p.value) for p in found] == [(2, "start", "20/03/2021"), (3, "start", "03/04/2021")]
    assert all("both day/month ('20/03/2021') and month/day ('03/15/2021 08:00')" in p.message for p in found)
    assert all("2021-03-15" in p.expected for p in found)


def test_a_column_of_days_and_dates_is_refused_at_the_first_odd_cell(tmp_path):
    events = "kind,name,start\nmedication,IVIG,0\nmedication,Anakinra,03/16/2021\nmedication,CsA,2\n"
    problem = only_error(tmp_path, US_LABS, events)
    assert (problem.file, problem.row, problem.column, problem.value) == ("events.csv", 3, "start", "03/16/2021")
    assert "mixes days and dates" in problem.message


def test_an_event_date_that_is_no_calendar_date(tmp_path):
    problem = only_error(tmp_path, US_LABS, "kind,name,start\nmedication,IVIG,02/30/2021\n")
    assert (problem.row, problem.value) == (2, "02/30/2021") and "not a calendar date" in problem.message


def test_each_case_of_a_file_of_cases_has_its_own_day_0(tmp_path):
    labs = ("case_id,date,test,result,unit\n"
            "A,03/15/2021,Ferritin,900,ng/mL\nB,03/20/2021,Ferritin,5000,ng/mL\nA,03/18/2021,Ferritin,800,ng/mL\n")
    events = "case_id,drug,start\nA,Anakinra,03/21/2021\nB,Anakinra,03/21/2021\n"
    first, second = load_cases(folder(tmp_path, labs, events))
    assert (first.id, days(first)) == ("A", [("Anakinra", 6.0, 6.0)])
    assert (second.id, days(second)) == ("B", [("Anakinra", 1.0, 1.0)])


@pytest.mark.parametrize(("labels", "text", "day"), [
    ({"03/15/2021": 0.0, "03/18/2021": 3.0}, "03/17/2021 23:59", 2),
    ({"15 Mar 2021": 0.0}, "2021-03-14", -1),
    ({"2020-12-31": 0.0}, "01/01/2021", 1),  # 1 January, whatever the order: 1/1 is the same both ways
])
def test_date_day_on_the_labs_axis(labels, text, day):
    assert date_day(text, date_axis(labels, [text])) == day


def test_date_axis_refuses_labs_whose_dates_and_days_disagree():
    axis = date_axis({"2021-03-15": 0.0, "2021-03-18": 5.0})
    assert axis.day0 is None and "disagree" in axis.refusal


def test_every_alias_is_documented(root):
    text = (root / "docs" / "case-format.md").read_text(encoding="utf-8")
    for column, names in EVENT_ALIASES.items():
        others = [f"`{name}`" for name in names[1:] if name.replace(" ", "_") != column]
        assert f"| `{column}` | {', '.join(others) or '—'} |" in text


def test_an_event_date_without_a_year_is_refused(tmp_path):
    problem = only_error(tmp_path, US_LABS, "kind,name,start\nmedication,IVIG,16 Mar\n")
    assert (problem.row, problem.column, problem.value) == (2, "start", "16 Mar")
    assert problem.message.endswith("a date without a year")


def test_labs_dates_without_a_year_cannot_place_event_dates(tmp_path):
    labs = "date,test,result,unit\n15 Mar,Ferritin,900,ng/mL\n18 Mar,Ferritin,5000,ng/mL\n"
    problem = only_error(tmp_path, labs, "kind,name,start\nmedication,IVIG,2021-03-16\n")
    assert (problem.row, problem.value) == (2, "2021-03-16")
    assert "the labs' first date '15 Mar' has no year" in problem.message


def test_a_part_of_13_decides_the_order_and_12_does_not():
    labs = {"2021-03-01": 0.0}
    with pytest.raises(ValueError, match="could be day/month or month/day"):
        date_day("12/03/2021", date_axis(labs, ["12/03/2021", "03/12/2021"]))
    axis = date_axis(labs, ["12/03/2021", "13/03/2021"])
    assert (axis.order, date_day("12/03/2021", axis), date_day("13/03/2021", axis)) == ("dm", 11, 12)
    axis = date_axis(labs, ["03/12/2021", "03/13/2021"])
    assert (axis.order, date_day("03/12/2021", axis)) == ("md", 11)


def test_a_french_treatment_list_with_doses_written_with_their_unit(tmp_path):
    """Traitement / Début / Fin / Dose / Voie: the columns named in French (header_words.csv), dates on the
    labs' day axis, and `1000 mg/j` in the dose column read as the dose and its unit (no dose_unit column);
    `mg/j` is a daily dose, so the methylprednisolone pulse is 1250 mg/day prednisolone-equivalent."""
    from dashboard.domain.drugs import prednisolone_equivalent

    labs = ("Date de prélèvement;Analyse;Résultat;Unité\n15/03/2021 08:00;Ferritine;12450;µg/L\n"
            "20/03/2021 07:30;Ferritine;8000;µg/L\n")
    events = ("Traitement,Début,Fin,Dose,Voie\nMéthylprednisolone,15/03/2021,17/03/2021,1000 mg/j,IV\n"
              "Anakinra,16/03/2021,,100 mg x4/j,SC\n")
    case = load_case(folder(tmp_path, labs, events))
    frame = case.events
    assert frame[["kind", "name", "start_day", "end_day", "dose", "dose_unit", "route"]].values.tolist() == [
        ["medication", "Méthylprednisolone", 0.0, 2.0, 1000.0, "mg/j", "IV"],
        ["medication", "Anakinra", 1.0, 1.0, 100.0, "mg x4/j", "SC"],
    ]
    assert prednisolone_equivalent("Méthylprednisolone", 1000.0, "mg/j") == 1250.0
    assert prednisolone_equivalent("Methylprednisolone", 1.0, "g/Tag") == 1250.0


def test_a_dose_with_a_unit_column_beside_it_must_be_a_number(tmp_path):
    problem = only_error(tmp_path, US_LABS, "kind,name,start,dose,dose_unit\nmedication,IVIG,03/16/2021,2 g/kg,g/kg\n")
    assert (problem.row, problem.column, problem.value) == (2, "dose", "2 g/kg")
