"""FHIR R4 resources and their elements read as casetrack values: the parsing half of the FHIR reader.

`resources_of` parses and validates every resource with fhir.resources (R4B models, which R4 resources of
these types read as), so a malformed date or decimal is reported with the element's path instead of being
guessed. The other functions read one element each: an Observation's analyte (LOINC first, then SNOMED CT,
then its text), value and UCUM unit, reference range and date; a medication or procedure as an event.
Which patient a resource is about, and how resources become cases, is `ingest/fhir.py`.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from dashboard.domain.analytes import analyte
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
from dashboard.ingest.problems import Problem, error

BUNDLE_TYPES = ("collection", "searchset", "transaction", "batch", "transaction-response", "batch-response")
BY_SNOMED = {code: finding for finding, (code, _display) in FINDING_SNOMED.items()}


def resources_of(data: bytes, file: str) -> tuple[list[tuple[int, Any, str | None]], list[Problem]]:
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


def subject_reference(resource: Any) -> str | None:
    subject = getattr(resource, "subject", None) or getattr(resource, "patient", None)
    return subject.reference if subject is not None and subject.reference else None


def calendar_date(value: Any) -> date | None:
    """The calendar date of a FHIR date/dateTime as written (its own time zone); partial dates give None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def observed_at(resource: Any) -> tuple[Any, str]:
    """The effective time of an Observation and the element it came from."""
    for name in ("effectiveDateTime", "effectiveInstant"):
        if getattr(resource, name, None) is not None:
            return getattr(resource, name), name
    period = getattr(resource, "effectivePeriod", None)
    if period is not None and period.start is not None:
        return period.start, "effectivePeriod.start"
    return None, "effective[x]"


def codings(concept: Any, system: str) -> list[Any]:
    return [c for c in (concept.coding or []) if c.system == system and c.code] if concept is not None else []


def concept_text(concept: Any) -> str:
    """A CodeableConcept's text, else its first display, else ''."""
    if concept is None or concept.text:
        return concept.text if concept is not None else ""
    return next((c.display for c in concept.coding or [] if c.display), "")


def observation_label(resource: Any) -> tuple[str | None, str, str | None]:
    """(analyte id or None, label, warning): LOINC first, then SNOMED findings, then the text as written."""
    for coding in codings(resource.code, LOINC_SYSTEM):
        if coding.code in REFUSED_LOINC:
            return None, f"{concept_text(resource.code) or 'LOINC'} {coding.code}", REFUSED_LOINC[coding.code]
        if coding.code == AGE_LOINC:
            return "age", "Age", None
        found = analyte_by_loinc(coding.code)
        if found:
            return found, analyte(found).name, None
    for coding in codings(resource.code, SNOMED_SYSTEM):
        if coding.code in BY_SNOMED:
            return BY_SNOMED[coding.code], analyte(BY_SNOMED[coding.code]).name, None
    label = concept_text(resource.code) or next((c.code for c in resource.code.coding or []), "")
    return None, label, None


def observation_value(resource: Any) -> tuple[str, str | None]:
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
        return concept_text(resource.valueCodeableConcept), None
    return "", None


def reference_range(resource: Any, unit: str | None) -> tuple[dict[str, str], str | None]:
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


def medication_event(resource: Any, kind: str) -> dict:
    """name, start/end date, dose, dose_unit, route of a MedicationAdministration/Statement."""
    name = concept_text(resource.medicationCodeableConcept) or (
        resource.medicationReference.display if resource.medicationReference else "") or "medication"
    period = resource.effectivePeriod
    start = resource.effectiveDateTime or (period.start if period else None)
    end = period.end if period and period.end else start
    dose = unit = route = note = None
    if kind == "MedicationAdministration" and resource.dosage is not None:
        dosage = resource.dosage
        dose, unit = (dosage.dose.value, dosage.dose.unit or from_ucum(dosage.dose.code)) if dosage.dose else (None,
                                                                                                             None)
        route, note = concept_text(dosage.route) or None, dosage.text
    elif kind == "MedicationStatement" and resource.dosage:
        dosage = resource.dosage[0]
        quantity = dosage.doseAndRate[0].doseQuantity if dosage.doseAndRate else None
        if quantity is not None:
            dose, unit = quantity.value, quantity.unit or from_ucum(quantity.code)
        route, note = concept_text(dosage.route) or None, dosage.text
    return {"kind": "medication", "name": name, "start": calendar_date(start), "end": calendar_date(end),
            "dose": None if dose is None else float(dose), "dose_unit": unit, "route": route, "note": note}


def procedure_event(resource: Any) -> dict:
    """name and start/end date of a Procedure (an event of kind procedure)."""
    period = resource.performedPeriod
    start = resource.performedDateTime or (period.start if period else None)
    end = period.end if period and period.end else start
    return {"kind": "procedure", "name": concept_text(resource.code) or "procedure", "start": calendar_date(start),
            "end": calendar_date(end), "dose": None, "dose_unit": None, "route": None, "note": None}


