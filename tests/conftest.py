"""Fixtures shared by the whole suite. Sub-folders keep their own narrower fixtures in their conftest."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED_CASE = ROOT / "data" / "cases" / "seed-sle-mas"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The shipped seed case folder (labs.csv, events.csv, case.toml)."""
    return SEED_CASE


@pytest.fixture
def store_root(tmp_path, monkeypatch) -> Path:
    """An empty case store for one test; the app and CLI find it through CASETRACK_STORE."""
    path = tmp_path / "store"
    monkeypatch.setenv("CASETRACK_STORE", str(path))
    return path
