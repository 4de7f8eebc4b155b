"""FHIR R4 in: a Bundle (collection, searchset, transaction) or bulk-data NDJSON -> one case per Patient.

Every resource is parsed and validated with fhir.resources, and its elements are read, in
`ingest/fhir_elements.py`; this module groups the resources by the Patient they are about and builds each
patient's case. Observations map to analytes by LOINC first, then SNOMED CT, then their text;
hepatomegaly/splenomegaly Conditions cover the timepoints from onset up to abatement; medications and procedures become events;
a Patient gives age and sex only (names, identifiers, contact details and the birth date are never
stored, and the import says so). Timepoints are calendar dates (label `YYYY-MM-DD`, day = days since the
first observation date). Case ids never come from the file (a Patient id can be a record number): the
file name, or `<file name>-1`, `-2`, ... for several patients. The rules: docs/case-format.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from dashboard.domain.analytes import analyte, match_analyte
from dashboard.domain.codes import SNOMED_SYSTEM
from dashboard.ingest.archive import upload_members
from dashboard.ingest.case import Case
from dashboard.ingest.fhir_elements import (
    BY_SNOMED,
    calendar_date,
    codings,
    concept_text,
    medication_event,
    observation_label,
    observation_value,
    observed_at,
    procedure_event,
    reference_range,
    resources_of,
    subject_reference,
)
from dashboard.ingest.problems import Problem, error, warning
from dashboard.ingest.study import Cohort, case_from_rows

PATIENT_DETAILS = ("identifier", "name", "telecom", "address", "birthDate", "photo", "contact")


def is_fhir_file(path: Path) -> bool:
    """A .json file holding a FHIR resource, an .ndjson file, or a .zip of only those (the loader dispatch
    asks this)."""
    if not path.is_file():
        return False
    if path.suffix.casefold() == ".zip":
        return is_fhir_upload({path.name: path.read_bytes()})
    with path.open("rb") as handle:
        return _is_fhir(path.name, handle.read(4096))


def is_fhir_upload(files: dict[str, bytes]) -> bool:
    """Uploaded files that are all FHIR (.json resources or .ndjson), or one .zip of only those, as
    `is_fhir_file` asks of a path."""
    members, problems = upload_members(files)
    return bool(members) and not problems and all(_is_fhir(name, data[:4096]) for name, data in members.items())


def _is_fhir(name: str, head: bytes) -> bool:
    suffix = PurePosixPath(name).suffix.casefold()
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return suffix == ".ndjson" or (suffix == ".json" and head.startswith(b"{") and b'"resourceType"' in head)


@dataclass
class _Patient:
    """What is collected for one patient before its dates are known."""

    number: int
    readings: list[dict] = field(default_factory=list)  # raw rows with a `date` instead of a day
    conditions: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    patient: dict = field(default_factory=dict)
    birth: date | None = None
    left_out: set[str] = field(default_factory=set)
    entries: set[int] = field(default_factory=set)  # the entry (or NDJSON line) numbers of its resources


def read_fhir(path: str | Path, data: bytes | None = None) -> Cohort:
    """Every patient of a FHIR Bundle or NDJSON file as a case; never raises for bad input."""
    path = Path(path)
    file = PurePosixPath(str(path)).name
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return Cohort(problems=[error(f"unreadable: {exc.strerror}", file)])
    if file.casefold().endswith(".zip"):
        return read_fhir_upload({file: data})
    resources, problems = resources_of(data, file)
    patients = _collect(resources, file, problems)
    cohort = Cohort(problems=problems)
    stem = PurePosixPath(file).name.split(".")[0] or "fhir"
    for collected in patients.values():
        if not collected.readings:
            cohort.problems.append(warning(f"patient {collected.number} has no dated observations: no case", file))
            continue
        case_id = stem if len(patients) == 1 else f"{stem}-{collected.number}"
        cohort.rows.update({(file, number): case_id for number in collected.entries})
        cohort.add(case_id, *_case(case_id, collected, file))
    return cohort


def read_fhir_upload(files: dict[str, bytes]) -> Cohort:
    """Every patient of uploaded FHIR files (name -> content, or one .zip of them) as a case; never raises
    for bad input."""
    members, problems = upload_members(files)
    cohort = Cohort(problems=problems)
    for name, data in members.items():
        cohort.extend(read_fhir(name, data))
    return cohort


def _collect(resources: list[tuple[int, Any, str | None]], file: str,
             problems: list[Problem]) -> dict[str, _Patient]:
    """Resources grouped by the Patient they are about (a reference by `Patient/id` or by fullUrl)."""
    patients: dict[str, _Patient] = {}
    aliases: dict[str, str] = {}
    for _number, resource, full_url in resources:
        if resource.get_resource_type() == "Patient":
            key = full_url or f"Patient/{resource.id}"
            aliases.update({name: key for name in (full_url, f"Patient/{resource.id}" if resource.id else None)
                            if name})
            collected = patients.setdefault(key, _Patient(len(patients) + 1))
            collected.entries.add(_number)
            _read_patient(resource, collected)

    def patient_of(reference: str | None) -> _Patient:
        key = aliases.get(reference or "", reference or "(no subject)")
        return patients.setdefault(key, _Patient(len(patients) + 1))

    for number, resource, _full_url in resources:
        kind = resource.get_resource_type()
        if kind in ("Observation", "Condition", "MedicationAdministration", "MedicationStatement", "Procedure"):
            patient_of(subject_reference(resource)).entries.add(number)
        if kind == "Observation":
            _read_observation(resource, number, patient_of(subject_reference(resource)), file, problems)
        elif kind == "Condition":
            _read_condition(resource, number, patient_of(subject_reference(resource)), file, problems)
        elif kind in ("MedicationAdministration", "MedicationStatement", "Procedure"):
            record = procedure_event(resource) if kind == "Procedure" else medication_event(resource, kind)
            if record["start"] is None:
                problems.append(warning(f"{kind} '{record['name']}' without a full date is not placed on the day "
                                        "axis", file, number, "effective[x]"))
                continue
            patient_of(subject_reference(resource)).events.append(record)
    # resources that name no subject belong to the only patient, when there is one
    orphans = patients.pop("(no subject)", None)
    if orphans is not None and len(patients) == 1:
        only = next(iter(patients.values()))
        only.readings, only.conditions = only.readings + orphans.readings, only.conditions + orphans.conditions
        only.events += orphans.events
        only.entries |= orphans.entries
    elif orphans is not None:
        patients["(no subject)"] = orphans
    return patients


def _read_patient(resource: Any, collected: _Patient) -> None:
    if resource.gender in ("female", "male"):
        collected.patient["sex"] = resource.gender[0].upper()
    collected.birth = resource.birthDate if isinstance(resource.birthDate, date) else None
    collected.left_out |= {name for name in PATIENT_DETAILS if getattr(resource, name, None)}


def _read_observation(resource: Any, number: int, collected: _Patient, file: str, problems: list[Problem]) -> None:
    found, label, note = observation_label(resource)
    text, unit = observation_value(resource)
    if found == "age":
        collected.patient["age"] = int(float(text)) if text else None
        return
    when, element = observed_at(resource)
    day = calendar_date(when)
    if day is None:
        problems.append(error("an Observation without a full date", file, number, element, str(when or ""),
                              "effectiveDateTime with year, month and day"))
        return
    if note:
        problems.append(warning(f"{note}: kept as unmapped", file, number, "code", label))
    ref, ref_note = reference_range(resource, unit)
    if ref_note:
        problems.append(warning(ref_note, file, number, "referenceRange"))
    if resource.status in ("entered-in-error", "cancelled"):
        return
    collected.readings.append({"date": day, "label": label, "text": text, "unit": unit, "line": number,
                               "column": f"Observation {element}", **ref})


def _read_condition(resource: Any, number: int, collected: _Patient, file: str, problems: list[Problem]) -> None:
    finding = next((BY_SNOMED[c.code] for c in codings(resource.code, SNOMED_SYSTEM) if c.code in BY_SNOMED),
                   None)
    if finding is None:
        named = match_analyte(concept_text(resource.code))
        finding = named if named and analyte(named).kind == "finding" else None
    if finding is None:
        return
    verification = concept_text(resource.verificationStatus) or next(
        (c.code for c in (resource.verificationStatus.coding if resource.verificationStatus else []) or []), "")
    if verification == "entered-in-error":
        return
    onset = calendar_date(resource.onsetDateTime or (resource.onsetPeriod.start if resource.onsetPeriod else None))
    recorded = calendar_date(resource.recordedDate)
    if verification == "refuted":
        onset = onset or recorded
    if onset is None:
        problems.append(warning(f"{analyte(finding).name} Condition without an onset or recorded date: not placed",
                                file, number, "onset[x]"))
        return
    abatement = calendar_date(resource.abatementDateTime or (resource.abatementPeriod.start if resource.abatementPeriod
                                                     else None))
    collected.conditions.append({"finding": finding, "onset": onset, "abatement": abatement,
                                 "refuted": verification == "refuted", "line": number})


def _case(case_id: str, collected: _Patient, file: str) -> tuple[Case | None, list[Problem]]:
    """One patient's readings, conditions and events -> its case, and the problems of building it."""
    problems: list[Problem] = []
    dates = sorted({r["date"] for r in collected.readings})
    first = dates[0]
    rows = [_row(r, first) for r in collected.readings]
    for condition in collected.conditions:
        rows += _condition_rows(condition, dates, first, collected.readings)
    patient = dict(collected.patient)
    if collected.birth is not None and "age" not in patient:
        years = first.year - collected.birth.year - ((first.month, first.day) < (collected.birth.month,
                                                                                 collected.birth.day))
        patient["age"] = years
    if collected.left_out:
        problems.append(warning("the Patient's " + ", ".join(sorted(collected.left_out)) + " are not stored: "
                                "casetrack keeps age and sex only", file, column="Patient"))
    events = [{**{k: v for k, v in e.items() if k not in ("start", "end")},
               "start_day": float((e["start"] - first).days), "end_day": float((e["end"] - first).days)}
              for e in collected.events]
    meta = {"title": f"FHIR patient {collected.number} of {file}", "source": f"FHIR R4 import of {file}",
            "patient": {k: v for k, v in patient.items() if v is not None}, "day0": first.isoformat()}
    case, more = case_from_rows(case_id, rows, events, meta, file)
    return case, problems + more


def _row(reading: dict, first: date) -> dict:
    return {"timepoint": reading["date"].isoformat(), "day": float((reading["date"] - first).days),
            **{k: v for k, v in reading.items() if k != "date"}}


def _condition_rows(condition: dict, dates: list[date], first: date, readings: list[dict]) -> list[dict]:
    """A finding at every timepoint from onset up to abatement (a refuted one: 'no' at its date only)."""
    if condition["refuted"]:
        inside = [d for d in dates if d == condition["onset"]]
    else:
        inside = [d for d in dates if d >= condition["onset"] and (condition["abatement"] is None
                                                                   or d < condition["abatement"])]
    name = analyte(condition["finding"]).name
    written = {(r["date"], match_analyte(r["label"])) for r in readings}
    return [{"timepoint": d.isoformat(), "day": float((d - first).days), "label": name,
             "text": "no" if condition["refuted"] else "yes", "line": condition["line"], "column": "Condition"}
            for d in inside if (d, condition["finding"]) not in written]


def load_fhir(path: str | Path) -> list[Case]:
    """Every patient of the file as a `Case`; raises CaseError listing every problem when any is an error."""
    return read_fhir(path).raise_on_errors()
