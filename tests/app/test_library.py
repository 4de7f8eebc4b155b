"""Case library: list, open, delete with confirmation, restore a prior version."""

from __future__ import annotations

from dashboard.ingest.store import CaseStore

LIBRARY = "app_pages/library.py"
SEED_ID = "seed-sle-mas"


def test_lists_the_stored_seed_case(app, table):
    shown = table(app(LIBRARY), "library_table")
    row = shown.set_index("case_id").loc[SEED_ID]
    assert row["timepoints"] == 4
    assert row["title"].startswith("MAS complicating an SLE flare")
    assert "Table 1" in row["source"]


def test_delete_needs_confirmation_and_keeps_a_prior_version(app, store_root, page_text, table):
    at = app(LIBRARY)
    at.button(key="library_delete").click().run()
    assert CaseStore(store_root).exists(SEED_ID)  # nothing deleted before the confirmation
    assert "stays restorable" in page_text(at)
    at.button(key="library_confirm_delete").click().run()
    assert not at.exception
    assert not CaseStore(store_root).exists(SEED_ID)
    assert table(at, "library_table").empty
    assert "Deleted seed-sle-mas" in page_text(at)
    # the deleted case stays listed under prior versions, and restoring brings it back
    assert at.selectbox(key="library_versions_case").value == SEED_ID
    at.button(key="library_restore").click().run()
    assert not at.exception
    assert CaseStore(store_root).exists(SEED_ID)
    assert list(table(at, "library_table")["case_id"]) == [SEED_ID]


def test_cancel_keeps_the_case(app, store_root):
    at = app(LIBRARY)
    at.button(key="library_delete").click().run()
    at.button(key="library_cancel_delete").click().run()
    assert CaseStore(store_root).exists(SEED_ID)
    assert not [b for b in at.button if b.key == "library_confirm_delete"]


def test_a_deleted_seed_case_is_not_reimported(app, store_root):
    CaseStore(store_root)  # the app seeds the store on first open
    at = app(LIBRARY)
    at.button(key="library_delete").click().run()
    at.button(key="library_confirm_delete").click().run()
    at.switch_page("app_pages/case_view.py").run()
    assert not at.exception
    assert not CaseStore(store_root).exists(SEED_ID)


def test_open_shows_the_chosen_case_in_the_case_view(app, store_root, seed_path):
    from dashboard.ingest.bundle import load_case

    case = load_case(seed_path)
    case.id, case.meta = "second-case", {**case.meta, "title": "A second case"}
    case.observations = case.observations.assign(case_id="second-case").astype(case.observations.dtypes)
    CaseStore(store_root).save(case)
    at = app(LIBRARY)
    at.selectbox(key="library_case").set_value("second-case").run()
    at.button(key="library_open").click().run()
    assert not at.exception
    assert at.selectbox(key="case_pick").value == "second-case"
    assert at.subheader[0].value == "A second case"
