"""A case in any of its shapes -> one validated `Case`: folder, .zip of one, .xlsx workbook, single CSV.

Every shape is first reduced to the same parts (a labs grid, an optional events grid, metadata), so the
checks and the resulting tables do not depend on how the case arrived. Archives are read in memory with
limits, so a zip bomb or a nested archive is refused before it is expanded.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from dashboard.domain import schema
from dashboard.ingest.events import read_events
from dashboard.ingest.grid import MAX_FILE_BYTES, Grid, cell_text, grid_from_rows, read_csv_grid
from dashboard.ingest.long import detect_layout, read_long
from dashboard.ingest.meta import meta_from_pairs, read_case_toml
from dashboard.ingest.problems import CaseError, Problem, error, errors, warning
from dashboard.ingest.sdtm import read_sdtm
from dashboard.ingest.tidy import tidy_observations
from dashboard.ingest.wide import read_wide

MAX_ZIP_ENTRIES = 100
MAX_UNPACKED_BYTES = 2 * MAX_FILE_BYTES
MAX_COMPRESSION_RATIO = 200  # text compresses ~10x; far more than this is an archive built to explode
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
CASE_ID = re.compile(r"^\w(?:[\w .-]{0,126}[\w-])?$")  # the store's rule: ids become folder names


@dataclass
class Case:
    id: str
    meta: dict                      # title, source, patient{...}, timepoints{label: day}
    observations: pd.DataFrame      # schema.observation_frame
    events: pd.DataFrame            # schema.event_frame
    problems: list[Problem] = field(default_factory=list)  # warnings only (errors raise CaseError)


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
    if problems:
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


def _place_timepoints(observations: pd.DataFrame, meta: dict, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Fill `day` from [timepoints]; order timepoints by day when every one has a day, else as written."""
    problems: list[Problem] = []
    days = {str(k): float(v) for k, v in meta.get("timepoints", {}).items() if isinstance(v, (int, float))}
    labels = observations["timepoint"].to_numpy(object)
    written = observations["day"].to_numpy("float64", na_value=np.nan)
    from_meta = np.array([days.get(label, np.nan) for label in labels], dtype="float64")
    day = np.where(np.isnan(written), from_meta, written)
    per_tp: dict[str, set[float]] = {}
    for label, w, m, d in zip(labels, written, from_meta, day, strict=True):
        if not np.isnan(w) and not np.isnan(m) and w != m and label not in per_tp:
            problems.append(warning(f"timepoint '{label}' has a day in the labs and another in case.toml: "
                                    "the labs' day is used", file, column="day", value=str(label)))
        per_tp.setdefault(label, set()).update([] if np.isnan(d) else [d])
    for label, found in per_tp.items():
        if len(found) > 1:
            problems.append(error(f"timepoint '{label}' has more than one day", file, column="day",
                                  value=str(label), expected="one day per timepoint"))
    unknown = sorted(set(days) - set(per_tp))
    if unknown:
        problems.append(warning(f"case.toml names timepoints not in the labs: {', '.join(unknown)}", "case.toml",
                                column="timepoints"))
    first_day = {label: min(found) if found else np.nan for label, found in per_tp.items()}
    order = list(per_tp)  # first appearance == the readers' tp_order
    if not any(np.isnan(first_day[label]) for label in order):
        order.sort(key=first_day.__getitem__)
    rank = {label: i for i, label in enumerate(order)}
    frame = observations.copy()
    frame["day"] = pd.array(day, dtype=pd.ArrowDtype(schema.OBSERVATION_SCHEMA["day"]))
    tp_order = np.array([rank[label] for label in labels], dtype="int32")
    frame["tp_order"] = pd.array(tp_order, dtype=pd.ArrowDtype(schema.OBSERVATION_SCHEMA["tp_order"]))
    order = np.argsort(tp_order, kind="stable")
    if (order != np.arange(len(order))).any():  # most cases are written in day order: skip the copy
        frame = frame.iloc[order].reset_index(drop=True)
    return frame, problems


def _timepoint_days(observations: pd.DataFrame, written: dict) -> dict:
    """label -> day for every timepoint with a day, in timepoint order (labs' days fill case.toml's gaps)."""
    first: dict[str, tuple[int, float | None]] = {}
    for label, order, day in zip(observations["timepoint"].tolist(), observations["tp_order"].tolist(),
                                 observations["day"].tolist(), strict=True):
        first.setdefault(label, (order, day))
    days = dict(written)
    for label, (_, day) in sorted(first.items(), key=lambda item: item[1][0]):
        if label not in days and pd.notna(day):
            days[label] = int(day) if float(day).is_integer() else float(day)
    return days


def _assemble(parts: _Parts, decimal: str | None = None) -> tuple[Case | None, list[Problem]]:
    """The case of the parts; `decimal` (the loader's option) overrides case.toml's `decimal`."""
    problems = list(parts.problems)
    if parts.labs is None:
        return None, problems
    problems += parts.labs.problems
    if errors(parts.labs.problems):
        return None, problems
    observations, more = _observations(parts.labs, decimal or parts.meta.get("decimal"))
    problems += more
    case_id, more = _case_id(parts, observations)
    problems += more
    observations["case_id"] = pd.Series([case_id] * len(observations), dtype=observations["case_id"].dtype)
    observations, more = _place_timepoints(observations, parts.meta, parts.labs.file)
    problems += more
    events = None
    if parts.events is not None:
        problems += parts.events.problems
        if not errors(parts.events.problems):
            events, more = read_events(parts.events, case_id)
            problems += more
    events = schema.event_frame() if events is None else events
    meta = {k: v for k, v in parts.meta.items() if k != "id"}
    meta["timepoints"] = _timepoint_days(observations, meta.get("timepoints", {}))
    return Case(case_id, meta, observations, events, [p for p in problems if not p.is_error]), problems


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


def _unzip(data: bytes, file: str) -> tuple[dict[str, bytes], list[Problem]]:
    """Members of a zip, refusing bombs: too many entries, nested archives, huge or suspicious sizes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return {}, [error("not a readable zip archive", file, expected="a .zip of a case folder")]
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > MAX_ZIP_ENTRIES:
        return {}, [error(f"the archive has {len(infos)} entries", file,
                          expected=f"a case folder of at most {MAX_ZIP_ENTRIES} files")]
    nested = [i.filename for i in infos if i.filename.casefold().endswith((".zip", ".gz", ".7z", ".rar", ".tar"))]
    if nested:
        return {}, [error("the archive contains another archive", file, value=nested[0],
                          expected="plain case files (labs.csv, events.csv, case.toml)")]
    total = sum(i.file_size for i in infos)
    ratio = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if total > MAX_UNPACKED_BYTES or (ratio > MAX_COMPRESSION_RATIO and total > 1_000_000):
        return {}, [error(f"the archive unpacks to {total / 1e6:.0f} MB", file,
                          expected=f"at most {MAX_UNPACKED_BYTES / 1e6:.0f} MB of case files")]
    files = {}
    for info in infos:
        parts = PurePosixPath(info.filename).parts
        if any(p.startswith((".", "__MACOSX")) for p in parts):
            continue
        with archive.open(info) as member:
            files[info.filename] = member.read(MAX_FILE_BYTES + 1)
    return files, []


# What openpyxl raises for a damaged workbook; all of them mean "this is not a readable .xlsx".
_XLSX_FAILURES = (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError, AttributeError,
                  SyntaxError)


def _xlsx_parts(data: bytes, file: str, default_id: str) -> _Parts:
    """Sheets `labs`, `events` and the key/value `case` sheet of a workbook, as grids."""
    import openpyxl  # imported here: only workbooks need it, and it is slow to import

    parts = _Parts(default_id)
    if file.casefold().endswith((".xlsm", ".xltm")) or b"vbaProject.bin" in data:
        parts.problems.append(error("macro-enabled workbooks are refused", file,
                                    expected="an .xlsx workbook without macros (save as .xlsx)"))
        return parts
    _members, problems = _unzip(data, file)
    if problems:
        parts.problems += problems
        return parts
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = {name.strip().casefold(): book[name] for name in book.sheetnames}
        if "labs" not in sheets:
            parts.problems.append(error("the workbook has no sheet 'labs'", file, value=", ".join(book.sheetnames),
                                        expected="sheets labs (required), events, case"))
            return parts
        rows = {name: [(n, [cell_text(v) for v in row]) for n, row in
                       enumerate(sheets[name].iter_rows(values_only=True), 1)]
                for name in ("labs", "events", "case") if name in sheets}
        book.close()
    except _XLSX_FAILURES as exc:
        parts.problems.append(error(f"not a readable .xlsx workbook ({type(exc).__name__})", file,
                                    expected="an Excel .xlsx workbook"))
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
            members, problems = _unzip(data, name)
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
            if child.is_file() and child.name.casefold() in ("labs.csv", "labs.tsv", "events.csv", "case.toml"):
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


def _finish(parts: _Parts, decimal: str | None = None) -> Case:
    case, problems = _assemble(parts, decimal)
    if case is None or errors(problems):
        raise CaseError(problems or [error("no labs table found", parts.default_id)])
    return case


def load_case(path: str | Path, decimal: str | None = None) -> Case:
    """Load a case folder, .zip, .xlsx or single labs CSV; raises CaseError listing every error.

    `decimal` ("." or ",") states the labs' decimal separator, as case.toml's `decimal` does; None detects it.
    """
    return _finish(_read_path(Path(path)), decimal)


def load_uploaded(files: dict[str, bytes], name: str | None = None, decimal: str | None = None) -> Case:
    """Load uploaded files (name -> content, as from st.file_uploader); `name` is the fallback case id;
    `decimal` as in `load_case` (the upload page's choice)."""
    return _finish(_parts_from_upload(files, name or ""), decimal)


def check_case(path: str | Path, decimal: str | None = None) -> list[Problem]:
    """Every problem of a case, errors and warnings; never raises for bad input."""
    try:
        parts = _read_path(Path(path))
        case, problems = _assemble(parts, decimal)
    except (OSError, ValueError, KeyError, TypeError, MemoryError) as exc:
        return [error(f"unreadable: {type(exc).__name__}: {exc}", str(path))]
    if case is None and not errors(problems):
        problems.append(error("no labs table found", str(path)))
    return problems


def check_uploaded(files: dict[str, bytes], name: str | None = None, decimal: str | None = None) -> list[Problem]:
    """Every problem of uploaded files, errors and warnings; never raises for bad input."""
    try:
        case, problems = _assemble(_parts_from_upload(files, name or ""), decimal)
    except (OSError, ValueError, KeyError, TypeError, MemoryError) as exc:
        return [error(f"unreadable: {type(exc).__name__}: {exc}", ", ".join(files))]
    if case is None and not errors(problems):
        problems.append(error("no labs table found", ", ".join(files)))
    return problems


__all__ = ["Case", "CaseError", "Problem", "check_case", "check_uploaded", "detect_layout", "load_case",
           "load_uploaded"]
