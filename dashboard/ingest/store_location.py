"""Where the case store lives: `$CASETRACK_STORE` when set; else `data/store` in a checkout of the project,
or the user data folder of a normal install (e.g. `~/.local/share/casetrack/store` on Linux)."""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "CASETRACK_STORE"
CHECKOUT = Path(__file__).resolve().parents[2]  # the project folder, when run from a checkout
APP_NAME = "casetrack"


def is_checkout(folder: Path = CHECKOUT) -> bool:
    """True when the package runs from the project's source folder (editable install, tests, `make run`)."""
    return (folder / "pyproject.toml").is_file() and (folder / "dashboard" / "__init__.py").is_file()


def default_root() -> Path:
    """`$CASETRACK_STORE`; else data/store in a checkout; else the user data folder (platformdirs).

    A wheel installed into site-packages has no project folder to write into, and must not write into
    site-packages either.
    """
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env)
    if is_checkout():
        return CHECKOUT / "data" / "store"
    import platformdirs  # only a normal install needs it

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "store"
