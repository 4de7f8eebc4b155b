"""Presentation mode: no sidebar, one figure per screen sized to fit it, keys for a clicker, a PDF deck."""

from __future__ import annotations

import streamlit as st

from dashboard import components, ui, views

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
chosen = ui.chosen_analytes(case_id, views.analytes_with_values(data.flags))
xuln = bool(st.session_state.get(ui.CHOSEN_XULN, False))
screen = components.current_screen()
slides = ui.slide_plan(store, case_id, chosen, xuln=xuln, screen=screen)
last = len(slides) - 1
components.presenter(last)  # ArrowRight/PageDown, ArrowLeft/PageUp, Home/End; reports the screen size
st.session_state[ui.SLIDE_INDEX] = index = min(max(int(st.session_state.get(ui.SLIDE_INDEX, 0)), 0), last)

previous, counter, following, deck, leave = st.columns([1, 2, 1, 1, 1], vertical_alignment="center")
previous.button("◀ Previous", key="present_prev", disabled=index == 0, width="stretch",
                on_click=ui.step_slide, args=(-1,))
following.button("Next ▶", key="present_next", disabled=index == last, width="stretch",
                 on_click=ui.step_slide, args=(1,))
deck.download_button("Slides (PDF)", ui.deferred_deck(store, case_id, chosen, xuln=xuln),
                     file_name=f"{case_id}-slides.pdf", mime="application/pdf", key="present_deck",
                     on_click="ignore", width="stretch")
if leave.button("Exit", key="present_exit", width="stretch"):
    st.switch_page("app_pages/case_view.py")
counter.markdown(f"**Slide {index + 1} of {len(slides)}**")

figure = ui.slide_figure(store, case_id, slides[index], xuln=xuln, screen=screen)
st.plotly_chart(figure, key="present_chart", config=ui.PLOTLY_CONFIG, theme=None)
