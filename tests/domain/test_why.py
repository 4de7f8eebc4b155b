"""Per-item "why" lines (issue 11): value as read, the rule met and its points, or what is unknown."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard.domain.scores import score_observations
from dashboard.domain.why import SCORES, item_readings, items, reading_text, why_lines
from dashboard.ingest.bundle import load_case

KEY = ("seed-sle-mas", "Admission")


@pytest.fixture(scope="module")
def seed(seed_path):
    return load_case(seed_path).observations


SOURCE = re.compile(r" \[labs\.csv, row \d+, column '[^']+'(; labs\.csv, row \d+, column '[^']+')*\]$")


def lines_of(observations: pd.DataFrame, timepoint: str = "Admission", score: str = "hscore") -> dict[str, str]:
    """The lines of one score at one timepoint, without their trailing source cells (tested on their own)."""
    lines = why_lines(observations, score_observations(observations))
    here = lines[(lines["timepoint"] == timepoint) & (lines["score"] == score)]
    return {item: SOURCE.sub("", line) for item, line in zip(here["item"], here["line"], strict=True)}


def test_seed_admission_hscore_lines_name_value_rule_and_points(seed):
    lines = lines_of(seed)
    assert lines["ast"] == "AST 51 U/L ≥ 30 U/L → 19"
    assert lines["temperature"] == "Temperature 38.6 °C ≥ 38.4 °C → 33"
    assert lines["triglycerides"] == "Triglyceride 4.13 mmol/L > 4 mmol/L → 64"
    assert lines["fibrinogen"] == "Fibrinogen 3.5 g/L > 2.5 g/L → 0"
    assert lines["immunosuppression"] == "Known immunosuppression: Yes → 18"
    assert lines["organomegaly"] == (
        "Organomegaly: Hepatomegaly 3 cm; Splenomegaly 4 cm → 2 of 2 met (hepatomegaly: yes, splenomegaly: yes) → 38")
    assert lines["cytopenias"] == (  # Table 1 gives Hb in g/L, Fardet prints 9.2 g/dL: both shown
        "Cytopenias: Hemoglobin 77 g/L (= 7.7 g/dL); White blood cell count 0.72 10^9/L; Platelets 22 10^9/L "
        "→ 3 of 3 met (Hb ≤ 9.2 g/dL, WBC ≤ 5.0 ×10⁹/L, platelets ≤ 110 ×10⁹/L) → 34")
    assert lines["hemophagocytosis"] == "Marrow hemophagocytosis: unknown: no hemophagocytosis at this timepoint (0–35)"


def test_every_item_of_every_score_has_one_line_per_timepoint(seed):
    lines = why_lines(seed, score_observations(seed))
    per_timepoint = lines.groupby(["timepoint", "score"]).size().unstack()
    assert len(per_timepoint) == 4
    # 9 HScore items, 8 HLH-2004 criteria, 6 of MAS 2016, 5 + 6 of Parodi 2009
    assert {score: len(items(score)) for score in SCORES} == {"hscore": 9, "hlh2004": 8, "mas2016": 6,
                                                              "parodi2009": 11}
    for score in SCORES:
        assert (per_timepoint[score] == len(items(score))).all(), score
    assert (per_timepoint["ms_score"] == 7).all() and (per_timepoint["ferritin_esr_ratio"] == 1).all()


def test_lines_agree_with_the_engine(seed):
    scores = score_observations(seed).reset_index().set_index("timepoint")
    lines = why_lines(seed, score_observations(seed))
    lines["line"] = lines["line"].str.replace(SOURCE, "", regex=True)
    for _, line in lines[lines["score"].isin(SCORES)].iterrows():
        row = scores.loc[line["timepoint"]]
        if line["score"] == "hscore":
            points = row[f"hscore.items.{line['item']}"]
            assert line["line"].endswith(f"→ {points}") if not pd.isna(points) else "unknown" in line["line"]
        else:
            met = row[f"{line['score']}.criteria.{line['item']}"]
            word = "unknown" if pd.isna(met) else "→ met" if met else "→ not met"
            assert word in line["line"], line["line"]


def test_a_partly_known_item_shows_what_is_known_and_its_range(seed):
    obs = seed[~((seed["analyte"] == "splenomegaly") & (seed["timepoint"] == "Admission"))]
    assert lines_of(obs)["organomegaly"] == (
        "Organomegaly: Hepatomegaly 3 cm; unknown: no splenomegaly at this timepoint (23–38)")


def test_a_value_in_another_unit_shows_the_text_and_the_converted_value(seed):
    obs = seed.copy()
    tg = (obs["analyte"] == "triglycerides") & (obs["timepoint"] == "Admission")
    obs.loc[tg, ["orig_text", "orig_unit"]] = ["365.8", "mg/dL"]
    assert lines_of(obs)["triglycerides"] == "Triglyceride 365.8 mg/dL (= 4.13 mmol/L) > 4 mmol/L → 64"
    assert item_readings(obs, KEY)["triglycerides"] == "365.8 mg/dL (= 4.13 mmol/L)"


def test_the_source_cells_end_each_line(seed):
    lines = why_lines(seed, score_observations(seed))
    admission = lines[(lines["timepoint"] == "Admission") & (lines["score"] == "hscore")].set_index("item")["line"]
    # labs.csv: header on line 1, AST on line 12, temperature 33, hepatomegaly 34, splenomegaly 35
    assert admission["ast"] == "AST 51 U/L ≥ 30 U/L → 19 [labs.csv, row 12, column 'Admission']"
    assert admission["organomegaly"].endswith(
        "[labs.csv, row 34, column 'Admission'; labs.csv, row 35, column 'Admission']")
    assert admission["hemophagocytosis"].endswith("(0–35)")  # no cell for the marrow at admission
    assert reading_text({"orig_text": "<30", "orig_unit": "U/L", "unit": "U/L", "value": 30.0}) == "<30 U/L"


def test_criteria_lines_say_met_not_met_or_unknown(seed):
    hlh = lines_of(seed, score="hlh2004")
    assert hlh["fever"] == "Fever (temperature ≥ 38.5 °C): Temperature 38.6 °C → met"
    assert hlh["scd25"] == "Soluble CD25 (sCD25 ≥ 2400 U/mL): unknown: no soluble CD25 at this timepoint"
    parodi = lines_of(seed, score="parodi2009")
    assert parodi["fibrinogen"] == "Fibrinogen (fibrinogen ≤ 1.5 g/L): Fibrinogen 3.5 g/L → not met"
    assert parodi["hepatomegaly"] == "Hepatomegaly (liver below the costal margin ≥ 3 cm): Hepatomegaly 3 cm → met"
    later = lines_of(seed, "After DEX", "hscore")
    assert later["temperature"] == "Temperature: unknown: no temperature at this timepoint (0–49)"
    assert later["ast"] == "AST 21 U/L < 30 U/L → 0"  # below the lowest band: its condition negated
    assert later["triglycerides"] == "Triglyceride 2.1 mmol/L ≥ 1.5 mmol/L → 44"
    mas = lines_of(seed, "After DEX", "mas2016")  # 2.1 × 88.57 = 186.0 mg/dL against Ravelli's 156 mg/dL
    assert mas["triglycerides"] == "Triglycerides (triglycerides > 156 mg/dL): Triglyceride 2.1 mmol/L (= 186 mg/dL) → met"
    assert mas["ferritin"] == "Ferritin (ferritin > 684 ng/mL): Ferritin 550 ng/mL → not met"


def test_censored_values_read_as_bounds(seed):
    obs = seed.copy()
    for analyte, text, value in (("ferritin", "<5000", 5000.0), ("ast", "<30", 30.0)):
        at = (obs["analyte"] == analyte) & (obs["timepoint"] == "Admission")
        obs.loc[at, ["orig_text", "value", "qualifier"]] = [text, value, "<"]
    lines = lines_of(obs)
    assert lines["ast"] == "AST <30 U/L < 30 U/L → 0"  # [0, 30) never reaches 30
    assert lines["ferritin"] == (  # [0, 5000): below 2000 (0) or 2000-5000 (35)
        "Ferritin: Ferritin <5000 ng/mL; unknown: the value as read (a bound, or an organ without its size) "
        "allows either side of the cut-off (0–35)")


def test_ms_score_terms_add_up_to_the_engine_range(seed):
    lines = lines_of(seed, score="ms_score")
    # −0.066 + 1.26 − 1.4 + 0.956 = 0.75; arthritis can take 1.3 off, hemorrhage add 1.54: −0.55..2.29
    assert list(lines.values()) == [
        "Platelets 22 10^9/L × −0.003 = −0.066",
        "LDH 1260 U/L × 0.001 = +1.26",
        "Fibrinogen 3.5 g/L (= 350 mg/dL) × −0.004 = −1.4",
        "Ferritin 9560 ng/mL × 0.0001 = +0.956",
        "CNS involvement: No → 0",
        "Hemorrhagic manifestations: unknown: no hemorrhage at this timepoint (adds 0 or +1.54)",
        "Active arthritis: unknown: no arthritis at this timepoint (adds 0 or −1.3)",
    ]
    assert lines_of(seed, score="ferritin_esr_ratio") == {
        "ratio": "Ferritin 9560 ng/mL ÷ ESR 62 mm/h = 154.2 (> 21.5 favoured MAS over active sJIA)"}
