"""The seed loads whole; wide, long, SDTM and xlsx versions of one case give equal tables."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.domain import schema
from dashboard.ingest.bundle import check_uploaded, load_case, load_uploaded, read_uploaded
from dashboard.ingest.long import detect_layout

PROVENANCE = ("source_file", "source_row", "source_column")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cases"
MINI = FIXTURES / "mini"


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """The observations without their provenance (which file, row and column differ by layout, by design)."""
    return frame.drop(columns=list(PROVENANCE)).sort_values(["timepoint", "label"]).reset_index(drop=True)


def csv_rows(path: Path) -> list[list[str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle)]


def as_cell(text: str) -> object:
    """Write numbers as numbers, as Excel users do; other cells as text."""
    try:
        number = float(text)
    except ValueError:
        return text if text else None
    return int(number) if number.is_integer() and "." not in text else number


def mini_workbook(path: Path, sheets: tuple[str, ...] = ("labs", "events", "case")) -> Path:
    """The mini folder case as an .xlsx workbook with sheets labs, events and a key/value case sheet."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if "labs" in sheets:
        labs = book.create_sheet("labs")
        for row in csv_rows(MINI / "labs.csv"):
            labs.append([as_cell(cell) for cell in row])
    if "events" in sheets:
        events = book.create_sheet("events")
        for row in csv_rows(MINI / "events.csv"):
            events.append([as_cell(cell) for cell in row])
    if "case" in sheets:
        case = book.create_sheet("case")
        for pair in [("key", "value"), ("id", "mini"), ("title", "Mini seed slice"), ("patient.age", 33),
                     ("patient.sex", "F"), ("timepoints.Admission", 0), ("timepoints.After mPSL", 7)]:
            case.append(list(pair))
    book.save(path)
    return path


def test_seed_has_every_table1_row_and_four_timepoints(seed_path):
    case = load_case(seed_path)
    obs = case.observations
    assert case.id == "seed-sle-mas"
    table1_labels = [row[0] for row in csv_rows(seed_path / "labs.csv")[1:]]
    assert len(table1_labels) == 39
    assert set(obs["label"]) == {label.rsplit(" (", 1)[0] if "(" in label and label.endswith(")")
                                 and "bone marrow" not in label else label for label in table1_labels}
    assert obs["analyte"].isna().sum() == 0
    timepoints = obs.drop_duplicates("timepoint").sort_values("tp_order")
    assert timepoints["timepoint"].tolist() == ["Admission", "After mPSL", "After DEX", "6 weeks after discharge"]
    assert timepoints["day"].tolist() == [0.0, 7.0, 11.0, 53.0]
    assert case.meta["timepoints"] == {"Admission": 0, "After mPSL": 7, "After DEX": 11,
                                       "6 weeks after discharge": 53}
    assert case.meta["patient"]["age"] == 33
    assert len(case.events) == 8
    assert [str(p) for p in case.problems] == [
        "warning: labs.csv:23:reference range '22' — reference '22' is a bare number: read as an upper limit",
        ("warning: labs.csv:22:reference range '< 10' — reference range < 10 is 10× the usual range of C-reactive "
        "protein (< 1 mg/dL) when read in mg/dL: a unit problem? Check the unit of the row (expected a range in "
        "mg/dL, or the row's right unit)")]


def value(case, analyte: str, timepoint: str = "Admission") -> pd.Series:
    obs = case.observations
    row = obs[(obs["analyte"] == analyte) & (obs["timepoint"] == timepoint)]
    assert len(row) == 1, f"{analyte} at {timepoint}"
    return row.iloc[0]


@pytest.mark.parametrize("analyte,timepoint,expected,unit", [
    ("wbc", "Admission", 0.72, "10^9/L"), ("hemoglobin", "Admission", 77.0, "g/L"),
    ("platelets", "After DEX", 113.0, "10^9/L"), ("ferritin", "Admission", 9560.0, "ng/mL"),
    ("triglycerides", "Admission", 4.13, "mmol/L"), ("fibrinogen", "Admission", 3.5, "g/L"),
    ("ast", "Admission", 51.0, "U/L"), ("ldh", "Admission", 1260.0, "U/L"), ("crp", "Admission", 68.8, "mg/dL"),
    ("esr", "6 weeks after discharge", 29.0, "mm/h"), ("d_dimer", "Admission", 4766.0, "µg/L"),
    ("temperature", "Admission", 38.6, "°C"), ("hepatomegaly", "Admission", 3.0, "cm"),
    ("splenomegaly", "Admission", 4.0, "cm"), ("ana", "Admission", 640.0, "titer"),
    ("anti_dsdna", "Admission", 40.0, "titer"), ("aptt", "Admission", 123.3, "s"),
])
def test_seed_values_in_canonical_units(seed_path, analyte, timepoint, expected, unit):
    row = value(load_case(seed_path), analyte, timepoint)
    assert row["value"] == pytest.approx(expected)
    assert row["unit"] == unit


def test_seed_findings_and_qualitative_rows(seed_path):
    case = load_case(seed_path)
    assert value(case, "hepatomegaly")["result"] == "positive"
    assert value(case, "immunosuppression", "6 weeks after discharge")["value"] == 1.0
    assert value(case, "hemophagocytosis", "After mPSL")["result"] == "positive"
    assert value(case, "cns_involvement")["result"] == "negative"
    assert value(case, "dat")["result"] == "positive" and value(case, "iat")["result"] == "negative"
    assert value(case, "ana")["orig_text"] == "1: 640 (speckled)"
    # empty everywhere: kept once, unknown (never "no")
    for finding in ("hemorrhage", "arthritis"):
        row = value(case, finding)
        assert pd.isna(row["value"]) and pd.isna(row["result"])
    hemophagocytosis = case.observations[case.observations["analyte"] == "hemophagocytosis"]
    assert hemophagocytosis["timepoint"].tolist() == ["After mPSL"]
    esr = value(case, "esr")
    assert pd.isna(esr["ref_low"]) and esr["ref_high"] == 22.0 and esr["ref_text"] == "22"
    assert pd.isna(value(case, "dat")["ref_text"])
    assert case.observations[case.observations["analyte"] == "reticulocytes"]["timepoint"].tolist() == ["Admission"]


def test_seed_has_the_schema_dtypes(seed_path):
    obs = load_case(seed_path).observations
    assert list(obs.columns) == list(schema.OBSERVATION_COLUMNS)
    assert dict(obs.dtypes) == schema.arrow_dtypes(schema.OBSERVATION_SCHEMA)


def test_seed_round_trips_through_parquet(seed_path, tmp_path):
    obs = load_case(seed_path).observations
    obs.to_parquet(tmp_path / "obs.parquet")
    back = pd.read_parquet(tmp_path / "obs.parquet", dtype_backend="pyarrow")
    pd.testing.assert_frame_equal(back, obs)
    assert pa.Table.from_pandas(obs).schema.field("value").type == pa.float64()


@pytest.mark.parametrize("name,layout", [("mini/labs.csv", "wide"), ("mini-long.csv", "long"),
                                         ("mini-sdtm.csv", "sdtm")])
def test_layout_detection(name, layout):
    header = (FIXTURES / name).read_text(encoding="utf-8").splitlines()[0].split(",")
    assert detect_layout(header) == layout


@pytest.mark.parametrize("header,layout", [
    ("test,visit,result,unit", "long"),             # the long reader's aliases, one visit
    ("Parameter,Time point,Value", "long"),
    ("timepoint,analyte,unit", "long"),             # two of three: long, refused by the long reader
    ("Test,Reference range,Admission,Day 7", "wide"),
    ("Analyte,Unit,Visit 1", "wide"),
])
def test_layout_detection_uses_the_long_aliases(header, layout):
    assert detect_layout(header.split(",")) == layout


def test_long_file_with_one_visit_is_read_as_long():
    labs = "test,visit,result,unit\nFerritin,Admission,9560,ng/mL\nAST,Admission,51,U/L\n"
    case = load_uploaded({"labs.csv": labs.encode()}, "one-visit")
    obs = case.observations
    assert obs["timepoint"].unique().tolist() == ["Admission"]
    assert dict(zip(obs["analyte"], obs["value"], strict=True)) == {"ferritin": 9560.0, "ast": 51.0}


@pytest.mark.parametrize("header", ["Analyte", "Analyte,Reference range", "Analyte,Unit,Reference range"])
def test_header_that_fits_neither_layout_is_an_error(header):
    labs = f"{header}\nFerritin (ng/mL){',' * header.count(',')}\n"
    problems = check_uploaded({"labs.csv": labs.encode()}, "neither")
    assert [(p.severity, p.row) for p in problems if "neither layout" in p.message] == [("error", 1)]


@pytest.mark.parametrize("other", ["mini-long.csv", "mini-sdtm.csv"])
def test_long_and_sdtm_equal_wide(other):
    wide = load_case(MINI)
    case = load_case(FIXTURES / other)
    assert case.id == "mini" and case.problems == []
    pd.testing.assert_frame_equal(tidy(case.observations), tidy(wide.observations))
    assert case.meta["timepoints"] == {"Admission": 0, "After mPSL": 7}


def test_xlsx_equals_wide(tmp_path):
    wide = load_case(MINI)
    book = load_case(mini_workbook(tmp_path / "whatever.xlsx"))
    assert book.id == "mini"
    pd.testing.assert_frame_equal(tidy(book.observations), tidy(wide.observations))
    pd.testing.assert_frame_equal(book.events, wide.events)
    assert book.meta["title"] == "Mini seed slice" and book.meta["patient"] == {"age": 33, "sex": "F"}


def test_mini_values():
    case = load_case(MINI)
    assert value(case, "triglycerides")["value"] == 4.13
    assert value(case, "d_dimer")["ref_high"] == 250.0
    assert value(case, "anti_dsdna")["ref_high"] == 10.0
    assert value(case, "hemorrhage")["timepoint"] == "Admission"
    assert case.events["end_day"].tolist() == [2.0, 7.0]


def test_conversion_to_canonical_units_keeps_the_original(tmp_path):
    labs = tmp_path / "conv.csv"
    labs.write_text("Analyte,Reference range,Admission\nTriglycerides (mg/dL),< 150,365.8\n"
                    "Fibrinogen (mg/dL),200–400,350\nPlatelets (/µL),150000–400000,22000\n"
                    "Hb (g/dL),12–16,7.7\nTemperature (°F),,101.5\nCreatinine (µmol/L),,45.1\n", encoding="utf-8")
    case = load_case(labs)
    assert case.id == "conv"
    assert value(case, "triglycerides")["value"] == pytest.approx(4.13, abs=0.001)
    assert value(case, "triglycerides")["ref_high"] == pytest.approx(150 / 88.57)
    assert value(case, "triglycerides")["orig_value"] == 365.8
    assert value(case, "triglycerides")["orig_unit"] == "mg/dL"
    assert value(case, "fibrinogen")["value"] == pytest.approx(3.5)
    assert value(case, "fibrinogen")["ref_low"] == pytest.approx(2.0)
    assert value(case, "platelets")["value"] == pytest.approx(22.0)
    assert value(case, "hemoglobin")["value"] == pytest.approx(77.0)
    assert value(case, "temperature")["value"] == pytest.approx(38.6111, abs=1e-3)
    assert value(case, "creatinine")["value"] == pytest.approx(0.51, abs=0.001)


def test_long_without_days_keeps_order_and_fills_days_from_case_toml(tmp_path):
    (tmp_path / "labs.csv").write_text("timepoint,analyte,value,unit\nRelapse,Ferritin,500,ng/mL\n"
                                       "Admission,Ferritin,900,ng/mL\n", encoding="utf-8")
    no_days = load_case(tmp_path)
    assert no_days.observations["timepoint"].tolist() == ["Relapse", "Admission"]
    assert no_days.observations["day"].isna().all()
    (tmp_path / "case.toml").write_text('[timepoints]\nRelapse = 9\nAdmission = 2\n', encoding="utf-8")
    with_days = load_case(tmp_path)
    assert with_days.observations["timepoint"].tolist() == ["Admission", "Relapse"]
    assert with_days.observations["tp_order"].tolist() == [0, 1]


def test_long_timepoints_that_state_their_day_are_placed_on_it(tmp_path):
    """`Day 9` in a long file means day 9, as a wide table's header does; a lab export's date-times give
    days from each case's first date (calendar days)."""
    (tmp_path / "labs.csv").write_text("timepoint,analyte,value,unit\nDay 9,Ferritin,500,ng/mL\n"
                                       "Day 2,Ferritin,900,ng/mL\n", encoding="utf-8")
    case = load_case(tmp_path)
    assert case.observations[["timepoint", "day"]].values.tolist() == [["Day 2", 2.0], ["Day 9", 9.0]]
    export = ("Patient,Collection Date,Test Name,Result,Units\n"
              "A,03/15/2021 08:00,FERRITIN,\"12,450\",ng/mL\nA,03/18/2021 07:30,FERRITIN,>40000,ng/mL\n"
              "A,03/18/2021 07:30,HEMOGLOBIN,8.1,g/dL\n"
              "B,03/20/2021 09:00,FERRITIN,800,ng/mL\nB,03/22/2021 09:00,FERRITIN,600,ng/mL\n")
    cases = {o.case_id: o.case for o in read_uploaded({"export.csv": export.encode()})}
    assert cases["A"].observations["day"].tolist() == [0.0, 3.0, 3.0]
    assert cases["B"].observations["day"].tolist() == [0.0, 2.0]  # B's own first draw is its day 0
    ferritin = cases["A"].observations.query("analyte == 'ferritin'")
    assert ferritin["value"].tolist() == [12450.0, 40000.0]  # 8.1 shows the decimal point: 12,450 is 12450


def test_uploaded_files_equal_the_folder():
    files = {name: (MINI / name).read_bytes() for name in ("labs.csv", "events.csv", "case.toml")}
    case = load_uploaded(files)
    folder = load_case(MINI)
    assert case.id == "mini"
    pd.testing.assert_frame_equal(case.observations, folder.observations)


def test_uploaded_single_csv_takes_its_stem():
    case = load_uploaded({"my-case.csv": (MINI / "labs.csv").read_bytes()})
    assert case.id == "my-case"
    assert case.observations["day"].isna().all()
    assert load_uploaded({"labs.csv": (MINI / "labs.csv").read_bytes()}, name="named").id == "named"


def test_wide_with_a_unit_column(tmp_path):
    labs = tmp_path / "units.csv"
    labs.write_text("Test,Unit,Normal range,Day 0,Day 3\nFerritin,µg/L,15–150,9560,8580\n"
                    "Fibrinogen,mg/dL,200–400,150,\n", encoding="utf-8")
    case = load_case(labs)
    assert case.observations["timepoint"].drop_duplicates().tolist() == ["Day 0", "Day 3"]
    assert value(case, "ferritin", "Day 3")["value"] == 8580.0
    fibrinogen = value(case, "fibrinogen", "Day 0")
    assert (fibrinogen["value"], fibrinogen["ref_low"], fibrinogen["ref_high"]) == (1.5, 2.0, 4.0)


# within the plausible range of every label below (a value outside it is an error, tested elsewhere); two
# decimals at most: `10.625` alone in a file is ambiguous (10.625 or 10625?) and refused by design
NUMBERS = st.floats(min_value=10, max_value=20000, allow_nan=False).map(lambda x: round(x, 2))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(NUMBERS, NUMBERS), min_size=1, max_size=5))
def test_any_valid_wide_table_reads_back_its_numbers(rows):
    """Property: numbers written into a wide table come back exactly, per row and timepoint, in order."""
    labels = ["Ferritin (ng/mL)", "LDH (U/L)", "AST (U/L)", "ALT (U/L)", "D-dimer (µg/L)"][: len(rows)]
    text = "Analyte,Day 0,Day 3\n" + "".join(f"{label},{a!r},{b!r}\n" for label, (a, b) in zip(labels, rows))
    case = load_uploaded({"labs.csv": text.encode("utf-8")}, name="prop")
    obs = case.observations
    for label, (a, b) in zip(labels, rows):
        mine = obs[obs["label"] == label.split(" (")[0]].sort_values("tp_order")
        assert mine["value"].tolist() == [a, b]
        assert mine["timepoint"].tolist() == ["Day 0", "Day 3"]


def test_a_file_of_many_cases_has_one_decimal_style():
    """The style is the file's, not each case's: B's `8.1` shows the decimal point, so A's `12,450` (a case
    whose own rows show no decimal) is twelve thousand; with no decimal anywhere in the file it stays
    ambiguous, and only the case holding it is refused."""
    head = "Patient,Collection Date,Test Name,Result,Units\n"
    a_rows = "A,03/15/2021 08:00,FERRITIN,\"12,450\",ng/mL\nA,03/18/2021 07:30,FERRITIN,>40000,ng/mL\n"
    pointed = {o.case_id: o for o in read_uploaded({"export.csv": (
        head + a_rows + "B,03/20/2021 09:00,FERRITIN,800,ng/mL\nB,03/22/2021 09:00,HEMOGLOBIN,8.1,g/dL\n").encode()})}
    assert pointed["A"].case.observations["value"].tolist() == [12450.0, 40000.0]
    assert pointed["B"].case.observations["value"].tolist() == [800.0, 81.0]
    plain = {o.case_id: o for o in read_uploaded({"export.csv": (
        head + a_rows + "B,03/20/2021 09:00,FERRITIN,800,ng/mL\n").encode()})}
    assert plain["A"].case is None and plain["B"].case is not None
    assert [p.value for p in plain["A"].problems if p.is_error] == ["12,450"]
