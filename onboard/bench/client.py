"""Client overhead: the same getRates calls through ``ShippingClient`` and through bare httpx, one run.

Both talk to the emulator in its own process over keep-alive loopback; the ratio is what the client
adds (auth flow, retries' bookkeeping, call records, model serialisation and parsing) on top of HTTP.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx
from pydantic import SecretStr

from onboard.bench.emulator import BUSINESS_ID, _token, served_emulator
from onboard.credentials.model import Credentials
from onboard.emulator.credentials import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from onboard.samples import sample_for
from onboard.spapi.client import ShippingClient
from onboard.spapi.endpoints import Endpoints

TARGET_RATIO = 1.15


async def _raw(url: str, token: str, calls: int) -> float:
    body = sample_for(BUSINESS_ID).rates_request().model_dump_json(exclude_none=True).encode()
    headers = {
        "x-amz-access-token": token,
        "x-amzn-shipping-business-id": BUSINESS_ID,
        "content-type": "application/json",
    }
    async with httpx.AsyncClient() as http:
        started = time.perf_counter()
        for _ in range(calls):
            response = await http.post(f"{url}/shipping/v2/shipments/rates", content=body, headers=headers)
            response.raise_for_status()
            response.json()
        return time.perf_counter() - started


async def _client(url: str, calls: int) -> float:
    credentials = Credentials(DEMO_CLIENT_ID, SecretStr(DEMO_CLIENT_SECRET), SecretStr(DEMO_REFRESH_TOKEN), "demo")
    endpoints = Endpoints(f"{url}/auth/o2/token", url, "emulator", "na")
    request = sample_for(BUSINESS_ID).rates_request()
    async with ShippingClient(endpoints, credentials, BUSINESS_ID) as client:
        await client.tokens.get()  # the raw side got its token before timing too
        started = time.perf_counter()
        for _ in range(calls):
            await client.get_rates(request)
        return time.perf_counter() - started


def run(calls: int = 400, rounds: int = 5) -> int:
    with served_emulator() as url:
        token = _token(url)
        raw_times, client_times = [], []
        asyncio.run(_raw(url, token, 50))  # warm both paths up
        asyncio.run(_client(url, 50))
        for _ in range(rounds):  # interleaved, so drift on the machine hits both sides alike
            raw_times.append(asyncio.run(_raw(url, token, calls)))
            client_times.append(asyncio.run(_client(url, calls)))
    raw, ours = statistics.median(raw_times), statistics.median(client_times)
    ratio = ours / raw
    print(f"onboard client benchmark ({calls} sequential getRates x {rounds} rounds, emulator in its own process)")
    print(f"  bare httpx          {raw / calls * 1000:7.3f} ms per call")
    print(f"  ShippingClient      {ours / calls * 1000:7.3f} ms per call")
    verdict = "ok" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    print(f"  overhead ratio      {ratio:7.3f}x   target <= {TARGET_RATIO}x   {verdict}")
    return 0 if ratio <= TARGET_RATIO else 1
