"""Where onboard finds its data (``templates/``, ``checks/``) and keeps the user's files."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import platformdirs

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


def checklist_file() -> Path:
    """The onboarding checklist onboard ships with (``checks/onboarding.toml``)."""
    return checks_dir() / "onboarding.toml"


def default_workspace() -> Path:
    """The workspace used when neither ``--workspace`` nor ``ONBOARD_WORKSPACE`` names one."""
    return Path(platformdirs.user_data_dir("onboard")) / "workspaces" / "default"


def credentials_dir() -> Path:
    """Where the file credential store keeps secrets when no OS keyring exists: never in a workspace."""
    return Path(platformdirs.user_config_dir("onboard")) / "credentials"
