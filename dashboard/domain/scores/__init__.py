"""Clinical scores at every timepoint: one module per score, combined into one flat frame.

`score_matrix` takes `matrix.timepoint_matrix` output (canonical units, NaN = unknown) and returns the
same index with flattened columns (`hscore.points`, `hlh2004.criteria.fever`, ...). Every score is
vectorised over all cases and timepoints at once: each module's `columns` returns plain and nullable
arrays, and the frame is built once here (no per-module frames, no concat).
"""

from __future__ import annotations

import pandas as pd

from dashboard.domain.matrix import INPUT_COLUMNS, timepoint_matrix
from dashboard.domain.scores import ferritin_esr, hlh2004, hscore, logic, mas2016, ms_score, parodi2009

SCORES = (hscore, hlh2004, mas2016, parodi2009, ferritin_esr, ms_score)


def score_matrix(matrix: pd.DataFrame) -> pd.DataFrame:
    """tp_order, day and every score column for each row of a timepoint matrix."""
    absent = [c for c in ("tp_order", "day", *INPUT_COLUMNS) if c not in matrix.columns]
    if absent:
        raise ValueError(f"score_matrix: the matrix lacks the columns {', '.join(absent)}")
    columns = {"tp_order": matrix["tp_order"].array.copy(), "day": matrix["day"].to_numpy(copy=True)}
    inputs = logic.inputs(matrix)  # read and rounded once for every score
    for module in SCORES:
        columns.update(module.columns(inputs))
    # every array is new and owned by this frame alone, so the constructor need not copy them again
    return pd.DataFrame(columns, index=matrix.index, copy=False)


def score_observations(observations: pd.DataFrame) -> pd.DataFrame:
    """Tidy observations -> one row per (case_id, timepoint) with every score."""
    return score_matrix(timepoint_matrix(observations))
