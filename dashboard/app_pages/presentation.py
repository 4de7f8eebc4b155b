"""Presentation mode: no sidebar, large fonts, one figure per screen, case title and source on each."""

from __future__ import annotations

import streamlit as st

from dashboard import ui, views

st.html(ui.PRESENTATION_CSS)
store = ui.get_store()
cases = store.list_cases()
case_id = st.session_state.get(ui.CURRENT_CASE)
if case_id not in set(cases["case_id"]):
    case_id = cases["case_id"].iloc[0] if len(cases) else None
if case_id is None:
    st.info("No stored case to present: add one on the Upload page.")
    st.stop()

data = ui.case_data(store, case_id)
available = views.analytes_with_values(data.flags)
chosen = ui.chosen_analytes(case_id, available)
xuln = bool(st.session_state.get(ui.CHOSEN_XULN, False))
slides = views.presentation_slides(chosen, lane=views.has_event_lane(data.case.events, data.flags), xuln=xuln)
last = len(slides) - 1
st.session_state[ui.SLIDE_INDEX] = index = min(max(int(st.session_state.get(ui.SLIDE_INDEX, 0)), 0), last)

previous, counter, following, leave = st.columns([1, 2, 1, 1])
previous.button("◀ Previous", key="present_prev", disabled=index == 0, width="stretch",
                on_click=ui.step_slide, args=(-1,))
following.button("Next ▶", key="present_next", disabled=index == last, width="stretch",
                 on_click=ui.step_slide, args=(1,))
if leave.button("Exit", key="present_exit", width="stretch"):
    st.switch_page("app_pages/case_view.py")
counter.markdown(f"**Slide {index + 1} of {len(slides)}**")

name, panel_analytes = slides[index]
figure = ui.slide_figure(store, case_id, name, list(panel_analytes), xuln=xuln)
st.plotly_chart(figure, key="present_chart", config=ui.PLOTLY_CONFIG)
