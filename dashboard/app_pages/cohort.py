"""Cohort: one analyte across stored cases (aligned, scaled, binned median + IQR), the treatment response
of every case with median (IQR), time to ferritin -50 % (Kaplan-Meier), and scores per case."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import ui, views
from dashboard.charts.cohort import SCALES, align_label, align_options, cohort_figure, response_anchor
from dashboard.charts.response import KM_CAPTION, time_to_response_figure
from dashboard.domain.response import response_table
from dashboard.domain.response_summary import cohort_summary, cohort_table
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
left, middle, right = st.columns([2, 2, 2])
analyte = left.selectbox(
    "Analyte", analytes, index=views.default_index(analytes, "ferritin"), key="cohort_analyte",
    format_func=views.analyte_name,
)
align = middle.selectbox("Align on", align_options(events), key="cohort_align", format_func=align_label,
                         help="The anchor is each case's first MAS/HLH treatment (not antimicrobials).")
scale = right.segmented_control("Scale", list(SCALES), format_func=SCALES.get, default="absolute",
                                key="cohort_scale") or "absolute"

figure = cohort_figure(flags, analyte, align=align, events=events, scale=scale)
st.plotly_chart(figure, key="cohort_chart", config=ui.PLOTLY_CONFIG)


@st.cache_data(show_spinner="Measuring responses…", max_entries=8)
def responses(flags: pd.DataFrame, events: pd.DataFrame, scores: pd.DataFrame, anchor: str | None) -> pd.DataFrame:
    return response_table(flags, events, anchor=anchor, scores=scores, analytes=("ferritin", "platelets"))


st.subheader("Treatment response per case", anchor=False)
anchor = response_anchor(align)
metrics = responses(flags, events, scores, anchor)
per_case = cohort_table(metrics)
unanchored = int(per_case["Anchor drug"].isna().sum())
st.caption(
    f"Days count from each case's {'anchor (first MAS/HLH treatment)' if anchor is None else 'first ' + anchor}. "
    "Responses are observed intervals: 'after' is the last observation that did not meet it, 'by' the first "
    "that did; a case that never met it has no 'by' day and is left out of its median."
    + (f" {unanchored} case(s) have no such event: their days are their own day 0." if unanchored else "")
)
ui.table(cohort_summary(per_case), key="cohort_response_summary")
ui.table(per_case, key="cohort_response_table")
st.plotly_chart(time_to_response_figure(metrics), key="cohort_km_chart", config=ui.PLOTLY_CONFIG)
st.caption(KM_CAPTION)

st.subheader("Scores per case and timepoint", anchor=False)
table = views.cohort_score_table(scores)
ui.table(table, key="cohort_scores")

fmt = st.segmented_control("Image format", ui.IMAGE_FORMATS, default="png", key="cohort_export_format") or "png"
image_col, csv_col, response_col, _ = st.columns([1, 1, 1, 2])
image_col.download_button(
    f"Overlay ({fmt.upper()})", ui.deferred_export(lambda: figure, fmt), file_name=f"cohort-{analyte}.{fmt}",
    mime=ui.IMAGE_MIME[fmt], key="cohort_export_image", on_click="ignore",
)
csv_col.download_button(
    "Scores (CSV)", safe_csv_bytes(table), file_name="cohort-scores.csv", mime="text/csv",
    key="cohort_export_csv", on_click="ignore",
)
response_col.download_button(
    "Responses (CSV)", safe_csv_bytes(per_case), file_name="cohort-responses.csv", mime="text/csv",
    key="cohort_export_responses", on_click="ignore",
)
