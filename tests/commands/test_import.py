"""`casetrack import PATH...`: many cases into the store in one go, with plain-text progress on stderr."""

from __future__ import annotations

import io
import re
import shutil

import pytest

from dashboard.cli import main
from dashboard.commands.import_cases import import_cases, progress_line
from dashboard.ingest.bundle import case_sources
from dashboard.ingest.store import CaseStore
from dashboard.synth import synthetic_events, synthetic_observations, write_case_folders


@pytest.fixture
def cohort_dir(tmp_path):
    """Six synthetic case folders in one parent folder."""
    folder = tmp_path / "cohort"
    write_case_folders(synthetic_observations(6, seed=4), synthetic_events(6, seed=4), folder)
    return folder


def test_imports_a_folder_of_cases_and_a_single_case(cohort_dir, seed_path, store_root, capsys):
    code = main(["import", str(cohort_dir), str(seed_path)])
    out, err = capsys.readouterr()
    assert code == 0
    listed = CaseStore(store_root).list_cases()
    assert sorted(listed["case_id"]) == ["seed-sle-mas", *(f"synth-00000{i}" for i in range(6))]
    assert listed.loc[listed["case_id"] == "seed-sle-mas", "timepoints"].item() == 4
    assert f"imported 7 case(s) into {store_root}; 0 failed" in out
    assert "[" + "#" * 30 + "] 7/7 100%" in err  # the finished progress bar, on stderr only
    assert "#" not in out


def test_a_bad_case_is_reported_and_the_others_are_stored(cohort_dir, store_root, capsys):
    broken = cohort_dir / "broken"
    broken.mkdir()
    (broken / "labs.csv").write_text("", encoding="utf-8")
    code = main(["import", str(cohort_dir)])
    out, err = capsys.readouterr()
    assert code == 1
    assert len(CaseStore(store_root).list_cases()) == 6
    assert f"failed: {broken}" in err
    assert re.search(r"\] 7/7 100%  [\d.]+ cases/s  1 failed\n", err)
    assert "imported 6 case(s)" in out and "1 failed" in out


def test_a_missing_path_fails_rather_than_vanishing(tmp_path, store_root, capsys):
    assert main(["import", str(tmp_path / "nowhere")]) == 1
    assert "nowhere" in capsys.readouterr().err


def test_reimport_of_an_unchanged_case_is_a_no_op_and_a_changed_one_keeps_the_prior(seed_path, tmp_path,
                                                                                 store_root, capsys):
    assert main(["import", str(seed_path)]) == 0
    assert main(["import", str(seed_path)]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("imported 0 case(s)") and "1 unchanged (already stored, not saved again)" in last
    assert len(CaseStore(store_root).versions("seed-sle-mas")) == 1
    changed = tmp_path / "seed"
    shutil.copytree(seed_path, changed)
    toml = changed / "case.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('title = "', 'title = "Edited: ', 1),
                    encoding="utf-8")
    assert main(["import", str(changed)]) == 0
    versions = CaseStore(store_root).versions("seed-sle-mas")
    assert sorted(versions["status"]) == ["current", "prior"]
    assert versions.loc[versions["status"] == "prior", "reason"].item() == "replaced"


def test_store_option_overrides_the_environment(cohort_dir, tmp_path, store_root, capsys):
    other = tmp_path / "other-store"
    assert main(["import", str(cohort_dir / "synth-000001"), "--store", str(other)]) == 0
    assert list(CaseStore(other).list_cases()["case_id"]) == ["synth-000001"]
    assert not store_root.exists() or CaseStore(store_root).list_cases().empty


def test_expand_paths_takes_cases_inside_folders_in_order(cohort_dir, seed_path, tmp_path):
    shutil.copy(seed_path / "labs.csv", cohort_dir / "single.csv")
    (cohort_dir / "notes.txt").write_text("not a case", encoding="utf-8")
    found = case_sources([seed_path, cohort_dir])
    assert found[0] == seed_path
    assert [p.name for p in found[1:]] == ["single.csv", *(f"synth-00000{i}" for i in range(6))]


def test_progress_line_counts_percent_rate_and_failures():
    assert progress_line(0, 4, 0.0, 0) == "[" + "." * 30 + "] 0/4   0%  0.0 cases/s"
    assert progress_line(2, 4, 1.0, 1) == "[" + "#" * 15 + "." * 15 + "] 2/4  50%  2.0 cases/s  1 failed"
    assert progress_line(4, 4, 2.0, 0) == "[" + "#" * 30 + "] 4/4 100%  2.0 cases/s"


def test_progress_redraws_one_line_on_a_terminal(cohort_dir, store_root):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    stored, unchanged, failures = import_cases(case_sources([cohort_dir]), CaseStore(store_root), stream)
    assert len(stored) == 6 and unchanged == failures == []
    text = stream.getvalue()
    assert text.count("\r") == 6 and text.endswith("100%  " + text.rsplit("100%  ", 1)[1])
    assert text.count("\n") == 1


def test_import_warns_about_direct_identifiers_and_still_stores(tmp_path, store_root, capsys):
    case = tmp_path / "named"
    case.mkdir()
    (case / "labs.csv").write_text(
        "Patient name,timepoint,analyte,value,unit\nJane Doe,Admission,Ferritin,9560,ng/mL\n", encoding="utf-8"
    )
    assert main(["import", str(case)]) == 0
    err = capsys.readouterr().err
    assert "column `Patient name`" in err
    assert CaseStore(store_root).exists("named")


def test_import_prints_every_warning_in_checks_form(tmp_path, store_root, capsys):
    case = tmp_path / "unitless"
    case.mkdir()
    (case / "labs.csv").write_text("Analyte,Admission\nFerritin,9560\n", encoding="utf-8")
    assert main(["import", str(case)]) == 0
    err = capsys.readouterr().err
    assert "case unitless: warning: labs.csv:2:Admission 'Ferritin' — no unit given for Ferritin" in err
    assert [p.message for p in CaseStore(store_root).load("unitless").problems] == [
        "no unit given for Ferritin: read as ng/mL"]


def test_a_file_of_many_cases_imports_the_good_ones_and_names_the_bad(tmp_path, store_root, capsys):
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("subject,timepoint,analyte,value,unit\n"
                      "P2,Admission,Ferritin,8580,ng/mL\n"
                      "P1,Admission,Ferritin,9560,ng/mL\n"
                      "P3,Admission,Ferritin,lots,ng/mL\n"
                      "P1,Day 7,Ferritin,550,ng/mL\n", encoding="utf-8")
    assert main(["import", str(cohort)]) == 1
    out, err = capsys.readouterr()
    assert sorted(CaseStore(store_root).list_cases()["case_id"]) == ["P1", "P2"]
    assert "case P3: error: cohort.csv:4:value 'lots'" in err
    assert f"failed: {cohort}: case P3 has errors" in err
    assert "imported 2 case(s)" in out and "1 failed" in out
    p1 = CaseStore(store_root).load("P1").observations
    assert p1["timepoint"].tolist() == ["Admission", "Day 7"] and p1["value"].tolist() == [9560.0, 550.0]
