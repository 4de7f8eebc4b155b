"""The tidy observation table: the one shape every reader produces and every consumer reads.

One row per (case, timepoint, analyte). Readers (wide, long, SDTM, xlsx) all end in `tidy_frame`, so
equal cases give equal tables whatever layout they came from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

# column -> pyarrow type. `value`, `unit`, `ref_low`, `ref_high` are in the catalogue's canonical unit;
# the `orig_*` columns keep exactly what the file said.
OBSERVATION_SCHEMA: dict[str, pa.DataType] = {
    "case_id": pa.string(),      # stable id of the case (folder/file stem or case.toml `id`)
    "timepoint": pa.string(),    # timepoint label as written ("Admission", "After mPSL")
    "tp_order": pa.int32(),      # 0-based order of the timepoint in the case
    "day": pa.float64(),         # day relative to day 0 (case.toml [timepoints]); null when unknown
    "analyte": pa.string(),      # catalogue id ("ferritin"); null when the label is not recognised
    "label": pa.string(),        # the analyte label as written, without its unit
    "value": pa.float64(),       # numeric value in the canonical unit (titer 1:40 -> 40; yes/positive -> 1)
    "unit": pa.string(),         # canonical unit ("ng/mL"; D-dimer with its basis "µg/L FEU"); null for unitless
                                 # findings; a unit never converted (sCD25 "pg/mL") with a null value
    "result": pa.string(),       # normalised qualitative result: positive|negative|low|normal; else null
    "qualifier": pa.string(),    # censoring: "<", "<=", ">", ">=" as written ("<0.5", "≤ 2"); else null
    "orig_value": pa.float64(),  # numeric value in the original unit
    "orig_unit": pa.string(),    # unit as written, normalised spelling ("G/L" -> "10^9/L"); null when none
    "orig_text": pa.string(),    # the cell exactly as written ("1: 640 (speckled)")
    "ref_low": pa.float64(),     # reference range from the file, canonical unit; null if none
    "ref_high": pa.float64(),
    "ref_text": pa.string(),     # reference range as written ("4.5–11.0", "< 250", "M: 13-17; F: 12-15")
    # a range printed per sex, canonical unit, null otherwise; ref_low/ref_high then hold the patient's sex's
    # range, or null when the sex is unknown (domain/sex_ranges.py)
    "ref_low_f": pa.float64(),
    "ref_high_f": pa.float64(),
    "ref_low_m": pa.float64(),
    "ref_high_m": pa.float64(),
    # provenance: the cell the value came from, as `casetrack check` prints it (file:row:column)
    "source_file": pa.string(),  # file name ("labs.csv", "case.xlsx[labs]")
    "source_row": pa.int32(),    # 1-based line of the file (the header is line 1)
    "source_column": pa.string(),  # column header as written ("Admission", "LBORRES", "value")
}

OBSERVATION_COLUMNS: tuple[str, ...] = tuple(OBSERVATION_SCHEMA)

# Events: medications, procedures and clinical events on the day axis.
EVENT_SCHEMA: dict[str, pa.DataType] = {
    "case_id": pa.string(),
    "kind": pa.string(),         # medication | procedure | clinical
    "name": pa.string(),
    "start_day": pa.float64(),
    "end_day": pa.float64(),     # equals start_day for a single-day event
    "dose": pa.float64(),
    "dose_unit": pa.string(),
    "route": pa.string(),
    "note": pa.string(),
}

EVENT_COLUMNS: tuple[str, ...] = tuple(EVENT_SCHEMA)


def arrow_dtypes(schema: dict[str, pa.DataType]) -> dict[str, pd.ArrowDtype]:
    return {name: pd.ArrowDtype(typ) for name, typ in schema.items()}


def frame_from_columns(
    columns: Mapping[str, Sequence | np.ndarray | pd.Series],
    schema: dict[str, pa.DataType],
    order: Sequence[int] | None = None,
    n_rows: int | None = None,
) -> pd.DataFrame:
    """Columns (lists, arrays or Series; rows picked and ordered by `order`) -> the schema's typed frame.

    Built column by column straight into Arrow arrays (NaN and None -> null), without a DataFrame that
    would first infer dtypes: on the small frames of one case that inference is most of the cost.
    A column not given is all null.
    """
    if order is not None:
        n = len(order)
    elif n_rows is not None:
        n = n_rows
    else:
        n = len(next(iter(columns.values()))) if columns else 0
    out = {}
    for name, typ in schema.items():
        values = columns.get(name)
        if values is None:
            out[name] = pd.arrays.ArrowExtensionArray(pa.nulls(n, type=typ))
            continue
        if isinstance(values, pd.Series):
            if values.dtype == pd.ArrowDtype(typ):  # already typed: keep its Arrow data as it is
                out[name] = values.array if order is None else values.array.take(np.asarray(order, dtype=int))
                continue
            values = values.to_numpy(dtype=object) if values.dtype == object else values.to_numpy()
        if order is not None:
            values = values[np.asarray(order, dtype=int)] if isinstance(values, np.ndarray) \
                else [values[i] for i in order]
        out[name] = pd.arrays.ArrowExtensionArray(pa.array(values, type=typ, from_pandas=True))
    return pd.DataFrame(out, index=range(n))


def typed_frame(rows: pd.DataFrame | list[dict] | None, schema: dict[str, pa.DataType]) -> pd.DataFrame:
    """Return a frame with exactly the schema's columns, in order, with pyarrow-backed dtypes.

    Missing columns are added as all-null, so a reader only fills what it knows.
    """
    frame = pd.DataFrame(rows if rows is not None else [])
    columns = {name: frame[name] for name in schema if name in frame.columns}
    return frame_from_columns(columns, schema, n_rows=len(frame))


def observation_frame(rows: pd.DataFrame | list[dict] | None = None) -> pd.DataFrame:
    return typed_frame(rows, OBSERVATION_SCHEMA)


def event_frame(rows: pd.DataFrame | list[dict] | None = None) -> pd.DataFrame:
    return typed_frame(rows, EVENT_SCHEMA)
