"""Where onboard finds its data (``templates/``, ``checks/``), from a wheel or from a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """``templates`` or ``checks``: inside the installed wheel, else at the top of the checkout."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"onboard's {name}/ directory is missing from this installation ({_PACKAGE})")


def templates_dir() -> Path:
    return data_dir("templates")


def checks_dir() -> Path:
    return data_dir("checks")
