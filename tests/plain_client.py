"""A deliberately plain Shipping v2 client for tests: raw httpx, no onboard client code.

It plays the integrator's own script, so the emulator is tested from the outside, the way an
independent client would use it.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx

from onboard.emulator.credentials import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from onboard.samples import sample_for

V2 = "/shipping/v2"


def spec(fmt: str = "PDF", dpi: int | None = 203, **overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": fmt,
        "size": {"width": 4, "length": 6, "unit": "INCH"},
        "needFileJoining": False,
        "requestedDocumentTypes": ["LABEL"],
    }
    if dpi is not None:
        document["dpi"] = dpi
    document.update(overrides)
    return document


class Plain:
    def __init__(self, base_url: str, business_id: str | None = "AmazonShipping_US") -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10)
        self.business_id = business_id
        self.token = ""

    def close(self) -> None:
        self.http.close()

    def token_response(self, **form: str) -> httpx.Response:
        data = {
            "grant_type": "refresh_token",
            "refresh_token": DEMO_REFRESH_TOKEN,
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        }
        data.update(form)
        return self.http.post("/auth/o2/token", data=data)

    def login(self) -> Plain:
        response = self.token_response()
        response.raise_for_status()
        self.token = response.json()["access_token"]
        return self

    def headers(self, **extra: str) -> dict[str, str]:
        headers = {"x-amz-access-token": self.token} if self.token else {}
        if self.business_id:
            headers["x-amzn-shipping-business-id"] = self.business_id
        headers.update(extra)
        return headers

    def rates_body(self, business_id: str = "AmazonShipping_US", reference: str = "ref-1") -> dict[str, Any]:
        body: dict[str, Any] = (
            sample_for(business_id).rates_request(reference).model_dump(mode="json", exclude_none=True)
        )
        return body

    def rates(self, body: dict[str, Any] | None = None, **headers: str) -> httpx.Response:
        return self.http.post(f"{V2}/shipments/rates", json=body or self.rates_body(), headers=self.headers(**headers))

    def purchase(self, token: str, rate_id: str, document: dict[str, Any], **headers: str) -> httpx.Response:
        body = {"requestToken": token, "rateId": rate_id, "requestedDocumentSpecification": document}
        return self.http.post(f"{V2}/shipments", json=body, headers=self.headers(**headers))

    def quote_and_buy(self, document: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Rates, then a purchase of the first rate: (the rate, the purchase payload)."""
        quoted = self.rates().json()["payload"]
        rate = quoted["rates"][0]
        bought = self.purchase(quoted["requestToken"], rate["rateId"], document or spec())
        assert bought.status_code == 200, bought.text
        return rate, bought.json()["payload"]

    def track(self, tracking_id: str | None, carrier_id: str | None) -> httpx.Response:
        params = {k: v for k, v in (("trackingId", tracking_id), ("carrierId", carrier_id)) if v is not None}
        return self.http.get(f"{V2}/tracking", params=params, headers=self.headers())

    def documents(self, shipment_id: str, reference: str | None, **params: str) -> httpx.Response:
        if reference is not None:
            params["packageClientReferenceId"] = reference
        return self.http.get(f"{V2}/shipments/{shipment_id}/documents", params=params, headers=self.headers())

    def cancel(self, shipment_id: str) -> httpx.Response:
        return self.http.put(f"{V2}/shipments/{shipment_id}/cancel", headers=self.headers())

    def control(self, **body: Any) -> dict[str, Any]:
        response = self.http.post("/_emulator/control", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self.http.get("/_emulator/state").json()
        return result


def label_bytes(detail: dict[str, Any]) -> bytes:
    return base64.b64decode(detail["packageDocuments"][0]["contents"], validate=True)


def error_of(response: httpx.Response) -> dict[str, Any]:
    errors: list[dict[str, Any]] = response.json()["errors"]
    assert len(errors) == 1
    return errors[0]
