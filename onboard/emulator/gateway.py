"""What every Shipping call goes through before its handler, as at Amazon's API gateway.

In order: a request ID, injected faults, the access token (403 with Amazon's ``details`` texts), the
app's role, the usage plan (429), the business-id header, then the handler; afterwards the
``x-amzn-RateLimit-Limit`` header, and a "lost" response when a fault asks for one.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from onboard.businesses import BUSINESSES, DEFAULT_BUSINESS_ID, Business
from onboard.emulator import replies
from onboard.emulator.faults import TokenBucket
from onboard.emulator.replies import ApiError, error_response, invalid

if TYPE_CHECKING:
    from onboard.emulator.app import Emulator

log = logging.getLogger("onboard.emulator")

M = TypeVar("M", bound=BaseModel)


@dataclass(slots=True)
class Call:
    """One authorised Shipping call, as its handler sees it."""

    request: Request
    emulator: Emulator
    business: Business
    #: the app and the seller who authorized it: what Amazon's usage plans are counted per
    partner: str
    headers: dict[str, str]

    async def body(self, model: type[M]) -> tuple[M, bytes]:
        content_type = self.request.headers.get("content-type", "")
        if not content_type.startswith("application/json"):
            raise ApiError(415, "InvalidRequest", replies.UNSUPPORTED_MEDIA, f"Content-Type '{content_type}'")
        raw = await self.request.body()  # within bodies.MAX_BODY: the app refuses a bigger one unread
        try:
            return model.model_validate_json(raw), raw
        except ValidationError as exc:
            raise invalid(describe_validation(exc)) from None

    def replayed(self, key: str | None, stored_key: str, raw: bytes) -> Response | None:
        """The first answer again for an ``x-amzn-IdempotencyKey`` already answered (the key echoed back),
        None when there is no key or it is new; the same key with another body is refused, as Amazon does."""
        if not key:
            return None
        self.headers["x-amzn-IdempotencyKey"] = key
        store = self.emulator.store
        seen = store.idempotency.get(stored_key)
        if seen is None:
            return None
        if seen[0] != raw:
            raise invalid("x-amzn-IdempotencyKey was already used with a different request body")
        store.counters.idempotent_replays += 1
        return Response(seen[1], headers=self.headers, media_type="application/json")


def describe_validation(exc: ValidationError) -> str:
    """Amazon-style details naming each bad field by its JSON path, at most three of them."""
    parts = []
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    for error in errors[:3]:
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"]).lstrip(".")
        kind = error["type"]
        if kind == "json_invalid":
            parts.append(f"the request body is not valid JSON ({error['msg']})")
        elif kind == "missing":
            parts.append(f"{path} cannot be null")
        elif kind == "extra_forbidden":
            parts.append(f"{path} is not a field of this request")
        else:
            parts.append(f"{path}: {error['msg']}")
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(parts) + more


Handler = Callable[[Call], Awaitable[Response]]


def operation(name: str, *, mutating: bool = False) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a Shipping handler with the gateway's checks."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            emulator: Emulator = request.app.state.emulator
            started = time.perf_counter()
            headers = {"x-amzn-RequestId": str(uuid.uuid4())}
            emulator.store.counters.requests += 1
            decision = emulator.faults.decide(name)
            faulted = bool(decision.delay or decision.status)
            if decision.delay:
                await asyncio.sleep(decision.delay)
            business_id = request.headers.get("x-amzn-shipping-business-id")
            try:
                if decision.status:
                    emulator.store.counters.faults_injected += 1
                    raise _fault(decision.status)
                partner = _authorise(request, emulator)
                _throttle(emulator, partner, name)
                business = _business(business_id, request)
                response = await handler(Call(request, emulator, business, partner, headers))
            except ApiError as error:
                response = error_response(error, headers)
            if decision.lose_response and mutating and response.status_code == 200:
                emulator.store.counters.faults_injected += 1
                response = error_response(ApiError(500, "InternalFailure", replies.INTERNAL), headers)
                faulted = True
            if faulted:
                emulator.faults.applied()
            if response.status_code in (200, 400, 404):
                response.headers["x-amzn-RateLimit-Limit"] = _rate_header(emulator)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "%s %s %d %.1fms %s rid=%s",
                    request.method,
                    request.url.path,
                    response.status_code,
                    (time.perf_counter() - started) * 1000,
                    business_id or "(no business id)",
                    headers["x-amzn-RequestId"],
                )
            return response

        endpoint.__name__ = name
        return endpoint

    return wrap


def _fault(status: int) -> ApiError:
    if status == 429:
        return ApiError(429, "QuotaExceeded", replies.QUOTA)
    if status == 503:
        return ApiError(503, "ServiceUnavailable", replies.UNAVAILABLE)
    if status == 404:
        return ApiError(404, "NotFound", replies.NOT_FOUND, "injected by the emulator's faults")
    return ApiError(500, "InternalFailure", replies.INTERNAL)


def _authorise(request: Request, emulator: Emulator) -> str:
    token = request.headers.get("x-amz-access-token")
    if not token:
        raise ApiError(403, "Unauthorized", replies.DENIED, replies.TOKEN_MISSING)
    record = emulator.tokens.lookup(token)
    if record is None:
        raise ApiError(403, "Unauthorized", replies.DENIED, replies.TOKEN_INVALID)
    if emulator.tokens.expired(record):
        raise ApiError(403, "Unauthorized", replies.DENIED, replies.TOKEN_EXPIRED)
    if not emulator.has_role:
        # Amazon says nothing more when the app lacks the Amazon Logistics role: empty details
        raise ApiError(403, "Unauthorized", replies.DENIED, "")
    return record.partner


def _throttle(emulator: Emulator, partner: str, name: str) -> None:
    limit = emulator.faults.spec.rate_limit
    if limit is None:
        return
    now = time.monotonic()
    bucket = emulator.buckets.get((partner, name))
    if bucket is None or (bucket.rate, bucket.burst) != limit:
        bucket = emulator.buckets[(partner, name)] = TokenBucket(limit[0], limit[1], now)
    if not bucket.take(now):
        emulator.store.counters.throttled += 1
        raise ApiError(429, "QuotaExceeded", replies.QUOTA)


def _business(business_id: str | None, request: Request) -> Business:
    if business_id is None:
        log.warning(
            "%s %s without x-amzn-shipping-business-id: served as %s, as Amazon does",
            request.method,
            request.url.path,
            DEFAULT_BUSINESS_ID,
        )
        return BUSINESSES[DEFAULT_BUSINESS_ID]
    business = BUSINESSES.get(business_id)
    if business is None:
        raise invalid(f"x-amzn-shipping-business-id '{business_id}' is not one of {', '.join(BUSINESSES)}")
    return business


def _rate_header(emulator: Emulator) -> str:
    limit = emulator.faults.spec.rate_limit
    return f"{limit[0]:g}" if limit else "80"
