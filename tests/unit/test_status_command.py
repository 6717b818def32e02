"""'onboard status' on a frozen day: the JSON contract, and the due and overdue markers a shipper sees."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from onboard.checklist.load import checklist
from onboard.checklist.record import Change, apply_change
from onboard.commands import status
from tests.workspaces import new_workspace


@pytest.fixture
def submitted_workspace(tmp_path: Path) -> Path:
    """A UK shipper who registered on Wednesday 2026-11-18: Amazon should answer by Wednesday the 25th."""
    workspace = new_workspace(tmp_path, "AmazonShipping_UK")
    evidence = {"case_number": "12345678901", "submitted_on": "2026-11-18"}
    change = Change(status="done", evidence=evidence)
    apply_change(checklist(), workspace.state, "registration-submitted", change, datetime.now(UTC))
    workspace.save()
    return tmp_path


def status_on(path: Path, day: date, capsys: pytest.CaptureFixture[str], *, as_json: bool = False) -> str:
    code = status.run(argparse.Namespace(workspace=str(path), json=as_json), today=lambda: day)
    assert code == 0
    return capsys.readouterr().out


def test_the_json_has_exactly_the_promised_keys(submitted_workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(status_on(submitted_workspace, date(2026, 11, 20), capsys, as_json=True))
    assert set(document) == {"steps", "next"}
    assert [step["id"] for step in document["steps"]] == [step.id for step in checklist().steps]
    assert all(set(step) == {"id", "title", "phase", "status", "due"} for step in document["steps"])
    review = next(step for step in document["steps"] if step["id"] == "registration-review")
    assert review == {
        "id": "registration-review",
        "title": "Amazon decides on the registration",
        "phase": "registration",
        "status": "waiting",
        "due": "2026-11-25",
    }
    assert document["next"] == {
        "id": "river-account",
        "title": "Accept the RIVER invitation and create your account",
        "action": "Accept your account manager's RIVER invitation and create the account. "
        "Run: onboard step river-account --status done --evidence contact_email=EMAIL",
    }


def test_the_listing_shows_the_expected_day_then_overdue_with_the_follow_up(
    submitted_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    on_time = status_on(submitted_workspace, date(2026, 11, 25), capsys)
    assert "◷ registration-review" in on_time
    assert "expected today" in on_time
    assert "OVERDUE" not in on_time

    late = status_on(submitted_workspace, date(2026, 11, 26), capsys)
    review_line = next(line for line in late.splitlines() if "registration-review" in line)
    assert "OVERDUE: expected by Wed 2026-11-25" in review_line
    next_part = late.split("\nNext: ")[1]
    assert next_part.startswith("registration-review — Amazon decides on the registration")
    assert "follow up on your RIVER case, citing case number 12345678901" in next_part
    assert "$ onboard message registration-review" in next_part


def test_the_listing_is_grouped_by_phase_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new_workspace(tmp_path)
    out = status_on(tmp_path, date(2026, 6, 1), capsys)
    positions = [out.index(f"\n{phase.title}\n") for phase in checklist().phases]
    assert positions == sorted(positions)
    assert "– aws-iam" in out
    assert "[onboard creds verify]" in out
    total = len(checklist().steps)
    assert (
        out.splitlines()[0]
        == f"Amazon Shipping onboarding: Acme Ltd (AmazonShipping_US) — 1 of {total} steps done — Mon 2026-06-01"
    )
