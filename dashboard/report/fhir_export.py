"""A case as a FHIR R4 `collection` Bundle that casetrack's FHIR reader reads back to the same scores.

* Patient: sex only (casetrack stores no names, identifiers or birth dates); the age goes in an
  Observation coded LOINC 30525-0 (Age), since a Patient has no age element.
* One Observation per written value, at day 0 + the timepoint's day: LOINC coded (the catalogue's code
  for its canonical unit; findings also SNOMED CT where one exists), value in the canonical unit with its
  UCUM code, `<`/`>` as the quantity's comparator, titers as `1:40` strings, positive/negative findings as
  booleans, qualitative tests as text, and the reference range.
* Medications as MedicationStatements (dose, unit, route, period), procedures as Procedures. Clinical
  events (e.g. discharge) have no resource here and are left out, with a note.

Dates: a case read from FHIR keeps its first date (`meta["day0"]`); otherwise the caller gives day 0,
else 1970-01-01 stands for day 0, with a note, and dates then say nothing but days since day 0.
Timepoint labels become dates. The Bundle is validated with fhir.resources before it is returned.
"""

from __future__ import annotations

import math
import uuid
from datetime import date, timedelta

import pandas as pd

from dashboard.domain.analytes import analyte
from dashboard.domain.codes import (
    AGE_LOINC,
    FINDING_SNOMED,
    LOINC_SYSTEM,
    SNOMED_SYSTEM,
    UCUM_SYSTEM,
    export_loinc,
    to_ucum,
)

PLACEHOLDER_DAY0 = date(1970, 1, 1)
_ORDER = {"positive": "Positive", "negative": "Negative", "low": "Low", "normal": "Normal", "high": "High"}


def day0_of(meta: dict, given: date | None = None) -> tuple[date, list[str]]:
    """Day 0 as a calendar date: given, else the case's own (`meta["day0"]`), else 1970-01-01 with a note."""
    if given is not None:
        return given, []
    if meta.get("day0"):
        return date.fromisoformat(str(meta["day0"])), []
    note = ("the case has no calendar dates: day 0 is written as 1970-01-01, so the dates say only how many "
            "days from day 0 (give --day0 YYYY-MM-DD for real dates)")
    return PLACEHOLDER_DAY0, [note]


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts, every missing value (null, NaN) as None."""
    return [{k: None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v for k, v in row.items()}
            for row in frame.to_dict("records")]


def _date(day0: date, day: float | None, what: str) -> str:
    if day is None or not float(day).is_integer():
        raise ValueError(f"{what} has no whole day: a FHIR export needs a day for every timepoint and event "
                         "(set the days in case.toml [timepoints])")
    return (day0 + timedelta(days=int(day))).isoformat()


def _ucum(value: float, unit: str | None, comparator: str | None = None) -> dict:
    quantity: dict = {"value": _number(value)}
    if comparator:
        quantity["comparator"] = comparator
    if unit:
        quantity |= {"unit": unit, "system": UCUM_SYSTEM, "code": to_ucum(unit)}
    return quantity


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else round(float(value), 10)


def _code(row: dict) -> dict:
    concept: dict = {"text": row["label"]}
    analyte_id = row["analyte"]
    if isinstance(analyte_id, str):
        codings = []
        if export_loinc(analyte_id):
            codings.append({"system": LOINC_SYSTEM, "code": export_loinc(analyte_id)})
        if analyte_id in FINDING_SNOMED:
            code, display = FINDING_SNOMED[analyte_id]
            codings.append({"system": SNOMED_SYSTEM, "code": code, "display": display})
        if codings:
            concept["coding"] = codings
    return concept


def _value(row: dict) -> dict:
    """The value[x] of one observation row (canonical unit; original unit for unmapped labels)."""
    kind = analyte(row["analyte"]).kind if row["analyte"] else None
    value = row["value"] if row["value"] is not None else row["orig_value"]
    unit = row["unit"] if row["analyte"] else row["orig_unit"]
    result, qualifier = row["result"], row["qualifier"]
    if unit == "titer" and value is not None:
        return {"valueString": f"{qualifier or ''}1:{_number(value)}"}
    if result is not None and (unit is None or value is None):
        if kind == "finding" and result in ("positive", "negative"):
            return {"valueBoolean": result == "positive"}
        return {"valueCodeableConcept": {"text": _ORDER.get(result, result)}}
    if value is None:
        return {}
    return {"valueQuantity": _ucum(value, unit, qualifier)}


def _reference_range(row: dict) -> list[dict]:
    if row["unit"] == "titer" and row["ref_text"]:  # "< 1: 10" reads back as written, not as "< 10"
        return [{"text": row["ref_text"]}]
    limits = {name: _ucum(row[f"ref_{name}"], row["unit"]) for name in ("low", "high")
              if row[f"ref_{name}"] is not None}
    if limits:
        return [limits]
    return [{"text": row["ref_text"]}] if row["ref_text"] else []


def _entry(resource: dict) -> dict:
    return {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": resource}


def case_bundle(case, day0: date | None = None) -> tuple[dict, list[str]]:
    """(Bundle as JSON-ready dict, notes on what could not be written); raises ValueError without days."""
    start, notes = day0_of(case.meta, day0)
    patient = _entry({"resourceType": "Patient"})
    subject = {"reference": patient["fullUrl"]}
    sex = (case.meta.get("patient") or {}).get("sex")
    if sex in ("F", "M"):
        patient["resource"]["gender"] = {"F": "female", "M": "male"}[sex]
    entries = [patient]
    age = (case.meta.get("patient") or {}).get("age")
    if isinstance(age, (int, float)):
        entries.append(_entry({"resourceType": "Observation", "status": "final", "subject": subject,
                               "code": {"coding": [{"system": LOINC_SYSTEM, "code": AGE_LOINC}], "text": "Age"},
                               "effectiveDateTime": start.isoformat(), "valueQuantity": _ucum(age, "a")}))
    for row in records(case.observations):
        value = _value(row) if row["orig_text"] is not None else {}
        if not value:
            continue
        resource = {"resourceType": "Observation", "status": "final", "subject": subject, "code": _code(row),
                    "effectiveDateTime": _date(start, row["day"], f"timepoint '{row['timepoint']}'"), **value}
        ranges = _reference_range(row)
        if ranges:
            resource["referenceRange"] = ranges
        entries.append(_entry(resource))
    for event in records(case.events):
        entries += _event(event, start, subject, notes)
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    _validate(bundle)
    return bundle, notes


def _event(event: dict, start: date, subject: dict, notes: list[str]) -> list[dict]:
    period = {"start": _date(start, event["start_day"], f"event '{event['name']}'"),
              "end": _date(start, event["end_day"], f"event '{event['name']}'")}
    if event["kind"] == "medication":
        dosage: dict = {}
        if event["note"]:
            dosage["text"] = event["note"]
        if event["route"]:
            dosage["route"] = {"text": event["route"]}
        if event["dose"] is not None:
            dose = {"value": _number(event["dose"])}
            if event["dose_unit"]:
                dose["unit"] = event["dose_unit"]
            dosage["doseAndRate"] = [{"doseQuantity": dose}]
        resource = {"resourceType": "MedicationStatement", "status": "completed", "subject": subject,
                    "medicationCodeableConcept": {"text": event["name"]}, "effectivePeriod": period}
        if dosage:
            resource["dosage"] = [dosage]
        return [_entry(resource)]
    if event["kind"] == "procedure":
        return [_entry({"resourceType": "Procedure", "status": "completed", "subject": subject,
                        "code": {"text": event["name"]}, "performedPeriod": period})]
    notes.append(f"clinical event '{event['name']}' (day {event['start_day']:g}) has no FHIR resource here: "
                 "left out")
    return []


def _validate(bundle: dict) -> None:
    """Parse the Bundle with the fhir.resources models; a failure is a casetrack bug, raised as ValueError."""
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        raise ValueError(f"the FHIR export is not valid FHIR R4: {exc}") from exc
