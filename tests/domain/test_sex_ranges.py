"""Reference ranges printed per sex: the printed forms, letters that could mean either sex, flags by sex."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.domain.flags import PER_SEX_UNKNOWN, reference_flags
from dashboard.domain.schema import observation_frame
from dashboard.domain.sex_ranges import SEX_UNKNOWN_NOTE, apply_sex, patient_sex, sex_labels, split_by_sex
from dashboard.domain.values import COMMA, POINT, CellError, RefRange, parse_range

HB = (("F", 12.0, 15.0), ("M", 13.0, 17.0))  # hemoglobin g/dL as the forms below print it


@pytest.mark.parametrize("text", [
    "M: 13-17; F: 12-15",
    "M 13–17, F 12–15",
    "Male 13-17 / Female 12-15",
    "♂ 13-17 ♀ 12-15",
    "13-17 (M), 12-15 (F)",
    "men 13.0-17.0; women 12.0-15.0",
    "H 13-17 / F 12-15",          # hommes/femmes, Herren/Frauen: no language has H for women
    "F: 12-15; M: 13-17",         # order does not matter
    "m. 13-17, f. 12-15",
    "Männer 13-17, Frauen 12-15",
    "M 13 to 17 | F 12 to 15",
])
def test_printed_forms_give_each_sex_its_range(text):
    assert parse_range(text) == RefRange(by_sex=HB)


def test_a_letter_is_read_by_its_partner():
    # Spanish/Portuguese hombres/mujeres: M is the women's range here; no language reads H as women
    assert parse_range("H: 13-17; M: 12-15") == RefRange(by_sex=HB)
    assert parse_range("m 13-17, w 12-15") == RefRange(by_sex=HB)  # männlich/weiblich, men/women


def test_decimal_commas_as_the_file_writes_them():
    assert parse_range("M 4,5-6,0, F 4,0-5,5", COMMA) == RefRange(by_sex=(("F", 4.0, 5.5), ("M", 4.5, 6.0)))
    with pytest.raises(CellError, match="decimal comma"):
        parse_range("M 4,5-6,0; F 4,0-5,5", POINT)


def test_one_sided_limits_and_a_unit_printed_once_after_both():
    assert parse_range("M <50; F <35") == RefRange(by_sex=(("F", None, 35.0), ("M", None, 50.0)))
    assert parse_range("M >60, F >50") == RefRange(by_sex=(("F", 50.0, None), ("M", 60.0, None)))
    assert parse_range("M 13-17, F 12-15 g/dL") == RefRange(unit="g/dL", by_sex=HB)
    assert parse_range("M 0-15 mm/h; F 0-20 mm/h") == RefRange(unit="mm/h", by_sex=(("F", 0.0, 20.0),
                                                                                   ("M", 0.0, 15.0)))


def test_the_same_range_for_both_sexes_is_one_range():
    assert parse_range("M 0-5; F 0-5") == RefRange(0.0, 5.0)


def test_texts_that_name_no_two_sexes_are_ordinary_ranges():
    assert split_by_sex("0-15 mm/h") is None           # h of mm/h is no label
    assert split_by_sex("97-99 F") is None             # one label: °F of a temperature row, not a sex
    assert parse_range("4.5–11.0") == RefRange(4.5, 11.0)


@pytest.mark.parametrize(("text", "message"), [
    ("M 13-17 V 12-15", "both ways round"),           # Dutch man/vrouw, Spanish mujeres/varones
    ("M 13-17, M 12-15", "labels both ranges"),
    ("M 13-17, F 12-15, W 11-14", "3 sex labels"),
    ("M: 13-17; F:", "no range for females"),
    ("M: 13-17 g/dL; F: 7-9 mmol/L", "different units"),
    ("M: 13-17; F: Negative", "no limits for females"),
    ("M: 13-17; F: lots", "the female range 'lots' is not a reference range"),
    ("13-17 M 12-15 F 9", "not clear"),
])
def test_what_cannot_be_read_without_guessing_is_refused(text, message):
    with pytest.raises(CellError, match=message):
        parse_range(text)


def test_every_single_letter_has_a_language_and_every_label_a_sex():
    for label in sex_labels():
        assert label.sex in ("F", "M")
        assert (label.language == "any") == (not label.label.isalpha() or len(label.label) > 1), label
    letters = {label.label for label in sex_labels() if label.language != "any"}
    meanings = {(lab.label, lab.sex) for lab in sex_labels()}
    assert {"m", "f"} <= letters and ("m", "F") in meanings and ("f", "M") in meanings  # why letters need a pair


@pytest.mark.parametrize(("given", "sex"), [("F", "F"), ("female", "F"), (" m ", "M"), ("Male", "M"),
                                            ("other", None), ("W", None), ("", None), (None, None), (1, None)])
def test_patient_sex(given, sex):
    assert patient_sex({"sex": given}) == sex
    assert patient_sex(None) is None


# ---- flags: Hb in g/L (the canonical unit), range printed M 13-17, F 12-15 g/dL = M 130-170, F 120-150 g/L
def hb(*values: float, sex: str | None = None) -> pd.DataFrame:
    rows = [{"case_id": "c", "timepoint": f"T{i}", "tp_order": i, "day": float(i), "analyte": "hemoglobin",
             "label": "Hemoglobin", "value": v, "unit": "g/L", "ref_text": "M: 13-17; F: 12-15",
             "ref_low_f": 120.0, "ref_high_f": 150.0, "ref_low_m": 130.0, "ref_high_m": 170.0}
            for i, v in enumerate(values)]
    return apply_sex(observation_frame(rows), sex)


def flags(frame: pd.DataFrame) -> list:
    return [None if pd.isna(v) else v for v in reference_flags(frame)["flag"]]


def test_female_range_at_and_either_side_of_its_limits():
    assert flags(hb(81.0, 119.9, 120.0, 150.0, 150.1, sex="F")) == ["L", "L", "N", "N", "H"]


def test_male_range_at_and_either_side_of_its_limits():
    assert flags(hb(129.9, 130.0, 135.0, 170.0, 170.1, sex="M")) == ["L", "N", "N", "N", "H"]


def test_sex_unknown_flags_only_where_both_ranges_agree():
    frame = hb(81.0, 119.9, 120.0, 125.0, 130.0, 150.0, 150.1, 170.0, 170.1)
    out = reference_flags(frame)
    assert flags(frame) == ["L", "L", None, None, "N", "N", None, None, "H"]
    notes = [None if pd.isna(v) else v for v in out["flag_note"]]
    assert notes == [None, None, SEX_UNKNOWN_NOTE, SEX_UNKNOWN_NOTE, None, None, SEX_UNKNOWN_NOTE,
                     SEX_UNKNOWN_NOTE, None]
    assert set(out["ref_source"]) == {PER_SEX_UNKNOWN}
    assert out["ref_low"].isna().all() and out["ref_high"].isna().all()  # never the catalogue's 120-160


def test_sex_known_says_whose_range_and_gives_x_uln_against_it():
    female, male = reference_flags(hb(81.0, sex="F")), reference_flags(hb(340.0, sex="M"))
    assert female["ref_source"].tolist() == ["report, female"]
    assert male["ref_source"].tolist() == ["report, male"]
    assert female["x_uln"].iloc[0] == pytest.approx(81.0 / 150.0)
    assert male["x_uln"].iloc[0] == pytest.approx(2.0)
    assert female["flag_note"].isna().all()


def test_x_uln_with_sex_unknown_only_when_both_upper_limits_are_the_same():
    assert pd.isna(reference_flags(hb(81.0))["x_uln"].iloc[0])  # 81/150 or 81/170: not picked
    same = hb(300.0)
    same["ref_high_m"] = same["ref_high_f"]
    assert reference_flags(same)["x_uln"].iloc[0] == pytest.approx(2.0)


def test_one_sided_ranges_by_sex():
    rows = [{"case_id": "c", "timepoint": f"T{i}", "tp_order": i, "analyte": "ast", "label": "AST", "value": v,
             "unit": "U/L", "ref_high_f": 35.0, "ref_high_m": 50.0} for i, v in enumerate((35.0, 36.0, 50.0, 51.0))]
    frame = observation_frame(rows)
    assert flags(frame) == ["N", None, None, "H"]
    assert flags(apply_sex(frame, "F")) == ["N", "H", "H", "H"]
    assert flags(apply_sex(frame, "M")) == ["N", "N", "N", "H"]


def test_apply_sex_keeps_both_ranges_and_leaves_the_input_alone():
    frame = hb(81.0, math.nan)
    before = frame.copy()
    out = apply_sex(frame, "F")
    pd.testing.assert_frame_equal(frame, before)
    assert out["ref_low"].tolist() == [120.0, 120.0] and out["ref_high"].tolist() == [150.0, 150.0]
    assert out["ref_low_m"].tolist() == [130.0, 130.0]
    assert apply_sex(out, None)["ref_low"].isna().all()  # an unknown sex clears an applied range


def test_frames_without_the_per_sex_columns_are_flagged_as_before():
    frame = observation_frame([{"case_id": "c", "timepoint": "T0", "tp_order": 0, "analyte": "ferritin",
                                "label": "Ferritin", "value": 900.0, "ref_low": 15.0, "ref_high": 150.0}])
    old = frame.drop(columns=["ref_low_f", "ref_high_f", "ref_low_m", "ref_high_m"])
    out = reference_flags(old)
    assert out["flag"].tolist() == ["H"] and out["ref_source"].tolist() == ["report"]
    assert out["flag_note"].isna().all()
