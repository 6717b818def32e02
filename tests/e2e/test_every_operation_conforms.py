"""Every path and method of Amazon's Shipping v2 model, against the emulator on a real port.

One journey calls each operation the model defines (the list is read from the model, so an operation
added there and not served here fails this test), sends request bodies that the model's own request
schemas accept, and holds each success body to the model's response schema for its status (204: none);
every answer, success or error, carries ``x-amzn-RequestId``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import httpx
import jsonschema
import pytest

from onboard.emulator.faults import _OPERATIONS as OPERATIONS
from onboard.emulator.server import EmulatorServer
from tests.plain_client import V2, Plain, error_of, spec

Answers = dict[tuple[str, str], httpx.Response]


def _schema(model: dict[str, Any], ref: str) -> dict[str, Any]:
    return {"$ref": ref, "definitions": model["definitions"]}


class Journey:
    """Sends each call, checks its body against the model on the way out, keeps each answer by operation."""

    def __init__(self, model: dict[str, Any], client: Plain) -> None:
        self.model = model
        self.client = client
        self.answers: Answers = {}

    def call(
        self,
        method: str,
        path: str,
        *,
        template: str | None = None,
        body: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        expect: int = 200,
    ) -> httpx.Response:
        operation = self.model["paths"][template or path][method.lower()]
        if body is not None:
            schema = next(p["schema"] for p in operation["parameters"] if p["in"] == "body")
            jsonschema.Draft4Validator(_schema(self.model, schema["$ref"])).validate(body)
        response = self.client.http.request(
            method, V2 + path.removeprefix("/shipping/v2"), json=body, params=params,
            headers=self.client.headers(**(headers or {})),
        )  # fmt: skip
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:300]}"
        assert response.headers.get("x-amzn-RequestId")
        if 200 <= expect < 300:
            self.answers[(template or path, method.lower())] = response
        return response

    def error(self, method: str, path: str, status: int, code: str, **kwargs: Any) -> dict[str, Any]:
        response = self.client.http.request(
            method, V2 + path.removeprefix("/shipping/v2"), headers=self.client.headers(), **kwargs
        )
        assert response.status_code == status, response.text
        assert response.headers.get("x-amzn-RequestId")
        jsonschema.Draft4Validator(_schema(self.model, "#/definitions/ErrorList")).validate(response.json())
        error = error_of(response)
        assert error["code"] == code, error
        return error


def _operations(model: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method) for path, methods in model["paths"].items() for method in methods if method != "parameters"}


def _walk(model: dict[str, Any], client: Plain) -> Answers:
    j = Journey(model, client)
    base = client.rates_body()
    quoted = j.call("POST", "/shipping/v2/shipments/rates", body=base).json()["payload"]
    token = quoted["requestToken"]
    plain_rate = next(r for r in quoted["rates"] if not r["requiresAdditionalInputs"])
    needing = next(r for r in quoted["rates"] if r["requiresAdditionalInputs"])

    # a rate that needs nothing more answers an empty schema; the declared-value one a schema of its inputs
    inputs_path = "/shipping/v2/shipments/additionalInputs/schema"
    empty = j.call("GET", inputs_path, params={"requestToken": token, "rateId": plain_rate["rateId"]}).json()
    assert empty == {"payload": {}}
    schema = j.call("GET", inputs_path, params={"requestToken": token, "rateId": needing["rateId"]}).json()
    assert set(schema["payload"]["required"]) == {"declaredValue", "contentsDescription"}
    j.error("GET", inputs_path, 400, "InvalidRequest", params={"requestToken": "null", "rateId": "2314"})

    purchase = {"requestToken": token, "rateId": plain_rate["rateId"], "requestedDocumentSpecification": spec("PDF")}
    bought = j.call("POST", "/shipping/v2/shipments", body=purchase, headers={"x-amzn-IdempotencyKey": "k-1"})
    detail = bought.json()["payload"]["packageDocumentDetails"][0]
    shipment_id, tracking_id = bought.json()["payload"]["shipmentId"], detail["trackingId"]
    carrier_id = plain_rate["carrierId"]

    one_click = dict(base, labelSpecifications=spec("ZPL"), serviceSelection={"serviceId": [plain_rate["serviceId"]]})
    j.call("POST", "/shipping/v2/oneClickShipment", body=one_click)

    direct = {k: base[k] for k in ("shipTo", "shipFrom", "packages", "channelDetails")}
    directly = j.call(
        "POST",
        "/shipping/v2/shipments/directPurchase",
        body=direct,
        headers={"x-amzn-IdempotencyKey": "direct-1", "locale": "en-US"},
    )
    assert directly.headers["x-amzn-IdempotencyKey"] == "direct-1"
    direct_label = directly.json()["payload"]["packageDocumentDetailList"][0]["packageDocuments"][0]
    assert (direct_label["format"], base64.b64decode(direct_label["contents"])[:4]) == ("PNG", b"\x89PNG")

    j.call("GET", "/shipping/v2/tracking", params={"trackingId": tracking_id, "carrierId": carrier_id})
    j.call(
        "GET",
        f"/shipping/v2/shipments/{shipment_id}/documents",
        template="/shipping/v2/shipments/{shipmentId}/documents",
        params={"packageClientReferenceId": detail["packageClientReferenceId"]},
    )

    # carrier accounts: the form, a link (PUT, then POST answers the same account), the list, the unlink
    form = j.call("GET", "/shipping/v2/carrierAccountFormInputs").json()
    ups = next(c for c in form["linkableCarriersList"] if c["carrierId"] == "UPS")
    account_type = ups["linkableAccountTypes"][0]["accountType"]
    attributes = [
        {"attributeName": "accountNumber", "value": "A1B2C3"},
        {"attributeName": "accountPostalCode", "value": "98109"},
        {"attributeName": "invoiceNumber", "value": "INV000123456"},
    ]
    link = {"carrierAccountType": account_type, "carrierAccountAttributes": attributes}
    template = "/shipping/v2/carrierAccounts/{carrierId}"
    linked = j.call("PUT", "/shipping/v2/carrierAccounts/UPS", template=template, body=link).json()
    again = j.call("POST", "/shipping/v2/carrierAccounts/UPS", template=template, body=link).json()
    assert linked == again and linked["registrationStatus"] == "ACTIVE"
    accounts = j.call("PUT", "/shipping/v2/carrierAccounts", body={}).json()["activeAccounts"]
    assert accounts == [{"accountId": linked["accountId"], "carrierId": "UPS"}]
    j.call(
        "PUT",
        "/shipping/v2/carrierAccounts/UPS/unlink",
        template="/shipping/v2/carrierAccounts/{carrierId}/unlink",
        body={"accountId": linked["accountId"]},
    )
    assert j.call("PUT", "/shipping/v2/carrierAccounts", body={}).json()["activeAccounts"] == []

    # collection forms: what waits, a form of it (a real PDF), its history, the form again
    waiting = j.call("PUT", "/shipping/v2/unmanifestedShipments", body={}).json()
    assert [c["carrierId"] for c in waiting["unmanifestedCarrierInformationList"]] == [carrier_id]
    made = j.call("POST", "/shipping/v2/collectionForms", body={"carrierId": carrier_id}).json()
    pdf = base64.b64decode(made["collectionsFormDocument"]["base64EncodedContent"])
    assert pdf.startswith(b"%PDF-1.4") and tracking_id.encode() in pdf
    history = j.call("PUT", "/shipping/v2/collectionForms/history", body={"carrierId": carrier_id}).json()
    form_id = history["collectionFormsHistoryRecordList"][0]["collectionFormId"]
    reprint = j.call(
        "GET", f"/shipping/v2/collectionForms/{form_id}", template="/shipping/v2/collectionForms/{collectionFormId}"
    ).json()
    assert reprint == made
    assert j.call("PUT", "/shipping/v2/unmanifestedShipments", body={}).json() == {
        "unmanifestedCarrierInformationList": []
    }

    points = j.call(
        "GET",
        "/shipping/v2/accessPoints",
        params={"accessPointTypes": "HELIX,CORE_LOCKER", "countryCode": "US", "postalCode": "98109"},
    ).json()["payload"]["accessPointsMap"]
    assert set(points) == {"HELIX", "CORE_LOCKER"} and all(points.values())

    # NDR feedback once the carrier has tried to deliver; a claim for the shipment
    client.control(tracking_event={"trackingId": tracking_id, "eventCode": "DeliveryAttempted"})
    ndr = {
        "trackingId": tracking_id,
        "ndrAction": "REATTEMPT",
        "ndrRequestData": {"additionalAddressNotes": "Side door"},
    }
    answered = j.call("POST", "/shipping/v2/ndrFeedback", body=ndr, expect=204)
    assert answered.content == b""
    claim = {
        "trackingId": tracking_id,
        "claimReason": "LOST_IN_TRANSIT",
        "settlementType": "REFUND",
        "declaredValue": {"value": 26.99, "unit": "USD"},
    }
    assert j.call("POST", "/shipping/v2/claims", body=claim, expect=201).json()["claimId"]

    j.call("PUT", f"/shipping/v2/shipments/{shipment_id}/cancel", template="/shipping/v2/shipments/{shipmentId}/cancel")
    return j.answers


def test_every_operation_of_the_model_is_served_and_its_answers_match_its_schemas(
    shipping_model: dict[str, Any], plain: Callable[..., Plain], emulator: EmulatorServer
) -> None:
    answers = _walk(shipping_model, plain(emulator.url).login())
    assert set(answers) == _operations(shipping_model)
    for (path, method), response in answers.items():
        status = str(response.status_code)
        declared = shipping_model["paths"][path][method]["responses"][status]
        if "schema" not in declared:
            assert response.content == b"", f"{method} {path}"
            continue
        jsonschema.Draft4Validator(_schema(shipping_model, declared["schema"]["$ref"])).validate(response.json())


def test_new_operations_refuse_as_amazon_words_it(
    shipping_model: dict[str, Any], plain: Callable[..., Plain], emulator: EmulatorServer
) -> None:
    client = plain(emulator.url).login()
    j = Journey(shipping_model, client)
    rate, bought = client.quote_and_buy()
    tracking_id = bought["packageDocumentDetails"][0]["trackingId"]

    missing = j.error("POST", "/shipping/v2/shipments/directPurchase", 400, "InvalidRequest", json={})
    assert "channelDetails cannot be null" in missing["details"]
    link = j.error(
        "PUT", "/shipping/v2/carrierAccounts/UPS", 400, "InvalidInput",
        json={"carrierAccountType": "SHIPPER_ACCOUNT_WITH_INVOICE", "carrierAccountAttributes": [
            {"attributeName": "accountNumber", "value": "nope"}]},
    )  # fmt: skip
    assert "accountNumber" in link["details"]
    j.error("PUT", "/shipping/v2/carrierAccounts/UPS/unlink", 404, "NotFound", json={"accountId": "amzn1.x"})
    j.error("POST", "/shipping/v2/collectionForms", 400, "InvalidRequest", json={})
    j.error("GET", "/shipping/v2/collectionForms/CF-NONE", 404, "NotFound")
    kinds = j.error(
        "GET", "/shipping/v2/accessPoints", 400, "InvalidRequest",
        params={"accessPointTypes": "KIOSK", "countryCode": "US", "postalCode": "98109"},
    )  # fmt: skip
    assert "KIOSK" in kinds["details"]
    early = j.error(
        "POST", "/shipping/v2/ndrFeedback", 400, "InvalidInput", json={"trackingId": tracking_id, "ndrAction": "RTO"}
    )
    assert "PreTransit" not in early["details"] and "ReadyForReceive" in early["details"]
    j.error("POST", "/shipping/v2/ndrFeedback", 404, "NotFound", json={"trackingId": "TBA0", "ndrAction": "RTO"})
    claim = {"trackingId": tracking_id, "claimReason": "LOST_IN_TRANSIT", "settlementType": "REFUND"}
    undeclared = j.error("POST", "/shipping/v2/claims", 400, "InvalidInputException", json=claim)
    assert "declaredValue" in undeclared["details"]
    claim["declaredValue"] = {"value": 10, "unit": "GBP"}
    assert "USD" in j.error("POST", "/shipping/v2/claims", 400, "InvalidInputException", json=claim)["details"]
    claim.update(declaredValue={"value": 10, "unit": "USD"}, claimReason="DELIVERED_NOT_RECEIVED")
    j.error("POST", "/shipping/v2/claims", 400, "InvalidInputException", json=claim)
    # an unknown operation is still the gateway's 403
    j.error("GET", "/shipping/v2/nothing-here", 403, "MissingAuthenticationToken")
    assert rate["carrierId"]


@pytest.mark.parametrize("fault", ["500=1", "503=1"])
def test_faults_apply_to_every_new_operation(fault: str, plain: Callable[..., Plain], emulator: EmulatorServer) -> None:
    client = plain(emulator.url).login()
    client.control(faults=f"{fault},only=getCarrierAccountFormInputs+getAccessPoints+createClaim")
    assert client.http.get(f"{V2}/carrierAccountFormInputs", headers=client.headers()).status_code == int(fault[:3])
    params = {"accessPointTypes": "HELIX", "countryCode": "US", "postalCode": "98109"}
    faulted = client.http.get(f"{V2}/accessPoints", params=params, headers=client.headers())
    assert faulted.status_code == int(fault[:3]) and faulted.headers["x-amzn-RequestId"]
    # and the operations not named are left alone
    assert client.http.put(f"{V2}/unmanifestedShipments", json={}, headers=client.headers()).status_code == 200


def test_rate_limits_apply_to_new_operations_per_operation(
    plain: Callable[..., Plain], emulator: EmulatorServer
) -> None:
    client = plain(emulator.url).login()
    client.control(faults="ratelimit=1/2")
    statuses = [
        client.http.get(f"{V2}/carrierAccountFormInputs", headers=client.headers()).status_code for _ in range(4)
    ]
    assert statuses[:2] == [200, 200] and 429 in statuses[2:]
    # each operation has its own bucket, as Amazon's usage plans do
    assert client.http.put(f"{V2}/carrierAccounts", json={}, headers=client.headers()).status_code == 200


def test_faults_know_every_operation_of_the_model(shipping_model: dict[str, Any]) -> None:
    ids = {
        op["operationId"]
        for methods in shipping_model["paths"].values()
        for method, op in methods.items()
        if method != "parameters"
    }
    assert ids == OPERATIONS
