"""Start-up wall times, each interleaved with its baseline so both see the machine at the same moments."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from pathlib import Path

from onboard.tui.outline import OUTLINE_FILE

#: what the journey's header says once drawn; the bare app draws the same words
DRAWN = b"steps done"
_ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
BARE_TUI = Path(__file__).with_name("bare_tui.py")


def first_frame(command: Sequence[str], *, rows: int = 30, columns: int = 100, give_up: float = 20.0) -> float:
    """Seconds from starting ``command`` in a pseudo-terminal to ``DRAWN`` on its screen (inf: never)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command), stdin=slave, stdout=slave, stderr=slave, env={**os.environ, "TERM": "xterm-256color"}
    )
    os.close(slave)
    seen, drawn = b"", float("inf")
    try:
        while time.perf_counter() - started < give_up:
            if not select.select([master], [], [], 0.05)[0]:
                continue
            try:
                seen += os.read(master, 65536)
            except OSError:  # the process ended without drawing
                break
            if DRAWN in _ESCAPES.sub(b"", seen):
                drawn = time.perf_counter() - started
                break
        with contextlib.suppress(OSError):  # a process that ended without drawing has no terminal left
            os.write(master, b"\x11")  # Ctrl+Q
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    finally:
        os.close(master)
    return drawn


def tui_first_frames(runs: int = 7) -> tuple[float, float, float]:
    """Medians of onboard's first frame (the journey drawn) and of the bare Textual app's, taken in turns.

    Returns (warm, bare, cold). Warm: a start on a workspace the TUI has opened before, unchanged since, so
    its journey is drawn from the outline kept then (onboard.tui.outline); the figure the target is on, the
    start a shipper makes every day. Cold: the same start with the outline removed first (the first start
    on a workspace, or one after ``onboard step`` changed it), the files loaded before the first frame.
    """
    ours, bare, cold = [], [], []
    with tempfile.TemporaryDirectory() as directory:
        workspace = f"{directory}/ws"
        subprocess.run(
            [sys.executable, "-m", "onboard", "init", "--workspace", workspace], capture_output=True, check=True
        )
        tui = [sys.executable, "-m", "onboard", "--workspace", workspace]
        first_frame([sys.executable, str(BARE_TUI)])  # unmeasured: the first start of all reads from disk
        first_frame(tui)  # unmeasured: the start that keeps the outline
        outline = Path(workspace) / OUTLINE_FILE
        for _ in range(runs):
            bare.append(first_frame([sys.executable, str(BARE_TUI)]))
            ours.append(first_frame(tui))
            kept = outline.read_bytes() if outline.is_file() else None
            outline.unlink(missing_ok=True)
            cold.append(first_frame(tui))
            if kept is not None:
                outline.write_bytes(kept)  # as it was: the next warm start draws from it, not the cold one's
    return statistics.median(ours), statistics.median(bare), statistics.median(cold)


def _seconds(command: Sequence[str]) -> float:
    started = time.perf_counter()
    subprocess.run(list(command), capture_output=True, check=False)
    return time.perf_counter() - started


def help_seconds(runs: int = 7) -> tuple[float, float]:
    """Medians of ``onboard --help`` and of a bare interpreter's start (``python -c pass``), taken in turns."""
    ours, bare = [], []
    for _ in range(runs):
        bare.append(_seconds([sys.executable, "-c", "pass"]))
        ours.append(_seconds([sys.executable, "-m", "onboard", "--help"]))
    return statistics.median(ours), statistics.median(bare)


def run(runs: int = 9) -> int:
    """``python -m onboard.bench tui``: the first frames and their ratio, the figure issue 17 sets (at most 2x)."""
    from onboard.bench.summary import FRAME_RATIO  # noqa: PLC0415

    frame, bare, cold = tui_first_frames(runs)
    ratio = frame / bare
    print(f"TUI first frame (journey drawn)   median {frame:.3f} s over {runs} runs (outline kept)")
    print(f"bare Textual app's first frame    median {bare:.3f} s (bench/bare_tui.py, taken in turns)")
    print(f"ratio                             {ratio:.2f}x (target <= {FRAME_RATIO:g}x)")
    print(f"first start on a workspace        median {cold:.3f} s, {cold / bare:.2f}x (no outline: the files first)")
    return 0 if ratio <= FRAME_RATIO else 1
