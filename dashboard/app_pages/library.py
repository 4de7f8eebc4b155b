"""Case library: the stored cases; open, delete (with confirmation) and restore prior versions."""

from __future__ import annotations

import streamlit as st

from dashboard import components, ui, views

store = ui.get_store()
st.title("Case library")
components.warm_scripts()  # the chart and table code, while the user is busy here
st.caption("Every case is stored locally; an overwritten or deleted case is kept as a prior version.")

ui.show_flash()
cases = store.list_cases()
shown = [c for c in ("case_id", "title", "source", "timepoints", "n_observations", "updated") if c in cases.columns]
ui.table(cases[shown], key="library_table")

if len(cases):
    case_id = ui.case_picker(cases, key="library_case", label="Stored case")
    open_col, delete_col, _ = st.columns([1, 1, 4])
    if open_col.button("Open in case view", key="library_open", type="primary"):
        st.switch_page("app_pages/case_view.py")
    if delete_col.button("Delete…", key="library_delete"):
        st.session_state["library_pending_delete"] = case_id

    pending = st.session_state.get("library_pending_delete")
    if pending == case_id:
        st.warning(f"Delete case {views.plain(case_id)}? It stays restorable as a prior version below.")
        yes, no, _ = st.columns([1, 1, 4])
        if yes.button("Yes, delete", key="library_confirm_delete", type="primary"):
            store.delete(case_id)
            st.session_state.pop("library_pending_delete", None)
            st.session_state.pop(ui.CURRENT_CASE, None)
            ui.flash(f"Deleted {case_id}; it can be restored from its prior versions below.")
            st.rerun()
        if no.button("Cancel", key="library_cancel_delete"):
            st.session_state.pop("library_pending_delete", None)
            st.rerun()
else:
    st.info("The library is empty: add a case on the Upload page.")

st.divider()
st.subheader("Prior versions", anchor=False)
known = sorted(set(cases["case_id"]) | set(views.deleted_case_ids(store)))
if not known:
    st.caption("No prior versions yet.")
else:
    target = st.selectbox("Case (stored or deleted)", known, key="library_versions_case")
    versions = store.versions(target)
    ui.table(versions, key="library_versions_table")
    version_ids = views.prior_version_ids(versions)
    if not version_ids:
        st.caption("This case has no prior version yet.")
    else:
        version = st.selectbox("Prior version to restore", version_ids, key="library_version")
        if st.button("Restore this version", key="library_restore"):
            store.restore(target, version)
            st.session_state[ui.CURRENT_CASE] = target
            ui.flash(f"Restored {target} to version {version}; the version it replaced is kept.")
            st.rerun()
