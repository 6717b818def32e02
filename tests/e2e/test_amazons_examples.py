"""Amazon's own examples in its model (``../shared/reference/shippingV2.json``) for the operations beyond
the purchase flow: directPurchaseShipment, getAdditionalInputs, the carrier accounts, the collection
forms, access points, NDR feedback and claims.

An integrator who has only Amazon's documentation to go on gets these answers: a server on 127.0.0.1
answers each call with the model's example for it (success, then each error it documents), and the
real client reads every one as its typed model, quirks and all (an access point map with no
``accessPointsMap``, a nested address, ``linkableCarriers`` for ``linkableCarriersList``, an address
given as ``"<**-redacted-**>"``). The requests the model gives (getAccessPoints' ``x-example``
parameters, getAdditionalInputs' static sandbox cases) are sent to the emulator, which answers them as
Amazon's sandbox does. The model gives no example request body for the other operations.
Skipped without the model.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import SecretStr

from onboard.credentials.model import Credentials
from onboard.emulator.credentials import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from onboard.emulator.server import EmulatorServer
from onboard.models import requests as rq
from onboard.samples import sample_for
from onboard.spapi.client import ShippingClient
from onboard.spapi.endpoints import Endpoints
from onboard.spapi.errors import ApiResponseError
from onboard.spapi.retry import RetryPolicy

DEMO = Credentials(DEMO_CLIENT_ID, SecretStr(DEMO_CLIENT_SECRET), SecretStr(DEMO_REFRESH_TOKEN), "demo")
#: one attempt: an example answer is what it is, whatever its status
ONCE = RetryPolicy(max_attempts=1)
TOKEN = {"access_token": "Atza|examples", "token_type": "bearer", "expires_in": 3600}
#: the error statuses a client reads at once (the others it retries, and that is another story)
ERRORS = ("400", "401", "403", "404", "413", "415")


class Examples:
    """Answers each path and method of the model with the example of ``status`` ("2xx": its success)."""

    def __init__(self, model: dict[str, Any]) -> None:
        self.model = model
        self.status = "2xx"
        self.routes = [(re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "$"), path) for path in model["paths"]]
        self.url = ""

    def answer(self, method: str, raw_path: str) -> tuple[int, bytes]:
        path = raw_path.partition("?")[0]
        if path == "/auth/o2/token":
            return 200, json.dumps(TOKEN).encode()
        template = next(t for pattern, t in self.routes if pattern.match(path))
        responses = self.model["paths"][template][method.lower()]["responses"]
        code = next(c for c in responses if c.startswith("2")) if self.status == "2xx" else self.status
        example = responses[code].get("examples", {}).get("application/json")
        return int(code), b"" if example is None else json.dumps(example).encode()


@pytest.fixture
def examples(shipping_model: dict[str, Any]) -> Iterator[Examples]:
    served = Examples(shipping_model)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            status, body = served.answer(self.command, self.path)
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("x-amzn-RequestId", "examples-request-id")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _any

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    served.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


def client_for(url: str, business_id: str = "AmazonShipping_US") -> ShippingClient:
    return ShippingClient(Endpoints(f"{url}/auth/o2/token", url, "emulator", "na"), DEMO, business_id, policy=ONCE)


def run(url: str, call: Callable[[ShippingClient], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with client_for(url) as client:
            return await call(client)

    return asyncio.run(main())


_SAMPLE = sample_for("AmazonShipping_US").rates_request("example-1")
_ATTRIBUTES = [rq.CarrierAccountAttribute(attributeName="ACCOUNT_NUMBER", value="A1B2C3")]

#: operationId → the client's call (the ids are Amazon's examples', where a call needs one)
CALLS: dict[str, Callable[[ShippingClient], Awaitable[Any]]] = {
    "directPurchaseShipment": lambda c: c.direct_purchase_shipment(
        rq.DirectPurchaseRequest(
            shipTo=_SAMPLE.shipTo,
            shipFrom=_SAMPLE.shipFrom,
            packages=_SAMPLE.packages,
            channelDetails=_SAMPLE.channelDetails,
        )
    ),
    "getAdditionalInputs": lambda c: c.get_additional_inputs("amzn1.rq.123456789.101", "1223242345"),
    "getCarrierAccountFormInputs": lambda c: c.get_carrier_account_form_inputs(),
    "getCarrierAccounts": lambda c: c.get_carrier_accounts(),
    "linkCarrierAccount": lambda c: c.link_carrier_account(
        "FedEx",
        rq.LinkCarrierAccountRequest(carrierAccountType="SHIPPER_ACCOUNT", carrierAccountAttributes=_ATTRIBUTES),
    ),
    "unlinkCarrierAccount": lambda c: c.unlink_carrier_account(
        "FedEx", rq.UnlinkCarrierAccountRequest(accountId="90613e4-dcf6-4c3e-bc57-45005580")
    ),
    "generateCollectionForm": lambda c: c.generate_collection_form(rq.GenerateCollectionFormRequest(carrierId="USPS")),
    "getCollectionFormHistory": lambda c: c.get_collection_form_history(),
    "getUnmanifestedShipments": lambda c: c.get_unmanifested_shipments(),
    "getCollectionForm": lambda c: c.get_collection_form("2c631e32-2538-3431-889e-008b6f5a6f11"),
    "getAccessPoints": lambda c: c.get_access_points(["HELIX"], "GB", "EX33 2JL"),
    "submitNdrFeedback": lambda c: c.submit_ndr_feedback(
        rq.SubmitNdrFeedbackRequest(trackingId="1578648261977", ndrAction="RTO")
    ),
    "createClaim": lambda c: c.create_claim(
        rq.CreateClaimRequest(trackingId="1578648261977", claimReason="LOST_IN_TRANSIT", settlementType="REFUND")
    ),
}


def _operations(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        op["operationId"]: op
        for methods in model["paths"].values()
        for method, op in methods.items()
        if method != "parameters" and op["operationId"] in CALLS
    }


def test_every_example_answer_of_the_new_operations_reads_as_the_clients_model(
    shipping_model: dict[str, Any], examples: Examples
) -> None:
    assert set(_operations(shipping_model)) == set(CALLS)  # each one is still in the model, by its id
    read = {operation: run(examples.url, call) for operation, call in CALLS.items()}

    # what each example says, read through Amazon's quirks
    label = read["directPurchaseShipment"].packageDocumentDetailList[0].packageDocuments[0]
    assert base64.b64decode(label.contents).startswith(b"\x89PNG\r\n\x1a\n")  # the model's one real label
    assert read["directPurchaseShipment"].shipmentId == "445454-3232-3232"
    assert set(read["getAdditionalInputs"]["properties"]) == {"harmonizedSystemCode", "packageClientReferenceId"}
    (carrier,) = read["getCarrierAccountFormInputs"].linkableCarriersList  # "linkableCarriers" in the example
    assert carrier.carrierId == "FedEx"
    assert carrier.linkableAccountTypes[0].carrierAccountInputs[0].name == "ACCOUNT_NUMBER"
    assert [a.carrierId for a in read["getCarrierAccounts"].activeAccounts] == ["FedEx"]
    assert read["linkCarrierAccount"].registrationStatus == "ACTIVE"
    assert read["unlinkCarrierAccount"].isUnlinked is True
    made = read["generateCollectionForm"].collectionsFormDocument
    assert made == read["getCollectionForm"].collectionsFormDocument and made.documentFormat == "application/pdf"
    (record,) = read["getCollectionFormHistory"].collectionFormsHistoryRecordList
    assert (record.carrierName, record.creationDate.year, record.shipFromAddress) == ("USPS", 2022, None)
    (waiting,) = read["getUnmanifestedShipments"].unmanifestedCarrierInformationList
    assert waiting.carrierId == "USPS" and waiting.unmanifestedShipmentLocationList[0].address is None
    (counter,) = read["getAccessPoints"].accessPointsMap["HELIX"]  # one object there, not a list
    assert counter.address is not None
    assert (counter.address.city, counter.address.postalCode) == ("Braunton", "EX33 2JL")  # addressObject
    assert counter.accessibilityAttributes is not None and counter.accessibilityAttributes.driveTime == 0
    assert read["submitNdrFeedback"] is None  # 204, no body (the model gives no example for it)
    assert read["createClaim"].claimId == "1318160977650"


@pytest.mark.parametrize("operation", list(CALLS))
def test_every_error_example_of_the_new_operations_is_read_with_its_code_and_details(
    shipping_model: dict[str, Any], examples: Examples, operation: str
) -> None:
    responses = _operations(shipping_model)[operation]["responses"]
    for status in ERRORS:
        (expected,) = responses[status]["examples"]["application/json"]["errors"]
        examples.status = status
        with pytest.raises(ApiResponseError) as raised:
            run(examples.url, CALLS[operation])
        error = raised.value
        assert (error.status, error.code, error.amazon_message) == (int(status), expected["code"], expected["message"])
        assert error.details == expected.get("details"), status
        assert error.request_id == "examples-request-id"


def test_the_emulator_answers_amazons_example_requests_as_amazons_sandbox_does(
    shipping_model: dict[str, Any], emulator: EmulatorServer
) -> None:
    paths = shipping_model["paths"]

    # getAccessPoints: the x-example of each query parameter (a UK postcode with country US, as given)
    given = {
        p["name"]: p["x-example"] for p in paths["/shipping/v2/accessPoints"]["get"]["parameters"] if "x-example" in p
    }
    assert set(given) == {"accessPointTypes", "countryCode", "postalCode"}
    found = run(
        emulator.url,
        lambda c: c.get_access_points([given["accessPointTypes"]], given["countryCode"], given["postalCode"]),
    )
    assert found.accessPointsMap[given["accessPointTypes"]]

    # getAdditionalInputs: each static sandbox case, its request sent, its response answered
    inputs = paths["/shipping/v2/shipments/additionalInputs/schema"]["get"]
    cases = [
        (status, case)
        for status, response in inputs["responses"].items()
        for case in response.get("x-amzn-api-sandbox", {}).get("static", [])
    ]
    assert sorted(status for status, _ in cases) == ["200", "400"]
    for status, case in cases:
        sent = {name: value["value"] for name, value in case["request"]["parameters"].items()}

        def ask(c: ShippingClient, sent: dict[str, str] = sent) -> Awaitable[dict[str, Any]]:
            return c.get_additional_inputs(sent["requestToken"], sent["rateId"])

        if status == "200":
            assert run(emulator.url, ask) == case["response"]["payload"]
            continue
        (expected,) = case["response"]["errors"]
        with pytest.raises(ApiResponseError) as raised:
            run(emulator.url, ask)
        assert (raised.value.status, raised.value.code, raised.value.amazon_message, raised.value.details) == (
            400,
            expected["code"],
            expected["message"],
            expected["details"],
        )
