"""The case view's Response panel: anchor picker, metrics table, marked trajectories."""

from __future__ import annotations

CASE_VIEW = "app_pages/case_view.py"


def test_the_seed_response_panel(app, chart, table, open_section):
    at = open_section(app(CASE_VIEW), "Response")
    assert at.selectbox(key="case_response_anchor").value is None  # automatic: first MAS/HLH treatment
    metrics = table(at, "case_response_table").set_index("analyte")
    assert metrics.loc["ferritin", "fall_50"] == "7–11" and metrics.loc["ferritin", "normal"] == "not by 53"
    assert metrics.loc["platelets", "recovery_100"] == "7–11" and metrics.loc["platelets", "normal"] == "11–53"
    assert any(c.value.startswith("Anchor") and "Methylprednisolone pulse" in c.value for c in at.caption)
    figure = chart(at, "case_response_chart")
    marks = [t for t in figure["data"] if t.get("name") == "response"]
    # ferritin: peak, fall 50 %; platelets: nadir, >= 100, normal; AST 51 -> 21 (<= 25.5 and <= 30) on day 11
    assert [list(t["x"]) for t in marks] == [[0, 11], [0, 11, 53], [0, 11, 11]]


def test_choosing_another_anchor_shifts_the_days(app, table, open_section):
    at = open_section(app(CASE_VIEW), "Response")
    options = at.selectbox(key="case_response_anchor").options
    assert "calcineurin inhibitor" in options and "Cyclosporine" in options
    at.selectbox(key="case_response_anchor").set_value("calcineurin inhibitor").run()
    assert not at.exception
    metrics = table(at, "case_response_table").set_index("analyte")
    assert metrics.loc["ferritin", "fall_50"] == "4–8"  # days 7 and 11, counted from cyclosporine (day 3)
    assert any(c.value.startswith("Anchor") and "Cyclosporine" in c.value for c in at.caption)
