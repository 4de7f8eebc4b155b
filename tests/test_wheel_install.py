"""A normal (non-editable) `pip install .` works end to end, away from the checkout.

Builds the wheel from a copy of the sources, installs it with `--no-deps --no-index` into a fresh venv
that borrows this venv's third-party packages through a .pth file (so nothing big is downloaded), and
runs the installed `casetrack` from another folder: the catalogue and the shipped seed come from the
package, and the store goes to the user data folder.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(command, check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("wheel")
    source = _mkdir(tmp / "src")  # a copy: the build writes build/ and *.egg-info next to the sources
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "dashboard", source / "dashboard", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data" / "cases", source / "data" / "cases")
    shutil.copytree(ROOT / ".streamlit", source / ".streamlit")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(source)], tmp)
    wheel = next((tmp / "dist").glob("casetrack-*.whl"))

    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp)
                   .stdout.strip())
    # this venv's third-party packages, after the new venv's own (its .pth files, such as the editable
    # install of the checkout, are not processed: only the wheel provides `dashboard`)
    (purelib / "borrowed.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
         str(wheel)], tmp)

    home = _mkdir(tmp / "home")
    elsewhere = _mkdir(tmp / "elsewhere")
    env = {key: value for key, value in os.environ.items() if key not in ("CASETRACK_STORE", "PYTHONPATH")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"))
    return {"bin": env_dir / "bin", "python": python, "env": env, "cwd": elsewhere, "home": home}


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    where = run([str(installed["python"]), "-c", "import dashboard; print(dashboard.__file__)"],
                installed["cwd"], installed["env"]).stdout.strip()
    assert Path(where).is_relative_to(installed["python"].parents[1]), where


def test_casetrack_score_of_the_shipped_seed_from_another_folder(installed):
    code = ("from importlib.resources import files; "
            "print(files('dashboard') / 'cases' / 'seed-sle-mas')")
    seed = run([str(installed["python"]), "-c", code], installed["cwd"], installed["env"]).stdout.strip()
    assert Path(seed, "labs.csv").is_file() and not Path(seed).is_relative_to(ROOT)
    done = run([str(installed["bin"] / "casetrack"), "score", seed, "--json"], installed["cwd"], installed["env"])
    doc = json.loads(done.stdout)
    admission = doc["timepoints"][0]
    assert (admission["label"], admission["scores"]["hscore"]["points"]) == ("Admission", 256)


def test_the_streamlit_settings_travel_with_the_app(installed):
    """Usage statistics stay off in an install: Streamlit reads the config.toml beside the app script."""
    code = ("import tomllib; from importlib.resources import files; "
            "print(tomllib.loads((files('dashboard') / '.streamlit' / 'config.toml').read_text())['browser'])")
    done = run([str(installed["python"]), "-c", code], installed["cwd"], installed["env"])
    assert done.stdout.strip() == "{'gatherUsageStats': False}"


def test_the_default_store_of_an_install_is_the_user_data_folder(installed, seed_path):
    done = run([str(installed["bin"] / "casetrack"), "import", str(seed_path)], installed["cwd"], installed["env"])
    store = installed["home"] / "data" / "casetrack" / "store"
    assert f"into {store}" in done.stdout
    assert (store / "seed-sle-mas" / "current" / "meta.json").is_file()
    assert not (installed["cwd"] / "data").exists()
