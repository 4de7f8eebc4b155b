"""Lab tables in French, German, Spanish, Italian, Dutch and Portuguese: analyte names, day labels, header words.

The expected names are written here by hand, as a clinician of each language prints them, independently of
the synonyms column of analytes.csv; a new catalogue analyte fails `test_every_analyte_has_a_name_here`
until its six names are added.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from dashboard.domain.analytes import catalogue, label_keys, match_analyte
from dashboard.domain.registry import fold_accents, header_words
from dashboard.domain.timepoints import infer_days, label_day

LANGUAGES = ("fr", "de", "es", "it", "nl", "pt")
# id: (fr, de, es, it, nl, pt); None where a careful reader cannot map the language's usual name (see AMBIGUOUS)
NAMES: dict[str, tuple[str | None, ...]] = {
    "wbc": ("Leucocytes", "Leukozyten", "Leucocitos", "Leucociti", "Leukocyten", "Leucócitos"),
    "lymphocytes": ("Lymphocytes", "Lymphozyten", "Linfocitos", "Linfociti", "Lymfocyten", "Linfócitos"),
    "neutrophils": ("Polynucléaires neutrophiles", "Neutrophile", "Neutrófilos", "Neutrofili", "Neutrofielen",
                    "Neutrófilos"),
    "hemoglobin": ("Hémoglobine", "Hämoglobin", "Hemoglobina", "Emoglobina", "Hemoglobine", "Hemoglobina"),
    "hematocrit": ("Hématocrite", "Hämatokrit", "Hematocrito", "Ematocrito", "Hematocriet", "Hematócrito"),
    "platelets": ("Plaquettes", "Thrombozyten", "Plaquetas", "Piastrine", "Trombocyten", "Plaquetas"),
    "reticulocytes": ("Réticulocytes", "Retikulozyten", "Reticulocitos", "Reticolociti", "Reticulocyten",
                      "Reticulócitos"),
    "sodium": ("Natrémie", "Natrium", "Sodio", "Sodio", "Natrium", "Sódio"),
    "potassium": ("Kaliémie", "Kalium", "Potasio", "Potassio", "Kalium", "Potássio"),
    "chloride": ("Chlore", "Chlorid", "Cloro", "Cloro", "Chloride", "Cloreto"),
    "bicarbonate": ("Bicarbonates", "Bikarbonat", "Bicarbonato", "Bicarbonati", "Bicarbonaat", "Bicarbonato"),
    "creatinine": ("Créatinine", "Kreatinin", "Creatinina", "Creatinina", "Creatinine", "Creatinina"),
    "alt": ("Alanine aminotransférase", "Alanin-Aminotransferase", "Alanina aminotransferasa",
            "Alanina aminotransferasi", "Alanineaminotransferase", "Alanina aminotransferase"),
    "ast": ("Aspartate aminotransférase", "Aspartat-Aminotransferase", "Aspartato aminotransferasa",
            "Aspartato aminotransferasi", "Aspartaataminotransferase", "Aspartato aminotransferase"),
    "triglycerides": ("Triglycérides", "Triglyceride", "Triglicéridos", "Trigliceridi", "Triglyceriden",
                      "Triglicerídeos"),
    "ldh": ("Lactate déshydrogénase", "Laktatdehydrogenase", "Lactato deshidrogenasa", "Lattato deidrogenasi",
            "Lactaatdehydrogenase", "Desidrogenase láctica"),
    "haptoglobin": ("Haptoglobine", "Haptoglobin", "Haptoglobina", "Aptoglobina", "Haptoglobine", "Haptoglobina"),
    "albumin": ("Albumine", "Albumin", "Albúmina", "Albumina", "Albumine", "Albumina"),
    "ferritin": ("Ferritine", "Ferritin", "Ferritina", "Ferritina", "Ferritine", "Ferritina"),
    "fibrinogen": ("Fibrinogène", "Fibrinogen", "Fibrinógeno", "Fibrinogeno", "Fibrinogeen", "Fibrinogênio"),
    "d_dimer": ("D-dimères", "D-Dimere", "Dímero D", "D-dimero", "D-dimeer", "D-dímero"),
    "aptt": ("Temps de céphaline activée", "Aktivierte partielle Thromboplastinzeit",
             "Tiempo de tromboplastina parcial activada", "Tempo di tromboplastina parziale attivata",
             "Geactiveerde partiële tromboplastinetijd", "Tempo de tromboplastina parcial ativada"),
    # German labs print the prothrombin time as Quick in % (Thromboplastinzeit nach Quick), not in seconds
    "pt": ("Temps de Quick", None, "Tiempo de protrombina", "Tempo di protrombina", "Protrombinetijd",
           "Tempo de protrombina"),
    "crp": ("Protéine C réactive", "C-reaktives Protein", "Proteína C reactiva", "Proteina C reattiva",
            "C-reactief proteïne", "Proteína C reativa"),
    "esr": ("Vitesse de sédimentation", "Blutsenkungsgeschwindigkeit", "Velocidad de sedimentación globular",
            "Velocità di eritrosedimentazione", "Bezinkingssnelheid", "Velocidade de hemossedimentação"),
    "urine_protein_24h": ("Protéinurie des 24 heures", "24-Stunden-Proteinurie", "Proteinuria de 24 horas",
                          "Proteinuria delle 24 ore", "Proteïnurie per 24 uur", "Proteinúria de 24 horas"),
    "dat": ("Test de Coombs direct", "Direkter Coombs-Test", "Prueba de Coombs directa", "Test di Coombs diretto",
            "Directe Coombs-test", "Teste de Coombs direto"),
    "iat": ("Test de Coombs indirect", "Indirekter Coombs-Test", "Prueba de Coombs indirecta",
            "Test di Coombs indiretto", "Indirecte Coombs-test", "Teste de Coombs indireto"),
    "c3": ("Complément C3", "Komplement C3", "Complemento C3", "Complemento C3", "Complement C3", "Complemento C3"),
    "c4": ("Complément C4", "Komplement C4", "Complemento C4", "Complemento C4", "Complement C4", "Complemento C4"),
    "anti_dsdna": ("Anticorps anti-ADN natif", "Anti-dsDNA-Antikörper", "Anticuerpos anti-ADN de doble cadena",
                   "Anticorpi anti-dsDNA", "Anti-dsDNA-antistoffen", "Anticorpos anti-DNA nativo"),
    "ana": ("Anticorps antinucléaires", "Antinukleäre Antikörper", "Anticuerpos antinucleares",
            "Anticorpi antinucleo", "Antinucleaire antistoffen", "Fator antinuclear"),
    "anticardiolipin": ("Anticorps anticardiolipine", "Anti-Cardiolipin-Antikörper", "Anticuerpos anticardiolipina",
                        "Anticorpi anticardiolipina", "Anticardiolipine-antistoffen", "Anticorpos anticardiolipina"),
    "lupus_anticoagulant": ("Anticoagulant lupique", "Lupus-Antikoagulans", "Anticoagulante lúpico",
                            "Lupus anticoagulant", "Lupus anticoagulans", "Anticoagulante lúpico"),
    "scd25": ("Récepteur soluble de l'IL-2", "Löslicher IL-2-Rezeptor", "Receptor soluble de IL-2",
              "Recettore solubile dell'IL-2", "Oplosbare IL-2-receptor", "Receptor solúvel de IL-2"),
    "nk_activity": ("Activité NK", "NK-Zell-Aktivität", "Actividad NK", "Attività NK", "NK-celactiviteit",
                    "Atividade NK"),
    "temperature": ("Température", "Temperatur", "Temperatura", "Temperatura", "Temperatuur", "Temperatura"),
    "hepatomegaly": ("Hépatomégalie", "Hepatomegalie", "Hepatomegalia", "Epatomegalia", "Hepatomegalie",
                     "Hepatomegalia"),
    "splenomegaly": ("Splénomégalie", "Splenomegalie", "Esplenomegalia", "Splenomegalia", "Splenomegalie",
                     "Esplenomegalia"),
    "immunosuppression": ("Immunodépression", "Immunsuppression", "Inmunosupresión", "Immunosoppressione",
                          "Immunosuppressie", "Imunossupressão"),
    "hemophagocytosis": ("Hémophagocytose", "Hämophagozytose", "Hemofagocitosis", "Emofagocitosi",
                         "Hemofagocytose", "Hemofagocitose"),
    "hemorrhage": ("Hémorragie", "Blutung", "Hemorragia", "Emorragia", "Bloeding", "Hemorragia"),
    "cns_involvement": ("Atteinte neurologique", "ZNS-Beteiligung", "Afectación del SNC", "Coinvolgimento del SNC",
                        "CZS-betrokkenheid", "Envolvimento do SNC"),
    "arthritis": ("Arthrite", "Arthritis", "Artritis", "Artrite", "Artritis", "Artrite"),
}
NAMED = [(name, analyte_id, language) for analyte_id, names in NAMES.items()
         for language, name in zip(LANGUAGES, names, strict=True) if name is not None]

# abbreviations a careful reader does not map, with what else each one means
AMBIGUOUS = {
    "TP": "taux de prothrombine (%, fr) / total protein / tiempo de protrombina (es)",
    "PCR": "protéine C réactive (fr, es, it, pt) / polymerase chain reaction (EBV PCR) in the same reports",
    "ACA": "anticardiolipin / anti-centromere antibodies",
    "GR": "globules rouges (not in the catalogue) / other uses",
    "TCA": "temps de céphaline activée, often a ratio (fr) / tricyclic antidepressants",
    "TQ": "temps de Quick (s) / taux de Quick (%)",
    "Quick": "German prothrombin time, printed in % (not seconds)",
    "Thromboplastinzeit": "German prothrombin time, printed as Quick in % (not seconds)",
    "TPZ": "Thromboplastinzeit, printed as Quick in %",
    "Taux de prothrombine": "prothrombin ratio in %, not prothrombin time in seconds",
    "RAI": "recherche d'agglutinines irrégulières / radioactive iodine",
    "ACC": "anticoagulant circulant (fr) / other uses",
    "T°": "température / time",
}


@pytest.mark.parametrize(("name", "analyte_id", "language"), NAMED)
def test_every_language_names_the_analyte(name, analyte_id, language):
    assert match_analyte(name) == analyte_id


@pytest.mark.parametrize(("name", "analyte_id", "language"), NAMED)
def test_a_name_typed_without_accents_or_in_capitals_names_it_too(name, analyte_id, language):
    assert match_analyte(fold_accents(name)) == analyte_id
    assert match_analyte(name.upper()) == analyte_id


def test_every_analyte_has_a_name_here():
    assert set(NAMES) == {a.id for a in catalogue()}


@pytest.mark.parametrize(("label", "analyte_id"), [
    ("Hemoglobine", "hemoglobin"), ("Hamoglobin", "hemoglobin"), ("Haemoglobin", "hemoglobin"),
    ("Haematokrit", "hematocrit"), ("Koerpertemperatur", "temperature"), ("Weisse Blutkoerperchen", "wbc"),
    ("Weiße Blutkörperchen", "wbc"), ("Fibrinogeno", "fibrinogen"), ("Trigliceridos", "triglycerides"),
    ("Triglicerideos", "triglycerides"), ("Dimero D", "d_dimer"), ("D-dimeres", "d_dimer"),
    ("HÉMOGLOBINE", "hemoglobin"), ("Ferritine (sérum)", "ferritin"), ("Plaquetas (x10³/µL)", "platelets"),
])
def test_accents_umlauts_and_qualifiers(label, analyte_id):
    assert match_analyte(label) == analyte_id


@pytest.mark.parametrize(("abbreviation", "analyte_id"), [
    ("ASAT", "ast"), ("GOT", "ast"), ("TGO", "ast"), ("ALAT", "alt"), ("GPT", "alt"), ("TGP", "alt"),
    ("LDH", "ldh"), ("CRP", "crp"), ("VS", "esr"), ("BSG", "esr"), ("VSG", "esr"), ("VES", "esr"), ("BSE", "esr"),
    ("VHS", "esr"), ("GB", "wbc"), ("PNN", "neutrophils"), ("Hb", "hemoglobin"), ("Hkt", "hematocrit"),
    ("Hto", "hematocrit"), ("Krea", "creatinine"), ("TTPa", "aptt"), ("AAN", "ana"), ("FAN", "ana"),
    ("SNC", "cns_involvement"), ("ZNS", "cns_involvement"), ("CZS", "cns_involvement"),
])
def test_unambiguous_abbreviations(abbreviation, analyte_id):
    assert match_analyte(abbreviation) == analyte_id


@pytest.mark.parametrize("abbreviation", list(AMBIGUOUS))
def test_an_ambiguous_abbreviation_maps_to_no_analyte(abbreviation):
    """Kept unmapped (with a warning), never scored as one of its meanings."""
    assert match_analyte(abbreviation) is None


def test_no_spelling_names_two_analytes():
    """Every key a label is found by (accents dropped, umlauts also written out) belongs to one analyte."""
    owners: dict[str, set[str]] = defaultdict(set)
    for record in catalogue():
        for label in record.labels:
            for key in label_keys(label):
                owners[key].add(record.id)
    assert {key: ids for key, ids in owners.items() if len(ids) > 1} == {}


def test_fold_accents():
    assert fold_accents("Hémoglobine") == "hemoglobine"
    assert fold_accents("Día 7") == "dia 7"
    assert fold_accents("Weiße") == "weisse"
    assert fold_accents("proteïne") == "proteine"
    assert fold_accents("sIL-2Rα") == "sil-2rα"  # Greek stays Greek


@pytest.mark.parametrize(("label", "day"), [
    ("J0", 0), ("J7", 7), ("J+7", 7), ("J-2", -2), ("J 3", 3), ("Jour 3", 3), ("jour 10", 10),
    ("Jour 7 (sortie)", 7), ("Tag 0", 0), ("Tag 7", 7), ("Día 0", 0), ("Día 7", 7), ("Dia 3", 3), ("DÍA 7", 7),
    ("Giorno 5", 5), ("Giorno 7", 7), ("Dag 2", 2), ("Dag 7", 7), ("Semaine 2", 14), ("Woche 2", 14),
    ("Semana 1", 7), ("Settimana 3", 21), ("Day 7", 7), ("D+7", 7),
])
def test_day_words_in_every_language(label, day):
    assert label_day(label) == day


@pytest.mark.parametrize("label", [
    "Admission", "À l'admission", "Aufnahme", "Ingreso", "Ricovero", "Opname", "Internação",
    "j7",        # lower-case single letter: as `d7`, not read
    "JJ7", "Tagung", "Dagger 3", "Diastole 3", "Giorni", "Jan",
])
def test_labels_that_state_no_day(label):
    assert label_day(label) is None


def test_j_labels_are_not_dates():
    assert infer_days(["J0", "J7", "J14"]).days == {"J0": 0.0, "J7": 7.0, "J14": 14.0}


@pytest.mark.parametrize(("role", "written"), [
    ("reference", "Normes"), ("reference", "Valeurs normales"), ("reference", "Valeurs de référence"),
    ("reference", "Valeurs de reference"), ("reference", "VN"), ("reference", "Referenzbereich"),
    ("reference", "Normbereich"), ("reference", "Normwerte"), ("reference", "Referenzwerte"),
    ("reference", "Valores de referencia"), ("reference", "Valores normales"), ("reference", "VR"),
    ("reference", "Valori di riferimento"), ("reference", "Valori normali"), ("reference", "Referentiewaarden"),
    ("reference", "Normaalwaarden"), ("reference", "Valores de referência"), ("reference", "Intervalo de referencia"),
    ("unit", "Unité"), ("unit", "Unite"), ("unit", "Einheit"), ("unit", "Unidad"), ("unit", "Unità"),
    ("unit", "Eenheid"), ("unit", "Unidade"),
])
def test_header_words(role, written):
    assert written.casefold() in header_words(role)


def test_an_unknown_role_is_an_error_not_an_empty_list():
    with pytest.raises(KeyError, match="no header words for role 'referenz'"):
        header_words("referenz")


def test_docs_list_every_header_word_and_every_unread_abbreviation(root):
    """docs/case-format.md's header-word table is header_words.csv, and it names each abbreviation left unread."""
    from dashboard.domain import registry

    text = (root / "docs" / "case-format.md").read_text(encoding="utf-8")
    rows = registry.rows("header_words.csv")
    groups = list(dict.fromkeys((row["role"], row["language"]) for row in rows))
    lines = [f"| {role} | {language} | " + ", ".join(f"`{row['word']}`" for row in rows
                                                      if (row["role"], row["language"]) == (role, language)) + " |"
             for role, language in groups]
    assert "| role | language | words |\n|---|---|---|\n" + "\n".join(lines) + "\n" in text
    for abbreviation in AMBIGUOUS:
        assert f"`{abbreviation}`" in text


@pytest.mark.parametrize(("written", "unit"), [
    ("G/L", "10^9/L"), ("G/l", "10^9/L"), ("Giga/L", "10^9/L"), ("giga/l", "10^9/L"), ("T/L", "10^12/L"),
    ("Tera/L", "10^12/L"), ("Gpt/l", "10^9/L"), ("Tsd/µl", "10^3/µL"), ("Mio/µl", "10^6/µL"),
    ("mil/mm³", "10^3/mm^3"), ("mil/mm3", "10^3/mm^3"), ("/mm³", "/mm^3"), ("éléments/mm³", "/mm^3"),
    ("células/mm³", "/mm^3"), ("x10^9/l", "10^9/L"), ("µmol/l", "µmol/L"), ("nmol/l", "nmol/L"),
    ("mg/dl", "mg/dL"), ("UI/L", "U/L"), ("U/l", "U/L"), ("U.I./L", "U/L"), ("UI/mL", "U/mL"),
    ("mUI/mL", "mU/mL"), ("mUI/ml", "mU/mL"), ("mm/1ère h", "mm/h"), ("mm/1ª hora", "mm/h"), ("mm/ora", "mm/h"),
    ("mm/Std.", "mm/h"), ("seg", "s"), ("Sek.", "s"), ("secondes", "s"), ("g/j", "g/day"), ("g/die", "g/day"),
    ("g/24 h", "g/day"),
])
def test_european_and_latin_american_unit_spellings(written, unit):
    from dashboard.domain.units import normalise_unit

    assert normalise_unit(written) == unit


def test_mil_per_cubic_millimetre_is_thousands_not_a_thousandth_of_an_inch():
    """`150 mil/mm³` platelets (Spanish, Portuguese) = 150 000/mm³ = 150 x10^9/L."""
    import numpy as np

    from dashboard.domain.units import normalise_unit, to_canonical

    assert to_canonical(np.array([150.0]), normalise_unit("mil/mm³"), "platelets")[0] == pytest.approx(150.0)
