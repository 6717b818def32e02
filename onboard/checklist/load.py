"""Loading ``checks/onboarding.toml``: read once per process, validated whole, one clear error if wrong."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from onboard.checklist.schema import Checklist
from onboard.errors import ConfigError
from onboard.locations import checklist_file

FILE = checklist_file().name


def load_checklist(path: Path) -> Checklist:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path} cannot be read: {exc}") from None
    try:
        return Checklist.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{path} is not a valid checklist: {where + ': ' if where else ''}{message}") from None


@cache
def checklist() -> Checklist:
    """The checklist onboard ships with."""
    return load_checklist(checklist_file())
