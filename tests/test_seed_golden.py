"""Golden test: every flag and every score of the shipped seed case, at all four timepoints, by hand.

Values are Table 1 of the seed case report (data/cases/seed-sle-mas/labs.csv) plus the findings the text
gives (38.6 °C, liver 3 cm, spleen 4 cm, long-term prednisolone, no CNS signs, marrow hemophagocytosis on
day 7). Each expected number below is worked out in the comment beside it, not taken from the code.
"""

from __future__ import annotations

import csv
import shutil

import pandas as pd
import pytest

from dashboard.domain.flags import reference_flags, timepoint_flag_counts
from dashboard.domain.score_json import case_score_json
from dashboard.domain.scores import score_observations
from dashboard.ingest.bundle import load_case

TIMEPOINTS = ("Admission", "After mPSL", "After DEX", "6 weeks after discharge")

# analyte: flags at the four timepoints (None = not measured / no range). Report ranges from Table 1.
FLAGS = {
    "wbc": ("L", "L", "L", "N"),                # 0.72, 1.12, 4.08 < 4.5; 6.01 in 4.5–11.0
    "lymphocytes": ("L", "L", "L", "N"),        # 0.50, 0.59, 0.71 < 1.0; 1.91 in 1.0–4.0
    "hemoglobin": ("L", "L", "L", "L"),         # 77, 79, 93, 101 all < 121
    "hematocrit": ("L", "L", "L", "N"),         # 0.21, 0.21, 0.27 < 0.36; 0.36 exactly at the limit: N
    "platelets": ("L", "L", "L", "N"),          # 22, 29, 113 < 150; 287 in 150–400
    "reticulocytes": ("H", None, None, None),   # 4.47 > 1.5
    "sodium": ("L", "L", "L", "N"),             # 130, 131, 136 < 138; 138 at the limit: N
    "potassium": ("N", "N", "N", "N"),          # 4.5, 4.6, 4.6, 4.1 in 3.6–4.8
    "creatinine": ("N", "N", "N", "N"),         # 0.51, 0.50, 0.50, 0.51 in 0.46–0.79
    "alt": ("H", "H", "N", "N"),                # 46, 44 > 23; 23 at the limit: N; 20
    "ast": ("H", "H", "N", "N"),                # 51, 48 > 30; 21, 22
    "triglycerides": ("H", "H", "N", "L"),      # 4.13, 4.01 > 2.2; 2.1 in 1.8–2.2; 1.6 < 1.8
    "ldh": ("H", "H", "H", "H"),                # 1260, 990, 250, 245 > 222
    "haptoglobin": ("L", None, None, None),     # 21 < 41
    "albumin": ("L", "L", "L", "N"),            # 29.8, 30.2, 34.1 < 35; 38.8
    "ferritin": ("H", "H", "H", "H"),           # 9560, 8580, 550, 290 > 138
    "fibrinogen": ("N", "N", "N", "N"),         # 3.5, 3.5, 3.4, 3.5 in 2–4
    "d_dimer": ("H", "H", "H", "N"),            # 4766, 2255, 430 > 250; 102
    "aptt": ("H", "H", "H", "H"),               # 123.3, 91.5, 62.5, 42 > 40
    "pt": ("H", "H", "H", "H"),                 # 25.1, 22.3, 14.3, 14.1 > 14
    "crp": ("H", "H", "H", "N"),                # 68.8, 48, 18 > 10; 0.2
    "esr": ("H", "H", "H", "H"),                # range "22" = upper limit: 62, 51, 26, 29 > 22
    "urine_protein_24h": ("H", None, "N", "N"), # 0.54 > 0.16; 0.16 at the limit: N; 0.15
    "dat": ("A", None, None, None),             # Positive
    "iat": ("N", None, None, None),             # Negative
    "c3": ("L", None, None, None),              # 0.62 < 0.90
    "c4": ("N", None, None, None),              # 0.17 in 0.10–0.40
    "anti_dsdna": ("A", None, None, None),      # titer 1:40 above its limit 1:10
    "ana": ("A", None, None, None),             # titer 1:640 above 1:40
    "anticardiolipin": ("H", None, None, None), # 27 > 10
    "lupus_anticoagulant": ("H", None, None, None),  # 1.71 > 1.3
    "temperature": ("H", None, None, None),     # no report range: catalogue 36.1–37.5 °C; 38.6 > 37.5
    "hepatomegaly": ("A", None, None, None),    # 3 cm: present
    "splenomegaly": ("A", None, None, None),    # 4 cm: present
    "immunosuppression": ("A", "A", "A", "A"),  # Yes at every timepoint
    "cns_involvement": ("N", None, None, None), # No
    "hemophagocytosis": (None, "A", None, None),  # Yes (marrow, day 7)
}
# abnormal = L/H/A; assessed = any flag. Admission: 9 L + 15 H + 6 A = 30 of 36 flagged (38 rows less the
# empty hemorrhage and arthritis rows). After mPSL: 7 L + 10 H + 2 A = 19 of 22. After DEX: 7 L + 7 H + 1 A
# = 15 of 22. 6 weeks: 2 L (Hb, TG) + 5 H (LDH, ferritin, aPTT, PT, ESR) + 1 A = 8 of 22.
COUNTS = ((30, 36), (19, 22), (15, 22), (8, 22))

# HScore items per timepoint (None = unknown).
#   immunosuppression: Yes -> 18 everywhere.
#   temperature 38.6 in 38.4–39.4 -> 33; later not recorded.
#   organomegaly: liver and spleen -> 38 at admission; later not recorded.
#   cytopenias (Hb ≤ 92, WBC ≤ 5.0, PLT ≤ 110): adm 77/0.72/22 -> 3 -> 34; mPSL 79/1.12/29 -> 34;
#     DEX 93 no, 4.08 yes, 113 no -> 1 -> 0; 6 weeks 101/6.01/287 -> 0 -> 0.
#   ferritin: 9560, 8580 > 6000 -> 50; 550, 290 < 2000 -> 0.
#   triglycerides: 4.13, 4.01 > 4 -> 64; 2.1, 1.6 in 1.5–4 -> 44.
#   fibrinogen: 3.5, 3.5, 3.4, 3.5 > 2.5 -> 0.  AST: 51, 48 ≥ 30 -> 19; 21, 22 -> 0.
#   hemophagocytosis: marrow positive on day 7 -> 35; unknown elsewhere.
HSCORE_ITEMS = {
    "immunosuppression": (18, 18, 18, 18),
    "temperature": (33, None, None, None),
    "organomegaly": (38, None, None, None),
    "cytopenias": (34, 34, 0, 0),
    "ferritin": (50, 50, 0, 0),
    "triglycerides": (64, 64, 44, 44),
    "fibrinogen": (0, 0, 0, 0),
    "ast": (19, 19, 0, 0),
    "hemophagocytosis": (None, 35, None, None),
}
# points: adm 18+33+38+34+50+64+0+19 = 256; mPSL 18+34+50+64+0+19+35 = 220; DEX 18+0+0+44 = 62; 6 wk 62.
# max adds the unknown items' maxima: adm +35 = 291; mPSL +49 +38 = 307; DEX/6 wk +49 +38 +35 = 184.
HSCORE = ((256, 256, 291), (220, 220, 307), (62, 62, 184), (62, 62, 184))
# probability from Fardet's table: 256 ≥ 250 -> 0.995; 220 -> 0.96; 62 < 90 -> 0.005;
# max 291, 307 -> 0.995; 184 -> 0.70 + 0.4 × (0.80 − 0.70) = 0.74.
PROBABILITY = ((0.995, 0.995), (0.96, 0.995), (0.005, 0.74), (0.005, 0.74))
MISSING = (
    ["hemophagocytosis"],
    ["temperature", "organomegaly"],
    ["temperature", "organomegaly", "hemophagocytosis"],
    ["temperature", "organomegaly", "hemophagocytosis"],
)

# HLH-2004: fever ≥ 38.5; spleen; cytopenias (Hb < 90, PLT < 100, ANC < 1.0 — ANC not reported);
# TG ≥ 3.0 or fib ≤ 1.5; marrow; NK; ferritin ≥ 500; sCD25 ≥ 2400 (not reported).
HLH2004 = {
    "fever": (True, None, None, None),                      # 38.6; later not recorded
    "splenomegaly": (True, None, None, None),
    "cytopenias": (True, True, False, False),   # Hb+PLT low; Hb+PLT low; 93 and 113 normal, ANC unknown
    "triglycerides_fibrinogen": (True, True, False, False),  # 4.13, 4.01 ≥ 3; 2.1/3.4, 1.6/3.5 neither
    "hemophagocytosis": (None, True, None, None),
    "nk_activity": (None, None, None, None),
    "ferritin": (True, True, True, False),                  # 9560, 8580, 550 ≥ 500; 290
    "scd25": (None, None, None, None),
}
# met / unknown / fulfilled: adm 5/3 -> true (the report's "5/8 before marrow"); mPSL 4/4 -> null;
# DEX 1/5 -> 6 possible -> null; 6 weeks 0/5 -> 5 possible -> null.
HLH2004_TOTALS = ((5, 3, True), (4, 4, None), (1, 5, None), (0, 5, None))

# MAS 2016: febrile (≥ 38.0), ferritin > 684, PLT ≤ 181, AST > 48, TG > 156 mg/dL, fib ≤ 360 mg/dL.
# TG mg/dL: 4.13 × 88.57 = 365.8; 4.01 × 88.57 = 355.2; 2.1 × 88.57 = 186.0; 1.6 × 88.57 = 141.7.
# Fibrinogen mg/dL: 350, 350, 340, 350 — all ≤ 360.
MAS2016 = {
    "febrile": (True, None, None, None),
    "ferritin": (True, True, False, False),
    "platelets": (True, True, True, False),     # 22, 29, 113 ≤ 181; 287
    "ast": (True, False, False, False),         # 51 > 48; 48 is not > 48; 21; 22
    "triglycerides": (True, True, True, False),
    "fibrinogen": (True, True, True, True),
}
# adm: febrile, ferritin, 4 of 4 -> true; mPSL: lab part met but fever unknown -> null;
# DEX and 6 weeks: ferritin ≤ 684 -> false.
MAS2016_CLASSIFIED = (True, None, False, False)

# Parodi 2009: clinical fever > 38, liver ≥ 3 cm, spleen ≥ 3 cm, hemorrhage, CNS;
# laboratory cytopenias (WBC ≤ 4.0, Hb ≤ 90, PLT ≤ 150, ≥ 2), ferritin > 500, AST > 40, LDH > 567,
# fib ≤ 1.5, TG > 178 mg/dL.
PARODI = {
    "fever": (True, None, None, None),
    "hepatomegaly": (True, None, None, None),   # 3 cm ≥ 3
    "splenomegaly": (True, None, None, None),   # 4 cm
    "hemorrhage": (None, None, None, None),     # row empty: unknown, not "no"
    "cns_involvement": (False, None, None, None),
    "cytopenias": (True, True, False, False),   # 3 lineages; 3; only PLT 113 ≤ 150; none
    "ferritin": (True, True, True, False),      # 9560, 8580, 550 > 500; 290
    "ast": (True, True, False, False),          # 51, 48 > 40; 21; 22
    "ldh": (True, True, False, False),          # 1260, 990 > 567; 250; 245
    "fibrinogen": (False, False, False, False),
    "triglycerides": (True, True, True, False), # 365.8, 355.2, 186.0 > 178; 141.7
}
# adm 3 clinical + 5 laboratory -> true; mPSL 0 known clinical (5 unknown) + 5 -> null;
# DEX 0 + 2 (ferritin, TG) with 4 clinical unknown -> null; 6 weeks 0 laboratory, none unknown -> false.
PARODI_TOTALS = ((True, 3, 5), (None, 0, 5), (None, 0, 2), (False, 0, 0))

# Ferritin/ESR: 9560/62 = 154.19; 8580/51 = 168.24; 550/26 = 21.15; 290/29 = 10.0.
RATIO = (154.2, 168.2, 21.2, 10.0)

# MS score lab part: −0.003·PLT + 0.001·LDH − 0.004·fib(mg/dL) + 0.0001·ferritin
#   adm  −0.066 + 1.260 − 1.400 + 0.956 = 0.750; CNS 0, hemorrhage 0..1.54, arthritis −1.30..0
#        -> −0.550..2.290, min ≥ −2.1 -> MAS true
#   mPSL −0.087 + 0.990 − 1.400 + 0.858 = 0.361; CNS unknown too -> −0.939..4.341 -> true
#   DEX  −0.339 + 0.250 − 1.360 + 0.055 = −1.394 -> −2.694..2.586 -> null
#   6 wk −0.861 + 0.245 − 1.400 + 0.029 = −1.987 -> −3.287..1.993 -> null
MS = ((-0.55, 2.29, True), (-0.939, 4.341, True), (-2.694, 2.586, None), (-3.287, 1.993, None))


def na(value):
    return None if value is pd.NA or (isinstance(value, float) and pd.isna(value)) else value


@pytest.fixture(scope="module")
def seed(seed_path):
    return load_case(seed_path)


@pytest.fixture(scope="module")
def scores(seed):
    return score_observations(seed.observations)


def test_every_flag_at_every_timepoint(seed):
    flags = reference_flags(seed.observations)
    got = {
        (row.analyte, row.timepoint): na(row.flag)
        for row in flags[flags["analyte"].notna()].itertuples()
    }
    for analyte, expected in FLAGS.items():
        for label, flag in zip(TIMEPOINTS, expected):
            assert got.get((analyte, label)) == flag, (analyte, label)
    counts = timepoint_flag_counts(flags)
    assert list(counts["timepoint"]) == list(TIMEPOINTS)
    assert list(zip(counts["abnormal"], counts["assessed"])) == list(COUNTS)


def test_temperature_is_flagged_against_the_catalogue_and_says_so(seed):
    flags = reference_flags(seed.observations)
    temp = flags[flags["analyte"] == "temperature"].iloc[0]
    assert temp["ref_source"] == "catalogue"
    assert flags[flags["analyte"] == "ferritin"]["ref_source"].tolist() == ["report"] * 4
    ferritin = flags[flags["analyte"] == "ferritin"]
    # 9560 / 138 = 69.28 × ULN; change from admission 8580 − 9560 = −980 (−10.25 %)
    assert ferritin["x_uln"].iloc[0] == pytest.approx(9560 / 138)
    assert ferritin["change"].tolist() == pytest.approx([0, -980, -9010, -9270])
    assert ferritin["pct_change"].iloc[1] == pytest.approx(-980 / 9560 * 100)


def test_hscore_at_every_timepoint(scores):
    assert list(scores.index.get_level_values("timepoint")) == list(TIMEPOINTS)
    for i, row in enumerate(scores.itertuples(index=False)):
        r = scores.iloc[i]
        assert (r["hscore.points"], r["hscore.min"], r["hscore.max"]) == HSCORE[i]
        assert r["hscore.probability"] == pytest.approx(PROBABILITY[i][0])
        assert r["hscore.probability_min"] == pytest.approx(PROBABILITY[i][0])  # points is the minimum
        assert r["hscore.probability_max"] == pytest.approx(PROBABILITY[i][1])
        assert r["hscore.missing"].split(",") == MISSING[i]
        for item, expected in HSCORE_ITEMS.items():
            assert na(r[f"hscore.items.{item}"]) == expected[i], (item, i)


def test_hlh2004_at_every_timepoint(scores):
    for i in range(4):
        r = scores.iloc[i]
        assert (r["hlh2004.met"], r["hlh2004.unknown"], na(r["hlh2004.fulfilled"])) == HLH2004_TOTALS[i]
        for name, expected in HLH2004.items():
            assert na(r[f"hlh2004.criteria.{name}"]) == expected[i], (name, i)


def test_mas2016_at_every_timepoint(scores):
    for i in range(4):
        r = scores.iloc[i]
        assert na(r["mas2016.classified"]) == MAS2016_CLASSIFIED[i]
        for name, expected in MAS2016.items():
            assert na(r[f"mas2016.criteria.{name}"]) == expected[i], (name, i)


def test_parodi2009_at_every_timepoint(scores):
    for i in range(4):
        r = scores.iloc[i]
        got = (na(r["parodi2009.fulfilled"]), r["parodi2009.clinical"], r["parodi2009.laboratory"])
        assert got == PARODI_TOTALS[i]
        for name, expected in PARODI.items():
            assert na(r[f"parodi2009.criteria.{name}"]) == expected[i], (name, i)


def test_ratio_and_ms_score_at_every_timepoint(scores):
    for i in range(4):
        r = scores.iloc[i]
        assert round(r["ferritin_esr_ratio.value"], 1) == RATIO[i]
        assert na(r["ms_score.value"]) is None  # hemorrhage and arthritis never reported
        assert r["ms_score.min"] == pytest.approx(MS[i][0])
        assert r["ms_score.max"] == pytest.approx(MS[i][1])
        assert na(r["ms_score.mas"]) == MS[i][2]


def test_json_contract_admission(seed):
    doc = case_score_json(seed)
    assert doc["case"] == {"id": "seed-sle-mas", "title": seed.meta["title"]}
    assert [tp["label"] for tp in doc["timepoints"]] == list(TIMEPOINTS)
    assert [tp["day"] for tp in doc["timepoints"]] == [0, 7, 11, 53]
    adm = doc["timepoints"][0]
    assert adm["flags"]["abnormal"] == 30 and adm["flags"]["assessed"] == 36
    assert adm["flags"]["by_analyte"]["ferritin"] == "H"
    assert adm["flags"]["by_analyte"]["fibrinogen"] == "N"
    assert adm["flags"]["by_analyte"]["hemorrhage"] is None
    assert adm["scores"]["hscore"] == {
        "points": 256, "min": 256, "max": 291, "missing": ["hemophagocytosis"],
        "probability": 0.995, "probability_min": 0.995, "probability_max": 0.995,
        "items": {"immunosuppression": 18, "temperature": 33, "organomegaly": 38, "cytopenias": 34,
                  "ferritin": 50, "triglycerides": 64, "fibrinogen": 0, "ast": 19,
                  "hemophagocytosis": None},
    }
    assert adm["scores"]["hlh2004"] == {
        "met": 5, "unknown": 3, "fulfilled": True,
        "criteria": {"fever": True, "splenomegaly": True, "cytopenias": True,
                     "triglycerides_fibrinogen": True, "hemophagocytosis": None,
                     "nk_activity": None, "ferritin": True, "scd25": None},
    }
    assert adm["scores"]["mas2016"]["classified"] is True
    assert adm["scores"]["parodi2009"]["fulfilled"] is True
    assert (adm["scores"]["parodi2009"]["clinical"], adm["scores"]["parodi2009"]["laboratory"]) == (3, 5)
    assert adm["scores"]["ferritin_esr_ratio"] == {"value": 154.2, "min": 154.2, "max": 154.2}
    after_dex = doc["timepoints"][2]["scores"]["hscore"]  # "HScore 62–184 (probability 0.5–74 %)"
    assert (after_dex["points"], after_dex["max"]) == (62, 184)
    assert (after_dex["probability_min"], after_dex["probability_max"]) == (0.005, 0.74)
    assert adm["scores"]["ms_score"] == {"value": None, "min": -0.55, "max": 2.29, "mas": True}


# --- the same case in other units -------------------------------------------------------------------
# label in the seed -> (new label, conversion of the value written in the file)
OTHER_UNITS = {
    "White blood cell count (10^9/L)": ("White blood cell count (/µL)", lambda x: x * 1000),
    "Hemoglobin (g/L)": ("Hemoglobin (g/dL)", lambda x: x / 10),
    "Platelets (10^9/L)": ("Platelets (/µL)", lambda x: x * 1000),
    "Triglyceride (mmol/L)": ("Triglyceride (mg/dL)", lambda x: x * 88.57),
    "Fibrinogen (g/L)": ("Fibrinogen (mg/dL)", lambda x: x * 100),
    "Ferritin (ng/mL)": ("Ferritin (µg/L)", lambda x: x),
    "Temperature (°C)": ("Temperature (°F)", lambda x: x * 9 / 5 + 32),
}


def _convert_cell(text: str, convert) -> str:
    try:
        return repr(round(convert(float(text)), 6))
    except ValueError:
        return text


def test_the_same_case_in_other_units_gives_identical_scores(seed_path, tmp_path, scores):
    folder = tmp_path / "seed-other-units"
    shutil.copytree(seed_path, folder)
    rows = list(csv.reader((seed_path / "labs.csv").open(encoding="utf-8")))
    out = [rows[0]]
    for row in rows[1:]:
        if row[0] in OTHER_UNITS:
            label, convert = OTHER_UNITS[row[0]]
            # reference ranges are dropped: scores do not use them, and converting "121–151" is not the point
            row = [label, "", *(_convert_cell(c, convert) for c in row[2:])]
        out.append(row)
    with (folder / "labs.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(out)

    observations = load_case(folder).observations
    tg = observations[observations["analyte"] == "triglycerides"].iloc[0]
    assert (tg["orig_unit"], tg["orig_value"]) == ("mg/dL", pytest.approx(365.7941))
    other = score_observations(observations)
    pd.testing.assert_frame_equal(other, scores, check_exact=False, rtol=1e-9)
