"""Import a table: paste or drop a published lab table, correct it in a grid, save it as a case."""

from __future__ import annotations

import streamlit as st

from dashboard import components, review, ui, views
from dashboard.ingest.bundle import load_uploaded
from dashboard.ingest.problems import CaseError
from dashboard.ingest.published_table import INPUT_SUFFIXES, draft_from_table, read_tables
from dashboard.views import plain

DRAFT = "import_draft"
TABLES = "import_tables"
SOURCE_TEXT = "import_source_text"
WIDGETS = ("import_grid", "import_days", "import_title", "import_source", "import_case_id")

store = ui.get_store()
st.title("Import a table")
components.warm_scripts()  # the chart and table code, while the user is busy here
st.caption(
    "Paste a lab table copied from a case report (web page or PDF), or drop the file (txt, pdf, html, csv, "
    "xlsx, zip). casetrack reads what it can read with certainty; every other cell is left for you to fix "
    "in the grid. Nothing leaves this computer."
)
ui.show_flash()


def start_review(draft, tables, source_text: str) -> None:
    """A new draft: forget the edits of the previous one."""
    for key in WIDGETS:
        st.session_state.pop(key, None)
    st.session_state[DRAFT], st.session_state[TABLES], st.session_state[SOURCE_TEXT] = draft, tables, source_text
    st.session_state["import_title"] = draft.title
    st.session_state["import_source"] = draft.source
    st.session_state["import_case_id"] = review.case_id_for(draft.title)


handed = st.session_state.pop(review.HANDED_DRAFT, None)
if handed is not None:
    start_review(handed, [handed.table] if handed.table else [], "")

pasted = st.text_area("Paste the table here", key="import_text", height=180,
                      placeholder="Table 1 Laboratory data ...\nReference range Admission Day 3 ...")
dropped = st.file_uploader("…or drop a file", type=[s.lstrip(".") for s in INPUT_SUFFIXES], key="import_file")
# Always enabled: a paste is committed when the box loses focus, i.e. by this very click.
read = st.button("Read the table", key="import_read", type="primary")
if read and not (pasted.strip() or dropped):
    st.warning("Paste a table into the box or drop a file first.")
elif read:
    data, name = (dropped.getvalue(), dropped.name) if dropped else (pasted.encode("utf-8"), "pasted.txt")
    try:
        found = read_tables(data, name)
    except Exception as err:  # noqa: BLE001 - a user file must never crash the page
        found = []
        st.error(f"Could not read {plain(name)}: {plain(type(err).__name__)}: {plain(err)}")
    if not found:
        st.error("No table found: expected a header row (timepoints) and rows of values.")
    else:
        start_review(draft_from_table(found[0]), found, data.decode("utf-8", "replace") if not name.endswith(
            ".pdf") else "")

draft = st.session_state.get(DRAFT)
if draft is None:
    st.stop()

tables = st.session_state.get(TABLES) or []
if len(tables) > 1:
    captions = views.distinct_labels([t.caption or f"Table {i + 1}" for i, t in enumerate(tables)],
                                     [f"table {i + 1}" for i in range(len(tables))])
    pick = st.selectbox("The text holds several tables: review", range(len(tables)), key="import_pick",
                        format_func=lambda i: captions[i])
    if tables[pick] is not draft.table:
        start_review(draft_from_table(tables[pick]), tables, st.session_state.get(SOURCE_TEXT, ""))
        st.rerun()

st.subheader("Review", anchor=False)
left, right = st.columns(2)
title = left.text_input("Title", key="import_title")
source = right.text_input("Source (authors, journal, year, table)", key="import_source")

base_days = review.days_frame(draft)
days_now = review.apply_edits(base_days, st.session_state.get("import_days"))
base_grid = review.editor_frame(draft)
grid_now = review.apply_edits(base_grid, st.session_state.get("import_grid"))
current = review.current_draft(draft, grid_now, days_now, title, source)
problems = review.problems_of(current)
timepoint_problems = review.timepoint_problems(current)

notice = review.no_days_notice(current)
if notice:
    st.warning(notice, icon=":material/event_busy:")
st.data_editor(
    base_days, key="import_days", hide_index=True, num_rows="fixed", width="content",
    column_config={
        "column": st.column_config.TextColumn("Column as read", disabled=True),
        "label": st.column_config.TextColumn("Timepoint label"),
        "day": st.column_config.NumberColumn("Day", step=1, help="days from day 0 (empty = not known)"),
    },
)

grid_side, list_side = st.columns([7, 3])
with grid_side:
    labels = dict(zip(days_now["column"], days_now["label"], strict=True))
    st.data_editor(
        review.style_checks(review.check_marks(base_grid, problems, draft)), key="import_grid", hide_index=True,
        num_rows="fixed", width="stretch", height=review.grid_height(len(base_grid)),
        column_config={
            review.CHECK_COLUMN: st.column_config.TextColumn("check", disabled=True, width="medium",
                                                             help="⚠ an error in that column, • a warning"),
            "label": st.column_config.TextColumn("Label"),
            "unit": st.column_config.TextColumn("Unit"),
            "reference": st.column_config.TextColumn("Reference"),
            **{tp: st.column_config.TextColumn(str(labels.get(tp) or tp)) for tp in draft.timepoints},
        },
    )
with list_side:
    lines = review.problem_lines(problems, current)
    errors = sum(severity == "error" for severity, _ in lines) + len(timepoint_problems)
    st.markdown(f"**Problems** — {errors} error(s), {len(lines) - errors + len(timepoint_problems)} warning(s)")
    with st.container(key="import_problems"):
        for message in timepoint_problems:
            st.error(plain(message), icon=":material/error:")
        for severity, message in lines:
            (st.error if severity == "error" else st.warning)(plain(message))

with st.expander(f"How the table was read ({len(draft.table.repairs) if draft.table else 0} repairs)"):
    st.text(review.saved_meta(current, "", [p for p, _, _ in problems])["report"])

case_id = st.text_input("Case id", key="import_case_id")
if case_id.strip() in set(store.list_cases()["case_id"]):
    st.info(f"A case with id {plain(case_id.strip())} is stored already: saving keeps it as a prior version.")
if st.button("Save case", key="import_save", type="primary"):
    current = review.current_draft(draft, grid_now, days_now, title, source)
    problems = review.problems_of(current)
    blocking = [p for p, _, _ in problems if p.is_error]
    if blocking or timepoint_problems:
        st.error(f"Not saved: {len(blocking) + len(timepoint_problems)} error(s) remain (listed beside the grid).",
                 icon=":material/error:")
        st.stop()
    try:
        case = load_uploaded(review.files_to_save(current), case_id.strip() or "imported-table")
    except CaseError as err:
        st.error(f"Not saved: {plain(err)}", icon=":material/error:")
        st.stop()
    case.meta["import"] = review.saved_meta(current, st.session_state.get(SOURCE_TEXT, ""), case.problems)
    if ui.save_case(store, case):
        for key in (DRAFT, TABLES, SOURCE_TEXT):
            st.session_state.pop(key, None)
        st.switch_page("app_pages/case_view.py")
