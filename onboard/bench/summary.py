"""``python -m onboard.bench``: every figure the issues set a target for, in one table, one run."""

from __future__ import annotations

import contextlib
import io
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Figure:
    what: str
    value: float
    unit: str
    target: str
    ok: bool


def _quietly(run: Callable[[], int]) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        run()
    return buffer.getvalue()


def _number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    if not found:
        raise RuntimeError(f"no figure for {pattern!r} in:\n{text}")
    return float(found.group(1))


def _cli_seconds(*args: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "onboard", *args], capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _demo_peak_mb() -> float:
    # a fresh wrapper process whose only child is the demo: its children's peak is the demo's own
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run([sys.executable, '-m', 'onboard', 'demo', '--workspace', sys.argv[1]], "
        "capture_output=True, check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    with tempfile.TemporaryDirectory() as directory:
        result = subprocess.run(
            [sys.executable, "-c", probe, f"{directory}/demo"], capture_output=True, text=True, check=True
        )
    return int(result.stdout.strip()) / 1024


def _tui_first_frame(runs: int = 3) -> float:
    """Seconds from starting ``onboard`` in a pseudo-terminal to the journey on screen."""
    import fcntl  # noqa: PLC0415 - POSIX only, and only here
    import os  # noqa: PLC0415
    import select  # noqa: PLC0415
    import struct  # noqa: PLC0415
    import termios  # noqa: PLC0415

    times = []
    with tempfile.TemporaryDirectory() as directory:
        workspace = f"{directory}/ws"
        subprocess.run(
            [sys.executable, "-m", "onboard", "init", "--workspace", workspace], capture_output=True, check=True
        )
        for _ in range(runs):
            master, slave = os.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
            started = time.perf_counter()
            process = subprocess.Popen(
                [sys.executable, "-m", "onboard", "--workspace", workspace],
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env={**os.environ, "TERM": "xterm-256color"},
            )
            os.close(slave)
            seen, drawn = b"", None
            while time.perf_counter() - started < 20 and drawn is None:
                if select.select([master], [], [], 0.05)[0]:
                    try:
                        seen += os.read(master, 65536)
                    except OSError:
                        break
                    if b"steps done" in re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", seen):
                        drawn = time.perf_counter() - started
            os.write(master, b"\x11")  # Ctrl+Q
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            os.close(master)
            times.append(drawn if drawn is not None else float("inf"))
    return statistics.median(times)


def run() -> int:
    from onboard.bench import certify, client, emulator  # noqa: PLC0415

    figures: list[Figure] = []
    text = _quietly(lambda: emulator.run(purchases=40))
    rps = _number(r"getRates\s+(\d+) req/s", text)
    figures.append(Figure("emulator getRates", rps, "req/s", ">= 1000", rps >= 1000))
    for fmt in ("PDF", "PNG", "ZPL"):
        for dpi in (203, 300):
            ms = _number(rf"purchase {fmt} {dpi} dpi\s+median\s+([\d.]+) ms", text)
            figures.append(Figure(f"emulator purchase {fmt} {dpi} dpi (median)", ms, "ms", "< 25", ms < 25))
    text = _quietly(lambda: client.run(calls=800, rounds=3))
    ratio = _number(r"overhead ratio\s+([\d.]+)x", text)
    figures.append(Figure("client / bare httpx (getRates)", ratio, "x", "<= 1.15", ratio <= 1.15))
    text = _quietly(lambda: certify.run(rounds=2))
    wall = _number(r"wall time\s+([\d.]+) s", text)
    ratio = _number(r"run / round trips\s+([\d.]+)x", text)
    figures.append(Figure("certify whole catalog, wall", wall, "s", "< 3", wall < 3))
    figures.append(Figure("certify run / its HTTP round trips", ratio, "x", "<= 1.3", ratio <= 1.3))
    help_s = _cli_seconds("--help")
    figures.append(Figure("onboard --help", help_s, "s", "< 0.3", help_s < 0.3))
    frame = _tui_first_frame()
    figures.append(Figure("TUI first frame (journey drawn)", frame, "s", "< 1", frame < 1))
    peak = _demo_peak_mb()
    figures.append(Figure("onboard demo, peak memory", peak, "MB", "< 200", peak < 200))

    width = max(len(f.what) for f in figures)
    print(f"{'figure':<{width}}  {'value':>9}  unit   target     verdict")
    for f in figures:
        print(f"{f.what:<{width}}  {f.value:>9.2f}  {f.unit:<5}  {f.target:<9}  {'ok' if f.ok else 'MISSED'}")
    return 0 if all(f.ok for f in figures) else 1
