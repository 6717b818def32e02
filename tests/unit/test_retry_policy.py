"""Backoff: bounded, jittered, and Amazon's Retry-After honoured; and the budget over all of a client's
calls that ends the retries when a server fails them all."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from onboard.spapi.errors import ConnectionFailure
from onboard.spapi.limits import Budget
from onboard.spapi.retry import RetryPolicy, parse_retry_after


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0, rng=random.Random(1))
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    for attempt, ceiling in enumerate(ceilings, start=1):
        delays = [policy.delay(attempt) for _ in range(200)]
        assert min(delays) >= 0 and max(delays) <= ceiling
        assert max(delays) > ceiling / 2  # full jitter spreads over the whole range


def test_retry_after_wins_over_backoff() -> None:
    policy = RetryPolicy(base_delay=10, rng=random.Random(1))
    assert policy.delay(1, "2") == 2.0
    assert policy.delay(1, "0") == 0.0
    assert policy.delay(3, "not a date") <= 40


def test_retry_after_as_an_http_date() -> None:
    soon = datetime.now(UTC) + timedelta(seconds=30)
    seconds = parse_retry_after(format_datetime(soon, usegmt=True))
    assert seconds is not None and 28 <= seconds <= 30
    assert parse_retry_after(None) is None
    assert parse_retry_after("-5") == 0.0


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_attempt_may_not_outlast_its_own_deadline_nor_the_window_its_failure_would_close() -> None:
    clock = Clock()
    budget = Budget(attempt_seconds=30, failing_seconds=40, clock=clock)
    assert budget.seconds_for(clock.now) == 30
    budget.failed(clock.now, "getRates answered 502")
    clock.now += 35
    assert budget.seconds_for(clock.now) == pytest.approx(5)  # the window opened 35 s ago
    assert budget.allows(1.0) and budget.down is None


def test_every_call_failing_for_the_whole_window_is_a_server_down_and_later_calls_give_up_at_once() -> None:
    clock = Clock()
    budget = Budget(attempt_seconds=30, failing_seconds=40, clock=clock)
    budget.failed(clock.now, "getRates answered 502")
    clock.now += 39.8
    budget.failed(clock.now, "getRates answered 503")
    assert budget.down == "every call failed for 40 s; the last: getRates answered 503"
    assert not budget.allows(0)
    with pytest.raises(ConnectionFailure) as given_up:
        budget.give_up("cancelShipment", "127.0.0.1")
    assert given_up.value.one_line() == (
        "cancelShipment: no answer from 127.0.0.1: given up (every call failed for 40 s)"
    )


def test_any_answer_in_between_starts_the_window_again() -> None:
    clock = Clock()
    budget = Budget(attempt_seconds=30, failing_seconds=40, clock=clock)
    budget.failed(clock.now, "getRates answered 502")
    clock.now += 30
    budget.answered()  # a 200, a 400, a redirect: the server is there
    began = clock.now - 20  # an attempt begun before that answer fails after it: the window opens at the answer
    clock.now += 5
    budget.failed(began, "getTracking: no answer")
    assert budget.failing_since == 130
    assert budget.seconds_for(clock.now) == pytest.approx(30)
    clock.now += 36
    assert not budget.allows(0)  # the window opened at the answer has closed
    with pytest.raises(ConnectionFailure):
        budget.give_up("getTracking", "127.0.0.1")
    assert budget.down == "every call failed for 40 s; the last: getTracking: no answer"


def test_a_long_retry_after_ends_its_call_but_does_not_call_the_server_down() -> None:
    clock = Clock()
    budget = Budget(attempt_seconds=30, failing_seconds=40, clock=clock)
    budget.failed(clock.now, "getRates answered 429")
    clock.now += 10
    assert not budget.allows(32.0)  # Amazon asks for 32 s: past the window, so this call ends ...
    assert budget.down is None and budget.allows(1.0)  # ... and the others go on


def test_a_person_waiting_bounds_everything_whatever_answers() -> None:
    clock = Clock()
    budget = Budget(attempt_seconds=30, failing_seconds=40, total_seconds=3.5, clock=clock)
    clock.now += 1
    budget.answered()
    assert budget.seconds_for(clock.now) == pytest.approx(2.5)
    assert budget.allows(1.0) and not budget.allows(2.5)
    clock.now += 3
    assert budget.seconds_for(clock.now) == 0
    assert budget.down is None  # not down: only out of time
