"""Cohort: one analyte's trajectories across stored cases, aligned on day 0 or an event; scores per case."""

from __future__ import annotations

import streamlit as st

from dashboard import ui, views
from dashboard.charts.cohort import cohort_figure
from dashboard.report.csv_safe import safe_csv_bytes

store = ui.get_store()
st.title("Cohort")
cases = store.list_cases()
if cases.empty:
    st.info("No stored case: add cases on the Upload page.")
    st.stop()

ids = cases["case_id"].tolist()
if st.toggle(f"All stored cases ({len(ids)})", value=True, key="cohort_all"):
    chosen = ids
else:
    chosen = st.multiselect(
        "Cases", ids, default=ids[: views.COHORT_DEFAULT_PICK], key="cohort_cases",
        help="Cases are listed by id; the library shows their titles.",
    )
if not chosen:
    st.info("Pick at least one case.")
    st.stop()

flags, events, scores = ui.cohort_frames(store, chosen)
analytes = views.cohort_analytes(flags)
if not analytes:
    st.info("None of these cases has a numeric lab value to overlay.")
    st.stop()
left, middle, right = st.columns([2, 2, 1])
analyte = left.selectbox(
    "Analyte", analytes, index=views.default_index(analytes, "ferritin"), key="cohort_analyte",
    format_func=views.analyte_name,
)
align = middle.selectbox(
    "Align on", views.alignment_options(events), key="cohort_align",
    format_func=lambda a: "day 0 of each case" if a == views.DAY0 else f"first start of {a}",
)
xuln = right.toggle("× ULN", key="cohort_xuln")

figure = cohort_figure(flags, analyte, align=align, events=events, scale="xuln" if xuln else "absolute")
st.plotly_chart(figure, key="cohort_chart", config=ui.PLOTLY_CONFIG)

st.subheader("Scores per case and timepoint", anchor=False)
table = views.cohort_score_table(scores)
ui.table(table, key="cohort_scores")

fmt = st.segmented_control("Image format", ui.IMAGE_FORMATS, default="png", key="cohort_export_format") or "png"
image_col, csv_col, _ = st.columns([1, 1, 3])
image_col.download_button(
    f"Overlay ({fmt.upper()})", ui.deferred_export(lambda: figure, fmt), file_name=f"cohort-{analyte}.{fmt}",
    mime=ui.IMAGE_MIME[fmt], key="cohort_export_image", on_click="ignore",
)
csv_col.download_button(
    "Scores (CSV)", safe_csv_bytes(table), file_name="cohort-scores.csv", mime="text/csv",
    key="cohort_export_csv", on_click="ignore",
)
