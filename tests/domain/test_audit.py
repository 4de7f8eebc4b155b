"""Stated vs computed (issue 11): the seed's "HScore 271" and "HLH-2004 5/8", and built cases.

Expected values are worked by hand from Table 1 of the seed report (the sums are written out below),
never taken from the code under test.
"""

from __future__ import annotations

import json

import pytest

from dashboard.cli import main
from dashboard.domain.audit import (
    ItemState,
    Reading,
    band_name,
    case_audits,
    count_audit,
    near_misses,
    points_audit,
    stated,
)
from dashboard.domain.headlines import count_audit_line
from dashboard.ingest.bundle import load_case
from dashboard.ingest.meta import read_case_toml

BANDS = {
    "immunosuppression": (0, 18), "temperature": (0, 33, 49), "organomegaly": (0, 23, 38),
    "cytopenias": (0, 24, 34), "ferritin": (0, 35, 50), "triglycerides": (0, 44, 64),
    "fibrinogen": (0, 30), "ast": (0, 19), "hemophagocytosis": (0, 35),
}


def states(**points: int | tuple[int, int]) -> list[ItemState]:
    """Items with known points (an int) or a (lo, hi) range; items not named are known 0."""
    out = []
    for item, bands in BANDS.items():
        value = points.get(item, 0)
        lo, hi = value if isinstance(value, tuple) else (value, value)
        out.append(ItemState(item, bands, lo, hi))
    return out


# The seed at admission: 18 + 33 + 38 + 34 + 50 + 64 + 0 + 19 = 256, marrow unknown (0 or 35).
SEED_ADMISSION = states(immunosuppression=18, temperature=33, organomegaly=38, cytopenias=34, ferritin=50,
                        triglycerides=64, fibrinogen=0, ast=19, hemophagocytosis=(0, 35))


def test_seed_271_is_not_attainable_and_the_one_cost_1_explanation_is_triglycerides_with_the_marrow():
    audit = points_audit(271, SEED_ADMISSION)
    assert audit["reported"] == 271 and audit["attainable"] is False
    assert audit["possible"] == [256, 291]
    first, *rest = audit["explanations"]
    # 18 + 33 + 38 + 34 + 50 + 44 + 0 + 19 + 35 = 271
    assert first == {"cost": 1, "changes": [{"item": "triglycerides", "from": 64, "to": 44}],
                     "fills": [{"item": "hemophagocytosis", "to": 35}]}
    assert all(e["cost"] >= 2 for e in rest)
    # cost 2: 256 - 15 (ferritin 35) + 30 (fibrinogen) = 271, and 256 - 15 (one organ) + 30 = 271, marrow no
    cost_2 = [{(c["item"], c["from"], c["to"]) for c in e["changes"]} for e in rest if e["cost"] == 2]
    assert sorted(cost_2, key=sorted) == sorted(
        [{("ferritin", 50, 35), ("fibrinogen", 0, 30)}, {("organomegaly", 38, 23), ("fibrinogen", 0, 30)}],
        key=sorted)
    assert [e["cost"] for e in audit["explanations"]] == sorted(e["cost"] for e in audit["explanations"])


def test_the_values_the_data_allow_are_attainable_with_no_change():
    for reported, marrow in ((256, 0), (291, 35)):
        audit = points_audit(reported, SEED_ADMISSION)
        assert audit["attainable"] is True
        assert audit["explanations"][0] == {"cost": 0, "changes": [],
                                            "fills": [{"item": "hemophagocytosis", "to": marrow}]}


def test_a_value_attainable_only_by_filling_unknowns():
    # seed After mPSL: 18 + 34 + 50 + 64 + 0 + 19 + 35 = 220; temperature and organs unknown.
    after_mpsl = states(immunosuppression=18, temperature=(0, 49), organomegaly=(0, 38), cytopenias=34,
                        ferritin=50, triglycerides=64, ast=19, hemophagocytosis=35)
    audit = points_audit(276, after_mpsl)  # 220 + 33 (fever 38.4-39.4) + 23 (one organ)
    assert audit["attainable"] is True
    assert audit["explanations"] == [{"cost": 0, "changes": [], "fills": [
        {"item": "temperature", "to": 33}, {"item": "organomegaly", "to": 23}]}]


def test_a_partly_known_item_fills_only_within_its_range():
    # liver enlarged, spleen unknown: organomegaly 23..38, never 0
    partly = states(organomegaly=(23, 38))
    assert points_audit(38, partly)["explanations"][0]["fills"] == [{"item": "organomegaly", "to": 38}]
    below = points_audit(0, partly)
    assert below["attainable"] is False
    assert below["explanations"][0]["changes"] == [{"item": "organomegaly", "from": "23–38", "to": 0}]


def test_moving_two_bands_costs_two():
    audit = points_audit(0, states(ferritin=50))
    assert audit["explanations"] == [{"cost": 2, "changes": [{"item": "ferritin", "from": 50, "to": 0}],
                                      "fills": []}]


def test_every_fill_is_listed_up_to_the_limit():
    # six items unknown over their whole range: 9 of the 3*3*3*3*3*2 assignments sum to 156 (counted
    # by a separate itertools.product over the paper's bands), e.g. 33 + 23 + 0 + 35 + 44 + 19 + ... = 156
    unknown = states(temperature=(0, 49), organomegaly=(0, 38), cytopenias=(0, 34), ferritin=(0, 50),
                     triglycerides=(0, 64), ast=(0, 19))
    assert len(points_audit(156, unknown)["explanations"]) == 9
    assert len(points_audit(156, unknown, limit=5)["explanations"]) == 5


def test_an_unreachable_total_has_no_explanation():
    assert points_audit(400, SEED_ADMISSION) == {"reported": 400, "attainable": False, "possible": [256, 291],
                                                 "explanations": []}


@pytest.mark.parametrize(("reported", "attainable"), [(4, False), (5, True), (8, True), (9, False)])
def test_count_is_attainable_between_met_and_met_plus_unknown(reported, attainable):
    assert count_audit(reported, met=5, unknown=3)["attainable"] is attainable


def test_near_misses_within_ten_percent_on_the_side_that_closes_the_gap():
    fever = Reading("fever", "temperature", 38.4, "°C", ">=", 38.5, met=False)
    ferritin = Reading("ferritin", "ferritin", 449.0, "ng/mL", ">=", 500.0, met=False)  # 10.2 % below
    edge = Reading("ferritin", "ferritin", 450.0, "ng/mL", ">=", 500.0, met=False)  # exactly 10 %
    platelets = Reading("cytopenias", "platelets", 95.0, "×10⁹/L", "<", 100.0, met=True)
    audit = count_audit(5, met=4, unknown=0, readings=[fever, ferritin, edge, platelets])
    assert audit["attainable"] is False
    assert [(m["criterion"], m["value"]) for m in audit["near_misses"]] == [("fever", 38.4), ("ferritin", 450.0)]
    assert near_misses([fever, platelets], want_met=False) == [
        {"criterion": "cytopenias", "label": "platelets", "value": 95.0, "unit": "×10⁹/L", "op": "<",
         "cutoff": 100.0, "rule": ""}]


def test_band_names():
    assert band_name((0, 44, 64), 44) == "the middle band"
    assert band_name((0, 44, 64), 0) == "the lowest band"
    assert band_name((0, 44, 64), 64) == "the top band"
    assert band_name((0, 35), 35) == "yes"


def test_seed_case_states_271_and_5_of_8_at_admission(seed_path):
    case = load_case(seed_path)
    assert stated(case.meta, "Admission") == {"hscore": 271, "hlh2004_met": 5}
    assert stated(case.meta, "After DEX") == {}
    audits = case_audits(case.observations, case.meta)
    assert list(audits) == [("seed-sle-mas", "Admission")]
    admission = audits[("seed-sle-mas", "Admission")]
    assert admission["hscore"] == points_audit(271, SEED_ADMISSION)
    assert admission["hlh2004_met"] == {"reported": 5, "met": 5, "unknown": 3, "attainable": True,
                                        "near_misses": []}


def test_fever_38_4_is_a_near_miss_of_a_stated_count(seed_path):
    """The seed with 38.4 °C at admission: HLH-2004 has 4 met + 3 unknown; a stated 8 cannot be reached
    and the temperature is named as the near miss."""
    case = load_case(seed_path)
    obs = case.observations.copy()
    obs.loc[(obs["analyte"] == "temperature") & (obs["timepoint"] == "Admission"), "value"] = 38.4
    audit = case_audits(obs, {"reported": {"Admission": {"hlh2004_met": 8}}})[("seed-sle-mas", "Admission")]
    assert audit["hlh2004_met"]["met"] == 4 and audit["hlh2004_met"]["attainable"] is False
    assert [(m["label"], m["value"], m["cutoff"]) for m in audit["hlh2004_met"]["near_misses"]] == [
        ("temperature", 38.4, 38.5)]
    assert count_audit_line(audit["hlh2004_met"]) == (
        "Stated HLH-2004 8 criteria met — not attainable: 4 met and 3 unknown allow 4–7; near misses (within "
        "10 % of a cut-off): temperature 38.4 °C vs temperature ≥ 38.5 °C")


def test_score_json_carries_the_audit_only_where_a_value_is_stated(seed_path, capsys):
    assert main(["score", str(seed_path), "--json"]) == 0
    timepoints = json.loads(capsys.readouterr().out)["timepoints"]
    assert ["audit" in tp for tp in timepoints] == [True, False, False, False]
    hscore = timepoints[0]["audit"]["hscore"]
    assert (hscore["reported"], hscore["attainable"]) == (271, False)
    assert hscore["explanations"][0]["changes"] == [{"item": "triglycerides", "from": 64, "to": 44}]
    assert timepoints[0]["audit"]["hlh2004_met"]["attainable"] is True


@pytest.mark.parametrize(("table", "severity", "message"), [
    ('[reported."Admission"]\nhscore = "271"\n', "error", "reported hscore for 'Admission' is not a whole number"),
    ('[reported."Day 3"]\nhscore = 200\n', "warning", "reported values for 'Day 3', which is not a timepoint"),
    ('[reported."Admission"]\nsofa = 4\n', "warning", "reported 'sofa' is kept but not checked"),
])
def test_case_toml_reported_table_is_checked(table, severity, message):
    text = '[timepoints]\n"Admission" = 0\n' + table
    _, problems = read_case_toml(text.encode())
    assert [(p.severity, p.message.split(":")[0]) for p in problems] == [(severity, message)]


def test_a_built_case_attainable_only_by_filling_its_unknowns(seed_path, tmp_path, capsys):
    """The seed's After mPSL (220 known; temperature and organs not examined) stating HScore 276:
    220 + 33 (fever in 38.4-39.4) + 23 (one organ) is the only way, and it changes no known item."""
    import shutil

    case = tmp_path / "built"
    shutil.copytree(seed_path, case)
    toml = (case / "case.toml").read_text(encoding="utf-8")
    (case / "case.toml").write_text(toml + '\n[reported."After mPSL"]\nhscore = 276\nhlh2004_met = 8\n',
                                    encoding="utf-8")
    assert main(["score", str(case), "--json"]) == 0
    after_mpsl = json.loads(capsys.readouterr().out)["timepoints"][1]
    hscore = after_mpsl["audit"]["hscore"]
    assert hscore["attainable"] is True
    assert hscore["explanations"] == [{"cost": 0, "changes": [], "fills": [
        {"item": "temperature", "to": 33}, {"item": "organomegaly", "to": 23}]}]
    # HLH-2004 After mPSL: 4 met (cytopenias, TG, marrow, ferritin), 4 unknown: 8 is the most it allows
    assert after_mpsl["audit"]["hlh2004_met"] == {"reported": 8, "met": 4, "unknown": 4, "attainable": True,
                                                  "near_misses": []}
