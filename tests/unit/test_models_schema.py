"""Our models against Amazon's own Shipping v2 model (``../shared/reference/shippingV2.json``).

Every class named after a definition holds exactly that definition's properties; request models
require what Amazon requires and allow only its enum values; response models demand no more than
Amazon promises and read Amazon's own (imperfect) examples.
"""

from __future__ import annotations

import inspect
import typing
from types import ModuleType, UnionType
from typing import Any, Literal

import pytest
from pydantic import BaseModel

from onboard.models import address, errors, requests, responses
from onboard.models.base import Received, Sent


def _classes(module: ModuleType) -> list[type[BaseModel]]:
    return [
        cls
        for name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Sent | Received)
        and cls.__module__ == module.__name__
        and not name.startswith("_")
        and cls is not responses.Wrapped  # the base of the payload wrappers, not a definition
    ]


def _definition(model: dict[str, Any], cls: type[BaseModel]) -> dict[str, Any]:
    definitions: dict[str, Any] = model["definitions"]
    assert cls.__name__ in definitions, f"{cls.__name__} is not a definition in Amazon's model"
    return definitions[cls.__name__]  # type: ignore[no-any-return]


ALL = [*_classes(address), *_classes(requests), *_classes(responses), *_classes(errors)]


@pytest.mark.parametrize("cls", ALL, ids=lambda c: f"{c.__module__.rsplit('.', 1)[-1]}.{c.__name__}")
def test_fields_are_exactly_the_definitions_properties(shipping_model: dict[str, Any], cls: type[BaseModel]) -> None:
    definition = _definition(shipping_model, cls)
    assert set(cls.model_fields) == set(definition.get("properties", {}))


@pytest.mark.parametrize("cls", [*_classes(address), *_classes(requests)], ids=lambda c: c.__name__)
def test_requests_require_what_amazon_requires(shipping_model: dict[str, Any], cls: type[BaseModel]) -> None:
    required = {name for name, field in cls.model_fields.items() if field.is_required()}
    assert required == set(_definition(shipping_model, cls).get("required", []))


@pytest.mark.parametrize("cls", [*_classes(responses), *_classes(errors)], ids=lambda c: c.__name__)
def test_responses_demand_no_more_than_amazon_promises(shipping_model: dict[str, Any], cls: type[BaseModel]) -> None:
    required = {name for name, field in cls.model_fields.items() if field.is_required()}
    if cls.__name__.endswith("Response"):
        # the wrappers read a bare payload too (test_amazons_own_examples_are_read)
        required.discard("payload")
    assert required <= set(_definition(shipping_model, cls).get("required", []))


def _literal_values(annotation: Any) -> set[str] | None:
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return {str(v) for v in typing.get_args(annotation)}
    if origin in (list, UnionType, typing.Union) or origin is typing.Annotated:
        for arg in typing.get_args(annotation):
            found = _literal_values(arg)
            if found:
                return found
    return None


def _schema_enum(model: dict[str, Any], schema: dict[str, Any]) -> set[str] | None:
    if "$ref" in schema:
        return _schema_enum(model, model["definitions"][schema["$ref"].split("/")[-1]])
    if schema.get("type") == "array":
        return _schema_enum(model, schema["items"])
    return set(schema["enum"]) if "enum" in schema else None


@pytest.mark.parametrize("cls", [*_classes(address), *_classes(requests)], ids=lambda c: c.__name__)
def test_request_enums_are_amazons(shipping_model: dict[str, Any], cls: type[BaseModel]) -> None:
    properties = _definition(shipping_model, cls).get("properties", {})
    for name, field in cls.model_fields.items():
        ours = _literal_values(field.annotation)
        theirs = _schema_enum(shipping_model, properties[name])
        if ours is not None and theirs is not None:
            assert ours == theirs, f"{cls.__name__}.{name}"


_EXAMPLES: dict[tuple[str, str], type[responses.Wrapped]] = {
    ("/shipping/v2/shipments/rates", "post"): responses.GetRatesResponse,
    ("/shipping/v2/shipments", "post"): responses.PurchaseShipmentResponse,
    ("/shipping/v2/oneClickShipment", "post"): responses.OneClickShipmentResponse,
    ("/shipping/v2/tracking", "get"): responses.GetTrackingResponse,
    ("/shipping/v2/shipments/{shipmentId}/documents", "get"): responses.GetShipmentDocumentsResponse,
    ("/shipping/v2/shipments/{shipmentId}/cancel", "put"): responses.CancelShipmentResponse,
}


@pytest.mark.parametrize(("path", "method"), list(_EXAMPLES), ids=str)
def test_amazons_own_examples_are_read(shipping_model: dict[str, Any], path: str, method: str) -> None:
    example = shipping_model["paths"][path][method]["responses"]["200"]["examples"]["application/json"]
    # the examples omit the payload wrapper their schemas require (spec-notes §10): read them anyway
    assert "payload" not in example
    wrapped = _EXAMPLES[(path, method)].read(example)
    assert wrapped.model_dump()["payload"] is not None


def test_numeric_tracking_id_and_odd_units_from_the_examples(shipping_model: dict[str, Any]) -> None:
    paths = shipping_model["paths"]
    purchase = paths["/shipping/v2/shipments"]["post"]["responses"]["200"]["examples"]["application/json"]
    result = responses.PurchaseShipmentResponse.read(purchase).payload
    assert result.packageDocumentDetails[0].trackingId == "1578648261977"
    rates = paths["/shipping/v2/shipments/rates"]["post"]["responses"]["200"]["examples"]["application/json"]
    rate = responses.GetRatesResponse.read(rates).payload.rates[0]
    assert rate.billedWeight is not None and rate.billedWeight.unit == "GRAMS"
    assert rate.rateItemList and rate.rateItemList[0].rateItemCharge is not None


def test_unknown_fields_are_kept_on_receipt_and_refused_on_sending() -> None:
    received = responses.Carrier.model_validate({"id": "AMZN_UK", "name": "Amazon Shipping", "newField": 1})
    assert received.model_extra == {"newField": 1}
    with pytest.raises(ValueError, match=r"Extra inputs are not permitted"):
        requests.Weight.model_validate({"unit": "POUND", "value": 1, "valu": 2})
    with pytest.raises(ValueError, match="GRAM"):
        requests.Weight.model_validate({"unit": "GRAMS", "value": 1})
