"""A CDISC SDTM study (a folder, .zip or upload of domain datasets, .xpt or .csv) -> one case per subject.

Domains read: LB (labs, with the same column rules as a single SDTM LB file), VS (`TEMP` -> temperature,
counted by the scores like a labs row; `WEIGHT`/`HEIGHT` -> patient weight_kg/height_cm), EX and CM
(treatments -> medication events with dose, unit, route and study days) and DM (AGE, SEX; nothing else:
names, initials and birth dates are never read). Every USUBJID is a case.

Timepoints are `VISIT` labels; their day is `VISITDY`, else the visit's earliest `--DY`. Days are SDTM
study days as written: day 1 is the reference start date (DM.RFSTDTC) and the day before it is day -1;
there is no day 0. A `--DY` left empty is computed from `--DTC` and RFSTDTC by that same rule.

Which files make a study, and reading them (.xpt with pyreadstat), is `ingest/sdtm_files.py`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from dashboard.ingest.archive import upload_members
from dashboard.ingest.case import Case
from dashboard.ingest.grid import Grid
from dashboard.ingest.problems import Problem, error, warning
from dashboard.ingest.sdtm import read_sdtm
from dashboard.ingest.sdtm_files import domain_grids, path_members
from dashboard.ingest.study import Cohort, case_from_rows

# CDISC controlled terminology for units that casetrack spells otherwise.
CDISC_UNITS = {"C": "°C", "F": "°F", "kg": "kg", "LB": "lb", "cm": "cm", "in": "in", "IN": "in"}
TO_KG = {"kg": 1.0, "lb": 0.45359237, "g": 0.001}
TO_CM = {"cm": 1.0, "in": 2.54, "m": 100.0, "mm": 0.1}
TREATMENT_COLUMNS = ("TRT", "DOSE", "DOSU", "ROUTE", "STDY", "ENDY", "STDTC", "ENDTC", "DOSFRQ")
DAILY = {"QD", "DAILY", "Q24H", "ONCE DAILY"}


def _records(grid: Grid) -> list[dict[str, str]]:
    header = [h.strip().upper() for h in grid.header]
    return [{"_line": line, **dict(zip(header, row))} for line, row in zip(grid.lines, grid.rows)]


def _study_day(record: dict, prefix: str, day_key: str, dtc_key: str, reference: dict[str, date],
               file: str, problems: list[Problem]) -> float | None:
    """`--DY` as written, else computed from `--DTC` and RFSTDTC (SDTM: no day 0)."""
    text = record.get(f"{prefix}{day_key}", "")
    if text:
        try:
            day = float(text)
        except ValueError:
            problems.append(error("the study day is not a number", file, record["_line"], f"{prefix}{day_key}",
                                  text, "an SDTM study day such as 1 or -3"))
            return None
        if day == 0:
            problems.append(error("study day 0 does not exist in SDTM", file, record["_line"],
                                  f"{prefix}{day_key}", text, "1 for the reference start date, -1 the day before"))
            return None
        return day
    start = reference.get(record.get("USUBJID", ""))
    written = record.get(f"{prefix}{dtc_key}", "")[:10]
    if start is None or len(written) < 10:
        return None
    try:
        delta = (date.fromisoformat(written) - start).days
    except ValueError:
        problems.append(error("not an ISO 8601 date", file, record["_line"], f"{prefix}{dtc_key}", written,
                              "YYYY-MM-DD"))
        return None
    return float(delta + 1 if delta >= 0 else delta)


def _subjects(grids: dict[str, Grid], problems: list[Problem]) -> tuple[dict, dict[str, date]]:
    """DM: subject -> meta (title, patient age/sex), and each subject's reference start date."""
    subjects: dict[str, dict] = {}
    reference: dict[str, date] = {}
    if "dm" not in grids:
        return subjects, reference
    grid = grids["dm"]
    for record in _records(grid):
        subject = record.get("USUBJID", "")
        patient: dict = {}
        age, unit = record.get("AGE", ""), record.get("AGEU", "YEARS").upper() or "YEARS"
        if age and not _is_number(age):
            problems.append(error("AGE is not a number", grid.file, record["_line"], "AGE", age, "a number of years"))
        elif age and unit == "YEARS":
            patient["age"] = _number(age)
        elif age:
            problems.append(warning(f"age in {unit} is not stored (casetrack keeps age in years)", grid.file,
                                    record["_line"], "AGEU", unit))
        if record.get("SEX", "").upper() in ("F", "M"):
            patient["sex"] = record["SEX"].upper()
        subjects[subject] = {"title": f"{record.get('STUDYID') or 'SDTM study'} subject {subject}",
                             "patient": patient}
        if len(record.get("RFSTDTC", "")) >= 10:
            try:
                reference[subject] = date.fromisoformat(record["RFSTDTC"][:10])
            except ValueError:
                problems.append(error("not an ISO 8601 date", grid.file, record["_line"], "RFSTDTC",
                                      record["RFSTDTC"], "YYYY-MM-DD"))
    ignored = sorted({"BRTHDTC", "SUBJINIT", "INVNAM", "NAME"} & {h.upper() for h in grid.header})
    if ignored:
        problems.append(warning(f"DM columns {', '.join(ignored)} are not read or stored (casetrack keeps age "
                                "and sex only)", grid.file, 1))
    return subjects, reference


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _lab_rows(grid: Grid, reference: dict[str, date], problems: list[Problem]) -> list[dict]:
    """LB through today's SDTM LB reader; --DY computed from LBDTC when VISITDY and LBDY are empty."""
    raw, more = read_sdtm(grid)
    problems += more
    rows = raw.to_dict("records")
    records = {r["_line"]: r for r in _records(grid)}
    for row in rows:
        row["file"] = grid.file
        text = str(row["day"]).strip()
        row["day"] = _study_day(records[row["line"]], "LB", "DY", "DTC", reference, grid.file, problems) \
            if not text else _study_day({"_line": row["line"], "LBDY": text}, "LB", "DY", "DTC", {}, grid.file,
                                        problems)
    return rows


def _vital_rows(grid: Grid, subjects: dict, reference: dict[str, date], problems: list[Problem]) -> list[dict]:
    """VS: TEMP rows as temperature observations; WEIGHT and HEIGHT (first recorded) into the patient."""
    rows, ignored = [], set()
    for record in _records(grid):
        test, text = record.get("VSTESTCD", "").upper(), record.get("VSORRES", "")
        unit = CDISC_UNITS.get(record.get("VSORRESU", ""), record.get("VSORRESU", ""))
        subject = record.get("USUBJID", "")
        if test in ("WEIGHT", "HEIGHT"):
            key, factors = ("weight_kg", TO_KG) if test == "WEIGHT" else ("height_cm", TO_CM)
            patient = subjects.setdefault(subject, {"patient": {}})["patient"]
            if text and not _is_number(text):
                problems.append(warning(f"{test} is not a number: not stored", grid.file, record["_line"],
                                        "VSORRES", text))
            elif text and key not in patient and unit in factors:
                patient[key] = round(float(text) * factors[unit], 1)
            elif text and unit not in factors:
                problems.append(warning(f"{test} unit '{unit}' not understood: not stored", grid.file,
                                        record["_line"], "VSORRESU", unit, " or ".join(factors)))
            continue
        if test != "TEMP":
            ignored.add(test)
            continue
        day = record.get("VISITDY") or None
        day = float(day) if day else _study_day(record, "VS", "DY", "DTC", reference, grid.file, problems)
        rows.append({"case_id": subject, "timepoint": record.get("VISIT") or f"Day {day:g}", "day": day,
                     "label": "Temperature", "unit": unit, "text": text, "ref_low": record.get("VSORNRLO", ""),
                     "ref_high": record.get("VSORNRHI", ""), "line": record["_line"], "column": "VSORRES",
                     "file": grid.file})
    if ignored:
        problems.append(warning(f"VS tests not read: {', '.join(sorted(ignored))}", grid.file, 1, "VSTESTCD",
                                expected="TEMP, WEIGHT, HEIGHT"))
    return _highest_temperature(rows, problems)


def _highest_temperature(rows: list[dict], problems: list[Problem]) -> list[dict]:
    """Several temperatures at one visit (VSTPT): keep the highest, which is what the scores read."""
    by_visit: dict[tuple, list[dict]] = {}
    for row in rows:
        by_visit.setdefault((row["case_id"], row["timepoint"]), []).append(row)
    kept = []
    for (subject, visit), group in by_visit.items():
        numbers = [r for r in group if _is_number(r["text"])]
        if len(group) == 1 or len({r["unit"] for r in group}) > 1 or len(numbers) != len(group):
            kept += group  # one reading, or readings that cannot be compared: left to the duplicate check
            continue
        top = max(group, key=lambda r: float(r["text"]))
        problems.append(warning(f"{len(group)} temperatures for {subject} at '{visit}': the highest "
                                f"({top['text']} {top['unit']}) is kept, as HScore and HLH-2004 read the maximum",
                                top["file"], top["line"], "VSORRES", top["text"]))
        kept.append(top)
    return kept


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _treatments(grid: Grid, prefix: str, reference: dict[str, date], problems: list[Problem]) -> dict[str, list]:
    """EX/CM rows -> medication event records per subject; rows without any study day are reported."""
    events: dict[str, list] = {}
    undated = []
    for record in _records(grid):
        name = record.get(f"{prefix}TRT", "")
        start = _study_day(record, prefix, "STDY", "STDTC", reference, grid.file, problems)
        end = _study_day(record, prefix, "ENDY", "ENDTC", reference, grid.file, problems)
        if not name:
            problems.append(error("a treatment without a name", grid.file, record["_line"], f"{prefix}TRT", "",
                                  "the treatment name"))
            continue
        if start is None:
            undated.append(name)
            continue
        dose_text, unit = record.get(f"{prefix}DOSE", ""), record.get(f"{prefix}DOSU", "") or None
        frequency = record.get(f"{prefix}DOSFRQ", "").upper()
        if unit and frequency in DAILY:
            unit = f"{unit}/day"
        elif frequency:
            unit = f"{unit or ''} {frequency}".strip()
        if end is not None and end < start:
            problems.append(error("the end day is before the start day", grid.file, record["_line"],
                                  f"{prefix}ENDY", f"{end:g}", f"a day on or after {start:g}"))
        events.setdefault(record.get("USUBJID", ""), []).append({
            "kind": "medication", "name": name, "start_day": start, "end_day": start if end is None else end,
            "dose": float(dose_text) if _is_number(dose_text) else None, "dose_unit": unit,
            "route": record.get(f"{prefix}ROUTE") or None, "note": f"SDTM {prefix}",
        })
    if undated:
        problems.append(warning(f"{len(undated)} treatment(s) without a study day are not placed on the day axis: "
                                f"{', '.join(sorted(set(undated))[:5])}", grid.file, column=f"{prefix}STDY",
                                expected=f"{prefix}STDY or {prefix}STDTC with DM.RFSTDTC"))
    return events


def read_sdtm_study(path: str | Path) -> Cohort:
    """Every subject of a study folder, .zip or .xpt dataset as a case; never raises for bad input."""
    path = Path(path)
    members, problems = path_members(path)
    return _read(members, problems, path.name)


def read_sdtm_upload(files: dict[str, bytes]) -> Cohort:
    """Every subject of uploaded domain datasets (or one .zip of them) as a case; never raises for bad input."""
    members, problems = upload_members(files)
    return _read(members, problems, ", ".join(files))


def _read(members: dict[str, bytes], problems: list[Problem], study: str) -> Cohort:
    grids, more = domain_grids(members, study)
    problems += more
    subjects, reference = _subjects(grids, problems)
    rows = _lab_rows(grids["lb"], reference, problems) if "lb" in grids and grids["lb"].rows else []
    if "vs" in grids:
        rows += _vital_rows(grids["vs"], subjects, reference, problems)
    events: dict[str, list] = {}
    for domain in ("ex", "cm"):
        if domain in grids:
            for subject, records in _treatments(grids[domain], domain.upper(), reference, problems).items():
                events.setdefault(subject, []).extend(records)
    cohort = _cohort(study, rows, events, subjects, problems)
    for grid in grids.values():  # a problem on a subject's row is that subject's
        cohort.rows.update({(grid.file, record["_line"]): record.get("USUBJID", "") for record in _records(grid)})
    return cohort


def _cohort(study: str, rows: list[dict], events: dict, subjects: dict, problems: list[Problem]) -> Cohort:
    by_subject: dict[str, list[dict]] = {}
    for row in rows:
        by_subject.setdefault(row["case_id"], []).append(row)
    cohort = Cohort(problems=problems)
    source = f"CDISC SDTM study {study}"
    for subject, subject_rows in by_subject.items():
        visit_days = _visit_days(subject_rows, problems)
        for row in subject_rows:
            row["day"] = visit_days[row["timepoint"]]
        meta = {"title": f"SDTM subject {subject}", "source": source, "patient": {},
                **subjects.get(subject, {})}
        file = ", ".join(sorted({row["file"] for row in subject_rows}))
        case, more = case_from_rows(subject, subject_rows, events.get(subject, []), meta, file)
        cohort.add(subject, case, [_about(p, subject) for p in more if p not in problems])
    silent = sorted(set(subjects) - set(by_subject))
    if silent:
        cohort.problems.append(warning(f"{len(silent)} subject(s) in DM have no LB or VS observations: no case "
                                       f"({', '.join(silent[:5])})", "dm"))
    orphans = sorted(set(events) - set(by_subject))
    if orphans:
        cohort.problems.append(warning(f"treatments of subjects without observations are not read: "
                                       f"{', '.join(orphans[:5])}", "ex/cm"))
    return cohort


def _visit_days(rows: list[dict], problems: list[Problem]) -> dict[str, float | None]:
    """One day per visit: its earliest day; a visit spanning several days gets a warning."""
    found: dict[str, set[float]] = {}
    for row in rows:
        found.setdefault(row["timepoint"], set()).update([] if row["day"] is None or pd.isna(row["day"])
                                                         else [float(row["day"])])
    days = {}
    for visit, values in found.items():
        days[visit] = min(values) if values else None
        if len(values) > 1:
            problems.append(warning(f"visit '{visit}' of {rows[0]['case_id']} spans study days "
                                    f"{min(values):g} to {max(values):g}: day {min(values):g} is used",
                                    rows[0]["file"], column="VISIT", value=visit))
    return days


def _about(problem: Problem, subject: str) -> Problem:
    """A problem of one subject's case, its message naming the subject."""
    return Problem(problem.severity, f"{subject}: {problem.message}", problem.file, problem.row, problem.column,
                   problem.value, problem.expected)


def load_sdtm_study(path: str | Path) -> list[Case]:
    """Every subject of the study as a `Case`; raises CaseError listing every problem when any is an error."""
    return read_sdtm_study(path).raise_on_errors()
