"""`onboard sandbox serve --state FILE`: an emulator killed and started again still knows its shipments,
as Amazon would, so a later run can still cancel, track and reprint what a killed run bought."""

from __future__ import annotations

import json
import re
import signal
import subprocess
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic_core import to_json

from onboard.businesses import BUSINESSES
from onboard.emulator import rating
from onboard.emulator.journal import Journal
from onboard.emulator.state import Shipment, Store
from onboard.errors import ConfigError
from onboard.models import responses as rs
from onboard.samples import sample_for
from tests.e2e.test_cli_sandbox_serve import run, serving
from tests.plain_client import Plain, error_of, label_bytes, spec

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
    store.journal.close()  # as a kill would: nothing is written at the end
    store.journal = None

    again = Store()
    journal = Journal.load(path, again)
    journal.close()
    assert list(again.shipments) == list(store.shipments)
    for shipment_id, original in store.shipments.items():
        read = again.shipments[shipment_id]
        for name in (f.name for f in fields(Shipment)):
            assert getattr(read, name) == getattr(original, name), name
        # the same fields set, so a reprint answers with the same JSON as before the restart
        assert read.rate.model_dump_json(exclude_none=True) == original.rate.model_dump_json(exclude_none=True)
        assert read.rate.model_fields_set == original.rate.model_fields_set
    assert again.by_tracking == store.by_tracking
    assert again.idempotency == store.idempotency
    assert [s.shipment_id for s in again.open_shipments()] == ["amzn1.ship.ref-us", "amzn1.ship.ref-jp"]
    assert again.quotes == {}
    assert again.journal is None  # replay records nothing again


def test_one_state_file_serves_one_emulator_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "emulator.jsonl"
    first = Journal.load(path, Store())
    try:
        with pytest.raises(ConfigError, match="in use by another emulator"):
            Journal.load(path, Store())
    finally:
        first.close()
    Journal.load(path, Store()).close()
