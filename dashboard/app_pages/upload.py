"""Upload: files in, a validation report and a preview out; errors block the import, warnings don't."""

from __future__ import annotations

import streamlit as st

from dashboard import review, ui, views
from dashboard.ingest.privacy import identifier_warnings, labs_columns

store = ui.get_store()
limit_mb = float(st.get_option("server.maxUploadSize"))

st.title("Upload a case")
st.caption(
    "Drop the files of one case: labs.csv (+ events.csv, case.toml), or one .zip of them, or one .xlsx "
    f"workbook (sheets labs, events, case). Up to {limit_mb:g} MB per file. Files stay on this computer."
)
uploaded = st.file_uploader("Case files", accept_multiple_files=True, key="upload_files")
ui.show_flash()
if not uploaded:
    st.stop()

files = {f.name: f.getvalue() for f in uploaded}
too_large = views.oversized_files({name: len(data) for name, data in files.items()}, limit_mb)
if too_large:
    ui.show_problems(too_large, key="upload_problems")
    st.stop()

case, problems = ui.parse_upload(files)
st.subheader("Validation report", anchor=False)
if not problems:
    st.success("No problems found.")
ui.show_problems(problems, key="upload_problems")
if case is None:
    draft = review.draft_from_upload(files)  # a wide table with cells to fix opens in the review grid
    if draft is not None and st.button("Fix the cells in the review grid", key="upload_review", type="primary"):
        st.session_state[review.HANDED_DRAFT] = draft
        st.switch_page("app_pages/import_table.py")
    st.stop()

privacy = identifier_warnings(
    case.observations, case.meta, raw_columns=labs_columns(files), events=case.events,
)
if privacy:
    st.subheader("Privacy", anchor=False)
    st.warning(
        "This case may contain direct identifiers. Please remove names, record numbers and full dates "
        "before saving or sharing (casetrack keeps everything on this computer).",
        icon=":material/lock:",
    )
    ui.table(views.problem_frame(views.problem_records(privacy)), key="upload_privacy")

st.subheader("Preview", anchor=False)
ui.case_heading(case.meta, case.id)
preview = views.upload_preview(case.observations)
unmapped = views.unmapped_labels(case.observations)
if unmapped:
    st.warning(
        f"{len(unmapped)} label(s) not recognised as an analyte (highlighted; kept, but not scored): "
        + ", ".join(views.plain(label) for label in unmapped)
    )
ui.table(views.highlight_unmapped(preview), key="upload_preview")
st.caption(f"{len(case.observations)} observations, {len(case.events)} events, case id {views.plain(case.id)}.")

existing = case.id in set(store.list_cases()["case_id"])
if existing:
    st.info(f"A case with id {views.plain(case.id)} is stored already: saving keeps it as a prior version.")
if st.button("Save to library", key="upload_save", type="primary") and ui.save_case(store, case):
    st.rerun()
if st.button("Open in case view", key="upload_open", disabled=not existing):
    st.session_state[ui.CURRENT_CASE] = case.id
    st.switch_page("app_pages/case_view.py")
