"""Values as published (issue 9 points 2-4): European exports, unit spellings, decimal styles, plausibility.

Expected values are worked out by hand beside each case; the European export must read to the seed's own
tidy values and score exactly like it (HScore 256 [256–291] at admission, every flag).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard.domain.flags import reference_flags
from dashboard.domain.scores import score_observations
from dashboard.ingest.bundle import check_uploaded, load_case, load_uploaded
from dashboard.ingest.problems import CaseError

EUROPEAN = Path(__file__).resolve().parents[1] / "fixtures" / "cases" / "seed-european"
SAME = ["analyte", "timepoint", "tp_order", "day", "value", "unit", "result", "qualifier", "ref_low", "ref_high"]


def same_values(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[SAME].sort_values(["tp_order", "analyte"]).reset_index(drop=True)


def labs(text: str, **kwargs):
    return load_uploaded({"labs.csv": text.encode("utf-8")}, "t", **kwargs)


def problems_of(text: str, **kwargs) -> list[str]:
    return [str(p) for p in check_uploaded({"labs.csv": text.encode("utf-8")}, "t", **kwargs)]


def value_of(case, analyte: str, timepoint: str | None = None) -> float:
    obs = case.observations
    rows = obs[(obs["analyte"] == analyte) & ((obs["timepoint"] == timepoint) if timepoint else True)]
    return float(rows["value"].iloc[0])


def test_european_export_reads_to_the_seeds_values(seed_path):
    seed, european = load_case(seed_path), load_case(EUROPEAN)
    pd.testing.assert_frame_equal(same_values(european.observations), same_values(seed.observations),
                                  check_exact=False, rtol=1e-12)
    notices = [p.message for p in european.problems if p.row is None]
    assert notices == ["decimal comma detected: every number of this file is read with ',' as the decimal separator"]
    obs = european.observations
    # the original spelling stays with every value (normalised), next to the canonical unit
    sodium = obs[obs["analyte"] == "sodium"].iloc[0]
    assert (sodium["orig_unit"], sodium["unit"], sodium["value"]) == ("mEq/L", "mmol/L", 130.0)
    wbc = obs[obs["analyte"] == "wbc"].iloc[0]
    assert (wbc["orig_unit"], wbc["orig_text"], wbc["value"]) == ("10^9/L", "0,72", 0.72)


def test_european_export_scores_and_flags_like_the_seed(seed_path):
    seed, european = load_case(seed_path), load_case(EUROPEAN)
    mine, theirs = score_observations(european.observations), score_observations(seed.observations)
    admission = mine.iloc[0]
    assert (admission["hscore.points"], admission["hscore.min"], admission["hscore.max"]) == (256, 256, 291)
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), theirs.reset_index(drop=True))
    flags = [reference_flags(case.observations).set_index(["analyte", "timepoint"])["flag"].sort_index()
             for case in (european, seed)]
    pd.testing.assert_series_equal(flags[0], flags[1])


def test_stating_the_decimal_separator_overrides_detection():
    text = "Analyte,Day 0,Day 3\nFerritin (ng/mL),\"1,260\",990\nLDH (U/L),250,245\n"
    with pytest.raises(CaseError, match="ambiguous"):
        labs(text)
    declared = labs(text, decimal=".")
    assert value_of(declared, "ferritin", "Day 0") == 1260.0  # declared: the comma groups thousands
    assert [p.value for p in declared.problems if "thousands" in p.message] == ["1,260"]
    toml = b'decimal = ","\n'
    case = load_uploaded({"labs.csv": text.encode(), "case.toml": toml}, "t")
    assert value_of(case, "ferritin", "Day 0") == 1.26


def test_thousands_commas_are_read_where_the_file_writes_decimals_with_a_point():
    """A US table: `8.1` shows the decimal point, so `12,000` can only be twelve thousand (a decimal comma
    beside it would be a file of mixed styles); the same for `1.260` beside `3,5`. Without any decimal in
    the file `1,260` stays ambiguous (test above)."""
    case = labs("Analyte,Day 0,Day 3\nFerritin (ng/mL),\"12,000\",\">40,000\"\nHemoglobin (g/dL),8.1,7.9\n")
    assert value_of(case, "ferritin", "Day 0") == 12000.0
    censored = case.observations.query("analyte == 'ferritin' and timepoint == 'Day 3'").iloc[0]
    assert (censored["value"], censored["qualifier"]) == (40000.0, ">")
    assert [p.value for p in case.problems if "thousands" in p.message] == ["12,000"]  # one notice, first cell
    european = labs("Analyte;Day 0\nFerritin (µg/L);1.260\nHemoglobin (g/dL);8,1\n")
    assert value_of(european, "ferritin", "Day 0") == 1260.0
    assert value_of(european, "hemoglobin", "Day 0") == 81.0  # g/L, the catalogue unit


def test_a_us_table_headed_test_units_normal_and_dates():
    """`Normal` heads the reference column, dates head the timepoints (days from the first), ranges print
    in brackets or with spaces, and the lab's flags follow the values."""
    case = labs("Test,Units,Normal,2021-03-15,2021-03-18\nFerritin,ng/mL,30-400,\"12,000\",\">40,000\"\n"
                "Hemoglobin,g/dL,(12.0-16.0),8.1 L,7.9 L\nWBC,x10^3/uL,4.0 - 11.0,1.2 (L),0.9*\n")
    obs = case.observations.set_index(["analyte", "timepoint"])
    assert obs.loc[("ferritin", "2021-03-15"), ["value", "ref_low", "ref_high"]].tolist() == [12000.0, 30.0, 400.0]
    assert obs.loc[("hemoglobin", "2021-03-18"), ["value", "ref_low", "ref_high", "day"]].tolist() == [
        79.0, 120.0, 160.0, 3.0]  # g/L, the catalogue unit
    assert obs.loc[("wbc", "2021-03-18"), ["value", "ref_low", "ref_high"]].tolist() == [0.9, 4.0, 11.0]


def test_case_toml_decimal_must_be_a_separator():
    problems = check_uploaded({"labs.csv": b"Analyte,Day 0\nLDH (U/L),250\n", "case.toml": b'decimal = "x"\n'}, "t")
    assert [(p.severity, p.column) for p in problems if "decimal must be" in p.message] == [("error", "decimal")]


@pytest.mark.parametrize("label,cell,value", [("D-dimer (µg/L)", "\"12,932.7\"", 12932.7),
                                              ("Platelets (/µL)", "\"1,266,973\"", 1266.973)])
def test_thousands_separators_are_read_with_a_notice(label, cell, value):
    case = labs(f"Analyte,Day 0\n{label},{cell}\nFerritin (ng/mL),550.5\n")
    assert value_of(case, case.observations["analyte"].iloc[0]) == pytest.approx(value)
    assert [p.message for p in case.problems if "thousands" in p.message] == [
        f"1 number(s) written with thousands separators, read as such (e.g. '{cell.strip(chr(34))}')"]


def test_a_file_mixing_decimal_styles_names_the_odd_cell():
    problems = problems_of("Analyte;Day 0;Day 3\nFerritin (ng/mL);9560,5;8580,2\nFibrinogen (g/L);3.5;3,4\n")
    assert problems == [("error: labs.csv:3:Day 0 '3.5' — '3.5' uses a decimal point but the file's numbers use "
                        "decimal commas (expected a decimal comma (3,5))")]


def test_a_lab_flag_is_not_a_unit():
    case = labs("Analyte,Reference range,Day 0,Day 3\nFerritin (ng/mL),6.2–138,9560 H,8580 ↑\n"
                "Platelets (10^9/L),150–400,22 L,29*\n")
    obs = case.observations.set_index(["analyte", "timepoint"])
    assert obs.loc[("ferritin", "Day 0"), "value"] == 9560.0
    assert obs.loc[("ferritin", "Day 0"), "orig_text"] == "9560 H"
    assert obs.loc[("ferritin", "Day 3"), "orig_text"] == "8580 ↑"
    assert obs.loc[("platelets", "Day 0"), "value"] == 22.0 and obs.loc[("platelets", "Day 3"), "value"] == 29.0


def test_inclusive_and_exclusive_bounds_stay_apart():
    case = labs("Analyte,Day 0,Day 3,Day 7,Day 9\nAST (U/L),<30,≤30,>=40,> 40\n")
    assert case.observations["qualifier"].tolist() == ["<", "<=", ">=", ">"]


def test_invisible_characters_from_a_pdf_copy():
    case = labs("Analyte,Day 0\nFerritin\u00a0(ng/mL),9\u2009560\nCRP (mg/dL),\u22120\u200b\nLDH (U/L),1\u00ad260\n",)
    values = dict(zip(case.observations["analyte"], case.observations["value"], strict=True))
    assert values["ferritin"] == 9560.0 and values["ldh"] == 1260.0
    assert values["crp"] == 0.0


def test_d_dimer_keeps_its_basis_and_scd25_in_pg_per_ml_is_not_converted():
    case = labs("Analyte,Day 0\nD-dimer (µg/mL FEU),4.77\nsCD25 (pg/mL),5400\n")
    obs = case.observations.set_index("analyte")
    assert (obs.loc["d_dimer", "value"], obs.loc["d_dimer", "unit"]) == (4770.0, "µg/L FEU")
    assert pd.isna(obs.loc["scd25", "value"]) and obs.loc["scd25", "orig_value"] == 5400.0
    assert obs.loc["scd25", "unit"] == "pg/mL"
    assert any("never converted" in p.message for p in case.problems)


def test_scd25_in_ng_per_ml_and_nk_activity_in_percent_are_kept_as_written_and_unknown():
    """No fixed factor turns sCD25 ng/mL into the U/mL of HLH-2004, and a % lysis is no verdict on NK-cell
    activity without the lab's own range: both stay as printed, the criterion unknown, the case readable.
    The lab's verdict ('low') in the same row still counts."""
    from dashboard.domain.scores import score_observations

    case = labs("Analyte,Day 0,Day 3\nsIL-2R (ng/mL),12,15\nNK cell activity (%),2,low\n")
    obs = case.observations.set_index(["analyte", "timepoint"])
    assert pd.isna(obs.loc[("scd25", "Day 0"), "value"]) and obs.loc[("scd25", "Day 0"), "orig_value"] == 12.0
    assert pd.isna(obs.loc[("nk_activity", "Day 0"), "value"]) and obs.loc[("nk_activity", "Day 0"), "unit"] == "%"
    assert [p.severity for p in case.problems if "kept as written" in p.message] == ["warning", "warning"]
    scores = score_observations(case.observations).reset_index().set_index("timepoint")
    assert pd.isna(scores.loc["Day 0", "hlh2004.criteria.scd25"])
    assert pd.isna(scores.loc["Day 0", "hlh2004.criteria.nk_activity"])
    assert scores.loc["Day 3", "hlh2004.criteria.nk_activity"] == 1


def test_meq_is_refused_outside_monovalent_ions():
    problems = problems_of("Analyte,Day 0\nFerritin (mEq/L),12\n")
    assert any("only for Sodium, Potassium, Chloride, Bicarbonate" in p for p in problems)


# Plausibility (point 4): a unitless table, as issue 9 describes it
UNITLESS = ("Analyte,Reference range,Day 0\nHemoglobin,12–16,12.5\nTemperature,,101.3\n"
            "Platelets,150000–400000,95000\n")


def test_unitless_table_reads_the_unit_its_ranges_agree_with():
    case = labs(UNITLESS)
    obs = case.observations.set_index("analyte")
    assert obs.loc["hemoglobin", "value"] == pytest.approx(125.0)           # 12.5 g/dL = 125 g/L
    assert obs.loc["hemoglobin", "ref_low"] == pytest.approx(120.0)         # 12–16 g/dL = 120–160 g/L
    assert obs.loc["temperature", "value"] == pytest.approx((101.3 - 32) * 5 / 9)  # 38.5 °C
    assert obs.loc["platelets", "value"] == pytest.approx(95.0)             # 95000/µL = 95 ×10^9/L
    inferred = {p.value: p.message for p in case.problems if "read in" in p.message}
    assert "read in g/dL, because the row's reference range (12–16) agrees with g/dL" in inferred["Hemoglobin"]
    assert "read in °F, because no value plausible in °C is plausible in °F" in inferred["Temperature"]
    assert "read in /µL" in inferred["Platelets"]
    scores = score_observations(case.observations).iloc[0]
    assert scores["hscore.items.temperature"] == 33                         # 38.5 °C: 38.4–39.4 -> 33, not 49


def test_hemoglobin_without_unit_or_range_is_an_error_naming_the_unit():
    problems = problems_of("Analyte,Day 0\nHemoglobin,12.5\n")
    assert len(problems) == 1
    assert problems[0].startswith("error: labs.csv:2:Day 0 '12.5' — Hemoglobin 12.5 without a unit is outside the "
                                  "plausible range 15–250 g/L; it would be plausible in g/dL or mmol/L")


@pytest.mark.parametrize("text,expected", [
    ("Analyte,Reference range,Day 0\nHemoglobin (g/L),120–160,12.5\n", "in g/dL or mmol/L"),
    ("Analyte,Day 0\nTemperature (°C),101.3\n", "in °F it would be 38.5 °C"),
    ("Analyte,Day 0\nFerritin (ng/mL),900000\n", "outside the plausible range 0.5–500000 ng/mL"),
])
def test_a_stated_unit_with_an_implausible_value_is_an_error(text, expected):
    problems = [p for p in problems_of(text) if p.startswith("error")]
    assert len(problems) == 1 and expected in problems[0]


def test_a_reference_range_ten_times_off_is_a_unit_warning():
    case = labs("Analyte,Reference range,Day 0\nAlbumin (g/L),3.5–5.5,38\n")
    assert [p.message.split(":")[0] for p in case.problems if "usual range" in p.message] == [
        "reference range 3.5–5.5 is 0.1× the usual range of Albumin (35–55 g/L) when read in g/L"]


def test_every_value_names_its_cell():
    case = labs("Analyte,Reference range,Day 0,Day 3\nFerritin (ng/mL),6.2–138,9560,8580\nLDH (U/L),,1260,990\n")
    obs = case.observations.set_index(["analyte", "timepoint"])
    assert tuple(obs.loc[("ldh", "Day 3"), ["source_file", "source_row", "source_column"]]) == ("labs.csv", 3, "Day 3")
    assert tuple(obs.loc[("ferritin", "Day 0"), ["source_file", "source_row", "source_column"]]) == (
        "labs.csv", 2, "Day 0")
    long = labs("test,visit,result,unit\nFerritin,Admission,9560,ng/mL\nLDH,Admission,1260,U/L\n")
    assert long.observations[["source_row", "source_column"]].values.tolist() == [[2, "result"], [3, "result"]]


def test_sdtm_values_name_their_cells():
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "cases"
    sdtm = load_case(fixtures / "mini-sdtm.csv").observations
    assert set(sdtm["source_file"]) == {"mini-sdtm.csv"} and set(sdtm["source_column"]) == {"LBORRES"}
    assert sdtm["source_row"].min() == 2


@pytest.mark.parametrize("label,analyte,value", [
    ("Potassium (K)", "potassium", 4.5), ("Chloride (Cl)", "chloride", 101), ("Triglycerides (TG)", "triglycerides", 4.13),
    ("Prothrombin time (PT)", "pt", 25.1), ("Hemoglobin (Hb)", "hemoglobin", 77)])
def test_an_abbreviation_in_parentheses_is_not_a_unit(label, analyte, value):
    """pint reads K, Cl, TG, PT as kelvin, centilitre, teragram, petatesla: none is a unit of any analyte."""
    from dashboard.ingest.tidy import split_label

    assert split_label(label) == (label, None)
    case = labs(f"Analyte,Day 0\n{label},{value}\n")
    assert case.observations["analyte"].tolist() == [analyte]
    assert case.observations["value"].tolist() == [value]


def test_a_header_copied_with_a_no_break_space_meets_its_case_toml_day():
    files = {"labs.csv": "Analyte,Admission,After\u00a0mPSL\u200b\nFerritin (ng/mL),9560,8580\n".encode(),
             "case.toml": b'[timepoints]\n"Admission" = 0\n"After mPSL" = 7\n'}
    case = load_uploaded(files, "t")
    assert case.meta["timepoints"] == {"Admission": 0, "After mPSL": 7}
    assert [p for p in case.problems if "not in the labs" in p.message] == []


@pytest.mark.parametrize("label,reference,warned", [
    ("Albumin (g/L)", "3.5–5.5", True),        # 5.5 / 55 = 0.1: g/dL printed under g/L
    ("CRP (mg/dL)", "< 8", True),              # exactly 8x the usual < 1 mg/dL
    ("CRP (mg/dL)", "< 7.9", False),           # just under
    ("Soluble CD25 (U/mL)", "223–710", False),  # an assay's own range, 0.3x the HLH-2004 cut-off used as default
    ("Ferritin (ng/mL)", "6.2–138", False),
])
def test_reference_range_unit_check_sits_on_its_factor(label, reference, warned):
    value = {"Albumin (g/L)": 38, "CRP (mg/dL)": 0.5, "Soluble CD25 (U/mL)": 5000, "Ferritin (ng/mL)": 90}[label]
    case = labs(f"Analyte,Reference range,Day 0\n{label},{reference},{value}\n")
    assert any("usual range" in p.message for p in case.problems) is warned


@pytest.mark.parametrize("cell,celsius", [
    ("45", 45.0),                  # the plausible limit in °C: read as °C (with the no-unit warning)
    ("45.1", None),                # above 45 but 7.3 °C in °F: neither unit is plausible -> error
    ("77", 25.0),                  # 77 °F = 25 °C, the plausible low limit: read as °F
    ("113", 45.0),                 # 113 °F = 45 °C
    ("113.1", None),               # above 45 °C in °F too
    ("24.9", None),                # below 25 °C, and -3.9 °C in °F
])
def test_unitless_temperature_boundaries(cell, celsius):
    text = f"Analyte,Day 0\nTemperature,{cell}\n"
    if celsius is None:
        assert [p for p in problems_of(text) if p.startswith("error") and "plausible range 25–45 °C" in p]
    else:
        assert value_of(labs(text), "temperature") == pytest.approx(celsius)


@pytest.mark.parametrize("cell,ok", [("15", True), ("14.9", False), ("250", True), ("250.1", False)])
def test_plausible_limits_are_inclusive(cell, ok):
    text = f"Analyte,Day 0\nHemoglobin (g/L),{cell}\n"
    assert (not [p for p in problems_of(text) if p.startswith("error")]) is ok


def test_a_german_export_names_its_reference_and_unit_columns():
    text = "Parameter;Einheit;Referenzbereich;Aufnahme;Tag 7\nFerritin;µg/l;6,2–138;9560;8580\nLeucocytes;G/L;4,5–11,0;0,72;1,12\n"
    case = labs(text)
    obs = case.observations.set_index(["analyte", "timepoint"])
    assert sorted(case.observations["timepoint"].unique()) == ["Aufnahme", "Tag 7"]
    assert tuple(obs.loc[("wbc", "Aufnahme"), ["value", "unit", "ref_low", "ref_high"]]) == (0.72, "10^9/L", 4.5, 11.0)
    assert obs.loc[("ferritin", "Tag 7"), "value"] == 8580.0
