"""Study-wide records -> one `Case` per subject: the step the SDTM study and FHIR readers share.

Both readers turn their source into the raw long form of `ingest.tidy` (one row per written value, with
the file, line and column it came from) plus event records and metadata, per subject. From there value
parsing, unit conversion and their problems are the same code as for a labs CSV.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.domain import schema
from dashboard.ingest.canonical import with_patient_sex
from dashboard.ingest.case import CASE_ID_RULE, Case, Outcome, usable_id
from dashboard.ingest.problems import CaseError, Problem, error, errors
from dashboard.ingest.tidy import RAW_COLUMNS, tidy_observations


@dataclass
class Cohort:
    """The subjects read from one study (file, folder or upload): each one's case, or the errors that block it.

    `problems` holds every problem found. A subject's own problems (building its case) are also listed with
    it; any other problem concerns the subject written on its row (`rows`), else the subjects it names,
    else every subject (a problem of the study as a whole).
    """

    subjects: dict[str, tuple[Case | None, list[Problem]]] = field(default_factory=dict)  # in read order
    problems: list[Problem] = field(default_factory=list)
    rows: dict[tuple[str, int], str] = field(default_factory=dict)  # (file, row) -> the subject written there

    @property
    def cases(self) -> list[Case]:
        return [case for case, _ in self.subjects.values() if case is not None]

    def add(self, subject: str, case: Case | None, problems: list[Problem]) -> None:
        """A subject's case (None when it could not be built) and the problems of building it (the case
        holds their warnings)."""
        if subject in self.subjects:  # the same id twice (two uploaded files): neither case is imported
            problems = [error(f"two subjects with the id '{subject}'", value=subject,
                              expected="one id per subject (a case id must be unique)"), *problems]
            self.subjects[subject] = (None, self.subjects[subject][1] + problems)
        else:
            self.subjects[subject] = (case, list(problems))
            if case is not None:
                case.problems = [p for p in problems if not p.is_error]
        self.problems += problems

    def extend(self, other: Cohort) -> None:
        """Add the subjects and problems of another study file (several uploaded at once)."""
        own = _own(other)
        self.problems += [p for p in other.problems if p not in own]
        self.rows.update(other.rows)
        for subject, (case, problems) in other.subjects.items():
            self.add(subject, case, problems)

    def outcomes(self, source: str, default_id: str) -> list[Outcome]:
        """One Outcome per subject: errors of its own or of its rows block its case alone, errors of the
        study as a whole block every case; a good case holds every warning about it."""
        own = _own(self)
        shared = [p for p in self.problems if p not in own]
        if not self.subjects:
            return [Outcome(source, default_id, None, shared or [error("no subject with observations found",
                                                                       source)])]
        concerned = [(p, self._subjects_of(p)) for p in shared]
        outcomes = []
        for subject, (case, problems) in self.subjects.items():
            found = [p for p, subjects in concerned if subjects is None or subject in subjects] + problems
            if case is not None and errors(found):
                case = None
            elif case is not None:
                case.problems = [p for p in found if not p.is_error]
            outcomes.append(Outcome(source, subject, case, found))
        return outcomes

    def raise_on_errors(self) -> list[Case]:
        """The cases, each holding the study's warnings about it, or CaseError listing every problem."""
        outcomes = self.outcomes("", "")
        if not all(outcome.ok for outcome in outcomes):
            raise CaseError(self.problems or [p for outcome in outcomes for p in outcome.problems])
        return [outcome.case for outcome in outcomes]

    def _subjects_of(self, problem: Problem) -> set[str] | None:
        """The subject of the problem's row, else the subjects it names; None: every subject (also for a row
        of a subject without a case, so that its error is shown, never dropped)."""
        owner = self.rows.get((problem.file, problem.row)) if problem.row is not None else None
        if owner in self.subjects:
            return {owner}
        return {s for s in self.subjects if _names(problem, s)} or None


def _own(cohort: Cohort) -> set[Problem]:
    return {p for _, problems in cohort.subjects.values() for p in problems}


def _names(problem: Problem, subject: str) -> bool:
    """Whether a problem's message or value names the subject (as a whole word: `S-1` is not `S-10`)."""
    return re.search(rf"(?<![\w-]){re.escape(subject)}(?![\w-])", f"{problem.message} {problem.value}") is not None


def timepoint_order(days: dict[str, float | None]) -> list[str]:
    """Timepoint labels ordered by day when every one has a day, else in the order given."""
    labels = list(days)
    if all(days[label] is not None for label in labels):
        labels.sort(key=lambda label: days[label])
    return labels


def case_from_rows(case_id: str, rows: list[dict], events: list[dict], meta: dict,
                   file: str) -> tuple[Case | None, list[Problem]]:
    """Raw rows (RAW_COLUMNS keys; `day` a number or None) and event records of one subject -> a Case.

    Timepoints are ordered by day when every timepoint has one, else as first written.
    """
    problems: list[Problem] = []
    if not usable_id(case_id):
        return None, [error("the subject id cannot be used as a case id", file, column="id", value=case_id,
                            expected=CASE_ID_RULE)]
    days: dict[str, float | None] = {}
    for row in rows:
        day = row.get("day")
        days.setdefault(row["timepoint"], None if day is None or pd.isna(day) else float(day))
    rank = {label: i for i, label in enumerate(timepoint_order(days))}
    frames = []
    for file_name in dict.fromkeys(row.get("file", file) for row in rows):  # lines are per file: one pass each
        ordered = sorted((row for row in rows if row.get("file", file) == file_name),
                         key=lambda row: rank[row["timepoint"]])
        raw = pd.DataFrame({name: [_raw_text(row, name) for row in ordered] for name in RAW_COLUMNS},
                           columns=list(RAW_COLUMNS))
        raw["day"] = [days[row["timepoint"]] for row in ordered]
        raw["line"] = [int(row.get("line") or 0) for row in ordered]
        frame, more = tidy_observations(raw, file_name)
        problems += more
        frames.append(frame)
    if errors(problems) or not frames:
        return None, problems or [error("no observations", file)]
    observations = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    order = [rank[label] for label in observations["timepoint"].tolist()]
    observations["tp_order"] = pd.array(order, dtype=observations["tp_order"].dtype)
    observations = observations.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    observations["case_id"] = pd.Series([case_id] * len(observations), dtype=observations["case_id"].dtype)
    observations, more = with_patient_sex(observations, meta, file)
    problems += more
    for record in events:
        record["case_id"] = case_id
    frame = schema.frame_from_columns({name: [r.get(name) for r in events] for name in schema.EVENT_COLUMNS},
                                      schema.EVENT_SCHEMA) if events else schema.event_frame()
    meta = dict(meta)
    meta["timepoints"] = {label: _plain_day(days[label]) for label in rank if days[label] is not None}
    return Case(case_id, meta, observations, frame, [p for p in problems if not p.is_error]), problems


def _raw_text(row: dict, name: str) -> object:
    value = row.get(name)
    if name == "day":
        return value
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else value


def _plain_day(day: float) -> int | float:
    return int(day) if float(day).is_integer() else day
