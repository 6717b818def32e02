"""An integrator's own script against the emulator over loopback: token → rates → purchase → track →
reprint → cancel, in every format and dpi, and the errors Amazon gives on the way."""

from __future__ import annotations

import io
from collections.abc import Callable

import pypdf
import pytest
from PIL import Image

from onboard.emulator.server import EmulatorServer
from tests.labels_read import barcodes
from tests.plain_client import Plain, error_of, label_bytes, spec


@pytest.fixture
def client(plain: Callable[..., Plain], emulator: EmulatorServer) -> Plain:
    return plain(emulator.url).login()


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("fmt", ["PDF", "PNG", "ZPL"])
def test_full_journey_in_every_format_and_dpi(client: Plain, fmt: str, dpi: int) -> None:
    rate, bought = client.quote_and_buy(spec(fmt, dpi))
    detail = bought["packageDocumentDetails"][0]
    tracking_id = detail["trackingId"]
    label = label_bytes(detail)
    assert detail["packageDocuments"][0]["format"] == fmt

    # the label is a real file of the requested kind and size, and its barcodes read back
    if fmt == "PDF":
        page = pypdf.PdfReader(io.BytesIO(label)).pages[0]
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (288, 432)
        assert tracking_id in page.extract_text()
    elif fmt == "PNG":
        image = Image.open(io.BytesIO(label))
        assert image.size == (4 * dpi, 6 * dpi)
        assert round(image.info["dpi"][0]) == dpi
    else:
        text = label.decode()
        assert text.startswith("^XA") and text.rstrip().endswith("^XZ")
        assert f"^PW{4 * dpi}" in text and f"^LL{6 * dpi}" in text
    assert barcodes(label, fmt, dpi) == {"Code 128": tracking_id, "Data Matrix": tracking_id}

    tracked = client.track(tracking_id, rate["carrierId"])
    assert tracked.status_code == 200
    assert tracked.json()["payload"]["summary"]["status"] == "PreTransit"
    assert tracked.json()["payload"]["eventHistory"][0]["eventCode"] == "ReadyForReceive"

    reprint = client.documents(bought["shipmentId"], "ref-1", format=fmt, dpi=f"{dpi}.0")
    assert reprint.status_code == 200, reprint.text
    assert label_bytes(reprint.json()["payload"]["packageDocumentDetail"]) == label

    cancelled = client.cancel(bought["shipmentId"])
    assert (cancelled.status_code, cancelled.json()) == (200, {"payload": {}})
    after = client.track(tracking_id, rate["carrierId"]).json()["payload"]
    assert after["summary"]["status"] == "PickupCancelled"
    assert [e["eventCode"] for e in after["eventHistory"]] == ["ReadyForReceive", "PickupCancelled"]

    again = client.cancel(bought["shipmentId"])
    assert again.status_code == 400
    assert "already cancelled" in error_of(again)["details"]
    assert client.documents(bought["shipmentId"], "ref-1").status_code == 400


def test_one_click_purchase_picks_a_selected_service(client: Plain) -> None:
    body = client.rates_body()
    body["labelSpecifications"] = spec("ZPL", 300)
    body["serviceSelection"] = {"serviceId": ["SWA-US-PREM"]}
    response = client.http.post("/shipping/v2/oneClickShipment", json=body, headers=client.headers())
    assert response.status_code == 200, response.text
    payload = response.json()["payload"]
    assert payload["service"]["id"] == "SWA-US-PREM"
    assert payload["carrier"] == {"id": "AMZN_US", "name": "Amazon Shipping"}
    assert payload["totalCharge"]["unit"] == "USD"
    label = label_bytes(payload["packageDocumentDetails"][0])
    assert barcodes(label, "ZPL", 300)["Code 128"] == payload["packageDocumentDetails"][0]["trackingId"]

    body["serviceSelection"] = {"serviceId": ["NO-SUCH-SERVICE"]}
    refused = client.http.post("/shipping/v2/oneClickShipment", json=body, headers=client.headers())
    assert refused.status_code == 400
    assert "NO-SUCH-SERVICE" in error_of(refused)["details"]


def test_rates_follow_the_request(client: Plain) -> None:
    light = client.rates().json()["payload"]["rates"]
    body = client.rates_body()
    body["packages"][0]["weight"] = {"unit": "POUND", "value": 20}
    heavy = client.rates(body).json()["payload"]["rates"]
    assert (
        [r["serviceId"] for r in light] == [r["serviceId"] for r in heavy] == ["SWA-US-STD", "SWA-US-PREM", "SWA-US-DV"]
    )
    for cheap, dear in zip(light, heavy, strict=True):
        assert dear["totalCharge"]["value"] > cheap["totalCharge"]["value"]
        assert cheap["totalCharge"]["unit"] == "USD"
    assert heavy[0]["billedWeight"] == {"unit": "POUND", "value": 20.0}

    # a big light box is billed on its dimensional weight
    body["packages"][0]["weight"] = {"unit": "POUND", "value": 1}
    body["packages"][0]["items"][0]["weight"] = {"unit": "POUND", "value": 1}  # never more than the package
    body["packages"][0]["dimensions"] = {"length": 20, "width": 20, "height": 20, "unit": "INCH"}
    bulky = client.rates(body).json()["payload"]["rates"][0]
    assert bulky["billedWeight"]["value"] > 40

    body["packages"][0]["weight"] = {"unit": "KILOGRAM", "value": 31}
    too_heavy = client.rates(body).json()["payload"]
    assert too_heavy["rates"] == []
    assert {r["ineligibilityReasons"][0]["code"] for r in too_heavy["ineligibleRates"]} == {"WEIGHT_RESTRICTIONS"}


def test_uk_shipment_is_quoted_in_pounds(plain: Callable[..., Plain], emulator: EmulatorServer) -> None:
    client = plain(emulator.url, business_id="AmazonShipping_UK").login()
    rates = client.rates(client.rates_body("AmazonShipping_UK")).json()["payload"]["rates"]
    assert {r["totalCharge"]["unit"] for r in rates} == {"GBP"}
    assert {r["carrierId"] for r in rates} == {"AMZN_UK"}


def test_missing_business_id_is_served_as_uk_with_a_warning(
    plain: Callable[..., Plain], emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = plain(emulator.url, business_id=None).login()
    with caplog.at_level("WARNING", logger="onboard.emulator"):
        response = client.rates()
    assert response.status_code == 200
    payload = response.json()["payload"]
    # a US shipment sent to the UK business: no rates, and the reason says why
    assert payload["rates"] == []
    reason = payload["ineligibleRates"][0]["ineligibilityReasons"][0]
    assert reason["code"] == "NO_COVERAGE"
    assert "x-amzn-shipping-business-id" in reason["message"]
    assert "served as AmazonShipping_UK" in caplog.text


def test_unknown_business_id_is_refused(client: Plain) -> None:
    response = client.rates(**{"x-amzn-shipping-business-id": "AmazonShipping_XX"})
    assert response.status_code == 400
    assert "AmazonShipping_XX" in error_of(response)["details"]


def test_purchase_needs_a_dpi_the_rate_lists(client: Plain) -> None:
    quoted = client.rates().json()["payload"]
    rate_id = quoted["rates"][0]["rateId"]
    no_dpi = client.purchase(quoted["requestToken"], rate_id, spec("PNG", None))
    assert no_dpi.status_code == 400
    assert "supported dpi: [300, 203]" in error_of(no_dpi)["details"]
    odd_dpi = client.purchase(quoted["requestToken"], rate_id, spec("PNG", 600))
    assert "dpi 600 is not supported" in error_of(odd_dpi)["details"]
    big = client.purchase(
        quoted["requestToken"], rate_id, spec("PDF", 203, size={"width": 8, "length": 11, "unit": "INCH"})
    )
    assert "supported size: 4x6 INCH" in error_of(big)["details"]
    no_label = client.purchase(quoted["requestToken"], rate_id, spec("PDF", 203, requestedDocumentTypes=["RECEIPT"]))
    assert "LABEL" in error_of(no_label)["details"]
    assert client.state()["counters"]["purchases"] == 0


def test_request_token_lives_ten_minutes(client: Plain) -> None:
    quoted = client.rates().json()["payload"]
    client.control(advance_seconds=601)
    late = client.purchase(quoted["requestToken"], quoted["rates"][0]["rateId"], spec())
    assert late.status_code == 400
    assert error_of(late)["code"] == "TOKEN_EXPIRED"


def test_one_quote_aged_expires_alone(client: Plain) -> None:
    # what P-08 asks: its own quote made 601 s older, while the cases running beside it buy from theirs
    aged = client.rates().json()["payload"]
    fresh = client.rates().json()["payload"]
    client.control(age_quote={"requestToken": aged["requestToken"], "seconds": 601})
    late = client.purchase(aged["requestToken"], aged["rates"][0]["rateId"], spec())
    assert late.status_code == 400 and error_of(late)["code"] == "TOKEN_EXPIRED"
    assert client.purchase(fresh["requestToken"], fresh["rates"][0]["rateId"], spec()).status_code == 200
    for bad, said in [
        ({"requestToken": "no-such-token", "seconds": 601}, "no quote with requestToken 'no-such-token'"),
        ({"requestToken": fresh["requestToken"], "seconds": -1}, "age_quote.seconds must be"),
        ({"requestToken": fresh["requestToken"], "seconds": True}, "age_quote.seconds must be"),
        ("601", "age_quote must be an object"),
    ]:
        refused = client.http.post("/_emulator/control", json={"age_quote": bad})
        assert refused.status_code == 400 and said in refused.json()["error"], refused.text


def test_idempotency_key_never_buys_twice(client: Plain) -> None:
    quoted = client.rates().json()["payload"]
    rate_id = quoted["rates"][0]["rateId"]
    key = {"x-amzn-IdempotencyKey": "order-42-attempt"}
    first = client.purchase(quoted["requestToken"], rate_id, spec(), **key)
    second = client.purchase(quoted["requestToken"], rate_id, spec(), **key)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert second.headers["x-amzn-IdempotencyKey"] == "order-42-attempt"
    assert client.state()["counters"]["purchases"] == 1
    other = client.purchase(quoted["requestToken"], rate_id, spec("ZPL"), **key)
    assert other.status_code == 400
    assert "IdempotencyKey" in error_of(other)["details"]


def test_tracking_needs_both_ids(client: Plain) -> None:
    rate, bought = client.quote_and_buy()
    tracking_id = bought["packageDocumentDetails"][0]["trackingId"]
    missing = client.track(tracking_id, None)
    assert missing.status_code == 400
    assert error_of(missing)["details"] == "CarrierId is missing in the request"
    assert client.track(tracking_id, "AMZN_UK").status_code == 404
    assert client.track("TBA000000000000", rate["carrierId"]).status_code == 404


def test_reprint_needs_the_package_reference_and_the_purchased_format(client: Plain) -> None:
    _, bought = client.quote_and_buy(spec("PNG", 300))
    shipment_id = bought["shipmentId"]
    assert error_of(client.documents(shipment_id, None))["details"] == (
        "PackageClientReferenceId is missing in the request"
    )
    assert client.documents(shipment_id, "someone-else").status_code == 400
    wrong_format = client.documents(shipment_id, "ref-1", format="ZPL")
    assert "cancel and purchase again" in error_of(wrong_format)["details"]
    assert client.documents("amzn1.ship.unknown", "ref-1").status_code == 404
    assert client.cancel("amzn1.ship.unknown").status_code == 404


def test_validation_errors_name_the_field(client: Plain) -> None:
    body = client.rates_body()
    del body["channelDetails"]
    body["packages"][0]["weight"]["unit"] = "GRAMS"
    response = client.rates(body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "InvalidRequest"
    assert "channelDetails cannot be null" in error["details"]
    assert "packages[0].weight.unit" in error["details"]

    body = client.rates_body()
    del body["packages"][0]["items"][0]["itemValue"]
    assert "packages[0].items[0].itemValue" in error_of(client.rates(body))["details"]

    not_json = client.http.post(
        "/shipping/v2/shipments/rates", content=b"{", headers=client.headers(**{"content-type": "application/json"})
    )
    assert "not valid JSON" in error_of(not_json)["details"]
    form = client.http.post("/shipping/v2/shipments/rates", data={"a": "b"}, headers=client.headers())
    assert form.status_code == 415


def test_every_response_carries_a_request_id(client: Plain) -> None:
    responses = [
        client.rates(),
        client.cancel("nope"),
        client.http.get("/shipping/v2/no-such-path", headers=client.headers()),
        client.http.delete("/shipping/v2/shipments/rates", headers=client.headers()),
    ]
    ids = [r.headers.get("x-amzn-RequestId") for r in responses]
    assert all(ids) and len(set(ids)) == len(ids)
    # Amazon's gateway answers an unknown path as an authentication failure
    assert responses[2].status_code == 403
    assert error_of(responses[2])["code"] == "MissingAuthenticationToken"
    assert responses[0].headers["x-amzn-RateLimit-Limit"] == "80"
