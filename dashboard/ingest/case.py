"""What a read case is: the `Case` every reader returns, and the `Outcome` of reading one from a source.

Kept apart from the readers so that every format (case folders, long tables, SDTM studies, FHIR) and the
store build on the same two records without importing one another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from dashboard.ingest.problems import Problem

# The store's rule for ids, which become folder names: word characters (any script), space, dot,
# underscore, hyphen; starts with a word character (no hidden names) and does not end in a space or dot
# (which Windows strips). A reader also refuses `..` anywhere.
CASE_ID = re.compile(r"^\w(?:[\w .-]{0,126}[\w-])?$")
CASE_ID_RULE = "1-128 letters, digits, spaces, '.', '_' or '-', no slashes or '..'"


def usable_id(case_id: str) -> bool:
    """True when `case_id` can name a stored case (CASE_ID, and no `..`)."""
    return bool(CASE_ID.fullmatch(case_id)) and ".." not in case_id


@dataclass
class Case:
    id: str
    meta: dict                      # title, source, patient{...}, timepoints{label: day}
    observations: pd.DataFrame      # schema.observation_frame
    events: pd.DataFrame            # schema.event_frame
    problems: list[Problem] = field(default_factory=list)  # warnings only (errors raise CaseError)


@dataclass
class Outcome:
    """One case read from a source: the case, or None when errors block it, with every problem found."""

    source: str                 # the file or folder as the user named it
    case_id: str
    case: Case | None
    problems: list[Problem]     # errors and warnings (a good case's warnings are also in case.problems)

    @property
    def ok(self) -> bool:
        return self.case is not None
