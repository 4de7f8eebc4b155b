"""Upload: files in, a validation report and a preview out; errors block the import, warnings don't."""

from __future__ import annotations

import streamlit as st

from dashboard import components, review, ui, views
from dashboard.ingest.privacy import IDENTIFIER_MESSAGE

store = ui.get_store()
if st.session_state.pop(ui.OPEN_SAVED, False):  # "Save and open" saved in its callback: nothing to redraw
    st.switch_page("app_pages/case_view.py")
limit_mb = float(st.get_option("server.maxUploadSize"))

st.title("Upload a case")
components.warm_scripts()  # the chart and table code, while the user is busy here
st.caption(
    "Drop the files of one case: labs.csv (+ events.csv, case.toml), or one .zip of them, or one .xlsx "
    "workbook (sheets labs, events, case). A long table with a case column (case_id, USUBJID, subject, "
    "patient, record_id) holds many cases, as do an SDTM study (dm, lb, vs, ex, cm as .xpt or .csv, several "
    "at once or one .zip) and FHIR R4 files (.json Bundle, .ndjson, or a .zip of them): one case per subject. "
    f"Up to {limit_mb:g} MB per file. Files stay on this computer."
)
uploaded = st.file_uploader("Case files", accept_multiple_files=True, key="upload_files")
DECIMALS = {"detect": None, "point (3.5)": ".", "comma (3,5)": ","}
decimal = st.segmented_control(
    "Decimal separator", list(DECIMALS), default="detect", key="upload_decimal",
    help="Detected per file (one notice when a file uses decimal commas); choose one to override, as "
         "case.toml's `decimal` does.",
)
ui.show_flash()
if not uploaded:
    st.stop()

files = {f.name: f.getvalue() for f in uploaded}
too_large = views.oversized_files({name: len(data) for name, data in files.items()}, limit_mb)
if too_large:
    ui.show_problems(too_large, key="upload_problems")
    st.stop()

parsed = ui.parse_upload(files, DECIMALS.get(decimal or "detect"))
identifiers = [r for _, _, found in parsed for r in found if str(r["message"]).startswith(IDENTIFIER_MESSAGE)]
shown = [(case_id, case, [r for r in found if r not in identifiers]) for case_id, case, found in parsed]
if len(parsed) > 1:  # a file of many cases: import the good ones, name the bad ones
    good = [case for _, case, _ in parsed if case is not None]
    st.subheader("Validation report", anchor=False)
    where = "this file" if len(files) == 1 else f"these {len(files)} files"
    st.info(f"{len(parsed)} cases in {where}: {len(good)} can be imported, {len(parsed) - len(good)} with "
            "errors, left out until they are fixed.")
    ui.table(views.upload_cases_frame(parsed), key="upload_cases")
    if any(found for _, _, found in shown):
        ui.table(views.case_problem_frame(shown), key="upload_problems")
else:
    _, case, problems = shown[0]
    st.subheader("Validation report", anchor=False)
    if not problems:
        st.success("No problems found.")
    ui.show_problems(problems, key="upload_problems")
    good = [case] if case is not None else []
if not good:
    draft = review.draft_from_upload(files) if len(parsed) == 1 else None  # one wide table: fix it in the grid
    if draft is not None and st.button("Fix the cells in the review grid", key="upload_review", type="primary"):
        st.session_state[review.HANDED_DRAFT] = draft
        st.switch_page("app_pages/import_table.py")
    st.stop()

if identifiers:
    st.subheader("Privacy", anchor=False)
    st.warning(
        "This upload may contain direct identifiers. Please remove names, record numbers and full dates "
        "before saving or sharing (casetrack keeps everything on this computer).",
        icon=":material/lock:",
    )
    ui.table(views.problem_frame(identifiers), key="upload_privacy")

if len(parsed) > 1:
    if st.button(f"Save {len(good)} case(s) to library", key="upload_save_all", type="primary"):
        same = [case.id for case in good if store.unchanged(case)]
        saved = [case.id for case in good if case.id not in same and ui.save_case(store, case)]
        ui.flash(f"Saved {len(saved)} case(s): {', '.join(saved) or 'none'}; unchanged (not saved again): "
                 f"{', '.join(same) or 'none'}; not imported (errors): "
                 f"{', '.join(cid for cid, case, _ in parsed if case is None) or 'none'}.")
        st.rerun()
    st.stop()

case = good[0]
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
unchanged = existing and store.unchanged(case)
if unchanged:
    st.info(f"Case {views.plain(case.id)} is stored already with exactly this content: saving again changes "
            "nothing.")
elif existing:
    st.info(f"A case with id {views.plain(case.id)} is stored already: saving keeps it as a prior version.")
buttons = st.container(horizontal=True)
# Saving usually means "and now look at it": one click saves and opens the case (its confirmation shows
# there); "Save to library" stays on this page for the next upload.
buttons.button("Save and open in case view", key="upload_save_open", type="primary", disabled=unchanged,
               on_click=ui.save_and_open, args=(store, case))
if buttons.button("Save to library", key="upload_save"):
    if unchanged:
        ui.flash(f"Nothing saved: {case.id} is unchanged (no second identical version).")
        st.rerun()
    elif ui.save_case(store, case):
        st.rerun()
if buttons.button("Open in case view", key="upload_open", disabled=not existing):
    st.session_state[ui.CURRENT_CASE] = case.id
    st.switch_page("app_pages/case_view.py")
