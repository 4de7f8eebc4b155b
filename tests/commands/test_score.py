"""`casetrack score`: readable table, the JSON contract, tidy tables for many cases, errors."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from dashboard.cli import main


def test_json_prints_the_contract_for_all_four_timepoints(seed_path, capsys):
    assert main(["score", str(seed_path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["case"]["id"] == "seed-sle-mas"
    assert [tp["day"] for tp in doc["timepoints"]] == [0, 7, 11, 53]
    first = doc["timepoints"][0]
    assert set(first) == {"label", "day", "flags", "scores", "audit"}  # the seed states its admission scores
    assert set(first["flags"]) == {"abnormal", "assessed", "by_analyte"}
    assert set(first["scores"]) == {
        "hscore", "hlh2004", "mas2016", "parodi2009", "ferritin_esr_ratio", "ms_score",
    }
    assert first["scores"]["hscore"]["points"] == 256
    # After mPSL: 18 + 34 + 50 + 64 + 0 + 19 + 35 (marrow) = 220, temperature and organs unknown
    second = doc["timepoints"][1]["scores"]["hscore"]
    assert (second["points"], second["max"], second["missing"]) == (220, 307, ["temperature", "organomegaly"])


def test_readable_table_for_one_case(seed_path, capsys):
    assert main(["score", str(seed_path)]) == 0
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert len(lines) == 5  # header + four timepoints
    assert "256 [256–291]" in lines[1] and "99.5 %" in lines[1] and "5/8" in lines[1]
    assert "154.2" in lines[1]
    # 62 -> <1 % (0.5), 184 -> 70 + 0.4 x (80 - 70) = 74 % (the paper's table, interpolated)
    assert "6 weeks after discharge" in lines[4] and "62 [62–184]" in lines[4] and "0.5–74 %" in lines[4]


def test_the_readable_table_prints_the_probability_range_that_unknown_items_allow(tmp_path, capsys):
    path = tmp_path / "partial.csv"
    path.write_text("Analyte,Admission\nFerritin (ng/mL),9560\nAST (U/L),51\nTriglycerides (mmol/L),4.5\n"
                    "Fibrinogen (g/L),1.8\nHemoglobin (g/L),80\nWBC (10^9/L),2.0\nPlatelets (10^9/L),50\n",
                    encoding="utf-8")
    # By hand (Fardet 2014): ferritin > 6000 -> 50, AST >= 30 -> 19, TG > 4 -> 64, fibrinogen <= 2.5 -> 30,
    # Hb <= 92 g/L, WBC <= 5, PLT <= 110 -> 3 lineages 34: 197 known. Unknown: immunosuppression 0-18,
    # temperature 0-49, organomegaly 0-38, hemophagocytosis 0-35 -> 197 + 140 = 337.
    # p(197) = 80 % + 0.7 x (88 - 80) = 85.6 %; p(337) = ">99 %", reported as 99.5 %.
    assert main(["score", str(path)]) == 0
    header, line = capsys.readouterr().out.strip().splitlines()
    assert header.split()[3:5] == ["HScore", "p(HLH)"]
    assert line.split()[:7] == ["partial", "Admission", "?", "197", "[197–337]", "85.6–99.5", "%"]
    assert main(["score", str(path), "--json"]) == 0
    hscore = json.loads(capsys.readouterr().out)["timepoints"][0]["scores"]["hscore"]
    assert (hscore["min"], hscore["max"], hscore["probability_min"], hscore["probability_max"]) == (
        197, 337, 0.856, 0.995)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_folder_of_cases_to_one_tidy_table(seed_path, tmp_path, suffix, capsys):
    cases = tmp_path / "cases"
    shutil.copytree(seed_path, cases / "one")
    shutil.copytree(seed_path, cases / "two")
    (cases / "two" / "case.toml").write_text(
        (seed_path / "case.toml").read_text(encoding="utf-8").replace('id = "seed-sle-mas"', 'id = "second"'),
        encoding="utf-8",
    )
    out = tmp_path / f"scores{suffix}"
    assert main(["score", str(cases), "--out", str(out)]) == 0
    table = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    assert len(table) == 8
    assert sorted(set(table["case_id"])) == ["second", "seed-sle-mas"]
    assert {"timepoint", "tp_order", "day", "hscore.points", "hlh2004.fulfilled"} <= set(table.columns)
    assert table["hscore.points"].tolist()[:4] == [256, 220, 62, 62]
    assert "8 timepoints of 2 case(s)" in capsys.readouterr().out


def test_several_cases_with_json_print_the_one_case_objects_under_cases(seed_path, capsys):
    assert main(["score", str(seed_path), "--json"]) == 0
    single = json.loads(capsys.readouterr().out)
    assert main(["score", str(seed_path), str(seed_path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == ["cases"] and doc["cases"] == [single, single]


TWO_CASES = ("USUBJID,timepoint,day,analyte,value,unit\n"
             "S-02,Day 3,3,Ferritin,700,ng/mL\n"
             "S-01,Admission,0,Ferritin,9560,ng/mL\n"
             "S-02,Admission,0,Ferritin,1200,ng/mL\n"
             "S-01,Admission,0,AST,51,U/L\n")


def test_a_file_of_two_cases_scores_each_with_rows_in_any_order(tmp_path, capsys):
    path = tmp_path / "cohort.csv"
    path.write_text(TWO_CASES, encoding="utf-8")
    assert main(["score", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["case"]["id"] for c in doc["cases"]] == ["S-02", "S-01"]  # order of first appearance
    s02, s01 = doc["cases"]
    assert [(tp["label"], tp["day"]) for tp in s02["timepoints"]] == [("Admission", 0), ("Day 3", 3)]
    # S-01: ferritin 9560 (> 6000: 50 points) and AST 51 (>= 30: 19 points); the rest unknown
    assert s01["timepoints"][0]["scores"]["hscore"]["points"] == 50 + 19
    # S-02 day 3: ferritin 700 (< 2000: 0 points)
    assert s02["timepoints"][1]["scores"]["hscore"]["points"] == 0


def test_a_bad_case_in_a_folder_is_reported_and_the_good_ones_written(seed_path, tmp_path, capsys):
    cases = tmp_path / "cases"
    shutil.copytree(seed_path, cases / "good")
    (cases / "bad").mkdir()
    (cases / "bad" / "labs.csv").write_text("Analyte,Admission\nFerritin (ng/mL),9;560\n", encoding="utf-8")
    out = tmp_path / "scores.csv"
    assert main(["score", str(cases), "--out", str(out)]) == 1
    printed = capsys.readouterr()
    assert pd.read_csv(out)["case_id"].unique().tolist() == ["seed-sle-mas"]
    assert "case bad: error: labs.csv:2:Admission '9;560'" in printed.err
    assert "not scored, 1 case(s) with errors: bad" in printed.err
    assert "4 timepoints of 1 case(s)" in printed.out


def test_score_prints_every_warning_to_stderr_in_checks_form(tmp_path, capsys):
    path = tmp_path / "unitless.csv"
    path.write_text("Analyte,Admission\nFerritin,9560\n", encoding="utf-8")
    assert main(["score", str(path)]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [("case unitless: warning: unitless.csv:2:Admission 'Ferritin' — no unit given "
                                "for Ferritin: read as ng/mL (expected a unit, e.g. 'Ferritin (ng/mL)')")]


def test_a_labs_table_without_timepoint_columns_is_an_error(tmp_path, capsys):
    path = tmp_path / "no-timepoints.csv"
    path.write_text("Analyte,Reference range\nFerritin (ng/mL),6.2–138\n", encoding="utf-8")
    assert main(["score", str(path)]) == 1
    err = capsys.readouterr().err
    assert "error: no-timepoints.csv:1 'Analyte,Reference range' — the labs table fits neither layout: " \
        "no timepoint column (wide)" in err


def test_a_broken_case_reports_problems_and_fails(tmp_path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "labs.csv").write_text("", encoding="utf-8")
    assert main(["score", str(bad)]) == 1
    assert capsys.readouterr().err.strip() != ""


def test_an_empty_folder_has_no_cases(tmp_path, capsys):
    assert main(["score", str(tmp_path)]) == 1
    assert "no cases found" in capsys.readouterr().err


def test_dask_engine_needs_out(seed_path, capsys):
    assert main(["score", str(seed_path), "--engine", "dask"]) == 2
    assert "--out" in capsys.readouterr().err


def test_dask_engine_calls_score_dataset(tmp_path, monkeypatch, capsys):
    import dashboard.scale

    calls = []
    monkeypatch.setattr(dashboard.scale, "score_dataset", lambda src, out: calls.append((src, out)))
    dataset, out = tmp_path / "obs", tmp_path / "scores"
    assert main(["score", str(dataset), "--engine", "dask", "--out", str(out)]) == 0
    assert calls == [(dataset, out)]
