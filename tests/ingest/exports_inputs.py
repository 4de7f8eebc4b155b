"""Lab exports and published tables as lab systems and journals produce them, with the values a careful
reader takes from each, written by hand (tests/ingest/test_exports.py drives them; `python -m
tests.ingest.exports_inputs` prints the right / refused / wrong count).

Each input is read the way a user would: `casetrack score PATH --json --values` for case files (CSV,
xlsx, zip), `casetrack from-table` then `score` for a saved web page or a PDF printed from it by Debian's
chromium. `expected` maps (timepoint, analyte) to (value in the canonical unit, qualifier), or to REFUSED
when the printed value cannot be read with certainty (then no value may appear and a problem must name
it). Any value read at a key not listed is wrong.

Hand conversions: 1 µkat/L = 60 U/L; TG 1 mmol/L = 88.57 mg/dL; creatinine 1 mg/dL = 10 mg/L / 113.12
g/mol = 88.402 µmol/L; fibrinogen 100 mg/dL = 1 g/L; Hb 1 g/dL = 10 g/L; CRP 10 mg/L = 1 mg/dL; ferritin
1 µg/L = 1 ng/mL; 1 K/µL = 1 10^3/mm³ = 1 10^9/L; 1000 /µL = 1 10^9/L; 1 lakh = 100 000; °C = (°F − 32) × 5/9.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dashboard.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
REFUSED = "refused"
TG = 88.57
CREA = 10_000 / 113.12  # µmol/L per mg/dL


def f_to_c(f: float) -> float:
    return (f - 32) * 5 / 9


@dataclass
class Input:
    name: str
    build: Callable[[Path], Path]          # tmp folder -> the path to read
    expected: dict[tuple[str, str], object]
    via: str = "score"                     # "score" or "from-table"
    says: tuple[str, ...] = ()             # what the problems printed must say (a refusal names its cell)


def _fixture(name: str) -> Callable[[Path], Path]:
    return lambda tmp: FIXTURES / name


def _xlsx(tmp: Path) -> Path:
    """A workbook as a hospital's Excel export: dates as timepoint headers, numbers as numbers and as
    text, a percent-formatted haematocrit (Excel stores 24% as 0.24), empty trailing columns."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "labs"
    sheet.append(["Analyte", "Unit", "Reference range", datetime(2024, 3, 14), datetime(2024, 3, 17),
                  datetime(2024, 3, 25), None, None])
    rows = [
        ["WBC", "10^3/mm3", "4.5-11.0", 1.9, "2.4", 5.6],
        ["Lymphocytes", "cells/mm3", "1000-4000", 420, 380, 1250],
        ["Neutrophils", "/µL", "1800-7700", 1180, "1500", 3300],
        ["Neutrophils %", "%", "40-75", 62, 63, 59],
        ["Hematocrit", "%", "36-46", 0.24, 0.22, 0.29],
        ["Hemoglobin", "g/dL", "12-16", 8.1, 7.6, 9.8],
        ["Platelets", "10^3/mm3", "150-450", 41, 28, 133],
        ["Ferritin", "µg/L", "15-150", 9560, ">40000", 2140],
        ["Fibrinogen", "g/L", "2-4", 1.18, 0.96, 0.1 + 0.2 + 2.1],
        ["Triglycerides", "mmol/L", "<1.7", 4.65, None, 2.2],
        ["CRP", "mg/L", "<5", 96, 120, 12],
        ["Temperature", "°F", None, 102.2, 100.9, 98.6],
        ["D-dimer", "mg/L FEU", "<0.5", 12.4, ">20", 3.1],
    ]
    for row in rows:
        sheet.append(row + [None, None])
    for cell in sheet[6][3:6]:  # the haematocrit row: Excel's percent format
        cell.number_format = "0%"
    path = tmp / "hospital_export.xlsx"
    book.save(path)
    return path


def _xlsx_european(tmp: Path) -> Path:
    """A French workbook where the lab system typed some values as text with decimal commas (`1,9`, `<0,5`)
    and others are real numbers (2.4): the numbers have no separator of their own."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Labs"
    sheet.append(["Paramètre", "Unité", "Valeurs de référence", "J1", "J4"])
    sheet.append(["Leucocytes", "G/L", "4,0-10,0", "1,9", 2.4])
    sheet.append(["Ferritin", "µg/L", "15-150", 9560, ">40 000"])
    sheet.append(["Fibrinogen", "g/L", "2,0-4,0", "1,18", 0.96])
    sheet.append(["CRP", "mg/L", "<5", 96.0, "<0,5"])
    sheet.append(["ASAT", "UI/L", "<35", 236, 1250.5])
    path = tmp / "bilan.xlsx"
    book.save(path)
    return path


def _zip(tmp: Path) -> Path:
    """tests/fixtures/exports/zipped-case zipped: a tab-separated long labs file with every censoring and
    flag spelling, and a case.toml."""
    path = tmp / "case-export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name in ("labs.csv", "case.toml"):
            archive.write(FIXTURES / "zipped-case" / name, f"case-export/{name}")
    return path


def _unit_stated(tmp: Path) -> Path:
    """wide_unitless.csv after the user wrote the CRP row's unit, as the refusal asked."""
    text = (FIXTURES / "wide_unitless.csv").read_text(encoding="utf-8")
    path = tmp / "wide_unitless.csv"
    path.write_text(text.replace("C-reactive protein,", "C-reactive protein (mg/L),"), encoding="utf-8")
    return path


def _pdf(html: str) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        chromium = shutil.which("chromium")
        assert chromium, "Debian's chromium is needed (make chromium)"
        out = tmp / (Path(html).stem + ".pdf")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--print-to-pdf={out}", (FIXTURES / html).as_uri()], check=True, capture_output=True,
                       timeout=120)
        return out
    return build


D1, D3 = "03/14/2024", "03/17/2024"
LAB_SYSTEM_LONG = {
    (D1, "wbc"): (1.9, None), (D1, "hemoglobin"): (81.0, None), (D1, "platelets"): (41.0, None),
    (D1, "neutrophils"): REFUSED,  # 'Abs Neutrophils' is no catalogue synonym: unmapped, with a warning
    (D1, "sodium"): (131.0, None), (D1, "potassium"): (3.4, None),
    (D1, "alt"): (245.0, None), (D1, "ast"): (312.0, None), (D1, "ldh"): (1890.0, None),
    (D1, "triglycerides"): (412 / TG, None), (D1, "fibrinogen"): (1.18, None), (D1, "crp"): (9.6, None),
    (D1, "ferritin"): (8580.0, None), (D1, "temperature"): (39.0, None),
    (D3, "wbc"): (2.4, None), (D3, "hemoglobin"): (76.0, None), (D3, "platelets"): (28.0, None),
    (D3, "sodium"): (134.0, None), (D3, "alt"): (22.0, None), (D3, "ast"): (190.0, None),
    (D3, "triglycerides"): (1000 / TG, ">"), (D3, "ferritin"): (40000.0, ">"), (D3, "fibrinogen"): (0.6, "<"),
    (D3, "crp"): (0.5, "<"),
}
E1, E2 = "2024-03-14", "2024-03-18"
EUROPEAN_LONG = {
    (E1, "wbc"): (1.9, None), (E1, "hemoglobin"): (81.0, None), (E1, "platelets"): (41.0, None),
    (E1, "alt"): (246.0, None), (E1, "ast"): (312.0, None), (E1, "ldh"): (1890.0, None),
    (E1, "triglycerides"): (4.65, None), (E1, "fibrinogen"): (1.2, None), (E1, "crp"): (9.6, None),
    (E1, "ferritin"): (9560.0, None), (E1, "creatinine"): (88 / CREA, None), (E1, "sodium"): (131.0, None),
    (E2, "wbc"): (2.4, None), (E2, "hemoglobin"): (76.0, None), (E2, "alt"): (22.2, None),
    (E2, "triglycerides"): (11.3, ">"), (E2, "crp"): (0.1, "<"), (E2, "ferritin"): (2000.0, ">"),
}
LATIN1 = {
    **{("J1", a): v for a, v in {"wbc": (1.9, None), "hemoglobin": (81.0, None), "platelets": (41.0, None),
                                  "ast": (236.0, None), "alt": (192.0, None), "ferritin": (40000.0, ">"),
                                  "triglycerides": (4.65, None), "fibrinogen": (1.18, None),
                                  "creatinine": (88 / CREA, None), "temperature": (39.4, None)}.items()},
    **{("J3", a): v for a, v in {"wbc": (2.4, None), "hemoglobin": (76.0, None), "platelets": (28.0, None),
                                  "ast": (190.0, None), "alt": (174.0, None), "ferritin": (18250.0, None),
                                  "triglycerides": (3.9, None), "fibrinogen": (0.96, None),
                                  "creatinine": (102 / CREA, None), "temperature": (38.6, None)}.items()},
    **{("J8", a): v for a, v in {"wbc": (5.6, None), "hemoglobin": (98.0, None), "platelets": (133.0, None),
                                  "ast": (48.0, None), "alt": (48.0, None), "ferritin": (2140.0, None),
                                  "triglycerides": (2.2, None), "fibrinogen": (2.4, None),
                                  "creatinine": (71 / CREA, None), "temperature": (36.9, None)}.items()},
}
TPS = ("Admission", "Day 5", "Discharge")
UNITLESS = {
    **{(t, "hemoglobin"): (v * 10, None) for t, v in zip(TPS, (8.1, 7.6, 9.8))},
    **{(t, "temperature"): (f_to_c(v), None) for t, v in zip(TPS, (102.2, 100.4, 98.6))},
    # CRP 45 / 88 / 3 against `<5`: mg/L by its range (4.5 mg/dL), 45 mg/dL by the catalogue: not guessed
    **{(t, "crp"): REFUSED for t in TPS},
    **{(t, "platelets"): (v / 1000, None) for t, v in zip(TPS, (41000, 28000, 133000))},
    **{(t, "fibrinogen"): (v / 100, None) for t, v in zip(TPS, (118, 96, 240))},
    # 140 alone is plausible in mmol/L; the row (412, 265 and its range <150) is in mg/dL
    **{(t, "triglycerides"): (v / TG, None) for t, v in zip(TPS, (412, 265, 140))},
    **{(t, "albumin"): (v * 10, None) for t, v in zip(TPS, (2.1, 1.9, 2.8))},
    **{(t, "creatinine"): (v / CREA, None) for t, v in zip(TPS, (88, 102, 71))},
    **{(t, "ferritin"): (v, None) for t, v in zip(TPS, (9560.0, 18250.0, 2140.0))},
}
# the whole case is refused while the CRP row has no unit (an error stops the import) ...
UNITLESS_REFUSED = {key: REFUSED for key in UNITLESS}
# ... and read once the user states it
UNITLESS_STATED = {**UNITLESS, **{(t, "crp"): (v / 10, None) for t, v in zip(TPS, (45, 88, 3))}}
# 'Âµmol/L' and 'Â°C' (UTF-8 read as Windows-1252 and saved again): refused, never mapped to µmol/L and °C;
# the error stops the import, so the good rows wait for the fix too
MOJIBAKE = {(t, a): REFUSED for t in ("Admission", "Day 4") for a in ("wbc", "creatinine", "temperature", "ferritin")}
INDIAN = {
    **{(t, "hemoglobin"): (v * 10, None) for t, v in zip(("Day 1", "Day 3", "Day 7"), (8.1, 7.6, 9.8))},
    # 'Total leucocyte count' is a catalogue synonym; cells/cumm = cells/µL: 1900 -> 1.9 x10^9/L
    **{(t, "wbc"): (v / 1000, None) for t, v in zip(("Day 1", "Day 3", "Day 7"), (1900, 2400, 5600))},
    **{(t, "platelets"): (v * 100, None) for t, v in zip(("Day 1", "Day 3", "Day 7"), (0.41, 0.28, 1.33))},
    **{(t, "ast"): (v, None) for t, v in zip(("Day 1", "Day 3", "Day 7"), (236.0, 190.0, 48.0))},
    **{(t, "alt"): (v, None) for t, v in zip(("Day 1", "Day 3", "Day 7"), (245.0, 210.0, 60.0))},
    **{(t, "ferritin"): (v, None) for t, v in zip(("Day 1", "Day 3", "Day 7"), (9560.0, 18250.0, 2140.0))},
    **{(t, "triglycerides"): (v / TG, None) for t, v in zip(("Day 1", "Day 3", "Day 7"), (412, 265, 140))},
    **{(t, "esr"): (v, None) for t, v in zip(("Day 1", "Day 3", "Day 7"), (8.0, 5.0, 12.0))},
    **{(t, "sodium"): (v, None) for t, v in zip(("Day 1", "Day 3", "Day 7"), (131.0, 134.0, 139.0))},
}
X1, X2, X3 = "2024-03-14", "2024-03-17", "2024-03-25"
XLSX = {
    **{(t, "wbc"): (v, None) for t, v in zip((X1, X2, X3), (1.9, 2.4, 5.6))},
    **{(t, "lymphocytes"): (v, None) for t, v in zip((X1, X2, X3), (0.42, 0.38, 1.25))},
    **{(t, "neutrophils"): (v, None) for t, v in zip((X1, X2, X3), (1.18, 1.5, 3.3))},
    **{(t, "hematocrit"): (v, None) for t, v in zip((X1, X2, X3), (0.24, 0.22, 0.29))},
    **{(t, "hemoglobin"): (v, None) for t, v in zip((X1, X2, X3), (81.0, 76.0, 98.0))},
    **{(t, "platelets"): (v, None) for t, v in zip((X1, X2, X3), (41.0, 28.0, 133.0))},
    (X1, "ferritin"): (9560.0, None), (X2, "ferritin"): (40000.0, ">"), (X3, "ferritin"): (2140.0, None),
    **{(t, "fibrinogen"): (v, None) for t, v in zip((X1, X2, X3), (1.18, 0.96, 2.4))},
    (X1, "triglycerides"): (4.65, None), (X3, "triglycerides"): (2.2, None),
    **{(t, "crp"): (v, None) for t, v in zip((X1, X2, X3), (9.6, 12.0, 1.2))},
    **{(t, "temperature"): (f_to_c(v), None) for t, v in zip((X1, X2, X3), (102.2, 100.9, 98.6))},
    (X1, "d_dimer"): (12400.0, None), (X2, "d_dimer"): (20000.0, ">"), (X3, "d_dimer"): (3100.0, None),
}
ZIPPED = {
    ("Admission", "ferritin"): (100000.0, ">="), ("Admission", "ast"): (312.0, None),
    ("Admission", "alt"): (245.0, None), ("Admission", "ldh"): (1890.0, None), ("Admission", "wbc"): (0.72, None),
    ("Admission", "sodium"): (131.0, None), ("Admission", "potassium"): (5.9, None),
    ("Admission", "fibrinogen"): (0.5, "<="), ("Admission", "triglycerides"): (11.3, ">="),
    ("Admission", "crp"): (0.5, "<"), ("Admission", "d_dimer"): (100000.0, ">"),
    ("Day 3", "ferritin"): (100000.0, ">"), ("Day 3", "ast"): (30.0, "<"), ("Day 3", "fibrinogen"): (1.5, "<="),
    ("Day 3", "triglycerides"): (1.5, "<"), ("Day 3", "crp"): (0.5, "<"), ("Day 3", "wbc"): (1.12, None),
}
H1, H4, H12 = "Hospital day 1", "Hospital day 4", "Hospital day 12"
JOURNAL = {
    **{(t, "wbc"): (v, None) for t, v in zip((H1, H4, H12), (1.9, 2.4, 5.6))},
    **{(t, "hemoglobin"): (v, None) for t, v in zip((H1, H4, H12), (81.0, 76.0, 98.0))},
    **{(t, "platelets"): (v, None) for t, v in zip((H1, H4, H12), (41.0, 28.0, 133.0))},
    (H1, "ferritin"): (100000.0, ">"), (H4, "ferritin"): (18250.0, None), (H12, "ferritin"): (2140.0, None),
    (H1, "triglycerides"): (4.65, None), (H4, "triglycerides"): (3.9, None),
    **{(t, "fibrinogen"): (v, None) for t, v in zip((H1, H4, H12), (1.18, 0.96, 2.4))},
    **{(t, "ast"): (v, None) for t, v in zip((H1, H4, H12), (236.0, 190.0, 48.0))},
    **{(t, "alt"): (v, None) for t, v in zip((H1, H4, H12), (246.0, 210.0, 60.0))},
    **{(t, "ldh"): (v, None) for t, v in zip((H1, H4, H12), (1890.0, 1420.0, 310.0))},
    (H1, "crp"): (9.6, None), (H4, "crp"): (0.05, "<"), (H12, "crp"): (1.2, None),
    **{(t, "creatinine"): (v / CREA, None) for t, v in zip((H1, H4, H12), (88, 102, 71))},
    **{(t, "sodium"): (v, None) for t, v in zip((H1, H4, H12), (131.0, 134.0, 139.0))},
}
JOURNAL_2 = {
    **{(t, "wbc"): (v, None) for t, v in zip(("Day 1", "Day 3", "Day 9"), (2.1, 1.6, 4.8))},
    **{(t, "hemoglobin"): (v, None) for t, v in zip(("Day 1", "Day 3", "Day 9"), (94.0, 82.0, 101.0))},
    **{(t, "platelets"): (v, None) for t, v in zip(("Day 1", "Day 3", "Day 9"), (62.0, 35.0, 118.0))},
    ("Day 1", "ferritin"): (12400.0, None), ("Day 3", "ferritin"): (33000.0, ">="),
    ("Day 9", "ferritin"): (5210.0, None),
    **{(t, "triglycerides"): (v / TG, None) for t, v in zip(("Day 1", "Day 3", "Day 9"), (310, 402, 288))},
    ("Day 1", "fibrinogen"): (1.42, None), ("Day 3", "fibrinogen"): (0.9, "<="), ("Day 9", "fibrinogen"): (1.65, None),
    **{(t, "ast"): (v, None) for t, v in zip(("Day 1", "Day 3", "Day 9"), (412.0, 655.0, 120.0))},
    ("Day 1", "crp"): (6.8, None), ("Day 3", "crp"): (4.2, None), ("Day 9", "crp"): (0.5, "<"),
    ("Day 1", "scd25"): (7500.0, ">"), ("Day 9", "scd25"): (3120.0, None),
}

C1, C2 = "2024-05-02", "2024-05-05"
COMPARATOR = {
    (C1, "ferritin"): (40000.0, ">"), (C1, "triglycerides"): (3.9, None), (C1, "fibrinogen"): (0.6, "<"),
    (C1, "ast"): (236.0, None), (C1, "crp"): (0.5, "<"), (C1, "wbc"): (1.9, None),
    (C2, "ferritin"): (18250.0, None), (C2, "fibrinogen"): (0.96, None), (C2, "ast"): (1000.0, ">="),
    (C2, "wbc"): (2.4, None),
}
FLAG_COLUMNS = {
    **{(t, "ferritin"): (v, None) for t, v in zip(("Admission", "Day 3"), (9560.0, 8580.0))},
    **{(t, "wbc"): (v, None) for t, v in zip(("Admission", "Day 3"), (0.72, 1.12))},
    **{(t, "platelets"): (v, None) for t, v in zip(("Admission", "Day 3"), (41.0, 28.0))},
    **{(t, "fibrinogen"): (v, None) for t, v in zip(("Admission", "Day 3"), (1.18, 0.96))},
}

NOT_DONE = {("Day 1", "ferritin"): (9560.0, None), ("Day 1", "wbc"): (1.9, None), ("Day 3", "ferritin"): (8580.0, None),
            ("Day 3", "fibrinogen"): (0.96, None)}  # TNP, QNS, Hemolyzed, See comment, Cancelled, Pending: no value
N1, N2, N3 = "12-03-2024", "15-03-2024", "22-03-2024"
HB_MMOL = 16.1145  # g/L per mmol/L (haem monomer, 16 114.5 g/mol)
DUTCH = {
    # Hb without a unit against 7,5-10,0: mmol/L (the Dutch unit), the only unit the range agrees with
    **{(t, "hemoglobin"): (v * HB_MMOL, None) for t, v in zip((N1, N2, N3), (5.0, 4.6, 6.1))},
    **{(t, "ast"): (v, None) for t, v in zip((N1, N2, N3), (236.0, 190.0, 48.0))},
    **{(t, "alt"): (v, None) for t, v in zip((N1, N2, N3), (245.0, 210.0, 60.0))},
    **{(t, "ldh"): (v, None) for t, v in zip((N1, N2, N3), (1890.0, 1420.0, 310.0))},
    (N1, "crp"): (9.6, None), (N2, "crp"): (0.5, "<"), (N3, "crp"): (1.2, None),
    # Leukocyten, Trombocyten, Ferritine: Dutch catalogue synonyms
    **{(t, "wbc"): (v, None) for t, v in zip((N1, N2, N3), (1.9, 2.4, 5.6))},
    **{(t, "platelets"): (v, None) for t, v in zip((N1, N2, N3), (41.0, 28.0, 133.0))},
    (N1, "ferritin"): (9560.0, None), (N2, "ferritin"): (10000.0, ">"), (N3, "ferritin"): (2140.0, None),
}

XLSX_EU = {
    ("J1", "wbc"): (1.9, None), ("J4", "wbc"): (2.4, None), ("J1", "ferritin"): (9560.0, None),
    ("J4", "ferritin"): (40000.0, ">"), ("J1", "fibrinogen"): (1.18, None), ("J4", "fibrinogen"): (0.96, None),
    ("J1", "crp"): (9.6, None), ("J4", "crp"): (0.05, "<"), ("J1", "ast"): (236.0, None), ("J4", "ast"): (1250.5, None),
}

T3 = ("Day 1", "Day 3", "Day 8")  # the table prints `Day` over 1, 3, 8: the days are named (and read)
JOURNAL_3 = {
    **{(t, "wbc"): (v, None) for t, v in zip(T3, (1.9, 2.4, 5.6))},
    **{(t, "platelets"): (v, None) for t, v in zip(T3, (41.0, 28.0, 133.0))},
    ("Day 1", "ferritin"): (9560.0, None), ("Day 3", "ferritin"): (40000.0, ">"), ("Day 8", "ferritin"): (2140.0, None),
    **{(t, "triglycerides"): (v, None) for t, v in zip(T3, (4.65, 3.9, 2.2))},
    **{(t, "fibrinogen"): (v, None) for t, v in zip(T3, (1.18, 0.96, 2.4))},
    **{(t, "alt"): (v, None) for t, v in zip(T3, (246.0, 210.0, 60.0))},
    ("Day 1", "crp"): (9.6, None), ("Day 3", "crp"): (0.05, "<"), ("Day 8", "crp"): (1.2, None),
}

JOURNAL_4 = {
    ("Day 1", "ast"): (236.0, None), ("Day 5", "ast"): (190.0, None), ("Day 1", "alt"): (245.0, None),
    ("Day 5", "alt"): (210.0, None), ("Day 1", "ldh"): (1890.0, None), ("Day 5", "ldh"): (1420.0, None),
    ("Day 1", "ferritin"): (9560.0, None), ("Day 5", "ferritin"): (40000.0, ">"),
    ("Day 1", "crp"): (9.6, None), ("Day 5", "crp"): (4.2, None),
}

# in the PDF the panel cell `Liver` prints on the ALT line: 5 cells under 4 columns, refused (never shifted)
JOURNAL_4_PDF = {**JOURNAL_4, ("Day 1", "alt"): REFUSED, ("Day 5", "alt"): REFUSED}

EXCEL_TEXT = {("Day 1", "ferritin"): (8580.0, None), ("Day 1", "crp"): (0.5, "<"), ("Day 1", "wbc"): (1.9, None)}

INPUTS = [
    Input("lab system long export (US units, flags)", _fixture("lab_system_long.csv"), LAB_SYSTEM_LONG,
          says=("'Abs Neutrophils' is not in the analyte catalogue", "'Neutrophils' in % is a differential")),
    Input("European long export (BOM, CRLF, ;, decimal comma, µkat/L)", _fixture("lab_export_european.csv"),
          EUROPEAN_LONG),
    Input("French wide export in Windows-1252", _fixture("wide_latin1.csv"), LATIN1,
          says=("not UTF-8: read as Latin-1 (Windows-1252)",)),
    Input("wide table without units", _fixture("wide_unitless.csv"), UNITLESS_REFUSED,
          says=(("wide_unitless.csv:4:reference range '<5' — no unit given for C-reactive protein, and the row's "
                "reference range <5 is 5× the usual range (< 1 mg/dL) when read in mg/dL"),)),
    Input("wide table without units, CRP unit stated", _unit_stated, UNITLESS_STATED),
    Input("UTF-8 file with mojibake units", _fixture("wide_mojibake.csv"), MOJIBAKE,
          says=(("wide_mojibake.csv:3:Admission 'Âµmol/L' — unknown unit 'Âµmol/L' for Creatinine (expected the unit "
                "as written: 'Âµ' and 'Â°' are µ and ° garbled by a wrong text encoding"),)),
    Input("Indian lab report (lakhs/cumm, gm/dl)", _fixture("wide_indian.csv"), INDIAN),
    Input("Excel workbook (dates, percent format)", _xlsx, XLSX),
    Input("French workbook: text decimal commas beside real numbers", _xlsx_european, XLSX_EU),
    Input("zipped long TSV with censoring and flags", _zip, ZIPPED),
    Input("lab system export with a comparator column and units after ranges",
          _fixture("lab_system_comparator.csv"), COMPARATOR),
    Input("lab system CSV with Excel text cells (=\"<0.5\")", _fixture("lab_system_excel_text.csv"), EXCEL_TEXT),
    Input("lab system export with TNP, QNS, Hemolyzed, Pending", _fixture("lab_system_not_done.csv"), NOT_DONE),
    Input("Dutch export (Hb in mmol/L without unit, decimal commas)", _fixture("dutch_export.csv"), DUTCH),
    Input("wide export with Flag and Comment columns", _fixture("wide_flag_columns.csv"), FLAG_COLUMNS,
          says=("column 'Flag' is not a timepoint: set aside, not read",)),
    Input("journal web page (sup, rowspan, colspan)", _fixture("journal_table.html"), JOURNAL, "from-table"),
    Input("PDF of that page (chromium)", _pdf("journal_table.html"), JOURNAL, "from-table"),
    Input("journal web page 2 (numeric footnotes)", _fixture("journal_table_2.html"), JOURNAL_2, "from-table"),
    Input("PDF of page 2 (chromium)", _pdf("journal_table_2.html"), JOURNAL_2, "from-table"),
    Input("transposed web table, decimal commas, <br> units", _fixture("journal_table_3.html"), JOURNAL_3, "from-table"),
    Input("PDF of the transposed table (chromium)", _pdf("journal_table_3.html"), JOURNAL_3, "from-table"),
    Input("web table with a rowspan panel column and <sup>a,b</sup>", _fixture("journal_table_4.html"), JOURNAL_4,
          "from-table"),
    Input("PDF of the panel-column table (chromium)", _pdf("journal_table_4.html"), JOURNAL_4_PDF, "from-table"),
]


def read(item: Input, tmp: Path) -> tuple[dict[tuple[str, str], dict], str]:
    """(timepoint, analyte) -> {value, unit, qualifier, text} as `score --json --values` prints it, and stderr."""
    path = item.build(tmp)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        if item.via == "from-table":
            case_dir = tmp / (path.stem + "-case")
            main(["from-table", str(path), "--out", str(case_dir)])
            path = case_dir
        main(["score", str(path), "--json", "--values"])
    text = out.getvalue()
    start = text.find("{")
    if start < 0:
        return {}, err.getvalue()
    doc = json.loads(text[start:])
    cases = doc.get("cases", [doc])
    return {(tp["label"], analyte): v for case in cases for tp in case["timepoints"]
            for analyte, v in tp.get("values", {}).items()}, err.getvalue()


def outcomes(item: Input, got: dict) -> dict[tuple[str, str], str]:
    """'right', 'refused' or 'wrong' per expected value, plus 'wrong' for every value read that was not expected."""
    result = {}
    for key, want in item.expected.items():
        have = got.get(key)
        if have is None or have["value"] is None:
            result[key] = "refused"
        elif want == REFUSED:
            result[key] = "wrong"
        else:
            value, qualifier = want
            close = abs(have["value"] - value) <= 1e-6 * max(1.0, abs(value))
            result[key] = "right" if close and have["qualifier"] == qualifier else "wrong"
    for key in got:
        if key not in item.expected and got[key]["value"] is not None:
            result[key] = "wrong"
    return result


if __name__ == "__main__":
    import sys
    import tempfile

    totals = {"right": 0, "refused": 0, "wrong": 0}
    with tempfile.TemporaryDirectory() as folder:
        for n, item in enumerate(INPUTS):
            tmp = Path(folder) / str(n)
            tmp.mkdir()
            got, err = read(item, tmp)
            found = outcomes(item, got)
            counts = {k: sum(v == k for v in found.values()) for k in totals}
            for k in totals:
                totals[k] += counts[k]
            print(f"{item.name}: {counts}")
            if "-v" in sys.argv:
                for key, verdict in found.items():
                    if verdict != "right":
                        print(f"    {verdict}: {key} got {got.get(key)} want {item.expected.get(key)}")
    print("TOTAL", totals)
