"""Injected faults: throttling, outages, lost responses and the sandbox's rate limit."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from onboard.emulator.app import EmulatorSettings
from onboard.emulator.faults import FaultSpec
from onboard.emulator.server import EmulatorServer
from tests.plain_client import Plain, error_of, spec


@pytest.fixture
def client(plain: Callable[..., Plain], emulator: EmulatorServer) -> Plain:
    return plain(emulator.url).login()


def test_a_429_storm_is_amazons_quota_error(client: Plain) -> None:
    client.control(faults="429=1")
    responses = [client.rates() for _ in range(5)]
    assert {r.status_code for r in responses} == {429}
    assert error_of(responses[0])["code"] == "QuotaExceeded"
    assert client.state()["counters"]["faults_injected"] == 5
    client.control(faults="")
    assert client.rates().status_code == 200


def test_outages_answer_500_and_503(client: Plain) -> None:
    client.control(faults="500=1")
    assert error_of(client.rates())["code"] == "InternalFailure"
    client.control(faults="503=1")
    assert error_of(client.rates())["code"] == "ServiceUnavailable"


def test_a_lost_purchase_response_still_bought_and_the_same_key_replays_it(client: Plain) -> None:
    quoted = client.rates().json()["payload"]
    client.control(faults="lost=1,only=purchaseShipment")
    key = {"x-amzn-IdempotencyKey": "lost-1"}
    lost = client.purchase(quoted["requestToken"], quoted["rates"][0]["rateId"], spec(), **key)
    assert lost.status_code == 500
    client.control(faults="")
    retried = client.purchase(quoted["requestToken"], quoted["rates"][0]["rateId"], spec(), **key)
    assert retried.status_code == 200
    state = client.state()
    assert state["counters"]["purchases"] == 1
    assert state["open_shipments"] == [retried.json()["payload"]["shipmentId"]]


def test_only_limits_faults_to_named_operations(client: Plain) -> None:
    client.control(faults="503=1,only=cancelShipment")
    assert client.rates().status_code == 200


def test_the_sandbox_rate_limit_allows_a_burst_of_15(plain: Callable[..., Plain]) -> None:
    with EmulatorServer(EmulatorSettings(faults=FaultSpec.parse("ratelimit=sandbox"))) as throttled:
        client = plain(throttled.url).login()
        statuses = [client.rates().status_code for _ in range(20)]
        assert statuses[:15] == [200] * 15
        assert 429 in statuses[15:]
        assert client.state()["counters"]["throttled"] >= 1
        client.control(faults="")
        assert client.rates().headers["x-amzn-RateLimit-Limit"] == "80"


def test_a_slow_answer_is_slow(client: Plain) -> None:
    client.control(faults="slow=1,slow_seconds=0.3")
    response = client.rates()
    assert response.status_code == 200
    assert response.elapsed.total_seconds() >= 0.3


def test_control_refuses_a_bad_fault_spec(client: Plain) -> None:
    response = client.http.post("/_emulator/control", json={"faults": "418=0.5"})
    assert response.status_code == 400
    assert "unknown fault '418'" in response.json()["error"]
