"""Case metadata: case.toml (or the `case` sheet of a workbook) -> a plain dict.

Keys: id, title, source, decimal, [patient] (age, sex, weight_kg, height_cm, ...), [timepoints] label -> day.
Days must be numbers: they place timepoints on the day axis and order them. `decimal` ("." or ",") states
the labs' decimal separator instead of detecting it.
"""

from __future__ import annotations

import math
import re
import tomllib

from dashboard.ingest.problems import Problem, error, warning

KNOWN_KEYS = ("id", "title", "source", "decimal", "patient", "timepoints")
DECIMALS = (".", ",")
NUMERIC_PATIENT_KEYS = ("age", "weight_kg", "height_cm")


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf'^\s*"?{re.escape(key)}"?\s*=', line):
            return number
    return None


def read_case_toml(data: bytes, file: str = "case.toml") -> tuple[dict, list[Problem]]:
    """Parse case.toml; syntax errors and non-numeric days become problems with their line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}, [error("case.toml is not UTF-8 text", file, expected="a UTF-8 TOML file")]
    try:
        meta = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        return {}, [error(f"not valid TOML: {exc}", file, int(found.group(1)) if found else None,
                          expected='key = "value" lines, [patient] and [timepoints] tables')]
    return meta, validate_meta(meta, file, lambda key: _line_of(text, key))


def validate_meta(meta: dict, file: str, line_of=lambda key: None) -> list[Problem]:
    """Problems in a metadata dict: days and patient numbers that are not numbers, unknown keys."""
    problems: list[Problem] = []
    timepoints = meta.get("timepoints", {})
    if not isinstance(timepoints, dict):
        return [error("[timepoints] must be a table of label = day", file, expected='"Admission" = 0')]
    for label, day in timepoints.items():
        if isinstance(day, bool) or not isinstance(day, (int, float)) or not math.isfinite(day):
            problems.append(error(f"the day of timepoint '{label}' is not a number", file, line_of(label),
                                  "timepoints", str(day), "a number of days from day 0, e.g. 7"))
    patient = meta.get("patient", {})
    if isinstance(patient, dict):
        for key in NUMERIC_PATIENT_KEYS:
            value = patient.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                problems.append(error(f"patient {key} is not a number", file, line_of(key), "patient",
                                      str(value), "a number"))
    if "decimal" in meta and meta["decimal"] not in DECIMALS:
        problems.append(error("decimal must be \".\" or \",\"", file, line_of("decimal"), "decimal",
                              str(meta["decimal"]), 'decimal = "," (decimal commas) or decimal = "." (points)'))
    for key, value in meta.items():
        if key not in KNOWN_KEYS and not isinstance(value, dict):
            problems.append(warning(f"unknown key '{key}' is kept but not used", file, line_of(key), key))
    return problems


def meta_from_pairs(pairs: list[tuple[int, str, str]], file: str = "case") -> tuple[dict, list[Problem]]:
    """The two-column key/value `case` sheet: `title`, `patient.age`, `timepoints.Admission` = 0, ..."""
    meta: dict = {}
    problems: list[Problem] = []
    for line, key, value in pairs:
        key = key.strip()
        if not key or key.casefold() == "key":
            continue
        section, _, name = key.partition(".")
        if name and section.casefold() in ("patient", "timepoints"):
            meta.setdefault(section.casefold(), {})[name] = _typed(value)
        else:
            meta[key.casefold() if key.casefold() in KNOWN_KEYS else key] = value
    problems += validate_meta(meta, file, lambda key: next((ln for ln, k, _ in pairs if k.endswith(key)), None))
    return meta, problems


def _typed(value: str) -> object:
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number
