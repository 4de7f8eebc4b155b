"""Presentation mode: one large-font figure per slide with the case title, next/previous, no sidebar."""

from __future__ import annotations

from dashboard.views import presentation_slides

PRESENT = "app_pages/presentation.py"


def test_slides_step_through_the_case(app, chart, page_text):
    at = app()
    at.button(key="case_present").click().run()
    assert not at.exception
    slides = presentation_slides([a for a in at.session_state["chosen_analytes"]["seed-sle-mas"]])
    assert f"Slide 1 of {len(slides)}" in page_text(at)
    first = chart(at, "present_chart")
    assert "MAS complicating an SLE flare" in first["layout"]["title"]["text"]
    assert first["layout"]["font"]["size"] >= 20
    assert len(at.sidebar.selectbox) == 0  # the case picker stays in the case view
    assert slides[:2] == [("lane", ()), ("case", ("ferritin", "platelets"))]
    at.button(key="present_next").click().run()
    labs = chart(at, "present_chart")
    panel_titles = [a["text"] for a in labs["layout"]["annotations"] if a.get("name") == "panel-title"]
    assert panel_titles == ["<b>Ferritin</b>", "<b>Platelets</b>"]
    assert labs["layout"]["height"] == 900
    assert labs["layout"]["xaxis"]["range"] == first["layout"]["xaxis"]["range"]  # the lane slide's days
    for _ in range(len(slides) - 2):
        at.button(key="present_next").click().run()
    assert at.button(key="present_next").disabled
    assert any(t["type"] == "heatmap" for t in chart(at, "present_chart")["data"])
    at.button(key="present_prev").click().run()
    assert f"Slide {len(slides) - 1} of {len(slides)}" in page_text(at)


def test_presentation_opens_directly_on_the_seed_case(app, chart):
    at = app(PRESENT)
    assert "MAS complicating" in chart(at, "present_chart")["layout"]["title"]["text"]
