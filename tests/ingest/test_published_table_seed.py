"""The seed's Table 1, as its PDF text prints it, -> `casetrack from-table` -> the shipped seed case's values and scores.

The text is the seed file from `Table 1 Laboratory data` to its last row (tests/fixtures/published/
seed_table1.txt, copied verbatim). The table holds the labs only; the shipped case adds what the
narrative says (temperature, organomegaly, immunosuppression, hemophagocytosis) and the days. Appending
exactly those rows to the imported case must give the shipped case's scores: HScore 256 [256–291] at
admission and every flag.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.domain.score_json import case_score_json
from dashboard.ingest.bundle import load_case

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "published"
SEED_TEXT = FIXTURES / "seed_table1.txt"
COMPARED = ["timepoint", "tp_order", "analyte", "value", "unit", "qualifier", "result", "orig_value", "ref_low",
            "ref_high"]


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("import") / "seed-from-table"
    assert main(["from-table", str(SEED_TEXT), "--out", str(out)]) == 0
    return out


def test_the_text_is_the_seed_files_table_verbatim():
    seed = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_6a0309929bdddacf.txt"
    text = SEED_TEXT.read_text(encoding="utf-8")
    assert text.startswith("Table 1 Laboratory data") and text.rstrip().endswith("Lupus anticoagulant < 1.3 1.71 – – –")
    if seed.exists():  # the shared folder sits beside the checkout on developer machines and CI
        assert text.rstrip() in seed.read_text(encoding="utf-8")


def test_case_folder_holds_labs_toml_report_and_original(imported):
    assert sorted(p.name for p in imported.iterdir()) == ["case.toml", "import-report.txt", "labs.csv",
                                                          "original.txt"]
    assert 'title = "Table 1 Laboratory data upon admission, discharge, and 6 weeks after discharge"' in (
        imported / "case.toml").read_text(encoding="utf-8")
    report = (imported / "import-report.txt").read_text(encoding="utf-8")
    assert "'109/L' -> '10^9/L'" in report  # the flattened superscript, read and recorded (three rows)
    assert report.count("read as the exponent 10^9") == 3
    assert "Left empty (text as printed, line, column: why): 0" in report
    assert "This case has no days" in report
    assert (imported / "original.txt").read_text(encoding="utf-8") == SEED_TEXT.read_text(encoding="utf-8")


def test_every_table_value_equals_the_shipped_seed(imported, seed_path):
    ours = load_case(imported).observations
    seed = load_case(seed_path).observations
    table = seed[seed["analyte"].isin(ours["analyte"].dropna().unique())]
    assert len(ours) == len(table) == 31 * 4 - 31  # 31 rows x 4 timepoints, 31 of them printed as dashes
    pd.testing.assert_frame_equal(ours[COMPARED].reset_index(drop=True), table[COMPARED].reset_index(drop=True))
    assert ours["orig_text"].tolist() == table["orig_text"].tolist()


def test_flags_of_the_table_equal_the_seeds(imported, seed_path):
    case = load_case(imported)
    table_analytes = set(case.observations["analyte"].dropna())
    assert len(table_analytes) == 31
    ours = case_score_json(case)
    seed = case_score_json(load_case(seed_path))
    for mine, theirs in zip(ours["timepoints"], seed["timepoints"], strict=True):
        assert mine["label"] == theirs["label"]
        shipped = {k: v for k, v in theirs["flags"]["by_analyte"].items() if k in table_analytes}
        assert mine["flags"]["by_analyte"] == shipped


def _with_narrative(imported: Path, seed_path: Path, into: Path) -> Path:
    """The imported case plus the seed's rows that are not in Table 1, and its days: what a user adds."""
    into.mkdir()
    labs = list(csv.reader(io.StringIO((imported / "labs.csv").read_text(encoding="utf-8"))))
    seed_rows = list(csv.reader(io.StringIO((seed_path / "labs.csv").read_text(encoding="utf-8"))))
    narrative = seed_rows[32:]  # Temperature ... Active arthritis: after the 31 table rows
    assert narrative[0][0] == "Temperature (°C)" and len(narrative) == 8
    rows = labs + [[label, "", ref, *values] for label, ref, *values in narrative]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    (into / "labs.csv").write_text(buffer.getvalue(), encoding="utf-8")
    toml = (imported / "case.toml").read_text(encoding="utf-8")
    days = '"Admission" = 0\n"After mPSL" = 7\n"After DEX" = 11\n"6 weeks after discharge" = 53\n'
    (into / "case.toml").write_text(toml + days, encoding="utf-8")
    return into


def test_with_the_narrative_rows_the_scores_equal_the_shipped_seed(imported, seed_path, tmp_path):
    ours = case_score_json(load_case(_with_narrative(imported, seed_path, tmp_path / "seed-plus")))
    seed = case_score_json(load_case(seed_path))
    admission = ours["timepoints"][0]
    assert admission["label"] == "Admission"
    hscore = admission["scores"]["hscore"]
    assert (hscore["points"], hscore["min"], hscore["max"]) == (256, 256, 291)
    assert ours["timepoints"] == seed["timepoints"]  # every score and every flag at every timepoint


def test_score_json_values_show_what_was_read(imported, capsys):
    import json

    assert main(["score", str(imported), "--json", "--values"]) == 0
    admission = json.loads(capsys.readouterr().out)["timepoints"][0]
    assert admission["values"]["wbc"] == {"value": 0.72, "unit": "10^9/L", "qualifier": None, "text": "0.72"}
    assert admission["values"]["ana"] == {"value": 640.0, "unit": "titer", "qualifier": None,
                                          "text": "1: 640 (speckled)"}
    assert admission["values"]["dat"] == {"value": 1.0, "unit": None, "qualifier": None, "text": "Positive"}
    assert len(admission["values"]) == 31  # every analyte of the table has a value at admission
    assert main(["score", str(imported), "--json"]) == 0
    assert "values" not in json.loads(capsys.readouterr().out)["timepoints"][0]


def test_the_whole_article_gives_table_1_and_stops_at_the_prose(imported, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text("Some prose before the table, as in the case report.\n\n"
                       + SEED_TEXT.read_text(encoding="utf-8")
                       + "\n cyclophosphamide, anakinra, etoposide, and IVIG for \nsevere or refractory cases.\n",
                       encoding="utf-8")
    out = tmp_path / "from-article"
    assert main(["from-table", str(article), "--out", str(out)]) == 0
    assert (out / "labs.csv").read_bytes() == (imported / "labs.csv").read_bytes()
    assert "the table ends here" in (out / "import-report.txt").read_text(encoding="utf-8")
