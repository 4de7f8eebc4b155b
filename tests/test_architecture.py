"""The dependency direction of docs/architecture.md, checked on the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dashboard"

# layer -> package layers it may import (besides itself)
ALLOWED = {
    "domain": set(),
    "ingest": {"domain"},
    "charts": {"domain"},
    "report": {"domain", "charts"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(layer):
    offenders = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in imported_modules(path):
            if name == "streamlit" or name.startswith("streamlit."):
                offenders.append(f"{path.relative_to(PACKAGE)} imports streamlit")
            if name.startswith("dashboard."):
                target = name.split(".")[1]
                if target != layer and target not in ALLOWED[layer]:
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_only_app_code_imports_streamlit():
    app_code = {"app.py", "ui.py", "components.py"}
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.parent.name != "app_pages"
        and path.name not in app_code
        and any(n == "streamlit" or n.startswith("streamlit.") for n in imported_modules(path))
    ]
    assert offenders == []
