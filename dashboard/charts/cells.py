"""How one value reads in a table cell (flag heatmap, HTML report): as the report printed it, or at the
analyte's usual precision once converted to the catalogue unit.

A cell is read beside its unit, so it must never carry more digits than the source had (389 mg/dL of
triglycerides is 4.39 mmol/L, not 4.392006), nor a notation a clinician does not use (2.45e+04).
Findings read Yes/No or their size; a titer reads 1:n; a censored value keeps its qualifier (<0.5).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from dashboard.charts.axis import as_float
from dashboard.domain import registry
from dashboard.domain.analytes import catalogue
from dashboard.domain.sex_ranges import SEX_NAMES, SEX_RANGE_COLUMNS, printed_per_sex

MIN_SIGNIFICANT = 2  # a converted value keeps at least two significant figures (0.51 mg/dL, not 0.5)
FALLBACK_SIGNIFICANT = 3  # analytes with no catalogue range to learn their usual precision from
_NUMBER = re.compile(r"\d+(?:\.(\d+))?")


def _decimals_written(text: str) -> int:
    return len(text.strip().split(".")[1]) if "." in text else 0


@lru_cache(maxsize=1)
def usual_decimals() -> dict[str, int]:
    """Analyte id -> decimals its catalogue reference range is written with (how labs print it: "1.0"
    mg/dL of CRP is one decimal). Read from the catalogue's text, since a float forgets "1.0"."""
    return {
        row["id"]: max(_decimals_written(row[b]) for b in ("ref_low", "ref_high") if row[b].strip())
        for row in registry.rows("analytes.csv")
        if row["kind"] == "numeric" and (row["ref_low"].strip() or row["ref_high"].strip())
    }


@lru_cache(maxsize=1)
def findings() -> frozenset[str]:
    """Ids of clinical findings (organ enlargement, hemophagocytosis...): read Yes/No or their size."""
    return frozenset(entry.id for entry in catalogue() if entry.kind == "finding")


def fixed(value: float, decimals: int) -> str:
    """A number with a fixed count of decimals and never an exponent (24500, 4.39, 0.051)."""
    return f"{value:.{max(decimals, 0)}f}"


def converted_decimals(value: float, analyte: str | None) -> int:
    """Decimals of a converted value: the analyte's usual ones, but at least MIN_SIGNIFICANT figures."""
    if value == 0 or not math.isfinite(value):
        return 0
    magnitude = math.floor(math.log10(abs(value)))
    usual = usual_decimals().get(str(analyte)) if analyte is not None else None
    if usual is None:
        return max(0, FALLBACK_SIGNIFICANT - 1 - magnitude)
    return max(usual, MIN_SIGNIFICANT - 1 - magnitude)


def printed_decimals(orig_text: object) -> int | None:
    """Decimals of the number as the report printed it ("0.50" -> 2, "9560" -> 0); None without one."""
    if not isinstance(orig_text, str):
        return None
    match = _NUMBER.search(orig_text)
    if match is None:
        return None
    return len(match.group(1) or "")


def was_converted(value: float, orig_value: float) -> bool:
    """Whether the value differs from the number the report printed (a unit conversion changed it)."""
    return math.isfinite(orig_value) and not math.isclose(value, orig_value, rel_tol=1e-9, abs_tol=0.0)


def number_text(value: float, analyte: str | None, orig_value: float, orig_text: object) -> str:
    """A numeric value as printed (its decimals), or at the analyte's precision once converted."""
    printed = printed_decimals(orig_text)
    if printed is not None and not was_converted(value, orig_value):
        return fixed(value, printed)
    return fixed(value, converted_decimals(value, analyte))


def _column(frame: pd.DataFrame, name: str) -> list:
    if name not in frame:
        return [None] * len(frame)
    return frame[name].astype(object).where(frame[name].notna(), None).tolist()


def cell_text(frame: pd.DataFrame) -> pd.Series:
    """Per observation row: '<0.5', '9560', '4.39', '1:640', 'Yes', 'No', '3 cm', 'positive'; '' when empty."""
    values = as_float(frame["value"]) if "value" in frame else np.full(len(frame), np.nan)
    originals = as_float(frame["orig_value"]) if "orig_value" in frame else np.full(len(frame), np.nan)
    out = []
    for value, orig, analyte, unit, qualifier, result, text in zip(
        values, originals, _column(frame, "analyte"), _column(frame, "unit"), _column(frame, "qualifier"),
        _column(frame, "result"), _column(frame, "orig_text"), strict=True,
    ):
        out.append(_one_cell(value, orig, analyte, unit, qualifier, result, text))
    return pd.Series(out, index=frame.index, dtype=object)


def _one_cell(value, orig, analyte, unit, qualifier, result, text) -> str:
    if analyte in findings() or (unit == "cm" and result is not None):
        if result == "negative":
            return "No"
        if result == "positive":
            return f"{format(value, 'g')} cm" if math.isfinite(value) and unit == "cm" else "Yes"
    if not math.isfinite(value) or (unit is None and result is not None):
        return result or ""
    if unit == "titer":
        return f"{qualifier or ''}1:{format(value, 'g')}"
    return (qualifier or "") + number_text(value, analyte, orig, text)


def range_text(low: float | None, high: float | None, analyte: str | None) -> str:
    """A reference range in the catalogue unit at the analyte's precision: '1.5–4.0', '< 1.69', '> 10'."""
    lo = None if low is None or not math.isfinite(low) else low
    hi = None if high is None or not math.isfinite(high) else high
    bounds = [b for b in (lo, hi) if b is not None]
    if not bounds:
        return ""
    decimals = max(converted_decimals(b, analyte) for b in bounds)
    if lo is None:
        return f"< {fixed(hi, decimals)}"
    if hi is None:
        return f"> {fixed(lo, decimals)}"
    return f"{fixed(lo, decimals)}–{fixed(hi, decimals)}"


def range_by_sex_text(rows: pd.DataFrame, analyte: str | None) -> str | None:
    """The reference of a range printed per sex (domain/sex_ranges.py), in the catalogue unit: the range applied
    and whose (`120–150 (female; printed M: 13-17; F: 12-15)`), or both with the sex unknown
    (`F 120–150, M 130–170 (sex unknown)`); None for a range not printed per sex."""
    per_sex = printed_per_sex(rows)
    if not per_sex.any():
        return None
    first = rows[per_sex].iloc[0]
    low, high = (as_float(rows.loc[per_sex, name].iloc[:1])[0] for name in ("ref_low", "ref_high"))
    if math.isfinite(low) or math.isfinite(high):
        whose = next((name for sex, name in SEX_NAMES.items() if str(first.get("ref_source", "")).endswith(name)),
                     "by sex")
        return f"{range_text(low, high, analyte)} ({whose}; printed {first['ref_text']})"
    both = [f"{sex} {range_text(*(as_float(rows.loc[per_sex, c].iloc[:1])[0] for c in SEX_RANGE_COLUMNS[sex]), analyte)}"
            for sex in SEX_NAMES]
    return f"{', '.join(both)} (sex unknown)"
