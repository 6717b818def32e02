"""Emulator throughput and latency: getRates requests per second, and label purchase latency per format.

The emulator runs as ``onboard sandbox serve`` in its own process (as integrators run it); load comes
from a raw keep-alive client in this process, so both share the machine's cores as they would.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx

from onboard.bench.rawhttp import RawConnection, build_request
from onboard.emulator.credentials import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from onboard.labels.formats import NAMES
from onboard.samples import sample_for

BUSINESS_ID = "AmazonShipping_US"
RATES_TARGET = 1000.0
PURCHASE_TARGET_MS = 25.0


@contextmanager
def served_emulator() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "onboard", "sandbox", "serve", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = ""
        for line in process.stdout:
            found = re.search(r"base URL\s+(\S+)", line)
            if found:
                url = found.group(1)
                break
        if not url:
            raise RuntimeError("the emulator did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _token(url: str) -> str:
    response = httpx.post(
        f"{url}/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
            "refresh_token": DEMO_REFRESH_TOKEN,
        },
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def _headers(token: str) -> dict[str, str]:
    return {
        "x-amz-access-token": token,
        "x-amzn-shipping-business-id": BUSINESS_ID,
        "Content-Type": "application/json",
    }


#: a request the emulator's server answers with no work behind it: an unknown path, refused as Amazon does (403)
BARE_PATH = "/shipping/v2/bench-bare"


def _endpoint(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def _rates_request(url: str, token: str) -> bytes:
    host, port = _endpoint(url)
    body = sample_for(BUSINESS_ID).rates_request().model_dump_json(exclude_none=True).encode()
    return build_request("POST", f"{host}:{port}", "/shipping/v2/shipments/rates", _headers(token), body)


def _bare_request(url: str, token: str) -> bytes:
    host, port = _endpoint(url)
    return build_request("GET", f"{host}:{port}", BARE_PATH, _headers(token))


async def per_second(
    url: str, request: bytes, connections: int, seconds: float, expect: int = 200
) -> tuple[float, int]:
    """Answers per second to ``request`` over ``seconds`` after a warm-up, and how many were not ``expect``."""
    host, port = _endpoint(url)
    conns = [await RawConnection.open(host, port) for _ in range(connections)]
    counts = [0] * connections
    failures = 0
    measuring = False
    stop = time.perf_counter() + 0.5 + seconds

    async def worker(i: int) -> None:
        nonlocal failures
        conn = conns[i]
        while time.perf_counter() < stop:
            status, _ = await conn.send(request)
            if measuring:
                counts[i] += 1
                failures += status != expect

    async def clock() -> float:
        nonlocal measuring
        await asyncio.sleep(0.5)
        measuring = True
        started = time.perf_counter()
        await asyncio.sleep(seconds)
        return time.perf_counter() - started

    timer = asyncio.ensure_future(clock())
    await asyncio.gather(*(worker(i) for i in range(connections)))
    elapsed = await timer
    for conn in conns:
        await conn.close()
    return sum(counts) / elapsed, failures


async def rates_per_second(url: str, token: str, connections: int, seconds: float) -> tuple[float, int]:
    """getRates answers per second, and how many were not 200."""
    return await per_second(url, _rates_request(url, token), connections, seconds)


async def _latencies(conn: RawConnection, request: bytes, count: int, expect: int, what: str) -> list[float]:
    """Milliseconds of ``count`` round trips of ``request``, after three that warm caches (fonts, barcode tables)."""
    timings = []
    for _ in range(count + 3):
        started = time.perf_counter()
        status, _ = await conn.send(request)
        timings.append((time.perf_counter() - started) * 1000)
        if status != expect:
            raise RuntimeError(f"{what} answered {status}, not {expect}")
    await conn.close()
    return timings[3:]


async def bare_latencies(url: str, token: str, count: int) -> list[float]:
    """Milliseconds of each bare round trip (``BARE_PATH``) on one keep-alive connection."""
    conn = await RawConnection.open(*_endpoint(url))
    return await _latencies(conn, _bare_request(url, token), count, 403, "the bare path")


async def purchase_latencies(url: str, token: str, fmt: str, dpi: int, count: int) -> list[float]:
    host, port = _endpoint(url)
    conn = await RawConnection.open(host, port)
    headers = _headers(token)
    status, raw = await conn.send(_rates_request(url, token))
    if status != 200:
        raise RuntimeError(f"getRates answered {status}")
    quoted: dict[str, Any] = json.loads(raw)["payload"]
    purchase = json.dumps(
        {
            "requestToken": quoted["requestToken"],
            "rateId": quoted["rates"][0]["rateId"],
            "requestedDocumentSpecification": {
                "format": fmt,
                "dpi": dpi,
                "size": {"width": 4, "length": 6, "unit": "INCH"},
                "needFileJoining": False,
                "requestedDocumentTypes": ["LABEL"],
            },
        }
    ).encode()
    request = build_request("POST", host, "/shipping/v2/shipments", headers, purchase)
    return await _latencies(conn, request, count, 200, "purchaseShipment")


class _Operations:
    """Requests for each operation beyond the purchase flow, with what each needs set up first (a label
    bought, a delivery attempted, an account linked), sent untimed on the same connection."""

    def __init__(self, conn: RawConnection, host: str, token: str) -> None:
        self.conn = conn
        self.host = host
        self.headers = _headers(token)
        sample = sample_for(BUSINESS_ID).rates_request().model_dump(mode="json", exclude_none=True)
        self.direct = {k: sample[k] for k in ("shipTo", "shipFrom", "packages", "channelDetails")}
        self.link = {
            "carrierAccountType": "SHIPPER_ACCOUNT",
            "carrierAccountAttributes": [
                {"attributeName": "accountNumber", "value": "123456789"},
                {"attributeName": "apiKey", "value": "bench-api-key-0000"},
            ],
        }

    def request(self, method: str, path: str, body: Any = None) -> bytes:
        content = json.dumps(body).encode() if body is not None else b""
        return build_request(method, self.host, f"/shipping/v2{path}", self.headers, content)

    async def _json(self, method: str, path: str, body: Any = None) -> Any:
        status, raw = await self.conn.send(self.request(method, path, body))
        if status >= 300:
            raise RuntimeError(f"{method} {path} answered {status}: {raw[:200]!r}")
        return json.loads(raw) if raw else None

    async def bought(self) -> str:
        """A label bought directly: its tracking id."""
        answer = await self._json("POST", "/shipments/directPurchase", self.direct)
        tracking: str = answer["payload"]["packageDocumentDetailList"][0]["trackingId"]
        return tracking

    async def attempted(self) -> str:
        tracking = await self.bought()
        control = json.dumps({"tracking_event": {"trackingId": tracking, "eventCode": "DeliveryAttempted"}}).encode()
        headers = {"Content-Type": "application/json"}
        await self.conn.send(build_request("POST", self.host, "/_emulator/control", headers, control))
        return tracking

    async def plan(self) -> list[tuple[str, Callable[[], Awaitable[bytes]], int]]:
        quoted = await self._json("POST", "/shipments/rates", sample_for(BUSINESS_ID).rates_request().model_dump(
            mode="json", exclude_none=True))  # fmt: skip
        needing = next(r for r in quoted["payload"]["rates"] if r["requiresAdditionalInputs"])
        inputs = f"/shipments/additionalInputs/schema?requestToken={quoted['payload']['requestToken']}"
        inputs += f"&rateId={needing['rateId']}"
        await self.bought()
        await self._json("POST", "/collectionForms", {"carrierId": "AMZN_US"})
        history = await self._json("PUT", "/collectionForms/history", {"maxResults": 1})
        form_id = history["collectionFormsHistoryRecordList"][0]["collectionFormId"]

        async def fixed(request: bytes) -> bytes:
            return request

        def same(method: str, path: str, body: Any = None) -> Callable[[], Awaitable[bytes]]:
            return functools.partial(fixed, self.request(method, path, body))

        async def unlink() -> bytes:
            linked = await self._json("PUT", "/carrierAccounts/FEDEX", self.link)
            return self.request("PUT", "/carrierAccounts/FEDEX/unlink", {"accountId": linked["accountId"]})

        async def collection_form() -> bytes:
            await self.bought()
            return self.request("POST", "/collectionForms", {"carrierId": "AMZN_US"})

        async def ndr() -> bytes:
            return self.request("POST", "/ndrFeedback", {"trackingId": await self.attempted(), "ndrAction": "RTO"})

        async def claim() -> bytes:
            body = {
                "trackingId": await self.bought(),
                "claimReason": "LOST_IN_TRANSIT",
                "settlementType": "REFUND",
                "declaredValue": {"value": 26.99, "unit": "USD"},
            }
            return self.request("POST", "/claims", body)

        points = "/accessPoints?accessPointTypes=HELIX,CORE_LOCKER&countryCode=US&postalCode=98109"
        return [
            ("directPurchaseShipment", same("POST", "/shipments/directPurchase", self.direct), 200),
            ("getAdditionalInputs", same("GET", inputs), 200),
            ("getCarrierAccountFormInputs", same("GET", "/carrierAccountFormInputs"), 200),
            ("linkCarrierAccount", same("PUT", "/carrierAccounts/FEDEX", self.link), 200),
            ("getCarrierAccounts", same("PUT", "/carrierAccounts", {}), 200),
            ("unlinkCarrierAccount", unlink, 200),
            ("getUnmanifestedShipments", same("PUT", "/unmanifestedShipments", {}), 200),
            ("generateCollectionForm", collection_form, 200),
            ("getCollectionFormHistory", same("PUT", "/collectionForms/history", {"maxResults": 10}), 200),
            ("getCollectionForm", same("GET", f"/collectionForms/{form_id}"), 200),
            ("getAccessPoints", same("GET", points), 200),
            ("submitNdrFeedback", ndr, 204),
            ("createClaim", claim, 201),
        ]


async def operation_latencies(url: str, token: str, count: int) -> dict[str, list[float]]:
    """Milliseconds of each round trip of every operation beyond the purchase flow, its set-up untimed."""
    host, port = _endpoint(url)
    conn = await RawConnection.open(host, port)
    operations = _Operations(conn, host, token)
    found: dict[str, list[float]] = {}
    for name, make, expect in await operations.plan():
        timings = []
        for _ in range(count + 3):
            request = await make()
            started = time.perf_counter()
            status, body = await conn.send(request)
            timings.append((time.perf_counter() - started) * 1000)
            if status != expect:
                raise RuntimeError(f"{name} answered {status}, not {expect}: {body[:200]!r}")
        found[name] = timings[3:]
    await conn.close()
    return found


def run(connections: int = 8, seconds: float = 3.0, purchases: int = 60) -> int:
    with served_emulator() as url:
        token = _token(url)
        # the bare round trips first and last: the baseline sees the machine before and after the figures
        bare_before, bare_failures = asyncio.run(per_second(url, _bare_request(url, token), connections, seconds, 403))
        rps, failures = asyncio.run(rates_per_second(url, token, connections, seconds))
        print(
            f"onboard emulator benchmark ({connections} keep-alive connections, {seconds:g} s,"
            " the emulator in its own process)"
        )
        verdict = "ok" if rps >= RATES_TARGET and not failures else "BELOW TARGET"
        print(
            f"  getRates                {rps:8.0f} req/s   target >= {RATES_TARGET:.0f}   {verdict}"
            f"   non-200: {failures}"
        )
        worst = 0.0
        for fmt in NAMES:
            for dpi in (203, 300):
                timings = asyncio.run(purchase_latencies(url, token, fmt, dpi, purchases))
                median = statistics.median(timings)
                p95 = statistics.quantiles(timings, n=20)[-1]
                worst = max(worst, median)
                mark = "ok" if median < PURCHASE_TARGET_MS else "BELOW TARGET"
                print(
                    f"  purchase {fmt} {dpi} dpi     median {median:6.2f} ms   p95 {p95:6.2f} ms"
                    f"   target < {PURCHASE_TARGET_MS:.0f} ms   {mark}"
                )
        for name, timings in asyncio.run(operation_latencies(url, token, purchases)).items():
            print(
                f"  {name:<27} median {statistics.median(timings):6.2f} ms"
                f"   p95 {statistics.quantiles(timings, n=20)[-1]:6.2f} ms"
            )
        bare_ms = statistics.median(asyncio.run(bare_latencies(url, token, purchases)))
        bare_after, _ = asyncio.run(per_second(url, _bare_request(url, token), connections, seconds, 403))
        bare_rps = statistics.median([bare_before, bare_after])
        print(
            f"  bare round trip         {bare_rps:8.0f} req/s   median {bare_ms:6.3f} ms"
            f"   (an unknown path, refused with 403: the server and framework, no work)   non-403: {bare_failures}"
        )
    return 0 if rps >= RATES_TARGET and worst < PURCHASE_TARGET_MS else 1
