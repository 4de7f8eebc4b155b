"""The codes of domain/codes.py and the catalogue's LOINC columns: well-formed, unambiguous, round-tripping.

LOINC codes carry a mod-10 check digit after the hyphen (LOINC Users' Guide, appendix: the Luhn
algorithm on the digits before it), so a code typed from memory with a wrong digit fails here.
"""

from __future__ import annotations

import re

import pytest

from dashboard.domain import registry
from dashboard.domain.analytes import catalogue
from dashboard.domain.codes import (
    AGE_LOINC,
    FINDING_HPO,
    FINDING_SNOMED,
    REFUSED_LOINC,
    analyte_by_loinc,
    export_loinc,
    from_ucum,
    loinc_codes,
    to_ucum,
)


def loinc_check_digit(number: str) -> int:
    """Mod 10 (Luhn): double every other digit from the right, starting with the rightmost; sum digits."""
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value // 10 + value % 10
    return (10 - total % 10) % 10


@pytest.mark.parametrize("code,check", [("6690", 2), ("718", 7), ("14927", 8), ("48065", 7), ("48066", 5),
                                        ("8310", 5), ("2571", 8)])
def test_check_digit_of_published_codes(code, check):
    assert loinc_check_digit(code) == check


def _csv_codes() -> list[tuple[str, str]]:
    return [(row["id"], code) for row in registry.rows("analytes.csv")
            for code in [row["loinc"], *row["loinc_alt"].split("|")] if code]


@pytest.mark.parametrize("analyte_id,code", [*_csv_codes(), *[("refused", c) for c in REFUSED_LOINC],
                                             ("age", AGE_LOINC)])
def test_every_loinc_code_has_a_valid_check_digit(analyte_id, code):
    number, check = re.fullmatch(r"(\d{1,6})-(\d)", code).groups()
    assert loinc_check_digit(number) == int(check), (analyte_id, code)


def test_each_code_names_one_analyte_and_reads_back_to_it():
    pairs = _csv_codes()
    assert len({code for _, code in pairs}) == len(pairs)
    assert all(analyte_by_loinc(code) == analyte_id for analyte_id, code in pairs)
    assert loinc_codes() == {code: analyte_id for analyte_id, code in pairs}
    assert not set(REFUSED_LOINC) & set(loinc_codes())


def test_mass_and_molar_variants():
    assert analyte_by_loinc("2571-8") == analyte_by_loinc("14927-8") == "triglycerides"
    assert export_loinc("triglycerides") == "14927-8"  # the catalogue's unit is mmol/L: the molar code
    assert analyte_by_loinc("2160-0") == analyte_by_loinc("14682-9") == "creatinine"
    assert export_loinc("d_dimer") == "48065-7" and "48066-5" in REFUSED_LOINC
    assert analyte_by_loinc("8310-5") == "temperature"


def test_every_catalogue_unit_has_a_ucum_code_that_reads_back():
    for unit in {a.unit for a in catalogue() if a.unit}:
        assert from_ucum(to_ucum(unit)) == unit, unit
    assert [from_ucum(c) for c in ("10*3/uL", "[degF]", "Cel", "[IU]/L", "g/(24.h)")] == [
        "10^3/µL", "°F", "°C", "U/L", "g/day"]


def test_findings_codes_are_well_formed():
    assert all(re.fullmatch(r"HP:\d{7}", curie) for curie, _ in FINDING_HPO.values())
    assert all(re.fullmatch(r"\d{6,18}", code) for code, _ in FINDING_SNOMED.values())
