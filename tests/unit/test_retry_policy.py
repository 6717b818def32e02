"""Backoff: bounded, jittered, and Amazon's Retry-After honoured."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

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
