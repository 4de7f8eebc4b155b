"""AppTest fixtures: the real app (dashboard/app.py) against a temporary store seeded from data/cases."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
TIMEOUT = 60  # first runs import plotly/pandas and seed the store


@pytest.fixture
def app(store_root) -> Callable[[str | None], AppTest]:
    """Open the app on a page (path relative to dashboard/, e.g. "app_pages/library.py"), run it."""

    def open_page(page: str | None = None) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.run()
        if page is not None:
            at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


@pytest.fixture
def seed_files(seed_path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(seed_path.iterdir()) if p.is_file()}


def _upload(at: AppTest, files: dict[str, bytes]) -> AppTest:
    uploader = at.file_uploader(key="upload_files")
    for name, content in files.items():
        uploader.upload(name, content, "text/csv" if name.endswith(".csv") else "application/octet-stream")
    return at.run()


def _decoded(node: Any) -> Any:
    """Plotly JSON with its typed arrays ({"dtype", "bdata"}, base64) turned back into lists."""
    if isinstance(node, dict):
        if set(node) >= {"dtype", "bdata"}:
            return np.frombuffer(base64.b64decode(node["bdata"]), dtype=node["dtype"]).tolist()
        return {key: _decoded(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_decoded(value) for value in node]
    return node


def _chart(at: AppTest, key: str) -> dict:
    """The plotly figure (as JSON, typed arrays decoded) of the chart with this key."""
    for element in at.get("plotly_chart"):
        if element.key == key:
            return _decoded(json.loads(element.proto.spec))
    raise KeyError(key)


def _table(at: AppTest, key: str) -> pd.DataFrame:
    """The frame shown by ui.table(..., key=key)."""
    return at.container(key=key).dataframe[0].value


def _texts(at: AppTest) -> str:
    """Every alert, caption, markdown and heading text of the page, joined, as a reader sees it
    (the backslashes that keep user text from being markdown removed)."""
    parts = []
    for kind in ("error", "warning", "info", "success", "caption", "markdown", "subheader", "title"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))


def _open(at: AppTest, key: str, value: str | bool) -> AppTest:
    """Open a lazy tab (its label) or expander (True) by key, as a click would, and rerun."""
    at.session_state[key] = value
    return at.run()


@pytest.fixture
def open_section() -> Callable[[AppTest, str], AppTest]:
    """Open a section (tab) of the case view: only the open one is drawn."""
    return lambda at, label: _open(at, "case_section", label)


@pytest.fixture
def upload() -> Callable[[AppTest, dict[str, bytes]], AppTest]:
    """Put files in the Upload page's file uploader and rerun."""
    return _upload


@pytest.fixture
def chart() -> Callable[[AppTest, str], dict]:
    return _chart


@pytest.fixture
def page_text() -> Callable[[AppTest], str]:
    return _texts


@pytest.fixture
def table() -> Callable[[AppTest, str], pd.DataFrame]:
    return _table
