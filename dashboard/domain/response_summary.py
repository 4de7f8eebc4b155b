"""Response metrics as people read them: a per-analyte text table, and the cohort's per-case table with
median (IQR) across cases. Input is `response.response_table` output; nothing here recomputes a metric.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.drugs import TREATMENT_CLASSES, classify_events
from dashboard.domain.response import CONDITIONS, PLATELET_RECOVERY

CONDITION_NAMES = {"fall_50": "fall ≥ 50 %", "recovery_100": "platelets ≥ 100", "normal": "normal"}
# The cohort table of issue 12: one row per case.
COHORT_COLUMNS = ("Case", "Anchor drug", "Anchor class", "Ferritin peak", "Ferritin −50 % by day",
                  "Ferritin −50 % after day", "Platelets nadir", "Platelets ≥ 100 by day", "Platelets ≥ 100 after day",
                  "HScore at anchor", "HScore last")


def _day(x: float) -> str:
    return "" if pd.isna(x) else f"{x:g}"


def window(after: float, by: float) -> str:
    """An observed interval as text: '7–11' (after day 7, by day 11), 'not by 53', 'by 11'."""
    if pd.isna(after) and pd.isna(by):
        return ""
    if pd.isna(by):
        return f"not by {_day(after)}"
    return f"by {_day(by)}" if pd.isna(after) else f"{_day(after)}–{_day(by)}"


def _value(value: float, qualifier: object = None) -> str:
    prefix = qualifier if isinstance(qualifier, str) else ""
    return "" if pd.isna(value) else f"{prefix}{value:.4g}"


def metrics_text(table: pd.DataFrame) -> pd.DataFrame:
    """One line per case and analyte: baseline, peak/nadir, last (value at day), % change, intervals."""
    rows = []
    for _, r in table.iterrows():
        conditions = CONDITIONS[r["direction"]]
        rows.append({
            "case": r["case_id"],
            "analyte": r["analyte"],
            "baseline": f"{_value(r['baseline_value'])} (d{_day(r['baseline_day'])})",
            "peak/nadir": f"{r['extreme']} {_value(r['extreme_value'], r['extreme_qualifier'])} "
                          f"(d{_day(r['extreme_day'])})",
            "last": f"{_value(r['last_value'])} (d{_day(r['last_day'])})",
            "change %": "" if pd.isna(r["pct_change"]) else f"{r['pct_change']:+.1f}",
            "fall_50": window(r["fall_50_after"], r["fall_50_by"]) if "fall_50" in conditions else "",
            "recovery_100": window(r["recovery_100_after"], r["recovery_100_by"]),
            "normal": window(r["normal_after"], r["normal_by"]),
            "reference": "" if pd.isna(r["reference_limit"]) else
                         f"{'≤' if r['direction'] == 'rising' else '≥'} {r['reference_limit']:g} "
                         f"({r['reference_source']})",
        })
    return pd.DataFrame(rows)


def cohort_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per case: anchor, days to ferritin -50 % and to platelets >= 100 (observed interval:
    after/by), HScore at the anchor and last. Days count from each case's anchor. Platelets that never
    fell below 100 had nothing to recover from: their days are left empty (not "recovered at once")."""
    cases = table.drop_duplicates("case_id").set_index("case_id")
    ferritin = table[table["analyte"] == "ferritin"].set_index("case_id")
    platelets = table[table["analyte"] == "platelets"].set_index("case_id")
    low = platelets["extreme_value"] < PLATELET_RECOVERY
    platelets = platelets.assign(recovery_100_by=platelets["recovery_100_by"].where(low),
                                 recovery_100_after=platelets["recovery_100_after"].where(low))
    out = pd.DataFrame({
        "Case": cases.index.astype(str),
        "Anchor drug": cases["anchor_name"].to_numpy(),
        "Anchor class": cases["anchor_class"].to_numpy(),
        "Ferritin peak": ferritin["extreme_value"].reindex(cases.index).to_numpy(dtype=float),
        "Ferritin −50 % by day": ferritin["fall_50_by"].reindex(cases.index).to_numpy(dtype=float),
        "Ferritin −50 % after day": ferritin["fall_50_after"].reindex(cases.index).to_numpy(dtype=float),
        "Platelets nadir": platelets["extreme_value"].reindex(cases.index).to_numpy(dtype=float),
        "Platelets ≥ 100 by day": platelets["recovery_100_by"].reindex(cases.index).to_numpy(dtype=float),
        "Platelets ≥ 100 after day": platelets["recovery_100_after"].reindex(cases.index).to_numpy(dtype=float),
        "HScore at anchor": _scores(cases, "hscore_baseline_points"),
        "HScore last": _scores(cases, "hscore_last_points"),
    })
    return out[list(COHORT_COLUMNS)]


def _scores(cases: pd.DataFrame, column: str) -> np.ndarray:
    if column not in cases:
        return np.full(len(cases), np.nan)
    return pd.to_numeric(cases[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def median_iqr(values: pd.Series | np.ndarray) -> str:
    """'11 (7–14), n = 9' over the known values; 'n = 0' when none."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return "n = 0"
    q1, med, q3 = np.percentile(x, [25, 50, 75])
    return f"{med:.4g} ({q1:.4g}–{q3:.4g}), n = {len(x)}"


def cohort_summary(cases: pd.DataFrame) -> pd.DataFrame:
    """Median (IQR) across cases of each numeric column of `cohort_table`, with how many cases reached
    each response (a case that never reached it has no 'by' day and is not in that median)."""
    rows = []
    for column in COHORT_COLUMNS[3:]:
        rows.append({"measure": column, "median (IQR)": median_iqr(cases[column])})
    return pd.DataFrame(rows)


def time_to_event(table: pd.DataFrame, analyte: str = "ferritin", condition: str = "fall_50") -> pd.DataFrame:
    """Per case: duration (the `by` day when reached, else `after`: the last observation known not to
    meet it) and reached (1/0), for a Kaplan-Meier estimate. Cases with neither day are left out."""
    rows = table[table["analyte"] == analyte]
    by = rows[f"{condition}_by"].to_numpy(dtype=float)
    after = rows[f"{condition}_after"].to_numpy(dtype=float)
    reached = np.isfinite(by)
    duration = np.where(reached, by, after)
    keep = np.isfinite(duration)
    return pd.DataFrame({"case_id": rows["case_id"].to_numpy()[keep], "duration": duration[keep],
                         "reached": reached[keep].astype(int), "after": after[keep]})


def anchor_choices(events: pd.DataFrame) -> list[str | None]:
    """Anchors a user can pick for one case: None (the first MAS/HLH treatment), each treatment class it
    received, then each treatment by name, in order of first start."""
    if events.empty:
        return [None]
    ev = classify_events(events)
    ev = ev[ev["drug_class"].isin(list(TREATMENT_CLASSES)).fillna(False).to_numpy(dtype=bool)]
    ev = ev.assign(_start=ev["start_day"].to_numpy(dtype="float64", na_value=np.inf))
    ev = ev.sort_values("_start", kind="stable")
    classes = [c for c in TREATMENT_CLASSES if c in set(ev["drug_class"].astype(str))]
    return [None, *classes, *ev["name"].astype(str).unique().tolist()]
