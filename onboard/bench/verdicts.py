"""A figure, its target, and the verdict: against this machine at rest, whatever else it is doing.

The targets are figures "on this machine": a 2-core machine shared with other work. A busy moment can
make every process on it two or three times slower, onboard or not. So a figure that the machine's
speed moves is taken beside a baseline measured in the same run with none of onboard's work in it (a
bare Textual app's first frame, a bare interpreter's start, the emulator's server answering with no
work behind the answer), and the baseline says how much slower than at rest the machine was. A figure
that misses its target only because the whole machine was slow is judged as it would have been at
rest, and says so; one that misses at rest too is MISSED. The slowdown forgiven is capped, so a
machine too busy to measure anything cannot pass a figure either.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Compare = Literal["<", "<=", ">="]

#: beyond this, a run says nothing about onboard's own speed: no figure is excused by more
MAX_SLOWDOWN = 3.0

_COMPARE: dict[Compare, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">=": operator.ge,
}


@dataclass(frozen=True, slots=True)
class Baseline:
    """What the same machine does with none of onboard's work in it, measured beside the figure."""

    what: str
    value: float
    at_rest: float  # the same baseline on this machine when nothing else runs
    higher_is_faster: bool = False  # a rate (requests/s) rather than a time

    @property
    def slowdown(self) -> float:
        """How many times slower than at rest the machine ran (1 when as fast or faster).

        A baseline that failed (never drew, answered nothing) says nothing about the machine: 1."""
        if not (math.isfinite(self.value) and self.value > 0):
            return 1.0
        ratio = self.at_rest / self.value if self.higher_is_faster else self.value / self.at_rest
        return max(1.0, ratio)


@dataclass(frozen=True, slots=True)
class Figure:
    what: str
    value: float
    unit: str
    compare: Compare
    bound: float
    baseline: Baseline | None = None  # only for wall times that the whole machine's speed moves

    @property
    def target(self) -> str:
        return f"{self.compare} {self.bound:g}"

    def meets(self, value: float) -> bool:
        return _COMPARE[self.compare](value, self.bound)

    @property
    def at_rest(self) -> float:
        """The figure scaled to the machine at rest (itself when the machine was not slower)."""
        if self.baseline is None:
            return self.value
        slowdown = min(self.baseline.slowdown, MAX_SLOWDOWN)
        return self.value * slowdown if self.compare == ">=" else self.value / slowdown

    @property
    def ok(self) -> bool:
        return self.meets(self.value) or self.meets(self.at_rest)

    @property
    def verdict(self) -> str:
        if self.meets(self.value):
            return "ok"
        if self.meets(self.at_rest) and self.baseline is not None:
            return f"ok at rest ({_short(self.at_rest)}; machine {self.baseline.slowdown:.1f}x slower)"
        return "MISSED"


def _short(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def table(figures: list[Figure]) -> str:
    """One line per figure: value, target, the same-run baseline and the ratio to it, the verdict.

    Baselines are named by a letter in the table and spelt out beneath it."""
    letters: dict[str, str] = {}
    for f in figures:
        if f.baseline is not None and f.baseline.what not in letters:
            letters[f.baseline.what] = "abcdefghijklmnopqrstuvwxyz"[len(letters)]
    width = max(len(f.what) for f in figures)
    lines = [f"{'figure':<{width}}  {'value':>9}  unit   target     {'baseline (at rest)':<22} ratio   verdict"]
    for f in figures:
        if f.baseline is None:
            beside, ratio = "", ""
        else:
            beside = f"{letters[f.baseline.what]}: {_short(f.baseline.value)} ({_short(f.baseline.at_rest)})"
            measured = math.isfinite(f.baseline.value) and f.baseline.value > 0
            ratio = f"{f.value / f.baseline.value:.2g}x" if measured else "-"
        lines.append(
            f"{f.what:<{width}}  {f.value:>9.2f}  {f.unit:<5}  {f.target:<9}  {beside:<22} {ratio:<6}  {f.verdict}"
        )
    lines.extend(f"  {letter}: {what}" for what, letter in letters.items())
    return "\n".join(lines)
