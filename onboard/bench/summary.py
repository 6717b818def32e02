"""``python -m onboard.bench``: every figure the issues set a target for, in one table, one run."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable

from onboard.bench import startup
from onboard.bench.verdicts import Baseline, Figure, table
from onboard.labels.formats import NAMES

#: each baseline on this 2-core machine with nothing else running (2026-11-27, medians over three runs of
#: the table: first frame 0.256-0.263 s, interpreter 0.015 s, bare answers 9,390-9,620/s and 0.14-0.18 ms)
BARE_FRAME_AT_REST = 0.26
#: the TUI's first frame within this many times a bare Textual app's (issue 17)
FRAME_RATIO = 2.0
INTERPRETER_AT_REST = 0.015
RPS_AT_REST = 9400.0
MS_AT_REST = 0.15


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


def run() -> int:
    from onboard.bench import certify, client, emulator  # noqa: PLC0415
    from onboard.bench import labels as label_bench  # noqa: PLC0415

    figures: list[Figure] = []
    text = _quietly(lambda: emulator.run(purchases=40))
    rps = _number(r"getRates\s+(\d+) req/s", text)
    no_work = "the emulator's server refusing an unknown path (403, no work behind it)"
    bare_rps = _number(r"bare round trip\s+(\d+) req/s", text)
    figures.append(
        Figure(
            "emulator getRates",
            rps,
            "req/s",
            ">=",
            1000,
            Baseline(no_work, bare_rps, RPS_AT_REST, higher_is_faster=True),
        )
    )
    bare_ms = Baseline(
        "the same, one request at a time on one connection",
        _number(r"bare round trip.*median\s+([\d.]+) ms", text),
        MS_AT_REST,
    )
    for fmt in NAMES:
        for dpi in (203, 300):
            ms = _number(rf"purchase {fmt} {dpi} dpi\s+median\s+([\d.]+) ms", text)
            figures.append(Figure(f"emulator purchase {fmt} {dpi} dpi (median)", ms, "ms", "<", 25, bare_ms))
    text = _quietly(lambda: client.run(calls=800, rounds=3))
    ratio = _number(r"overhead ratio\s+([\d.]+)x", text)
    figures.append(Figure("client / bare httpx (getRates)", ratio, "x", "<=", 1.15))
    text = _quietly(lambda: certify.run(rounds=2))
    wall = _number(r"wall time\s+([\d.]+) s", text)
    ratio = _number(r"run / round trips\s+([\d.]+)x", text)
    figures.append(Figure("certify whole catalog, wall", wall, "s", "<", 3))
    figures.append(Figure("certify run / its HTTP round trips", ratio, "x", "<=", 1.3))
    # zebrash / onboard is a ratio of two renders in the same run; the check carries its zxing-cpp baseline
    labels = label_bench.measure(runs=3, zebrash_runs=3)
    figures.extend(label_bench.figures(labels))
    help_s, interpreter = startup.help_seconds()
    figures.append(
        Figure(
            "onboard --help",
            help_s,
            "s",
            "<",
            0.3,
            Baseline("a bare interpreter's start (python -c pass)", interpreter, INTERPRETER_AT_REST),
        )
    )
    frame, bare, cold = startup.tui_first_frames()
    figures.append(
        Figure(
            "TUI first frame (journey drawn)",
            frame,
            "s",
            "<",
            1,
            Baseline("a bare Textual app's first frame (bench/bare_tui.py)", bare, BARE_FRAME_AT_REST),
        )
    )
    # the two in turns, on the same machine at the same moments: the ratio needs no baseline of its own
    figures.append(Figure("TUI first frame / a bare Textual app's", frame / bare, "x", "<=", FRAME_RATIO))
    peak = _demo_peak_mb()
    figures.append(Figure("onboard demo, peak memory", peak, "MB", "<", 200))

    print(table(figures))
    for line in label_bench.notes(labels):
        print(f"  {line}")
    print(
        f"  TUI first frame: {frame:.3f} s on a workspace opened before (its journey's outline kept); "
        f"{cold:.3f} s ({cold / bare:.2f}x) on the first start, the files loaded before the frame"
    )
    return 0 if all(f.ok for f in figures) else 1
