"""An SDTM study's files: which domain datasets a folder, .zip or upload holds, each read as a grid of text.

A study is a set of domain datasets named after their domain (`lb.xpt`, `dm.csv`, ...), loose in a folder,
inside a .zip, or uploaded several at once. SAS transport (.xpt, version 5 as the FDA asks, or 8) is read
with pyreadstat, which reads the format natively (including from memory), rather than parsing IBM floating
point by hand. What the domains mean is `ingest/sdtm_study.py`.
"""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path, PurePosixPath

from dashboard.ingest.archive import MAX_UNPACKED_BYTES, upload_members
from dashboard.ingest.grid import MAX_FILE_BYTES, Grid, cell_text, grid_from_rows, read_csv_grid
from dashboard.ingest.problems import Problem, error

DOMAINS = ("dm", "lb", "vs", "ex", "cm")
SUFFIXES = (".xpt", ".csv")


def domain_of(name: str) -> str | None:
    """The domain a dataset's file name says (`study/LB.xpt` -> "lb"), None for any other file."""
    path = PurePosixPath(name)
    stem, suffix = path.stem.casefold(), path.suffix.casefold()
    return stem if stem in DOMAINS and suffix in SUFFIXES else None


def _is_study(names: list[str]) -> bool:
    """Names holding a domain dataset and no case folder's labs file."""
    return any(domain_of(name) is not None for name in names) and not any(
        PurePosixPath(name).name.casefold() == "labs.csv" for name in names)


def _zip_names(data: bytes) -> list[str]:
    try:
        return zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return []


def is_sdtm_study(path: Path) -> bool:
    """A folder or .zip holding an SDTM domain dataset named lb/vs/ex/cm/dm .xpt or .csv, or one .xpt dataset
    (a lone .csv is a table of its own: an SDTM LB .csv reads as a long table of many cases)."""
    try:
        if path.is_dir():
            names = [p.name for p in path.iterdir()]
        elif path.suffix.casefold() == ".zip" and path.is_file():
            names = _zip_names(path.read_bytes())
        else:
            names = [path.name] if path.suffix.casefold() == ".xpt" and path.is_file() else []
    except OSError:
        return False
    return _is_study(names)


def is_sdtm_upload(files: dict[str, bytes]) -> bool:
    """Uploaded domain datasets (several, or one .xpt) or one .zip of them, as `is_sdtm_study` asks of a path."""
    names = list(files)
    if len(files) == 1 and names[0].casefold().endswith(".zip"):
        names = _zip_names(files[names[0]])
    elif len(files) == 1 and not names[0].casefold().endswith(".xpt"):
        return False
    return _is_study(names)


def path_members(path: Path) -> tuple[dict[str, bytes], list[Problem]]:
    """name -> bytes of the domain datasets of a study folder, .zip or lone .xpt file."""
    if path.is_dir():
        members = {}
        for child in sorted(path.iterdir()):
            if child.is_file() and domain_of(child.name):
                if child.stat().st_size > MAX_UNPACKED_BYTES:
                    return {}, [error(f"the file is {child.stat().st_size / 1e6:.0f} MB", child.name,
                                      expected=f"a dataset under {MAX_UNPACKED_BYTES / 1e6:.0f} MB")]
                members[child.name] = child.read_bytes()
        return members, []
    return upload_members({path.name: path.read_bytes()})


def domain_grids(members: dict[str, bytes], study: str) -> tuple[dict[str, Grid], list[Problem]]:
    """domain -> its dataset as a grid; two datasets of one domain, or no LB and no VS, are errors."""
    problems: list[Problem] = []
    found: dict[str, tuple[str, bytes]] = {}
    for name, data in members.items():
        domain = domain_of(name)
        if domain is None:
            continue
        if domain in found:
            problems.append(error(f"two {domain.upper()} datasets", PurePosixPath(name).name,
                                  expected=f"one {domain}.xpt or {domain}.csv"))
        found[domain] = (PurePosixPath(name).name, data)
    if "lb" not in found and "vs" not in found:
        problems.append(error("no LB or VS dataset", study, expected="lb.xpt or lb.csv (and dm, vs, ex, cm)"))
    grids = {}
    for domain, (name, data) in found.items():
        if len(data) > MAX_FILE_BYTES and not name.casefold().endswith(".xpt"):
            problems.append(error(f"the file is {len(data) / 1e6:.0f} MB", name, expected="a smaller dataset"))
            continue
        grids[domain] = _grid(data, name)
        problems += grids[domain].problems
    return grids, problems


def _grid(data: bytes, file: str) -> Grid:
    """A .csv or .xpt domain dataset as a grid of text cells (a record's line = its number + 1)."""
    if not file.casefold().endswith(".xpt"):
        return read_csv_grid(data, file)
    import pyreadstat  # imported here: only SAS transport files need it

    if len(data) > MAX_UNPACKED_BYTES:
        return Grid(file, [], [], [], [error(f"the file is {len(data) / 1e6:.0f} MB", file,
                                             expected=f"a dataset under {MAX_UNPACKED_BYTES / 1e6:.0f} MB")])
    try:
        frame, _meta = pyreadstat.read_xport(io.BytesIO(data))
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, ValueError) as exc:
        return Grid(file, [], [], [], [error(f"not a readable SAS transport file ({exc})", file,
                                             expected="a SAS transport (XPORT) v5 or v8 dataset")])
    rows = [(1, [str(c) for c in frame.columns])]
    rows += [(n, [_cell(v) for v in record]) for n, record in enumerate(frame.itertuples(index=False), 2)]
    return grid_from_rows(rows, file)


def _cell(value: object) -> str:
    if isinstance(value, float) and math.isnan(value):
        return ""
    return cell_text(value)
