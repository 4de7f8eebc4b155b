"""Chart fixtures: hand-made seed frames (independent of the domain) and the real pipeline's seed frames."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

# pytest runs in importlib mode (test folders are not packages), so the helper module is loaded by path.
_spec = importlib.util.spec_from_file_location(
    "chart_seed_frames", Path(__file__).with_name("seed_frames.py")
)
seed_frames = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seed_frames)


@pytest.fixture
def hand_flags() -> pd.DataFrame:
    return seed_frames.seed_flags()


@pytest.fixture
def hand_events() -> pd.DataFrame:
    return seed_frames.seed_events()


@pytest.fixture
def hand_scores() -> pd.DataFrame:
    return seed_frames.seed_scores()


@pytest.fixture
def hand_observations() -> pd.DataFrame:
    return seed_frames.seed_observations()


@pytest.fixture(scope="session")
def seed_case(seed_path):
    from dashboard.ingest.bundle import load_case

    return load_case(seed_path)


@pytest.fixture(scope="session")
def seed_real(seed_case):
    """(flags, scores, events) of the shipped seed case through the real ingest -> flags -> scores chain."""
    from dashboard.domain.flags import reference_flags
    from dashboard.domain.scores import score_observations

    return (
        reference_flags(seed_case.observations),
        score_observations(seed_case.observations),
        seed_case.events,
    )


@pytest.fixture
def frames():
    """The hand-made frame builders, for tests that need variants (other case ids, shifted days)."""
    return seed_frames
