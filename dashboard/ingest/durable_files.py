"""File writes that survive a crash, for the case store: fsync of files and renames, JSON files, and the
per-case lock that serialises renames between sessions."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

try:  # POSIX; on Windows writers are not serialised (the app is used by one person there)
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

LOCK_FILE = ".lock"


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(path: Path) -> None:
    """Make a rename durable; a no-op where directories cannot be opened (Windows)."""
    with suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON file's object; {} when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    fsync_file(path)


@contextmanager
def case_lock(case_dir: Path) -> Iterator[None]:
    """Serialise the renames of one case: two sessions saving at once must not interleave them.

    flock locks belong to the open file, so they also separate Streamlit's session threads, and the
    kernel drops them when a process dies (no stale lock after a crash).
    """
    case_dir.mkdir(parents=True, exist_ok=True)
    with open(case_dir / LOCK_FILE, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
