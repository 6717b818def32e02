"""Fixtures of the TUI tests: a workspace of the test's own under its own home, a frozen clock, the cursor
blink off, and a recorded certification run whose every id, time and label byte is fixed."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from onboard.checklist.load import checklist
from onboard.checklist.record import Change, apply_change
from onboard.labels.content import LabelContent, LabelParty
from onboard.labels.render import render_label
from onboard.settings import Settings
from onboard.tui.app import OnboardApp, make_app
from onboard.tui.session import Clock
from onboard.workspace.workspace import Workspace
from tests.workspaces import new_workspace

#: a Wednesday; the registration submitted on Mon 1 June was due on Mon 8 June, so it is overdue
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
RUN_ID = "20260610T110000Z-0a1b2c"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def workspace_dir(private_home: Path) -> Path:
    """Under the test's own home, so screens show it as ``~/ws`` on every machine."""
    path = private_home / "ws"
    new_workspace(path)
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock.frozen(NOW)


@pytest.fixture
def app_for(clock: Clock) -> Callable[..., OnboardApp]:
    """Builds the app exactly as the CLI does (``make_app``), with time frozen and the cursor still."""

    def make(path: Path, **options: Any) -> OnboardApp:
        options.setdefault("clock", clock)
        options.setdefault("blink", False)
        return make_app(path, Settings.from_env(), **options)

    return make


def record(path: Path, step_id: str, when: datetime, **change: Any) -> None:
    """A change as ``onboard step`` makes it, at a fixed moment."""
    workspace = Workspace.open(path)
    apply_change(checklist(), workspace.state, step_id, Change(**change), when)
    workspace.save()


@pytest.fixture
def seeded(workspace_dir: Path) -> Path:
    """A workspace part of the way through: steps done, one in progress, a review overdue."""
    day = lambda d: datetime(2026, 6, d, 9, 30, tzinfo=UTC)  # noqa: E731
    record(workspace_dir, "river-account", day(1), status="done", evidence={"contact_email": "ops@example.com"})
    record(workspace_dir, "amazon-account", day(1), status="done", evidence={"account_email": "ship@example.com"})
    record(
        workspace_dir,
        "directed-id",
        day(2),
        status="done",
        evidence={"directed_id": "amzn1.account.AEXAMPLE1234567890", "sent_on": "2026-06-02"},
    )
    record(workspace_dir, "developer-central", day(3), status="done", evidence={"confirmed_on": "2026-06-03"})
    record(workspace_dir, "developer-profile", day(4), status="in_progress", note="Waiting for legal's wording")
    record(
        workspace_dir,
        "registration-submitted",
        day(1),
        status="done",
        evidence={"case_number": "12345678901", "submitted_on": "2026-06-01"},
    )
    return workspace_dir


def _label_png() -> bytes:
    sender = LabelParty("Acme Ltd", ("1 Dock Road",), "Kent", "WA", "98032", "US")
    recipient = LabelParty("Jo Doe", ("410 Terry Ave N",), "Seattle", "WA", "98109", "US")
    content = LabelContent(
        "TBA000000000001", sender, recipient, "Amazon Shipping", "Ground", "1.52 lb", "2026-06-10", "amzn1.ship.1"
    )
    return render_label(content, "PNG", 203)


def _rates_call(case: str, number: int) -> dict[str, Any]:
    return {
        "operation": "getRates",
        "method": "POST",
        "path": "/shipping/v2/shipments/rates",
        "attempt": 1,
        "status": 200,
        "request_id": f"00000000-0000-4000-8000-00000000000{number}",
        "elapsed_ms": 12.5,
        "error_code": None,
        "request": {
            "shipFrom": {"name": "[redacted]", "city": "Kent", "countryCode": "US", "postalCode": "98032"},
            "shipTo": {"name": "[redacted]", "city": "SEATTLE", "countryCode": "US", "postalCode": "98109"},
            "packages": [
                {"packageClientReferenceId": f"{RUN_ID}-{case}-1", "weight": {"unit": "POUND", "value": 1.52}}
            ],
        },
        "response": {
            "payload": {
                "requestToken": f"amzn1.rq.{case.lower()}",
                "rates": [{"rateId": f"RATE-{case}", "carrierId": "AMZN_US", "totalCharge": {"value": 5.37}}],
            }
        },
    }


@pytest.fixture
def recorded_run(workspace_dir: Path) -> Path:
    """``runs/<RUN_ID>/`` as ``onboard certify`` writes it, with one real (rendered) PNG label."""
    directory = workspace_dir / "runs" / RUN_ID
    (directory / "labels").mkdir(parents=True)
    label_file = "labels/P-02-PNG-203-TBA000000000001.png"
    (directory / label_file).write_bytes(_label_png())
    checks = [
        {"name": "spec", "ok": True, "detail": "PNG 4 x 6 INCH, 203 dpi: offered by the rate"},
        {"name": "format", "ok": True, "detail": "PNG"},
        {"name": "size", "ok": True, "detail": "812 x 1218 px, 4 x 6 in at 203 dpi"},
        {"name": "barcodes", "ok": True, "detail": "2 barcodes read; the Code 128 carries TBA000000000001"},
    ]
    purchase = {
        "operation": "purchaseShipment",
        "method": "POST",
        "path": "/shipping/v2/shipments",
        "attempt": 1,
        "status": 200,
        "request_id": "00000000-0000-4000-8000-000000000003",
        "elapsed_ms": 21.0,
        "error_code": None,
        "request": {"requestToken": "amzn1.rq.p-02", "rateId": "RATE-P-02"},
        "response": {
            "payload": {
                "shipmentId": "amzn1.ship.1",
                "packageDocumentDetails": [
                    {"packageClientReferenceId": f"{RUN_ID}-P-02-1", "trackingId": "TBA000000000001"}
                ],
            }
        },
    }
    cancel = {
        "operation": "cancelShipment",
        "method": "PUT",
        "path": "/shipping/v2/shipments/amzn1.ship.1/cancel",
        "attempt": 1,
        "status": 200,
        "request_id": "00000000-0000-4000-8000-000000000004",
        "elapsed_ms": 3.0,
        "error_code": None,
        "request": None,
        "response": {"payload": {}},
    }
    run = {
        "schema": 1,
        "run_id": RUN_ID,
        "environment": "emulator",
        "business_id": "AmazonShipping_US",
        "started": "2026-06-10T11:00:00+00:00",
        "finished": "2026-06-10T11:00:02+00:00",
        "ok": True,
        "cases": [
            {
                "id": "TC01",
                "title": "Retrieve available shipping rates for a standard package",
                "status": "passed",
                "detail": "3 check(s) passed",
                "source": "amazon",
                "elapsed_ms": 20.0,
                "labels": [],
                "variants": [],
            },
            {
                "id": "P-02",
                "title": "Purchase a label from a rate",
                "status": "passed",
                "detail": "3 check(s) passed",
                "source": "onboard",
                "elapsed_ms": 260.0,
                "labels": [
                    {
                        "case": "P-02",
                        "kind": "label",
                        "format": "PNG",
                        "dpi": 203,
                        "tracking_id": "TBA000000000001",
                        "file": label_file,
                        "status": "passed",
                        "passed": True,
                        "report": {"ok": True, "status": "passed", "checks": checks, "hint": ""},
                    }
                ],
                "variants": [],
            },
            {
                "id": "P-12",
                "title": "Additional inputs, where a rate requires them",
                "status": "skipped",
                "detail": "no rate offered requires additional inputs",
                "source": "onboard",
                "elapsed_ms": 40.0,
                "labels": [],
                "variants": [],
            },
        ],
        "left_open": [],
        "cancel_failures": [],
        "calls": [_rates_call("TC01", 1), _rates_call("P-02", 2), purchase, _rates_call("P-12", 5), cancel],
    }
    (directory / "run.json").write_text(json.dumps(run, indent=2), encoding="utf-8")
    return directory / "run.json"
