"""Containers of case files read in memory with limits: .zip archives and .xlsx workbooks.

A zip bomb, a nested archive or a macro-enabled workbook is refused before anything is expanded, and a
damaged file is a problem naming it, never a traceback.
"""

from __future__ import annotations

import io
import math
import zipfile
from datetime import datetime, time
from pathlib import PurePosixPath

from dashboard.domain.values import scan_numbers
from dashboard.ingest.grid import MAX_FILE_BYTES, cell_text
from dashboard.ingest.problems import Problem, error, warning

MAX_ZIP_ENTRIES = 100
MAX_UNPACKED_BYTES = 2 * MAX_FILE_BYTES
MAX_COMPRESSION_RATIO = 200  # text compresses ~10x; far more than this is an archive built to explode
WORKBOOK_SHEETS = ("labs", "events", "case")

# What openpyxl raises for a damaged workbook; all of them mean "this is not a readable .xlsx".
_XLSX_FAILURES = (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError, AttributeError,
                  SyntaxError)

Rows = list[tuple[int, list[str]]]  # (1-based sheet row, cells as text)


def sheet_cell_text(cell: object) -> str:
    """A workbook cell as the text its sheet shows, where the stored value alone would mislead: a number in a
    percent format is shown as a percentage (Excel stores 24% as 0.24: `24%`, never 0.24 %), a date
    without a time of day as the date (`2024-03-14`, a timepoint header), a number with Excel's 15
    significant digits (a computed 2.4000000000000004 is 2.4). Everything else as `cell_text`."""
    value = getattr(cell, "value", None)
    number_format = getattr(cell, "number_format", None) or ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in number_format.replace('"%"', ""):
        return cell_text(round(value * 100, 9)) + "%"
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, float) and math.isfinite(value):
        value = float(f"{value:.15g}")  # as Excel shows it: 15 significant digits (0.1 + 0.2 is 0.3)
    return cell_text(value)


def sheet_rows(sheet, numbers_as_text: bool = False) -> Rows:
    """(1-based row, cells as `sheet_cell_text`) of a worksheet.

    With `numbers_as_text` (the labs sheet), a number stored as a number, which has no decimal separator of
    its own, is written in the decimal style of the sheet's text cells: in a sheet whose typed values read
    `1,9` and `<0,5`, the stored 2.4 is `2,4`, so one file-level decision reads both (never an error asking
    for a comma that cannot be typed into a number cell).
    """
    rows = [(n, list(row)) for n, row in enumerate(sheet.iter_rows(), 1)]
    comma = numbers_as_text and scan_numbers(
        c.value for _, row in rows for c in row if isinstance(getattr(c, "value", None), str))[0] == ","
    return [(n, [_in_style(c, comma) for c in row]) for n, row in rows]


def _in_style(cell: object, comma: bool) -> str:
    text = sheet_cell_text(cell)
    value = getattr(cell, "value", None)
    if comma and isinstance(value, float) and not isinstance(value, bool):
        return text.replace(".", ",")
    return text


def unzip(data: bytes, file: str) -> tuple[dict[str, bytes], list[Problem]]:
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


def workbook_sheets(data: bytes, file: str) -> tuple[dict[str, Rows], list[Problem]]:
    """The rows of the sheets `labs`, `events` and `case` of a workbook (names case-insensitive); a workbook
    of one sheet under another name (`Sheet1`, a lab system's export) is its labs sheet, with a warning."""
    import openpyxl  # imported here: only workbooks need it, and it is slow to import

    if file.casefold().endswith((".xlsm", ".xltm")) or b"vbaProject.bin" in data:
        return {}, [error("macro-enabled workbooks are refused", file,
                          expected="an .xlsx workbook without macros (save as .xlsx)")]
    _members, problems = unzip(data, file)
    if problems:
        return {}, problems
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = {name.strip().casefold(): book[name] for name in book.sheetnames}
        notes = []
        if "labs" not in sheets and len(book.sheetnames) == 1:  # a lab system's export: one sheet, any name
            only = book.sheetnames[0]
            sheets = {"labs": book[only]}
            notes.append(warning(f"the workbook's one sheet '{only}' is read as its labs sheet", file, value=only,
                                 expected="a sheet named labs (and events, case when there are any)"))
        if "labs" not in sheets:
            return {}, [error("the workbook has no sheet 'labs'", file, value=", ".join(book.sheetnames),
                              expected="sheets labs (required), events, case")]
        rows = {name: sheet_rows(sheets[name], numbers_as_text=name == "labs") for name in WORKBOOK_SHEETS
                if name in sheets}
        book.close()
    except _XLSX_FAILURES as exc:
        return {}, [error(f"not a readable .xlsx workbook ({type(exc).__name__})", file,
                          expected="an Excel .xlsx workbook")]
    return rows, notes


def upload_members(files: dict[str, bytes]) -> tuple[dict[str, bytes], list[Problem]]:
    """name -> bytes of uploaded files: the members of one .zip (read with the limits above), else the files."""
    if len(files) == 1 and next(iter(files)).casefold().endswith(".zip"):
        name, data = next(iter(files.items()))
        return unzip(data, name)
    return dict(files), []
