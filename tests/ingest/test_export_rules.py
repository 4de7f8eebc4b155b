"""The general rules behind tests/ingest/test_exports.py, one by one, with values worked out by hand."""

from __future__ import annotations

import pytest

from dashboard.domain.units import to_canonical
from dashboard.domain.values import RefRange, parse_range
from dashboard.ingest.bundle import CaseError, load_case
from dashboard.ingest.published_table.documents import superscript_text
from dashboard.ingest.tidy import match_label, split_label


def _labs(tmp_path, text: str, name: str = "labs.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _read_or_refused(path, read: float | None, refusal: str) -> None:
    """The file's one value is `read`, or (None) the file is refused with `refusal` in the message."""
    if read is None:
        with pytest.raises(CaseError, match=refusal):
            load_case(path)
    else:
        assert list(_values(load_case(path)).values()) == pytest.approx([read])


def _values(case) -> dict[tuple[str, str], float]:
    obs = case.observations
    return {(r.timepoint, r.analyte): float(r.value) for r in obs[obs["orig_text"].notna()].itertuples()
            if isinstance(r.analyte, str)}


@pytest.mark.parametrize(("before", "sup", "text"), [
    ("×10", "9", "^9"), ("10", "-3", "^-3"), ("655", "3", "³"), ("1.6", "1", "¹"), ("41", "a", "ᵃ"),
    ("190", "b,c", "ᵇᶜ"), ("190", "h", "h"), ("41", "*", "*"), ("x", "12", "¹²"),
])
def test_a_superscript_is_an_exponent_only_after_10(before, sup, text):
    assert superscript_text(before, sup) == text


@pytest.mark.parametrize(("unit", "value", "analyte", "expected"), [
    ("µkat/L", 4.1, "alt", 246.0), ("ukat/L", 0.37, "ast", 22.2), ("nkat/L", 1000, "ldh", 60.0),
    ("UI/L", 236, "ast", 236.0), ("gm/dl", 8.1, "hemoglobin", 81.0), ("gm%", 8.1, "hemoglobin", 81.0),
    ("mm/1st hr", 12, "esr", 12.0), ("lakhs/cumm", 0.41, "platelets", 41.0), ("cells/cumm", 1900, "wbc", 1.9),
    ("10^3/mm3", 1.9, "wbc", 1.9), ("Gpt/l", 4.1, "wbc", 4.1), ("Tsd/µl", 41, "platelets", 41.0),
    ("IE/l", 236, "ast", 236.0), ("mval/l", 131, "sodium", 131.0), ("µg/L", 9560, "ferritin", 9560.0), ("mg/L FEU", 12.4, "d_dimer", 12400.0),
])
def test_export_units_convert_by_hand(unit, value, analyte, expected):
    assert to_canonical([value], unit, analyte)[0] == pytest.approx(expected, rel=1e-12)


def test_ferritin_in_pmol_per_litre_is_refused(tmp_path):
    with pytest.raises(CaseError, match="'pmol/L' cannot be converted to ng/mL for Ferritin"):
        load_case(_labs(tmp_path, "Analyte,Day 1\nFerritin (pmol/L),21480\n"))


@pytest.mark.parametrize(("label", "analyte"), [
    ("P-Ferritin", "ferritin"), ("B-Hb", "hemoglobin"), ("fP-Triglycerides", "triglycerides"),
    ("S. Triglycerides", "triglycerides"), ("S-CRP", "crp"), ("Pt-Ferritin", "ferritin"), ("PT", "pt"),
    ("B-Zorkin", None),
])
def test_a_specimen_prefix_does_not_hide_the_label(label, analyte):
    assert match_label(label) == analyte


@pytest.mark.parametrize(("label", "split"), [
    ("Neutrophils %", ("Neutrophils", "%")), ("% Lymphocytes", ("Lymphocytes", "%")),
    ("Neutrophils (%)", ("Neutrophils", "%")), ("Neutrophils", ("Neutrophils", None)),
])
def test_a_percent_in_the_label_is_its_unit(label, split):
    assert split_label(label) == split


def test_a_differential_is_never_read_as_the_count(tmp_path):
    case = load_case(_labs(tmp_path, "Analyte,Day 1\nNeutrophils %,62\nNeutrophils (/µL),1180\nWBC,1.9\n"))
    assert _values(case) == pytest.approx({("Day 1", "neutrophils"): 1.18, ("Day 1", "wbc"): 1.9})
    assert any("is a differential" in p.message for p in case.problems)
    alone = load_case(_labs(tmp_path, "Analyte,Day 1\nNeutrophils %,62\n", "alone.csv"))
    assert _values(alone) == {}


@pytest.mark.parametrize(("text", "expected"), [
    ("15 - 150 ng/mL", RefRange(15.0, 150.0, None, "ng/mL")), ("4.0 - 11.0 10*9/L", RefRange(4.0, 11.0, None, "10^9/L")),
    ("< 5 mg/L", RefRange(None, 5.0, None, "mg/L")), ("3.5-5.0mmol/L", RefRange(3.5, 5.0, None, "mmol/L")),
    ("4.5–11.0", RefRange(4.5, 11.0)),
])
def test_a_unit_after_the_range_is_returned(text, expected):
    assert parse_range(text) == expected


def test_a_range_unit_other_than_the_rows_is_an_error(tmp_path):
    text = "test,result,units,reference range,collected\nFerritin,9560,ng/mL,15 - 150 pmol/L,2024-05-02\n"
    with pytest.raises(CaseError, match="the range is printed in pmol/L but the row's unit is ng/mL"):
        load_case(_labs(tmp_path, text))
    adopted = "test,result,reference range,collected\nCRP,96,< 5 mg/L,2024-05-02\n"
    case = load_case(_labs(tmp_path, adopted, "adopted.csv"))
    assert _values(case) == pytest.approx({("2024-05-02", "crp"): 9.6})


@pytest.mark.parametrize(("sign", "value", "qualifier"), [
    (">", "40000", ">"), (">=", "40000", ">="), ("", "40000", None), ("=", "40000", None), (">", ">40000", ">"),
])
def test_a_comparator_column_is_part_of_the_value(tmp_path, sign, value, qualifier):
    text = f"test,comparator,result,units,collected\nFerritin,{sign},{value},ng/mL,Day 1\n"
    obs = load_case(_labs(tmp_path, text)).observations
    row = obs[obs["analyte"] == "ferritin"].iloc[0]
    assert (row["value"], row["qualifier"] if isinstance(row["qualifier"], str) else None) == (40000.0, qualifier)


# Values without a unit, plausible in the canonical unit: the row's range decides (UNITLESS_RANGE_OFF = 3x).
# CRP default < 1 mg/dL. `<2.9` is 2.9x (canonical), `<3` exactly 3x (speaks against it), `<10` agrees with mg/L.
@pytest.mark.parametrize(("range_text", "read"), [
    ("<1", 45.0), ("<0.5", 45.0), ("<2.9", 45.0), ("<0.35", 45.0), ("<10", 4.5),
    ("<3", None), ("<5", None), ("<0.333", None),
])
def test_a_range_far_from_the_usual_one_speaks_against_the_canonical_unit(tmp_path, range_text, read):
    path = _labs(tmp_path, f"Analyte,Reference range,Day 1\nC-reactive protein,{range_text},45\n")
    _read_or_refused(path, read, "no unit given for C-reactive protein, and the row's reference range")


def test_a_lone_plausible_value_follows_its_range(tmp_path):
    """TG 140 is plausible in mmol/L, but `<150` is 88x the usual 1.7 mmol/L and agrees with mg/dL."""
    case = load_case(_labs(tmp_path, "Analyte,Reference range,Day 1\nTriglycerides,<150,140\n"))
    assert _values(case) == pytest.approx({("Day 1", "triglycerides"): 140 / 88.57}, rel=1e-4)
    ferritin = load_case(_labs(tmp_path, "Analyte,Reference range,Day 1\nFerritin,30-400,9560\n", "f.csv"))
    assert _values(ferritin) == {("Day 1", "ferritin"): 9560.0}  # no other common unit: the range cannot mislead


def test_excel_percent_and_date_cells(tmp_path):
    from datetime import datetime

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "labs"
    sheet.append(["Analyte", datetime(2024, 3, 14), datetime(2024, 3, 14, 6, 30)])
    sheet.append(["Hematocrit", 0.245, "24%"])
    sheet["B2"].number_format = "0.0%"
    path = tmp_path / "case.xlsx"
    book.save(path)
    case = load_case(path)
    assert _values(case) == pytest.approx({("2024-03-14", "hematocrit"): 0.245,
                                           ("2024-03-14T06:30:00", "hematocrit"): 0.24})


@pytest.mark.parametrize(("row", "read"), [
    ("C-reactive protein,45", None),        # 45 mg/dL or 45 mg/L (10x apart): nothing decides
    ("Hemoglobin,20", None),                # 20 g/L or 20 g/dL
    ("Albumin,35", 35.0),                   # 35 g/dL would be 350 g/L: implausible, so g/L
    ("Ferritin,9560", 9560.0),              # no other common unit
    ("WBC,5.6", 5.6),                       # /µL is 1000x away, not a close unit
])
def test_without_unit_or_range_a_close_unit_is_not_guessed(tmp_path, row, read):
    _read_or_refused(_labs(tmp_path, f"Analyte,Day 1\n{row}\n"), read, "are plausible both in")


def test_a_label_unit_and_a_unit_column_that_disagree_are_refused(tmp_path):
    text = "Analyte,Unit,Day 1\nFerritin (ng/mL),mg/L,9560\nCRP (mg/L),mg/L,96\nLDH (U/L),IU/L,1890\n"
    with pytest.raises(CaseError, match="the label says ng/mL but the unit column says mg/L"):
        load_case(_labs(tmp_path, text))
    agree = "Analyte,Unit,Day 1\nFerritin (ng/mL),µg/L,9560\nCRP (mg/L),mg/L,96\nLDH (U/L),IU/L,1890\n"
    assert _values(load_case(_labs(tmp_path, agree, "agree.csv"))) == pytest.approx(
        {("Day 1", "ferritin"): 9560.0, ("Day 1", "crp"): 9.6, ("Day 1", "ldh"): 1890.0})


@pytest.mark.parametrize(("row", "read"), [
    # the floor of an ordinary result: a hundredth of the range's lower limit, never below the plausible low
    ("WBC,900", None),            # 900 x10^9/L or 900 cells/µL = 0.9 x10^9/L (an HLH count)
    ("WBC,45", None),             # 45 /µL = 0.045 x10^9/L: exactly 4.5 / 100, the floor
    ("WBC,44", 44.0),             # 0.044 x10^9/L is below it: no count in /µL, so x10^9/L
    ("Platelets,2000", None),     # 2000 x10^9/L or 2000 /µL = 2.0 x10^9/L (floor 150 / 100 = 1.5)
    ("Platelets,1400", 1400.0),   # 1.4 x10^9/L in /µL is below the floor
    ("Triglycerides,120", None),  # 120 mmol/L or 120 mg/dL = 1.35 mmol/L
    ("Triglycerides,8.9", None),  # 8.9 mg/dL = 0.1005 mmol/L: at the plausible low limit 0.1
    ("Triglycerides,8.8", 8.8),   # 8.8 mg/dL = 0.0994 mmol/L: implausible, so mmol/L
    ("Creatinine,0.9", 0.9),      # 0.9 µmol/L = 0.010 mg/dL is below the plausible 0.05
    ("Haptoglobin,1.2", None),    # 1.2 mg/dL or 1.2 g/L = 120 mg/dL
    ("Neutrophils,2.5", 2.5),     # 2.5 /µL = 0.0025 x10^9/L: below 1.8 / 100
])
def test_without_unit_or_range_a_value_ordinary_in_a_far_unit_too_is_not_guessed(tmp_path, row, read):
    _read_or_refused(_labs(tmp_path, f"Analyte,Day 1\n{row}\n"), read, "are plausible both in")


@pytest.mark.parametrize(("row", "read"), [
    ("WBC (/µL),5.6", None),           # thousands under a /µL header: 0.0056 x10^9/L is no count (low 0.01)
    ("WBC (/µL),10", 0.01),            # 10 cells/µL: exactly the plausible low limit
    ("Platelets (/µL),45", None),      # 0.045 x10^9/L (low 0.5): 45 thousand meant
    ("Platelets (/µL),500", 0.5),      # 500 /µL: exactly the low limit
    ("Platelets (10^9/L),1", 1.0),     # a real extreme count in severe ITP or HLH
])
def test_a_count_in_thousands_under_a_per_microlitre_header_is_refused(tmp_path, row, read):
    _read_or_refused(_labs(tmp_path, f"Analyte,Day 1\n{row}\n"), read, "outside the plausible range")
