"""Presentation mode: one large-font figure per slide with the case title, next/previous, no sidebar."""

from __future__ import annotations

from dashboard.charts.slides import slide_plan

PRESENT = "app_pages/presentation.py"
SEED_ID = "seed-sle-mas"


def test_slides_step_through_the_case(app, chart, page_text):
    at = app()
    at.button(key="case_present").click().run()
    assert not at.exception
    labs = slide_plan(at.session_state["chosen_analytes"][SEED_ID])[1:-2]
    text = page_text(at)
    n = int(text.split("Slide 1 of ")[1].split("*")[0])
    assert n > len(labs) + 2  # lane, labs, scores and the heatmap over one or more slides
    first = chart(at, "present_chart")
    assert "MAS complicating an SLE flare" in first["layout"]["title"]["text"]
    assert first["layout"]["font"]["size"] >= 20  # 1920 x 1080 until the browser reports its size
    assert first["layout"]["height"] == 1080 - 100
    assert len(at.sidebar.selectbox) == 0  # the case picker stays in the case view
    assert labs[0] == ("case", ("ferritin", "platelets"))
    at.button(key="present_next").click().run()
    slide = chart(at, "present_chart")
    panel_titles = [a["text"] for a in slide["layout"]["annotations"] if a.get("name") == "panel-title"]
    assert panel_titles == ["<b>Ferritin</b>", "<b>Platelets</b>"]
    assert slide["layout"]["height"] == 1080 - 100
    assert slide["layout"]["xaxis"]["range"] == first["layout"]["xaxis"]["range"]  # the lane slide's days
    strip = [t for t in slide["data"] if t.get("type") == "bar"]
    assert {t["name"] for t in strip} >= {"Methylprednisolone pulse", "Cyclosporine"}  # the medication strip
    for _ in range(n - 2):
        at.button(key="present_next").click().run()
    assert at.button(key="present_next").disabled
    assert any(t["type"] == "heatmap" for t in chart(at, "present_chart")["data"])
    at.button(key="present_prev").click().run()
    assert f"Slide {n - 1} of {n}" in page_text(at)


def test_presentation_opens_directly_on_the_seed_case(app, chart):
    at = app(PRESENT)
    assert "MAS complicating" in chart(at, "present_chart")["layout"]["title"]["text"]
