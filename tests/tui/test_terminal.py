"""The real ``onboard``, started in a pseudo-terminal as a user starts it: the journey is drawn, Ctrl+Q quits."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[@-Z\\-_]")
ROWS, COLUMNS = 30, 100


def _read_until(master: int, wanted: list[bytes], timeout: float) -> tuple[bytes, float | None]:
    """Everything the app wrote, as plain text, and when every wanted piece was on screen."""
    seen = b""
    started = time.monotonic()
    deadline = started + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if not ready:
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        seen += chunk
        plain = ANSI.sub(b"", seen)
        if all(piece in plain for piece in wanted):
            return plain, time.monotonic() - started
    return ANSI.sub(b"", seen), None


def _drain(master: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                if not os.read(master, 65536):
                    return
            except OSError:
                return


@pytest.mark.slow
def test_onboard_draws_the_journey_in_a_terminal_and_quits_on_ctrl_q(workspace_dir: Path) -> None:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    env = {name: value for name, value in os.environ.items() if name not in ("NO_COLOR", "TEXTUAL")}
    env |= {"TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(ROWS)}
    process = subprocess.Popen(
        [sys.executable, "-m", "onboard", "--workspace", str(workspace_dir)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    try:
        screen, drawn_after = _read_until(
            master, [b"Journey", b"RIVER support account", b"Accept the RIVER invitation", b"Quit"], timeout=30
        )
        assert drawn_after is not None, screen[-2000:].decode(errors="replace")
        print(f"journey drawn {drawn_after:.2f} s after start")
        _drain(master, 0.3)
        os.write(master, b"\x11")  # Ctrl+Q
        deadline = time.monotonic() + 15
        while process.poll() is None and time.monotonic() < deadline:
            _drain(master, 0.1)
        assert process.poll() == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    assert (workspace_dir / ".onboard-tui.json").is_file()  # where the user was, for next time
