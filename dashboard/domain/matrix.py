"""Tidy observations -> one row per (case_id, timepoint) with the score inputs as columns.

The scores read columns, not rows: this is the single place where a tidy table becomes the wide matrix
they need. Values stay in the catalogue's canonical units (the column names say which); the scores
convert to their criterion's units.

A numeric input (a lab value, a temperature, an organ size) is carried as what the table says about it:
four columns `<input>.low`, `<input>.high` (float64) and `<input>.low_inclusive`, `<input>.high_inclusive`
(bool). An exact value has equal, inclusive bounds; `<30` is [0, 30) and `<=30` is [0, 30]; `>6000` is
(6000, +inf) and `>=6000` is [6000, +inf); NaN bounds mean unknown (`measure.Measure`).
Where a score's source prints a cut-off in another unit (criteria.printed_units(): triglycerides and
fibrinogen in mg/dL, hemoglobin in g/dL), the values that arrived in that unit (tidy `orig_unit`) are
also carried as written, in `<analyte>_<unit>.*` columns (`triglycerides_mg_per_dl.low`, ...; NaN for rows
that arrived in another unit), so a score can compare them with the printed cut-off (criteria.py).

Findings are 1.0/0.0/NaN: 1 when positive (or an organ size > 0 cm), 0 when negative, NaN when not
reported; NaN always means unknown, never absent. NK-cell activity becomes `nk_low`: 1 when low or absent
("negative"), 0 when normal or high.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from dashboard.domain import criteria
from dashboard.domain.measure import Measure, floats

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
# (analyte, input, unit as printed, name of the measure carrying values that arrived in that unit)
PRINTED: tuple[tuple[str, str, str, str], ...] = tuple(
    (analyte, name, unit, f"{analyte}_{unit.lower().replace('/', '_per_')}")
    for name, unit in criteria.printed_units()
    for analyte in [next(a for a, n in NUMERIC.items() if n == name)]
)

MEASURE_INPUTS: tuple[str, ...] = (*NUMERIC.values(), *SIZES.values())
# matrix input -> the catalogue analyte whose tidy rows fill it (sizes and findings of an organ share it)
ANALYTE_OF: dict[str, str] = {
    name: analyte for mapping in (FINDINGS, SIZES, NUMERIC) for analyte, name in mapping.items()
}
FINDING_INPUTS: tuple[str, ...] = (
    "hepatomegaly", "splenomegaly", "immunosuppression", "hemophagocytosis", "nk_low", "hemorrhage",
    "cns_involvement", "arthritis",
)
BOUNDS: tuple[str, ...] = ("low", "high", "low_inclusive", "high_inclusive")


def bound_columns(name: str) -> tuple[str, ...]:
    """The four matrix columns of a measure: name.low, name.high, name.low_inclusive, name.high_inclusive."""
    return tuple(f"{name}.{bound}" for bound in BOUNDS)


MEASURE_COLUMNS: tuple[str, ...] = tuple(
    column for name in (*MEASURE_INPUTS, *(p[3] for p in PRINTED)) for column in bound_columns(name)
)
INPUT_COLUMNS: tuple[str, ...] = (*MEASURE_COLUMNS, *FINDING_INPUTS)
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


def measure_columns(name: str, m: Measure) -> dict[str, np.ndarray]:
    """The four matrix columns of one measure (for builders of a matrix without the tidy detour)."""
    return dict(zip(bound_columns(name), (m.low, m.high, m.low_inclusive, m.high_inclusive), strict=True))


def measures(matrix: pd.DataFrame) -> dict[str, Measure]:
    """Each numeric input of a timepoint matrix as a Measure, with its printed-unit arrivals attached."""

    def read(name: str) -> Measure:
        low, high, low_inc, high_inc = (matrix[c] for c in bound_columns(name))
        return Measure(
            floats(low), floats(high),
            low_inc.to_numpy(dtype=bool), high_inc.to_numpy(dtype=bool),
        )

    found = {name: read(name) for name in MEASURE_INPUTS}
    for _, name, unit, printed in PRINTED:
        found[name].printed[unit] = read(printed)
    return found


def timepoint_matrix(observations: pd.DataFrame) -> pd.DataFrame:
    """One row per (case_id, timepoint), ordered by case and tp_order, index (case_id, timepoint).

    Columns: tp_order, day, then INPUT_COLUMNS (bounds float64 with NaN unknown, inclusive flags bool,
    findings float64). A repeated analyte at one timepoint keeps its last row.
    """
    obs = observations
    keys = obs[INDEX].astype("string")
    group = keys.groupby(INDEX, sort=False, dropna=False).ngroup().to_numpy()
    n_rows = int(group.max()) + 1 if len(group) else 0

    first = ~pd.Series(group).duplicated().to_numpy()
    frame = keys[first].copy()
    frame["tp_order"] = obs["tp_order"].to_numpy(dtype="float64", na_value=np.nan)[first]
    frame["day"] = obs["day"].to_numpy(dtype="float64", na_value=np.nan)[first]

    value = obs["value"].to_numpy(dtype="float64", na_value=np.nan)
    qualifier = obs["qualifier"] if "qualifier" in obs.columns else pd.Series([None] * len(obs))
    # one factorize of the analyte ids, then every per-analyte lookup is over the few distinct ids
    analyte_code, distinct = pd.factorize(obs["analyte"].astype("string"))
    analytes = [*distinct.tolist(), None]  # code -1 (NA) takes the last entry

    def column_codes(names: list[str], mapping: dict[str, str]) -> np.ndarray:
        """Position in `names` of each row's input; -1 where the row's analyte is not in `mapping`."""
        position = {name: i for i, name in enumerate(names)}
        by_analyte = np.array([position[mapping[a]] if a in mapping else -1 for a in analytes], dtype=np.intp)
        return by_analyte[analyte_code]

    # numeric inputs: four (timepoint x measure) grids, column-major so each matrix column is contiguous
    measure_names = [*MEASURE_INPUTS, *(printed for *_, printed in PRINTED)]
    shape = (n_rows, len(measure_names))
    grids = (np.full(shape, np.nan, order="F"), np.full(shape, np.nan, order="F"),
             np.ones(shape, dtype=bool, order="F"), np.ones(shape, dtype=bool, order="F"))

    def place(column: np.ndarray, source: Measure) -> None:
        """Write each row's bounds into its timepoint's `column` (skip rows where it is -1)."""
        take = column >= 0
        cell = group[take] + column[take] * n_rows  # position in the column-major grids, computed once
        bounds = (source.low, source.high, source.low_inclusive, source.high_inclusive)
        for grid, bound in zip(grids, bounds, strict=True):
            grid.ravel(order="F")[cell] = bound[take]  # a view: F-ordered grids ravel without a copy

    numeric_col = column_codes(measure_names, {**NUMERIC, **SIZES})
    numeric_col[np.isnan(value)] = -1
    place(numeric_col, Measure.from_qualified(value, qualifier))

    if PRINTED and "orig_unit" in obs.columns:
        unit_code, units = pd.factorize(obs["orig_unit"].astype("string"))
        spellings = [*(u.strip().lower() for u in units.tolist()), None]  # code -1 (NA) takes the last
        orig = Measure.from_qualified(obs["orig_value"].to_numpy(dtype="float64", na_value=np.nan), qualifier)
        for analyte, _, unit, printed in PRINTED:
            arrived = np.array([u == unit.lower() for u in spellings])[unit_code]
            # every row of the analyte writes (NaN when it arrived in another unit), so the timepoint's
            # last row decides, as for the canonical value
            of_analyte = numeric_col == measure_names.index(NUMERIC[analyte])
            as_written = Measure(np.where(arrived, orig.low, np.nan), np.where(arrived, orig.high, np.nan),
                                 orig.low_inclusive, orig.high_inclusive)
            place(np.where(of_analyte, measure_names.index(printed), -1), as_written)

    columns = {
        f"{name}.{bound}": grid[:, j]
        for j, name in enumerate(measure_names) for bound, grid in zip(BOUNDS, grids, strict=True)
    }

    finding_names = list(FINDING_INPUTS)
    finding_col = column_codes(finding_names, FINDINGS)
    is_finding = finding_col >= 0
    nk = np.array([a == "nk_activity" for a in analytes])[analyte_code]
    present = _finding_values(nk[is_finding], obs["result"][is_finding], value[is_finding])
    known = ~np.isnan(present)
    finding_grid = np.full((n_rows, len(finding_names)), np.nan, order="F")
    finding_grid[group[is_finding][known], finding_col[is_finding][known]] = present[known]
    columns.update({name: finding_grid[:, j] for j, name in enumerate(finding_names)})

    matrix = pd.DataFrame({name: columns[name] for name in INPUT_COLUMNS})
    matrix.insert(0, "day", frame["day"].to_numpy())
    matrix.insert(0, "tp_order", frame["tp_order"].to_numpy())
    matrix.index = pd.MultiIndex.from_frame(frame[INDEX].reset_index(drop=True))
    matrix["tp_order"] = matrix["tp_order"].astype("Int32")
    return matrix.sort_values(["case_id", "tp_order"], kind="stable")


def unknown_column(column: str, n_rows: int) -> np.ndarray:
    """An all-unknown matrix column: NaN bounds, True inclusive flags, NaN findings."""
    if column.endswith("_inclusive"):
        return np.ones(n_rows, dtype=bool)
    return np.full(n_rows, np.nan)
