"""Reading --faults specs: every mistake is one line naming the bad part."""

from __future__ import annotations

import pytest

from onboard.emulator.faults import FaultInjector, FaultSpec, FaultSpecError, TokenBucket


def test_a_full_spec_reads() -> None:
    spec = FaultSpec.parse("429=0.2, 500=0.05,503=0.01,lost=0.1,slow=0.02,slow_seconds=1.5,ratelimit=5/15,seed=7")
    assert (spec.p429, spec.p500, spec.p503, spec.lost, spec.slow, spec.slow_seconds) == (
        0.2,
        0.05,
        0.01,
        0.1,
        0.02,
        1.5,
    )
    assert spec.rate_limit == (5.0, 15)
    assert spec.seed == 7
    assert FaultSpec.parse("ratelimit=sandbox").rate_limit == (5.0, 15)
    assert FaultSpec.parse("").describe() == "none"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("429", "needs a value"),
        ("429=often", "must be a number"),
        ("500=1.5", "between 0 and 1"),
        ("429=0.6,500=0.6", "add up to more than 1"),
        ("teapot=1", "unknown fault 'teapot'"),
        ("ratelimit=fast", "must look like 5/15"),
        ("only=getRatez", "unknown operations ['getRatez']"),
        ("seed=x", "whole number"),
        ("times=0", "at least 1"),
        ("times=two", "at least 1"),
        ("times=²", "at least 1"),
    ],
)
def test_bad_specs_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message.replace("[", r"\[").replace("]", r"\]")) as caught:
        FaultSpec.parse(text)
    assert "\n" not in str(caught.value)


def test_seeded_draws_repeat_and_match_their_rates() -> None:
    spec = FaultSpec.parse("429=0.2,500=0.05,seed=3")
    draws = [FaultInjector(spec).decide("getRates").status for _ in range(1)]
    first = FaultInjector(spec)
    second = FaultInjector(spec)
    run_a = [first.decide("getRates").status for _ in range(2000)]
    run_b = [second.decide("getRates").status for _ in range(2000)]
    assert run_a == run_b and draws[0] == run_a[0]
    assert 0.17 < run_a.count(429) / 2000 < 0.23
    assert 0.03 < run_a.count(500) / 2000 < 0.07


def test_times_caps_the_faults_injected_until_the_spec_is_replaced() -> None:
    injector = FaultInjector(FaultSpec.parse("500=1,only=oneClickShipment,times=2"))

    def applied(operation: str) -> int | None:
        decision = injector.decide(operation)
        if decision.status:
            injector.applied()  # as the gateway does when it answers with the fault
        return decision.status

    assert [applied("getRates") for _ in range(3)] == [None, None, None]
    assert [applied("oneClickShipment") for _ in range(4)] == [500, 500, None, None]
    injector.replace(FaultSpec.parse("503=1,times=1"))
    assert [applied("getTracking") for _ in range(2)] == [503, None]
    assert "1 time(s) at most" in FaultSpec.parse("503=1,times=1").describe()


def test_token_bucket_refills_at_its_rate() -> None:
    bucket = TokenBucket(rate=5, burst=15, now=0.0)
    assert sum(bucket.take(0.0) for _ in range(20)) == 15
    assert bucket.take(0.1) is False
    assert bucket.take(0.2) is True
    assert sum(bucket.take(10.0) for _ in range(20)) == 15
