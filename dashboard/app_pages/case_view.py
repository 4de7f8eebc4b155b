"""Case view: the treatment-response figure, score trajectory, flag heatmap, derived table and exports."""

from __future__ import annotations

import streamlit as st

from dashboard import ui, views
from dashboard.app_pages.response_panel import response_panel

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
ui.case_heading(meta, case_id)
with st.expander(f"Warnings when the case was read ({len(data.case.problems)})", expanded=False):
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

# On screen the page heading carries the case title and source; exported figures carry their own.
figures = ui.stored_figures(store, case_id, analytes, xuln=xuln, titled=False)
st.plotly_chart(figures["case"], key="case_chart", config=ui.PLOTLY_CONFIG, theme=None)

response_panel(data)

st.subheader("Scores per timepoint", anchor=False)
st.plotly_chart(figures["scores"], key="case_score_chart", config=ui.PLOTLY_CONFIG, theme=None)
tables = ui.case_tables(store, case_id)
ui.table(tables.scores, key="case_scores")
st.caption(
    "HScore: points from the known items; min–max is the range the unknown items allow; probability from "
    "Fardet 2014's table. HLH-2004: criteria met / unknown of 8 (≥ 5 met = fulfilled)."
)
with st.expander("HScore item breakdown (points per timepoint)", expanded=True):
    ui.table(tables.hscore_items, key="case_hscore_items", hide_index=False)
with st.expander("HLH-2004 criteria per timepoint"):
    ui.table(tables.hlh_items, key="case_hlh_items", hide_index=False)

st.subheader("Reference-range flags", anchor=False)
st.plotly_chart(figures["heatmap"], key="case_heatmap", config=ui.PLOTLY_CONFIG, theme=None)

st.subheader("Derived table", anchor=False)
ui.table(tables.derived, key="case_derived")
csv_col, parquet_col, _ = st.columns([1, 1, 3])
csv_col.download_button(
    "Download CSV", tables.derived_csv, file_name=f"{case_id}-derived.csv", mime="text/csv",
    key="case_download_csv", on_click="ignore",
)
parquet_col.download_button(
    "Download parquet", tables.derived_parquet, file_name=f"{case_id}-derived.parquet",
    mime="application/vnd.apache.parquet", key="case_download_parquet", on_click="ignore",
)

st.subheader("Export", anchor=False)
fmt = st.segmented_control("Image format", ui.IMAGE_FORMATS, default="png", key="case_export_format") or "png"
columns = st.columns(len(ui.FIGURE_TITLES) + 1)
for column, (name, title) in zip(columns, ui.FIGURE_TITLES.items(), strict=False):
    column.download_button(
        f"{title} ({fmt.upper()})",
        ui.deferred_export(lambda name=name: ui.stored_figures(store, case_id, analytes, xuln=xuln)[name], fmt),
        file_name=f"{case_id}-{name}.{fmt}", mime=ui.IMAGE_MIME[fmt], key=f"case_export_{name}", on_click="ignore",
    )
columns[-1].download_button(
    "HTML case report", ui.deferred_report(data, analytes, xuln=xuln), file_name=f"{case_id}-report.html",
    mime="text/html", key="case_export_report", on_click="ignore", type="primary",
)
