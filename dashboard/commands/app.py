"""`casetrack app`: start the dashboard (`streamlit run <package>/app.py`) on the local case store."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("app", help="open the dashboard in the browser", description=__doc__)
    parser.add_argument("--port", type=int, default=None, help="port to serve on (Streamlit's default: 8501)")
    parser.add_argument("--store", type=Path, default=None, help="case store folder (default: data/store)")
    parser.add_argument(
        "--address", default="localhost",
        help="address to serve on (default: localhost, this computer only; 0.0.0.0 shares it on the network)",
    )
    parser.set_defaults(run=run)


def streamlit_command(port: int | None, address: str = "localhost") -> list[str]:
    """The command line that serves the app with this interpreter's streamlit.

    A set address also stops Streamlit from asking an outside service for the machine's public IP.
    """
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", address]
    return command + (["--server.port", str(port)] if port else [])


def run(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    if args.store is not None:
        env["CASETRACK_STORE"] = str(args.store.resolve())
    # The package root on the path: `streamlit run` puts dashboard/ itself there, not its parent.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(APP.parents[1]), env.get("PYTHONPATH")]))
    try:
        return subprocess.call(streamlit_command(args.port, args.address), cwd=APP.parents[1], env=env)
    except KeyboardInterrupt:
        return 0
