"""The score view (issue 11): honest headlines, verdicts in words, why lines and the audit, on the seed."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard import views
from dashboard.domain import headlines
from dashboard.domain.matrix import INPUT_COLUMNS
from dashboard.domain.scores import score_matrix, score_observations
from dashboard.ingest.bundle import load_case

AUDIT_LINE = ("Stated HScore 271 — not attainable from the data (256 or 291); closest: triglycerides 4.13 mmol/L "
              "scored in the middle band (44 instead of 64), with marrow hemophagocytosis filled as yes (35)")


@pytest.fixture(scope="module")
def seed(seed_path):
    return load_case(seed_path)


@pytest.fixture(scope="module")
def summary(seed):
    return views.score_summary(score_observations(seed.observations), seed.meta).set_index("Timepoint")


def test_every_summary_column_exists_in_the_score_output(seed):
    """A column the engine does not write is a failure here, never a silently blank headline."""
    empty = pd.DataFrame(columns=["tp_order", "day", *INPUT_COLUMNS], dtype="float64")
    for scores in (score_observations(seed.observations), score_matrix(empty)):
        missing = [c for c in (*headlines.SOURCE_COLUMNS, *views.SCORE_SUMMARY_COLUMNS) if c not in scores]
        assert missing == []


def test_seed_headlines_show_ranges_ratio_and_ms_score(summary):
    admission, after_dex = summary.loc["Admission"], summary.loc["After DEX"]
    assert (admission["HScore"], admission["HScore probability"]) == ("256–291", "99.5 %")
    assert (after_dex["HScore"], after_dex["HScore probability"]) == ("62–184", "0.5–74 %")
    assert admission["Ferritin/ESR"] == "154.2"  # 9560 / 62
    assert summary.loc["6 weeks after discharge", "Ferritin/ESR"] == "10.0"  # 290 / 29
    assert admission["MS score"] == "−0.55..2.29: MAS yes"
    assert after_dex["MS score"] == "−2.69..2.59: MAS unknown"


def test_every_verdict_is_in_words(summary, seed):
    assert summary.loc["Admission", "HLH-2004"] == "met: 5/8 met, 3 unknown"
    assert summary.loc["After DEX", "HLH-2004"] == "unknown: 1/8 met, 5 unknown"
    assert summary.loc["Admission", "Parodi 2009"] == "met: 3 clinical + 5 laboratory"
    assert summary.loc["6 weeks after discharge", "Parodi 2009"] == "not met: 0 clinical + 0 laboratory"
    assert summary.loc["Admission", "MAS 2016"] == "met †"  # SLE, not sJIA
    assert summary.loc["After mPSL", "MAS 2016"] == "unknown †"
    words = ("met", "not met", "unknown")
    for column in ("HLH-2004", "MAS 2016", "Parodi 2009"):
        assert all(v.startswith(words) for v in summary[column]), column
    # the panels say what an unknown would take
    panels = {tp.label: tp.headlines for tp in views.timepoint_scores(
        seed.observations, score_observations(seed.observations), seed.meta)}
    assert panels["After DEX"]["HLH-2004"] == (
        "unknown: 1 of 8 criteria met, 5 unknown; met if 4 more of the unknown are met")
    assert panels["After mPSL"]["MAS 2016 (EULAR/ACR/PRINTO)"].startswith("unknown: depends on febrile")
    assert panels["After DEX"]["MS score"] == (
        "−2.69..2.59: MAS unknown (yes if ≥ −2.1; depends on the unknown clinical items)")
    assert panels["After mPSL"]["Parodi 2009 (juvenile SLE)"] == (
        "unknown: 0 clinical + 5 laboratory met (≥ 1 + ≥ 2 needed); met if 1 clinical of fever, hepatomegaly, "
        "splenomegaly, hemorrhage, cns involvement")


def test_hlh2004_not_met_when_even_the_unknowns_cannot_reach_five():
    row = {"hlh2004.met": 2, "hlh2004.unknown": 2, "hlh2004.fulfilled": False}
    assert headlines.hlh2004_verdict(row) == (
        "not met: 2 of 8 criteria met, 2 unknown; even all unknown met gives 4 < 5")


@pytest.mark.parametrize(("diagnosis", "outside"), [
    ("systemic lupus erythematosus", True), ("sJIA", False), ("systemic juvenile idiopathic arthritis", False),
    ("adult-onset Still's disease", True), (None, True),
])
def test_mas2016_is_labelled_outside_its_population_unless_sjia(seed, diagnosis, outside):
    row = score_observations(seed.observations).iloc[0]
    meta = {"patient": {"diagnosis": diagnosis} if diagnosis else {}}
    verdict = headlines.mas2016_verdict(row, meta)
    assert verdict.startswith("met")
    assert (headlines.OUTSIDE_POPULATION in verdict) is outside


def test_probability_is_one_number_only_when_every_item_is_known():
    known = {"hscore.min": 200, "hscore.max": 200, headlines.PROBABILITY_LOW: 0.88,
             headlines.PROBABILITY_HIGH: 0.88}
    assert headlines.hscore_headline(known) == "HScore 200 (probability 88 %) — ≥ 169: met"
    ranged = {**known, "hscore.min": 150, "hscore.max": 250, headlines.PROBABILITY_LOW: 0.25,
              headlines.PROBABILITY_HIGH: 0.995}
    assert headlines.hscore_headline(ranged) == (
        "HScore 150–250 (probability 25–99.5 %) — ≥ 169: unknown, met if the unknown items add ≥ 19")
    at_cut = {**ranged, "hscore.min": 169}
    assert headlines.hscore_headline(at_cut).endswith("— ≥ 169: met")
    below = {**ranged, "hscore.max": 168}
    assert headlines.hscore_headline(below).endswith(
        "— ≥ 169: not met, even with every unknown item at its highest (168)")


def test_timepoint_scores_carry_the_audit_only_where_stated(seed):
    timepoints = views.timepoint_scores(seed.observations, score_observations(seed.observations), seed.meta)
    assert [tp.label for tp in timepoints] == ["Admission", "After mPSL", "After DEX", "6 weeks after discharge"]
    assert timepoints[0].audit[0].startswith(AUDIT_LINE)
    assert timepoints[0].audit[1] == "Stated HLH-2004 5 criteria met — attainable: 5 met and 3 unknown allow 5–8"
    assert all(tp.audit == [] for tp in timepoints[1:])
    assert timepoints[2].headlines["HScore"] == (
        "HScore 62–184 (probability 0.5–74 %) — ≥ 169: unknown, met if the unknown items add ≥ 107")
    assert "AST 51 U/L ≥ 30 U/L → 19 [labs.csv, row 12, column 'Admission']" in timepoints[0].why["HScore"]


def test_app_shows_ratio_ms_range_probability_range_and_audit(app, table, page_text, open_section):
    at = app()
    shown = table(at, "case_scores").set_index("Timepoint")
    assert shown.loc["Admission", "Ferritin/ESR"] == "154.2"
    assert shown.loc["Admission", "MS score"] == "−0.55..2.29: MAS yes"
    assert shown.loc["After DEX", "HScore probability"] == "0.5–74 %"
    assert shown.loc["Admission", "MAS 2016"] == "met †"
    assert "†MAS 2016: criteria applied outside their validated population" in page_text(at)
    at = open_section(at, "Scores")
    warnings = [str(w.value).replace("\\", "") for w in at.warning]
    assert any(w.startswith("Admission: " + AUDIT_LINE) for w in warnings), warnings
    labels = [e.label for e in at.expander]
    assert "HScore 62–184 (probability 0.5–74 %) — ≥ 169: unknown, met if the unknown items add ≥ 107" in labels
    assert "MAS 2016 (EULAR/ACR/PRINTO): met — criteria applied outside their validated population" in labels
    assert "AST 51 U/L ≥ 30 U/L → 19" in page_text(at)


def test_html_report_carries_the_verdicts_audit_and_why_lines(seed):
    from dashboard.domain.flags import reference_flags
    from dashboard.report.html import case_report_html

    scores = score_observations(seed.observations)
    page = case_report_html(seed.meta, reference_flags(seed.observations), scores, seed.events, {})
    assert "<p class='audit'>" + AUDIT_LINE in page
    assert "HScore 62–184 (probability 0.5–74 %) — ≥ 169: unknown" in page
    assert "<li>AST 51 U/L ≥ 30 U/L → 19 [labs.csv, row 12, column &#x27;Admission&#x27;]</li>" in page
    assert "criteria applied outside their validated population" in page
    assert page.count("<details>") == 6 * 4  # six scores with item lines at each of four timepoints
    other = re.search(r"<h3>Other published criteria</h3><table>.*?</table>", page).group(0)
    assert "<tr><td>Admission</td><td>met †</td><td>met: 3 clinical + 5 laboratory</td>" \
           "<td>−0.55..2.29: MAS yes</td><td>154.2</td></tr>" in other


def test_docs_quote_the_seed_audit_as_the_app_words_it(root, seed):
    timepoints = views.timepoint_scores(seed.observations, score_observations(seed.observations), seed.meta)
    docs = " ".join((root / "docs" / "scores.md").read_text(encoding="utf-8").split())
    for line in timepoints[0].audit:
        assert line.split(" (4 costlier")[0] in docs


def test_html_hscore_table_gives_the_probability_range(seed):
    from dashboard.domain.flags import reference_flags
    from dashboard.report.html import case_report_html

    page = case_report_html(seed.meta, reference_flags(seed.observations),
                            score_observations(seed.observations), seed.events, {})
    row = re.search(r"<tr><td>After DEX</td>.*?</tr>", page).group(0)
    assert "<td>62–184</td><td>0.5–74 %</td>" in row
