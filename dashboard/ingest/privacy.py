"""Warnings for direct identifiers in a case about to be imported.

Published case reports are de-identified, but cases typed or exported locally may not be. These checks
look for the direct identifiers most often left in lab extracts (HIPAA Safe Harbor's list, narrowed to what
appears in lab tables): patient names, medical record numbers, full dates (of birth, or any full date),
ages over 89, phone numbers and e-mail addresses. They only ever warn: the user decides, the import goes on.

Flagged values are shown masked (first two characters kept) so the warning itself does not spread them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from dashboard.ingest.problems import Problem, warning

META_FILE = "case.toml"
EVENTS_FILE = "events.csv"

# --- identifier-shaped column names (matched after lower-casing and squashing punctuation to "_") -----------
_COLUMN_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("patient name", re.compile(
        r"^(patient_?|pt_?)?(first_?|last_?|given_?|family_?|full_?|middle_?|maiden_?|sur|fore)names?$"
        r"|^(patient_?|pt_?)names?$|^name$|^(patient_?)?initials$")),
    ("medical record number", re.compile(
        r"^(mrn|medical_?record(_?(number|no|num|nr|id))?|record_?(number|no|num|nr)|hospital_?(number|no|id)"
        r"|patient_?(number|no|nr)|chart_?(number|no)|nhs_?(number|no)?|ssn|social_?security(_?number)?"
        r"|insurance_?(number|no|id))$")),
    ("date of birth", re.compile(r"^(dob|d_o_b|date_?of_?birth|birth_?date|birthday|born(_?on)?)$")),
    ("phone number", re.compile(r"^(phone|telephone|tel|mobile|cell_?phone|(phone|contact)_?(number|no))$")),
    ("e-mail address", re.compile(r"^(e_?mail|e_?mail_?address|mail)$")),
    ("postal address", re.compile(r"^(address|street(_?address)?|home_?address|zip_?code|post_?code)$")),
)

# --- identifier-shaped values ------------------------------------------------------------------------------
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_FULL_DATE = re.compile(
    r"\b(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])\b"  # 1987-03-14
    r"|\b(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.](?:19|20)\d{2}\b"  # 14/03/1987, 03/14/1987
    rf"|\b\d{{1,2}}\s+{_MONTHS}\s+(?:19|20)\d{{2}}\b"  # 14 March 1987
    rf"|\b{_MONTHS}\s+\d{{1,2}},?\s+(?:19|20)\d{{2}}\b",  # March 14, 1987
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# at least two separated digit groups (8+ digits), optionally with a +country code: "+1 (555) 123-4567",
# "0151 234 5678". Lab values ("4.5–11.0", "1: 640") and dates never have that shape.
_PHONE = re.compile(
    r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?|\d{2,5}[\s.-])\d{3,4}[\s.-]?\d{3,4}(?![\w.])"
)
_LONG_DIGITS = re.compile(r"^[A-Za-z]{0,4}[-_ ]?\d{6,}$")  # MRN-like ids: "12345678", "MRN-0012345"
_NAME = re.compile(r"^[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?(?:,?\s+[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?){1,2}$")
_NOT_NAMES = frozenset({"case", "patient", "report", "seed", "test", "example", "demo", "cohort", "study",
                        "admission", "discharge", "baseline", "follow", "day", "week", "month", "after"})

# (tidy column, how a user knows it, where the user finds it): "cell" = timepoint column and analyte row
# of the wide layout, "header" = the timepoint column, "row" = the analyte row, "column" = the column of
# that name (events.csv), "" = the case as a whole
_PLACES = (("case_id", "case id", ""), ("timepoint", "timepoint label", "header"),
           ("label", "analyte label", "row"), ("orig_text", "value", "cell"),
           ("ref_text", "reference range", "row"), ("orig_unit", "unit", "row"))
_EVENT_PLACES = (("name", "event name", "column"), ("note", "event note", "column"),
                 ("dose_unit", "event dose unit", "column"))


@dataclass(frozen=True)
class _Hit:
    kind: str
    where: str
    value: str | None  # None when the column name itself is the finding
    file: str | None = None  # None: the labs file named by the caller
    column: str | None = None
    near: str | None = None  # the analyte label of the row, for the wide layout
    count: int = 1


def mask(value: str) -> str:
    """Keep the first two characters and the shape; hide every other letter and digit."""
    return value[:2] + re.sub(r"\w", "•", value[2:])


def squash(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def column_kind(name: str) -> str | None:
    """The kind of direct identifier a column (or meta key) name suggests, or None."""
    key = squash(name)
    return next((kind for kind, pattern in _COLUMN_KINDS if pattern.match(key)), None)


def looks_like_name(value: str) -> bool:
    """'Jane Doe', 'Doe, Jane', 'Mary-Ann Smith': a person's name where an id should be."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", value)}
    return bool(_NAME.match(value.strip())) and not words & _NOT_NAMES


def _value_hits(frame: pd.DataFrame, places: tuple[tuple[str, str, str], ...], file: str | None = None,
                ) -> Iterator[_Hit]:
    """Dates, e-mails and phone numbers in text columns; one hit per (kind, column).

    The patterns run on each column's distinct values only (a 1M-row extract has a few thousand), and the
    first matching row is located only when there is a hit.
    """
    for column, where, locate in places:
        if column not in frame.columns:
            continue
        values = frame[column].tolist()
        counts = Counter(v for v in values if isinstance(v, str))
        for kind, pattern in (("full date", _FULL_DATE), ("e-mail address", _EMAIL),
                              ("phone number", _PHONE)):
            # compiled patterns on plain strings: pandas' str.contains re-parses the pattern on each call,
            # which cost more than the rest of reading a case
            found = {text for text in counts if pattern.search(text)}
            if not found:
                continue
            first = next(i for i, v in enumerate(values) if v in found)
            text = values[first]
            yield _Hit(kind, where, pattern.search(text).group(0), file=file,
                       column=_text_at(frame, "timepoint", first) if locate in ("cell", "header") else
                       column if locate == "column" else None,
                       near=_text_at(frame, "label", first) if locate in ("cell", "row") else None,
                       count=sum(counts[text] for text in found))


def _text_at(frame: pd.DataFrame, column: str, position: int) -> str | None:
    if column not in frame.columns or pd.isna(frame[column].iloc[position]):
        return None
    return str(frame[column].iloc[position])


def _case_id_hits(observations: pd.DataFrame) -> Iterator[_Hit]:
    if "case_id" not in observations.columns:
        return
    for case_id in observations["case_id"].dropna().astype(str).unique():
        if _LONG_DIGITS.match(case_id.strip()):
            yield _Hit("medical record number", "case id", case_id)
        elif looks_like_name(case_id):
            yield _Hit("patient name", "case id", case_id)


def _flatten(meta: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    """(dotted key, last key, value) for every leaf of the case metadata."""
    for key, value in meta.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{path}.")
        else:
            yield path, str(key), value


def _meta_hits(meta: Mapping[str, Any]) -> Iterator[_Hit]:
    for path, key, value in _flatten(meta):
        if path == "source":  # a citation: author names and publication dates are expected there
            continue
        text = "" if value is None else str(value)
        kind = None if path.startswith("timepoints.") else column_kind(key)
        if kind and text:
            yield _Hit(kind, f"case metadata `{path}`", text, file=META_FILE, column=path)
        if path == "patient.age" and _number(value) is not None and _number(value) > 89:
            yield _Hit("age over 89", "case metadata `patient.age`", text, file=META_FILE, column=path)
        if path.startswith("timepoints."):
            text = f"{key} {text}"  # timepoint labels are keys
        for kind, pattern in (("full date", _FULL_DATE), ("e-mail address", _EMAIL), ("phone number", _PHONE)):
            match = pattern.search(text)
            if match:
                yield _Hit(kind, f"case metadata `{path}`", match.group(0), file=META_FILE, column=path)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# what a de-identified case gives instead (Problem.expected)
_INSTEAD = {
    "patient name": "no names: a neutral case id such as 'case-01'",
    "medical record number": "a neutral case id such as 'case-01', not a record number",
    "date of birth": "the age in years (case.toml [patient] age), not a date of birth",
    "full date": "days relative to day 0 (case.toml [timepoints]), not calendar dates",
    "age over 89": "'90 or over' for ages above 89",
    "phone number": "no contact details",
    "e-mail address": "no contact details",
    "postal address": "no addresses",
}


IDENTIFIER_MESSAGE = "Possible direct identifier"


def is_identifier_warning(problem: Problem) -> bool:
    """True for the warnings of this module (the upload page shows them under their own heading)."""
    return problem.message.startswith(IDENTIFIER_MESSAGE)


def _problem(hit: _Hit, file: str) -> Problem:
    details = [f"row '{hit.near}'"] if hit.near else []
    details += [f"{hit.count} cells"] if hit.count > 1 else []
    detail = f" ({'; '.join(details)})" if details else ""
    return warning(
        f"{IDENTIFIER_MESSAGE} ({hit.kind}) in the {hit.where}{detail}.",
        file=hit.file or file,
        column=hit.column,
        value=None if hit.value is None else mask(hit.value),
        expected=_INSTEAD[hit.kind],
    )


# `Name: Doe, John; DOB: 1980-01-01`: the parts of a banner line, each `key: value`
_BANNER_PARTS = re.compile(r"[;|\t]|\s{2,}|,\s*(?=[A-Za-z][\w ]{0,30}:)")


def line_identifiers(text: str, file: str, row: int) -> tuple[str, list[Problem]]:
    """A free-text line beside a labs table (a lab system's banner read as a title: `Patient: Doe, John`,
    `DOB: 1980-01-01`, `MRN: 12345678`) with its direct identifiers masked, and a warning for each kind."""
    hits: list[_Hit] = []
    for part in _BANNER_PARTS.split(text):
        key, colon, value = (t.strip() for t in part.partition(":"))
        kind = column_kind(key) if colon and value else None
        if kind is None and colon and squash(key) in ("patient", "pt", "patient_id") and looks_like_name(value):
            kind = "patient name"
        if kind is None and colon and _LONG_DIGITS.match(value):
            kind = "medical record number" if squash(key) in ("patient", "pt", "patient_id", "id") else None
        if kind:
            hits.append(_Hit(kind, "line set aside beside the table", value))
    for kind, pattern in (("full date", _FULL_DATE), ("e-mail address", _EMAIL), ("phone number", _PHONE)):
        match = pattern.search(text)
        if match:
            hits.append(_Hit(kind, "line set aside beside the table", match.group(0)))
    first: dict[str, _Hit] = {}
    for hit in hits:  # one warning per kind: the first found
        first.setdefault(hit.kind, hit)
    for hit in hits:
        text = text.replace(hit.value, mask(hit.value))
    return text, [replace(_problem(hit, file), row=row) for hit in first.values()]


def identifier_warnings(
    observations: pd.DataFrame,
    meta: Mapping[str, Any] | None = None,
    raw_columns: Iterable[str] = (),
    events: pd.DataFrame | None = None,
    file: str = "labs.csv",
) -> list[Problem]:
    """Warnings (never errors) for anything in a case that looks like a direct identifier.

    The loader (`ingest.bundle`) runs this on every case it reads, whatever the file type.
    `raw_columns` are the column names of the labs file as read (the tidy frame no longer has them);
    do not pass the events file's columns: its `name` column is the event's name, not the patient's.
    `events` is checked for dates, e-mails and phone numbers in event names and notes.
    """
    hits: list[_Hit] = []
    for name in raw_columns:
        kind = column_kind(name)
        if kind:
            hits.append(_Hit(kind, f"column `{name}`", None, column=str(name)))
    hits.extend(_case_id_hits(observations))
    hits.extend(_value_hits(observations, _PLACES))
    if events is not None:
        hits.extend(_value_hits(events, _EVENT_PLACES, file=EVENTS_FILE))
    hits.extend(_meta_hits(meta or {}))
    first: dict[tuple[str, str], _Hit] = {}
    for hit in hits:  # one warning per kind and place: the first hit, with its count
        first.setdefault((hit.kind, hit.where), hit)
    return [_problem(hit, file) for hit in first.values()]
