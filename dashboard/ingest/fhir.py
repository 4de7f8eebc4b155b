"""FHIR R4 in: a Bundle (collection, searchset, transaction) or bulk-data NDJSON -> one case per Patient.

Every resource is parsed and validated with fhir.resources (R4B models, which R4 resources of these types
read as), so a malformed date or decimal is reported with the element's path instead of being guessed.
Observations map to analytes by LOINC first, then SNOMED CT, then their text; hepatomegaly/splenomegaly
Conditions cover the timepoints from onset up to abatement; medications and procedures become events;
a Patient gives age and sex only (names, identifiers, contact details and the birth date are never
stored, and the import says so). Timepoints are calendar dates (label `YYYY-MM-DD`, day = days since the
first observation date). Case ids never come from the file (a Patient id can be a record number): the
file name, or `<file name>-1`, `-2`, ... for several patients. The rules: docs/case-format.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from dashboard.domain.analytes import analyte, match_analyte
from dashboard.domain.codes import (
    AGE_LOINC,
    FINDING_SNOMED,
    LOINC_SYSTEM,
    REFUSED_LOINC,
    SNOMED_SYSTEM,
    analyte_by_loinc,
    from_ucum,
)
from dashboard.ingest.grid import MAX_FILE_BYTES
from dashboard.ingest.problems import Problem, error, warning
from dashboard.ingest.study import Cohort, case_from_rows

BUNDLE_TYPES = ("collection", "searchset", "transaction", "batch", "transaction-response", "batch-response")
PATIENT_DETAILS = ("identifier", "name", "telecom", "address", "birthDate", "photo", "contact")
_BY_SNOMED = {code: finding for finding, (code, _display) in FINDING_SNOMED.items()}


def is_fhir_file(path: Path) -> bool:
    """A .json file holding a FHIR resource, or an .ndjson file (the loader dispatch asks this)."""
    if not path.is_file() or path.suffix.casefold() not in (".json", ".ndjson"):
        return False
    if path.suffix.casefold() == ".ndjson":
        return True
    with path.open("rb") as handle:
        head = handle.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"{") and b'"resourceType"' in head


def _resources(data: bytes, file: str) -> tuple[list[tuple[int, Any, str | None]], list[Problem]]:
    """(line or entry number, validated resource, Bundle fullUrl); every invalid resource is an error."""
    from fhir.resources.R4B import get_fhir_model_class  # imported here: only FHIR files need it
    from pydantic import ValidationError

    if len(data) > MAX_FILE_BYTES:
        return [], [error(f"the file is {len(data) / 1e6:.0f} MB", file, expected="a FHIR file under 20 MB")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [error("not UTF-8 text", file, expected="FHIR JSON in UTF-8")]
    if file.casefold().endswith(".ndjson"):
        items = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    else:
        items = [(1, text)]
    found, problems = [], []
    for number, item in items:
        try:
            raw = json.loads(item)
        except json.JSONDecodeError as exc:
            problems.append(error(f"not valid JSON: {exc.msg}", file, number if len(items) > 1 else exc.lineno,
                                  expected="one FHIR resource per line (NDJSON) or a FHIR JSON Bundle"))
            continue
        kind = raw.get("resourceType") if isinstance(raw, dict) else None
        try:
            model = get_fhir_model_class(str(kind))
        except KeyError:
            problems.append(error("not a FHIR resource", file, number, "resourceType", str(kind),
                                  "a FHIR R4 resource such as Bundle, Patient or Observation"))
            continue
        try:
            resource = model.model_validate(raw)
        except ValidationError as exc:
            for detail in exc.errors()[:20]:
                path = ".".join(str(part) for part in detail["loc"])
                problems.append(error(f"invalid FHIR: {detail['msg']}", file, number, path,
                                      str(detail.get("input"))[:80], "a value valid for FHIR R4"))
            continue
        if kind == "Bundle":
            if resource.type not in BUNDLE_TYPES:
                problems.append(error(f"a {resource.type} Bundle is not read", file, number, "type", resource.type,
                                      ", ".join(BUNDLE_TYPES[:3])))
                continue
            found += [(n, entry.resource, entry.fullUrl) for n, entry in enumerate(resource.entry or [], 1)
                      if entry.resource]
        else:
            found.append((number, resource, None))
    return found, problems


def _reference(resource: Any) -> str | None:
    subject = getattr(resource, "subject", None) or getattr(resource, "patient", None)
    return subject.reference if subject is not None and subject.reference else None


def _when(value: Any) -> date | None:
    """The calendar date of a FHIR date/dateTime as written (its own time zone); partial dates give None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _observed(resource: Any) -> tuple[Any, str]:
    """The effective time of an Observation and the element it came from."""
    for name in ("effectiveDateTime", "effectiveInstant"):
        if getattr(resource, name, None) is not None:
            return getattr(resource, name), name
    period = getattr(resource, "effectivePeriod", None)
    if period is not None and period.start is not None:
        return period.start, "effectivePeriod.start"
    return None, "effective[x]"


def _codings(concept: Any, system: str) -> list[Any]:
    return [c for c in (concept.coding or []) if c.system == system and c.code] if concept is not None else []


def _concept_text(concept: Any) -> str:
    """A CodeableConcept's text, else its first display, else ''."""
    if concept is None or concept.text:
        return concept.text if concept is not None else ""
    return next((c.display for c in concept.coding or [] if c.display), "")


def _observation_label(resource: Any) -> tuple[str | None, str, str | None]:
    """(analyte id or None, label, warning): LOINC first, then SNOMED findings, then the text as written."""
    for coding in _codings(resource.code, LOINC_SYSTEM):
        if coding.code in REFUSED_LOINC:
            return None, f"{_concept_text(resource.code) or 'LOINC'} {coding.code}", REFUSED_LOINC[coding.code]
        if coding.code == AGE_LOINC:
            return "age", "Age", None
        found = analyte_by_loinc(coding.code)
        if found:
            return found, analyte(found).name, None
    for coding in _codings(resource.code, SNOMED_SYSTEM):
        if coding.code in _BY_SNOMED:
            return _BY_SNOMED[coding.code], analyte(_BY_SNOMED[coding.code]).name, None
    label = _concept_text(resource.code) or next((c.code for c in resource.code.coding or []), "")
    return None, label, None


def _value(resource: Any) -> tuple[str, str | None]:
    """(cell text, UCUM-derived unit) of an Observation's value[x]; ('', None) when it has none."""
    quantity = resource.valueQuantity
    if quantity is not None and quantity.value is not None:
        unit = from_ucum(quantity.code) if quantity.code and quantity.system in (None, "http://unitsofmeasure.org") \
            else quantity.unit
        return f"{quantity.comparator or ''}{quantity.value}", unit
    if resource.valueBoolean is not None:
        return ("yes" if resource.valueBoolean else "no"), None
    if resource.valueInteger is not None:
        return str(resource.valueInteger), None
    if resource.valueString is not None:
        return resource.valueString, None
    if resource.valueCodeableConcept is not None:
        return _concept_text(resource.valueCodeableConcept), None
    return "", None


def _reference_range(resource: Any, unit: str | None) -> tuple[dict[str, str], str | None]:
    """ref_low/ref_high/ref_text of the first referenceRange, in the value's unit."""
    ranges = resource.referenceRange or []
    if not ranges:
        return {}, None
    first = ranges[0]
    out: dict[str, str] = {}
    for name, quantity in (("ref_low", first.low), ("ref_high", first.high)):
        if quantity is not None and quantity.value is not None:
            written = from_ucum(quantity.code) if quantity.code else quantity.unit
            if written and unit and written != unit:
                return {}, f"the reference range is in {written}, the value in {unit}: the range is not read"
            out[name] = str(quantity.value)
    if not out and first.text:
        out["ref_text"] = first.text
    return out, None


def _medication(resource: Any, kind: str) -> dict:
    """name, start/end date, dose, dose_unit, route of a MedicationAdministration/Statement."""
    name = _concept_text(resource.medicationCodeableConcept) or (
        resource.medicationReference.display if resource.medicationReference else "") or "medication"
    period = resource.effectivePeriod
    start = resource.effectiveDateTime or (period.start if period else None)
    end = period.end if period and period.end else start
    dose = unit = route = note = None
    if kind == "MedicationAdministration" and resource.dosage is not None:
        dosage = resource.dosage
        dose, unit = (dosage.dose.value, dosage.dose.unit or from_ucum(dosage.dose.code)) if dosage.dose else (None,
                                                                                                             None)
        route, note = _concept_text(dosage.route) or None, dosage.text
    elif kind == "MedicationStatement" and resource.dosage:
        dosage = resource.dosage[0]
        quantity = dosage.doseAndRate[0].doseQuantity if dosage.doseAndRate else None
        if quantity is not None:
            dose, unit = quantity.value, quantity.unit or from_ucum(quantity.code)
        route, note = _concept_text(dosage.route) or None, dosage.text
    return {"kind": "medication", "name": name, "start": _when(start), "end": _when(end),
            "dose": None if dose is None else float(dose), "dose_unit": unit, "route": route, "note": note}


def _procedure(resource: Any) -> dict:
    """name and start/end date of a Procedure (an event of kind procedure)."""
    period = resource.performedPeriod
    start = resource.performedDateTime or (period.start if period else None)
    end = period.end if period and period.end else start
    return {"kind": "procedure", "name": _concept_text(resource.code) or "procedure", "start": _when(start),
            "end": _when(end), "dose": None, "dose_unit": None, "route": None, "note": None}


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


def read_fhir(path: str | Path, data: bytes | None = None) -> Cohort:
    """Every patient of a FHIR Bundle or NDJSON file as a case; never raises for bad input."""
    path = Path(path)
    file = PurePosixPath(str(path)).name
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return Cohort(problems=[error(f"unreadable: {exc.strerror}", file)])
    resources, problems = _resources(data, file)
    patients = _collect(resources, file, problems)
    cohort = Cohort(problems=problems)
    stem = PurePosixPath(file).name.split(".")[0] or "fhir"
    for collected in patients.values():
        case_id = stem if len(patients) == 1 else f"{stem}-{collected.number}"
        case, more = _case(case_id, collected, file)
        cohort.problems += more
        if case is not None:
            cohort.cases.append(case)
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
            _read_patient(resource, patients.setdefault(key, _Patient(len(patients) + 1)))

    def patient_of(reference: str | None) -> _Patient:
        key = aliases.get(reference or "", reference or "(no subject)")
        return patients.setdefault(key, _Patient(len(patients) + 1))

    for number, resource, _full_url in resources:
        kind = resource.get_resource_type()
        if kind == "Observation":
            _read_observation(resource, number, patient_of(_reference(resource)), file, problems)
        elif kind == "Condition":
            _read_condition(resource, number, patient_of(_reference(resource)), file, problems)
        elif kind in ("MedicationAdministration", "MedicationStatement", "Procedure"):
            record = _procedure(resource) if kind == "Procedure" else _medication(resource, kind)
            if record["start"] is None:
                problems.append(warning(f"{kind} '{record['name']}' without a full date is not placed on the day "
                                        "axis", file, number, "effective[x]"))
                continue
            patient_of(_reference(resource)).events.append(record)
    # resources that name no subject belong to the only patient, when there is one
    orphans = patients.pop("(no subject)", None)
    if orphans is not None and len(patients) == 1:
        only = next(iter(patients.values()))
        only.readings, only.conditions = only.readings + orphans.readings, only.conditions + orphans.conditions
        only.events += orphans.events
    elif orphans is not None:
        patients["(no subject)"] = orphans
    return patients


def _read_patient(resource: Any, collected: _Patient) -> None:
    if resource.gender in ("female", "male"):
        collected.patient["sex"] = resource.gender[0].upper()
    collected.birth = resource.birthDate if isinstance(resource.birthDate, date) else None
    collected.left_out |= {name for name in PATIENT_DETAILS if getattr(resource, name, None)}


def _read_observation(resource: Any, number: int, collected: _Patient, file: str, problems: list[Problem]) -> None:
    found, label, note = _observation_label(resource)
    text, unit = _value(resource)
    if found == "age":
        collected.patient["age"] = int(float(text)) if text else None
        return
    when, element = _observed(resource)
    day = _when(when)
    if day is None:
        problems.append(error("an Observation without a full date", file, number, element, str(when or ""),
                              "effectiveDateTime with year, month and day"))
        return
    if note:
        problems.append(warning(f"{note}: kept as unmapped", file, number, "code", label))
    ref, ref_note = _reference_range(resource, unit)
    if ref_note:
        problems.append(warning(ref_note, file, number, "referenceRange"))
    if resource.status in ("entered-in-error", "cancelled"):
        return
    collected.readings.append({"date": day, "label": label, "text": text, "unit": unit, "line": number,
                               "column": f"Observation {element}", **ref})


def _read_condition(resource: Any, number: int, collected: _Patient, file: str, problems: list[Problem]) -> None:
    finding = next((_BY_SNOMED[c.code] for c in _codings(resource.code, SNOMED_SYSTEM) if c.code in _BY_SNOMED),
                   None)
    if finding is None:
        named = match_analyte(_concept_text(resource.code))
        finding = named if named and analyte(named).kind == "finding" else None
    if finding is None:
        return
    verification = _concept_text(resource.verificationStatus) or next(
        (c.code for c in (resource.verificationStatus.coding if resource.verificationStatus else []) or []), "")
    if verification == "entered-in-error":
        return
    onset = _when(resource.onsetDateTime or (resource.onsetPeriod.start if resource.onsetPeriod else None))
    recorded = _when(resource.recordedDate)
    if verification == "refuted":
        onset = onset or recorded
    if onset is None:
        problems.append(warning(f"{analyte(finding).name} Condition without an onset or recorded date: not placed",
                                file, number, "onset[x]"))
        return
    abatement = _when(resource.abatementDateTime or (resource.abatementPeriod.start if resource.abatementPeriod
                                                     else None))
    collected.conditions.append({"finding": finding, "onset": onset, "abatement": abatement,
                                 "refuted": verification == "refuted", "line": number})


def _case(case_id: str, collected: _Patient, file: str):
    problems: list[Problem] = []
    if not collected.readings:
        return None, [warning(f"patient {collected.number} has no dated observations: no case", file)]
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
    if case is not None:
        case.problems = problems + case.problems
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


def load_fhir(path: str | Path) -> list:
    """Every patient of the file as a `Case`; raises CaseError listing every problem when any is an error."""
    return read_fhir(path).raise_on_errors()
