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
    assert "256 [256–291]" in lines[1] and "0.995" in lines[1] and "5/8" in lines[1]
    assert "154.2" in lines[1]
    assert "6 weeks after discharge" in lines[4] and "62 [62–184]" in lines[4]


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


def test_several_paths_with_json_print_a_list(seed_path, capsys):
    assert main(["score", str(seed_path), str(seed_path), "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert isinstance(docs, list) and len(docs) == 2


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
