"""The Shipping client against the emulator over loopback: tokens, retries that never buy twice, records."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest
from pydantic import SecretStr

from onboard.credentials.model import Credentials
from onboard.emulator.app import EmulatorSettings
from onboard.emulator.credentials import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from onboard.emulator.faults import FaultSpec
from onboard.emulator.server import EmulatorServer
from onboard.models import requests as rq
from onboard.samples import sample_for
from onboard.spapi.client import ShippingClient
from onboard.spapi.endpoints import Endpoints
from onboard.spapi.errors import ApiResponseError, ConnectionFailure, TokenExchangeError
from onboard.spapi.retry import RetryPolicy

T = TypeVar("T")
FAST = RetryPolicy(max_attempts=8, base_delay=0.005, max_delay=0.05, total_seconds=10, rng=random.Random(7))
DEMO = Credentials(DEMO_CLIENT_ID, SecretStr(DEMO_CLIENT_SECRET), SecretStr(DEMO_REFRESH_TOKEN), "demo")


def client_for(server: EmulatorServer, business_id: str = "AmazonShipping_US", **kwargs: Any) -> ShippingClient:
    endpoints = Endpoints(f"{server.url}/auth/o2/token", server.url, "emulator", "na")
    return ShippingClient(endpoints, kwargs.pop("credentials", DEMO), business_id, policy=FAST, **kwargs)


def run(server: EmulatorServer, body: Callable[[ShippingClient], Awaitable[T]], **kwargs: Any) -> T:
    async def main() -> T:
        async with client_for(server, **kwargs) as client:
            return await body(client)

    return asyncio.run(main())


def label_spec(fmt: str = "ZPL", dpi: int = 203) -> rq.RequestedDocumentSpecification:
    return rq.RequestedDocumentSpecification(
        format=fmt,  # type: ignore[arg-type]
        size=rq.DocumentSize(width=4, length=6, unit="INCH"),
        dpi=dpi,
        needFileJoining=False,
        requestedDocumentTypes=["LABEL"],
    )


async def buy(client: ShippingClient, key: str | None = None) -> tuple[str, str, str]:
    """rates → purchase: (shipment id, tracking id, carrier id)."""
    quoted = await client.get_rates(sample_for(client.business_id).rates_request())
    rate = quoted.rates[0]
    bought = await client.purchase_shipment(
        rq.PurchaseShipmentRequest(
            requestToken=quoted.requestToken, rateId=rate.rateId, requestedDocumentSpecification=label_spec()
        ),
        idempotency_key=key,
    )
    tracking = bought.packageDocumentDetails[0].trackingId
    assert tracking is not None
    return bought.shipmentId, tracking, rate.carrierId


def test_the_four_flows_with_every_call_recorded(emulator: EmulatorServer) -> None:
    async def flows(client: ShippingClient) -> None:
        shipment_id, tracking_id, carrier_id = await buy(client)
        assert (await client.get_tracking(tracking_id, carrier_id)).summary.status == "PreTransit"
        await client.cancel_shipment(shipment_id)
        assert (await client.get_tracking(tracking_id, carrier_id)).summary.status == "PickupCancelled"

    client = client_for(emulator)
    asyncio.run(_using(client, flows))
    operations = [c.operation for c in client.calls]
    assert operations == ["getRates", "purchaseShipment", "getTracking", "cancelShipment", "getTracking"]
    assert all(c.status == 200 and c.request_id for c in client.calls)
    assert len({c.request_id for c in client.calls}) == 5


async def _using(client: ShippingClient, body: Callable[[ShippingClient], Awaitable[T]]) -> T:
    async with client:
        return await body(client)


def test_an_expired_token_is_refreshed_once_and_the_call_retried(emulator: EmulatorServer) -> None:
    async def body(client: ShippingClient) -> None:
        await client.get_rates(sample_for("AmazonShipping_US").rates_request())
        # Amazon's clock moves on an hour; the client's cache does not know
        emulator.emulator.clock.advance(3601)
        await client.get_rates(sample_for("AmazonShipping_US").rates_request())

    run(emulator, body)
    assert emulator.emulator.store.counters.tokens_issued == 2


def test_the_token_is_refreshed_ahead_of_its_expiry() -> None:
    with EmulatorServer(EmulatorSettings(token_ttl=2)) as short:

        async def body(client: ShippingClient) -> None:
            await client.get_rates(sample_for("AmazonShipping_US").rates_request())
            await asyncio.sleep(2.05)  # past the refresh point (a tenth of the lifetime early)
            await client.get_rates(sample_for("AmazonShipping_US").rates_request())

        run(short, body)
        counters = short.emulator.store.counters
        assert counters.tokens_issued == 2
        assert counters.rates == 2  # no call was refused as expired first


def test_one_token_exchange_for_many_concurrent_calls(emulator: EmulatorServer) -> None:
    async def body(client: ShippingClient) -> None:
        request = sample_for("AmazonShipping_US").rates_request()
        await asyncio.gather(*(client.get_rates(request) for _ in range(20)))

    run(emulator, body)
    assert emulator.emulator.store.counters.tokens_issued == 1


def test_a_429_storm_is_ridden_out(emulator: EmulatorServer) -> None:
    emulator.emulator.faults.replace(FaultSpec.parse("429=0.5,seed=3"))

    async def body(client: ShippingClient) -> int:
        request = sample_for("AmazonShipping_US").rates_request()
        results = [await client.get_rates(request) for _ in range(20)]
        return len(results)

    client = client_for(emulator)
    assert asyncio.run(_using(client, body)) == 20
    throttled = [c for c in client.calls if c.status == 429]
    assert throttled and all(c.error_code == "QuotaExceeded" for c in throttled)


def test_retries_are_bounded(emulator: EmulatorServer) -> None:
    emulator.emulator.faults.replace(FaultSpec.parse("503=1"))
    client = client_for(emulator)
    started = time.monotonic()
    with pytest.raises(ApiResponseError) as caught:
        asyncio.run(_using(client, lambda c: c.get_rates(sample_for("AmazonShipping_US").rates_request())))
    assert caught.value.code == "ServiceUnavailable"
    assert caught.value.request_id
    assert len(client.calls) == FAST.max_attempts
    assert time.monotonic() - started < 5


def test_lost_purchase_answers_never_buy_twice(emulator: EmulatorServer) -> None:
    emulator.emulator.faults.replace(FaultSpec.parse("lost=0.5,500=0.2,only=purchaseShipment,seed=11"))

    async def body(client: ShippingClient) -> list[str]:
        return [(await buy(client))[0] for _ in range(10)]

    client = client_for(emulator)
    shipments = asyncio.run(_using(client, body))
    counters = emulator.emulator.store.counters
    assert len(set(shipments)) == 10
    assert counters.purchases == 10  # ten bought, however many attempts it took
    assert counters.faults_injected > 0
    assert counters.idempotent_replays > 0
    assert sum(c.operation == "purchaseShipment" for c in client.calls) > 10


def test_a_cancel_whose_answer_was_lost_still_counts(emulator: EmulatorServer) -> None:
    async def body(client: ShippingClient) -> None:
        shipment_id, _, _ = await buy(client)
        emulator.emulator.faults.replace(FaultSpec.parse("lost=1,only=cancelShipment"))
        await client.cancel_shipment(shipment_id)

    run(emulator, body)
    assert emulator.emulator.store.counters.cancellations == 1
    assert emulator.emulator.store.open_shipments() == []


def test_one_click_is_not_repeated_after_an_unknown_outcome(emulator: EmulatorServer) -> None:
    emulator.emulator.faults.replace(FaultSpec.parse("500=1,only=oneClickShipment"))
    request = sample_for("AmazonShipping_US").rates_request()
    one_click = rq.OneClickShipmentRequest(
        shipFrom=request.shipFrom,
        shipTo=request.shipTo,
        packages=request.packages,
        channelDetails=request.channelDetails,
        labelSpecifications=label_spec(),
        serviceSelection=rq.ServiceSelection(serviceId=["SWA-US-STD"]),
    )
    client = client_for(emulator)
    with pytest.raises(ApiResponseError) as caught:
        asyncio.run(_using(client, lambda c: c.one_click_shipment(one_click)))
    assert len(client.calls) == 1
    assert caught.value.outcome_unknown  # the caller is told nobody knows whether a label was bought


def test_errors_carry_amazons_code_message_and_details(emulator: EmulatorServer) -> None:
    client = client_for(emulator)
    with pytest.raises(ApiResponseError) as caught:
        asyncio.run(_using(client, lambda c: c.get_tracking("TBA000000000000", "AMZN_US")))
    error = caught.value
    assert (error.status, error.code) == (404, "NotFound")
    assert "TBA000000000000" in (error.details or "")
    assert error.request_id == client.calls[-1].request_id


def test_the_business_id_is_always_sent(emulator: EmulatorServer, caplog: pytest.LogCaptureFixture) -> None:
    async def body(client: ShippingClient) -> str:
        quoted = await client.get_rates(sample_for("AmazonShipping_UK").rates_request())
        return quoted.rates[0].totalCharge.unit

    with caplog.at_level("WARNING", logger="onboard.emulator"):
        assert run(emulator, body, business_id="AmazonShipping_UK") == "GBP"
    assert "without x-amzn-shipping-business-id" not in caplog.text


def test_wrong_secret_is_a_typed_token_error(emulator: EmulatorServer) -> None:
    wrong = Credentials(DEMO_CLIENT_ID, SecretStr("rotated-away"), SecretStr(DEMO_REFRESH_TOKEN), "environment")
    with pytest.raises(TokenExchangeError) as caught:
        run(emulator, lambda c: c.tokens.get(), credentials=wrong)
    assert (caught.value.status, caught.value.error) == (401, "invalid_client")
    assert "rotated-away" not in str(caught.value)


def test_nothing_listening_is_a_connection_failure() -> None:
    with EmulatorServer() as server:
        url = server.url
    client = ShippingClient(
        Endpoints(f"{url}/auth/o2/token", url, "emulator", "na"), DEMO, "AmazonShipping_US", policy=FAST
    )
    with pytest.raises(ConnectionFailure) as caught:
        asyncio.run(_using(client, lambda c: c.tokens.get()))
    assert caught.value.kind == "connection refused"


def test_retry_after_is_honoured() -> None:
    """A server that asks for a pause with Retry-After gets it, through the transport seam."""
    seen: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(time.monotonic())
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "Atza|t", "expires_in": 3600})
        if len(seen) == 2:
            return httpx.Response(
                429,
                headers={"Retry-After": "0.3"},
                json={"errors": [{"code": "QuotaExceeded", "message": "slow down"}]},
            )
        return httpx.Response(200, json={"payload": {}})

    endpoints = Endpoints("http://lwa.test/auth/o2/token", "http://api.test", "sandbox", "na", custom=True)
    client = ShippingClient(
        endpoints,
        DEMO,
        "AmazonShipping_US",
        policy=RetryPolicy(base_delay=5, max_delay=5),
        transport=httpx.MockTransport(handler),
    )
    asyncio.run(_using(client, lambda c: c.cancel_shipment("amzn1.ship.x")))
    assert [c.status for c in client.calls] == [429, 200]
    assert 0.28 <= seen[2] - seen[1] < 2


def test_a_server_that_went_away_costs_one_backoff_not_one_per_call() -> None:
    async def body() -> tuple[ConnectionFailure, ConnectionFailure, int, int]:
        with EmulatorServer() as server:
            client = client_for(server)
            await client.tokens.get()  # a valid token is cached: only the Shipping calls will fail
        async with client:
            with pytest.raises(ConnectionFailure) as first:
                await client.get_tracking("TBA000000000001", "AMZN_US")
            after_first = len(client.calls)
            with pytest.raises(ConnectionFailure) as second:
                await client.cancel_shipment("amzn1.ship.gone")
            return first.value, second.value, after_first, len(client.calls) - after_first

    first, second, first_attempts, second_attempts = asyncio.run(body())
    assert (first_attempts, second_attempts) == (FAST.max_attempts, 1)
    assert first.kind == second.kind == "connection refused"
    assert not first.outcome_unknown and not second.outcome_unknown  # refused: nothing reached a server
