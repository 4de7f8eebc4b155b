"""Case view: one case in five sections (lazy tabs): overview (labs over the medication lane, headline
scores), response, scores (trajectory and why), flags, and data & export.

Only the open section is computed and sent to the browser: drawing every figure and table of a case on
each visit made the view two to three times slower than a plain page, and a clinician reads one section
at a time. The sidebar (analytes, × ULN, presentation mode) applies to every section.
"""

from __future__ import annotations

import streamlit as st

from dashboard import ui, views
from dashboard.app_pages.response_panel import response_panel

SECTIONS = ("Overview", "Response", "Scores", "Flags", "Data & export")

store = ui.get_store()
cases = store.list_cases()
with st.sidebar:
    case_id = ui.case_picker(cases, key="case_pick")
if case_id is None:
    st.title("Case view")
    st.info("No stored case: add one on the Upload page.")
    st.stop()

data = ui.case_data(store, case_id)
meta = data.case.meta
ui.show_flash()  # "Saved ..." when the upload page's "Save and open" brought the user here
ui.case_heading(meta, case_id)
warnings = st.expander(f"Warnings when the case was read ({len(data.case.problems)})", key="case_warnings_open",
                       on_change="rerun")
if warnings.open:
    with warnings:
        if data.case.problems:
            ui.table(views.problem_frame(views.problem_records(data.case.problems)), key="case_warnings")
        else:
            st.caption("None: every value was read as written.")

available = views.analytes_with_values(data.flags)
with st.sidebar:
    analytes = ui.analyte_picker(case_id, available)
    xuln = st.toggle("× upper limit of normal (one axis)", key="case_xuln")
    st.session_state[ui.CHOSEN_XULN] = xuln
    if st.button("Presentation mode", key="case_present", icon=":material/slideshow:"):
        st.session_state[ui.SLIDE_INDEX] = 0
        st.switch_page("app_pages/presentation.py")

overview, response, scores, flags, data_export = st.tabs(SECTIONS, key="case_section", on_change="rerun")

if overview.open:
    with overview:
        # The headline scores stand first (a short row per timepoint) but are sent after the figure: the
        # browser draws the figure, the page's largest cost, while the server makes the table.
        headline = st.container()
        # On screen the page heading carries the case title and source; exported figures carry their own.
        figure = ui.stored_figure(store, case_id, "case", analytes, xuln=xuln, titled=False)
        st.plotly_chart(figure, key="case_chart", config=ui.PLOTLY_CONFIG, theme=None)
        with headline:
            ui.table(ui.case_tables(store, case_id).scores, key="case_scores")
            st.caption(views.score_caption(meta))

if response.open:
    with response:
        response_panel(data)

if scores.open:
    tables = ui.case_tables(store, case_id)
    with scores:
        trajectory = ui.stored_figure(store, case_id, "scores", analytes, xuln=xuln, titled=False)
        st.plotly_chart(trajectory, key="case_score_chart", config=ui.PLOTLY_CONFIG, theme=None)
        timepoints = ui.timepoint_scores(store, case_id)
        for tp in timepoints:
            for line in tp.audit:
                st.warning(f"{views.plain(tp.label)}: {views.plain(line)}", icon=":material/fact_check:")
        st.markdown("**Why each item scored what it did**")
        for tab, tp in zip(st.tabs([tp.label for tp in timepoints]), timepoints, strict=True):
            with tab:
                for name, verdict in tp.headlines.items():
                    lines = tp.why.get(name)
                    if lines is None:
                        st.markdown(f"**{views.plain(name)}**: {views.plain(verdict)}")
                        continue
                    with st.expander(verdict if verdict.startswith(name) else f"{name}: {verdict}"):
                        st.markdown(views.bullet_list(lines))
        st.markdown("**HScore item breakdown (points per timepoint)**")
        ui.table(tables.hscore_items, key="case_hscore_items", hide_index=False)
        st.markdown("**HLH-2004 criteria per timepoint**")
        ui.table(tables.hlh_items, key="case_hlh_items", hide_index=False)

if flags.open:
    with flags:
        heatmap = ui.stored_figure(store, case_id, "heatmap", analytes, xuln=xuln, titled=False)
        st.plotly_chart(heatmap, key="case_heatmap", config=ui.PLOTLY_CONFIG, theme=None)

if data_export.open:
    tables = ui.case_tables(store, case_id)
    with data_export:
        st.subheader("Derived table", anchor=False)
        ui.table(tables.derived, key="case_derived")
        csv_col, parquet_col, _ = st.columns([1, 1, 3])
        csv_col.download_button(
            "Download CSV", ui.deferred_download(tables.derived, "csv"), file_name=f"{case_id}-derived.csv", mime="text/csv",
            key="case_download_csv", on_click="ignore",
        )
        parquet_col.download_button(
            "Download parquet", ui.deferred_download(tables.derived, "parquet"), file_name=f"{case_id}-derived.parquet",
            mime="application/vnd.apache.parquet", key="case_download_parquet", on_click="ignore",
        )
        st.subheader("Export", anchor=False)
        fmt = st.segmented_control("Image format", ui.IMAGE_FORMATS, default="png",
                                   key="case_export_format") or "png"
        columns = st.columns(len(ui.FIGURE_TITLES) + 1)
        for column, (name, title) in zip(columns, ui.FIGURE_TITLES.items(), strict=False):
            column.download_button(
                f"{title} ({fmt.upper()})",
                ui.deferred_export(lambda name=name: ui.stored_figure(store, case_id, name, analytes, xuln=xuln), fmt),
                file_name=f"{case_id}-{name}.{fmt}", mime=ui.IMAGE_MIME[fmt], key=f"case_export_{name}",
                on_click="ignore",
            )
        columns[-1].download_button(
            "HTML case report", ui.deferred_report(data, analytes, xuln=xuln), file_name=f"{case_id}-report.html",
            mime="text/html", key="case_export_report", on_click="ignore", type="primary",
        )
