"""`onboard sandbox serve --state FILE`: an emulator killed and started again still knows its shipments,
as Amazon would, so a later run can still cancel, track and reprint what a killed run bought."""

from __future__ import annotations

import base64
import json
import re
import signal
import subprocess
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic_core import to_json

from onboard.businesses import BUSINESSES
from onboard.emulator import rating
from onboard.emulator.journal import Journal
from onboard.emulator.state import CollectionForm, LinkedAccount, Shipment, Store
from onboard.errors import ConfigError
from onboard.models import responses as rs
from onboard.samples import sample_for
from tests.e2e.test_cli_sandbox_serve import run, serving
from tests.plain_client import V2, Plain, error_of, label_bytes, spec

KEY = {"x-amzn-IdempotencyKey": "order-7-attempt"}


def _killed(process: subprocess.Popen[str]) -> None:
    """SIGKILL, as an OOM killer or a closed CI runner would: no shutdown code runs."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def _state_line(banner: list[str]) -> str:
    return next(line for line in banner if line.lstrip().startswith("state "))


@pytest.mark.slow
def test_a_killed_emulator_restarted_on_its_state_file_still_knows_every_label(
    plain: Callable[..., Plain], tmp_path: Path
) -> None:
    state = tmp_path / "emulator.jsonl"
    with serving("--state", str(state)) as (process, url, banner):
        assert re.search(rf"state\s+{re.escape(str(state))} \(0 shipments, 0 open\)", _state_line(banner))
        client = plain(url).login()
        _, first = client.quote_and_buy(spec("PDF", 203))
        quoted = client.rates().json()["payload"]
        rate = quoted["rates"][0]
        keyed = client.purchase(quoted["requestToken"], rate["rateId"], spec("ZPL", 300), **KEY)
        assert keyed.status_code == 200, keyed.text
        second = keyed.json()["payload"]
        assert client.cancel(first["shipmentId"]).status_code == 200
        _killed(process)

    with serving("--state", str(state), "--quiet") as (process, url, banner):
        assert f"{state} (2 shipments, 1 open)" in _state_line(banner)
        client = plain(url).login()  # access tokens are not kept: a restarted emulator wants a new one
        assert client.state()["open_shipments"] == [second["shipmentId"]]

        again = client.cancel(first["shipmentId"])
        assert again.status_code == 400
        assert "already cancelled" in error_of(again)["details"]

        # the same key and body replay the first answer instead of buying a third label
        replayed = client.purchase(quoted["requestToken"], rate["rateId"], spec("ZPL", 300), **KEY)
        assert replayed.status_code == 200, replayed.text
        assert replayed.json() == keyed.json()
        assert client.state()["counters"]["purchases"] == 0

        detail = second["packageDocumentDetails"][0]
        tracked = client.track(detail["trackingId"], rate["carrierId"])
        assert tracked.status_code == 200, tracked.text
        assert tracked.json()["payload"]["summary"]["status"] == "PreTransit"
        reprint = client.documents(second["shipmentId"], "ref-1", format="ZPL", dpi="300")
        assert reprint.status_code == 200, reprint.text
        assert label_bytes(reprint.json()["payload"]["packageDocumentDetail"]) == label_bytes(detail)

        assert client.cancel(second["shipmentId"]).status_code == 200
        assert client.state()["open_shipments"] == []
        _killed(process)

    # the cancellation made after the restart was kept as well
    with serving("--state", str(state)) as (_, url, banner):
        assert f"{state} (2 shipments, 0 open)" in _state_line(banner)
        client = plain(url).login()
        tracked = client.track(second["packageDocumentDetails"][0]["trackingId"], rate["carrierId"])
        assert tracked.json()["payload"]["summary"]["status"] == "PickupCancelled"
    assert "access_token" not in state.read_text(encoding="utf-8")
    assert client.token not in state.read_text(encoding="utf-8")


def test_without_state_the_banner_says_shipments_are_lost_when_stopped() -> None:
    with serving() as (_, _url, banner):
        assert re.search(r"state\s+memory only \(lost when stopped\)", _state_line(banner))


@pytest.mark.slow
def test_a_record_torn_by_a_kill_is_dropped_with_a_warning_and_the_rest_is_kept(
    plain: Callable[..., Plain], tmp_path: Path
) -> None:
    state = tmp_path / "emulator.jsonl"
    with serving("--state", str(state)) as (process, url, _):
        client = plain(url).login()
        _, bought = client.quote_and_buy(spec("PDF", 203))
        _killed(process)
    whole = state.read_bytes()
    # a kill in the middle of the next record's write() leaves half of it, without its newline
    with state.open("ab") as journal:
        journal.write(whole[: len(whole) // 2])

    with serving("--state", str(state)) as (process, url, banner):
        assert f"{state} (1 shipment, 1 open)" in _state_line(banner)
        client = plain(url).login()
        assert client.documents(bought["shipmentId"], "ref-1").status_code == 200
        _, later = client.quote_and_buy(spec("PDF", 203))
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    warnings = [line for line in err.splitlines() if "WARNING" in line]
    assert len(warnings) == 1
    assert f"{state}, line 2: ignored the last record" in warnings[0]
    assert "Traceback" not in err
    # the torn half was cut off, so the record written after it is whole and the file loads cleanly
    assert state.read_bytes().startswith(whole)
    lines = state.read_bytes().splitlines()
    assert len(lines) == 2
    assert json.loads(lines[1])["shipment_id"] == later["shipmentId"]


@pytest.mark.parametrize("where", ["middle", "last"])
def test_garbage_in_the_middle_of_the_state_file_is_one_line_and_exit_2(tmp_path: Path, where: str) -> None:
    state = tmp_path / "emulator.jsonl"
    good = json.dumps({"v": 1, "event": "cancel", "shipment_id": "amzn1.ship.gone", "at": "2025-01-01T00:00:00+00:00"})
    # a whole last line (newline and all) was not cut by a kill: it is damage, refused like any other
    lines = [good, "not json at all", good] if where == "middle" else [good, "not json at all"]
    state.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("sandbox", "serve", "--port", "0", "--state", str(state))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("onboard: error:")
    assert f"{state}, line 2" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("where", "message"),
    [("missing/emulator.jsonl", "its folder does not exist"), (".", "cannot open the emulator state file")],
)
def test_a_state_file_that_cannot_be_opened_is_one_line_and_exit_2(tmp_path: Path, where: str, message: str) -> None:
    result = run("sandbox", "serve", "--port", "0", "--state", str(tmp_path / where))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert str(tmp_path) in lines[0]


def _shipment(business_id: str, fmt: str, dpi: int, reference: str) -> Shipment:
    business = BUSINESSES[business_id]
    request = sample_for(business_id).rates_request(reference)
    now = datetime.now(UTC)
    rates, _ = rating.quote(request, business, now)
    # as the emulator keeps a quoted rate: parsed back from the JSON it sent
    rate = rs.Rate.model_validate_json(to_json(rates[-1]))
    return Shipment(
        shipment_id=f"amzn1.ship.{reference}",
        tracking_id=f"TBA{abs(hash(reference)) % 10**12:012d}",
        business=business,
        rate=rate,
        package_reference=reference,
        # every byte value, as a PNG or PDF label holds
        label=bytes(range(256)) + fmt.encode(),
        label_format=fmt,
        label_dpi=dpi,
        purchased_at=now,
        ship_from=request.shipFrom,
        ship_to=request.shipTo,
        services=("SIGNATURE",) if fmt == "PNG" else (),
    )


def test_a_store_read_back_from_its_journal_keeps_every_shipment_field(tmp_path: Path) -> None:
    path = tmp_path / "emulator.jsonl"
    store = Store()
    store.journal = Journal.load(path, store)
    bought = [
        _shipment("AmazonShipping_US", "PNG", 300, "ref-us"),
        _shipment("AmazonShipping_UK", "ZPL", 203, "ref-uk"),
        _shipment("AmazonShipping_JP", "PDF", 203, "ref-jp"),
    ]
    for shipment in bought:
        store.add_shipment(shipment)
    store.cancel(bought[1], datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=UTC))
    store.remember("key-1", b'{"requestToken":"t"}', b'{"payload":{"shipmentId":"amzn1.ship.ref-us"}}')
    at = datetime(2025, 3, 5, 9, 0, tzinfo=UTC)
    ups = LinkedAccount("amzn1.carrieraccount.ups", "UPS", "SHIPPER_ACCOUNT_WITH_INVOICE", "A1B2C3")
    fedex = LinkedAccount("amzn1.carrieraccount.fedex", "FEDEX", "SHIPPER_ACCOUNT", "123456789")
    store.link_account("app:seller|AmazonShipping_US", ups)
    store.link_account("app:seller|AmazonShipping_US", fedex)
    store.link_account("app:seller|AmazonShipping_UK", LinkedAccount("amzn1.carrieraccount.rm", "ROYAL_MAIL", "S", "1"))
    store.unlink_account("app:seller|AmazonShipping_US", "FEDEX")
    form = CollectionForm(
        form_id="CF-20250305-A",
        business_id="AmazonShipping_US",
        carrier_id=bought[0].rate.carrierId,
        carrier_name=bought[0].rate.carrierName,
        created=at,
        ship_from=bought[0].ship_from,
        shipment_ids=(bought[0].shipment_id,),
        pdf=b"%PDF-1.4\n" + bytes(range(256)),
    )
    store.add_collection_form(form)
    store.add_event(bought[2], "DeliveryAttempted", at)
    store.add_event(bought[2], "ReturnInitiated", at + timedelta(hours=1))
    store.add_claim(bought[2], "LOST_IN_TRANSIT", "amzn1.claim.1")
    store.journal.close()  # as a kill would: nothing is written at the end
    store.journal = None

    again = Store()
    journal = Journal.load(path, again)
    journal.close()
    assert again.carrier_accounts == {
        "app:seller|AmazonShipping_US": {"UPS": ups},
        "app:seller|AmazonShipping_UK": store.carrier_accounts["app:seller|AmazonShipping_UK"],
    }
    assert again.collection_forms == {form.form_id: form}
    assert again.claims == {"amzn1.claim.1": bought[2].shipment_id}
    assert list(again.shipments) == list(store.shipments)
    for shipment_id, original in store.shipments.items():
        read = again.shipments[shipment_id]
        for name in (f.name for f in fields(Shipment)):
            assert getattr(read, name) == getattr(original, name), name
        # the same fields set, so a reprint answers with the same JSON as before the restart
        assert read.rate.model_dump_json(exclude_none=True) == original.rate.model_dump_json(exclude_none=True)
        assert read.rate.model_fields_set == original.rate.model_fields_set
        assert read.ship_from.model_fields_set == original.ship_from.model_fields_set
        assert read.ship_to is not None and original.ship_to is not None
        assert read.ship_to.model_fields_set == original.ship_to.model_fields_set
    assert again.shipments[bought[0].shipment_id].collection_form_id == form.form_id
    assert again.shipments[bought[2].shipment_id].events == [
        ("DeliveryAttempted", at),
        ("ReturnInitiated", at + timedelta(hours=1)),
    ]
    assert again.by_tracking == store.by_tracking
    assert again.idempotency == store.idempotency
    assert [s.shipment_id for s in again.open_shipments()] == ["amzn1.ship.ref-us", "amzn1.ship.ref-jp"]
    assert again.quotes == {}
    assert again.journal is None  # replay records nothing again


def _version_1_journal(path: Path) -> Store:
    """A journal as an emulator that kept only shipments, cancellations and keys wrote it (version 1)."""
    store = Store()
    store.journal = Journal.load(path, store)
    shipment = _shipment("AmazonShipping_US", "PDF", 203, "ref-old")
    store.add_shipment(shipment)
    store.cancel(shipment, datetime(2025, 1, 2, tzinfo=UTC))
    store.remember("key-old", b"{}", b'{"payload":{}}')
    store.journal.close()
    records = [json.loads(line) for line in path.read_bytes().splitlines()]
    for record in records:
        record["v"] = 1
        record.pop("ship_to", None)
        record.pop("services", None)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return store


def test_a_version_1_journal_still_loads_and_new_records_follow_it_as_version_2(tmp_path: Path) -> None:
    path = tmp_path / "emulator.jsonl"
    before = _version_1_journal(path)
    again = Store()
    again.journal = Journal.load(path, again)
    (shipment,) = again.shipments.values()
    original = before.shipments[shipment.shipment_id]
    assert (shipment.ship_to, shipment.services) == (None, ())  # version 1 did not keep them
    assert shipment.label == original.label and shipment.cancelled_at == original.cancelled_at
    assert again.idempotency == before.idempotency
    again.link_account("app:seller|AmazonShipping_US", LinkedAccount("amzn1.carrieraccount.x", "UPS", "S", "A1B2C3"))
    again.journal.close()
    versions = [json.loads(line)["v"] for line in path.read_bytes().splitlines()]
    assert versions == [1, 1, 1, 2]
    third = Store()
    Journal.load(path, third).close()
    assert list(third.carrier_accounts["app:seller|AmazonShipping_US"]) == ["UPS"]


@pytest.mark.parametrize(
    ("record", "why"),
    [
        # a version 1 emulator never wrote these: such a line is damage, not an old record
        ({"v": 1, "event": "claim", "shipment_id": "s", "reason": "LOST_IN_TRANSIT", "claim_id": "c"}, "unknown event"),
        ({"v": 3, "event": "cancel", "shipment_id": "s", "at": "2025-01-01T00:00:00+00:00"}, "version 3"),
        ({"v": True, "event": "cancel", "shipment_id": "s", "at": "2025-01-01T00:00:00+00:00"}, "version True"),
        ({"v": 2, "event": "pickup", "shipment_id": "s"}, "unknown event 'pickup'"),
        (
            {"v": 2, "event": "tracking", "shipment_id": "s", "code": "Teleported", "at": "2025-01-01T00:00:00+00:00"},
            "unknown tracking event code",
        ),
        (
            {"v": 2, "event": "account_unlinked", "seller": "a|b", "carrier_id": "UPS", "account_id": "x"},
            "was not linked",
        ),
        (
            {
                "v": 2,
                "event": "account_linked",
                "seller": "a|b",
                "carrier_id": "UPS",
                "account_id": 7,
                "account_type": "S",
                "number": "1",
            },
            "account_id is not a string",
        ),
        ({"v": 2, "event": "collection_form", "form_id": "CF"}, "business_id is missing"),
    ],
)
def test_a_record_this_emulator_cannot_replay_is_refused_with_its_line(
    tmp_path: Path, record: dict[str, object], why: str
) -> None:
    path = tmp_path / "emulator.jsonl"
    good = {"v": 1, "event": "cancel", "shipment_id": "amzn1.ship.gone", "at": "2025-01-01T00:00:00+00:00"}
    path.write_text(json.dumps(good) + "\n" + json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 2: not an emulator state record") as refused:
        Journal.load(path, Store())
    assert why in str(refused.value)


def test_one_state_file_serves_one_emulator_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "emulator.jsonl"
    first = Journal.load(path, Store())
    try:
        with pytest.raises(ConfigError, match="in use by another emulator"):
            Journal.load(path, Store())
    finally:
        first.close()
    Journal.load(path, Store()).close()


# --- after the label: carrier accounts, collection forms, claims and NDR feedback, over a restart ---------

UPS_ACCOUNT: dict[str, Any] = {
    "carrierAccountType": "SHIPPER_ACCOUNT_WITH_INVOICE",
    "carrierAccountAttributes": [
        {"attributeName": "accountNumber", "value": "A1B2C3"},
        {"attributeName": "accountPostalCode", "value": "98109"},
        {"attributeName": "invoiceNumber", "value": "INV000123456"},
    ],
}
FEDEX_API_KEY = "fedex-developer-project-key-0001"
FEDEX_ACCOUNT = {
    "carrierAccountType": "SHIPPER_ACCOUNT",
    "carrierAccountAttributes": [{"attributeName": "accountNumber", "value": "123456789"}],
    "encryptedCarrierAccountAttributes": [{"attributeName": "apiKey", "value": FEDEX_API_KEY}],
}
FORM_KEY = {"x-amzn-IdempotencyKey": "pickup-monday"}


Answer = tuple[int, Any]


def _call(client: Plain, method: str, path: str, body: object = None, **headers: str) -> Answer:
    response = client.http.request(method, V2 + path, json=body, headers=client.headers(**headers))
    return response.status_code, response.json() if response.content else None


def _claim(tracking_id: str) -> dict[str, object]:
    return {
        "trackingId": tracking_id,
        "claimReason": "LOST_IN_TRANSIT",
        "settlementType": "REFUND",
        "declaredValue": {"value": 26.99, "unit": "USD"},
    }


def _answers(us: Plain, uk: Plain, carrier_id: str, bought: list[dict[str, Any]]) -> dict[str, Answer]:
    """Every answer a seller can read of what it did: the listings, each form, each label's tracking and
    documents, and what a retry of each change answers (the first form again, a refusal)."""
    answers: dict[str, Answer] = {
        "accounts": _call(us, "PUT", "/carrierAccounts", {}),
        # accounts are per seller: another business of the same app sees none of them
        "accounts UK": _call(uk, "PUT", "/carrierAccounts", {}),
        "unmanifested": _call(us, "PUT", "/unmanifestedShipments", {}),
        "form again": _call(us, "POST", "/collectionForms", {"carrierId": carrier_id}, **FORM_KEY),
    }
    status, history = _call(us, "PUT", "/collectionForms/history", {"carrierId": carrier_id})
    assert status == 200
    # the one field that is the time of the answer, not of the forms
    assert history.pop("lastRefreshedDate")
    answers["history"] = status, history
    for record in history["collectionFormsHistoryRecordList"]:
        form_id = record["collectionFormId"]
        answers[f"form {form_id}"] = _call(us, "GET", f"/collectionForms/{form_id}")
    # only the first label was claimed: claiming it again is refused, naming the claim
    answers["claim again"] = _call(us, "POST", "/claims", _claim(bought[0]["packageDocumentDetails"][0]["trackingId"]))
    for number, payload in enumerate(bought):
        detail = payload["packageDocumentDetails"][0]
        tracked = us.track(detail["trackingId"], carrier_id)
        answers[f"tracking {number}"] = tracked.status_code, tracked.json()
        documents = us.documents(payload["shipmentId"], detail["packageClientReferenceId"])
        answers[f"documents {number}"] = documents.status_code, documents.json()
        answers[f"ndr {number} again"] = _call(
            us, "POST", "/ndrFeedback", {"trackingId": detail["trackingId"], "ndrAction": "RTO"}
        )
    return answers


def _forms(answers: dict[str, Answer]) -> list[bytes]:
    """The PDF of each form in the history, newest first."""
    pdfs = []
    for record in answers["history"][1]["collectionFormsHistoryRecordList"]:
        status, body = answers[f"form {record['collectionFormId']}"]
        assert status == 200
        pdfs.append(base64.b64decode(body["collectionsFormDocument"]["base64EncodedContent"]))
    return pdfs


@pytest.mark.slow
def test_accounts_forms_claims_and_ndr_feedback_survive_a_kill_and_a_restart(
    plain: Callable[..., Plain], tmp_path: Path
) -> None:
    state = tmp_path / "emulator.jsonl"
    with serving("--state", str(state)) as (process, url, _):
        us, uk = plain(url).login(), plain(url, "AmazonShipping_UK").login()
        rate, first = us.quote_and_buy(spec("PDF", 203))
        _, second = us.quote_and_buy(spec("ZPL", 203))
        carrier_id = rate["carrierId"]

        # a UPS account linked; a FedEx one linked then unlinked, so it must stay unlinked
        status, ups = _call(us, "PUT", "/carrierAccounts/UPS", UPS_ACCOUNT)
        assert status == 200, ups
        status, fedex = _call(us, "POST", "/carrierAccounts/FEDEX", FEDEX_ACCOUNT)
        assert status == 200, fedex
        unlink = {"accountId": fedex["accountId"]}
        assert _call(us, "PUT", "/carrierAccounts/FEDEX/unlink", unlink) == (200, {"isUnlinked": True})

        # Monday's pickup manifests both labels; a third bought after it waits for the next form
        status, form = _call(us, "POST", "/collectionForms", {"carrierId": carrier_id}, **FORM_KEY)
        assert status == 200, form
        _, third = us.quote_and_buy(spec("PNG", 203))

        # the carrier could not deliver the second label: the shipper asks for another attempt
        second_tracking = second["packageDocumentDetails"][0]["trackingId"]
        us.control(tracking_event={"trackingId": second_tracking, "eventCode": "DeliveryAttempted"})
        ndr = {
            "trackingId": second_tracking,
            "ndrAction": "REATTEMPT",
            "ndrRequestData": {"additionalAddressNotes": "Side door"},
        }
        assert us.http.post(f"{V2}/ndrFeedback", json=ndr, headers=us.headers()).status_code == 204
        status, claim = _call(us, "POST", "/claims", _claim(first["packageDocumentDetails"][0]["trackingId"]))
        assert status == 201, claim

        bought = [first, second, third]
        before = _answers(us, uk, carrier_id, bought)
        assert before["accounts"] == (200, {"activeAccounts": [{"accountId": ups["accountId"], "carrierId": "UPS"}]})
        assert before["accounts UK"] == (200, {"activeAccounts": []})
        assert before["form again"] == (200, form)
        status, claimed = before["claim again"]
        assert status == 400 and claim["claimId"] in claimed["errors"][0]["details"]
        (waiting,) = before["unmanifested"][1]["unmanifestedCarrierInformationList"]
        (location,) = waiting["unmanifestedShipmentLocationList"]
        assert "lastManifestDate" in location  # the third label's address had a form on Monday
        events = [e["eventCode"] for e in before["tracking 1"][1]["payload"]["eventHistory"]]
        assert events == ["ReadyForReceive", "DeliveryAttempted", "OutForDelivery"]

        # reading, retrying what was done, and quoting write nothing: quotes are not journalled
        size = state.stat().st_size
        assert us.rates().status_code == 200
        assert _answers(us, uk, carrier_id, bought) == before
        assert state.stat().st_size == size
        _killed(process)

    with serving("--state", str(state), "--quiet") as (process, url, banner):
        assert f"{state} (3 shipments, 3 open)" in _state_line(banner)
        us, uk = plain(url).login(), plain(url, "AmazonShipping_UK").login()
        assert _answers(us, uk, carrier_id, bought) == before

        # one file, one emulator, as before
        refused = run("sandbox", "serve", "--port", "0", "--state", str(state))
        assert refused.returncode == 2
        assert "in use by another emulator" in refused.stderr

        # the account is still this seller's: linking it again answers it, another number is refused
        assert _call(us, "PUT", "/carrierAccounts/UPS", UPS_ACCOUNT) == (200, ups)
        attributes = [
            {"attributeName": "accountNumber", "value": "Z9Z9Z9"},
            *UPS_ACCOUNT["carrierAccountAttributes"][1:],
        ]
        other = {**UPS_ACCOUNT, "carrierAccountAttributes": attributes}
        status, taken = _call(us, "PUT", "/carrierAccounts/UPS", other)
        assert status == 400 and ups["accountId"] in str(taken)
        assert _call(us, "PUT", "/carrierAccounts/FEDEX/unlink", unlink)[0] == 404

        # after the restart: the UPS account unlinked, and Tuesday's form lists the third label, with where it goes
        assert _call(us, "PUT", "/carrierAccounts/UPS/unlink", {"accountId": ups["accountId"]})[0] == 200
        status, tuesday = _call(us, "POST", "/collectionForms", {"carrierId": carrier_id})
        assert status == 200, tuesday
        after = _answers(us, uk, carrier_id, bought)
        assert after["accounts"] == (200, {"activeAccounts": []})
        assert after["unmanifested"] == (200, {"unmanifestedCarrierInformationList": []})
        newest, oldest = _forms(after)
        assert _forms(before) == [oldest]
        third_tracking = third["packageDocumentDetails"][0]["trackingId"]
        ship_to = us.rates_body()["shipTo"]
        assert third_tracking.encode() in newest
        assert first["packageDocumentDetails"][0]["trackingId"].encode() not in newest
        assert f"{ship_to['postalCode']} {ship_to['countryCode']}".encode() in newest
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=15)
        assert process.returncode == 0, err

    with serving("--state", str(state), "--quiet") as (_, url, _banner):
        us, uk = plain(url).login(), plain(url, "AmazonShipping_UK").login()
        assert _answers(us, uk, carrier_id, bought) == after
    journal = state.read_text(encoding="utf-8")
    # what linking was given in confidence is not kept, nor the tokens
    assert FEDEX_API_KEY not in journal
    assert us.token not in journal and "access_token" not in journal
