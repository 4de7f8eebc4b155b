"""Tidy observations -> one row per (case_id, timepoint) with one float column per score input.

The scores read columns, not rows: this is the single place where a tidy table becomes the wide matrix
they need. Values stay in the catalogue's canonical units (the column names say which); the scores
convert to their criterion's units. NaN always means unknown, never absent: a finding is 1 when positive
(or an organ size > 0 cm), 0 when negative, NaN when not reported. NK-cell activity becomes `nk_low`:
1 when low or absent ("negative"), 0 when normal or high.

Censored values ("<0.5", ">1000") enter at their bound, which can only understate how far past the bound
the true value is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

NUMERIC: dict[str, str] = {
    "hemoglobin": "hemoglobin_g_per_l",
    "platelets": "platelets_1e9_per_l",
    "wbc": "wbc_1e9_per_l",
    "neutrophils": "neutrophils_1e9_per_l",
    "ferritin": "ferritin_ng_per_ml",
    "triglycerides": "triglycerides_mmol_per_l",
    "fibrinogen": "fibrinogen_g_per_l",
    "ast": "ast_u_per_l",
    "ldh": "ldh_u_per_l",
    "esr": "esr_mm_per_h",
    "temperature": "temperature_c",
    "scd25": "scd25_u_per_ml",
}
FINDINGS: dict[str, str] = {
    "hepatomegaly": "hepatomegaly",
    "splenomegaly": "splenomegaly",
    "immunosuppression": "immunosuppression",
    "hemophagocytosis": "hemophagocytosis",
    "nk_activity": "nk_low",
    "hemorrhage": "hemorrhage",
    "cns_involvement": "cns_involvement",
    "arthritis": "arthritis",
}
SIZES: dict[str, str] = {"hepatomegaly": "hepatomegaly_cm", "splenomegaly": "splenomegaly_cm"}

INPUT_COLUMNS: tuple[str, ...] = (
    *NUMERIC.values(),
    "hepatomegaly", "hepatomegaly_cm", "splenomegaly", "splenomegaly_cm",
    "immunosuppression", "hemophagocytosis", "nk_low", "hemorrhage", "cns_involvement", "arthritis",
)
INDEX: list[str] = ["case_id", "timepoint"]

_FINDING_RESULT = {"positive": 1.0, "negative": 0.0}
_NK_RESULT = {"low": 1.0, "negative": 1.0, "normal": 0.0, "high": 0.0}


def _per_row(values: pd.Series, lookup: Callable[[object], float]) -> np.ndarray:
    """lookup(value) for every row, computed once per distinct value: factorize (fast on pyarrow strings),
    look the few uniques up, take. NA values get lookup(None)."""
    codes, uniques = pd.factorize(values)
    table = np.array([lookup(u) for u in uniques.tolist()] + [lookup(None)], dtype="float64")
    return table[codes]  # code -1 (NA) takes the last entry


def _lower(text: object) -> str | None:
    return None if text is None else str(text).lower()


def _finding_values(nk: np.ndarray, result: pd.Series, value: np.ndarray) -> np.ndarray:
    """1/0/NaN presence from the qualitative result (`nk`: rows of NK-cell activity), else from an organ
    size (> 0 cm present)."""
    out = _per_row(result, lambda r: _FINDING_RESULT.get(_lower(r), np.nan))
    out[nk] = _per_row(result[nk], lambda r: _NK_RESULT.get(_lower(r), np.nan))
    sized = np.isnan(out) & ~np.isnan(value) & ~nk
    out[sized] = (value[sized] > 0).astype("float64")
    return out


def timepoint_matrix(observations: pd.DataFrame) -> pd.DataFrame:
    """One row per (case_id, timepoint), ordered by case and tp_order, index (case_id, timepoint).

    Columns: tp_order, day, then INPUT_COLUMNS as float64 (NaN = unknown). A repeated analyte at one
    timepoint keeps its last row.
    """
    obs = observations
    keys = obs[INDEX].astype("string")
    group = keys.groupby(INDEX, sort=False, dropna=False).ngroup().to_numpy()
    n_rows = int(group.max()) + 1 if len(group) else 0

    first = ~pd.Series(group).duplicated().to_numpy()
    frame = keys[first].copy()
    frame["tp_order"] = obs["tp_order"].to_numpy(dtype="float64", na_value=np.nan)[first]
    frame["day"] = obs["day"].to_numpy(dtype="float64", na_value=np.nan)[first]

    columns = list(INPUT_COLUMNS)
    col_of = {name: i for i, name in enumerate(columns)}
    grid = np.full((n_rows, len(columns)), np.nan)

    value = obs["value"].to_numpy(dtype="float64", na_value=np.nan)
    # one factorize of the analyte ids, then every per-analyte lookup is over the few distinct ids
    analyte_code, distinct = pd.factorize(obs["analyte"].astype("string"))
    analytes = [*distinct.tolist(), None]  # code -1 (NA) takes the last entry

    def column_codes(mapping: dict[str, str]) -> np.ndarray:
        """Grid column of each row's analyte; -1 where the analyte is not in `mapping`."""
        by_analyte = np.array([col_of[mapping[a]] if a in mapping else -1 for a in analytes], dtype=np.int64)
        return by_analyte[analyte_code]

    numeric_col = column_codes(NUMERIC)
    take = (numeric_col >= 0) & ~np.isnan(value)
    grid[group[take], numeric_col[take]] = value[take]

    finding_col = column_codes(FINDINGS)
    is_finding = finding_col >= 0
    nk = np.array([a == "nk_activity" for a in analytes])[analyte_code]
    present = _finding_values(nk[is_finding], obs["result"][is_finding], value[is_finding])
    known = ~np.isnan(present)
    grid[group[is_finding][known], finding_col[is_finding][known]] = present[known]

    size_col = column_codes(SIZES)
    sized = (size_col >= 0) & ~np.isnan(value)
    grid[group[sized], size_col[sized]] = value[sized]

    matrix = pd.DataFrame(grid, columns=columns)
    matrix.insert(0, "day", frame["day"].to_numpy())
    matrix.insert(0, "tp_order", frame["tp_order"].to_numpy())
    matrix.index = pd.MultiIndex.from_frame(frame[INDEX].reset_index(drop=True))
    matrix["tp_order"] = matrix["tp_order"].astype("Int32")
    return matrix.sort_values(["case_id", "tp_order"], kind="stable")
