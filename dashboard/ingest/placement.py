"""Where each timepoint of a case sits on the day axis, and in which order the timepoints come.

Days are written in the labs (a `day` column) or in case.toml's [timepoints]; the labs win, with a warning
when the two disagree. Timepoints are ordered by day when every one has a day, else as written.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain import schema
from dashboard.ingest.problems import Problem, error, warning


def place_timepoints(observations: pd.DataFrame, meta: dict, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Fill `day` from [timepoints]; order timepoints by day when every one has a day, else as written."""
    problems: list[Problem] = []
    days = {str(k): float(v) for k, v in meta.get("timepoints", {}).items() if isinstance(v, (int, float))}
    labels = observations["timepoint"].to_numpy(object)
    written = observations["day"].to_numpy("float64", na_value=np.nan)
    from_meta = np.array([days.get(label, np.nan) for label in labels], dtype="float64")
    day = np.where(np.isnan(written), from_meta, written)
    per_tp: dict[str, set[float]] = {}
    for label, w, m, d in zip(labels, written, from_meta, day, strict=True):
        if not np.isnan(w) and not np.isnan(m) and w != m and label not in per_tp:
            problems.append(warning(f"timepoint '{label}' has a day in the labs and another in case.toml: "
                                    "the labs' day is used", file, column="day", value=str(label)))
        per_tp.setdefault(label, set()).update([] if np.isnan(d) else [d])
    for label, found in per_tp.items():
        if len(found) > 1:
            problems.append(error(f"timepoint '{label}' has more than one day", file, column="day",
                                  value=str(label), expected="one day per timepoint"))
    unknown = sorted(set(days) - set(per_tp))
    if unknown:
        problems.append(warning(f"case.toml names timepoints not in the labs: {', '.join(unknown)}", "case.toml",
                                column="timepoints"))
    first_day = {label: min(found) if found else np.nan for label, found in per_tp.items()}
    order = list(per_tp)  # first appearance == the readers' tp_order
    if not any(np.isnan(first_day[label]) for label in order):
        order.sort(key=first_day.__getitem__)
    rank = {label: i for i, label in enumerate(order)}
    frame = observations.copy()
    frame["day"] = pd.array(day, dtype=pd.ArrowDtype(schema.OBSERVATION_SCHEMA["day"]))
    tp_order = np.array([rank[label] for label in labels], dtype="int32")
    frame["tp_order"] = pd.array(tp_order, dtype=pd.ArrowDtype(schema.OBSERVATION_SCHEMA["tp_order"]))
    order = np.argsort(tp_order, kind="stable")
    if (order != np.arange(len(order))).any():  # most cases are written in day order: skip the copy
        frame = frame.iloc[order].reset_index(drop=True)
    return frame, problems


def timepoint_days(observations: pd.DataFrame, written: dict) -> dict:
    """label -> day for every timepoint with a day, in timepoint order (labs' days fill case.toml's gaps)."""
    first: dict[str, tuple[int, float | None]] = {}
    for label, order, day in zip(observations["timepoint"].tolist(), observations["tp_order"].tolist(),
                                 observations["day"].tolist(), strict=True):
        first.setdefault(label, (order, day))
    days = dict(written)
    for label, (_, day) in sorted(first.items(), key=lambda item: item[1][0]):
        if label not in days and pd.notna(day):
            days[label] = int(day) if float(day).is_integer() else float(day)
    return days
