"""Cases on disk or uploaded -> validated `Case`s: the one definition of "a case on disk".

A source is a case folder, a .zip of one, an .xlsx workbook or a single labs CSV (`ingest/case_parts.py`
reduces each to the same parts: a labs grid, an optional events grid, metadata), or another format that
plugs in through `READERS`: an SDTM study (folder, .zip or several domain datasets) and FHIR R4 files. A
long or SDTM labs table with a case column (`case_id`, `USUBJID`, `subject`, `patient`, `record_id`) holds
as many cases as it has ids, rows in any order.

`read_cases` and `read_uploaded` give one `Outcome` per case (the case, or the errors that block it), so a
file of many cases imports the good ones and names the bad ones, whatever its format. The identifier
(privacy) check runs here, on the header and values already parsed, for every shape (CSV, workbook, zip).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from dashboard.domain import schema
from dashboard.domain.values import NumberStyle
from dashboard.ingest.archive import MAX_ZIP_ENTRIES
from dashboard.ingest.canonical import with_patient_sex
from dashboard.ingest.case import CASE_ID_RULE, Case, Outcome, usable_id
from dashboard.ingest.case_parts import (
    CASE_FOLDER_FILES,
    CaseParts,
    parts_from_path,
    parts_from_upload,
)
from dashboard.ingest.events import read_events
from dashboard.ingest.fhir import is_fhir_file, is_fhir_upload, read_fhir, read_fhir_upload
from dashboard.ingest.grid import Grid
from dashboard.ingest.long import LONG_ALIASES, detect_layout, find_columns, read_long
from dashboard.ingest.placement import place_timepoints, timepoint_days
from dashboard.ingest.privacy import identifier_warnings
from dashboard.ingest.problems import CaseError, Problem, error, errors
from dashboard.ingest.sdtm import SDTM_ALIASES, read_sdtm
from dashboard.ingest.sdtm_files import is_sdtm_study, is_sdtm_upload
from dashboard.ingest.sdtm_study import read_sdtm_study, read_sdtm_upload
from dashboard.ingest.study import Cohort
from dashboard.ingest.tidy import shown_style, tidy_observations
from dashboard.ingest.transposed import read_transposed
from dashboard.ingest.wide import read_wide

CASE_FILE_SUFFIXES = (".zip", ".xlsx", ".csv", ".tsv")  # a file that is a case (or a file of cases)
# the column that says which case a row belongs to, in a long or SDTM table of many cases
CASE_COLUMN = {"case_id": tuple(dict.fromkeys(LONG_ALIASES["case_id"] + SDTM_ALIASES["case_id"]))}
SHARED_META = ("source", "timepoints", "decimal")  # what one case.toml may say for all the cases of a file


@dataclass(frozen=True)
class Reader:
    """Another format: whether a path or an upload (name -> bytes) holds it, and how to read either into a
    `Cohort` (one case per subject or patient; never raising for bad input)."""

    claims: Callable[[Path], bool]
    read: Callable[[Path], Cohort]
    claims_upload: Callable[[dict[str, bytes]], bool]
    read_upload: Callable[[dict[str, bytes]], Cohort]


READERS: tuple[Reader, ...] = (
    Reader(is_sdtm_study, read_sdtm_study, is_sdtm_upload, read_sdtm_upload),
    Reader(is_fhir_file, read_fhir, is_fhir_upload, read_fhir_upload),
)


def _raw(grid: Grid) -> tuple[pd.DataFrame, list[Problem]]:
    """The labs grid's raw cells, read by the reader of its layout."""
    readers = {"sdtm": read_sdtm, "long": read_long, "transposed": read_transposed, "wide": read_wide}
    return readers[detect_layout(grid.header)](grid)


def _observations(grid: Grid, decimal: str | NumberStyle | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    raw, problems = _raw(grid)
    if errors(problems):  # a reader's notices (a column set aside) do not stop the case
        return schema.observation_frame(), problems
    frame, more = tidy_observations(raw, grid.file, decimal)
    return frame, problems + more


def _slug(name: str) -> str:
    """A file or folder name made safe as a case id (`My case (1)` -> `My case -1`)."""
    slug = re.sub(r"[^\w .-]+", "-", name).strip(" .-")
    return re.sub(r"\.{2,}", ".", slug)[:128] or "case"


def _case_id(parts: CaseParts, observations: pd.DataFrame) -> tuple[str, list[Problem]]:
    """case.toml `id`, else the labs' case_id/USUBJID, else the file or folder name."""
    given = str(parts.meta.get("id") or "").strip()
    if not given:
        ids = observations["case_id"].dropna().unique().tolist()
        given = str(ids[0]).strip() if ids else ""
    if not given:
        return _slug(parts.default_id), []
    if not usable_id(given):
        return given, [error("the case id cannot be used as a name", "case.toml", column="id", value=given,
                             expected=CASE_ID_RULE)]
    return given, []


def _split_rows(grid: Grid, ids: list[str]) -> dict[str, Grid]:
    """The grid's rows grouped by their case id (first appearance order), each group a grid of its own."""
    groups: dict[str, Grid] = {}
    for case_id, row, line in zip(ids, grid.rows, grid.lines, strict=True):
        group = groups.setdefault(case_id, Grid(grid.file, grid.header, [], []))
        group.rows.append(row)
        group.lines.append(line)
    return groups


def _case_ids_of(grid: Grid) -> list[str] | None:
    """The case id of every row of a table with a case column (long, SDTM, events), else None."""
    column = find_columns(grid.header, CASE_COLUMN).get("case_id")
    return None if column is None else [row[column].strip() for row in grid.rows]


def _cases_in(parts: CaseParts) -> tuple[dict[str | None, tuple[Grid, Grid | None]], list[Problem],
                                      dict[str, list[Problem]]]:
    """case id -> (labs grid, events grid), the file's own problems, and the labs problems of each case.

    One case: a single entry keyed None. Many: a labs problem on a row (a ragged row, say) belongs to
    the case of that row, so it blocks that case alone.
    """
    labs = parts.labs
    ids = None if detect_layout(labs.header) == "wide" else _case_ids_of(labs)
    named = list(dict.fromkeys(i for i in ids or [] if i))
    if len(named) < 2:
        return {None: (labs, parts.events)}, list(labs.problems), {}
    case_of_line = dict(zip(labs.lines, ids, strict=True))
    per_case: dict[str, list[Problem]] = {}
    problems = []
    for problem in labs.problems:
        if case_of_line.get(problem.row):
            per_case.setdefault(case_of_line[problem.row], []).append(problem)
        else:
            problems.append(problem)
    header_line = labs.lines[0] - 1 if labs.lines else 1
    problems += [error("a row without a case id in a file of several cases", labs.file, line,
                       labs.header[find_columns(labs.header, CASE_COLUMN)["case_id"]], "",
                       f"the id of one of the cases ({', '.join(named[:3])}, ...)")
                 for case_id, line in zip(ids, labs.lines, strict=True) if not case_id][:5]
    for key in sorted(set(parts.meta) - set(SHARED_META)):
        problems.append(error(f"case.toml gives '{key}' for one case, but the labs hold {len(named)} cases",
                              "case.toml", column=key, expected="only source and [timepoints] in a case.toml "
                              "shared by many cases (or one case per file)"))
    events: dict[str, Grid] = {}
    if parts.events is not None:
        event_ids = _case_ids_of(parts.events)
        if event_ids is None:
            problems.append(error(f"the labs hold {len(named)} cases but the events have no case column",
                                  parts.events.file, header_line, expected="a case_id column naming each "
                                  "event's case"))
        else:
            events = _split_rows(parts.events, event_ids)
            problems += parts.events.problems
    groups = _split_rows(labs, ids)
    cases: dict[str | None, tuple[Grid, Grid | None]] = {
        case_id: (grid, events.get(case_id)) for case_id, grid in groups.items() if case_id}
    for case_id in events.keys() - groups.keys():  # a typo in an id must not drop a treatment quietly
        problems.append(error(f"events for case '{case_id}', which has no labs", parts.events.file,
                              events[case_id].lines[0], "case_id", case_id, f"one of {', '.join(named)}"))
    return cases, problems, per_case


def _one_case(parts: CaseParts, case_id: str | None, labs: Grid, events_grid: Grid | None, source: str,
              decimal: str | NumberStyle | None) -> Outcome:
    """Labs (+ events) of one case -> its Outcome; `case_id` None: the id comes from meta, labs or name."""
    observations, problems = _observations(labs, decimal or parts.meta.get("decimal"))
    meta = parts.meta if case_id is None else {k: v for k, v in parts.meta.items() if k in SHARED_META}
    if case_id is None:
        case_id, more = _case_id(parts, observations)
        problems += more
    elif not usable_id(case_id):
        problems.append(error("the case id cannot be used as a name", labs.file, labs.lines[0], "case_id",
                              case_id, CASE_ID_RULE))
    observations["case_id"] = pd.Series([case_id] * len(observations), dtype=observations["case_id"].dtype)
    observations, more = place_timepoints(observations, meta, labs.file)
    problems += more
    observations, more = with_patient_sex(observations, meta, labs.file)
    problems += more
    events = schema.event_frame()
    if events_grid is not None:
        problems += events_grid.problems
        if not errors(events_grid.problems):
            labs_days = dict(zip(observations["timepoint"].tolist(), observations["day"].tolist()))
            events, more = read_events(events_grid, case_id, labs_days)  # dated events go on the labs' axis
            problems += more
    meta = {k: v for k, v in meta.items() if k != "id"}
    meta["timepoints"] = timepoint_days(observations, meta.get("timepoints", {}))
    if errors(problems):
        return Outcome(source, case_id, None, problems)
    problems += identifier_warnings(observations, meta, raw_columns=labs.header, events=events, file=labs.file)
    case = Case(case_id, meta, observations, events, [p for p in problems if not p.is_error])
    return Outcome(source, case_id, case, problems)


def _assemble(parts: CaseParts, source: str, decimal: str | None = None) -> list[Outcome]:
    """Every case of the parts; problems of the file as a whole go to each of its cases.

    `decimal` (the loader's option) overrides case.toml's `decimal`.
    """
    problems = list(parts.problems)
    if parts.labs is not None and not errors(problems):
        cases, more, per_case = _cases_in(parts)
        problems += more
        if not errors(problems):
            stated = decimal or parts.meta.get("decimal")
            # many cases in one file: its decimal style is the whole file's, as for a file of one case
            shared = shown_style(_raw(parts.labs)[0]) if len(cases) > 1 and not stated else None
            outcomes = [_one_case(parts, case_id, labs, events, source, stated or shared)
                        for case_id, (labs, events) in cases.items()]
            for outcome in outcomes:
                own = problems + per_case.get(outcome.case_id, [])
                outcome.problems[:0] = own
                if errors(own):
                    outcome.case = None
                elif outcome.case is not None:
                    outcome.case.problems[:0] = own
            return outcomes
        problems += [p for found in per_case.values() for p in found]
    if not errors(problems):
        problems.append(error("no labs table found", parts.default_id or source))
    return [Outcome(source, _slug(parts.default_id or source), None, problems)]


# --- what a case on disk is -------------------------------------------------------------------------------
def is_case_source(path: Path) -> bool:
    """A folder holding labs.csv (or case.toml), a case file (.zip, .xlsx, .csv, .tsv), or another format's."""
    if any(reader.claims(path) for reader in READERS):
        return True
    if path.is_dir():
        return any((path / name).is_file() for name in CASE_FOLDER_FILES)
    return path.is_file() and path.suffix.casefold() in CASE_FILE_SUFFIXES


def case_sources(paths: Iterable[str | Path]) -> list[Path]:
    """Sources named directly, plus the sources inside folders that are not one themselves (name order).

    A missing path is kept, so that it is reported rather than silently dropped.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if is_case_source(path) or not path.is_dir():
            found.append(path)
            continue
        found.extend(sorted(p for p in path.iterdir() if not p.name.startswith(".") and is_case_source(p)))
    return found


_UNREADABLE = (OSError, ValueError, KeyError, TypeError, MemoryError)


def read_cases(path: str | Path, decimal: str | None = None) -> list[Outcome]:
    """Every case of a source, each with its problems; never raises for bad input.

    `decimal` ("." or ",") states the labs' decimal separator, as case.toml's `decimal` does; None detects it.
    """
    path = Path(path)
    reader = next((reader for reader in READERS if reader.claims(path)), None)
    read = (lambda: reader.read(path)) if reader else (lambda: _assemble(parts_from_path(path), str(path), decimal))
    return _never_raising(read, str(path), _slug(path.stem))


def _never_raising(read: Callable[[], list[Outcome] | Cohort], source: str, default_id: str) -> list[Outcome]:
    """The outcomes of a read (a study's cohort as one outcome per subject); an unreadable source as one
    outcome naming the failure."""
    try:
        found = read()
    except _UNREADABLE as exc:
        return [Outcome(source, default_id, None, [error(f"unreadable: {type(exc).__name__}: {exc}", source)])]
    return found.outcomes(source, default_id) if isinstance(found, Cohort) else found


def read_grid(labs: Grid, source: str) -> list[Outcome]:
    """Every case of a labs table already split into cells (the Dask engine's blocks of a large CSV)."""
    return _assemble(CaseParts(PurePosixPath(labs.file).stem, labs=labs), source)


def read_uploaded(files: dict[str, bytes], name: str | None = None, decimal: str | None = None,
                  ) -> list[Outcome]:
    """Every case of uploaded files (name -> content, as from st.file_uploader); never raises for bad input.

    An upload is what a path can be: a case's files, a .zip or .xlsx of them, a table of many cases, an SDTM
    study (several domain datasets, one .xpt, or a .zip of them) or FHIR files. `name` is the fallback case id
    of a one-case upload; `decimal` as in `read_cases` (the upload page's choice; studies ignore it).
    """
    source = ", ".join(files)
    reader = next((reader for reader in READERS if reader.claims_upload(files)), None)
    read = (lambda: reader.read_upload(files)) if reader else (
        lambda: _assemble(parts_from_upload(files, name or ""), source, decimal))
    return _never_raising(read, source, name or "uploaded-case")


def _only_case(outcomes: list[Outcome]) -> Case:
    if len(outcomes) > 1:
        raise CaseError([error(f"the file holds {len(outcomes)} cases ({', '.join(o.case_id for o in outcomes[:5])})",
                               outcomes[0].source, expected="one case here (load_cases reads many)")])
    return _cases(outcomes)[0]


def _cases(outcomes: list[Outcome]) -> list[Case]:
    bad = [o for o in outcomes if not o.ok]
    if bad:
        named = [error(f"{len(bad)} of {len(outcomes)} cases have errors: {', '.join(o.case_id for o in bad)}",
                       bad[0].source)] if len(outcomes) > 1 else []
        raise CaseError(named + [p for o in bad for p in o.problems])
    return [o.case for o in outcomes]


def load_cases(path: str | Path, decimal: str | None = None) -> list[Case]:
    """Every case of a source; raises CaseError listing the problems when any case has errors."""
    return _cases(read_cases(path, decimal))


def load_case(path: str | Path, decimal: str | None = None) -> Case:
    """The one case of a folder, .zip, .xlsx or labs CSV; raises CaseError listing every error."""
    return _only_case(read_cases(path, decimal))


def load_uploaded(files: dict[str, bytes], name: str | None = None, decimal: str | None = None) -> Case:
    """The one case of uploaded files; `name` is the fallback case id."""
    return _only_case(read_uploaded(files, name, decimal))


def check_case(path: str | Path, decimal: str | None = None) -> list[Problem]:
    """Every problem of every case of a source, errors and warnings; never raises for bad input."""
    return [p for outcome in read_cases(path, decimal) for p in outcome.problems]


def check_uploaded(files: dict[str, bytes], name: str | None = None, decimal: str | None = None,
                   ) -> list[Problem]:
    """Every problem of uploaded files, errors and warnings; never raises for bad input."""
    return [p for outcome in read_uploaded(files, name, decimal) for p in outcome.problems]


__all__ = ["MAX_ZIP_ENTRIES", "READERS", "Case", "CaseError", "Outcome", "Problem", "case_sources",
           "check_case", "check_uploaded", "detect_layout", "is_case_source", "load_case", "load_cases",
           "load_uploaded", "read_cases", "read_grid", "read_uploaded"]
