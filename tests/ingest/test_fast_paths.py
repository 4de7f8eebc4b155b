"""The cached parses of the ingest fast paths never leak state from one load into the next."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard.ingest.bundle import load_case, load_uploaded

SEED = Path(__file__).resolve().parents[2] / "data" / "cases" / "seed-sle-mas"


def test_loading_twice_gives_equal_independent_cases():
    """Cached label, unit and cell parses must not leak state from one load into the next."""
    first, second = load_case(SEED), load_case(SEED)
    pd.testing.assert_frame_equal(first.observations, second.observations, check_exact=True)
    pd.testing.assert_frame_equal(first.events, second.events, check_exact=True)
    assert first.meta == second.meta and first.problems == second.problems
    first.observations.loc[0, "label"] = "changed"
    assert load_case(SEED).observations.loc[0, "label"] == second.observations.loc[0, "label"] != "changed"


def test_cells_repeated_across_cases_give_the_same_problems():
    labs = "Analyte,Day 0,Day 5\nFerritin (ng/mL),9560,8580\nZork,1,2\n"
    first = load_uploaded({"labs.csv": labs.encode()}, "a")
    second = load_uploaded({"labs.csv": labs.encode()}, "b")
    assert first.problems == second.problems and len(first.problems) == 1
    pd.testing.assert_frame_equal(first.observations.drop(columns="case_id"),
                                  second.observations.drop(columns="case_id"), check_exact=True)
