"""Client overhead: the same getRates calls through ``ShippingClient`` and through bare httpx, one run.

Both talk to the emulator in its own process over keep-alive loopback; the ratio is what the client
adds (auth flow, retries' bookkeeping, deadlines, call records, model serialisation and parsing) on top
of HTTP. Timing whole rounds of each side in turn let the machine's drift between rounds swing the ratio
by a tenth either way; pairing the two call by call holds it within about a hundredth.
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


async def _paired(url: str, token: str, calls: int, warm_up: int = 50) -> tuple[list[float], list[float]]:
    """The same getRates through bare httpx and through ShippingClient, one after the other, call by call:
    whatever the machine does meanwhile (the emulator shares its cores) falls on both sides alike."""
    request = sample_for(BUSINESS_ID).rates_request()
    body = request.model_dump_json(exclude_none=True).encode()
    headers = {
        "x-amz-access-token": token,
        "x-amzn-shipping-business-id": BUSINESS_ID,
        "content-type": "application/json",
    }
    credentials = Credentials(DEMO_CLIENT_ID, SecretStr(DEMO_CLIENT_SECRET), SecretStr(DEMO_REFRESH_TOKEN), "demo")
    endpoints = Endpoints(f"{url}/auth/o2/token", url, "emulator", "na")
    raw: list[float] = []
    ours: list[float] = []
    async with httpx.AsyncClient() as http, ShippingClient(endpoints, credentials, BUSINESS_ID) as client:
        await client.tokens.get()  # the raw side got its token before timing too
        for number in range(warm_up + calls):
            started = time.perf_counter()
            response = await http.post(f"{url}/shipping/v2/shipments/rates", content=body, headers=headers)
            response.raise_for_status()
            response.json()
            middle = time.perf_counter()
            await client.get_rates(request)
            ended = time.perf_counter()
            if number >= warm_up:
                raw.append(middle - started)
                ours.append(ended - middle)
    return raw, ours


def run(calls: int = 1000, rounds: int = 3) -> int:
    ratios, raw_ms, ours_ms = [], [], []
    with served_emulator() as url:
        token = _token(url)
        for _ in range(rounds):
            raw, ours = asyncio.run(_paired(url, token, calls))
            ratios.append(sum(ours) / sum(raw))
            raw_ms.append(statistics.median(raw) * 1000)
            ours_ms.append(statistics.median(ours) * 1000)
    ratio = statistics.median(ratios)
    print(f"onboard client benchmark ({calls} getRates each way x {rounds} rounds, paired call by call)")
    print(f"  bare httpx          {statistics.median(raw_ms):7.3f} ms per call (median)")
    print(f"  ShippingClient      {statistics.median(ours_ms):7.3f} ms per call (median)")
    verdict = "ok" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    print(f"  overhead ratio      {ratio:7.3f}x   target <= {TARGET_RATIO}x   {verdict}")
    print(f"  rounds              {', '.join(f'{r:.3f}x' for r in ratios)}")
    return 0 if ratio <= TARGET_RATIO else 1
