"""The benchmark's verdicts: a figure is judged as on this machine at rest, never excused beyond a cap."""

from __future__ import annotations

import pytest

from onboard.bench.verdicts import MAX_SLOWDOWN, Baseline, Figure, table


def frame(value: float, bare: float | None) -> Figure:
    baseline = None if bare is None else Baseline("a bare Textual app", bare, at_rest=0.25)
    return Figure("TUI first frame", value, "s", "<", 1, baseline)


def test_a_figure_within_its_target_is_ok_whatever_the_baseline() -> None:
    assert frame(0.8, bare=0.25).verdict == "ok"
    assert frame(0.8, bare=0.10).verdict == "ok"  # a faster machine than ours changes nothing
    assert frame(0.8, bare=None).ok


def test_a_miss_on_a_busy_machine_is_judged_as_at_rest_and_says_so() -> None:
    busy = frame(1.4, bare=0.50)  # the whole machine ran twice as slow as at rest
    assert busy.ok
    assert busy.at_rest == pytest.approx(0.7)
    assert busy.verdict == "ok at rest (0.7; machine 2.0x slower)"


def test_a_miss_that_a_quiet_machine_would_miss_too_is_missed() -> None:
    assert frame(1.3, bare=0.25).verdict == "MISSED"  # the machine at rest: nothing to forgive
    assert frame(2.4, bare=0.50).verdict == "MISSED"  # 1.2 s at rest is still too slow
    assert frame(1.3, bare=None).verdict == "MISSED"  # no baseline, no excuse


def test_no_figure_is_excused_by_more_than_the_cap() -> None:
    swamped = frame(3.5, bare=0.25 * 10)  # ten times slower: a run that says nothing about onboard
    assert swamped.at_rest == pytest.approx(3.5 / MAX_SLOWDOWN)
    assert swamped.verdict == "MISSED"


def test_higher_is_better_figures_are_judged_the_other_way() -> None:
    rates = Figure("emulator getRates", 900, "req/s", ">=", 1000)
    assert rates.verdict == "MISSED"
    assert Figure("emulator getRates", 1000, "req/s", ">=", 1000).verdict == "ok"


def test_the_table_shows_each_baseline_its_ratio_and_what_it_is() -> None:
    text = table([frame(1.4, bare=0.50), Figure("demo peak memory", 160, "MB", "<", 200)])
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["figure", "value", "unit", "target"]
    assert "a: 0.5 (0.25)" in lines[1] and "2.8x" in lines[1] and lines[1].endswith("2.0x slower)")
    assert lines[2].endswith("ok") and "x " not in lines[2]
    assert lines[3] == "  a: a bare Textual app"


def test_a_rate_is_scaled_up_by_the_slowdown_its_own_baseline_shows() -> None:
    bare = Baseline("the server answering with no work", 4000, at_rest=8000, higher_is_faster=True)
    assert bare.slowdown == pytest.approx(2.0)
    rates = Figure("emulator getRates", 700, "req/s", ">=", 1000, bare)
    assert rates.at_rest == pytest.approx(1400)
    assert rates.verdict == "ok at rest (1400; machine 2.0x slower)"
    assert Figure("emulator getRates", 400, "req/s", ">=", 1000, bare).verdict == "MISSED"
    quick = Baseline("the server answering with no work", 9000, at_rest=8000, higher_is_faster=True)
    assert quick.slowdown == 1.0  # faster than at rest forgives nothing


def test_a_baseline_that_failed_excuses_nothing() -> None:
    assert frame(1.3, bare=float("inf")).verdict == "MISSED"  # the bare app never drew: no measure of the machine
    dead = Baseline("the server answering with no work", 0.0, at_rest=8000, higher_is_faster=True)
    assert Figure("emulator getRates", 700, "req/s", ">=", 1000, dead).verdict == "MISSED"
    assert "a: 0 (8000)" in table([Figure("emulator getRates", 700, "req/s", ">=", 1000, dead)])  # and no ratio
