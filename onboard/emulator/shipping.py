"""The Shipping v2 operations: rates, purchase, one-click purchase, tracking, documents, cancel."""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime

from pydantic_core import to_json
from starlette.responses import Response

from onboard.businesses import Business
from onboard.emulator import rating
from onboard.emulator.gateway import Call, operation
from onboard.emulator.replies import ApiError, invalid, json_response, not_found
from onboard.emulator.state import REQUEST_TOKEN_TTL, Quote, Shipment
from onboard.labels.content import LabelContent, LabelParty
from onboard.labels.render import render_label
from onboard.models import requests as rq
from onboard.models import responses as rs

EMULATOR_BANNER = "ONBOARD EMULATOR - NOT A REAL LABEL"
_WEIGHT_ABBREVIATIONS = {"GRAM": "g", "KILOGRAM": "kg", "OUNCE": "oz", "POUND": "lb"}


def _check_shipment_request(request: rq.GetRatesRequest | rq.OneClickShipmentRequest) -> None:
    """Rules the dynamic sandbox enforces beyond the schema (Amazon's FAQ and integrators' reports)."""
    channel = request.channelDetails
    if channel.channelType == "EXTERNAL" and request.shipTo is None:
        raise invalid("shipTo cannot be null when channelDetails.channelType is EXTERNAL")
    if channel.channelType == "AMAZON" and channel.amazonOrderDetails is None:
        raise invalid("channelDetails.amazonOrderDetails cannot be null when channelType is AMAZON")
    if len(request.packages) != 1:
        raise invalid("packages must hold exactly one package: one package per shipment is supported")
    for i, item in enumerate(request.packages[0].items):
        if item.itemValue is None:
            raise invalid(
                f"packages[0].items[{i}].itemValue cannot be null: it is required to generate a label "
                "(use 1 in the shipment's currency when the item has no price)"
            )


def _ship_date(call: Call, request: rq.GetRatesRequest | rq.OneClickShipmentRequest) -> datetime:
    now = call.emulator.clock.utcnow()
    if request.shipDate is None:
        return now
    ship = request.shipDate if request.shipDate.tzinfo else request.shipDate.replace(tzinfo=now.tzinfo)
    return max(ship, now)


def _rate(
    call: Call, request: rq.GetRatesRequest | rq.OneClickShipmentRequest
) -> tuple[list[rating.Json], list[rating.Json]]:
    _check_shipment_request(request)
    return rating.quote(request, call.business, _ship_date(call, request))


@operation("getRates")
async def get_rates(call: Call) -> Response:
    request, raw = await call.body(rq.GetRatesRequest)
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
        raise invalid(
            f"requestedDocumentSpecification.format {spec.format} is not supported by this rate; "
            f"supported formats: [{', '.join(supported)}]"
        )
    size = offered.size
    if (spec.size.width, spec.size.length, spec.size.unit) != (size.width, size.length, size.unit):
        raise invalid(
            f"requestedDocumentSpecification.size {spec.size.width:g}x{spec.size.length:g} {spec.size.unit} "
            f"is not supported; supported size: {size.width:g}x{size.length:g} {size.unit}"
        )
    for option in offered.printOptions:
        dpis = option.supportedDPIs or []
        if spec.dpi is None or spec.dpi not in dpis:
            raise invalid(
                f"requestedDocumentSpecification.dpi {spec.dpi if spec.dpi is not None else 'null'} is not "
                f"supported; supported dpi: {dpis}"
            )
        if spec.pageLayout is not None and spec.pageLayout not in option.supportedPageLayouts:
            raise invalid(
                f"requestedDocumentSpecification.pageLayout {spec.pageLayout} is not supported; "
                f"supported page layouts: {option.supportedPageLayouts}"
            )
        if spec.needFileJoining not in option.supportedFileJoiningOptions:
            raise invalid(
                f"requestedDocumentSpecification.needFileJoining {str(spec.needFileJoining).lower()} is not supported"
            )
        names = {d.name for d in option.supportedDocumentDetails}
        mandatory = {d.name for d in option.supportedDocumentDetails if d.isMandatory}
        requested = set(spec.requestedDocumentTypes)
        if requested - names or mandatory - requested:
            raise invalid(
                f"requestedDocumentSpecification.requestedDocumentTypes must include {sorted(mandatory)} "
                f"and only {sorted(names)}"
            )


def _check_value_added_services(rate: rs.Rate, requested: list[str]) -> None:
    groups = rate.availableValueAddedServiceGroups or []
    offered = {s.id for g in groups for s in (g.valueAddedServices or [])}
    unknown = sorted(set(requested) - offered)
    if unknown:
        raise invalid(f"requested value added services are invalid: {unknown}")
    for group in groups:
        ids = {s.id for s in group.valueAddedServices or []}
        if group.isRequired and not ids & set(requested):
            raise invalid(f"value added service group {group.groupId} is required: request one of {sorted(ids)}")


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


def _buy(
    call: Call,
    request: rq.GetRatesRequest | rq.OneClickShipmentRequest,
    rate: rs.Rate,
    spec: rq.RequestedDocumentSpecification,
) -> tuple[Shipment, rs.PackageDocumentDetail]:
    package = request.packages[0]
    attributes = (
        set(spec.requestedLabelCustomization.requestAttributes or []) if spec.requestedLabelCustomization else set()
    )
    tracking_id = _tracking_id(call.business)
    shipment_id = f"amzn1.ship.{uuid.uuid4().hex}"
    ship_to = request.shipTo or request.shipFrom
    pickup = rate.promise.pickupWindow.start if rate.promise.pickupWindow else None
    content = LabelContent(
        tracking_id=tracking_id,
        ship_from=_party(request.shipFrom),
        ship_to=_party(ship_to),
        carrier_name=rate.carrierName,
        service_name=rate.serviceName,
        weight_text=f"{package.weight.value:g} {_WEIGHT_ABBREVIATIONS[package.weight.unit]}",
        ship_date=(pickup or call.emulator.clock.utcnow()).strftime("%Y-%m-%d"),
        shipment_id=shipment_id,
        reference=package.packageClientReferenceId if "PACKAGE_CLIENT_REFERENCE_ID" in attributes else "",
        sort_code=f"{ship_to.countryCode}-{ship_to.postalCode.replace(' ', '')[:4].upper()}",
        banner=EMULATOR_BANNER,
        extra_lines=(f"Seller: {package.sellerDisplayName}",)
        if "SELLER_DISPLAY_NAME" in attributes and package.sellerDisplayName
        else (),
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
    if key:
        call.headers["x-amzn-IdempotencyKey"] = key
        seen = store.idempotency.get(key)
        if seen is not None:
            if seen[0] != raw:
                raise invalid("x-amzn-IdempotencyKey was already used with a different request body")
            store.counters.idempotent_replays += 1
            return Response(seen[1], headers=call.headers, media_type="application/json")
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
    _check_value_added_services(rate, [s.id for s in request.requestedValueAddedServices or []])
    shipment, detail = _buy(call, quote.request(), rate, request.requestedDocumentSpecification)
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
    rate = min(candidates, key=lambda r: r.totalCharge.value)
    check_document_spec(rate, request.labelSpecifications)
    shipment, detail = _buy(call, request, rate, request.labelSpecifications)
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
