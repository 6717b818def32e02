"""Writing a file whole or not at all, never through a link; reading JSON within bounds.

::

    atomic_write(path, data, mode=, keep_backup=,   replace ``path``: a crash at any instant leaves the old
                 durable=)                          version or the new one, never a torn one
    write_new(folder, names, data, mode=)           a new file under the first free name, never over one
    read_json(data)                                 JSON, or ValueError when nested deeper than any file of ours
    disk_error(exc, path)                           an OSError of the disk as one line with its fix

Every write goes through a temporary file made beside its target, in the same folder, exclusively
(``O_CREAT | O_EXCL | O_NOFOLLOW``) under a random name: a file or a link planted at any name is never
opened, let alone written through. Whatever stops a write (a full or read-only disk, a signal) removes the
temporary file and leaves the target as it was; an ``OSError`` comes out as :class:`DiskError`, one line.
The workspace, the credential file, run records, labels, packs and renders are all written here.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from onboard.errors import DiskError

__all__ = ["MAX_JSON_DEPTH", "atomic_write", "backup_of", "disk_error", "read_json", "temporary_pid", "write_new"]

#: deeper than anything onboard writes or Amazon answers, shallow enough for any recursive reader
MAX_JSON_DEPTH = 100
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def backup_of(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def _temporary_name(target: str) -> str:
    # the pid lets a later save sweep what a killed process left (see Workspace.save); the random part
    # makes the name unguessable, so nobody can plant a link there beforehand
    # (the target's name is cut: the temporary one must fit where the target's own does)
    return f".{target[:120]}.{os.getpid()}.{secrets.token_hex(6)}.tmp"


def temporary_pid(name: str, target: str) -> int | None:
    """The pid of the process that made ``name`` as a temporary file for ``target``, else None."""
    prefix = f".{target}."
    if not (name.startswith(prefix) and name.endswith(".tmp")):
        return None
    pid = name[len(prefix) : -len(".tmp")].partition(".")[0]
    return int(pid) if pid.isascii() and pid.isdecimal() else None


def disk_error(exc: OSError, path: Path, action: str = "write") -> DiskError:
    """``exc`` as one line naming ``path`` and what to do about it."""
    code = exc.errno
    reason = exc.strerror or str(exc)
    if code in _FULL:
        hint = "the disk is full: free some space and run it again"
    elif code == errno.EFBIG:
        hint = "the file is larger than this process may write (ulimit -f): raise the limit and run it again"
    elif code == errno.EROFS:
        hint = "the disk is read-only: use a folder on a writable disk (--workspace DIR)"
    elif code in (errno.EACCES, errno.EPERM):
        folder = next((p for p in path.parents if p.exists()), path.parent)
        hint = f"you may not write in {folder}: check its owner and permissions (ls -ld)"
    else:
        hint = ""
    if action == "write":
        hint = f"{hint}; {path.name} was left as it was" if hint else f"{path.name} was left as it was"
    return DiskError(f"cannot {action} {path}: {reason}", hint)


def _open_temporary(folder: Path, target: str, mode: int) -> tuple[Path, int]:
    for _ in range(100):
        temp = folder / _temporary_name(target)
        try:
            return temp, os.open(temp, _FLAGS, mode)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))  # pragma: no cover


def _write_all(descriptor: int, data: bytes, mode: int | None, durable: bool = True) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]
    if mode is not None:
        # exactly this mode, whatever the umask took away (or left), once the file is whole: until then
        # it is its owner's alone
        os.fchmod(descriptor, mode)
    if durable:
        os.fsync(descriptor)


def _link(source: Path, target: Path) -> None:
    # a link is linked as itself, never the file it points to, where the system can say so
    if os.link in os.supports_follow_symlinks:
        os.link(source, target, follow_symlinks=False)
    else:  # pragma: no cover - macOS, Windows
        os.link(source, target)


def _sync_folder(folder: Path) -> None:
    try:
        directory = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # a folder that cannot be opened for reading (Windows, some mounts) cannot be synced either
    try:
        with contextlib.suppress(OSError):  # EINVAL where a folder cannot be synced; the rename is done
            os.fsync(directory)
    finally:
        os.close(directory)


def atomic_write(
    path: Path, data: bytes, *, mode: int | None = None, keep_backup: bool = False, durable: bool = True
) -> None:
    """Replace ``path`` with ``data``: a temporary file beside it, fsync, rename over, fsync the folder.

    ``mode`` is the new file's mode exactly (0o600 for private files); without it the file keeps the
    mode of the one it replaces, or a new one gets the umask's. With ``keep_backup`` the version being
    replaced is kept beside it as ``<name>.bak`` (a hard link, so the backup is always a whole file too).
    ``durable=False`` skips both fsyncs: a crash of the process still leaves the old file or the new one,
    while a power cut may lose either (for files rewritten often, whose last version is written durably).
    Raises :class:`DiskError` when the disk refuses, after removing the temporary file: ``path`` is as it was.
    """
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if mode is None:
            with contextlib.suppress(FileNotFoundError):
                current = path.lstat()
                if stat.S_ISREG(current.st_mode):
                    mode = stat.S_IMODE(current.st_mode)
        # a new file without a mode is made as open() makes one (0o666 less the umask); any other mode is
        # set once the file is whole, and until then it is its owner's alone
        temp, descriptor = _open_temporary(folder, path.name, 0o666 if mode is None else 0o600)
    except OSError as exc:
        raise disk_error(exc, path) from None
    try:
        try:
            _write_all(descriptor, data, mode, durable)
        finally:
            os.close(descriptor)
        if keep_backup and path.is_file():
            backup = backup_of(path)
            with contextlib.suppress(FileNotFoundError):
                backup.unlink()
            _link(path, backup)
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            raise disk_error(exc, path) from None
        raise
    if durable:
        _sync_folder(folder)


def write_new(folder: Path, names: Iterable[str], data: bytes, *, mode: int = 0o600) -> Path | None:
    """Write ``data`` under the first of ``names`` that is free in ``folder``, never over an existing file
    (a hard link names it, and fails rather than replace a file that appeared meanwhile); None when every
    name is taken. The temporary file is made in ``folder`` itself, so no copy is ever left elsewhere."""
    names = list(names)
    if not names:
        return None
    try:
        temp, descriptor = _open_temporary(folder, names[0], 0o600)
    except OSError as exc:
        raise disk_error(exc, folder / names[0]) from None
    target = folder / names[0]
    try:
        try:
            _write_all(descriptor, data, mode)
        finally:
            os.close(descriptor)
        for name in names:
            target = folder / name
            try:
                _link(temp, target)
            except FileExistsError:
                continue
            _sync_folder(folder)
            return target
        return None
    except OSError as exc:
        raise disk_error(exc, target) from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def read_json(data: bytes | str) -> Any:
    """``json.loads``, refusing (ValueError) what nests deeper than :data:`MAX_JSON_DEPTH`: a file of a
    hundred thousand ``[`` is one clear line, not a RecursionError in whatever walks it next."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return value
