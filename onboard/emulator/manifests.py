"""Collection forms: the day's unmanifested shipments, listed on a real PDF the driver signs at pickup.

getUnmanifestedShipments shows what is waiting per carrier and ship-from address; generateCollectionForm
puts every such shipment of a carrier (at one address, if given) on a form and manifests them;
getCollectionFormHistory and getCollectionForm find the forms again. No ``payload`` wrapper, as in the model.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic_core import to_json
from starlette.responses import Response

from onboard.emulator.gateway import Call, operation
from onboard.emulator.replies import invalid_input, json_response, not_found
from onboard.emulator.state import CollectionForm, Shipment
from onboard.labels.pdf import pdf_file
from onboard.models import requests as rq

_ROWS_PER_PAGE = 38


def _place(address: rq.Address) -> tuple[str, str, str]:
    return (address.countryCode, address.postalCode.replace(" ", "").upper(), address.addressLine1.strip().lower())


def _waiting(call: Call) -> list[Shipment]:
    return [
        s
        for s in call.emulator.store.shipments.values()
        if s.business.id == call.business.id and s.cancelled_at is None and s.collection_form_id is None
    ]


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _address(address: rq.Address) -> dict[str, object]:
    return address.model_dump(mode="json", exclude_none=True)


def _last_manifest(call: Call, carrier_id: str, place: tuple[str, str, str]) -> datetime | None:
    dates = [
        f.created
        for f in call.emulator.store.collection_forms.values()
        if f.business_id == call.business.id and f.carrier_id == carrier_id and _place(f.ship_from) == place
    ]
    return max(dates, default=None)


@operation("getUnmanifestedShipments")
async def get_unmanifested_shipments(call: Call) -> Response:
    await call.body(rq.GetUnmanifestedShipmentsRequest)
    carriers: dict[str, tuple[str, dict[tuple[str, str, str], rq.Address]]] = {}
    for shipment in _waiting(call):
        _, places = carriers.setdefault(shipment.rate.carrierId, (shipment.rate.carrierName, {}))
        places.setdefault(_place(shipment.ship_from), shipment.ship_from)
    listed = []
    for carrier_id, (carrier_name, places) in carriers.items():
        locations = []
        for place, address in places.items():
            location: dict[str, object] = {"address": _address(address)}
            last = _last_manifest(call, carrier_id, place)
            if last is not None:
                location["lastManifestDate"] = _stamp(last)
            locations.append(location)
        listed.append(
            {"carrierId": carrier_id, "carrierName": carrier_name, "unmanifestedShipmentLocationList": locations}
        )
    return json_response({"unmanifestedCarrierInformationList": listed}, headers=call.headers)


@operation("generateCollectionForm", mutating=True)
async def generate_collection_form(call: Call) -> Response:
    key = call.request.headers.get("x-amzn-IdempotencyKey")
    request, raw = await call.body(rq.GenerateCollectionFormRequest)
    store = call.emulator.store
    stored_key = f"generateCollectionForm:{call.business.id}:{key}"
    if (replay := call.replayed(key, stored_key, raw)) is not None:
        return replay
    waiting = [s for s in _waiting(call) if s.rate.carrierId == request.carrierId]
    if request.shipFromAddress is not None:
        place = _place(request.shipFromAddress)
        waiting = [s for s in waiting if _place(s.ship_from) == place]
    if not waiting:
        where = f" from {request.shipFromAddress.postalCode}" if request.shipFromAddress else ""
        raise invalid_input(
            f"There are no unmanifested shipments for carrierId {request.carrierId}{where}: "
            "buy a label first, or see getCollectionFormHistory for the forms already generated"
        )
    # one form per ship-from address: the first address's shipments when none was named
    ship_from = request.shipFromAddress or waiting[0].ship_from
    waiting = [s for s in waiting if _place(s.ship_from) == _place(ship_from)]
    now = call.emulator.clock.utcnow()
    form_id = f"CF-{now:%Y%m%d}-{uuid.uuid4().hex[:12].upper()}"
    pdf = collection_form_pdf(form_id, waiting[0].rate.carrierName, request.carrierId, ship_from, now, waiting)
    form = CollectionForm(
        form_id=form_id,
        business_id=call.business.id,
        carrier_id=request.carrierId,
        carrier_name=waiting[0].rate.carrierName,
        created=now,
        ship_from=ship_from,
        shipment_ids=tuple(s.shipment_id for s in waiting),
        pdf=pdf,
    )
    store.add_collection_form(form)
    body = _document(pdf)
    if key:
        store.remember(stored_key, raw, body)
    return Response(body, headers=call.headers, media_type="application/json")


def _document(pdf: bytes) -> bytes:
    document = {"base64EncodedContent": base64.b64encode(pdf).decode("ascii"), "documentFormat": "PDF"}
    return to_json({"collectionsFormDocument": document})


@operation("getCollectionFormHistory")
async def get_collection_form_history(call: Call) -> Response:
    request, _ = await call.body(rq.GetCollectionFormHistoryRequest)
    forms = [f for f in call.emulator.store.collection_forms.values() if f.business_id == call.business.id]
    if request.carrierId:
        forms = [f for f in forms if f.carrier_id == request.carrierId]
    if request.shipFromAddress is not None:
        place = _place(request.shipFromAddress)
        forms = [f for f in forms if _place(f.ship_from) == place]
    if request.dateRange is not None:
        start, end = request.dateRange.startDate, request.dateRange.endDate
        if start and end and start > end:
            raise invalid_input("dateRange.startDate is after dateRange.endDate")
        forms = [
            f for f in forms if (not start or f.created >= _aware(start)) and (not end or f.created <= _aware(end))
        ]
    forms.sort(key=lambda f: f.created, reverse=True)
    records = [
        {
            "carrierName": f.carrier_name,
            "creationDate": _stamp(f.created),
            "generationStatus": "Completed",
            "collectionFormId": f.form_id,
            "shipFromAddress": _address(f.ship_from),
        }
        for f in forms[: request.maxResults or None]
    ]
    body = {"collectionFormsHistoryRecordList": records, "lastRefreshedDate": _stamp(call.emulator.clock.utcnow())}
    return json_response(body, headers=call.headers)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@operation("getCollectionForm")
async def get_collection_form(call: Call) -> Response:
    form_id = call.request.path_params["collection_form_id"]
    form = call.emulator.store.collection_forms.get(form_id)
    if form is None or form.business_id != call.business.id:
        raise not_found(f"No collection form with collectionFormId {form_id}")
    return Response(_document(form.pdf), headers=call.headers, media_type="application/json")


# --- the form itself: a PDF 1.4 written by hand, one or more A4 pages of Helvetica -------------------------


def _text(value: str) -> bytes:
    raw = value.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _page(lines: Iterable[tuple[float, float, int, str]]) -> bytes:
    parts = [b"BT"]
    for x, y, size, value in lines:
        parts.append(b"/F1 %d Tf 1 0 0 1 %.1f %.1f Tm " % (size, x, y) + _text(value) + b" Tj")
    parts.append(b"ET")
    return b"\n".join(parts)


def collection_form_pdf(
    form_id: str, carrier_name: str, carrier_id: str, ship_from: rq.Address, at: datetime, shipments: list[Shipment]
) -> bytes:
    head = [
        (50.0, 790.0, 16, f"Collection form {form_id}"),
        (50.0, 770.0, 10, f"{carrier_name} ({carrier_id})   {at:%Y-%m-%d %H:%M} UTC   {len(shipments)} package(s)"),
        (
            50.0,
            755.0,
            10,
            f"Collect from: {ship_from.name}, {ship_from.addressLine1}, {ship_from.city} "
            f"{ship_from.postalCode} {ship_from.countryCode}",
        ),
        (50.0, 735.0, 9, "ONBOARD EMULATOR - NOT A REAL COLLECTION FORM"),
        (50.0, 712.0, 10, "#     Tracking ID            Service                              Destination"),
    ]
    pages = []
    for first in range(0, len(shipments), _ROWS_PER_PAGE):
        lines = list(head)
        y = 695.0
        for number, shipment in enumerate(shipments[first : first + _ROWS_PER_PAGE], start=first + 1):
            to = shipment.ship_to or shipment.ship_from
            lines.append(
                (
                    50.0,
                    y,
                    9,
                    f"{number:<5} {shipment.tracking_id:<22} {shipment.rate.serviceName:<36} "
                    f"{to.postalCode} {to.countryCode}",
                )
            )
            y -= 16
        lines.append((50.0, 60.0, 10, "Driver's signature: ____________________     Packages collected: ______"))
        pages.append(_page(lines))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the pages are numbered
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for content in pages:
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % len(objects)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(kids)
    return pdf_file(objects)
