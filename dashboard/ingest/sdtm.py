"""CDISC SDTM LB domain exports (USUBJID, VISIT, VISITDY/LBDY, LBTEST/LBTESTCD, LBORRES, LBORRESU, ...).

Hospital and trial systems export labs this way; the original-result columns (LBOR*) are read, not the
standardised ones, so conversion and its problems stay casetrack's own.
"""

from __future__ import annotations

import pandas as pd

from dashboard.ingest.grid import Grid
from dashboard.ingest.problems import Problem, error
from dashboard.ingest.tidy import RAW_COLUMNS, find_columns, raw_from_grid

SDTM_ALIASES = {
    "case_id": ("USUBJID",), "timepoint": ("VISIT",), "day": ("VISITDY", "LBDY"), "test": ("LBTEST",),
    "testcd": ("LBTESTCD",), "text": ("LBORRES",), "unit": ("LBORRESU",), "ref_low": ("LBORNRLO",),
    "ref_high": ("LBORNRHI",), "ref_text": ("LBORNRIND_TEXT",),
}


def is_sdtm(header: list[str]) -> bool:
    return "LBORRES" in {name.strip().upper() for name in header}


def read_sdtm(grid: Grid) -> tuple[pd.DataFrame, list[Problem]]:
    """SDTM LB rows -> the raw long form; LBTEST names the analyte, LBTESTCD when LBTEST is absent."""
    found = find_columns(grid.header, SDTM_ALIASES)
    label = found.get("test", found.get("testcd"))
    if "timepoint" not in found or label is None:
        return pd.DataFrame(columns=list(RAW_COLUMNS)), [error(
            "SDTM LB file without VISIT or LBTEST/LBTESTCD", grid.file, 1,
            expected="columns USUBJID, VISIT, LBTEST or LBTESTCD, LBORRES (LBORRESU, LBORNRLO, LBORNRHI, VISITDY)")]
    columns = {k: v for k, v in found.items() if k in RAW_COLUMNS}
    columns["label"] = label
    raw = raw_from_grid(grid, columns, {"column": "LBORRES"})
    if "test" in found and "testcd" in found:
        codes = pd.Series([row[found["testcd"]] for row in grid.rows])
        raw["label"] = raw["label"].where(raw["label"] != "", codes)
    return raw, []
