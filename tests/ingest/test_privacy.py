"""Direct-identifier warnings: names, record numbers, full dates, contact details; warnings only."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.domain.schema import event_frame, observation_frame
from dashboard.ingest import privacy
from dashboard.ingest.bundle import load_case, load_uploaded
from dashboard.ingest.privacy import column_kind, identifier_warnings, looks_like_name, mask
from tests.ingest.test_bad_input import workbook, zip_bytes

SEED_META = {
    "title": "MAS complicating an SLE flare in a 33-year-old woman",
    "source": "Smith J, Doe A. Case report. J Clin Rheum. 2019-05-01",  # citations are not patient data
    "patient": {"age": 33, "sex": "F", "weight_kg": 80, "height_cm": 175},
    "timepoints": {"Admission": 0, "After mPSL": 7, "After DEX": 11, "6 weeks after discharge": 53},
}


def _observations(case_id: str = "seed-sle-mas", cells: list[str] | None = None,
                  timepoints: list[str] | None = None) -> pd.DataFrame:
    cells = cells or ["0.72", "1: 640 (speckled)", "<0.5", "4.5–11.0", "18 873"]
    timepoints = timepoints or ["Admission"] * len(cells)
    return observation_frame([
        {"case_id": case_id, "timepoint": tp, "label": f"Analyte {i}", "orig_text": text, "ref_text": "4.5–11.0"}
        for i, (tp, text) in enumerate(zip(timepoints, cells, strict=True))
    ])


def _kinds(warnings) -> list[str]:
    return [w.message.split("(")[1].split(")")[0] for w in warnings]


def test_a_de_identified_case_gives_no_warning() -> None:
    events = event_frame([{"case_id": "seed-sle-mas", "kind": "medication", "name": "IVIG",
                           "note": "2 g/kg over 5 days"}])
    raw = ["Analyte", "Reference range", "Admission", "After mPSL", "After DEX", "6 weeks after discharge"]
    assert identifier_warnings(_observations(), SEED_META, raw_columns=raw, events=events) == []


def test_the_seed_case_gives_no_warning(seed_path) -> None:
    case = load_case(seed_path)
    raw = (seed_path / "labs.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert identifier_warnings(case.observations, case.meta, raw_columns=raw, events=case.events) == []


@pytest.mark.parametrize("column, kind", [
    ("name", "patient name"), ("Patient Name", "patient name"), ("patient_name", "patient name"),
    ("First name", "patient name"), ("LAST_NAME", "patient name"), ("surname", "patient name"),
    ("MRN", "medical record number"), ("Medical record number", "medical record number"),
    ("record_no", "medical record number"), ("Hospital number", "medical record number"),
    ("DOB", "date of birth"), ("Date of birth", "date of birth"), ("birth_date", "date of birth"),
    ("Phone", "phone number"), ("E-mail", "e-mail address"),
])
def test_identifier_column_names_are_recognised(column: str, kind: str) -> None:
    assert column_kind(column) == kind
    warnings = identifier_warnings(_observations(), SEED_META, raw_columns=["Analyte", column, "Admission"])
    assert len(warnings) == 1
    assert warnings[0].severity == "warning"
    assert warnings[0].column == column and warnings[0].value is None
    assert kind in warnings[0].message


@pytest.mark.parametrize("column", ["Analyte", "Reference range", "Admission", "analyte_name", "test name",
                                    "timepoint", "value", "unit", "LBTEST", "USUBJID", "day", "Day of birth?"])
def test_ordinary_column_names_are_not_flagged(column: str) -> None:
    assert column_kind(column) is None


@pytest.mark.parametrize("cell", ["1987-03-14", "14/03/1987", "03/14/1987", "14.03.1987", "born 14 March 1987",
                                  "March 14, 1987", "DOB 1987/3/14"])
def test_full_dates_in_any_cell_are_flagged(cell: str) -> None:
    warnings = identifier_warnings(_observations(cells=["0.72", cell], timepoints=["Admission", "Day 3"]), {})
    assert _kinds(warnings) == ["full date"]
    assert warnings[0].column == "Day 3" and "row 'Analyte 1'" in warnings[0].message  # where to find it
    assert warnings[0].file == "labs.csv" and warnings[0].row is None
    assert "days relative to day 0" in warnings[0].expected


@pytest.mark.parametrize("cell", ["4.5–11.0", "1: 640 (speckled)", "<1: 10", "2019", "12/2019", "0.36–0.46",
                                  "150 000", "1,260", "3 cm", "38.6"])
def test_lab_values_are_not_mistaken_for_identifiers(cell: str) -> None:
    assert identifier_warnings(_observations(cells=[cell]), {}) == []


def test_a_date_in_the_case_id_names_no_column() -> None:
    warnings = identifier_warnings(_observations(case_id="ward-3 2021-02-03"), {})
    assert _kinds(warnings) == ["full date"]
    assert warnings[0].column is None and "in the case id" in warnings[0].message
    assert "row '" not in warnings[0].message


def test_a_dated_timepoint_label_is_flagged() -> None:
    warnings = identifier_warnings(_observations(timepoints=["2021-02-03"] * 5), {})
    assert _kinds(warnings) == ["full date"]
    assert "timepoint label" in warnings[0].message and warnings[0].column == "2021-02-03"
    assert "(5 cells)" in warnings[0].message


@pytest.mark.parametrize("cell, kind", [
    ("call +1 (555) 123-4567", "phone number"), ("0151 234 5678", "phone number"),
    ("jane.doe@example.org", "e-mail address"),
])
def test_contact_details_are_flagged(cell: str, kind: str) -> None:
    assert _kinds(identifier_warnings(_observations(cells=[cell]), {})) == [kind]


@pytest.mark.parametrize("case_id, kind", [
    ("12345678", "medical record number"), ("MRN-0012345", "medical record number"),
    ("Jane Doe", "patient name"), ("Doe, Jane", "patient name"), ("Mary-Ann Smith", "patient name"),
])
def test_case_ids_shaped_like_identifiers_are_flagged(case_id: str, kind: str) -> None:
    warnings = identifier_warnings(_observations(case_id=case_id), {})
    assert _kinds(warnings) == [kind]
    assert warnings[0].value == mask(case_id) != case_id  # the warning does not repeat the identifier


@pytest.mark.parametrize("case_id", ["seed-sle-mas", "case-01", "Case 12", "Seed Case", "2023", "hlh_007"])
def test_neutral_case_ids_are_not_flagged(case_id: str) -> None:
    assert identifier_warnings(_observations(case_id=case_id), {}) == []
    assert not looks_like_name(case_id)


def test_identifiers_in_case_metadata_are_flagged() -> None:
    meta = {**SEED_META, "patient": {"age": 93, "sex": "F", "name": "Jane Doe", "dob": "1931-01-02"},
            "timepoints": {"2021-02-03": 0}}
    warnings = identifier_warnings(_observations(), meta)
    places = {(kind, w.file, w.column) for kind, w in zip(_kinds(warnings), warnings, strict=True)}
    assert places == {
        ("patient name", "case.toml", "patient.name"),
        ("date of birth", "case.toml", "patient.dob"),
        ("full date", "case.toml", "patient.dob"),
        ("age over 89", "case.toml", "patient.age"),
        ("full date", "case.toml", "timepoints.2021-02-03"),
    }


def test_event_notes_are_checked_but_the_event_name_column_is_not() -> None:
    events = event_frame([{"case_id": "c", "kind": "clinical", "name": "Discharge",
                           "note": "seen by Dr X, tel 0151 234 5678 on 2021-02-03"}])
    warnings = identifier_warnings(_observations(), {}, raw_columns=["Analyte", "Admission"], events=events)
    assert sorted(_kinds(warnings)) == ["full date", "phone number"]
    assert all("event note" in w.message for w in warnings)
    assert {(w.file, w.column) for w in warnings} == {("events.csv", "note")}


def test_the_file_is_named_and_the_input_is_not_mutated() -> None:
    observations = _observations(case_id="12345678")
    before = observations.copy()
    warnings = identifier_warnings(observations, {}, file="cohort.xlsx")
    assert [w.file for w in warnings] == ["cohort.xlsx"]
    assert str(warnings[0]).startswith("warning: cohort.xlsx '12••••••' — Possible direct identifier")
    pd.testing.assert_frame_equal(observations, before)


def test_mask_keeps_shape_but_hides_characters() -> None:
    assert mask("1987-03-14") == "19••-••-••"
    assert mask("Jane Doe") == "Ja•• •••"


LABELLED_LONG = "MRN;timepoint;analyte;value;unit\n12345678;Admission;Ferritin;9560;ng/mL\n"


@pytest.mark.parametrize("name, data, file", [
    ("labs.csv", LABELLED_LONG.encode(), "labs.csv"),  # semicolon-separated, read by the real CSV reader
    ("case.zip", zip_bytes({"case/labs.csv": LABELLED_LONG.encode()}), "labs.csv"),
    ("case.xlsx", workbook({"labs": [row.split(";") for row in LABELLED_LONG.splitlines()]}), "case.xlsx[labs]"),
])
def test_the_loader_checks_the_header_it_parsed_for_every_shape(name, data, file) -> None:
    """A `MRN` column is found in a CSV, a zip and a workbook alike (zip and xlsx were never checked)."""
    case = load_uploaded({name: data}, name="c1")
    found = [p for p in case.problems if privacy.is_identifier_warning(p)]
    assert [(p.file, p.column, p.severity) for p in found] == [(file, "MRN", "warning")]
    assert "medical record number" in found[0].message


def test_check_reports_identifiers_of_a_workbook(tmp_path, capsys) -> None:
    path = tmp_path / "case.xlsx"
    path.write_bytes(workbook({"labs": [["Patient name", "timepoint", "analyte", "value"],
                                        ["Jane Doe", "Admission", "Ferritin (ng/mL)", "9560"]]}))
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning: case.xlsx[labs]:Patient name — Possible direct identifier (patient name)" in out
    assert "Jane Doe" not in out
