"""The onboarding checklist as a shipper drives it: 'onboard init', 'status', 'step' and 'message'."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest

from tests.cli import run_onboard

ONBOARD = [sys.executable, "-m", "onboard"]
V1 = Path(__file__).resolve().parents[1] / "unit" / "data" / "workspace-v1.json"

#: credentials in the environment of every call: none of them may ever show up in an output or a file
CANARIES = {
    "LWA_CLIENT_ID": "amzn1.application-oa2-client.canary0000000000000000000000000",
    "LWA_CLIENT_SECRET": "amzn1.oa2-cs.v1.canary-secret-that-must-never-leak",
    "LWA_REFRESH_TOKEN": "Atzr|canary-refresh-token-that-must-never-leak",
}


class Shipper:
    """One shipper's workspace, and the onboard commands they type."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.file = workspace / "workspace.json"
        self.outputs: list[str] = []

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "ONBOARD_WORKSPACE"} | CANARIES
        done = run_onboard([*args, "--workspace", str(self.workspace)], env)
        self.outputs += [done.stdout, done.stderr]
        return done

    def ok(self, *args: str) -> str:
        done = self.run(*args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def step(self, step_id: str, status: str | None = "done", *evidence: str) -> str:
        args = ["step", step_id, *(["--status", status] if status else [])]
        for item in evidence:
            args += ["--evidence", item]
        return self.ok(*args)

    def status(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.ok("status", "--json"))
        return document

    def refused(self, *args: str) -> str:
        """Run a command that must be refused: exit 2, one line on stderr, workspace and backup unchanged."""
        before = {path.name: path.read_bytes() for path in self.workspace.glob("workspace.json*")}
        done = self.run(*args)
        assert done.returncode == 2, done.stdout + done.stderr
        assert done.stderr.startswith("onboard: error: ")
        assert done.stderr.count("\n") == 1
        assert {path.name: path.read_bytes() for path in self.workspace.glob("workspace.json*")} == before
        return done.stderr


@pytest.fixture
def shipper(tmp_path: Path) -> Shipper:
    uk = Shipper(tmp_path / "acme")
    uk.ok("init", "--business-id", "AmazonShipping_UK", "--shipper", "Acme Ltd")
    return uk


@pytest.mark.slow
def test_a_shipper_goes_from_the_river_invitation_to_the_first_shipping_day(shipper: Shipper) -> None:
    assert shipper.status()["next"]["id"] == "river-account"

    shipper.step("river-account", "done", "contact_email=ops@acme.example", "river_case=RIV-20931")
    shipper.step("amazon-account", "done", "account_email=shipping-api@acme.example")
    shipper.step("directed-id", "done", "directed_id=amzn1.account.AEXAMPLE1234567890", "sent_on=2020-01-02")
    message = shipper.ok("message", "directed-id")
    assert "Our DirectedId is: amzn1.account.AEXAMPLE1234567890" in message
    assert "RIV-20931" in message and "Acme Ltd" in message

    shipper.step("developer-central", "done", "confirmed_on=2020-01-03")
    shipper.step("developer-profile", "done", "organisation=Acme Ltd", "contact_email=ops@acme.example")
    for answered in ("data-access", "roles", "security-controls"):
        shipper.step(answered)
    # registered on Monday 2020-01-06: Amazon should have answered by Monday the 13th, long ago
    shipper.step("registration-submitted", "done", "case_number=12345678901", "submitted_on=2020-01-06")
    assert "Developer Central case number: 12345678901" in shipper.ok("message", "registration-submitted")

    status = shipper.status()
    review = next(step for step in status["steps"] if step["id"] == "registration-review")
    assert (review["status"], review["due"]) == ("waiting", "2020-01-13")
    assert status["next"]["id"] == "registration-review"
    assert "citing case number 12345678901" in status["next"]["action"]
    assert "case 12345678901" in shipper.ok("message", "registration-review")

    # rejected, then registered again: the resubmission is counted and the review starts over
    shipper.step("registration-review", "blocked", "decision=rejected")
    assert shipper.status()["next"]["action"].startswith("Rejected: read the reason")
    resubmitted = shipper.step("registration-submitted", None, "submitted_on=2020-01-20")
    assert "resubmissions" in resubmitted and "0 → 1" in resubmitted
    shipper.step("registration-review", "done", "decision=approved", "decided_on=2020-01-24")
    shipper.step("logistics-role", "done", "confirmed_on=2020-01-27")

    assert shipper.status()["next"]["id"] == "rdt-answer"  # the IAM step is skipped, with the reason
    shipper.step("rdt-answer")
    shipper.step(
        "app-created",
        "done",
        "app_id=amzn1.sp.solution.0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        "client_id=amzn1.application-oa2-client.0nb0a4dde70000000000000000000000",
    )
    shipper.step("app-reviewed")
    shipper.step("refresh-token", "done", "generated_on=2020-02-03", "region=eu")
    for checked_by_the_tool in ("credentials-verified", "sandbox-flows", "test-label", "pack-built"):
        shipper.step(checked_by_the_tool)
    shipper.step("pack-sent", "done", "sent_on=2020-02-10")
    shipper.step("sign-off", "done", "signed_off_on=2020-02-14", "account_manager=Sam Jones")
    last = shipper.step("first-ship-date", "done", "ship_date=2020-03-02")
    assert "Every step is done." in last

    final = shipper.status()
    assert final["next"] is None
    assert {step["status"] for step in final["steps"]} == {"done", "skipped"}
    assert "Every step is done" in shipper.ok("status")

    saved = json.loads(shipper.file.read_bytes())
    assert saved["schema_version"] == 3
    assert saved["steps"]["registration-submitted"]["resubmissions"] == 1
    trail = [(entry["step"], entry["field"], entry["old"], entry["new"]) for entry in saved["audit"]]
    assert ("registration-review", "evidence.decision", "rejected", None) in trail
    assert ("first-ship-date", "evidence.ship_date", None, "2020-03-02") in trail
    everything = "\n".join(
        [*shipper.outputs, shipper.file.read_text(), shipper.file.with_suffix(".json.bak").read_text()]
    )
    for secret in CANARIES.values():
        assert secret not in everything


def test_bad_input_is_one_line_naming_the_field_and_the_form_and_nothing_is_saved(shipper: Shipper) -> None:
    shipper.step("river-account", "in_progress")

    said = shipper.refused(
        "step", "directed-id", "--evidence", "directed_id=from-the-url", "--evidence", "sent_on=2020-01-02"
    )
    assert (
        "evidence directed_id: 'from-the-url' is not a DirectedId — expected the DirectedId from the address bar"
        in said
    )
    said = shipper.refused("step", "registration-submitted", "--evidence", "submitted_on=2020-13-01")
    assert "evidence submitted_on: '2020-13-01' is not a date" in said
    said = shipper.refused("step", "river-account", "--evidence", "email=ops@acme.example")
    assert "step river-account has no evidence 'email' — it takes contact_email, river_case" in said
    said = shipper.refused("step", "river-account", "--evidence", "contact_email")
    assert "--evidence 'contact_email' is not KEY=VALUE" in said
    said = shipper.refused("step", "river-acount", "--status", "done")
    assert "there is no step 'river-acount' — did you mean 'river-account'?" in said
    said = shipper.refused("step", "river-account", "--status", "done")
    assert "river-account cannot be done without the email the invitation went to (contact_email)" in said
    said = shipper.refused("step", "river-account", "--status", "finished")
    assert "invalid choice: 'finished'" in said
    said = shipper.refused("step", "app-created", "--evidence", f"client_id={CANARIES['LWA_CLIENT_SECRET']}")
    assert "looks like an LWA secret or token" in said and CANARIES["LWA_CLIENT_SECRET"] not in said
    for variant in ("atzr|iwebia", "Atzr%7CIwEBIA", "ATZA%257Cx"):
        said = shipper.refused("step", "river-account", "--note", f"token {variant}")
        assert "the note looks like an LWA secret or token" in said


def test_the_stored_secret_itself_is_refused_as_evidence_or_a_note(tmp_path: Path) -> None:
    """A client secret need not look like one: the stored credentials' own value is recognised, plain or
    URL-encoded, from the store alone (no LWA_ variable set)."""
    workspace = tmp_path / "acme"
    bare = "k7Qw2mZp9xLr4TfB/canary+9e1c"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LWA_", "ONBOARD_"))}
    assert run_onboard(["init", "--workspace", str(workspace)], env).returncode == 0
    creds = {**CANARIES, "LWA_CLIENT_SECRET": bare}
    assert run_onboard(["creds", "set", "--workspace", str(workspace)], {**env, **creds}).returncode == 0
    for args in (["--note", f"pasted {bare}"], ["--note", quote_plus(bare)], ["--evidence", f"river_case={bare}"]):
        done = run_onboard(["step", "river-account", *args, "--workspace", str(workspace)], env)
        assert done.returncode == 2 and "looks like an LWA secret or token" in done.stderr, done.stderr
        assert bare not in done.stdout + done.stderr and quote_plus(bare) not in done.stdout + done.stderr
    assert bare not in (workspace / "workspace.json").read_text()


def test_a_step_out_of_order_is_recorded_with_a_warning(shipper: Shipper) -> None:
    done = shipper.run("step", "roles", "--status", "done")
    assert done.returncode == 0
    assert "onboard: warning: roles normally comes after developer-profile, not done yet" in done.stderr
    assert next(s for s in shipper.status()["steps"] if s["id"] == "roles")["status"] == "done"


def test_a_step_shows_what_to_answer_and_what_was_recorded(shipper: Shipper) -> None:
    shipper.step("data-access", "in_progress")
    shipper.ok("step", "data-access", "--note", "asked Sam which option")
    card = shipper.ok("step", "data-access")
    assert "My organization participates in Amazon services, and I want to integrate to manage my own business" in card
    assert "◐ in_progress" in card
    assert "asked Sam which option" in card
    assert "status: todo → in_progress" in card


def test_messages_need_their_evidence_and_exist_only_where_something_is_sent(shipper: Shipper) -> None:
    said = shipper.refused("message", "directed-id")
    assert "needs the DirectedId from the address bar (directed-id.directed_id); record it first" in said
    assert "onboard step directed-id --evidence directed_id=DIRECTED_ID" in said
    said = shipper.refused("message", "roles")
    assert "step roles has no message to send — messages exist for directed-id" in said


def test_a_corrupt_or_newer_workspace_is_refused_untouched_naming_the_backup(shipper: Shipper) -> None:
    shipper.step("river-account", "in_progress")  # a second save: the workspace now has a backup
    backup = shipper.workspace / "workspace.json.bak"
    good = shipper.file.read_bytes()

    shipper.file.write_bytes(good[: len(good) // 2])
    for command in (["status"], ["step", "roles", "--status", "done"], ["message", "directed-id"]):
        said = shipper.refused(*command)
        assert "cannot be read" in said and f"the previous version is kept at {backup}" in said

    shipper.file.write_text(json.dumps({**json.loads(good), "schema_version": 99}))
    said = shipper.refused("step", "roles", "--status", "done")
    assert "was written by a newer onboard (schema 99, this one reads 3) — upgrade onboard" in said


def test_a_v1_workspace_is_read_as_is_and_upgraded_at_the_first_change(tmp_path: Path) -> None:
    old = Shipper(tmp_path / "old")
    old.workspace.mkdir()
    shutil.copy(V1, old.file)
    v1 = old.file.read_bytes()

    assert old.status()["next"]["id"] == "river-account"
    assert old.file.read_bytes() == v1

    old.step("river-account", "in_progress")
    upgraded = json.loads(old.file.read_bytes())
    assert upgraded["schema_version"] == 3
    assert upgraded["workspace_id"] == json.loads(v1)["workspace_id"]
    # the profile as it was, with what v3 adds: the label formats and dpis the shipper prints (all, until told)
    assert upgraded["profile"] == json.loads(v1)["profile"] | {
        "label_formats": ["PDF", "PNG", "ZPL"],
        "label_dpis": [203, 300],
    }
    assert (old.workspace / "workspace.json.bak").read_bytes() == v1
