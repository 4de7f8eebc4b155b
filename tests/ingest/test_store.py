"""The parquet case store: lossless round trip, versions kept, crash-safe saves, safe case ids."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from dashboard.domain.schema import EVENT_SCHEMA, OBSERVATION_SCHEMA, event_frame, observation_frame
from dashboard.ingest import store as store_module
from dashboard.ingest.bundle import Case, load_case
from dashboard.ingest.problems import warning
from dashboard.ingest.store import CaseNotFoundError, CaseStore, validate_case_id


def _observations(case_id: str, ferritin: float = 18873.0) -> pd.DataFrame:
    rows = [
        {"case_id": case_id, "timepoint": "Admission", "tp_order": 0, "day": 0.0, "analyte": "ferritin",
         "label": "Ferritin", "value": ferritin, "unit": "ng/mL", "orig_value": ferritin, "orig_unit": "ng/mL",
         "orig_text": str(ferritin), "ref_low": 13.0, "ref_high": 150.0, "ref_text": "13–150"},
        {"case_id": case_id, "timepoint": "Après mPSL µ°", "tp_order": 1, "day": None, "analyte": None,
         "label": "<img src=x onerror=alert(1)> 血小板", "value": None, "orig_text": "ND"},
        {"case_id": case_id, "timepoint": "Admission", "tp_order": 0, "day": 0.0, "analyte": "ana",
         "label": "ANA", "value": 640.0, "unit": "titer", "result": "positive", "qualifier": ">",
         "orig_text": "1: 640 (speckled)"},
    ]
    return observation_frame(rows)


def _events(case_id: str) -> pd.DataFrame:
    return event_frame([
        {"case_id": case_id, "kind": "medication", "name": "Methylprednisolone pulse", "start_day": 0.0,
         "end_day": 2.0, "dose": 1.0, "dose_unit": "g/day", "route": "IV", "note": "1 g/day × 3"},
        {"case_id": case_id, "kind": "procedure", "name": "Bone-marrow biopsy", "start_day": 7.0},
    ])


def make_case(case_id: str = "case-a", ferritin: float = 18873.0, title: str = "Ünïcode title µ") -> Case:
    meta = {"title": title, "source": "Case report (2024)", "patient": {"age": 33, "sex": "F"},
            "timepoints": {"Admission": 0, "Après mPSL µ°": 7}}
    problems = [warning("Unmapped analyte", file="labs.csv", row=3, column="Analyte", value="<img src=x>")]
    return Case(id=case_id, meta=meta, observations=_observations(case_id, ferritin), events=_events(case_id),
                problems=problems)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def store(tmp_path: Path) -> CaseStore:
    return CaseStore(tmp_path / "store")


def test_round_trip_is_lossless_including_nan_na_and_unicode(store: CaseStore) -> None:
    case = make_case()
    # a real NaN (not null) beside nulls: the store must keep them distinct
    value = pa.array([math.nan, None, 640.0], type=pa.float64(), from_pandas=False)
    case.observations["value"] = pd.Series(value, dtype=pd.ArrowDtype(pa.float64()))
    store.save(case)
    loaded = store.load("case-a")
    assert_frame_equal(loaded.observations, case.observations)
    assert_frame_equal(loaded.events, case.events)
    assert loaded.meta == case.meta
    assert loaded.problems == case.problems
    assert loaded.id == "case-a"
    assert math.isnan(loaded.observations["value"].array[0])
    assert loaded.observations["value"].isna().tolist() == [False, True, False]  # NaN is a value in arrow
    assert list(loaded.observations.dtypes) == [pd.ArrowDtype(t) for t in OBSERVATION_SCHEMA.values()]
    assert list(loaded.events.dtypes) == [pd.ArrowDtype(t) for t in EVENT_SCHEMA.values()]


def test_round_trip_of_the_seed_case(store: CaseStore, seed_path: Path) -> None:
    case = load_case(seed_path)
    store.save(case)
    loaded = store.load(case.id)
    assert_frame_equal(loaded.observations, case.observations.reset_index(drop=True))
    assert_frame_equal(loaded.events, case.events.reset_index(drop=True))
    assert loaded.meta == case.meta
    assert loaded.problems == case.problems  # the import warnings travel with the case
    assert store.list_cases().loc[0, "n_observations"] == len(case.observations)


def test_files_are_where_the_layout_says(store: CaseStore) -> None:
    version = store.save(make_case())
    current = store.root / "case-a" / "current"
    assert sorted(p.name for p in current.iterdir()) == ["events.parquet", "meta.json", "observations.parquet"]
    assert not list((store.root / "case-a").glob(".staging-*"))
    assert store.versions("case-a")["version_id"].tolist() == [version]


def test_default_root_comes_from_the_environment(store_root: Path) -> None:
    assert CaseStore().root == store_root
    CaseStore().save(make_case())
    assert (store_root / "case-a" / "current" / "meta.json").is_file()


def test_overwrite_keeps_the_prior_version(store: CaseStore) -> None:
    first = store.save(make_case(ferritin=100.0))
    second = store.save(make_case(ferritin=200.0))
    assert first != second
    history = store.versions("case-a")
    assert history["version_id"].tolist() == [second, first]
    assert history["status"].tolist() == ["current", "prior"]
    assert history.loc[1, "reason"] == "replaced"
    assert store.load("case-a").observations["value"].iloc[0] == 200.0
    assert store.load_version("case-a", first).observations["value"].iloc[0] == 100.0


def test_crash_while_writing_leaves_the_stored_case_exactly_as_it_was(store, monkeypatch) -> None:
    store.save(make_case(ferritin=100.0))
    before = _snapshot(store.root)
    real_write = store_module.pq.write_table
    calls = []

    def crash_after_first_file(table, where, **kwargs):
        calls.append(where)
        if len(calls) > 1:
            raise OSError("disk full (simulated)")
        return real_write(table, where, **kwargs)

    monkeypatch.setattr(store_module.pq, "write_table", crash_after_first_file)
    with pytest.raises(OSError, match="simulated"):
        store.save(make_case(ferritin=999.0))
    assert len(calls) == 2  # the crash really happened in the middle of the save
    assert _snapshot(store.root) == before
    assert not list((store.root / "case-a").glob(".staging-*"))
    assert store.load("case-a").observations["value"].iloc[0] == 100.0


def test_crash_on_the_first_save_stores_nothing(store, monkeypatch) -> None:
    monkeypatch.setattr(store_module.pq, "write_table", lambda *a, **k: (_ for _ in ()).throw(OSError("boom")))
    with pytest.raises(OSError):
        store.save(make_case())
    assert store.list_cases().empty
    assert store.deleted_cases().empty


def test_failed_swap_puts_the_old_version_back(store, monkeypatch) -> None:
    first = store.save(make_case(ferritin=100.0))
    real_replace = os.replace

    def fail_staging_rename(src, dst):
        if Path(src).name.startswith(".staging-"):
            raise OSError("rename failed (simulated)")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_staging_rename)
    with pytest.raises(OSError, match="simulated"):
        store.save(make_case(ferritin=999.0))
    monkeypatch.undo()
    assert store.load("case-a").observations["value"].iloc[0] == 100.0
    assert store.versions("case-a")["version_id"].tolist() == [first]
    assert not (store.root / "case-a" / "current" / "retired.json").exists()


def test_delete_keeps_the_case_restorable(store: CaseStore) -> None:
    version = store.save(make_case())
    store.save(make_case("case-b"))
    assert store.delete("case-a") == version
    assert store.list_cases()["case_id"].tolist() == ["case-b"]
    deleted = store.deleted_cases()
    assert deleted["case_id"].tolist() == ["case-a"]
    assert deleted.loc[0, "version_id"] == version
    history = store.versions("case-a")
    assert history[["status", "reason"]].values.tolist() == [["prior", "deleted"]]
    with pytest.raises(CaseNotFoundError):
        store.load("case-a")
    with pytest.raises(CaseNotFoundError):
        store.delete("case-a")

    restored = store.restore("case-a", version)
    assert restored != version
    assert_frame_equal(store.load("case-a").observations, make_case().observations)
    assert store.deleted_cases().empty
    assert sorted(store.list_cases()["case_id"]) == ["case-a", "case-b"]
    assert store.versions("case-a").loc[0, "restored_from"] == version


def test_restore_over_a_current_version_keeps_that_one_too(store: CaseStore) -> None:
    first = store.save(make_case(ferritin=100.0))
    second = store.save(make_case(ferritin=200.0))
    third = store.restore("case-a", first)
    assert store.load("case-a").observations["value"].iloc[0] == 100.0
    history = store.versions("case-a")
    assert history["version_id"].tolist() == [third, second, first]
    assert history.loc[1, "reason"] == "restored over"
    assert store.load_version("case-a", second).observations["value"].iloc[0] == 200.0
    with pytest.raises(CaseNotFoundError):
        store.restore("case-a", "20000101T000000000000Z-abcdef")


@pytest.mark.parametrize("bad", ["", "../x", "..", ".", "a/b", "a\\b", "/etc", ".hidden", "x" * 129, "a\x00b",
                                 "trailing.", "trailing "])
def test_unsafe_case_ids_are_refused(store: CaseStore, bad: str) -> None:
    with pytest.raises(ValueError, match="Invalid case id"):
        validate_case_id(bad)
    with pytest.raises(ValueError, match="Invalid case id"):
        store.save(make_case(bad))
    with pytest.raises(ValueError, match="Invalid case id"):
        store.load(bad)
    with pytest.raises(ValueError, match="Invalid case id"):
        store.restore("case-a", bad)
    assert not (store.root.parent / "x").exists()  # nothing escaped the store root
    assert not store.root.exists() or not any(store.root.rglob("*.parquet"))


@pytest.mark.parametrize("good", ["seed-sle-mas", "Case 12", "patient_3.v2", "fall-ménétrier", "a"])
def test_ordinary_case_ids_are_accepted(good: str) -> None:
    assert validate_case_id(good) == good


def test_list_cases_summarises_each_case(store: CaseStore) -> None:
    store.save(make_case("case-a", title="First"))
    store.save(make_case("case-b", title="Second"))
    listing = store.list_cases()
    assert list(listing.columns) == ["case_id", "title", "source", "timepoints", "n_observations", "updated"]
    assert listing["case_id"].tolist() == ["case-b", "case-a"]  # newest first
    row = listing.set_index("case_id").loc["case-a"]
    assert (row["title"], row["source"], row["timepoints"], row["n_observations"]) == (
        "First", "Case report (2024)", 2, 3)
    assert str(listing["updated"].dt.tz) == "UTC"


def test_an_empty_store_lists_nothing(store: CaseStore) -> None:
    assert store.list_cases().empty
    assert list(store.list_cases().columns) == list(store_module.LIST_COLUMNS)
    assert store.versions("nothing").empty
    assert store.deleted_cases().empty
    assert_frame_equal(store.load_all_observations(), observation_frame())
    assert_frame_equal(store.load_all_events(), event_frame())


def test_load_all_observations_concatenates_current_versions(store: CaseStore) -> None:
    store.save(make_case("case-a", ferritin=100.0))
    store.save(make_case("case-a", ferritin=150.0))
    store.save(make_case("case-b", ferritin=200.0))
    store.save(make_case("case-c"))
    store.delete("case-c")
    everything = store.load_all_observations()
    assert len(everything) == 6
    assert list(everything.dtypes) == [pd.ArrowDtype(t) for t in OBSERVATION_SCHEMA.values()]
    ferritin = everything[everything["analyte"] == "ferritin"].set_index("case_id")["value"]
    assert ferritin.to_dict() == {"case-a": 150.0, "case-b": 200.0}
    only_b = store.load_all_observations(["case-b"])
    assert set(only_b["case_id"]) == {"case-b"}
    with pytest.raises(CaseNotFoundError, match="case-c"):
        store.load_all_observations(["case-b", "case-c"])
    assert len(store.load_all_events()) == 4


@given(st.text(max_size=40))
def test_any_accepted_case_id_stays_one_folder_inside_the_store(case_id: str) -> None:
    root = Path("/store").resolve()
    try:
        validate_case_id(case_id)
    except ValueError:
        return
    path = (root / case_id).resolve()
    assert path.parent == root and path.name == case_id


def test_concurrent_saves_of_one_case_lose_no_version(store: CaseStore) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        saved = list(pool.map(lambda i: store.save(make_case(ferritin=float(i))), range(16)))
    history = store.versions("case-a")
    assert sorted(history["version_id"]) == sorted(saved)
    assert history["status"].tolist().count("current") == 1
    current_value = store.load("case-a").observations["value"].iloc[0]
    assert history.loc[0, "version_id"] == saved[int(current_value)]


def test_problems_stored_as_text_only_load_as_warnings(store: CaseStore) -> None:
    store.save(make_case())
    meta_path = store.root / "case-a" / "current" / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["problems"] = ["an older note", {"text": "fields from the future", "severity": "x", "colour": 1}]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    assert store.load("case-a").problems == [warning("an older note"), warning("fields from the future")]


def test_rows_are_stored_under_the_case_id_they_are_saved_as(store: CaseStore, seed_path: Path) -> None:
    seed = load_case(seed_path)
    before = seed.observations.copy()
    store.save(dataclasses.replace(seed, id="seed-copy"))
    store.save(seed)
    pd.testing.assert_frame_equal(seed.observations, before)  # the caller's frame is not touched
    everything = store.load_all_observations()
    assert everything.groupby("case_id").size().to_dict() == {"seed-copy": len(before), seed.id: len(before)}
    assert set(store.load_all_events()["case_id"]) == {"seed-copy", seed.id}


def test_metadata_that_json_cannot_hold_is_kept_as_text(store: CaseStore) -> None:
    case = make_case()
    case.meta["admitted"] = dt.date(2021, 2, 3)  # a TOML date
    store.save(case)
    assert store.load("case-a").meta["admitted"] == "2021-02-03"
    assert case.meta["admitted"] == dt.date(2021, 2, 3)


def test_staging_left_by_a_killed_process_is_swept_on_the_next_save(store: CaseStore) -> None:
    store.save(make_case())
    stale = store.root / "case-a" / ".staging-killed"
    fresh = store.root / "case-a" / ".staging-other-writer"
    for folder in (stale, fresh):
        folder.mkdir()
        (folder / "observations.parquet").write_bytes(b"half")
    day_and_a_bit_ago = stale.stat().st_mtime - 25 * 3600
    os.utime(stale, (day_and_a_bit_ago, day_and_a_bit_ago))
    store.save(make_case(ferritin=1.0))
    assert not stale.exists() and fresh.exists()
    assert store.list_cases()["case_id"].tolist() == ["case-a"]


def test_saving_the_same_content_again_is_a_no_op(store: CaseStore, seed_path: Path) -> None:
    case = load_case(seed_path)
    first = store.save(case)
    assert store.unchanged(load_case(seed_path))  # equal content read afresh, not the same object
    assert store.unchanged(store.load(case.id))  # and read back from the store
    assert store.save(load_case(seed_path)) == first
    assert store.versions(case.id)["version_id"].tolist() == [first]
    changed = load_case(seed_path)
    changed.meta["title"] = "another title"
    assert not store.unchanged(changed)
    second = store.save(changed)
    assert store.versions(case.id)["version_id"].tolist() == [second, first]


def test_a_changed_warning_is_a_change(store: CaseStore) -> None:
    """Warnings are stored with the case: a save that only changes them is a new version."""
    case = make_case()
    store.save(case)
    case.problems = [warning("inferred °F", "labs.csv", 3, "Admission", "101.3")]
    assert not store.unchanged(case)
    store.save(case)
    assert store.load("case-a").problems == case.problems


def test_default_root_is_data_store_in_a_checkout_and_the_user_folder_otherwise(monkeypatch, tmp_path) -> None:
    import platformdirs

    from dashboard.ingest import store_location as location

    monkeypatch.delenv("CASETRACK_STORE", raising=False)
    assert location.default_root() == location.CHECKOUT / "data" / "store"
    monkeypatch.setattr(location, "is_checkout", lambda: False)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda name, appauthor: str(tmp_path / name))
    assert location.default_root() == tmp_path / "casetrack" / "store"
    monkeypatch.setenv("CASETRACK_STORE", str(tmp_path / "mine"))
    assert location.default_root() == tmp_path / "mine"  # the environment always wins
