"""ZPL labels drawn and checked, over ten real carriers' labels: onboard's speed beside zebrash's, one run.

The corpus is ``../shared/reference/labels/zpl`` beside the checkout (never copied into it); its README
lists, per file, the barcodes zxing-cpp reads from zebrash's drawing of it. The figures:

1. **render**: onboard's ZPL to PNG (``read_zpl``, ``draw_label`` at 203 dpi, PNG encoding at zlib's default
   level, as zebrash's API only answers PNGs), the median of several warm runs per label, the mean over the
   labels; beside it zebrash (the npm package zpl-renderer-js under node, ``tests/oracle/zebrash.mjs``)
   timed the same way in the same run. The figure is the ratio zebrash / onboard: both sides see the same
   machine, so the ratio needs no baseline of its own (like the client's overhead).
2. **check**: ``check_label`` on each label's bytes, in process, the median of warm runs per label, the
   median over the labels; its baseline, taken run by run beside it, is zxing-cpp's quick pass over a 4x6 in
   drawing made without any of onboard's code.
3. **peak memory**: ``ru_maxrss`` of a fresh interpreter that checks every label of the corpus in turn
   (resident memory, so what Pillow, PDFium and zxing-cpp hold counts; tracemalloc would miss it), started
   by a bare interpreter so that the bench's own memory does not count.
4. **read in full**, for the record: the labels where every symbol the README lists is among what
   ``check_label`` reports.

Each figure that cannot be taken (no corpus, no interpreter yet, no node) says why instead.
"""

from __future__ import annotations

import importlib
import io
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image

from onboard.bench.verdicts import Baseline, Figure

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "labels" / "zpl"
README = CORPUS.parent / "README.md"
DPI = 203
RATIO_TARGET = 3.0
CHECK_TARGET_MS = 60.0
RATIO_FIGURE = "ZPL render, zebrash / onboard (corpus)"
CHECK_FIGURE = "label check, ZPL corpus (median)"
#: zxing-cpp's quick pass over the baseline drawing on this 2-core machine with nothing else running
#: (2026-12-01: medians of 200 passes in six fresh processes, 4.8-5.1 ms when quiet, 6.8-7.3 ms when not)
ZXING_MS_AT_REST = 5.0
#: zxing-cpp's names for the README's words, where they differ
_SYMBOLOGIES = {"QR": "QR Code"}
_LISTED = re.compile(r"(?:^|,)\s*([^,`]+?)\s*`([^`]+)`")
_ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Listed:
    """A barcode the corpus README lists for a file: zxing-cpp's symbology name and its text (or the text's
    beginning, where the README cuts it short with an ellipsis)."""

    symbology: str
    text: str
    prefix: bool = False

    def matches(self, symbology: str, text: str) -> bool:
        if symbology != self.symbology:
            return False
        return text.startswith(self.text) if self.prefix else text == self.text

    def __str__(self) -> str:
        return f"{self.symbology} {self.text}{_ELLIPSIS if self.prefix else ''}"


def listed_barcodes(readme: str) -> dict[str, tuple[Listed, ...]]:
    """File name ("ups.zpl") -> the barcodes its row of the README's table lists, in its last column."""
    listed: dict[str, tuple[Listed, ...]] = {}
    for line in readme.splitlines():
        cells = line.split("|")
        if len(cells) < 7 or not cells[1].strip().endswith(".zpl"):
            continue
        found = []
        # the last column, whatever the ones before it hold
        for words, text in _LISTED.findall("|".join(cells[5:-1])):
            symbology = _SYMBOLOGIES.get(words, words)
            cut = text.endswith(_ELLIPSIS)
            found.append(Listed(symbology, text.removesuffix(_ELLIPSIS), prefix=cut))
        listed[cells[1].strip()] = tuple(found)
    return listed


@dataclass(slots=True)
class Results:
    """What one run measured; a figure it could not take is None, and ``missing`` says why."""

    labels: int = 0
    render_ms: float | None = None  # onboard, ZPL to PNG: mean over the labels of each one's warm median
    draw_ms: float | None = None  # the same without the PNG encoding
    zebrash_ms: float | None = None
    zebrash_version: str = ""
    check_ms: float | None = None  # check_label: median over the labels of each one's warm median
    zxing_ms: float | None = None  # the check's same-run baseline
    peak_mb: float | None = None
    imports_mb: float | None = None  # the same process's peak once onboard.labels.check was imported
    read_in_full: int | None = None
    unread: list[str] = field(default_factory=list)  # "ups.zpl: MaxiCode …" for each listed symbol not read
    missing: dict[str, str] = field(default_factory=dict)  # figure -> why it was not measured

    @property
    def ratio(self) -> float | None:
        if self.render_ms is None or self.zebrash_ms is None or self.render_ms <= 0:
            return None
        return self.zebrash_ms / self.render_ms


Read = Callable[[bytes], Any]
Draw = Callable[..., Image.Image]


def _interpreter() -> tuple[Read, Draw] | str:
    """onboard's ZPL interpreter, or why it cannot be measured yet."""
    try:
        zpl = importlib.import_module("onboard.labels.zpl")
    except ImportError as exc:
        return f"onboard.labels.zpl does not import ({exc})"
    read, draw = getattr(zpl, "read_zpl", None), getattr(zpl, "draw_label", None)
    if read is None or draw is None:
        return "onboard's ZPL interpreter (onboard.labels.zpl: read_zpl, draw_label) has not landed"
    return read, draw


def _warm_median_ms(work: Callable[[], object], runs: int) -> float:
    work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _render(read: Read, draw: Draw, data: bytes, *, encode: bool) -> None:
    for label in read(data).labels:
        image = draw(label, dpi=DPI)
        if encode:
            image.save(io.BytesIO(), "PNG")


def _zebrash_ms(paths: Sequence[Path], runs: int, results: Results) -> None:
    try:
        from tests import zebrash  # noqa: PLC0415 - the oracle's wrapper lives with the tests, in the checkout
    except ImportError:
        results.missing["zebrash"] = "not measured: tests/zebrash.py is not importable (run from the checkout)"
        return
    if not zebrash.available():
        results.missing["zebrash"] = "not measured: node or zpl-renderer-js absent (npm ci --prefix tests/oracle)"
        return
    try:
        ms = zebrash.timings(paths, DPI, runs)
    except zebrash.ZebrashError as exc:
        results.missing["zebrash"] = f"not measured: {exc}"
        return
    results.zebrash_ms = statistics.fmean(ms.values())
    results.zebrash_version = zebrash.version()


def baseline_drawing() -> Image.Image:
    """A 4x6 in label at 203 dpi with a Code 128 and a Data Matrix on it, drawn by zxing-cpp and Pillow alone."""
    canvas = Image.new("L", (4 * DPI, 6 * DPI), 255)
    for text, fmt, scale, at in (
        ("1Z680RA4DL08720000", zxingcpp.BarcodeFormat.Code128, 3, (60, 800)),
        ("BASELINE 0123456789", zxingcpp.BarcodeFormat.DataMatrix, 8, (60, 100)),
    ):
        symbol = zxingcpp.create_barcode(text, fmt).to_image(scale=scale)
        rows, cols = symbol.shape
        # the stub does not declare the buffer protocol the object does implement (as in onboard.labels.barcodes)
        pixels = bytes(memoryview(symbol))  # type: ignore[arg-type]
        canvas.paste(Image.frombytes("L", (cols, rows), pixels), at)
    return canvas


def _quick_pass(image: Image.Image) -> None:
    # the very options of check_label's first, quick pass
    zxingcpp.read_barcodes(image, try_rotate=False, try_downscale=False, try_invert=False, return_errors=True)


def _check_figures(paths: Sequence[Path], runs: int, results: Results) -> None:
    from onboard.labels.check import check_label  # noqa: PLC0415

    listed = listed_barcodes(README.read_text(encoding="utf-8")) if README.is_file() else None
    drawing = baseline_drawing()
    per_label, baseline, read_in_full = [], [], 0
    for path in paths:
        data = path.read_bytes()
        report = check_label(data)
        if listed is not None:
            found = [(b.symbology, b.text) for b in report.barcodes if b.valid]
            unread = [str(want) for want in listed.get(path.name, ()) if not any(want.matches(*f) for f in found)]
            read_in_full += not unread
            results.unread.extend(f"{path.name}: {want}" for want in unread)
        checks = []
        for _ in range(runs):
            # the baseline beside each check, so both see the machine at the same moments
            started = time.perf_counter()
            check_label(data)
            middle = time.perf_counter()
            _quick_pass(drawing)
            baseline.append(time.perf_counter() - middle)
            checks.append(middle - started)
        per_label.append(statistics.median(checks) * 1000)
    results.check_ms = statistics.median(per_label)
    results.zxing_ms = statistics.median(baseline) * 1000
    if listed is None:
        results.missing["read in full"] = f"not measured: the corpus README is not at {README}"
    else:
        results.read_in_full = read_in_full


_PEAK_PROBE = """\
import resource, sys
from pathlib import Path
from onboard.labels.check import check_label
imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for path in sys.argv[1:]:
    check_label(Path(path).read_bytes())
print(imports, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


# Linux hands a process its parent's peak when it execs (the memory it was spawned from counts as its own), so
# the probe is started by a bare interpreter, far smaller than the probe's own peak, rather than by this one
_BARE_PARENT = "import subprocess, sys; sys.exit(subprocess.run([sys.executable, '-c', *sys.argv[1:]]).returncode)"


def _peak_memory(paths: Sequence[Path], results: Results) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _BARE_PARENT, _PEAK_PROBE, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        results.missing["peak memory"] = f"not measured: the probe failed: {done.stderr.strip()[-300:]}"
        return
    imports_kb, peak_kb = map(int, done.stdout.split())
    results.imports_mb, results.peak_mb = imports_kb / 1024, peak_kb / 1024  # Linux counts ru_maxrss in KiB


def measure(runs: int = 5, zebrash_runs: int = 5) -> Results:
    """Every figure of the suite over the corpus; those that cannot be taken say why in ``missing``."""
    results = Results()
    paths = sorted(CORPUS.glob("*.zpl"))
    if not paths:
        why = f"not measured: corpus absent (no ZPL labels at {CORPUS})"
        results.missing.update(dict.fromkeys(("render", "zebrash", "check", "peak memory", "read in full"), why))
        return results
    results.labels = len(paths)
    _zebrash_ms(paths, zebrash_runs, results)
    interpreter = _interpreter()
    if isinstance(interpreter, str):
        # check_label only draws a carrier's ZPL once the interpreter is in: its timings would mean nothing
        why = f"not measured: {interpreter}"
        results.missing.update(dict.fromkeys(("render", "check", "peak memory", "read in full"), why))
        return results
    read, draw = interpreter
    blobs = [path.read_bytes() for path in paths]
    for path, data in zip(paths, blobs, strict=True):
        try:
            _render(read, draw, data, encode=False)
        except ValueError as exc:  # read_zpl's word for bytes it cannot read as a label
            why = f"not measured: onboard cannot draw {path.name}: {exc}"
            results.missing.update(dict.fromkeys(("render", "check", "peak memory", "read in full"), why))
            return results
    results.render_ms = statistics.fmean(
        _warm_median_ms(partial(_render, read, draw, data, encode=True), runs) for data in blobs
    )
    results.draw_ms = statistics.fmean(
        _warm_median_ms(partial(_render, read, draw, data, encode=False), runs) for data in blobs
    )
    _check_figures(paths, runs, results)
    _peak_memory(paths, results)
    return results


# --- what the suite and the summary print ----------------------------------------------------------------


def figures(results: Results) -> list[Figure]:
    """The figures with a target, for the one table; those not measured are left out (``notes`` says why)."""
    found = []
    if results.ratio is not None:
        found.append(Figure(RATIO_FIGURE, results.ratio, "x", ">=", RATIO_TARGET))
    if results.check_ms is not None and results.zxing_ms is not None:
        what = "zxing-cpp's quick pass over a 4x6 in drawing (no onboard code)"
        baseline = Baseline(what, results.zxing_ms, ZXING_MS_AT_REST)
        found.append(Figure(CHECK_FIGURE, results.check_ms, "ms", "<", CHECK_TARGET_MS, baseline))
    return found


def notes(results: Results) -> list[str]:
    """The figures without a target, and why any figure was not measured: the lines under the table."""
    lines = []
    if results.render_ms is not None and results.draw_ms is not None:
        beside = f", zebrash {results.zebrash_ms:.1f} ms" if results.zebrash_ms is not None else ""
        lines.append(
            f"ZPL render per label: onboard {results.render_ms:.1f} ms to PNG ({results.draw_ms:.1f} ms drawn)"
            f"{beside}, same run"
        )
    elif results.zebrash_ms is not None:
        lines.append(f"ZPL render per label: zebrash {results.zebrash_ms:.1f} ms (onboard's not measured)")
    if results.peak_mb is not None and results.imports_mb is not None:
        lines.append(
            f"label check, whole ZPL corpus: peak memory {results.peak_mb:.1f} MB (ru_maxrss of a fresh process; "
            f"{results.imports_mb:.1f} MB once imported)"
        )
    if results.read_in_full is not None:
        unread = f" (not read: {'; '.join(results.unread)})" if results.unread else ""
        lines.append(
            f"ZPL corpus read in full by label check: {results.read_in_full} of {results.labels} labels{unread}"
        )
    by_reason: dict[str, list[str]] = {}
    for what, why in results.missing.items():
        by_reason.setdefault(why, []).append(what)
    lines.extend(f"{', '.join(whats)}: {why}" for why, whats in by_reason.items())
    return lines


def _line(what: str, value: float | None, unit: str, rest: str, why: str) -> str:
    shown = "" if value is None else f"{value:.1f}{'' if unit == 'x' else ' '}{unit}"
    return f"  {what:<18}{shown:>11}  {rest if value is not None else why}".rstrip()


def run(runs: int = 5, zebrash_runs: int = 5) -> int:
    results = measure(runs, zebrash_runs)
    where = f"{results.labels} carrier labels of {CORPUS}" if results.labels else str(CORPUS)
    print(f"onboard label benchmark ({where}, {DPI} dpi, median of {runs} warm runs per label)")
    missing = results.missing.get
    judged = {f.what: f for f in figures(results)}
    print(
        _line(
            "render onboard", results.render_ms, "ms", "per label, ZPL to PNG (mean over labels)", missing("render", "")
        )
    )
    if results.draw_ms is not None:
        print(_line("  drawn alone", results.draw_ms, "ms", "read_zpl and draw_label, no PNG", ""))
    zebrash = f"zpl-renderer-js {results.zebrash_version} under node, the same measure"
    print(_line("render zebrash", results.zebrash_ms, "ms", zebrash, missing("zebrash", "")))
    if RATIO_FIGURE in judged:
        verdict = judged[RATIO_FIGURE].verdict
        print(_line("zebrash / onboard", results.ratio, "x", f"target >= {RATIO_TARGET:g}x   {verdict}", ""))
    check = f"median over labels, target < {CHECK_TARGET_MS:g} ms"
    if CHECK_FIGURE in judged:
        check += f"   {judged[CHECK_FIGURE].verdict}"
    print(_line("label check", results.check_ms, "ms", check, missing("check", "")))
    if results.zxing_ms is not None:
        rest = f"its baseline: zxing-cpp's quick pass over a 4x6 in drawing ({ZXING_MS_AT_REST:g} ms at rest)"
        print(_line("  beside it", results.zxing_ms, "ms", rest, ""))
    whole = f"ru_maxrss of a fresh process checking all {results.labels} ({results.imports_mb or 0:.1f} MB imported)"
    print(_line("peak memory", results.peak_mb, "MB", whole, missing("peak memory", "")))
    if results.read_in_full is None:
        print(_line("read in full", None, "", "", missing("read in full", "")))
    else:
        print(f"  {'read in full':<18}{f'{results.read_in_full} of {results.labels}':>11}  every barcode README lists")
        for unread in results.unread:
            print(f"    not read: {unread}")
    return 0 if all(f.ok for f in judged.values()) else 1
