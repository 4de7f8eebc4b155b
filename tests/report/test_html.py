"""The one-file HTML case report: offline, complete, and with every case string escaped."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard.charts.case_figure import case_figure
from dashboard.charts.scores import score_figure
from dashboard.report.html import case_report_html

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def seed(seed_path):
    from dashboard.domain.flags import reference_flags
    from dashboard.domain.scores import score_observations
    from dashboard.ingest.bundle import load_case

    case = load_case(seed_path)
    return case, reference_flags(case.observations), score_observations(case.observations)


@pytest.fixture(scope="module")
def report(seed) -> str:
    case, flags, scores = seed
    figures = {
        "Treatment response": case_figure(flags, case.events, title=case.meta["title"]),
        "Scores": score_figure(scores),
    }
    return case_report_html(case.meta, flags, scores, case.events, figures)


def test_contains_the_seed_scores(report, seed):
    _, _, scores = seed
    admission = scores.xs("Admission", level="timepoint").iloc[0]
    assert admission["hscore.points"] == 256
    assert "<td><b>256</b></td>" in report  # the HScore at admission, as the engine computed it
    assert f"<td>{admission['hscore.min']}–{admission['hscore.max']}</td>" in report
    assert "<th>hemophagocytosis</th>" in report  # item breakdown per timepoint
    assert "HLH-2004" in report


def test_summary_flags_events_and_source(report):
    assert "MAS complicating an SLE flare in a 33-year-old woman" in report
    assert report.count("seed 000_6a0309929bdddacf") >= 2  # summary and the closing source section
    assert "<b>weight kg</b>: 80" in report
    assert re.search(r'<td class="num flag-H">9560 <b>H</b></td>', report)
    assert "Bone-marrow biopsy" in report and "focal hemophagocytosis" in report


def test_self_contained_with_plotly_js_embedded_once(report):
    assert report.startswith("<!DOCTYPE html>")
    assert report.count("Plotly.newPlot(") == 2
    assert len(re.findall(r"plotly\.js v\d", report)) == 1  # the library banner, embedded once
    assert not re.search(r"<script[^>]+src=", report)  # nothing fetched from the network


def test_every_case_string_is_escaped(seed):
    case, flags, scores = seed
    meta = {**case.meta, "title": XSS, "source": XSS, "patient": {"sex": XSS}}
    flags = flags.copy()
    flags["label"] = flags["label"].where(flags["analyte"] != "ferritin", XSS)
    events = case.events.copy()
    events.loc[0, "note"] = XSS
    scores = scores.rename(index={"Admission": XSS}, level="timepoint")
    html = case_report_html(meta, flags, scores, events, {XSS: case_figure(flags, events, title=XSS)})
    assert XSS not in html
    assert "onerror=alert(1)>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 7  # title x2, source x2, sex, label, note, ...


def test_missing_items_show_as_unknown_not_zero(seed):
    case, flags, scores = seed
    html = case_report_html(case.meta, flags, scores, case.events, {})
    row = re.search(r"<tr><td>Admission</td>.*?</tr>", html).group(0)
    assert row.endswith("<td>?</td></tr>")  # hemophagocytosis not examined at admission
    assert "Plotly" not in html  # no figures, no library


def test_does_not_mutate_inputs(seed):
    case, flags, scores = seed
    before = flags.copy(), scores.copy(), case.events.copy()
    case_report_html(case.meta, flags, scores, case.events, {})
    pd.testing.assert_frame_equal(flags, before[0])
    pd.testing.assert_frame_equal(scores, before[1])
    pd.testing.assert_frame_equal(case.events, before[2])


def test_the_report_lists_the_warnings_of_the_case(seed):
    from dashboard.ingest.problems import warning

    case, flags, scores = seed
    found = [warning("no unit given for Ferritin: read as ng/mL", "labs.csv", 4, "Admission", XSS,
                     "a unit, e.g. 'Ferritin (ng/mL)'")]
    page = case_report_html(case.meta, flags, scores, case.events, {}, warnings=found)
    assert "<h2>Warnings (1)</h2>" in page
    assert "<td>labs.csv:4:Admission</td>" in page and "no unit given for Ferritin: read as ng/mL" in page
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<h2>Warnings (0)</h2>" in case_report_html(case.meta, flags, scores, case.events, {})
