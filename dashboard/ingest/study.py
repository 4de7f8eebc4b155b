"""Study-wide records -> one `Case` per subject: the step the SDTM study and FHIR readers share.

Both readers turn their source into the raw long form of `ingest.tidy` (one row per written value, with
the file, line and column it came from) plus event records and metadata, per subject. From there value
parsing, unit conversion and their problems are the same code as for a labs CSV.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.domain import schema
from dashboard.ingest.bundle import CASE_ID, Case
from dashboard.ingest.problems import CaseError, Problem, error, errors
from dashboard.ingest.tidy import RAW_COLUMNS, tidy_observations


@dataclass
class Cohort:
    """The cases read from one study file or folder, and every problem found (errors name the subject)."""

    cases: list[Case] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def raise_on_errors(self) -> list[Case]:
        """The cases, each holding the study's warnings about it, or CaseError listing every problem."""
        if errors(self.problems) or not self.cases:
            raise CaseError(self.problems or [error("no subject with observations found")])
        ids = [case.id for case in self.cases]
        for case in self.cases:
            about = [p for p in self.problems if p not in case.problems and (
                case.id in f"{p.message} {p.value}" or not any(i in f"{p.message} {p.value}" for i in ids))]
            case.problems = about + case.problems
        return self.cases


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
    if not CASE_ID.fullmatch(case_id) or ".." in case_id:
        return None, [error("the subject id cannot be used as a case id", file, column="id", value=case_id,
                            expected="1-128 letters, digits, spaces, '.', '_' or '-', no slashes or '..'")]
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
