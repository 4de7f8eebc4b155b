"""`casetrack check PATH`: every problem printed as file:row:column value — message; exit 1 on errors only."""

from __future__ import annotations

from pathlib import Path

from dashboard.cli import main

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "bad"


def test_seed_passes_with_its_warning(seed_path, capsys):
    assert main(["check", str(seed_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("warning: labs.csv:23:reference range '22' — reference '22' is a bare number: "
                      "read as an upper limit")
    # the seed prints CRP in mg/dL with a range of < 10: ten times the usual < 1 mg/dL, a unit problem
    assert out[1].startswith("warning: labs.csv:22:reference range '< 10' — reference range < 10 is 10× the usual "
                             "range of C-reactive protein (< 1 mg/dL)")
    assert out[-1] == f"{seed_path}: 0 error(s), 2 warning(s)"


def test_errors_exit_1_and_print_location(capsys):
    assert main(["check", str(BAD / "decimal_comma.csv")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("error: decimal_comma.csv:3:Admission '3,5' — '3,5' uses a decimal comma but the file's "
                      "numbers use decimal points (expected a decimal point (3.5), or decimal = \",\" in case.toml "
                      "when the whole file uses decimal commas)")
    assert out[-1].endswith("1 error(s), 0 warning(s)")


def test_every_problem_is_printed(capsys):
    assert main(["check", str(BAD / "bad_events")]) == 1
    out = capsys.readouterr().out
    assert "events.csv:2:start_day 'seven'" in out
    assert "events.csv:3:kind 'surgery'" in out
    assert "events.csv:4:end_day '2'" in out
    assert "3 error(s)" in out


def test_missing_path_is_a_problem_not_a_traceback(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope")]) == 1
    assert "no such file or folder" in capsys.readouterr().out


def test_direct_identifiers_are_warned_about_but_do_not_fail(tmp_path, capsys):
    labs = tmp_path / "labs.csv"
    labs.write_text(
        "MRN,timepoint,analyte,value,unit\n"
        "123456789,Admission,Ferritin,9560,ng/mL\n"
        "123456789,Admission,DOB 1987-03-14,1,\n",
        encoding="utf-8",
    )
    assert main(["check", str(labs)]) == 0
    out = capsys.readouterr().out
    assert "(medical record number) in the column `MRN`" in out
    assert "(full date) in the analyte label" in out and "'19••-••-••'" in out  # the date is masked
    assert "0 error(s)" in out
