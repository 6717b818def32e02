"""The emulator as one ASGI app: LWA, the Shipping v2 paths, and a small control plane for tests.

``create_app(settings)`` builds it; ``onboard.emulator.server`` serves it on loopback. The control
plane under ``/_emulator/`` is not Amazon's: it lets tests and demos age tokens, switch faults and
read counters without reaching into the process.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from onboard.emulator import access_points, accounts, aftercare, manifests, replies, shipping
from onboard.emulator.bodies import BodyLimit
from onboard.emulator.clock import Clock
from onboard.emulator.credentials import AcceptedCredentials
from onboard.emulator.faults import FaultInjector, FaultSpec, FaultSpecError, TokenBucket
from onboard.emulator.journal import Journal
from onboard.emulator.lwa import ACCESS_TOKEN_TTL, TokenIssuer, token_endpoint
from onboard.emulator.replies import ApiError, error_response, json_response
from onboard.emulator.state import Store

V2 = "/shipping/v2"


@dataclass(slots=True)
class EmulatorSettings:
    credentials: AcceptedCredentials = field(default_factory=AcceptedCredentials)
    faults: FaultSpec = field(default_factory=FaultSpec)
    has_role: bool = True
    token_ttl: int = ACCESS_TOKEN_TTL
    #: a journal of what Amazon would remember (shipments, idempotency keys, carrier accounts, collection
    #: forms, claims, tracking events), replayed at start; None keeps it in memory only
    state_file: Path | None = None


class Emulator:
    """The emulator's whole state, hung on ``app.state.emulator``."""

    def __init__(self, settings: EmulatorSettings) -> None:
        self.clock = Clock()
        self.tokens = TokenIssuer(settings.credentials, self.clock, settings.token_ttl)
        self.store = Store()
        self.journal: Journal | None = None
        if settings.state_file is not None:
            self.journal = Journal.load(settings.state_file, self.store)
            self.store.journal = self.journal
        self.faults = FaultInjector(settings.faults)
        self.has_role = settings.has_role
        self.buckets: dict[tuple[str, str], TokenBucket] = {}

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()

    def snapshot(self) -> dict[str, Any]:
        counters = self.store.counters
        return {
            "counters": {name: getattr(counters, name) for name in counters.__dataclass_fields__},
            "open_shipments": [s.shipment_id for s in self.store.open_shipments()],
            "shipments": len(self.store.shipments),
            "faults": self.faults.spec.describe(),
            "has_role": self.has_role,
            "clock_offset": self.clock.offset,
        }


async def _state(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    return json_response(emulator.snapshot())


async def _control(request: Request) -> Response:
    """``POST /_emulator/control`` with any of ``advance_seconds``, ``age_quote`` (``{"requestToken",
    "seconds"}``: that quote alone made older, every other left as it is), ``faults``, ``has_role``, and
    ``tracking_event`` (``{"trackingId", "eventCode"}``: what the carrier did, e.g. ``DeliveryAttempted``)."""
    emulator: Emulator = request.app.state.emulator
    try:
        body = await request.json()
        if not isinstance(body, dict):
            raise TypeError("the body must be a JSON object")
        if "faults" in body:
            emulator.faults.replace(FaultSpec.parse(str(body["faults"])))
            emulator.buckets.clear()
        if "has_role" in body:
            emulator.has_role = bool(body["has_role"])
        if "advance_seconds" in body:
            seconds = float(body["advance_seconds"])
            if not math.isfinite(seconds) or seconds < 0:
                raise ValueError(f"advance_seconds must be a number of seconds, 0 or more, not {seconds}")
            emulator.clock.advance(seconds)
        if "age_quote" in body:
            _age_quote(emulator, body["age_quote"])
        if "tracking_event" in body:
            _tracking_event(emulator, body["tracking_event"])
    except (ValueError, TypeError, FaultSpecError) as exc:
        return json_response({"error": str(exc).splitlines()[0]}, 400)
    return json_response(emulator.snapshot())


def _age_quote(emulator: Emulator, ask: Any) -> None:
    # one quote aged, not the clock: a certification runs its cases at once, and an aged clock expired the
    # quotes of the others too (P-07 and P-12 were refused TOKEN_EXPIRED when P-08 ran beside them)
    if not isinstance(ask, dict):
        raise TypeError("age_quote must be an object with requestToken and seconds")
    token, seconds = ask.get("requestToken"), ask.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"age_quote.seconds must be a number of seconds, 0 or more, not {seconds!r}")
    quote = emulator.store.quotes.get(str(token))
    if quote is None:
        raise ValueError(f"no quote with requestToken {token!r}")
    emulator.store.quotes[str(token)] = quote._replace(created=quote.created - float(seconds))


def _tracking_event(emulator: Emulator, event: Any) -> None:
    if not isinstance(event, dict):
        raise TypeError("tracking_event must be an object with trackingId and eventCode")
    code = event.get("eventCode")
    if code not in shipping.EVENT_STATUS:
        raise ValueError(f"tracking_event.eventCode must be one of {', '.join(shipping.EVENT_STATUS)}")
    shipment_id = emulator.store.by_tracking.get(str(event.get("trackingId")))
    shipment = emulator.store.shipments.get(shipment_id) if shipment_id else None
    if shipment is None:
        raise ValueError(f"no shipment with trackingId {event.get('trackingId')!r}")
    emulator.store.add_event(shipment, str(code), emulator.clock.utcnow())


def _request_id() -> dict[str, str]:
    return {"x-amzn-RequestId": str(uuid.uuid4())}


async def _no_route(request: Request, exc: Exception) -> Response:
    # Amazon's gateway answers an unknown path or method as an authentication failure, not a 404
    return error_response(ApiError(403, "MissingAuthenticationToken", replies.DENIED), _request_id())


async def _crash(request: Request, exc: Exception) -> Response:
    return error_response(ApiError(500, "InternalFailure", replies.INTERNAL), _request_id())


def create_app(settings: EmulatorSettings | None = None) -> Starlette:
    routes = [
        Route("/auth/o2/token", token_endpoint, methods=["POST"]),
        Route(f"{V2}/shipments/rates", shipping.get_rates, methods=["POST"]),
        Route(f"{V2}/shipments", shipping.purchase_shipment, methods=["POST"]),
        Route(f"{V2}/oneClickShipment", shipping.one_click_shipment, methods=["POST"]),
        Route(f"{V2}/tracking", shipping.get_tracking, methods=["GET"]),
        Route(f"{V2}/shipments/{{shipment_id}}/documents", shipping.get_shipment_documents, methods=["GET"]),
        Route(f"{V2}/shipments/{{shipment_id}}/cancel", shipping.cancel_shipment, methods=["PUT"]),
        Route(f"{V2}/shipments/directPurchase", shipping.direct_purchase_shipment, methods=["POST"]),
        Route(f"{V2}/shipments/additionalInputs/schema", shipping.get_additional_inputs, methods=["GET"]),
        Route(f"{V2}/carrierAccountFormInputs", accounts.get_carrier_account_form_inputs, methods=["GET"]),
        Route(f"{V2}/carrierAccounts", accounts.get_carrier_accounts, methods=["PUT"]),
        Route(f"{V2}/carrierAccounts/{{carrier_id}}", accounts.link_carrier_account, methods=["PUT", "POST"]),
        Route(f"{V2}/carrierAccounts/{{carrier_id}}/unlink", accounts.unlink_carrier_account, methods=["PUT"]),
        Route(f"{V2}/collectionForms", manifests.generate_collection_form, methods=["POST"]),
        Route(f"{V2}/collectionForms/history", manifests.get_collection_form_history, methods=["PUT"]),
        Route(f"{V2}/collectionForms/{{collection_form_id}}", manifests.get_collection_form, methods=["GET"]),
        Route(f"{V2}/unmanifestedShipments", manifests.get_unmanifested_shipments, methods=["PUT"]),
        Route(f"{V2}/accessPoints", access_points.get_access_points, methods=["GET"]),
        Route(f"{V2}/ndrFeedback", aftercare.submit_ndr_feedback, methods=["POST"]),
        Route(f"{V2}/claims", aftercare.create_claim, methods=["POST"]),
        Route("/_emulator/state", _state, methods=["GET"]),
        Route("/_emulator/control", _control, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        # inside the error handling, around every route: a body over the limit is refused before it is read
        middleware=[Middleware(BodyLimit)],
        exception_handlers={HTTPException: _no_route, Exception: _crash},
    )
    app.state.emulator = Emulator(settings or EmulatorSettings())
    return app
