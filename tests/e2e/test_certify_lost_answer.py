"""One answer lost on the way back (a timeout after the request left) fails the case it belongs to, and
only that case: the server is still there, so the rest of the run goes on and everything is cancelled."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from pydantic import SecretStr

from onboard.certify.catalog import load_catalog
from onboard.certify.record import RunRecorder, new_run_id
from onboard.certify.runner import Certification, Options
from onboard.credentials.model import Credentials
from onboard.emulator.credentials import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from onboard.emulator.server import EmulatorServer
from onboard.spapi.client import ShippingClient
from onboard.spapi.endpoints import Endpoints
from tests.workspaces import new_state

DEMO = Credentials(DEMO_CLIENT_ID, SecretStr(DEMO_CLIENT_SECRET), SecretStr(DEMO_REFRESH_TOKEN), "demo")


class LoseFirstOneClick(httpx.AsyncBaseTransport):
    """Real HTTP to the emulator; the first oneClickShipment is carried out, then its answer never comes."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path.endswith("/oneClickShipment") and not self.lost:
            self.lost += 1
            await response.aclose()
            raise httpx.ReadTimeout("the answer never came", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_one_click_whose_answer_is_lost_fails_alone_and_the_run_goes_on(tmp_path: Path) -> None:
    cases = [case for case in load_catalog() if case.id in ("TC01", "P-04", "P-05")]
    transport = LoseFirstOneClick()

    async def run() -> Certification:
        with EmulatorServer() as server:
            endpoints = Endpoints(f"{server.url}/auth/o2/token", server.url, "production", "na", custom=True)
            async with ShippingClient(endpoints, DEMO, "AmazonShipping_US", transport=transport) as client:
                # as against production: a one-click with an unknown outcome is never sent again
                certification = Certification(
                    client, new_state().profile, RunRecorder(tmp_path, new_run_id()), Options(one_click_resends=0)
                )
                await certification.run(cases)
                open_after = server.emulator.store.open_shipments()
        # the lost one-click did buy a label, and onboard never learnt its id: why it is not sent again
        # against production, and why the case says so
        assert len(open_after) == 1
        return certification

    certification = asyncio.run(run())
    results = {result.id: result for result in certification.results}
    assert transport.lost == 1
    assert results["P-04"].status == "error"
    assert "oneClickShipment: no answer from 127.0.0.1: timeout" in results["P-04"].detail
    assert certification.stopped is None  # the server answered everything else
    assert results["TC01"].status == results["P-05"].status == "passed"
    assert not certification.recorder.pending and not certification.cancel_failures
