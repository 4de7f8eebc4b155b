"""Reference-range flags, multiples of the upper limit of normal, and change from the first timepoint.

A lab table is read by its flags: which values are low, normal or high against the range the report
printed (or, when it printed none, the catalogue's adult default, marked `ref_source = "catalogue"` so
the reader knows the range is not the lab's own). Qualitative results are flagged too: a positive
test or finding is `A` (abnormal), a negative one `N`; a titer above its limit is `A`.

Flags: L (below the lower limit), N (within; a value exactly at a limit is N), H (above the upper
limit), A (abnormal qualitative result), null (unknown: no value or no applicable limit).
A censored value is flagged only when every value it allows gets the same flag (domain/measure.py):
">1000" against an upper limit of 1000 is H, "<3" against 0–5 is N, but "<10" against 0–5 is unknown.

A range printed per sex (domain/sex_ranges.py) is the patient's sex's range once the case's sex is known
(`ref_source` "report, female"/"report, male"). With the sex unknown both ranges are kept: the flag is the one
both give, else unknown with `flag_note` saying why (Hb 8.1 g/dL against M 13–17, F 12–15 is L; 12.5 is L
for a man, N for a woman: unknown); × ULN likewise only when both upper limits are the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard.domain.measure import Measure
from dashboard.domain.sex_ranges import SEX_NAMES, SEX_RANGE_COLUMNS, SEX_UNKNOWN_NOTE, printed_per_sex

ABNORMAL: frozenset[str] = frozenset({"L", "H", "A"})
PER_SEX_UNKNOWN = "report, per sex (sex unknown)"  # ref_source of a range printed per sex, sex unknown
_RESULT_FLAG = {"positive": "A", "negative": "N", "normal": "N", "low": "L", "high": "H"}


def default_ranges() -> pd.DataFrame:
    """Default ranges from the analyte catalogue: columns id, ref_low, ref_high."""
    from dashboard.domain.analytes import catalogue

    return pd.DataFrame(
        [(a.id, a.ref_low, a.ref_high) for a in catalogue()], columns=["id", "ref_low", "ref_high"]
    )


def _floats(series: pd.Series) -> np.ndarray:
    return np.array(series.to_numpy(dtype="float64", na_value=np.nan))


def _strings(series: pd.Series) -> np.ndarray:
    return series.astype("string").to_numpy(dtype=object, na_value=None)


def _ranges(obs: pd.DataFrame, defaults: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(low, high, source): the report's own range where it gave one, else the catalogue's."""
    own_low, own_high = _floats(obs["ref_low"]), _floats(obs["ref_high"])
    has_own = ~np.isnan(own_low) | ~np.isnan(own_high)
    analyte = obs["analyte"].astype("string")
    by_id = defaults.drop_duplicates("id").set_index("id")
    cat_low = _floats(analyte.map(by_id["ref_low"].astype("float64")).astype("float64"))
    cat_high = _floats(analyte.map(by_id["ref_high"].astype("float64")).astype("float64"))
    has_cat = ~np.isnan(cat_low) | ~np.isnan(cat_high)
    per_sex = printed_per_sex(obs)
    low = np.where(has_own | per_sex, own_low, cat_low)  # never the catalogue's for a range the report printed
    high = np.where(has_own | per_sex, own_high, cat_high)
    source = np.where(has_own, "report", np.where(per_sex, PER_SEX_UNKNOWN, np.where(has_cat, "catalogue", "none")))
    for sex, (low_name, high_name) in SEX_RANGE_COLUMNS.items() if per_sex.any() else ():  # whose range applies
        applied = per_sex & has_own & _same(own_low, _floats(obs[low_name])) & _same(own_high, _floats(obs[high_name]))
        source = np.where(applied, f"report, {SEX_NAMES[sex]}", source)
    return low, high, source


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise equality with NaN equal to NaN (a limit that is absent in both)."""
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _either_sex(obs: pd.DataFrame, source: np.ndarray, flag: np.ndarray,
                x_uln: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(flag, x_uln, flag_note) where a range printed per sex meets an unknown sex: the flag both sexes' ranges
    give, else unknown with its note; × ULN when both upper limits are the same, else unknown."""
    note = np.full(len(obs), None, dtype=object)
    rows = source == PER_SEX_UNKNOWN
    if not rows.any():
        return flag, x_uln, note
    (f_low, f_high), (m_low, m_high) = ([_floats(obs[name]) for name in SEX_RANGE_COLUMNS[sex]] for sex in ("F", "M"))
    as_female, as_male = _flags(obs, f_low, f_high), _flags(obs, m_low, m_high)
    agree = as_female == as_male
    flag = np.where(rows, np.where(agree, as_female, None), flag)
    note[rows & ~agree] = SEX_UNKNOWN_NOTE
    with np.errstate(divide="ignore", invalid="ignore"):
        either = np.where(_same(f_high, m_high) & (f_high > 0), _floats(obs["value"]) / f_high, np.nan)
    return flag, np.where(rows, either, x_uln), note


def _flags(obs: pd.DataFrame, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """L/N/H when every value the observation's bounds allow agrees (`<10` against 0–5 could be 4 or 8:
    unknown); A for a titer above its limit or a positive result; None when unknown."""
    value = _floats(obs["value"])
    m = Measure.from_qualified(value, obs["qualifier"])
    unit = _strings(obs["unit"])
    result = pd.Series(_strings(obs["result"]), dtype=object).str.lower()

    no_low, no_high = np.isnan(low), np.isnan(high)
    is_high = (m.low > high) | ((m.low == high) & ~m.low_inclusive)
    is_low = (m.high < low) | ((m.high == low) & ~m.high_inclusive)
    within = (no_low | (m.low >= low)) & (no_high | (m.high <= high))
    assessable = ~np.isnan(value) & (~no_low | ~no_high)
    numeric = np.where(is_high, "H", np.where(is_low, "L", np.where(within, "N", None)))
    titer = unit == "titer"
    numeric = np.where(titer & (numeric == "H"), "A", numeric)

    qualitative = result.map(_RESULT_FLAG).to_numpy(dtype=object)
    flag = np.where(assessable, numeric, qualitative)
    return np.where(pd.isna(flag), None, flag)


def _change(obs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Change and % change from the case's first timepoint with a value for the same analyte."""
    value = _floats(obs["value"])
    key = obs["analyte"].astype("string").fillna(obs["label"].astype("string"))
    frame = pd.DataFrame(
        {
            "case_id": obs["case_id"].astype("string").to_numpy(),
            "key": key.to_numpy(),
            "tp_order": _floats(obs["tp_order"]),
            "value": value,
        }
    )
    ordered = frame.sort_values("tp_order", kind="stable")
    baseline = ordered.groupby(["case_id", "key"], dropna=False)["value"].transform("first")
    base = baseline.reindex(frame.index).to_numpy(dtype="float64")
    change = value - base
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(base != 0, change / base * 100.0, np.nan)
    return change, pct


def reference_flags(
    observations: pd.DataFrame, catalogue_ranges: pd.DataFrame | None = None
) -> pd.DataFrame:
    """A copy of the tidy observations plus flag, flag_note, ref_source, x_uln, change and pct_change.

    `catalogue_ranges` (id, ref_low, ref_high) replaces the catalogue's defaults, e.g. paediatric ranges.
    """
    defaults = catalogue_ranges if catalogue_ranges is not None else default_ranges()
    obs = observations.reset_index(drop=True)
    low, high, source = _ranges(obs, defaults)
    value = _floats(obs["value"])
    with np.errstate(divide="ignore", invalid="ignore"):
        x_uln = np.where(high > 0, value / high, np.nan)
    change, pct = _change(obs)
    flag, x_uln, note = _either_sex(obs, source, _flags(obs, low, high), x_uln)

    out = observations.copy()
    # pyarrow-backed like the tidy table itself, so flags round-trip through parquet unchanged
    text, number = pd.ArrowDtype(pa.string()), pd.ArrowDtype(pa.float64())
    out["flag"] = pd.Series(pa.array(flag.tolist(), type=pa.string()), index=out.index, dtype=text)
    out["flag_note"] = pd.Series(pa.array(note.tolist(), type=pa.string()), index=out.index, dtype=text)
    out["ref_source"] = pd.Series(pa.array(source.tolist(), type=pa.string()), index=out.index, dtype=text)
    for name, column in (("x_uln", x_uln), ("change", change), ("pct_change", pct)):
        values = pa.array(column, type=pa.float64(), from_pandas=True)
        out[name] = pd.Series(values, index=out.index, dtype=number)
    return out


def timepoint_flag_counts(flags: pd.DataFrame) -> pd.DataFrame:
    """Per (case_id, timepoint), in timepoint order: abnormal (L/H/A) and assessed (any flag) counts."""
    flag = flags["flag"].astype("string")
    frame = pd.DataFrame(
        {
            "case_id": flags["case_id"].astype("string").to_numpy(),
            "timepoint": flags["timepoint"].astype("string").to_numpy(),
            "tp_order": _floats(flags["tp_order"]),
            "abnormal": flag.isin(list(ABNORMAL)).fillna(False).to_numpy(dtype=bool),
            "assessed": flag.notna().to_numpy(dtype=bool),
        }
    )
    counts = frame.groupby(["case_id", "timepoint"], sort=False, dropna=False).agg(
        tp_order=("tp_order", "min"), abnormal=("abnormal", "sum"), assessed=("assessed", "sum")
    )
    counts = counts.reset_index().sort_values(["case_id", "tp_order"], kind="stable")
    return counts[["case_id", "timepoint", "abnormal", "assessed"]].astype(
        {"abnormal": "int64", "assessed": "int64"}
    ).reset_index(drop=True)
