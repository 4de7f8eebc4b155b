"""The case view's "Response" panel: anchor picker, response metrics of the MAS panel, and the key
trajectories with markers at each peak/nadir and each observed response.

Not a page of its own: case_view.py calls `response_panel`. Metrics come from domain.response, the
figure from charts.response; this module only wires widgets.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import ui, views
from dashboard.charts.case_figure import case_figure
from dashboard.charts.response import with_response_markers
from dashboard.domain.response import AnchorNotFound, case_anchor, response_table
from dashboard.domain.response_summary import anchor_choices, metrics_text

# The trajectories marked in the panel: the changes an expert consensus ranks most informative in MAS
# (Ravelli A et al., RMD Open 2016). The table covers the whole MAS panel.
MARKED_ANALYTES = ("ferritin", "platelets", "ast")


# Cached as objects (cache_resource), like ui's figures: unpickling a Figure re-validates it, ~0.15 s per
# rerun. Nothing changes the cached table or figure after it is made.
@st.cache_resource(show_spinner=False, max_entries=32)
def _response(case_id: str, observations: pd.DataFrame, flags: pd.DataFrame, events: pd.DataFrame,
              scores: pd.DataFrame, anchor: str | None) -> tuple[pd.DataFrame, go.Figure]:
    table = response_table(observations, events, anchor=anchor, scores=scores, analytes=views.MAS_PANEL)
    marked = [a for a in MARKED_ANALYTES if a in set(table["analyte"])]
    figure = case_figure(flags, events, marked)
    return table, with_response_markers(figure, flags, table)


def response_panel(data: ui.CaseData, *, key: str = "case_response") -> None:
    """Draw the panel for one case (keys start with `key`)."""
    case = data.case
    st.subheader("Response", anchor=False)
    choices = anchor_choices(case.events)
    anchor = st.selectbox(
        "Anchor (day 0 of the response)", choices, key=f"{key}_anchor",
        format_func=lambda c: "first MAS/HLH treatment (automatic)" if c is None else c,
        help="Antimicrobials and other drugs never anchor automatically; pick a class or a drug to override.",
    )
    try:
        chosen = case_anchor(case.events, anchor)
    except AnchorNotFound as err:  # the picker only offers present anchors; a stale choice lands here
        st.warning(views.plain(err))
        return
    table, figure = _response(case.id, case.observations, data.flags, case.events, data.scores, anchor)
    if chosen.name is None:
        st.info(views.plain(chosen.note))
    else:
        also = f" (started the same day: {', '.join(chosen.also_started)})" if chosen.also_started else ""
        st.caption(views.plain(f"Anchor: {chosen.name}, {chosen.drug_class}, study day {chosen.study_day:g}"
                               f"{also}. Every day below counts from it."))
    if table.empty:
        st.info("No MAS-panel lab of this case has values with days.")
        return
    ui.table(metrics_text(table).drop(columns="case"), key=f"{key}_table")
    st.caption(
        "Observed intervals: 'a–b' = not met on day a, met by day b; 'not by d' = still not met at the last "
        "observation (day d); 'by d' = already met at the peak/nadir. fall ≥ 50 % and normal (≤ upper limit) "
        "for analytes that rise in MAS; platelets ≥ 100 and normal (≥ lower limit) for those that fall. "
        "Limits: the report's own range, else the catalogue's."
    )
    first = table.iloc[0]
    if "hscore_last_day" in table:
        below = first["hscore_below_169_by"]
        when = f"by day {below:g}" if pd.notna(below) else "not by the last timepoint"
        st.caption(views.plain(
            f"HScore at baseline {first['hscore_baseline_min']:g}–{first['hscore_baseline_max']:g}, last "
            f"{first['hscore_last_min']:g}–{first['hscore_last_max']:g} (the range the unknown items allow); "
            f"whole range below 169: {when}."
        ))
    st.plotly_chart(figure, key=f"{key}_chart", config=ui.PLOTLY_CONFIG)
    st.caption("★ peak or nadir · ◇ first observed day a response was met (hover for which).")
