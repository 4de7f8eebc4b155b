"""Tables printed the other way round: one row per timepoint, one column per analyte (ingest/transposed.py)."""

from __future__ import annotations

from dashboard.domain.scores import score_observations
from dashboard.ingest.bundle import check_uploaded, load_uploaded, read_uploaded
from dashboard.ingest.long import detect_layout

TABLE = ("Day,WBC (10^9/L),Hb (g/dL),Platelets (10^9/L),Ferritin (ng/mL),Triglycerides (mg/dL),Fibrinogen (mg/dL)\n"
         "0,1.2,8.1,45,12000,412,120\n3,0.9,7.9,38,>40000,520,95\n7,4.5,9.5,120,3200,280,180\n")


def cell(case, analyte: str, timepoint: str):
    obs = case.observations
    return obs[(obs["analyte"] == analyte) & (obs["timepoint"] == timepoint)].iloc[0]


def test_days_down_the_side_and_analytes_across_the_top():
    case = load_uploaded({"labs.csv": TABLE.encode()})
    assert detect_layout(TABLE.splitlines()[0].split(",")) == "transposed"
    assert list(dict.fromkeys(case.observations["timepoint"])) == ["Day 0", "Day 3", "Day 7"]
    ferritin = cell(case, "ferritin", "Day 3")
    assert (ferritin["value"], ferritin["qualifier"], ferritin["day"]) == (40000.0, ">", 3.0)
    assert (ferritin["source_row"], ferritin["source_column"]) == (3, "Ferritin (ng/mL)")  # the cell's own line
    assert cell(case, "hemoglobin", "Day 0")["value"] == 81.0  # g/L
    # HScore at day 0 by hand: ferritin > 6000 -> 50; TG 412 mg/dL = 4.65 mmol/L > 4 -> 64; fibrinogen
    # 1.2 g/L <= 2.5 -> 30; Hb 8.1 <= 9.2, WBC 1.2 <= 5, platelets 45 <= 110: three lineages -> 34. 178.
    scores = score_observations(case.observations).reset_index().set_index("timepoint")
    assert scores.loc["Day 0", "hscore.min"] == 178


def test_unit_and_reference_rows_dates_and_a_column_set_aside():
    text = ("Date,Hemoglobin,Platelets,Ferritin,Notes\nUnit,g/dL,10^9/L,ng/mL,\n"
            "Reference range,12-16,150-400,30-400,\n2021-03-15,8.1,45,\"12,000\",admission\n"
            "2021-03-18,7.9,38,>40000,after IVIG\n")
    case = load_uploaded({"labs.csv": text.encode()})
    hb = cell(case, "hemoglobin", "2021-03-18")
    assert (hb["value"], hb["unit"], hb["ref_low"], hb["ref_high"], hb["day"]) == (79.0, "g/L", 120.0, 160.0, 3.0)
    assert cell(case, "ferritin", "2021-03-15")["value"] == 12000.0
    assert set(case.observations["analyte"]) == {"hemoglobin", "platelets", "ferritin"}  # Notes never a value
    set_aside = [p for p in case.problems if "set aside" in p.message]
    assert len(set_aside) == 1 and "Notes" in set_aside[0].message and set_aside[0].row == 1
    assert not [p for p in case.problems if "looks like the table's header" in p.message]


def test_a_case_column_first_then_the_days():
    text = "Patient,Day,WBC (10^9/L),Hb (g/dL),Ferritin (ng/mL)\nA,0,1.2,8.1,12000\nA,3,0.9,7.9,9000\nB,0,5.0,12.1,300\n"
    cases = {o.case_id: o.case for o in read_uploaded({"cohort.csv": text.encode()})}
    assert sorted(cases) == ["A", "B"]
    assert cases["A"].observations[["timepoint", "analyte", "value"]].values.tolist()[:3] == [
        ["Day 0", "wbc", 1.2], ["Day 0", "hemoglobin", 81.0], ["Day 0", "ferritin", 12000.0]]
    assert cases["B"].observations["timepoint"].unique().tolist() == ["Day 0"]


def test_what_stays_a_wide_table():
    assert detect_layout(["Analyte", "Reference range", "Day 0", "Day 3"]) == "wide"
    assert detect_layout(["Day", "Ferritin (ng/mL)", "IL-18 (pg/mL)"]) == "wide"  # one analyte only: not enough
    assert detect_layout(["Ferritin", "Platelets", "Hemoglobin"]) == "wide"  # an analyte heads the first column
    problems = check_uploaded({"labs.csv": b"Analyte,Day 0\nFerritin (ng/mL),900\n"})
    assert not [p for p in problems if p.is_error]
