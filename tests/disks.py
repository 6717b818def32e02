"""The real `onboard` on a disk that refuses: full (``RLIMIT_FSIZE``), or read-only (a folder it may not
write in), failing at the OS boundary as a real disk does, with no patching of onboard itself.

A small tmpfs is not to be had without root, so a full disk is played by the file size limit: every
write past it fails with ``EFBIG`` (``SIGXFSZ`` ignored), as ``ENOSPC`` does on a full disk, at the same
``write()``. A read-only folder is ``chmod 0500``; a process run as root writes there all the same, so as
root the child gives up the capabilities that let it (``CAP_DAC_OVERRIDE`` and its kin) before it starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

#: sets the limits, then becomes ``python -m onboard``: limits, capabilities and an ignored signal all
#: survive exec (no preexec_fn, which is not safe in a process with threads, as the tests' emulator is)
_LAUNCHER = """
import ctypes, os, resource, signal, sys
size, read_only, *args = sys.argv[1:]
if int(size) >= 0:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(size), int(size)))
if read_only == "1" and os.geteuid() == 0:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            sys.exit("cannot drop root's powers: " + os.strerror(ctypes.get_errno()))
os.execv(sys.executable, [sys.executable, "-B", "-m", "onboard", *args])
"""


def _launcher(file_size: int | None, read_only: bool) -> list[str]:
    size = str(-1 if file_size is None else file_size)
    return [sys.executable, "-B", "-c", _LAUNCHER, size, "1" if read_only else "0"]


def read_only_possible(scratch: Path) -> None:
    """Skip, saying why, where a folder's mode does not stop this process's children from writing in it."""
    if sys.platform != "linux":
        pytest.skip("read-only folders are played with Linux capabilities")
    folder = scratch / "read-only-probe"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        probe = run_on_disk(["init", "--workspace", str(folder / "ws")], read_only=True)
    finally:
        folder.chmod(0o700)
    if "cannot drop root's powers" in probe.stderr:
        pytest.skip(f"a read-only folder cannot be played here: {probe.stderr.strip()}")
    if probe.returncode == 0:
        pytest.skip("this process's children write through a folder's mode (root with every capability)")


def run_on_disk(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    file_size: int | None = None,
    read_only: bool = False,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``python -m onboard ARGS`` in a process whose writes fail past ``file_size`` bytes a file (a full
    disk), or that may not write where a folder's mode says so, even as root (``read_only``); ``env`` is
    added to this process's environment."""
    # ``env`` is added to this process's environment (the tests' private home among it). A limited child is
    # not measured (coverage writing its data past the limit would fail loudly), and writes no bytecode: a
    # .pyc cut short at the limit would break every later import of that module, in every process
    whole = {k: v for k, v in {**os.environ, **(env or {})}.items() if not k.startswith("COVERAGE_")}
    whole["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [*_launcher(file_size, read_only), *args],
        env=whole,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def temporary_files(folder: Path) -> list[Path]:
    """Every temporary file a write left under ``folder`` (onboard's are ``.<name>.<pid>.<random>.tmp``)."""
    return sorted(path for path in folder.rglob("*") if path.name.endswith(".tmp"))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes: what a refused write must leave exactly as it was."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
