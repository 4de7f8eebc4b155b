"""The files of a case, whatever they came in, reduced to the same parts: a labs grid, an events grid, metadata.

A case folder (labs.csv, events.csv, case.toml), a .zip of one, an .xlsx workbook (sheets labs, events, case)
or a single labs table, from disk or uploaded. What the parts hold is checked afterwards by the loader
(`ingest/bundle.py`), so the checks do not depend on how the case arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from dashboard.ingest.archive import MAX_UNPACKED_BYTES, unzip, workbook_sheets
from dashboard.ingest.grid import MAX_FILE_BYTES, Grid, grid_from_rows, read_csv_grid
from dashboard.ingest.meta import meta_from_pairs, read_case_toml
from dashboard.ingest.preamble import labs_grid, read_labs_grid
from dashboard.ingest.problems import Problem, error

TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
CASE_FOLDER_FILES = ("labs.csv", "labs.tsv", "labs.txt", "case.toml")  # a folder holding one is a case


@dataclass
class CaseParts:
    """A case's files reduced to the same parts, whatever they came in: labs and events grids, metadata."""

    default_id: str
    labs: Grid | None = None
    events: Grid | None = None
    meta: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)



def parts_from_files(files: dict[str, bytes], default_id: str) -> CaseParts:
    """labs.csv (or the one table), events.csv, case.toml from a name -> bytes mapping."""
    parts = CaseParts(default_id)
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
    parts.labs = read_labs_grid(data, PurePosixPath(name).name)
    if labs_key != "labs.csv" and "case.toml" not in by_name and default_id == "":
        parts.default_id = PurePosixPath(name).stem
    events_key = next((k for k in by_name if k.startswith("events.") and k.endswith(TABLE_SUFFIXES)), None)
    if events_key is not None:
        parts.events = read_csv_grid(by_name[events_key][1], PurePosixPath(by_name[events_key][0]).name)
    if "case.toml" in by_name:
        parts.meta, more = read_case_toml(by_name["case.toml"][1])
        parts.problems += more
    return _titled(parts)


def xlsx_parts(data: bytes, file: str, default_id: str) -> CaseParts:
    """Sheets `labs`, `events` and the key/value `case` sheet of a workbook, as grids."""
    parts = CaseParts(default_id)
    rows, parts.problems = workbook_sheets(data, file)
    if not rows:
        return parts
    parts.labs = labs_grid(rows["labs"], f"{file}[labs]")
    if "events" in rows:
        parts.events = grid_from_rows(rows["events"], f"{file}[events]")
    if "case" in rows:
        pairs = [(n, cells[0] if cells else "", cells[1] if len(cells) > 1 else "") for n, cells in rows["case"]]
        parts.meta, more = meta_from_pairs(pairs, f"{file}[case]")
        parts.problems += more
    return _titled(parts)


def _titled(parts: CaseParts) -> CaseParts:
    """A `Table N ...` caption above the labs table is the case's title, and a `Source: ...` note below it the
    case's source, when case.toml gives none (`ingest/preamble.py`)."""
    for key in ("title", "source"):
        if parts.labs is not None and getattr(parts.labs, key) and not parts.meta.get(key):
            parts.meta[key] = getattr(parts.labs, key)
    return parts


def parts_from_upload(files: dict[str, bytes], default_id: str) -> CaseParts:
    if len(files) == 1:
        name, data = next(iter(files.items()))
        lower = name.casefold()
        stem = PurePosixPath(name).stem
        if lower.endswith((".xlsx", ".xlsm", ".xltm")):
            return xlsx_parts(data, name, default_id or stem)
        if lower.endswith(".zip"):
            members, problems = unzip(data, name)
            parts = parts_from_files(members, default_id or stem) if not problems else CaseParts(stem)
            parts.problems = problems + parts.problems
            return parts
        if lower.endswith(TABLE_SUFFIXES) and not lower.startswith("labs."):
            return parts_from_files(files, default_id or stem)
    return parts_from_files(files, default_id or "uploaded-case")


def parts_from_path(path: Path) -> CaseParts:
    if not path.exists():
        return CaseParts(path.stem, problems=[error("no such file or folder", str(path))])
    if path.is_dir():
        files = {}
        for child in sorted(path.iterdir()):
            if child.is_file() and child.name.casefold() in (*CASE_FOLDER_FILES, "events.csv"):
                if child.stat().st_size > MAX_FILE_BYTES:
                    return CaseParts(path.name, problems=[error(
                        f"the file is {child.stat().st_size / 1e6:.0f} MB, over the {MAX_FILE_BYTES / 1e6:.0f} MB "
                        "limit", child.name, expected="a case file under the size limit")])
                files[child.name] = child.read_bytes()
        return parts_from_files(files, path.name)
    if path.stat().st_size > MAX_UNPACKED_BYTES:
        return CaseParts(path.stem, problems=[error(f"the file is {path.stat().st_size / 1e6:.0f} MB", path.name,
                                                 expected=f"a case file under {MAX_FILE_BYTES / 1e6:.0f} MB")])
    default_id = path.resolve().parent.name if path.stem.casefold() == "labs" else path.stem
    return parts_from_upload({path.name: path.read_bytes()}, default_id)
