"""`casetrack app`: start the dashboard (`streamlit run <package>/app.py`) on the local case store."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"
ROOT = APP.parents[1]
STARTUP_SECONDS = 60


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("app", help="open the dashboard in the browser", description=__doc__)
    parser.add_argument("--port", type=int, default=None, help="port to serve on (Streamlit's default: 8501)")
    parser.add_argument("--store", type=Path, default=None, help="case store folder (default: data/store)")
    parser.add_argument(
        "--address", default="localhost",
        help="address to serve on (default: localhost, this computer only; 0.0.0.0 shares it on the network)",
    )
    parser.set_defaults(run=run)


def streamlit_command(port: int | None, address: str = "localhost", script: Path = APP) -> list[str]:
    """The command line that serves the app (or another script) with this interpreter's streamlit.

    A set address also stops Streamlit from asking an outside service for the machine's public IP.
    """
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", address]
    return command + (["--server.port", str(port)] if port else [])


def app_environment(store: Path | None) -> dict[str, str]:
    """This process's environment plus the store folder and the package root on the path.

    `streamlit run` puts dashboard/ itself on sys.path, not its parent, so `import dashboard` needs it.
    """
    env = dict(os.environ)
    if store is not None:
        env["CASETRACK_STORE"] = str(Path(store).resolve())
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(store: Path, log_path: Path, script: Path = APP) -> Iterator[str]:
    """Serve `script` on a free loopback port with its own store; yield the URL once it answers.

    For the browser tests and the app benchmark. The server's output goes to `log_path`; if start-up or
    the caller fails, the log's tail is printed to stderr, since that is where the reason is.
    """
    port = free_port()
    command = streamlit_command(port, "127.0.0.1", script) + [
        "--server.headless", "true", "--server.fileWatcherType", "none",
    ]
    url = f"http://127.0.0.1:{port}"
    with Path(log_path).open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=app_environment(store), stdout=log,
                                   stderr=subprocess.STDOUT)
        try:
            _wait_healthy(url, process)
            yield url
        except BaseException:
            tail = Path(log_path).read_text(encoding="utf-8", errors="replace").splitlines()[-40:]
            print("streamlit log (tail):\n" + "\n".join(tail), file=sys.stderr)
            raise
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer at {url} within {STARTUP_SECONDS} s")


def run(args: argparse.Namespace) -> int:
    env = app_environment(args.store)
    try:
        return subprocess.call(streamlit_command(args.port, args.address), cwd=ROOT, env=env)
    except KeyboardInterrupt:
        return 0
