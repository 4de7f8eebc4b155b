"""`casetrack app` serves dashboard/app.py with this interpreter's streamlit."""

from __future__ import annotations

import sys

from dashboard.cli import build_parser
from dashboard.commands import app as app_command


def test_streamlit_command_runs_the_router():
    command = app_command.streamlit_command(8600)
    assert command[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert command[4].endswith("dashboard/app.py")
    assert command[-4:] == ["--server.address", "localhost", "--server.port", "8600"]


def test_the_subcommand_is_registered():
    args = build_parser().parse_args(["app", "--port", "8700"])
    assert args.run is app_command.run and args.port == 8700 and args.address == "localhost"


def test_app_environment_names_the_store_and_puts_the_package_on_the_path(tmp_path):
    env = app_command.app_environment(tmp_path / "store")
    assert env["CASETRACK_STORE"] == str((tmp_path / "store").resolve())
    assert env["PYTHONPATH"].split(":")[0] == str(app_command.ROOT)
    assert (app_command.ROOT / "dashboard" / "app.py").is_file()
