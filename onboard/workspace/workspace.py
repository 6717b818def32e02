"""Finding, creating, loading and saving a workspace.

Which directory: ``--workspace DIR``, else ``ONBOARD_WORKSPACE``, else the default under the user's
data directory. Loading never repairs or overwrites: a corrupt file or one from a newer onboard is a
clear error that names the backup, and the file stays as it is. An older file is upgraded in memory
(``migrations.py``) and reaches disk at the next save, the old version becoming the backup.

A command that reads, changes and saves the state holds :func:`locked` around all three, so two
writers (the CLI and the TUI, two terminals) cannot each save over the other's change.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from onboard.errors import ConfigError
from onboard.files import atomic_write, backup_of, disk_error, read_json, temporary_pid
from onboard.locations import default_workspace
from onboard.masking import mask_bytes

if TYPE_CHECKING:
    from onboard.settings import Settings
    from onboard.workspace.state import WorkspaceState

STATE_FILE = "workspace.json"
LOCK_FILE = ".workspace.lock"


def resolve_dir(flag: str | None, settings: Settings) -> Path:
    if flag:
        return Path(flag).expanduser()
    return settings.workspace or default_workspace()


@dataclass(slots=True)
class Workspace:
    path: Path
    state: WorkspaceState

    @property
    def state_file(self) -> Path:
        return self.path / STATE_FILE

    @classmethod
    def exists_at(cls, path: Path) -> bool:
        return (path / STATE_FILE).is_file()

    @classmethod
    def open(cls, path: Path) -> Workspace:
        # the models when a workspace is read, not when this module is: finding one (resolve_dir, exists_at,
        # locked) is all the TUI's first frame asks of it (onboard.tui.outline)
        from pydantic import ValidationError  # noqa: PLC0415

        from onboard.workspace.migrations import MigrationError, upgrade  # noqa: PLC0415
        from onboard.workspace.state import SCHEMA_VERSION, WorkspaceState  # noqa: PLC0415

        file = path / STATE_FILE
        if not file.is_file():
            raise ConfigError(f"no workspace at {path}", "create one with 'onboard init' (or pass --workspace DIR)")
        backup = backup_of(file)
        where = f"the previous version is kept at {backup}" if backup.is_file() else "no backup exists yet"
        try:
            raw = read_json(file.read_bytes())
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{file} cannot be read ({str(exc).splitlines()[0]})", where) from None
        version = raw.get("schema_version") if isinstance(raw, dict) else None
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise ConfigError(
                f"{file} was written by a newer onboard (schema {version}, this one reads {SCHEMA_VERSION})",
                "upgrade onboard; the file was left untouched",
            )
        try:
            raw = upgrade(raw) if isinstance(raw, dict) else raw
        except MigrationError as exc:
            raise ConfigError(f"{file} is not a valid workspace: {exc}", where) from None
        try:
            state = WorkspaceState.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"{file} is not a valid workspace: {field}: {first['msg']}", where) from None
        return cls(path, state)

    def save(self) -> None:
        # a secret is refused before it gets here (onboard.checklist.record); masked by value all the same
        body = mask_bytes(self.state.model_dump_json(indent=2).encode())
        atomic_write(self.state_file, body + b"\n", keep_backup=True)
        _sweep_stale_temps(self.state_file)


def _sweep_stale_temps(state_file: Path) -> None:
    """Remove the temporary files of saves whose process died mid-write (kill -9, a power cut).

    A live process's temporary file is its save in progress and is left alone; a recycled pid can only
    make a stale file look alive, which keeps it one more save.
    """
    if sys.platform == "win32":
        return  # os.kill(pid, 0) is no probe there: signal 0 is CTRL_C_EVENT
    for temp in state_file.parent.glob(f".{state_file.name}.*.tmp"):
        pid = temporary_pid(temp.name, state_file.name)
        if pid is None or pid == os.getpid() or _alive(pid):
            continue
        with contextlib.suppress(OSError):
            temp.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the workspace's write lock (an advisory ``flock``; nothing to hold where there is none)."""
    try:
        import fcntl  # noqa: PLC0415  (POSIX only)
    except ImportError:  # pragma: no cover - Windows
        fcntl = None  # type: ignore[assignment]
    if fcntl is None or not path.is_dir():
        # no directory, no workspace: Workspace.open says so, and nothing is created here
        yield
        return
    try:
        descriptor = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as exc:
        # a read-only or full disk, a folder not ours: saying so before anything is changed
        raise disk_error(exc, path / LOCK_FILE, "open the workspace's lock file") from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
