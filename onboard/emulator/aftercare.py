"""After the label: NDR feedback (submitNdrFeedback) and claims (createClaim).

NDR feedback is taken only for a shipment whose last event is a failed delivery attempt (the control
plane's ``tracking_event`` plays one); each action shows in tracking. A claim needs a shipment of the
business that was not cancelled, a declared value in its currency (off-Amazon shipments), and a reason
its tracking supports; createClaim's errors say ``InvalidInputException``, as its part of the model does.
"""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from starlette.responses import Response

from onboard.emulator.gateway import Call, operation
from onboard.emulator.replies import INVALID_REQUEST, ApiError, invalid, invalid_input, json_response, not_found
from onboard.emulator.state import Shipment
from onboard.models import requests as rq

#: how far ahead a delivery may be rescheduled
RESCHEDULE_DAYS = 7


def _by_tracking(call: Call, tracking_id: str) -> Shipment:
    store = call.emulator.store
    shipment_id = store.by_tracking.get(tracking_id)
    shipment = store.shipments.get(shipment_id) if shipment_id else None
    if shipment is None or shipment.business.id != call.business.id:
        raise not_found(f"No shipment with trackingId {tracking_id}")
    return shipment


def _last_event(shipment: Shipment) -> str:
    if shipment.cancelled_at is not None:
        return "PickupCancelled"
    return shipment.events[-1][0] if shipment.events else "ReadyForReceive"


@operation("submitNdrFeedback", mutating=True)
async def submit_ndr_feedback(call: Call) -> Response:
    request, _ = await call.body(rq.SubmitNdrFeedbackRequest)
    shipment = _by_tracking(call, request.trackingId)
    last = _last_event(shipment)
    if last != "DeliveryAttempted":
        raise invalid_input(
            f"NDR feedback is taken only for a shipment whose delivery was attempted; trackingId "
            f"{request.trackingId} is at {last}"
        )
    data = request.ndrRequestData or rq.NdrRequestData()
    now = call.emulator.clock.utcnow()
    if request.ndrAction == "RESCHEDULE":
        if data.rescheduleDate is None:
            raise invalid("ndrRequestData.rescheduleDate cannot be null when ndrAction is RESCHEDULE")
        when = data.rescheduleDate if data.rescheduleDate.tzinfo else data.rescheduleDate.replace(tzinfo=UTC)
        if not now < when <= now + timedelta(days=RESCHEDULE_DAYS):
            raise invalid_input(f"ndrRequestData.rescheduleDate must be after now and within {RESCHEDULE_DAYS} days")
        call.emulator.store.add_event(shipment, "RecipientRequestedAlternateDeliveryTiming", now)
    elif request.ndrAction == "REATTEMPT":
        if not data.additionalAddressNotes:
            raise invalid("ndrRequestData.additionalAddressNotes cannot be null when ndrAction is REATTEMPT")
        call.emulator.store.add_event(shipment, "OutForDelivery", now)
    else:
        call.emulator.store.add_event(shipment, "ReturnInitiated", now)
    return Response(status_code=204, headers=call.headers)


def _claim_error(details: str) -> ApiError:
    return ApiError(400, "InvalidInputException", INVALID_REQUEST, details)


_NEEDS_DELIVERY = {"DELIVERED_NOT_RECEIVED", "ITEM_MISSING_SWITCHEROO"}


@operation("createClaim", mutating=True)
async def create_claim(call: Call) -> Response:
    request, _ = await call.body(rq.CreateClaimRequest)
    shipment = _by_tracking(call, request.trackingId)
    if shipment.cancelled_at is not None:
        raise _claim_error(f"trackingId {request.trackingId} was cancelled before pickup: there is nothing to claim")
    if request.declaredValue is None:
        raise _claim_error("declaredValue is required for off-Amazon shipments")
    if request.declaredValue.unit != call.business.currency:
        raise _claim_error(
            f"declaredValue.unit {request.declaredValue.unit} is not the currency of {call.business.id} "
            f"({call.business.currency})"
        )
    if request.declaredValue.value <= 0:
        raise _claim_error("declaredValue.value must be more than 0")
    events = {code for code, _ in shipment.events}
    if request.claimReason in _NEEDS_DELIVERY and "Delivered" not in events:
        raise _claim_error(
            f"claimReason {request.claimReason} needs a delivered shipment; it is at {_last_event(shipment)}"
        )
    if request.claimReason == "COD_ABUSE":
        raise _claim_error("claimReason COD_ABUSE needs a collect-on-delivery shipment; this one is prepaid")
    for index, proof in enumerate(request.proofs or []):
        parts = urlsplit(proof)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _claim_error(f"proofs[{index}] is not a URL")
    existing = shipment.claims.get(request.claimReason)
    if existing is not None:
        raise _claim_error(f"a {request.claimReason} claim already exists for this shipment: claimId {existing}")
    claim_id = f"amzn1.claim.{uuid.uuid4().hex[:24]}"
    call.emulator.store.add_claim(shipment, request.claimReason, claim_id)
    return json_response({"claimId": claim_id}, 201, headers=call.headers)
