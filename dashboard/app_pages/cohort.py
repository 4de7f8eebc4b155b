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
from dashboard.ingest.store import CaseStore
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

# Everything below is cached on the chosen cases and their last changes (the `updated` column of the
# library listing), so a warm page only unpickles its figures and tables.
stamp = "|".join(cases.loc[cases["case_id"].isin(chosen), "updated"].astype(str))


@st.cache_data(show_spinner=False, max_entries=8)
def options(root: str, case_ids: tuple[str, ...], stamp: str) -> tuple[list[str], list[str]]:
    flags, events, _ = ui.cohort_frames(CaseStore(root), list(case_ids))
    return views.cohort_analytes(flags), align_options(events)


@st.cache_data(show_spinner="Drawing the cohort…", max_entries=16)
def overlay(root: str, case_ids: tuple[str, ...], stamp: str, analyte: str, align: str, scale: str):
    flags, events, _ = ui.cohort_frames(CaseStore(root), list(case_ids))
    return cohort_figure(flags, analyte, align=align, events=events, scale=scale)


@st.cache_data(show_spinner="Measuring responses…", max_entries=8)
def responses(root: str, case_ids: tuple[str, ...], stamp: str, anchor: str | None):
    """Response metrics of ferritin and platelets per case, the per-case table and the KM figure."""
    flags, events, scores = ui.cohort_frames(CaseStore(root), list(case_ids))
    metrics = response_table(flags, events, anchor=anchor, scores=scores, analytes=("ferritin", "platelets"))
    return cohort_table(metrics), time_to_response_figure(metrics)


@st.cache_data(show_spinner=False, max_entries=8)
def score_table(root: str, case_ids: tuple[str, ...], stamp: str) -> pd.DataFrame:
    return views.cohort_score_table(ui.cohort_frames(CaseStore(root), list(case_ids))[2])


key = (str(store.root), tuple(chosen), stamp)
analytes, alignments = options(*key)
if not analytes:
    st.info("None of these cases has a numeric lab value to overlay.")
    st.stop()
left, middle, right = st.columns([2, 2, 2])
analyte = left.selectbox(
    "Analyte", analytes, index=views.default_index(analytes, "ferritin"), key="cohort_analyte",
    format_func=views.analyte_name,
)
align = middle.selectbox("Align on", alignments, key="cohort_align", format_func=align_label,
                         help="The anchor is each case's first MAS/HLH treatment (not antimicrobials).")
scale = right.segmented_control("Scale", list(SCALES), format_func=SCALES.get, default="absolute",
                                key="cohort_scale") or "absolute"

figure = overlay(*key, analyte, align, scale)
st.plotly_chart(figure, key="cohort_chart", config=ui.PLOTLY_CONFIG)

st.subheader("Treatment response per case", anchor=False)
anchor = response_anchor(align)
per_case, km = responses(*key, anchor)
unanchored = int(per_case["Anchor drug"].isna().sum())
st.caption(
    f"Days count from each case's {'anchor (first MAS/HLH treatment)' if anchor is None else 'first ' + anchor}. "
    "Responses are observed intervals: 'after' is the last observation that did not meet it, 'by' the first "
    "that did; a case that never met it has no 'by' day and is left out of its median. Platelets that never "
    "fell below 100 had nothing to recover from: their days are empty."
    + (f" {unanchored} case(s) have no such event: their days are their own day 0." if unanchored else "")
)
ui.table(cohort_summary(per_case), key="cohort_response_summary")
ui.table(per_case, key="cohort_response_table")
st.plotly_chart(km, key="cohort_km_chart", config=ui.PLOTLY_CONFIG)
st.caption(KM_CAPTION)

st.subheader("Scores per case and timepoint", anchor=False)
table = score_table(*key)
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
