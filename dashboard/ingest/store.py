"""The versioned parquet case store: nothing a user saved is ever silently lost.

Layout under the store root (where it lives: `ingest/store_location.py`)::

    <case_id>/current/{observations.parquet, events.parquet, meta.json}
    <case_id>/versions/<version_id>/...      every replaced, deleted or restored-over version

A save is written completely into a hidden staging folder next to `current/` and only then swapped in with
`os.replace` renames, so a crash while writing leaves the stored case exactly as it was. The version being
replaced is moved (never copied, never overwritten) into `versions/` first; `delete` does the same, so the
library can always restore. Frames are stored and returned with the pyarrow-backed dtypes of
`domain/schema.py`, which makes the round trip lossless (NaN and NA stay distinct, unicode is kept).
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterable
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from dashboard.domain.schema import EVENT_SCHEMA, OBSERVATION_SCHEMA, observation_frame
from dashboard.ingest.case import CASE_ID, Case
from dashboard.ingest.durable_files import case_lock, fsync_dir, fsync_file, read_json, write_json
from dashboard.ingest.store_location import default_root
from dashboard.ingest.stored import (
    arrow_table,
    owned_by,
    problem_from,
    problem_record,
    read_frame,
    same_content,
)

OBSERVATIONS_FILE = "observations.parquet"
EVENTS_FILE = "events.parquet"
META_FILE = "meta.json"
RETIRED_FILE = "retired.json"  # written into a version folder when it stops being current
CURRENT = "current"
VERSIONS = "versions"
STAGING_PREFIX = ".staging-"  # hidden, so listings never mistake a half-written save for a case
STALE_STAGING_SECONDS = 24 * 3600  # a save takes seconds; older staging folders are a killed process's

LIST_COLUMNS = ("case_id", "title", "source", "timepoints", "n_observations", "updated")
VERSION_COLUMNS = (
    "version_id", "status", "saved_at", "retired_at", "reason", "title", "n_observations", "restored_from"
)
DELETED_COLUMNS = ("case_id", "title", "deleted_at", "version_id")


class CaseNotFoundError(LookupError):
    """No stored case (or version) with that id."""


def validate_case_id(case_id: str) -> str:
    """Return `case_id` if it is safe as one folder name; raise ValueError naming the problem otherwise.

    Case ids become paths, so `../x`, `a/b`, empty or hidden names must never reach the file system.
    """
    if not isinstance(case_id, str) or not CASE_ID.fullmatch(case_id):
        raise ValueError(
            f"Invalid case id {case_id!r}: use 1-128 letters, digits, spaces, '.', '_' or '-', "
            "starting with a letter or digit (no slashes, no '..')."
        )
    return case_id


def new_version_id(now: datetime | None = None) -> str:
    """A sortable, unique version id: UTC time to the microsecond plus a random suffix."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:6]}"


def _timestamp(text: str | None) -> pd.Timestamp:
    return pd.Timestamp(text) if text else pd.NaT


class CaseStore:
    """Versioned, crash-safe parquet storage of cases (see the module docstring for the layout)."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()

    # --- paths -------------------------------------------------------------------------------------------
    def _case_dir(self, case_id: str) -> Path:
        return self.root / validate_case_id(case_id)

    def _current(self, case_id: str) -> Path:
        return self._case_dir(case_id) / CURRENT

    def _version_dir(self, case_id: str, version_id: str) -> Path:
        validate_case_id(version_id)  # version ids become folder names too
        return self._case_dir(case_id) / VERSIONS / version_id

    def _case_ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and CASE_ID.fullmatch(p.name))

    # --- writing -----------------------------------------------------------------------------------------
    def save(self, case: Case) -> str:
        """Store `case` as the new current version and return its version id.

        An existing current version is kept as a prior version; if anything fails before the swap, the
        store is left exactly as it was and the error propagates. Saving a case whose content equals the
        current version writes nothing and returns the current version's id (see `unchanged`).
        """
        case_dir = self._case_dir(case.id)
        version_id = new_version_id()
        staging = self._staging_dir(case_dir)
        try:
            self._write_version(staging, case, version_id)
            with case_lock(case_dir):  # compared under the lock: another session may be swapping
                if self.unchanged(case):
                    return str(read_json(case_dir / CURRENT / META_FILE).get("version_id"))
                self._swap_in(case_dir, staging, reason="replaced")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return version_id

    def unchanged(self, case: Case) -> bool:
        """True when the stored current version of `case.id` has exactly this content (a save is a no-op)."""
        return self.exists(case.id) and same_content(case, self.load(case.id))

    def delete(self, case_id: str) -> str:
        """Retire the current version into `versions/` (restorable); return its version id."""
        case_dir = self._case_dir(case_id)
        if not (case_dir / CURRENT).is_dir():
            raise CaseNotFoundError(f"No stored case {case_id!r}.")
        with case_lock(case_dir):
            if not (case_dir / CURRENT).is_dir():  # deleted by another session meanwhile
                raise CaseNotFoundError(f"No stored case {case_id!r}.")
            return self._retire(case_dir, reason="deleted")

    def restore(self, case_id: str, version_id: str) -> str:
        """Make a prior version current again (as a new version); the current one becomes a prior version."""
        source = self._version_dir(case_id, version_id)
        if not (source / META_FILE).is_file():
            raise CaseNotFoundError(f"No version {version_id!r} of case {case_id!r}.")
        case_dir = self._case_dir(case_id)
        new_id = new_version_id()
        staging = self._staging_dir(case_dir)
        try:
            shutil.copytree(source, staging)
            (staging / RETIRED_FILE).unlink(missing_ok=True)
            meta = read_json(staging / META_FILE)
            meta.update(version_id=new_id, saved_at=datetime.now(UTC).isoformat(), restored_from=version_id)
            write_json(staging / META_FILE, meta)
            with case_lock(case_dir):
                self._swap_in(case_dir, staging, reason="restored over")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return new_id

    def _staging_dir(self, case_dir: Path) -> Path:
        """A fresh staging path; staging left by a killed process (older than a day) is swept away."""
        case_dir.mkdir(parents=True, exist_ok=True)
        for old in case_dir.glob(f"{STAGING_PREFIX}*"):
            with suppress(OSError):
                if time.time() - old.stat().st_mtime > STALE_STAGING_SECONDS:
                    shutil.rmtree(old, ignore_errors=True)
        return case_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex}"

    def _write_version(self, folder: Path, case: Case, version_id: str) -> None:
        folder.mkdir(parents=True)
        observations = arrow_table(owned_by(case.observations, case.id), OBSERVATION_SCHEMA)
        events = arrow_table(owned_by(case.events, case.id), EVENT_SCHEMA)
        for table, name in ((observations, OBSERVATIONS_FILE), (events, EVENTS_FILE)):
            pq.write_table(table, folder / name)
            fsync_file(folder / name)
        timepoints = case.observations.get("timepoint", pd.Series(dtype=object))
        labels = timepoints.dropna().unique().tolist()
        write_json(folder / META_FILE, {
            "case_id": case.id,
            "version_id": version_id,
            "saved_at": datetime.now(UTC).isoformat(),
            "restored_from": None,
            "n_observations": observations.num_rows,
            "n_events": events.num_rows,
            "timepoint_labels": [str(label) for label in labels],
            "problems": [problem_record(problem) for problem in case.problems],
            "meta": dict(case.meta),
        })

    def _swap_in(self, case_dir: Path, staging: Path, reason: str) -> None:
        """Retire the current version (if any), then rename the staged one into place.

        If the second rename fails, the retired version is moved back so the case never disappears.
        """
        current = case_dir / CURRENT
        retired = self._retire(case_dir, reason) if current.is_dir() else None
        try:
            os.replace(staging, current)
        except BaseException:
            if retired is not None:
                os.replace(case_dir / VERSIONS / retired, current)
                (current / RETIRED_FILE).unlink(missing_ok=True)
            raise
        fsync_dir(case_dir)

    def _retire(self, case_dir: Path, reason: str) -> str:
        current = case_dir / CURRENT
        version_id = read_json(current / META_FILE).get("version_id") or new_version_id()
        target = case_dir / VERSIONS / version_id
        if target.exists():  # a restored copy never reuses an id, but never overwrite whatever happens
            target = target.with_name(f"{version_id}-{uuid.uuid4().hex[:6]}")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(current, target)
        fsync_dir(case_dir)
        with suppress(OSError):  # the move is what matters; the note only explains it
            write_json(target / RETIRED_FILE, {"retired_at": datetime.now(UTC).isoformat(), "reason": reason})
        return target.name

    # --- reading -----------------------------------------------------------------------------------------
    def exists(self, case_id: str) -> bool:
        return (self._current(case_id) / META_FILE).is_file()

    def load(self, case_id: str) -> Case:
        """The current version of a stored case."""
        folder = self._current(case_id)
        if not (folder / META_FILE).is_file():
            raise CaseNotFoundError(f"No stored case {case_id!r}.")
        return self._load_folder(case_id, folder)

    def load_version(self, case_id: str, version_id: str) -> Case:
        """A prior version, e.g. to preview it before restoring."""
        folder = self._version_dir(case_id, version_id)
        if not (folder / META_FILE).is_file():
            raise CaseNotFoundError(f"No version {version_id!r} of case {case_id!r}.")
        return self._load_folder(case_id, folder)

    def _load_folder(self, case_id: str, folder: Path) -> Case:
        meta = read_json(folder / META_FILE)
        return Case(
            id=case_id,
            meta=dict(meta.get("meta", {})),
            observations=observation_frame(read_frame(folder / OBSERVATIONS_FILE)),  # older saves lack new columns
            events=read_frame(folder / EVENTS_FILE),
            problems=[problem_from(record) for record in meta.get("problems", [])],
        )

    def list_cases(self) -> pd.DataFrame:
        """One row per stored (not deleted) case, newest first; reads only meta.json files."""
        rows = []
        for case_id in self._case_ids():
            meta = read_json(self.root / case_id / CURRENT / META_FILE)
            if not meta:
                continue
            case_meta = meta.get("meta", {})
            rows.append({
                "case_id": case_id,
                "title": case_meta.get("title") or case_id,
                "source": case_meta.get("source") or "",
                "timepoints": len(meta.get("timepoint_labels", [])),
                "n_observations": int(meta.get("n_observations", 0)),
                "updated": _timestamp(meta.get("saved_at")),
            })
        frame = pd.DataFrame(rows, columns=list(LIST_COLUMNS))
        frame["updated"] = pd.to_datetime(frame["updated"], utc=True)
        return frame.sort_values("updated", ascending=False, ignore_index=True)

    def versions(self, case_id: str) -> pd.DataFrame:
        """Every version of a case (current first, then prior versions newest first)."""
        case_dir = self._case_dir(case_id)
        rows = []
        if (case_dir / CURRENT / META_FILE).is_file():
            rows.append(self._version_row(case_dir / CURRENT, status="current"))
        prior = case_dir / VERSIONS
        if prior.is_dir():
            folders = sorted((p for p in prior.iterdir() if (p / META_FILE).is_file()), reverse=True)
            rows.extend(self._version_row(p, status="prior") for p in folders)
        frame = pd.DataFrame(rows, columns=list(VERSION_COLUMNS))
        for column in ("saved_at", "retired_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True)
        return frame

    @staticmethod
    def _version_row(folder: Path, status: str) -> dict[str, Any]:
        meta = read_json(folder / META_FILE)
        retired = read_json(folder / RETIRED_FILE)
        return {
            "version_id": folder.name if status == "prior" else meta.get("version_id"),
            "status": status,
            "saved_at": _timestamp(meta.get("saved_at")),
            "retired_at": _timestamp(retired.get("retired_at")),
            "reason": retired.get("reason"),
            "title": meta.get("meta", {}).get("title"),
            "n_observations": int(meta.get("n_observations", 0)),
            "restored_from": meta.get("restored_from"),
        }

    def deleted_cases(self) -> pd.DataFrame:
        """Cases with prior versions but no current one: deleted, and restorable."""
        rows = []
        for case_id in self._case_ids():
            if (self.root / case_id / CURRENT).is_dir():
                continue
            history = self.versions(case_id)
            if history.empty:
                continue
            latest = history.sort_values("retired_at", ascending=False, na_position="last").iloc[0]
            rows.append({
                "case_id": case_id,
                "title": latest["title"] or case_id,
                "deleted_at": latest["retired_at"],
                "version_id": latest["version_id"],
            })
        frame = pd.DataFrame(rows, columns=list(DELETED_COLUMNS))
        frame["deleted_at"] = pd.to_datetime(frame["deleted_at"], utc=True)
        return frame

    def load_all_observations(self, case_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """The current observations of many (default: all) stored cases as one tidy frame, for the cohort."""
        return self._load_all(OBSERVATIONS_FILE, OBSERVATION_SCHEMA, case_ids)

    def load_all_events(self, case_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """The current events of many (default: all) stored cases as one frame."""
        return self._load_all(EVENTS_FILE, EVENT_SCHEMA, case_ids)

    def _load_all(self, name: str, schema: dict[str, pa.DataType], case_ids: Iterable[str] | None) -> pd.DataFrame:
        """Read the files as one pyarrow dataset (multi-threaded); the fixed schema lines up every case.

        Asking for a case that is not stored (or deleted) raises rather than silently dropping it.
        """
        ids = self._case_ids() if case_ids is None else [validate_case_id(c) for c in case_ids]
        paths = [self.root / c / CURRENT / name for c in ids]
        missing = [c for c, p in zip(ids, paths, strict=True) if not p.is_file()]
        if case_ids is not None and missing:
            raise CaseNotFoundError(f"No stored case(s): {', '.join(map(repr, missing))}.")
        files = [str(p) for p in paths if p.is_file()]
        table = ds.dataset(files, format="parquet", schema=pa.schema(schema)).to_table()
        return table.to_pandas(types_mapper=pd.ArrowDtype)
