"""The criteria registry: invariants over every record, the "why" texts, the derived constants, and the
docs table in docs/scores.md, which must equal the registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.domain import criteria
from dashboard.domain.matrix import FINDING_INPUTS, MEASURE_INPUTS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "scores.md"
SCORES = {"hscore", "hlh2004", "mas2016", "parodi2009", "ms_score", "ferritin_esr_ratio"}


@pytest.mark.parametrize("c", criteria.CRITERIA, ids=lambda c: f"{c.score}.{c.item}.{c.input}.{c.points}")
def test_every_criterion_is_complete_and_convertible(c):
    assert c.score in SCORES and c.op in criteria.OPS and c.source
    assert c.input in criteria.INPUTS
    if c.op == "yes":
        assert c.cutoffs == () and c.input in FINDING_INPUTS
    else:
        assert c.cutoffs, "a comparison needs a cut-off"
        for unit in c.units:  # every printed unit converts from the input's canonical unit
            assert criteria.factor(c.input, unit) > 0
    if c.score in {"hscore", "hlh2004", "mas2016", "parodi2009"} and c.op != "yes" and c.item != "diagnosis":
        assert c.input in MEASURE_INPUTS
    assert c.points is None or c.points > 0


def test_hscore_bands_are_nested_and_highest_first():
    for item in criteria.HSCORE_ITEMS:
        bands = [c for c in criteria.rules("hscore", item) if c.points is not None]
        points = [c.points for c in bands]
        assert points == sorted(points, reverse=True), item


def test_derived_constants_match_the_sources():
    # Fardet 2014: 18 + 49 + 38 + 34 + 50 + 64 + 30 + 19 + 35 = 337; cut-off 169. Henter 2007: 5 of 8.
    assert criteria.HSCORE_MAX_POINTS == 337 and criteria.HSCORE_CUT_OFF == 169
    assert criteria.HLH2004_REQUIRED == 5 and len(criteria.HLH2004_CRITERIA) == 8
    assert criteria.MS_SCORE_CUT_OFF == -2.1 and criteria.FERRITIN_ESR_CUT_OFF == 21.5


def test_rule_texts_read_as_the_source_prints_them():
    assert criteria.rule_text("hscore", "ast") == "AST ≥ 30 U/L → 19; else 0"
    assert criteria.rule_text("hlh2004", "triglycerides_fibrinogen") == (
        "triglycerides ≥ 3.0 mmol/L (≥ 265 mg/dL) and/or fibrinogen ≤ 1.5 g/L"
    )
    assert criteria.rule_text("hlh2004", "cytopenias") == (
        "≥ 2 of: Hb < 90 g/L, platelets < 100 ×10⁹/L, neutrophils < 1.0 ×10⁹/L"
    )
    assert criteria.rule("hscore", "fibrinogen").text == "fibrinogen ≤ 2.5 g/L → 30"
    assert criteria.rule("hlh2004", "ferritin").cut("µg/L") == 500.0
    assert criteria.rule("hlh2004", "ferritin").cut("mg/dL") is None


def test_band_names_the_rule_behind_the_points():
    assert criteria.band("hscore", "ast", 19).text == "AST ≥ 30 U/L → 19"
    assert criteria.band("hscore", "triglycerides", 44).text == "triglycerides ≥ 1.5 mmol/L → 44"
    assert criteria.band("hscore", "ast", 0) is None


def test_every_input_of_every_item_names_its_analyte():
    from dashboard.domain.matrix import ANALYTE_OF

    assert criteria.inputs_of("hlh2004", "triglycerides_fibrinogen") == ("triglycerides_mmol_per_l",
                                                                         "fibrinogen_g_per_l")
    organs = criteria.inputs_of("hscore", "organomegaly")
    assert [ANALYTE_OF[i] for i in organs] == ["hepatomegaly", "splenomegaly"]
    assert ANALYTE_OF["nk_low"] == "nk_activity" and ANALYTE_OF["hepatomegaly_cm"] == "hepatomegaly"
    for c in criteria.CRITERIA:
        assert c.input in ANALYTE_OF or "." in c.input, c  # thresholds on a computed score are not analytes


def test_unknown_items_are_refused_by_name():
    with pytest.raises(KeyError, match="hscore.spleen"):
        criteria.rules("hscore", "spleen")


def test_printed_units_are_those_whose_numbers_differ():
    assert criteria.printed_units() == (
        ("fibrinogen_g_per_l", "mg/dL"), ("hemoglobin_g_per_l", "g/dL"), ("triglycerides_mmol_per_l", "mg/dL"),
    )


def test_docs_table_equals_the_registry():
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(r"<!-- criteria-table:start -->\n(.*?)\n<!-- criteria-table:end -->", text, re.DOTALL)
    assert found, "docs/scores.md lacks the criteria-table markers"
    assert found.group(1) == criteria.criteria_table(), (
        "docs/scores.md's criteria table differs from the registry: paste criteria.criteria_table() between "
        "the markers"
    )
