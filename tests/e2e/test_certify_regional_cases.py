"""The cases a shipper of some businesses must pass before go-live, against the emulator on a real port: a
US shipper's collection form must list the label just bought (P-13), a UK shipper delivers to an access
point (P-14); each is skipped elsewhere, saying why. The emulator holds the access point a rate request
names to one it would list."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from onboard.emulator import access_points
from onboard.emulator.credentials import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from onboard.emulator.server import EmulatorServer
from onboard.labels.formats import pdf
from tests.cli import run_onboard
from tests.hostile import hostile_server
from tests.plain_client import V2, Plain, error_of, spec


def onboard(workspace: Path, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if url is not None:
        env.update(
            ONBOARD_LWA_URL=f"{url}/auth/o2/token",
            ONBOARD_SPAPI_URL=url,
            LWA_CLIENT_ID=DEMO_CLIENT_ID,
            LWA_CLIENT_SECRET=DEMO_CLIENT_SECRET,
            LWA_REFRESH_TOKEN=DEMO_REFRESH_TOKEN,
        )
    return run_onboard([*args, "--workspace", str(workspace)], env)


def shipper(tmp_path: Path, business_id: str, *more: str) -> Path:
    path = tmp_path / business_id
    assert onboard(path, "init", "--shipper", "Acme", "--business-id", business_id, *more).returncode == 0
    return path


def certify(workspace: Path, url: str, *cases: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The cases as ``certify --json`` tells them, and the run record."""
    result = onboard(workspace, "certify", "--json", "--case", *cases, url=url)
    assert "Traceback" not in result.stdout + result.stderr
    told = {case["id"]: case for case in json.loads(result.stdout)["cases"]}
    (run_json,) = workspace.glob("runs/*/run.json")
    return told, json.loads(run_json.read_text())


def calls_of(record: dict[str, Any], case: str) -> list[dict[str, Any]]:
    return [call for call in record["calls"] if call["case"] == case]


# --- P-13: collection forms -----------------------------------------------------------------------------


def test_a_us_shipper_gets_a_collection_form_that_lists_the_label_it_bought(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    workspace = shipper(tmp_path, "AmazonShipping_US")
    told, record = certify(workspace, emulator.url, "P-13", "P-14")

    assert told["P-13"]["status"] == "passed", told["P-13"]
    assert told["P-14"]["status"] == "skipped"
    assert told["P-14"]["detail"] == (
        "for AmazonShipping_UK only (Amazon's Shipping API v2 reference lists getAccessPoints for the UK); "
        "this workspace ships as AmazonShipping_US"
    )
    assert calls_of(record, "P-14") == []  # skipped before it sent anything
    assert [c["operation"] for c in calls_of(record, "P-13")] == [
        "getRates",
        "purchaseShipment",
        "generateCollectionForm",
        "getCollectionFormHistory",
        "getCollectionForm",
    ]
    assert record["ok"] is True

    # the emulator's own ledger: one form, on which the case's label is, and the label cancelled since
    (label,) = next(case for case in record["cases"] if case["id"] == "P-13")["labels"]
    (form,) = emulator.emulator.store.collection_forms.values()
    assert label["shipment_id"] in form.shipment_ids
    assert label["tracking_id"] in pdf.text(form.pdf)
    assert emulator.emulator.store.open_shipments() == []


def test_a_form_that_does_not_list_the_label_fails_the_case(
    tmp_path: Path, emulator: EmulatorServer, plain: Callable[..., Plain]
) -> None:
    # yesterday's form, of another label: what a server answers that hands out the wrong document
    client = plain(emulator.url).login()
    rate, bought = client.quote_and_buy()
    yesterday = client.http.post(
        f"{V2}/collectionForms", json={"carrierId": rate["carrierId"]}, headers=client.headers()
    )
    assert yesterday.status_code == 200, yesterday.text
    other = bought["packageDocumentDetails"][0]["trackingId"]

    workspace = shipper(tmp_path, "AmazonShipping_US")
    with hostile_server(
        emulator.url, lambda payload: None, replace={f"{V2}/collectionForms": yesterday.content}
    ) as proxy:
        told, record = certify(workspace, proxy.url, "P-13")

    assert told["P-13"]["status"] == "failed"
    assert told["P-13"]["detail"] == "form.listsPurchase is False, expected True"
    # the form found in the history and reprinted is the real one, listing the label; the label is cancelled
    assert [s.tracking_id for s in emulator.emulator.store.open_shipments()] == [other]
    assert record["left_open"] == []


def test_collection_forms_are_skipped_against_amazons_sandbox_and_production(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    workspace = shipper(tmp_path, "AmazonShipping_US", "--env", "sandbox")
    told, record = certify(workspace, emulator.url, "P-13")
    assert told["P-13"]["status"] == "skipped"
    assert told["P-13"]["detail"].startswith("not run against sandbox: Amazon's sandbox does not serve collection")
    assert calls_of(record, "P-13") == []  # nothing bought for a form that cannot be made
    # in production a form would manifest the shipper's real parcels too: not unless a case of its own says so
    assert onboard(workspace, "init", "--env", "production").returncode == 0
    result = onboard(workspace, "certify", "--json", "--case", "P-13", "--allow-production-purchase", url=emulator.url)
    (case,) = json.loads(result.stdout)["cases"]
    assert case["status"] == "skipped" and "the shipper's real parcels too" in case["detail"]
    # once, before go-live, the shipper's own P-13 names production: it runs there
    built_in = (Path(__file__).resolve().parents[2] / "checks" / "certification" / "P-13.toml").read_text()
    own = built_in.replace('environments = ["emulator"]', 'environments = ["emulator", "production"]')
    assert own != built_in
    (workspace / "certification").mkdir()
    (workspace / "certification" / "P-13.toml").write_text(own)
    result = onboard(workspace, "certify", "--json", "--case", "P-13", "--allow-production-purchase", url=emulator.url)
    (case,) = json.loads(result.stdout)["cases"]
    assert case["status"] == "passed", case


# --- P-14: access points --------------------------------------------------------------------------------


def test_a_uk_shipper_delivers_a_label_to_an_access_point_near_the_customer(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    workspace = shipper(tmp_path, "AmazonShipping_UK")
    told, record = certify(workspace, emulator.url, "P-13", "P-14")

    assert told["P-14"]["status"] == "passed", told["P-14"]
    assert told["P-13"]["status"] == "skipped"
    assert "for AmazonShipping_US only" in told["P-13"]["detail"]
    assert "this workspace ships as AmazonShipping_UK" in told["P-13"]["detail"]

    calls = {call["operation"]: call for call in calls_of(record, "P-14")}
    assert list(calls) == ["getAccessPoints", "getRates", "purchaseShipment"]
    listed = calls["getAccessPoints"]["response"]["payload"]["accessPointsMap"]
    counter = listed["HELIX"][0]  # the first counter near the sample's ship-to
    sent = calls["getRates"]["request"]["destinationAccessPointDetails"]
    assert sent == {"accessPointId": counter["accessPointId"]}

    # the label is addressed to the customer at that counter (its name, as the record has it, is redacted)
    point = access_points.find(counter["accessPointId"])
    assert point is not None
    (label,) = next(case for case in record["cases"] if case["id"] == "P-14")["labels"]
    text = pdf.text((workspace / "runs" / record["run_id"] / label["file"]).read_bytes())
    assert point["name"] in text and "Test Customer" in text and "EX33 2JL" in text
    assert emulator.emulator.store.open_shipments() == []


def test_the_emulator_delivers_only_to_an_access_point_it_would_list(
    emulator: EmulatorServer, plain: Callable[..., Plain]
) -> None:
    client = plain(emulator.url, "AmazonShipping_UK").login()

    def listed(postal_code: str, country: str = "GB") -> list[dict[str, Any]]:
        params = {"accessPointTypes": "HELIX,CORE_LOCKER", "countryCode": country, "postalCode": postal_code}
        answer = client.http.get(f"{V2}/accessPoints", params=params, headers=client.headers())
        assert answer.status_code == 200, answer.text
        found: dict[str, list[dict[str, Any]]] = answer.json()["payload"]["accessPointsMap"]
        return [point for points in found.values() for point in points]

    near = listed("EX33 2JL")
    assert [p["accessPointId"] for p in near] == [p["accessPointId"] for p in listed("ex332jl")]

    def rates_to(access_point_id: str | None, **body_changes: Any) -> Any:
        body = client.rates_body("AmazonShipping_UK")
        body["destinationAccessPointDetails"] = {} if access_point_id is None else {"accessPointId": access_point_id}
        body.update(body_changes)
        return client.rates(body)

    chosen = near[0]["accessPointId"]
    quoted = rates_to(chosen)
    assert quoted.status_code == 200, quoted.text

    def refused(answer: Any) -> dict[str, Any]:
        assert answer.status_code == 400, answer.text
        assert answer.headers["x-amzn-RequestId"]
        return error_of(answer)

    made_up = refused(rates_to("00046c4b-bb0a-4c03-831e-5633e142f16a"))  # Amazon's example id: not one listed here
    assert (made_up["code"], made_up["message"]) == ("InvalidInput", "Invalid input.")
    assert made_up["details"] == (
        "destinationAccessPointDetails.accessPointId '00046c4b-bb0a-4c03-831e-5633e142f16a' is not a valid access "
        "point: use an accessPointId returned by getAccessPoints"
    )
    forged = chosen[:-1] + ("0" if chosen[-1] != "0" else "1")  # the right shape, a check that does not hold
    assert refused(rates_to(forged))["code"] == "InvalidInput"
    abroad = listed("75008", "FR")[0]["accessPointId"]
    elsewhere = refused(rates_to(abroad))
    assert elsewhere["code"] == "InvalidInput" and "must be in the destination country" in elsewhere["details"]
    missing = refused(rates_to(None))
    assert (missing["code"], missing["details"]) == (
        "InvalidRequest",
        "destinationAccessPointDetails.accessPointId cannot be null",
    )

    # oneClickShipment carries the access point too, and is held to the same
    one_click = dict(
        client.rates_body("AmazonShipping_UK"),
        labelSpecifications=spec("PDF"),
        serviceSelection={"serviceId": [quoted.json()["payload"]["rates"][0]["serviceId"]]},
        destinationAccessPointDetails={"accessPointId": forged},
    )
    answer = client.http.post(f"{V2}/oneClickShipment", json=one_click, headers=client.headers())
    assert refused(answer)["code"] == "InvalidInput"
    one_click["destinationAccessPointDetails"] = {"accessPointId": chosen}
    bought = client.http.post(f"{V2}/oneClickShipment", json=one_click, headers=client.headers())
    assert bought.status_code == 200, bought.text
    contents = bought.json()["payload"]["packageDocumentDetails"][0]["packageDocuments"][0]["contents"]
    assert near[0]["name"] in pdf.text(base64.b64decode(contents))

    # an id is known from itself: an emulator started since (nothing listed there yet) takes it too
    with EmulatorServer() as restarted:
        again = plain(restarted.url, "AmazonShipping_UK").login()
        body = dict(again.rates_body("AmazonShipping_UK"), destinationAccessPointDetails={"accessPointId": chosen})
        assert again.rates(body).status_code == 200


@pytest.mark.parametrize("business_id", ["AmazonShipping_FR", "AmazonShipping_JP"])
def test_other_businesses_skip_both_cases_before_any_call(
    tmp_path: Path, emulator: EmulatorServer, business_id: str
) -> None:
    workspace = shipper(tmp_path, business_id)
    told, record = certify(workspace, emulator.url, "P-13", "P-14")
    assert {case: told[case]["status"] for case in ("P-13", "P-14")} == {"P-13": "skipped", "P-14": "skipped"}
    assert all(f"this workspace ships as {business_id}" in told[case]["detail"] for case in ("P-13", "P-14"))
    assert record["calls"] == [] and record["ok"] is True
