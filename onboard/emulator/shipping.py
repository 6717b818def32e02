"""The Shipping v2 purchase flow: rates, additional inputs, purchase, one-click and direct purchase,
tracking, documents, cancel."""

from __future__ import annotations

import base64
import re
import secrets
import uuid
from datetime import datetime

from pydantic_core import to_json
from starlette.responses import Response

from onboard.businesses import Business
from onboard.emulator import access_points, accounts, inputs, rating, replies
from onboard.emulator.gateway import Call, operation
from onboard.emulator.replies import ApiError, invalid, invalid_input, json_response, not_found
from onboard.emulator.state import REQUEST_TOKEN_TTL, Quote, Shipment
from onboard.labels.content import LabelContent, LabelParty
from onboard.labels.render import render_label
from onboard.models import requests as rq
from onboard.models import responses as rs

EMULATOR_BANNER = "ONBOARD EMULATOR - NOT A REAL LABEL"
#: the requestToken and rateId Amazon's static sandbox answers with an empty schema (its model's only static
#: case that succeeds): an integrator trying Amazon's documented request here gets Amazon's answer
STATIC_INPUTS_REQUEST = ("amzn1.rq.123456789.101", "122324234543535321345436534321423423523452345")
_WEIGHT_ABBREVIATIONS = {"GRAM": "g", "KILOGRAM": "kg", "OUNCE": "oz", "POUND": "lb"}


def _check_shipment_request(request: rq.GetRatesRequest | rq.OneClickShipmentRequest, business: Business) -> None:
    """Rules the dynamic sandbox enforces beyond the schema (Amazon's FAQ and integrators' reports): what is
    missing is ``InvalidRequest``; what is there but refused, ``InvalidInput``, as real traffic words it."""
    channel = request.channelDetails
    if channel.channelType == "EXTERNAL" and request.shipTo is None:
        raise invalid("shipTo cannot be null when channelDetails.channelType is EXTERNAL")
    if channel.channelType == "AMAZON" and channel.amazonOrderDetails is None:
        raise invalid("channelDetails.amazonOrderDetails cannot be null when channelType is AMAZON")
    if request.destinationAccessPointDetails is not None:
        access_points.destination(request.destinationAccessPointDetails, request.shipTo)
    if len(request.packages) != 1:
        raise invalid("packages must hold exactly one package: one package per shipment is supported")
    for i, item in enumerate(request.packages[0].items):
        if item.itemValue is None:
            raise invalid(
                f"packages[0].items[{i}].itemValue cannot be null: it is required to generate a label "
                "(use 1 in the shipment's currency when the item has no price)"
            )
    package = request.packages[0]
    # a lane the business does not serve is answered with NO_COVERAGE in ineligibleRates, not refused here
    if request.shipFrom.countryCode == business.country_code and package.insuredValue.unit != business.currency:
        raise invalid_input(
            f"packages[0].insuredValue.unit {package.insuredValue.unit} is not the currency of {business.id} "
            f"({business.currency})"
        )
    items_kg = sum(
        item.weight.value * rating.KG[item.weight.unit] * item.quantity for item in package.items if item.weight
    )
    if items_kg > package.weight.value * rating.KG[package.weight.unit] * 1.000001:
        raise invalid_input(replies.ITEMS_HEAVIER)


def _ship_date(call: Call, request: rq.GetRatesRequest | rq.OneClickShipmentRequest) -> datetime:
    now = call.emulator.clock.utcnow()
    if request.shipDate is None:
        return now
    ship = request.shipDate if request.shipDate.tzinfo else request.shipDate.replace(tzinfo=now.tzinfo)
    return max(ship, now)


def _rate(
    call: Call, request: rq.GetRatesRequest | rq.OneClickShipmentRequest
) -> tuple[list[rating.Json], list[rating.Json]]:
    _check_shipment_request(request, call.business)
    return rating.quote(request, call.business, _ship_date(call, request))


@operation("getRates")
async def get_rates(call: Call) -> Response:
    request, raw = await call.body(rq.GetRatesRequest)
    if request.carrierAccounts:
        accounts.check_rate_accounts(call, request.carrierAccounts)
    rates, ineligible = _rate(call, request)
    token = f"amzn1.rq.{uuid.uuid4().hex}"
    rate_json = {r["rateId"]: to_json(r) for r in rates}
    call.emulator.store.add_quote(token, Quote(call.emulator.clock.now(), call.business.id, raw, rate_json))
    call.emulator.store.counters.rates += 1
    # the rates are serialised once, for the quote kept and for the answer sent
    body = b"".join(
        [
            b'{"payload":{"requestToken":',
            to_json(token),
            b',"rates":[',
            b",".join(rate_json.values()),
            b'],"ineligibleRates":',
            to_json(ineligible),
            b"}}",
        ]
    )
    return Response(body, headers=call.headers, media_type="application/json")


def check_document_spec(rate: rs.Rate, spec: rq.RequestedDocumentSpecification) -> None:
    """Refuse a spec the rate does not list, with the choices it does list (as Amazon's errors do)."""
    supported = {s.format: s for s in rate.supportedDocumentSpecifications}
    offered = supported.get(spec.format)
    if offered is None:
        raise invalid_input(
            f"requestedDocumentSpecification.format {spec.format} is not supported by this rate; "
            f"supported formats: [{', '.join(supported)}]"
        )
    size = offered.size
    if (spec.size.width, spec.size.length, spec.size.unit) != (size.width, size.length, size.unit):
        raise invalid_input(
            f"requestedDocumentSpecification.size {spec.size.width:g}x{spec.size.length:g} {spec.size.unit} "
            f"is not supported; supported size: {size.width:g}x{size.length:g} {size.unit}"
        )
    for option in offered.printOptions:
        dpis = option.supportedDPIs or []
        if spec.dpi is None or spec.dpi not in dpis:
            raise invalid_input(
                f"requestedDocumentSpecification.dpi {spec.dpi if spec.dpi is not None else 'null'} is not "
                f"supported; supported dpi: {dpis}"
            )
        if spec.pageLayout is not None and spec.pageLayout not in option.supportedPageLayouts:
            raise invalid_input(
                f"requestedDocumentSpecification.pageLayout {spec.pageLayout} is not supported; "
                f"supported page layouts: {option.supportedPageLayouts}"
            )
        if spec.needFileJoining not in option.supportedFileJoiningOptions:
            raise invalid_input(
                f"requestedDocumentSpecification.needFileJoining {str(spec.needFileJoining).lower()} is not supported"
            )
        names = {d.name for d in option.supportedDocumentDetails}
        mandatory = {d.name for d in option.supportedDocumentDetails if d.isMandatory}
        requested = set(spec.requestedDocumentTypes)
        if requested - names or mandatory - requested:
            raise invalid_input(
                f"requestedDocumentSpecification.requestedDocumentTypes must include {sorted(mandatory)} "
                f"and only {sorted(names)}"
            )


def _check_value_added_services(rate: rs.Rate, requested: list[str], field: str) -> None:
    groups = rate.availableValueAddedServiceGroups or []
    offered = {s.id for g in groups for s in (g.valueAddedServices or [])}
    unknown = sorted(set(requested) - offered)
    if unknown:
        raise invalid_input(f"The requested value added services are invalid: {unknown} (offered: {sorted(offered)})")
    if len(set(requested)) != len(requested):
        raise invalid_input(f"{field} names a value added service twice")
    for group in groups:
        ids = {s.id for s in group.valueAddedServices or []}
        chosen = ids & set(requested)
        if group.isRequired and not chosen:
            raise invalid_input(
                f"The requested value added services are invalid: group {group.groupId} is required for this rate; "
                f"echo one of {sorted(ids)} in {field}"
            )
        if len(chosen) > 1:
            raise invalid_input(f"{field} may hold one service of group {group.groupId}, not {sorted(chosen)}")


def _check_additional_inputs(rate: rs.Rate, given: dict[str, object] | None, business: Business) -> None:
    if not rate.requiresAdditionalInputs:
        return
    if given is None:
        raise invalid_input(
            f"additionalInputs are required for rate {rate.rateId} ({rate.serviceName}): call getAdditionalInputs "
            "with its requestToken and rateId for their schema"
        )
    found = inputs.problems(rating.ADDITIONAL_INPUTS_SCHEMA, given)
    declared = given.get("declaredValue")
    if not found and isinstance(declared, dict) and declared.get("unit") != business.currency:
        found.append(f"additionalInputs.declaredValue.unit must be {business.currency}, the currency of {business.id}")
    if found:
        raise invalid_input("; ".join(found[:3]))


def _tracking_id(business: Business) -> str:
    digits = f"{secrets.randbelow(10**12):012d}"
    return f"TBA{digits}" if business.country_code == "US" else f"AS{business.country_code}{digits[:10]}"


def _party(address: rq.Address) -> LabelParty:
    return LabelParty(
        name=address.name,
        company=address.companyName,
        lines=tuple(line for line in (address.addressLine1, address.addressLine2, address.addressLine3) if line),
        city=address.city,
        state_or_region=address.stateOrRegion,
        postal_code=address.postalCode,
        country_code=address.countryCode,
    )


def _recipient(request: rq.GetRatesRequest | rq.OneClickShipmentRequest, ship_to: rq.Address) -> LabelParty:
    """Who and where the label delivers to: the ship-to address, or the access point that holds the parcel
    for the recipient (checked when the shipment was rated)."""
    details = request.destinationAccessPointDetails
    point = access_points.find(details.accessPointId) if details and details.accessPointId else None
    if point is None:
        return _party(ship_to)
    address = point["address"]
    # the emulator knows no town of a postal code: a point in the recipient's own code is in their town
    local = access_points.same_code(str(address["postalCode"]), ship_to.postalCode)
    return LabelParty(
        name=ship_to.name,
        company=str(point["name"]),
        lines=(str(address["addressLine1"]),),
        city=ship_to.city if local else str(address["city"]),
        state_or_region=ship_to.stateOrRegion if local else str(address["stateOrRegion"]),
        postal_code=ship_to.postalCode if local else str(address["postalCode"]),
        country_code=str(address["countryCode"]),
    )


def _buy(
    call: Call,
    request: rq.GetRatesRequest | rq.OneClickShipmentRequest,
    rate: rs.Rate,
    spec: rq.RequestedDocumentSpecification,
    services: tuple[str, ...] = (),
) -> tuple[Shipment, rs.PackageDocumentDetail]:
    package = request.packages[0]
    attributes = (
        set(spec.requestedLabelCustomization.requestAttributes or []) if spec.requestedLabelCustomization else set()
    )
    tracking_id = _tracking_id(call.business)
    shipment_id = f"amzn1.ship.{uuid.uuid4().hex}"
    ship_to = request.shipTo or request.shipFrom
    recipient = _recipient(request, ship_to)
    pickup = rate.promise.pickupWindow.start if rate.promise.pickupWindow else None
    content = LabelContent(
        tracking_id=tracking_id,
        ship_from=_party(request.shipFrom),
        ship_to=recipient,
        carrier_name=rate.carrierName,
        service_name=rate.serviceName,
        weight_text=f"{package.weight.value:g} {_WEIGHT_ABBREVIATIONS[package.weight.unit]}",
        ship_date=(pickup or call.emulator.clock.utcnow()).strftime("%Y-%m-%d"),
        shipment_id=shipment_id,
        reference=package.packageClientReferenceId if "PACKAGE_CLIENT_REFERENCE_ID" in attributes else "",
        sort_code=f"{recipient.country_code}-{recipient.postal_code.replace(' ', '')[:4].upper()}",
        banner=EMULATOR_BANNER,
        extra_lines=(
            *(
                (f"Seller: {package.sellerDisplayName}",)
                if "SELLER_DISPLAY_NAME" in attributes and package.sellerDisplayName
                else ()
            ),
            *((f"Services: {', '.join(services)}",) if services else ()),
        ),
    )
    dpi = spec.dpi or 203
    label = render_label(content, spec.format, dpi)
    shipment = Shipment(
        shipment_id=shipment_id,
        tracking_id=tracking_id,
        business=call.business,
        rate=rate,
        package_reference=package.packageClientReferenceId,
        label=label,
        label_format=spec.format,
        label_dpi=dpi,
        purchased_at=call.emulator.clock.utcnow(),
        ship_from=request.shipFrom,
        ship_to=ship_to,
        services=services,
    )
    call.emulator.store.add_shipment(shipment)
    call.emulator.store.counters.purchases += 1
    return shipment, _document_detail(shipment)


def _document_detail(shipment: Shipment) -> rs.PackageDocumentDetail:
    return rs.PackageDocumentDetail(
        packageClientReferenceId=shipment.package_reference,
        trackingId=shipment.tracking_id,
        packageDocuments=[
            rs.PackageDocument(
                type="LABEL",
                format=shipment.label_format,
                contents=base64.b64encode(shipment.label).decode("ascii"),
            )
        ],
    )


@operation("purchaseShipment", mutating=True)
async def purchase_shipment(call: Call) -> Response:
    key = call.request.headers.get("x-amzn-IdempotencyKey")
    request, raw = await call.body(rq.PurchaseShipmentRequest)
    store = call.emulator.store
    if (replay := call.replayed(key, key or "", raw)) is not None:
        return replay
    quote = store.quotes.get(request.requestToken)
    if quote is None:
        raise invalid("requestToken is invalid or unknown: call getRates for a new one")
    if quote.business_id != call.business.id:
        raise invalid(f"requestToken was issued for {quote.business_id}, not {call.business.id}")
    if call.emulator.clock.now() - quote.created > REQUEST_TOKEN_TTL:
        raise ApiError(
            400,
            "TOKEN_EXPIRED",
            "The requestToken has expired.",
            "purchaseShipment must follow getRates within 10 minutes: call getRates again",
        )
    rate = quote.rate(request.rateId)
    if rate is None:
        raise invalid("rateId is not one of the rates returned with this requestToken")
    check_document_spec(rate, request.requestedDocumentSpecification)
    services = tuple(s.id for s in request.requestedValueAddedServices or [])
    _check_value_added_services(rate, list(services), "requestedValueAddedServices")
    _check_additional_inputs(rate, request.additionalInputs, call.business)
    shipment, detail = _buy(call, quote.request(), rate, request.requestedDocumentSpecification, services)
    result = rs.PurchaseShipmentResult(
        shipmentId=shipment.shipment_id,
        packageDocumentDetails=[detail],
        promise=rate.promise,
        benefits=rate.benefits,
    )
    body = rs.PurchaseShipmentResponse(payload=result).model_dump_json(exclude_none=True).encode()
    if key:
        store.remember(key, raw, body)
    return Response(body, headers=call.headers, media_type="application/json")


@operation("oneClickShipment", mutating=True)
async def one_click_shipment(call: Call) -> Response:
    request, _ = await call.body(rq.OneClickShipmentRequest)
    quoted, ineligible = _rate(call, request)
    rates = [rs.Rate.model_validate(r) for r in quoted]
    wanted = request.serviceSelection.serviceId
    candidates = [r for r in rates if r.serviceId in wanted]
    if not candidates:
        reasons = "; ".join(f"{i['serviceId']}: {i['ineligibilityReasons'][0]['message']}" for i in ineligible)
        offered = sorted(r.serviceId for r in rates)
        raise invalid(
            f"none of serviceSelection.serviceId {wanted} can ship this package; " + (reasons or f"offered: {offered}")
        )
    # oneClickShipment carries no additionalInputs: a service that needs them is bought through getRates
    direct = [r for r in candidates if not r.requiresAdditionalInputs]
    if not direct:
        raise invalid_input(
            f"{', '.join(r.serviceId for r in candidates)} requires additional inputs, which oneClickShipment cannot "
            "carry: use getRates, getAdditionalInputs and purchaseShipment"
        )
    rate = min(direct, key=lambda r: r.totalCharge.value)
    check_document_spec(rate, request.labelSpecifications)
    services = tuple(s.id for s in request.valueAddedServicesDetails or [])
    _check_value_added_services(rate, list(services), "valueAddedServicesDetails")
    shipment, detail = _buy(call, request, rate, request.labelSpecifications, services)
    result = rs.OneClickShipmentResult(
        shipmentId=shipment.shipment_id,
        packageDocumentDetails=[detail],
        promise=rate.promise,
        carrier=rs.Carrier(id=rate.carrierId, name=rate.carrierName),
        service=rs.Service(id=rate.serviceId, name=rate.serviceName),
        totalCharge=rate.totalCharge,
    )
    return json_response(rs.OneClickShipmentResponse(payload=result), headers=call.headers)


def _location(address: rq.Address) -> rs.Location:
    return rs.Location(
        stateOrRegion=address.stateOrRegion,
        city=address.city,
        countryCode=address.countryCode,
        postalCode=address.postalCode,
    )


#: the summary status a tracking event leaves a shipment in
EVENT_STATUS = {
    "PickupDone": "InTransit",
    "Departed": "InTransit",
    "ArrivedAtCarrierFacility": "InTransit",
    "OutForDelivery": "OutForDelivery",
    "DeliveryAttempted": "DeliveryAttempted",
    "Delivered": "Delivered",
    "Lost": "Lost",
    "Undeliverable": "Undeliverable",
    "Rejected": "Rejected",
    "ReturnInitiated": "InTransit",
    "RecipientRequestedAlternateDeliveryTiming": "InTransit",
    "AvailableForPickup": "AwaitingCustomerPickup",
}


def _event(shipment: Shipment, code: str, at: datetime) -> rs.Event:
    return rs.Event(eventCode=code, eventTime=at, location=_location(shipment.ship_from), shipmentType="FORWARD")


@operation("getTracking")
async def get_tracking(call: Call) -> Response:
    query = call.request.query_params
    tracking_id, carrier_id = query.get("trackingId"), query.get("carrierId")
    if not tracking_id:
        raise invalid("TrackingId is missing in the request")
    if not carrier_id:
        raise invalid("CarrierId is missing in the request")
    shipment_id = call.emulator.store.by_tracking.get(tracking_id)
    shipment = call.emulator.store.shipments.get(shipment_id) if shipment_id else None
    if shipment is None or shipment.rate.carrierId != carrier_id:
        raise not_found(f"No shipment with trackingId {tracking_id} for carrierId {carrier_id}")
    # nothing moves in the sandbox: a label waits for pickup until it is cancelled
    events = [_event(shipment, "ReadyForReceive", shipment.purchased_at)]
    status = "PreTransit"
    # what the control plane (or an NDR action) made happen since: a failed delivery attempt, a return
    for code, at in shipment.events:
        events.append(_event(shipment, code, at))
        status = EVENT_STATUS.get(code, status)
    if shipment.cancelled_at is not None:
        events.append(_event(shipment, "PickupCancelled", shipment.cancelled_at))
        status = "PickupCancelled"
    delivery = shipment.rate.promise.deliveryWindow
    result = rs.GetTrackingResult(
        trackingId=shipment.tracking_id,
        alternateLegTrackingId="",
        eventHistory=events,
        promisedDeliveryDate=delivery.end if delivery else None,
        summary=rs.TrackingSummary(status=status, trackingDetailCodes=rs.TrackingDetailCodes(forward=[], returns=[])),
    )
    return json_response(rs.GetTrackingResponse(payload=result), headers=call.headers)


def _shipment(call: Call) -> Shipment:
    shipment_id = call.request.path_params["shipment_id"]
    shipment = call.emulator.store.shipments.get(shipment_id)
    if shipment is None:
        raise not_found(f"No shipment with shipmentId {shipment_id}")
    if shipment.business.id != call.business.id:
        raise not_found(f"No shipment with shipmentId {shipment_id} for {call.business.id}")
    return shipment


@operation("getShipmentDocuments")
async def get_shipment_documents(call: Call) -> Response:
    shipment = _shipment(call)
    query = call.request.query_params
    reference = query.get("packageClientReferenceId")
    if not reference:
        raise invalid("PackageClientReferenceId is missing in the request")
    if reference != shipment.package_reference:
        raise invalid(f"packageClientReferenceId {reference} is not a package of shipment {shipment.shipment_id}")
    if shipment.cancelled_at is not None:
        raise invalid(f"shipment {shipment.shipment_id} is cancelled: its documents can no longer be retrieved")
    fmt, dpi_text = query.get("format"), query.get("dpi")
    if fmt and fmt != shipment.label_format:
        raise invalid(
            f"documents are returned in the purchased format ({shipment.label_format}); "
            f"for {fmt}, cancel and purchase again"
        )
    if dpi_text:
        try:
            dpi = float(dpi_text)
        except ValueError:
            raise invalid(f"dpi '{dpi_text}' is not a number") from None
        if dpi != shipment.label_dpi:
            raise invalid(
                f"documents are returned at the purchased dpi ({shipment.label_dpi}); "
                f"for {dpi_text}, cancel and purchase again"
            )
    result = rs.GetShipmentDocumentsResult(
        shipmentId=shipment.shipment_id,
        packageDocumentDetail=_document_detail(shipment),
        benefits=shipment.rate.benefits,
    )
    return json_response(rs.GetShipmentDocumentsResponse(payload=result), headers=call.headers)


@operation("cancelShipment", mutating=True)
async def cancel_shipment(call: Call) -> Response:
    shipment = _shipment(call)
    if shipment.cancelled_at is not None:
        raise invalid(f"shipment {shipment.shipment_id} is already cancelled")
    call.emulator.store.cancel(shipment, call.emulator.clock.utcnow())
    call.emulator.store.counters.cancellations += 1
    return json_response({"payload": {}}, headers=call.headers)


@operation("getAdditionalInputs")
async def get_additional_inputs(call: Call) -> Response:
    query = call.request.query_params
    token, rate_id = query.get("requestToken"), query.get("rateId")
    # Amazon's static sandbox sends the literal string "null" for a missing token (its 400 example)
    if not token or token == "null":  # noqa: S105 - Amazon's literal, not a password
        raise invalid("RequestToken cannot be null")
    if not rate_id or rate_id == "null":
        raise invalid("RateId cannot be null")
    if (token, rate_id) == STATIC_INPUTS_REQUEST:
        return json_response({"payload": {}}, headers=call.headers)
    quote = call.emulator.store.quotes.get(token)
    if quote is None:
        raise invalid_input("requestToken is invalid or unknown: call getRates for a new one")
    if quote.business_id != call.business.id:
        raise invalid_input(f"requestToken was issued for {quote.business_id}, not {call.business.id}")
    if call.emulator.clock.now() - quote.created > REQUEST_TOKEN_TTL:
        raise ApiError(400, "TOKEN_EXPIRED", "The requestToken has expired.", "call getRates again within 10 minutes")
    rate = quote.rate(rate_id)
    if rate is None:
        raise invalid_input("rateId is not one of the rates returned with this requestToken")
    schema = rating.ADDITIONAL_INPUTS_SCHEMA if rate.requiresAdditionalInputs else {}
    return json_response({"payload": schema}, headers=call.headers)


#: what directPurchaseShipment prints when no labelSpecifications are given (Amazon's model says so)
DEFAULT_LABEL = rq.RequestedDocumentSpecification(
    format="PNG",
    size=rq.DocumentSize(width=4, length=6, unit="INCH"),
    dpi=203,
    needFileJoining=False,
    requestedDocumentTypes=["LABEL"],
)
_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")


@operation("directPurchaseShipment", mutating=True)
async def direct_purchase_shipment(call: Call) -> Response:
    key = call.request.headers.get("x-amzn-IdempotencyKey")
    locale = call.request.headers.get("locale")
    if locale is not None and not _LOCALE.match(locale):
        raise invalid(f"locale '{locale}' is not an IETF language tag such as en-US")
    request, raw = await call.body(rq.DirectPurchaseRequest)
    store = call.emulator.store
    stored_key = f"directPurchaseShipment:{call.business.id}:{key}"
    if (replay := call.replayed(key, stored_key, raw)) is not None:
        return replay
    # the model makes only channelDetails required; an off-Amazon shipment cannot be bought without these
    channel = request.channelDetails.channelType
    if request.shipFrom is None:
        raise invalid(f"shipFrom cannot be null when channelDetails.channelType is {channel}")
    if request.packages is None:
        raise invalid(f"packages cannot be null when channelDetails.channelType is {channel}")
    shipment_request = rq.GetRatesRequest(
        shipTo=request.shipTo,
        shipFrom=request.shipFrom,
        returnTo=request.returnTo,
        packages=request.packages,
        channelDetails=request.channelDetails,
    )
    quoted, ineligible = _rate(call, shipment_request)
    # the cheapest service that needs nothing more than the request holds
    rates = [r for r in (rs.Rate.model_validate(q) for q in quoted) if not r.requiresAdditionalInputs]
    if not rates:
        reasons = "; ".join(f"{i['serviceId']}: {i['ineligibilityReasons'][0]['message']}" for i in ineligible)
        raise invalid_input(f"no service can ship this package; {reasons or 'none offered'}")
    rate = min(rates, key=lambda r: r.totalCharge.value)
    spec = request.labelSpecifications or DEFAULT_LABEL
    check_document_spec(rate, spec)
    shipment, detail = _buy(call, shipment_request, rate, spec)
    result = rs.DirectPurchaseResult(shipmentId=shipment.shipment_id, packageDocumentDetailList=[detail])
    body = rs.DirectPurchaseResponse(payload=result).model_dump_json(exclude_none=True).encode()
    if key:
        store.remember(stored_key, raw, body)
    return Response(body, headers=call.headers, media_type="application/json")
