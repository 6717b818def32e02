"""The Amazon Shipping v2 client: typed calls, retries that never buy twice, every call recorded.

Who calls it: ``creds verify`` (one getRates), the certification runner (the whole chain), the TUI.
Each Shipping call goes: LWA token (``auth.LwaAuth``) → request with ``x-amzn-shipping-business-id``
→ on 429/5xx or a transport error, backoff and try again within ``RetryPolicy`` and the client's
``Budget`` (each attempt on its deadline; every call given up once all have failed for a while) → parse
into the tolerant response models, or raise ``ApiResponseError`` with Amazon's code, message and
details. A redirect is never followed (``Redirected``): it would take the access token elsewhere.

Which calls are repeated when the outcome is unknown (a 500, a timeout after sending):
- reads (getRates, getTracking, getShipmentDocuments): always;
- purchaseShipment: always, with the same ``x-amzn-IdempotencyKey``, so Amazon answers the first purchase
  again instead of buying a second label;
- cancelShipment: always; a cancel that already happened on an attempt whose answer was lost comes back
  as "already cancelled", which is then taken as the success it was;
- oneClickShipment, submitNdrFeedback, createClaim: no idempotency key in Amazon's model, so only a 429
  or a request that never left (connection refused) is sent again;
- directPurchaseShipment and generateCollectionForm: always, with the same ``x-amzn-IdempotencyKey``;
- the other reads and the carrier-account calls (which answer the same account when repeated): always.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import platform
import ssl
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

import certifi
import httpx
from pydantic import BaseModel, ValidationError

from onboard import __version__
from onboard.credentials.model import Credentials
from onboard.files import read_json
from onboard.models import requests as rq
from onboard.models import responses as rs
from onboard.models.base import Received
from onboard.models.errors import parse_error_body
from onboard.spapi.auth import LwaAuth, TokenSource, failure_kind, redirect_target
from onboard.spapi.endpoints import Endpoints
from onboard.spapi.errors import ApiResponseError, ConnectionFailure, Redirected, SpApiError
from onboard.spapi.limits import (
    ATTEMPT_SECONDS,
    FAILING_SECONDS,
    MAX_RESPONSE_BYTES,
    Budget,
    ResponseTooLarge,
    cap_responses,
    transport_reason,
    within,
)
from onboard.spapi.retry import RETRYABLE_STATUSES, RetryPolicy

V2 = "/shipping/v2"
USER_AGENT = f"onboard/{__version__} (Language=Python/{platform.python_version()}; Platform={platform.system()})"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
R = TypeVar("R", bound=Received)

#: set by a caller (the certification runner, per case) to tag the calls made in its task
CALL_TAG: ContextVar[str | None] = ContextVar("onboard_call_tag", default=None)


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One HTTP attempt, for the run record and the sign-off pack: no bodies, no tokens."""

    operation: str
    method: str
    path: str
    attempt: int
    status: int | None
    request_id: str | None
    elapsed_ms: float
    error_code: str | None = None
    #: what the call was made for, from ``CALL_TAG`` (a certification case id)
    tag: str | None = None
    #: kept only when the client captures bodies (certification runs); never headers, so never a token
    request_body: bytes | None = None
    response_body: bytes | None = None


class ShippingClient:
    def __init__(
        self,
        endpoints: Endpoints,
        credentials: Credentials,
        business_id: str,
        *,
        policy: RetryPolicy | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        on_call: Callable[[CallRecord], None] | None = None,
        capture_bodies: bool = False,
        pace: tuple[float, int] | None = None,
        attempt_seconds: float = ATTEMPT_SECONDS,
        failing_seconds: float = FAILING_SECONDS,
        total_seconds: float | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.endpoints = endpoints
        self.business_id = business_id
        self.policy = policy or RetryPolicy()
        #: every attempt's deadline, and when to give up on a server that fails them all (``total_seconds``:
        #: for a person waiting, nothing runs past it at all)
        self.budget = Budget(
            attempt_seconds=attempt_seconds, failing_seconds=failing_seconds, total_seconds=total_seconds
        )
        self._http = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            verify=tls_context(),
            headers={"user-agent": USER_AGENT, "accept-encoding": "identity"},
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
            event_hooks={"response": [cap_responses(max_response_bytes)]},
        )
        self.tokens = TokenSource(self._http, endpoints.lwa_url, credentials, self.policy, self.budget)
        self._auth = LwaAuth(self.tokens)
        self._base = endpoints.api_url.rstrip("/")
        self._urls: dict[str, httpx.URL] = {}
        self._headers = {"x-amzn-shipping-business-id": business_id, "accept": "application/json"}
        self.calls: list[CallRecord] = []
        self._on_call = on_call
        self._capture = capture_bodies
        self._pace = Pacer(*pace) if pace else None
        #: why the server is taken to be down (connections refused through a whole backoff); None once it answers
        self.unreachable: str | None = None

    @property
    def down(self) -> str | None:
        """Why the server is taken to be down: connections refused through a whole backoff, the token URL
        failing through one, or every call failing for the budget's whole window; None while it answers."""
        return self.budget.down or self.unreachable or self.tokens.unreachable

    async def __aenter__(self) -> ShippingClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def http(self) -> httpx.AsyncClient:
        """The underlying HTTP client, for calls that are not Amazon's (the emulator's control plane)."""
        return self._http

    # --- the operations -------------------------------------------------------------------------------

    async def get_rates(self, request: rq.GetRatesRequest) -> rs.GetRatesResult:
        body = await self._call("getRates", "POST", f"{V2}/shipments/rates", body=request)
        return self._parse("getRates", body, rs.GetRatesResponse).payload

    async def purchase_shipment(
        self, request: rq.PurchaseShipmentRequest, idempotency_key: str | None = None
    ) -> rs.PurchaseShipmentResult:
        key = idempotency_key or uuid.uuid4().hex
        body = await self._call(
            "purchaseShipment", "POST", f"{V2}/shipments", body=request, headers={"x-amzn-IdempotencyKey": key}
        )
        return self._parse("purchaseShipment", body, rs.PurchaseShipmentResponse).payload

    async def one_click_shipment(self, request: rq.OneClickShipmentRequest) -> rs.OneClickShipmentResult:
        body = await self._call("oneClickShipment", "POST", f"{V2}/oneClickShipment", body=request, repeatable=False)
        return self._parse("oneClickShipment", body, rs.OneClickShipmentResponse).payload

    async def get_tracking(self, tracking_id: str, carrier_id: str) -> rs.GetTrackingResult:
        params = {"trackingId": tracking_id, "carrierId": carrier_id}
        body = await self._call("getTracking", "GET", f"{V2}/tracking", params=params)
        return self._parse("getTracking", body, rs.GetTrackingResponse).payload

    async def get_shipment_documents(
        self, shipment_id: str, package_client_reference_id: str, fmt: str | None = None, dpi: int | None = None
    ) -> rs.GetShipmentDocumentsResult:
        params: dict[str, str] = {"packageClientReferenceId": package_client_reference_id}
        if fmt:
            params["format"] = fmt
        if dpi:
            params["dpi"] = str(dpi)
        path = f"{V2}/shipments/{_segment(shipment_id)}/documents"
        body = await self._call("getShipmentDocuments", "GET", path, params=params)
        return self._parse("getShipmentDocuments", body, rs.GetShipmentDocumentsResponse).payload

    async def cancel_shipment(self, shipment_id: str, *, lost_cancel_is_done: bool = True) -> None:
        """Cancel a shipment. When an attempt's answer was lost and a retry hears "already cancelled", the
        cancel is taken as done; a caller cancelling twice on purpose (to see the error) turns that off."""
        await self._call(
            "cancelShipment",
            "PUT",
            f"{V2}/shipments/{_segment(shipment_id)}/cancel",
            lost_cancel_is_done=lost_cancel_is_done,
        )

    async def get_additional_inputs(self, request_token: str, rate_id: str) -> dict[str, Any]:
        """The JSON schema of the inputs a rate needs before its purchase (empty when it needs none)."""
        params = {"requestToken": request_token, "rateId": rate_id}
        body = await self._call("getAdditionalInputs", "GET", f"{V2}/shipments/additionalInputs/schema", params=params)
        # a JSON schema is free-form: no model bounds its shape, so its depth is bounded as it is read
        return self._parse("getAdditionalInputs", body, rs.GetAdditionalInputsResponse, free_form=True).payload

    async def direct_purchase_shipment(
        self, request: rq.DirectPurchaseRequest, idempotency_key: str | None = None, locale: str | None = None
    ) -> rs.DirectPurchaseResult:
        headers = {"x-amzn-IdempotencyKey": idempotency_key or uuid.uuid4().hex}
        if locale:
            headers["locale"] = locale
        body = await self._call(
            "directPurchaseShipment", "POST", f"{V2}/shipments/directPurchase", body=request, headers=headers
        )
        return self._parse("directPurchaseShipment", body, rs.DirectPurchaseResponse).payload

    async def get_carrier_account_form_inputs(self) -> rs.GetCarrierAccountFormInputsResponse:
        body = await self._call("getCarrierAccountFormInputs", "GET", f"{V2}/carrierAccountFormInputs")
        return self._parse("getCarrierAccountFormInputs", body, rs.GetCarrierAccountFormInputsResponse)

    async def get_carrier_accounts(
        self, request: rq.GetCarrierAccountsRequest | None = None
    ) -> rs.GetCarrierAccountsResponse:
        request = request or rq.GetCarrierAccountsRequest()
        body = await self._call("getCarrierAccounts", "PUT", f"{V2}/carrierAccounts", body=request)
        return self._parse("getCarrierAccounts", body, rs.GetCarrierAccountsResponse)

    async def link_carrier_account(
        self, carrier_id: str, request: rq.LinkCarrierAccountRequest
    ) -> rs.LinkCarrierAccountResponse:
        """Link the seller's own account with a carrier (Amazon's model defines it as PUT and as POST; PUT)."""
        path = f"{V2}/carrierAccounts/{_segment(carrier_id)}"
        body = await self._call("linkCarrierAccount", "PUT", path, body=request)
        return self._parse("linkCarrierAccount", body, rs.LinkCarrierAccountResponse)

    async def unlink_carrier_account(
        self, carrier_id: str, request: rq.UnlinkCarrierAccountRequest
    ) -> rs.UnlinkCarrierAccountResponse:
        path = f"{V2}/carrierAccounts/{_segment(carrier_id)}/unlink"
        body = await self._call("unlinkCarrierAccount", "PUT", path, body=request)
        return self._parse("unlinkCarrierAccount", body, rs.UnlinkCarrierAccountResponse)

    async def generate_collection_form(
        self, request: rq.GenerateCollectionFormRequest, idempotency_key: str | None = None
    ) -> rs.GenerateCollectionFormResponse:
        headers = {"x-amzn-IdempotencyKey": idempotency_key or uuid.uuid4().hex}
        body = await self._call(
            "generateCollectionForm", "POST", f"{V2}/collectionForms", body=request, headers=headers
        )
        return self._parse("generateCollectionForm", body, rs.GenerateCollectionFormResponse)

    async def get_collection_form_history(
        self, request: rq.GetCollectionFormHistoryRequest | None = None
    ) -> rs.GetCollectionFormHistoryResponse:
        request = request or rq.GetCollectionFormHistoryRequest()
        body = await self._call("getCollectionFormHistory", "PUT", f"{V2}/collectionForms/history", body=request)
        return self._parse("getCollectionFormHistory", body, rs.GetCollectionFormHistoryResponse)

    async def get_unmanifested_shipments(
        self, request: rq.GetUnmanifestedShipmentsRequest | None = None
    ) -> rs.GetUnmanifestedShipmentsResponse:
        request = request or rq.GetUnmanifestedShipmentsRequest()
        body = await self._call("getUnmanifestedShipments", "PUT", f"{V2}/unmanifestedShipments", body=request)
        return self._parse("getUnmanifestedShipments", body, rs.GetUnmanifestedShipmentsResponse)

    async def get_collection_form(self, collection_form_id: str) -> rs.GetCollectionFormResponse:
        path = f"{V2}/collectionForms/{_segment(collection_form_id)}"
        body = await self._call("getCollectionForm", "GET", path)
        return self._parse("getCollectionForm", body, rs.GetCollectionFormResponse)

    async def get_access_points(
        self, access_point_types: list[rq.AccessPointType], country_code: str, postal_code: str
    ) -> rs.GetAccessPointsResult:
        params = {
            "accessPointTypes": ",".join(access_point_types),
            "countryCode": country_code,
            "postalCode": postal_code,
        }
        body = await self._call("getAccessPoints", "GET", f"{V2}/accessPoints", params=params)
        return self._parse("getAccessPoints", body, rs.GetAccessPointsResponse).payload

    async def submit_ndr_feedback(self, request: rq.SubmitNdrFeedbackRequest) -> None:
        """Answered 204 with no body. No idempotency key in the model, so an unknown outcome is not resent."""
        await self._call("submitNdrFeedback", "POST", f"{V2}/ndrFeedback", body=request, repeatable=False)

    async def create_claim(self, request: rq.CreateClaimRequest) -> rs.CreateClaimResponse:
        """No idempotency key in the model: a claim whose answer was lost is not filed again."""
        body = await self._call("createClaim", "POST", f"{V2}/claims", body=request, repeatable=False)
        return self._parse("createClaim", body, rs.CreateClaimResponse)

    async def send_raw(
        self, operation: str, method: str, path: str, body: dict[str, Any] | None, *, access_token: str | None = None
    ) -> bytes:
        """A request built by hand, for certification cases that must send what the models refuse to: a
        body missing a required field, or a token that is not valid. Retries and records as any call."""
        content = json.dumps(body).encode() if body is not None else None
        return await self._call(operation, method, path, content=content, access_token=access_token)

    # --- the machinery --------------------------------------------------------------------------------

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        body: BaseModel | None = None,
        content: bytes | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        repeatable: bool = True,
        access_token: str | None = None,
        lost_cancel_is_done: bool = False,
    ) -> bytes:
        if body is not None:
            content = body.model_dump_json(exclude_none=True).encode()
        all_headers = dict(self._headers)
        auth: httpx.Auth | None = self._auth
        if access_token is not None:
            all_headers["x-amz-access-token"] = access_token
            auth = None
        if content is not None:
            all_headers["content-type"] = "application/json"
        if headers:
            all_headers.update(headers)
        url = self._urls.get(path)
        if url is None:
            # parsed once per path: httpx parses a URL string on every request (a tenth of a millisecond);
            # paths with a shipment id in them are many, so only the first few hundred are kept
            url = httpx.URL(self._base + path)
            if len(self._urls) < 256:
                self._urls[path] = url
        started = time.monotonic()
        outcome_unknown = False
        attempt = 0
        while True:
            attempt += 1
            if self._pace is not None:
                await self._pace.wait()
            if auth is not None:
                # the token first, on its own deadline, so that a stalled token URL is named as such
                await self.tokens.get()
            self.budget.give_up(operation, url.host, sent=outcome_unknown)
            clock = time.perf_counter()
            begun = self.budget.now()
            try:
                response = await within(
                    self.budget.seconds_for(begun),
                    self._http.request(method, url, content=content, params=params, headers=all_headers, auth=auth),
                )
            except ResponseTooLarge:
                self._record(operation, method, path, attempt, None, None, clock, "ResponseTooLarge", content)
                raise
            except httpx.TransportError as exc:
                self._record(operation, method, path, attempt, None, None, clock, type(exc).__name__, content)
                never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                outcome_unknown = outcome_unknown or not never_sent
                failure = ConnectionFailure(
                    operation, url.host, failure_kind(exc), transport_reason(exc), sent=outcome_unknown
                )
                self.budget.failed(begun, failure.one_line())
                # a server already found down fails the next call at once instead of costing another
                # whole backoff (a run's clean-up would otherwise wait it out once per label)
                known_down = never_sent and self.unreachable is not None
                if not known_down and (repeatable or never_sent) and await self._backoff(attempt, started, None):
                    continue
                if never_sent:
                    self.unreachable = failure.one_line()
                raise failure from None
            self.unreachable = None
            status = response.status_code
            request_id = response.headers.get("x-amzn-requestid")
            if status in RETRYABLE_STATUSES:
                self.budget.failed(begun, f"{operation} answered {status}")
            else:
                self.budget.answered()
            if status < 300:
                self._record(operation, method, path, attempt, status, request_id, clock, None, content, response)
                return response.content
            error = parse_error_body(response.content, status).first()
            code = error.code if error else f"HTTP{status}"
            self._record(operation, method, path, attempt, status, request_id, clock, code, content, response)
            if status < 400:
                raise Redirected(operation, url.host, status, redirect_target(response), "ONBOARD_SPAPI_URL")
            if status in RETRYABLE_STATUSES and (repeatable or status == 429):
                outcome_unknown = outcome_unknown or status != 429
                if await self._backoff(attempt, started, response.headers.get("retry-after")):
                    continue
            details = error.details if error else None
            if lost_cancel_is_done and outcome_unknown and status == 400 and _already_cancelled(details):
                return b'{"payload": {}}'
            raise ApiResponseError(operation, status, code, error.message if error else "", details, request_id)

    async def _backoff(self, attempt: int, started: float, retry_after: str | None) -> bool:
        """Wait before another attempt; False when the attempts or the time are used up (this call's, or the
        budget of all of them)."""
        if attempt >= self.policy.max_attempts:
            return False
        wait = self.policy.delay(attempt, retry_after)
        if time.monotonic() - started + wait > self.policy.total_seconds or not self.budget.allows(wait):
            return False
        await asyncio.sleep(wait)
        return True

    def _record(
        self,
        operation: str,
        method: str,
        path: str,
        attempt: int,
        status: int | None,
        request_id: str | None,
        clock: float,
        error_code: str | None,
        content: bytes | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        elapsed = (time.perf_counter() - clock) * 1000
        record = CallRecord(operation, method, path, attempt, status, request_id, elapsed, error_code, CALL_TAG.get())
        if self._capture:
            record = dataclasses.replace(
                record, request_body=content, response_body=response.content if response is not None else None
            )
        self.calls.append(record)
        if self._on_call is not None:
            self._on_call(record)

    @staticmethod
    def _parse(operation: str, body: bytes, model: type[R], *, free_form: bool = False) -> R:
        """The answer as ``model``; one clear SpApiError for any body it cannot be. ``free_form``: the model
        holds JSON of any shape (a schema), read by the bounded reader first, so that what nests deeper than
        any answer of Amazon's is refused here rather than met by whatever walks it next."""
        try:
            if free_form and issubclass(model, rs.Wrapped):
                return model.read(read_json(body))
            if not issubclass(model, rs.Wrapped):
                # the carrier-account, collection-form and claim answers carry no payload wrapper
                return model.model_validate_json(body)
            return model.read(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            reason = f"{where}: {first['msg']}"
        except ValueError as exc:  # not JSON, or nested too deeply (read_json)
            reason = f"body: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        raise SpApiError(
            f"{operation} answered success with a body onboard cannot read: {reason}",
            "the server may not be Amazon Shipping v2; check ONBOARD_SPAPI_URL",
        )


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client: building one reads the CA bundle (tens of milliseconds)."""
    return ssl.create_default_context(cafile=certifi.where())


class Pacer:
    """Client-side pacing to a usage plan (the sandbox allows 5 requests a second, bursts of 15), so a
    run spends its time waiting here rather than collecting 429s."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
                self.stamp = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


def _segment(value: str) -> str:
    # a shipment id goes into the path: never let it add path segments or a query
    return httpx.URL("/" + value).raw_path.decode("ascii").lstrip("/").replace("/", "%2F").replace("?", "%3F")


def _already_cancelled(details: Any) -> bool:
    return isinstance(details, str) and "already cancel" in details.lower()
