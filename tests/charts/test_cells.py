"""Cell text of the heatmap and the HTML report: as printed, or at the analyte's usual precision."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.charts.cells import cell_text, converted_decimals, range_text, usual_decimals
from dashboard.charts.heatmap import flag_heatmap
from dashboard.domain.flags import reference_flags
from dashboard.ingest.bundle import load_uploaded
from dashboard.report.html import flags_table

# US units: every numeric row but ferritin (µg/L = ng/mL) and WBC is converted to the catalogue unit.
LABS = """Analyte,Reference range,Admission,Day 3
Platelets (/µL),150000–400000,45000,24500
Hemoglobin (g/dL),12–16,7.7,8.1
Ferritin (µg/L),6–138,24500,12000
Triglycerides (mg/dL),<150,389,210
Fibrinogen (mg/dL),200–400,150,180
CRP (mg/L),<5,120.5,88
Hepatomegaly,,Yes,No
Splenomegaly,,4 cm,Yes
WBC (10^9/L),4.5–11.0,0.50,4
"""


@pytest.fixture(scope="module")
def flags() -> pd.DataFrame:
    case = load_uploaded({"labs.csv": LABS.encode()})
    return reference_flags(case.observations)


def cells(flags: pd.DataFrame) -> dict[tuple[str, str], str]:
    texts = cell_text(flags)
    return {(a, t): texts[i] for i, (a, t) in enumerate(zip(flags["analyte"], flags["timepoint"], strict=True))}


def test_the_catalogue_writes_the_usual_precision():
    decimals = usual_decimals()
    assert decimals["crp"] == 1  # "1.0" mg/dL: one decimal, though the float reads 1
    assert decimals["platelets"] == 0 and decimals["hematocrit"] == 2 and decimals["triglycerides"] == 1


def test_converted_values_take_the_analytes_precision(flags):
    shown = cells(flags)
    assert shown["triglycerides", "Admission"] == "4.4"  # 389 mg/dL / 88.57 = 4.392 mmol/L, one decimal
    assert shown["platelets", "Admission"] == "45"  # 45 000 /µL = 45 x 10^9/L
    assert shown["hemoglobin", "Admission"] == "77"  # 7.7 g/dL = 77 g/L
    assert shown["fibrinogen", "Admission"] == "1.5"  # 150 mg/dL = 1.5 g/L
    assert shown["crp", "Admission"] == "12.1"  # 120.5 mg/L = 12.05 mg/dL, one decimal


def test_values_as_printed_and_never_an_exponent(flags):
    shown = cells(flags)
    assert shown["ferritin", "Admission"] == "24500"  # µg/L = ng/mL: the number as printed, not 2.45e+04
    assert shown["ferritin", "Day 3"] == "12000"
    assert shown["wbc", "Admission"] == "0.50"  # the printed decimals are kept
    assert shown["wbc", "Day 3"] == "4"
    assert not any("e+" in text for text in shown.values())


def test_findings_read_yes_no_or_their_size(flags):
    shown = cells(flags)
    assert shown["hepatomegaly", "Admission"] == "Yes" and shown["hepatomegaly", "Day 3"] == "No"
    assert shown["splenomegaly", "Admission"] == "4 cm" and shown["splenomegaly", "Day 3"] == "Yes"


def test_a_small_converted_value_keeps_two_significant_figures():
    assert converted_decimals(0.0509, "creatinine") == 3  # 0.0509 -> "0.051", not "0.1"
    assert converted_decimals(0.509, "creatinine") == 2  # 45 µmol/L = 0.509 mg/dL -> "0.51"
    assert converted_decimals(4.392, "triglycerides") == 1
    assert converted_decimals(4.392, None) == 2  # no catalogue range: three significant figures


def test_range_text_in_the_catalogue_unit():
    assert range_text(150.0, 400.0, "platelets") == "150–400"
    assert range_text(None, 1.6935, "triglycerides") == "< 1.7"
    assert range_text(2.0, None, "fibrinogen") == "> 2.0"
    assert range_text(None, None, "crp") == ""


def test_heatmap_shows_the_same_cells(flags):
    heat = flag_heatmap(flags).data[0]
    texts = {t for row in heat.text for t in row}
    assert {"4.4", "45", "Yes", "No", "4 cm", "24500"} <= texts
    assert not {t for t in texts if "e+" in t or t.endswith(" cm") and not t[0].isdigit()}


def test_report_ranges_are_in_the_unit_of_the_values(flags):
    html = flags_table(flags)
    rows = {r.split("</td>")[0].removeprefix("<td>"): r for r in html.split("<tr>")[2:]}
    assert "<td>10^9/L</td><td>150–400</td><td" in rows["Platelets"]  # not 150000–400000
    assert "<td>g/L</td><td>120–160</td>" in rows["Hemoglobin"]  # 12–16 g/dL converted
    assert "<td>mmol/L</td><td>&lt; 1.7</td>" in rows["Triglycerides"]  # <150 mg/dL = <1.69 mmol/L
    assert "<td>g/L</td><td>2.0–4.0</td>" in rows["Fibrinogen"]
    assert "<td>mg/dL</td><td>&lt; 0.50</td>" in rows["CRP"]  # <5 mg/L
    assert "<td>10^9/L</td><td>4.5–11.0</td>" in rows["WBC"]  # not converted: the range as printed
    assert ">4.4 <b>H</b></td>" in rows["Triglycerides"] and ">45 <b>L</b></td>" in rows["Platelets"]
    assert "e+" not in html and ">Yes <b>A</b></td>" in rows["Hepatomegaly"]


def test_report_names_a_catalogue_range(seed_path):
    from dashboard.ingest.bundle import load_case

    html = flags_table(reference_flags(load_case(seed_path).observations))
    temperature = next(r for r in html.split("<tr>") if r.startswith("<td>Temperature"))
    assert "<td>36.1–37.5 (catalogue)</td>" in temperature  # the range its H flag was computed against
