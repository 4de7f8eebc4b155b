"""Cases on disk or uploaded -> validated `Case`s: the one definition of "a case on disk".

A source is a case folder, a .zip of one, an .xlsx workbook or a single labs CSV. A long or SDTM labs table
with a case column (`case_id`, `USUBJID`, `subject`, `patient`, `record_id`) holds as many cases as it has
ids, rows in any order. Every shape is first reduced to the same parts (a labs grid, an optional events
grid, metadata), so the checks and the resulting tables do not depend on how the case arrived.

`read_cases` gives one `Outcome` per case (the case, or the errors that block it), so a file of many cases
imports the good ones and names the bad ones. The identifier (privacy) check runs here, on the header and
values already parsed, for every shape (CSV, workbook, zip). Other formats plug in through `READERS`.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from dashboard.domain import schema
from dashboard.ingest.archive import MAX_UNPACKED_BYTES, MAX_ZIP_ENTRIES, unzip, workbook_sheets
from dashboard.ingest.events import read_events
from dashboard.ingest.grid import MAX_FILE_BYTES, Grid, grid_from_rows, read_csv_grid
from dashboard.ingest.long import LONG_ALIASES, detect_layout, find_columns, read_long
from dashboard.ingest.meta import meta_from_pairs, read_case_toml
from dashboard.ingest.placement import place_timepoints, timepoint_days
from dashboard.ingest.privacy import identifier_warnings
from dashboard.ingest.problems import CaseError, Problem, error, errors
from dashboard.ingest.sdtm import SDTM_ALIASES, read_sdtm
from dashboard.ingest.tidy import tidy_observations
from dashboard.ingest.wide import read_wide

TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
CASE_FILE_SUFFIXES = (".zip", ".xlsx", ".csv", ".tsv")  # a file that is a case (or a file of cases)
CASE_FOLDER_FILES = ("labs.csv", "labs.tsv", "labs.txt", "case.toml")  # a folder holding one is a case
CASE_ID = re.compile(r"^\w(?:[\w .-]{0,126}[\w-])?$")  # the store's rule: ids become folder names
# the column that says which case a row belongs to, in a long or SDTM table of many cases
CASE_COLUMN = {"case_id": tuple(dict.fromkeys(LONG_ALIASES["case_id"] + SDTM_ALIASES["case_id"]))}
SHARED_META = ("source", "timepoints", "decimal")  # what one case.toml may say for all the cases of a file

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


# Other formats (SDTM study folders, FHIR bundles, ...), one row each: (module, claims, loader), where
# `claims(path) -> bool` says whether the path holds that format and `loader(path) -> list[Case]` reads
# it, raising CaseError when it cannot. Named, not imported: those modules build on this one.
READERS: tuple[tuple[str, str, str], ...] = (
    ("dashboard.ingest.sdtm_study", "is_sdtm_study", "load_sdtm_study"),
    ("dashboard.ingest.fhir", "is_fhir_file", "load_fhir"),
)
Loader = Callable[[Path], list[Case]]


def _readers() -> list[tuple[Callable[[Path], bool], Loader]]:
    """READERS with their functions imported."""
    modules = [(importlib.import_module(module), claims, loader) for module, claims, loader in READERS]
    return [(getattr(module, claims), getattr(module, loader)) for module, claims, loader in modules]


@dataclass
class _Parts:
    default_id: str
    labs: Grid | None = None
    events: Grid | None = None
    meta: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _observations(grid: Grid, decimal: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    reader = {"sdtm": read_sdtm, "long": read_long, "wide": read_wide}[detect_layout(grid.header)]
    raw, problems = reader(grid)
    if errors(problems):  # a reader's notices (a column set aside) do not stop the case
        return schema.observation_frame(), problems
    frame, more = tidy_observations(raw, grid.file, decimal)
    return frame, problems + more


def _slug(name: str) -> str:
    """A file or folder name made safe as a case id (`My case (1)` -> `My case -1`)."""
    slug = re.sub(r"[^\w .-]+", "-", name).strip(" .-")
    return re.sub(r"\.{2,}", ".", slug)[:128] or "case"


def _case_id(parts: _Parts, observations: pd.DataFrame) -> tuple[str, list[Problem]]:
    """case.toml `id`, else the labs' case_id/USUBJID, else the file or folder name."""
    given = str(parts.meta.get("id") or "").strip()
    if not given:
        ids = observations["case_id"].dropna().unique().tolist()
        given = str(ids[0]).strip() if ids else ""
    if not given:
        return _slug(parts.default_id), []
    if not CASE_ID.fullmatch(given) or ".." in given:
        return given, [error("the case id cannot be used as a name", "case.toml", column="id", value=given,
                             expected="1-128 letters, digits, spaces, '.', '_' or '-', no slashes or '..'")]
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


def _cases_in(parts: _Parts) -> tuple[dict[str | None, tuple[Grid, Grid | None]], list[Problem],
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


def _one_case(parts: _Parts, case_id: str | None, labs: Grid, events_grid: Grid | None, source: str,
              decimal: str | None) -> Outcome:
    """Labs (+ events) of one case -> its Outcome; `case_id` None: the id comes from meta, labs or name."""
    observations, problems = _observations(labs, decimal or parts.meta.get("decimal"))
    meta = parts.meta if case_id is None else {k: v for k, v in parts.meta.items() if k in SHARED_META}
    if case_id is None:
        case_id, more = _case_id(parts, observations)
        problems += more
    elif not CASE_ID.fullmatch(case_id) or ".." in case_id:
        problems.append(error("the case id cannot be used as a name", labs.file, labs.lines[0], "case_id",
                              case_id, "1-128 letters, digits, spaces, '.', '_' or '-', no slashes or '..'"))
    observations["case_id"] = pd.Series([case_id] * len(observations), dtype=observations["case_id"].dtype)
    observations, more = place_timepoints(observations, meta, labs.file)
    problems += more
    events = schema.event_frame()
    if events_grid is not None:
        problems += events_grid.problems
        if not errors(events_grid.problems):
            events, more = read_events(events_grid, case_id)
            problems += more
    meta = {k: v for k, v in meta.items() if k != "id"}
    meta["timepoints"] = timepoint_days(observations, meta.get("timepoints", {}))
    if errors(problems):
        return Outcome(source, case_id, None, problems)
    problems += identifier_warnings(observations, meta, raw_columns=labs.header, events=events, file=labs.file)
    case = Case(case_id, meta, observations, events, [p for p in problems if not p.is_error])
    return Outcome(source, case_id, case, problems)


def _assemble(parts: _Parts, source: str, decimal: str | None = None) -> list[Outcome]:
    """Every case of the parts; problems of the file as a whole go to each of its cases.

    `decimal` (the loader's option) overrides case.toml's `decimal`.
    """
    problems = list(parts.problems)
    if parts.labs is not None and not errors(problems):
        cases, more, per_case = _cases_in(parts)
        problems += more
        if not errors(problems):
            outcomes = [_one_case(parts, case_id, labs, events, source, decimal)
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


def _parts_from_files(files: dict[str, bytes], default_id: str) -> _Parts:
    """labs.csv (or the one table), events.csv, case.toml from a name -> bytes mapping."""
    parts = _Parts(default_id)
    by_name = {PurePosixPath(name).name.casefold(): (name, data) for name, data in files.items()}
    tables = [key for key in by_name if key.endswith(TABLE_SUFFIXES) and not key.startswith("events.")]
    labs_key = next((k for k in by_name if k.startswith("labs.") and k.endswith(TABLE_SUFFIXES)), None)
    if labs_key is None and len(tables) == 1:
        labs_key = tables[0]
    if labs_key is None:
        parts.problems.append(error("no labs file", default_id, expected="labs.csv (plus optional events.csv, "
                                    f"case.toml); found: {', '.join(sorted(by_name)) or 'nothing'}"))
        return parts
    name, data = by_name[labs_key]
    parts.labs = read_csv_grid(data, PurePosixPath(name).name)
    if labs_key != "labs.csv" and "case.toml" not in by_name and default_id == "":
        parts.default_id = PurePosixPath(name).stem
    events_key = next((k for k in by_name if k.startswith("events.") and k.endswith(TABLE_SUFFIXES)), None)
    if events_key is not None:
        parts.events = read_csv_grid(by_name[events_key][1], PurePosixPath(by_name[events_key][0]).name)
    if "case.toml" in by_name:
        parts.meta, more = read_case_toml(by_name["case.toml"][1])
        parts.problems += more
    return parts


def _xlsx_parts(data: bytes, file: str, default_id: str) -> _Parts:
    """Sheets `labs`, `events` and the key/value `case` sheet of a workbook, as grids."""
    parts = _Parts(default_id)
    rows, parts.problems = workbook_sheets(data, file)
    if parts.problems:
        return parts
    parts.labs = grid_from_rows(rows["labs"], f"{file}[labs]")
    if "events" in rows:
        parts.events = grid_from_rows(rows["events"], f"{file}[events]")
    if "case" in rows:
        pairs = [(n, cells[0] if cells else "", cells[1] if len(cells) > 1 else "") for n, cells in rows["case"]]
        parts.meta, more = meta_from_pairs(pairs, f"{file}[case]")
        parts.problems += more
    return parts


def _parts_from_upload(files: dict[str, bytes], default_id: str) -> _Parts:
    if len(files) == 1:
        name, data = next(iter(files.items()))
        lower = name.casefold()
        stem = PurePosixPath(name).stem
        if lower.endswith((".xlsx", ".xlsm", ".xltm")):
            return _xlsx_parts(data, name, default_id or stem)
        if lower.endswith(".zip"):
            members, problems = unzip(data, name)
            parts = _parts_from_files(members, default_id or stem) if not problems else _Parts(stem)
            parts.problems = problems + parts.problems
            return parts
        if lower.endswith(TABLE_SUFFIXES) and not lower.startswith("labs."):
            return _parts_from_files(files, default_id or stem)
    return _parts_from_files(files, default_id or "uploaded-case")


def _read_path(path: Path) -> _Parts:
    if not path.exists():
        return _Parts(path.stem, problems=[error("no such file or folder", str(path))])
    if path.is_dir():
        files = {}
        for child in sorted(path.iterdir()):
            if child.is_file() and child.name.casefold() in (*CASE_FOLDER_FILES, "events.csv"):
                if child.stat().st_size > MAX_FILE_BYTES:
                    return _Parts(path.name, problems=[error(
                        f"the file is {child.stat().st_size / 1e6:.0f} MB, over the {MAX_FILE_BYTES / 1e6:.0f} MB "
                        "limit", child.name, expected="a case file under the size limit")])
                files[child.name] = child.read_bytes()
        return _parts_from_files(files, path.name)
    if path.stat().st_size > MAX_UNPACKED_BYTES:
        return _Parts(path.stem, problems=[error(f"the file is {path.stat().st_size / 1e6:.0f} MB", path.name,
                                                 expected=f"a case file under {MAX_FILE_BYTES / 1e6:.0f} MB")])
    default_id = path.resolve().parent.name if path.stem.casefold() == "labs" else path.stem
    return _parts_from_upload({path.name: path.read_bytes()}, default_id)


# --- what a case on disk is -------------------------------------------------------------------------------
def is_case_source(path: Path) -> bool:
    """A folder holding labs.csv (or case.toml), a case file (.zip, .xlsx, .csv, .tsv), or another format's."""
    if any(claims(path) for claims, _ in _readers()):
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
    for claims, loader in _readers():
        if claims(path):
            try:
                return [Outcome(str(path), case.id, case, list(case.problems)) for case in loader(path)]
            except CaseError as exc:
                return [Outcome(str(path), _slug(path.stem), None, exc.problems)]
    try:
        return _assemble(_read_path(path), str(path), decimal)
    except _UNREADABLE as exc:
        return [Outcome(str(path), _slug(path.stem), None, [error(f"unreadable: {type(exc).__name__}: {exc}",
                                                                  str(path))])]


def read_grid(labs: Grid, source: str) -> list[Outcome]:
    """Every case of a labs table already split into cells (the Dask engine's blocks of a large CSV)."""
    return _assemble(_Parts(PurePosixPath(labs.file).stem, labs=labs), source)


def read_uploaded(files: dict[str, bytes], name: str | None = None, decimal: str | None = None,
                  ) -> list[Outcome]:
    """Every case of uploaded files (name -> content, as from st.file_uploader); never raises for bad input.

    `name` is the fallback case id of a one-case upload; `decimal` as in `read_cases` (the upload page's
    choice).
    """
    source = ", ".join(files)
    try:
        return _assemble(_parts_from_upload(files, name or ""), source, decimal)
    except _UNREADABLE as exc:
        return [Outcome(source, name or "uploaded-case", None,
                        [error(f"unreadable: {type(exc).__name__}: {exc}", source)])]


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
