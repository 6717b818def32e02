"""Writing a file so that a crash at any instant leaves the old version or the new one, never a torn one."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def backup_of(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def atomic_write(path: Path, data: bytes, *, keep_backup: bool = True) -> None:
    """Write ``data`` to ``path``: temp file, fsync, rename over, fsync the directory.

    With ``keep_backup`` the version being replaced is kept beside it as ``<name>.bak`` (by a hard
    link, so the backup is always a whole file too).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    if keep_backup and path.exists():
        backup = backup_of(path)
        with contextlib.suppress(FileNotFoundError):
            backup.unlink()
        os.link(path, backup)
    os.replace(temp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
