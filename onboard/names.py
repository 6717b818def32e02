"""Which identifiers may name a file or a folder: those that cannot leave the folder they are put in.

An id that came from a file a person can edit (``workspace.json``'s ``workspace_id``), a catalog or a
server is checked against :data:`ID` before it names anything on disk (:func:`checked`), or reduced to its
safe characters (:func:`safe_part`); nothing else is ever joined to a path. Run ids have their own, stricter
form (``onboard.certify.record.RUN_ID``).
"""

from __future__ import annotations

import re

from onboard.errors import ConfigError

__all__ = ["ID", "checked", "is_safe", "safe_part"]

#: letters, digits, ``_`` and ``-``, at most 64, beginning with a letter or digit: never ``.``, ``..``, a
#: slash, a drive, a control character or an empty name, on any system
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def is_safe(value: object) -> bool:
    return isinstance(value, str) and ID.fullmatch(value) is not None


def checked(value: object, what: str) -> str:
    """``value`` when it may name a file; else one line saying what it is and what it may hold."""
    if is_safe(value):
        return str(value)
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:79] + "…"
    raise ConfigError(
        f"{what} {shown} cannot name a file",
        "it may hold only letters, digits, '_' and '-' (at most 64, the first a letter or digit)",
    )


def safe_part(text: str, limit: int = 40, empty: str = "none") -> str:
    """``text`` with every character but letters, digits, ``_`` and ``-`` replaced by ``_``, cut to ``limit``:
    a server's id made fit to be part of a file name (``empty`` when nothing is left)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text, flags=re.ASCII)[:limit] or empty
