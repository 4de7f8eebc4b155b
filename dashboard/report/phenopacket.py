"""A case as a GA4GH Phenopacket v2 (JSON), the form published case reports are curated into.

* measurements: every lab value with a LOINC code, `timeObserved` as a timestamp (day 0 + the
  timepoint's day), the value in the catalogue unit (UCUM) with the reference range; positive/negative
  tests as NCIT Positive/Negative Finding. Censored values (`<0.5`) are left out, with a note: a
  Phenopacket quantity has no comparator, and writing the bound as the value would be wrong.
* phenotypicFeatures: findings with an HPO term (hepatomegaly, splenomegaly, hemophagocytosis, bleeding,
  nervous system, arthritis). Present at any timepoint -> a feature with its onset (first positive) and
  resolution (first negative after the last positive); only documented absence -> `excluded: true`;
  never reported -> left out (unknown is not absent).
* medicalActions: medications as treatments with dose intervals (`1 g/day` -> 1 g, schedule Daily),
  routes IV/oral as NCIT terms; procedures as procedures. Drug and procedure names are not mapped to an
  ontology: they carry local `casetrack:` ids for a curator to replace.
* metaData: the case's `source` as the external reference (its PMID or DOI as id when it names one).

Validation uses what the `phenopackets` package ships: the protobuf schema (every field name, type and
enum is checked by parsing into the `Phenopacket` message), plus the schema's documented requirements
(`check_phenopacket`). The package has no separate validator.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

from dashboard.domain.analytes import analyte
from dashboard.domain.codes import FINDING_HPO, export_loinc, to_ucum
from dashboard.domain.units import is_unit
from dashboard.report.fhir_export import day0_of, records

RESOURCES = {
    "HP": {"id": "hp", "name": "human phenotype ontology", "url": "http://purl.obolibrary.org/obo/hp.owl"},
    "LOINC": {"id": "loinc", "name": "Logical Observation Identifiers Names and Codes", "url": "https://loinc.org"},
    "UCUM": {"id": "ucum", "name": "Unified Code for Units of Measure", "url": "https://ucum.org"},
    "NCIT": {"id": "ncit", "name": "NCI Thesaurus", "url": "http://purl.obolibrary.org/obo/ncit.owl"},
    "casetrack": {"id": "casetrack", "name": "names as written in the casetrack case (not mapped to an ontology)",
                  "url": "urn:casetrack"},
}
IRI = {"HP": "http://purl.obolibrary.org/obo/HP_", "LOINC": "https://loinc.org/", "UCUM": "https://ucum.org/",
       "NCIT": "http://purl.obolibrary.org/obo/NCIT_", "casetrack": "urn:casetrack:"}
FINDING_RESULT = {"positive": ("NCIT:C38758", "Positive Finding"), "negative": ("NCIT:C38757", "Negative Finding")}
ROUTES = {"iv": ("NCIT:C38276", "Intravenous Route of Administration"),
          "intravenous": ("NCIT:C38276", "Intravenous Route of Administration"),
          "oral": ("NCIT:C38288", "Oral Route of Administration"), "po": ("NCIT:C38288", "Oral Route of Administration")}
DAILY = ("NCIT:C25473", "Daily")
DOSE_UNITS = ("g", "mg", "µg", "mL", "g/kg", "mg/kg")  # UCUM units of doses, beside the catalogue's lab units
_CURIE = re.compile(r"^([A-Za-z][\w.]*):\S+$")
_SOURCE_ID = re.compile(r"\b(PMID:\s*\d+|doi:\s*10\.\S+)", re.IGNORECASE)


def _term(curie: str, label: str) -> dict:
    return {"id": curie, "label": label}


def _stamp(day0: date, day: float | None) -> dict | None:
    if day is None:
        return None
    return {"timestamp": f"{(day0 + timedelta(days=float(day))).isoformat()}T00:00:00Z"}


def _unit(unit: str) -> dict:
    return _term(f"UCUM:{to_ucum(unit)}", unit) if unit in ("titer", *DOSE_UNITS) or is_unit(unit) else \
        _term(f"casetrack:{_slug(unit)}", unit)


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "-", text).strip("-").lower() or "unnamed"


def _measurement(row: dict, day0: date, notes: list[str]) -> dict | None:
    loinc = export_loinc(row["analyte"]) if row["analyte"] else None
    where = f"'{row['label']}' at '{row['timepoint']}'"
    if loinc is None:
        notes.append(f"{where}: no LOINC code, left out of the measurements")
        return None
    if row["qualifier"]:
        notes.append(f"{where} is censored ({row['orig_text']}): a Phenopacket quantity has no comparator, left out")
        return None
    if row["result"] in FINDING_RESULT and (row["unit"] is None or row["value"] is None):
        value = {"ontologyClass": _term(*FINDING_RESULT[row["result"]])}
    elif row["value"] is not None and row["unit"] is not None:
        quantity = {"unit": _unit(row["unit"]), "value": row["value"]}
        if row["ref_high"] is not None:  # no lower limit given: 0, the floor of a concentration or count
            quantity["referenceRange"] = {"unit": _unit(row["unit"]), "low": row["ref_low"] or 0.0,
                                          "high": row["ref_high"]}
        elif row["ref_low"] is not None:
            notes.append(f"{where}: a reference range with only a lower limit cannot be written, left out")
        value = {"quantity": quantity}
    else:
        notes.append(f"{where}: result '{row['orig_text']}' has no Phenopacket value here, left out")
        return None
    day = "" if row["day"] is None else f" (day {row['day']:g})"
    out = {"description": f"{row['label']} at {row['timepoint']}{day}",
           "assay": _term(f"LOINC:{loinc}", analyte(row["analyte"]).name), "value": value}
    stamp = _stamp(day0, row["day"])
    if stamp is None:
        notes.append(f"{where}: the timepoint has no day, so no timeObserved")
    else:
        out["timeObserved"] = stamp
    return out


def _features(rows: list[dict], day0: date, notes: list[str]) -> list[dict]:
    """One phenotypic feature per finding with an HPO term and at least one known value."""
    by_finding: dict[str, list[dict]] = {}
    for row in rows:
        by_finding.setdefault(row["analyte"], []).append(row)
    features = []
    for finding, found in by_finding.items():
        if finding not in FINDING_HPO:
            notes.append(f"finding '{found[0]['label']}' has no HPO term here: left out of the phenotypic features")
            continue
        states = [(r, _present(r)) for r in sorted(found, key=lambda r: r["tp_order"])]
        states = [(r, s) for r, s in states if s is not None]
        if not states:
            continue
        feature = {"type": _term(*FINDING_HPO[finding]),
                   "description": "; ".join(f"{r['timepoint']}: {r['orig_text']}" for r, _ in states)}
        positive = [i for i, (_, s) in enumerate(states) if s]
        if not positive:
            feature["excluded"] = True
        else:
            onset = _stamp(day0, states[positive[0]][0]["day"])
            resolved = next((r for r, s in states[positive[-1] + 1:] if not s), None)
            feature |= {"onset": onset} if onset else {}
            if resolved is not None and _stamp(day0, resolved["day"]):
                feature["resolution"] = _stamp(day0, resolved["day"])
        features.append(feature)
    return features


def _present(row: dict) -> bool | None:
    if row["result"] in ("positive", "negative"):
        return row["result"] == "positive"
    if row["value"] is not None and row["unit"] == "cm":
        return row["value"] > 0
    return None


def _action(event: dict, day0: date, notes: list[str]) -> dict | None:
    name = event["name"]
    if event["kind"] == "procedure":
        procedure = {"code": _term(f"casetrack:{_slug(name)}", name)}
        if _stamp(day0, event["start_day"]):
            procedure["performed"] = _stamp(day0, event["start_day"])
        return {"procedure": procedure}
    if event["kind"] != "medication":
        notes.append(f"{event['kind']} event '{name}' is not a medical action: left out")
        return None
    treatment: dict = {"agent": _term(f"casetrack:{_slug(name)}", name)}
    route = (event["route"] or "").strip().casefold()
    if route in ROUTES:
        treatment["routeOfAdministration"] = _term(*ROUTES[route])
    elif route:
        notes.append(f"route '{event['route']}' of '{name}' has no NCIT term here: left out")
    if event["dose"] is not None:
        unit = event["dose_unit"] or ""
        interval: dict = {"quantity": {"unit": _unit(unit.removesuffix("/day") or "1"), "value": event["dose"]}}
        if unit.endswith("/day"):
            interval["scheduleFrequency"] = _term(*DAILY)
        end = event["end_day"] if event["end_day"] is not None else event["start_day"]
        interval["interval"] = {"start": _stamp(day0, event["start_day"])["timestamp"],
                                "end": _stamp(day0, end + 1)["timestamp"]}  # the end day is included
        treatment["doseIntervals"] = [interval]
    return {"treatment": treatment}


def case_phenopacket(case, day0: date | None = None, created: datetime | None = None) -> tuple[dict, list[str]]:
    """(Phenopacket v2 as JSON-ready dict, notes on what was left out); checked before it is returned."""
    start, notes = day0_of(case.meta, day0)
    rows = [r for r in records(case.observations) if r["orig_text"] is not None]
    is_finding = [bool(r["analyte"]) and analyte(r["analyte"]).kind == "finding" for r in rows]
    findings = [r for r, finding in zip(rows, is_finding, strict=True) if finding]
    measured = [m for r, finding in zip(rows, is_finding, strict=True)
                if not finding and (m := _measurement(r, start, notes)) is not None]
    actions = [a for e in records(case.events) if (a := _action(e, start, notes)) is not None]
    now = (created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    document = {"id": case.id, "subject": _subject(case, start, rows),
                "phenotypicFeatures": _features(findings, start, notes), "measurements": measured,
                "medicalActions": actions, "metaData": _meta(case, now, notes if day0 is None else [])}
    document = {k: v for k, v in document.items() if v}
    problems = check_phenopacket(document)
    if problems:
        raise ValueError("the Phenopacket export is not valid: " + "; ".join(problems))
    return document, notes


def _subject(case, day0: date, rows: list[dict]) -> dict:
    patient = case.meta.get("patient") or {}
    subject = {"id": case.id, "sex": {"F": "FEMALE", "M": "MALE"}.get(patient.get("sex"), "UNKNOWN_SEX")}
    days = [r["day"] for r in rows if r["day"] is not None]
    if isinstance(patient.get("age"), int) and days:  # age in whole years at day 0: a one-year range later
        last = int(max(days))
        subject["timeAtLastEncounter"] = {"ageRange": {
            "start": {"iso8601duration": f"P{patient['age']}Y{last}D"},
            "end": {"iso8601duration": f"P{patient['age'] + 1}Y{last}D"}}}
    return subject


def _meta(case, now: str, placeholder: list[str]) -> dict:
    meta = {"created": now, "createdBy": "casetrack", "phenopacketSchemaVersion": "2.0",
            "resources": [{**r, "version": "unspecified", "namespacePrefix": prefix, "iriPrefix": IRI[prefix]}
                          for prefix, r in RESOURCES.items()]}
    source = case.meta.get("source")
    if source:
        found = _SOURCE_ID.search(source)
        meta["externalReferences"] = [{"id": re.sub(r"\s+", "", found.group(1)) if found else "",
                                       "description": source}]
    if placeholder:
        meta["updates"] = [{"timestamp": now, "updatedBy": "casetrack", "comment": placeholder[0]}]
    return meta


def check_phenopacket(document: dict) -> list[str]:
    """Problems of a Phenopacket document: its fit to the protobuf schema, then the documented requirements."""
    from google.protobuf import json_format
    from phenopackets.schema.v2.phenopackets_pb2 import Phenopacket

    try:
        json_format.Parse(json.dumps(document), Phenopacket())
    except json_format.ParseError as exc:
        return [f"does not fit the Phenopacket v2 schema: {exc}"]
    problems = [f"{name} is required" for name in ("id", "metaData") if not document.get(name)]
    meta = document.get("metaData", {})
    problems += [f"metaData.{name} is required" for name in ("created", "createdBy", "phenopacketSchemaVersion")
                 if not meta.get(name)]
    declared = {r.get("namespacePrefix") for r in meta.get("resources", [])}
    for path, term in _terms(document):
        found = _CURIE.match(term.get("id", ""))
        if not found or not term.get("label"):
            problems.append(f"{path}: an ontology class needs a CURIE id and a label")
        elif found.group(1) not in declared:
            problems.append(f"{path}: prefix {found.group(1)} is not among metaData.resources")
    for i, measurement in enumerate(document.get("measurements", [])):
        problems += [f"measurements[{i}].{name} is required" for name in ("assay", "value")
                     if name not in measurement]
    return problems


def _terms(node: object, path: str = ""):
    """Every ontology class (a dict with `id` and `label`) in the document, with its path."""
    if isinstance(node, dict):
        if set(node) == {"id", "label"}:
            yield path, node
            return
        for key, value in node.items():
            yield from _terms(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _terms(value, f"{path}[{i}]")
