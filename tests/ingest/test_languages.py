"""Whole lab tables as French, German, Spanish, Italian, Dutch and Portuguese lab systems print them.

Each expected value is converted by hand to the catalogue unit (Hb 8.1 g/dL = 81 g/L; triglycerides
412 mg/dL / 88.57 = 4.652 mmol/L; Hb 5.2 mmol/L x 16.1145 = 83.8 g/L; CRP 96 mg/L = 9.6 mg/dL), with the
day its column states (`J7`, `Tag 7`, `Día 7`, `Giorno 5`, `Dag 10`, `Dia 6`; admission columns state none).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard.ingest.bundle import load_case

TG = 88.57        # mg/dL per mmol/L of triglycerides (molar mass 885.7 g/mol)
HB = 16.1145      # g/L per mmol/L of haemoglobin (haem monomer, 16 114.5 g/mol)

FRENCH = ('Paramètre,Normes,J0,J7\nHémoglobine (g/dL),12-16,"8,1","9,5"\nPlaquettes (G/L),150-400,45,120\n'
          'Ferritine (µg/L),30-400,12000,800\nTriglycérides (mmol/L),"0,5-1,7","4,2","2,1"\n'
          'Fibrinogène (g/L),2-4,"1,2","2,5"\nLeucocytes (G/L),4-10,"1,2","4,5"\n')
GERMAN = """Parameter;Einheit;Referenzbereich;Aufnahme;Tag 3;Tag 7
Leukozyten;Gpt/l;4,0-10,0;1,8;2,2;5,1
Hämoglobin;g/dl;12,0-15,5;8,4;7,9;9,6
Thrombozyten;Tsd/µl;150-400;38;26;112
Ferritin;µg/l;15-150;24500;15800;3100
Triglyceride;mg/dl;<150;412;380;210
Fibrinogen;mg/dl;180-350;110;95;240
GOT;U/l;<35;236;190;48
Natrium;mmol/l;135-145;131;134;138
CRP;mg/l;<5;96;45;12
"""
SPANISH = """Prueba,Unidad,Valores de referencia,Ingreso,Día 3,Día 7
Leucocitos,x10^9/L,4.0-11.0,2.1,1.6,4.9
Hemoglobina,g/dL,12.0-16.0,9.1,8.2,10.4
Plaquetas,mil/mm³,150-450,52,31,140
Ferritina,ng/mL,20-200,18500,9200,1450
Triglicéridos,mg/dL,<150,320,290,180
Fibrinógeno,mg/dL,200-400,130,110,260
AST,UI/L,<40,310,220,60
Proteína C reactiva,mg/L,<5,120,80,15
VSG,mm/1ª hora,<20,12,8,25
"""
ITALIAN = """Esame;Valori di riferimento;Ricovero;Giorno 2;Giorno 5
Globuli bianchi (x10^9/L);4,0-10,0;1,5;1,9;3,8
Emoglobina (g/dL);12,0-16,0;8,8;8,0;9,9
Piastrine (x10^9/L);150-400;60;44;98
Ferritina (ng/mL);30-400;32000;21000;5400
Trigliceridi (mg/dL);<150;450;390;220
Fibrinogeno (mg/dL);200-400;95;120;210
LDH (U/L);<250;2100;1700;600
VES (mm/h);<20;18;15;22
PCR (mg/dL);<0,5;15,2;11,0;3,1
"""
DUTCH = """Bepaling;Eenheid;Referentiewaarden;Dag 0;Dag 3;Dag 10
Leukocyten;10^9/l;4,0-10,0;2,3;1,7;6,2
Hemoglobine;mmol/l;7,5-10,0;5,2;4,8;6,0
Trombocyten;10^9/l;150-400;48;35;160
Ferritine;µg/l;20-300;15000;8000;1200
Triglyceriden;mmol/l;<2,0;3,8;3,2;1,9
Fibrinogeen;g/l;2,0-4,0;1,3;1,1;2,6
ASAT;U/l;<35;180;150;40
"""
PORTUGUESE = """Exame;Unidade;Valores de referência;Admissão;Dia 2;Dia 6
Leucócitos;/mm³;4000-11000;1900;1500;5200
Hemoglobina;g/dL;12,0-16,0;8,6;7,9;10,1
Plaquetas;mil/mm³;150-450;40;30;125
Ferritina;ng/mL;15-150;25000;14000;2300
Triglicerídeos;mg/dL;<150;380;300;170
Fibrinogênio;mg/dL;200-400;120;100;250
TGO;U/L;<40;260;200;55
TGP;U/L;<41;190;170;70
VHS;mm/h;<20;10;8;30
"""


def observations(tmp_path: Path, name: str, text: str) -> pd.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_case(path).observations


def value(frame: pd.DataFrame, timepoint: str, analyte_id: str) -> pd.Series:
    rows = frame[(frame["timepoint"] == timepoint) & (frame["analyte"] == analyte_id)]
    assert len(rows) == 1, (timepoint, analyte_id)
    return rows.iloc[0]


def check(frame: pd.DataFrame, expected: dict, days: dict[str, float | None], ranges: dict) -> None:
    """expected: (timepoint, analyte) -> canonical value; days: timepoint -> day (None: the column states none);
    ranges: analyte -> (low, high) in the canonical unit (None: no such bound, `<150`)."""
    for (timepoint, analyte_id), want in expected.items():
        row = value(frame, timepoint, analyte_id)
        assert row["value"] == pytest.approx(want, rel=1e-3), (timepoint, analyte_id)
        day = days[timepoint]
        assert (pd.isna(row["day"]) if day is None else row["day"] == day), timepoint
    for analyte_id, bounds in ranges.items():
        row = frame[frame["analyte"] == analyte_id].iloc[0]
        for have, want in zip((row["ref_low"], row["ref_high"]), bounds, strict=True):
            assert (pd.isna(have) if want is None else have == pytest.approx(want, rel=1e-3)), analyte_id


def test_french_table_of_the_issue(tmp_path):
    frame = observations(tmp_path, "labs_fr.csv", FRENCH)
    assert frame["analyte"].notna().all()
    hb0, hb7 = value(frame, "J0", "hemoglobin"), value(frame, "J7", "hemoglobin")
    assert (hb0["orig_value"], hb0["orig_unit"], hb0["day"]) == (8.1, "g/dL", 0.0)
    assert (hb7["orig_value"], hb7["orig_unit"], hb7["day"]) == (9.5, "g/dL", 7.0)
    assert set(frame["timepoint"]) == {"J0", "J7"}  # `Normes` is the reference column, not a timepoint
    check(frame, {("J0", "hemoglobin"): 81, ("J7", "hemoglobin"): 95, ("J0", "platelets"): 45,
                  ("J7", "platelets"): 120, ("J0", "ferritin"): 12000, ("J7", "ferritin"): 800,
                  ("J0", "triglycerides"): 4.2, ("J7", "triglycerides"): 2.1, ("J0", "fibrinogen"): 1.2,
                  ("J7", "fibrinogen"): 2.5, ("J0", "wbc"): 1.2, ("J7", "wbc"): 4.5},
          {"J0": 0.0, "J7": 7.0},
          {"hemoglobin": (120, 160), "platelets": (150, 400), "ferritin": (30, 400), "triglycerides": (0.5, 1.7),
           "fibrinogen": (2, 4), "wbc": (4, 10)})


def test_german_export(tmp_path):
    frame = observations(tmp_path, "labor.csv", GERMAN)
    assert frame["analyte"].notna().all()
    check(frame, {("Aufnahme", "wbc"): 1.8, ("Tag 3", "hemoglobin"): 79, ("Tag 7", "platelets"): 112,
                  ("Aufnahme", "ferritin"): 24500, ("Aufnahme", "triglycerides"): 412 / TG,
                  ("Tag 3", "fibrinogen"): 0.95, ("Aufnahme", "ast"): 236, ("Tag 7", "sodium"): 138,
                  ("Aufnahme", "crp"): 9.6},
          {"Aufnahme": None, "Tag 3": 3.0, "Tag 7": 7.0},
          {"hemoglobin": (120, 155), "triglycerides": (None, 150 / TG), "fibrinogen": (1.8, 3.5),
           "crp": (None, 0.5)})


def test_spanish_export(tmp_path):
    frame = observations(tmp_path, "laboratorio.csv", SPANISH)
    assert frame["analyte"].notna().all()
    check(frame, {("Ingreso", "wbc"): 2.1, ("Ingreso", "hemoglobin"): 91, ("Día 3", "platelets"): 31,
                  ("Día 7", "ferritin"): 1450, ("Ingreso", "triglycerides"): 320 / TG, ("Ingreso", "fibrinogen"): 1.3,
                  ("Día 3", "ast"): 220, ("Ingreso", "crp"): 12.0, ("Día 7", "esr"): 25},
          {"Ingreso": None, "Día 3": 3.0, "Día 7": 7.0},
          {"platelets": (150, 450), "crp": (None, 0.5), "esr": (None, 20)})


def test_italian_export_leaves_pcr_unmapped(tmp_path):
    """`PCR` is proteina C reattiva here, and polymerase chain reaction elsewhere in the same reports: kept,
    unmapped, never read as CRP."""
    path = tmp_path / "esami.csv"
    path.write_text(ITALIAN, encoding="utf-8")
    case = load_case(path)
    frame = case.observations
    assert set(frame.loc[frame["analyte"].isna(), "label"]) == {"PCR"}
    assert any("'PCR' is not in the analyte catalogue" in p.message for p in case.problems)
    check(frame, {("Ricovero", "wbc"): 1.5, ("Giorno 2", "hemoglobin"): 80, ("Giorno 5", "platelets"): 98,
                  ("Ricovero", "ferritin"): 32000, ("Ricovero", "triglycerides"): 450 / TG,
                  ("Ricovero", "fibrinogen"): 0.95, ("Giorno 2", "ldh"): 1700, ("Giorno 5", "esr"): 22},
          {"Ricovero": None, "Giorno 2": 2.0, "Giorno 5": 5.0},
          {"hemoglobin": (120, 160), "fibrinogen": (2, 4), "ldh": (None, 250)})


def test_dutch_export(tmp_path):
    frame = observations(tmp_path, "lab.csv", DUTCH)
    assert frame["analyte"].notna().all()
    check(frame, {("Dag 0", "wbc"): 2.3, ("Dag 0", "hemoglobin"): 5.2 * HB, ("Dag 3", "platelets"): 35,
                  ("Dag 10", "ferritin"): 1200, ("Dag 0", "triglycerides"): 3.8, ("Dag 3", "fibrinogen"): 1.1,
                  ("Dag 10", "ast"): 40},
          {"Dag 0": 0.0, "Dag 3": 3.0, "Dag 10": 10.0},
          {"hemoglobin": (7.5 * HB, 10.0 * HB), "triglycerides": (None, 2.0)})


def test_portuguese_export(tmp_path):
    frame = observations(tmp_path, "exames.csv", PORTUGUESE)
    assert frame["analyte"].notna().all()
    check(frame, {("Admissão", "wbc"): 1.9, ("Dia 2", "hemoglobin"): 79, ("Admissão", "platelets"): 40,
                  ("Dia 6", "ferritin"): 2300, ("Admissão", "triglycerides"): 380 / TG, ("Dia 2", "fibrinogen"): 1.0,
                  ("Admissão", "ast"): 260, ("Dia 6", "alt"): 70, ("Admissão", "esr"): 10},
          {"Admissão": None, "Dia 2": 2.0, "Dia 6": 6.0},
          {"wbc": (4.0, 11.0), "platelets": (150, 450), "fibrinogen": (2, 4)})


@pytest.mark.parametrize("header", ["Valeurs normales", "Valeurs de reference", "VN", "Normwerte", "Referenzwerte",
                                    "Valores normales", "VR", "Valori normali", "Normaalwaarden", "Valores normais"])
def test_each_reference_header_is_a_reference_column_not_a_timepoint(tmp_path, header):
    frame = observations(tmp_path, "labs.csv", f"Analyse,{header},J1\nFerritine (µg/L),30-400,9560\n")
    row = value(frame, "J1", "ferritin")
    assert (row["value"], row["ref_low"], row["ref_high"], row["day"]) == (9560, 30, 400, 1.0)
    assert set(frame["timepoint"]) == {"J1"}


def test_admission_in_french_is_a_timepoint_without_a_day(tmp_path):
    frame = observations(tmp_path, "labs.csv", "Paramètre,Normes,À l'admission,J3\nFerritine (µg/L),30-400,9560,4100\n")
    check(frame, {("À l'admission", "ferritin"): 9560, ("J3", "ferritin"): 4100}, {"À l'admission": None, "J3": 3.0},
          {"ferritin": (30, 400)})


PASTED_FR = ("Paramètre\tNormes\tJ0\tJ7\nHémoglobine (g/dL)\t12-16\t8,1\t9,5\n"
             "Plaquettes (G/L)\t150-400\t45\t120\nFerritine (µg/L)\t30-400\t12000\t800\n")


@pytest.mark.parametrize("text", [PASTED_FR, PASTED_FR.replace("\t", " ")], ids=["web copy (tabs)", "PDF copy"])
def test_a_pasted_french_table_keeps_its_normes_as_ranges(tmp_path, text):
    """`casetrack from-table` on a French table copied from a web page (tabs) or a PDF (spaces): `Normes` is the
    reference column (it was a timepoint `Normes (T1)` left empty, or the ranges stayed in the labels)."""
    from dashboard.cli import main

    pasted = tmp_path / "tableau.txt"
    pasted.write_text(text, encoding="utf-8")
    main(["from-table", str(pasted), "--out", str(tmp_path / "case")])
    frame = load_case(tmp_path / "case").observations
    assert set(frame["timepoint"]) == {"J0", "J7"}
    assert frame["analyte"].notna().all()
    check(frame, {("J0", "hemoglobin"): 81, ("J7", "hemoglobin"): 95, ("J7", "platelets"): 120,
                  ("J0", "ferritin"): 12000},
          {"J0": 0.0, "J7": 7.0}, {"hemoglobin": (120, 160), "platelets": (150, 400), "ferritin": (30, 400)})


def test_a_pdf_copy_of_a_french_export_finds_its_unit_and_reference_columns(tmp_path):
    from dashboard.cli import main

    pasted = tmp_path / "export.txt"
    pasted.write_text("Analyse Unité Valeurs de référence J1 J3 J8\nLeucocytes G/L 4,0-10,0 1,9 2,4 5,6\n"
                      "Hémoglobine g/dL 12,0-16,0 8,1 7,6 9,8\nFerritine µg/L 15-150 9560 18250 2140\n", encoding="utf-8")
    main(["from-table", str(pasted), "--out", str(tmp_path / "case")])
    frame = load_case(tmp_path / "case").observations
    assert frame["analyte"].notna().all()
    check(frame, {("J1", "wbc"): 1.9, ("J3", "hemoglobin"): 76, ("J8", "ferritin"): 2140},
          {"J1": 1.0, "J3": 3.0, "J8": 8.0}, {"wbc": (4, 10), "hemoglobin": (120, 160), "ferritin": (15, 150)})


def test_a_pdf_copy_of_a_german_export_names_its_admission_column(tmp_path):
    """`Aufnahme` is a timepoint name as `Admission` is: the flattened header splits with certainty (it was
    refused, the columns named T1..T3)."""
    from dashboard.cli import main

    pasted = tmp_path / "labor.txt"
    pasted.write_text("Parameter Einheit Referenzbereich Aufnahme Tag 3 Tag 7\nLeukozyten Gpt/l 4,0-10,0 1,8 2,2 5,1\n"
                      "Hämoglobin g/dl 12,0-15,5 8,4 7,9 9,6\nFerritin µg/l 15-150 24500 15800 3100\n", encoding="utf-8")
    main(["from-table", str(pasted), "--out", str(tmp_path / "case")])
    frame = load_case(tmp_path / "case").observations
    check(frame, {("Aufnahme", "wbc"): 1.8, ("Tag 3", "hemoglobin"): 79, ("Tag 7", "ferritin"): 3100},
          {"Aufnahme": None, "Tag 3": 3.0, "Tag 7": 7.0}, {"wbc": (4, 10), "hemoglobin": (120, 155)})
