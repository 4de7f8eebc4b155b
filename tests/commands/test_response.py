"""`casetrack response`: the JSON contract on the seed, --anchor, the cohort table, bad input."""

from __future__ import annotations

import json
import shutil

import pandas as pd

from dashboard.cli import main


def test_json_on_the_seed(seed_path, capsys):
    assert main(["response", str(seed_path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["anchor"]["name"] == "Methylprednisolone pulse" and doc["anchor"]["day"] == 0
    assert doc["analytes"]["ferritin"]["fall_50"] == {"after": 7, "by": 11}
    assert doc["analytes"]["platelets"]["recovery_100"] == {"after": 7, "by": 11}
    assert set(doc["scores"]) == {"hscore", "hlh2004"}


def test_anchor_by_class_shifts_every_day(seed_path, capsys):
    assert main(["response", str(seed_path), "--json", "--anchor", "calcineurin inhibitor"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["anchor"] == {"name": "Cyclosporine", "class": "calcineurin inhibitor", "study_day": 3, "day": 0}
    ferritin = doc["analytes"]["ferritin"]
    assert ferritin["baseline"] == {"day": -3, "value": 9560}
    assert ferritin["fall_50"] == {"after": 4, "by": 8}  # days 7 and 11, counted from day 3


def test_an_anchor_no_event_matches_is_an_error_naming_the_events(seed_path, capsys):
    assert main(["response", str(seed_path), "--json", "--anchor", "etoposide"]) == 1
    err = capsys.readouterr().err
    assert "no event matches the anchor 'etoposide'" in err and "Cyclosporine" in err


def test_a_folder_of_cases_gives_one_row_per_case_and_analyte(seed_path, tmp_path, capsys):
    for name in ("one", "two"):
        shutil.copytree(seed_path, tmp_path / "cases" / name)
        toml = tmp_path / "cases" / name / "case.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace('"seed-sle-mas"', f'"{name}"'), encoding="utf-8")
    (tmp_path / "cases" / "broken").mkdir()
    (tmp_path / "cases" / "broken" / "labs.csv").write_text("nothing,here\n", encoding="utf-8")
    out = tmp_path / "response.parquet"
    assert main(["response", str(tmp_path / "cases"), "--out", str(out)]) == 1  # broken is reported
    captured = capsys.readouterr()
    assert "broken" in captured.err and "wrote 24 rows" in captured.out
    table = pd.read_parquet(out)
    assert sorted(table["case_id"].unique()) == ["one", "two"]
    ferritin = table[(table["case_id"] == "one") & (table["analyte"] == "ferritin")].iloc[0]
    assert (ferritin["fall_50_after"], ferritin["fall_50_by"], round(ferritin["pct_change"], 2)) == (7, 11, -96.97)
    assert ferritin["hscore_baseline_points"] == 256


def test_the_readable_table(seed_path, capsys):
    assert main(["response", str(seed_path)]) == 0
    out = capsys.readouterr().out
    assert "ferritin" in out and "7–11" in out and "not by 53" in out
