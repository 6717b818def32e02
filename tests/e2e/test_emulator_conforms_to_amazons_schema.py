"""Every body the emulator sends validates against the schema Amazon publishes for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from onboard.emulator.server import EmulatorServer
from tests.plain_client import Plain, spec


def _validate(model: dict[str, Any], definition: str, body: Any) -> None:
    schema = {"$ref": f"#/definitions/{definition}", "definitions": model["definitions"]}
    jsonschema.Draft4Validator(schema).validate(body)


def test_success_and_error_bodies_match_the_model(
    shipping_model: dict[str, Any], plain: Callable[..., Plain], emulator: EmulatorServer
) -> None:
    client = plain(emulator.url).login()
    quoted = client.rates().json()
    _validate(shipping_model, "GetRatesResponse", quoted)
    rate = quoted["payload"]["rates"][0]
    bought = client.purchase(quoted["payload"]["requestToken"], rate["rateId"], spec("PNG", 300)).json()
    _validate(shipping_model, "PurchaseShipmentResponse", bought)
    detail = bought["payload"]["packageDocumentDetails"][0]
    _validate(shipping_model, "GetTrackingResponse", client.track(detail["trackingId"], rate["carrierId"]).json())
    shipment_id = bought["payload"]["shipmentId"]
    _validate(shipping_model, "GetShipmentDocumentsResponse", client.documents(shipment_id, "ref-1").json())
    _validate(shipping_model, "CancelShipmentResponse", client.cancel(shipment_id).json())
    _validate(shipping_model, "GetTrackingResponse", client.track(detail["trackingId"], rate["carrierId"]).json())

    body = client.rates_body()
    body["labelSpecifications"] = spec("ZPL", 203)
    body["serviceSelection"] = {"serviceId": ["SWA-US-STD"]}
    one_click = client.http.post("/shipping/v2/oneClickShipment", json=body, headers=client.headers()).json()
    _validate(shipping_model, "OneClickShipmentResponse", one_click)

    too_heavy = client.rates_body()
    too_heavy["packages"][0]["weight"] = {"unit": "KILOGRAM", "value": 40}
    _validate(shipping_model, "GetRatesResponse", client.rates(too_heavy).json())

    for response in (client.cancel(shipment_id), client.cancel("nope"), client.track(None, None)):
        _validate(shipping_model, "ErrorList", response.json())
    client.token = ""
    _validate(shipping_model, "ErrorList", client.rates().json())


def test_an_invalid_body_fails_the_check(shipping_model: dict[str, Any]) -> None:
    # the validator above would let nothing through if the schema did not bite
    with pytest.raises(jsonschema.ValidationError):
        _validate(shipping_model, "GetRatesResponse", {"payload": {"rates": [{"rateId": 1}]}})
