"""An operator after a secret rotation: rotate only to a secret that works, re-validate unattended, be
told exactly what changed, and do it for twenty shippers at once within the sandbox's rate limit."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from onboard.credentials.model import Credentials
from onboard.credentials.store import FileStore
from onboard.emulator.app import EmulatorSettings
from onboard.emulator.credentials import AcceptedCredentials
from onboard.emulator.faults import FaultSpec
from onboard.emulator.server import EmulatorServer
from onboard.locations import checks_dir, credentials_dir
from onboard.samples import sample_for
from onboard.workspace.state import Profile, WorkspaceState
from onboard.workspace.workspace import Workspace
from tests.cli import run_onboard

CLIENT_ID = "amzn1.application-oa2-client.c0ffee00c0ffee00c0ffee00c0ff7e57"
OLD_SECRET = "canary-old-secret-11aa22bb"
NEW_SECRET = "canary-new-secret-33cc44dd"
REFRESH = "Atzr|canary-refresh-seller-0"


def onboard(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_onboard(args, {**os.environ, **env})


def make_workspace(path: Path, environment: str = "sandbox") -> Workspace:
    sample = sample_for("AmazonShipping_US")
    profile = Profile.model_validate(
        {
            "shipper_name": path.name,
            "business_id": "AmazonShipping_US",
            "region": "na",
            "environment": environment,
            "ship_from": sample.ship_from,
            "ship_to": sample.ship_to,
            "package": sample.package,
        }
    )
    workspace = Workspace(path, WorkspaceState(profile=profile))
    workspace.save()
    return workspace


def focus(workspace: Workspace, *cases: str) -> None:
    """The workspace's own catalog, a few built-in cases: the sandbox pacing makes the whole one take ~12 s."""
    own = workspace.path / "certification"
    own.mkdir()
    (own / "catalog.toml").write_text("replace = true\n")
    for case in cases:
        (own / f"{case}.toml").write_text((checks_dir() / "certification" / f"{case}.toml").read_text())


def store_credentials(workspace: Workspace, secret: str, refresh: str, created: date) -> None:
    FileStore(credentials_dir()).save(
        workspace.state.workspace_id, Credentials(CLIENT_ID, SecretStr(secret), SecretStr(refresh), "file", created)
    )


def endpoints(server: EmulatorServer) -> dict[str, str]:
    return {"ONBOARD_LWA_URL": f"{server.url}/auth/o2/token", "ONBOARD_SPAPI_URL": server.url}


@pytest.fixture
def overlap() -> Iterator[EmulatorServer]:
    """Amazon during the 7 days after a rotation: the old secret and the new one both work."""
    accepted = AcceptedCredentials(CLIENT_ID, {OLD_SECRET, NEW_SECRET}, {REFRESH})
    with EmulatorServer(EmulatorSettings(credentials=accepted)) as server:
        yield server


def stored_secret(workspace: Workspace) -> str:
    loaded = FileStore(credentials_dir()).load(workspace.state.workspace_id)
    assert loaded is not None
    return loaded.client_secret.get_secret_value()


def test_a_wrong_new_secret_keeps_the_old_one_in_service(tmp_path: Path, overlap: EmulatorServer) -> None:
    workspace = make_workspace(tmp_path / "acme")
    store_credentials(workspace, OLD_SECRET, REFRESH, date.today() - timedelta(days=170))
    wrong = onboard(
        "creds",
        "rotate",
        "--workspace",
        str(workspace.path),
        LWA_NEW_CLIENT_SECRET="canary-typo-secret",
        **endpoints(overlap),
    )
    assert wrong.returncode == 1
    assert "the new secret does not work" in wrong.stderr and "invalid_client" in wrong.stderr
    assert "stored secret is unchanged" in wrong.stderr
    assert stored_secret(workspace) == OLD_SECRET
    assert onboard("creds", "verify", "--workspace", str(workspace.path), **endpoints(overlap)).returncode == 0

    right = onboard(
        "creds", "rotate", "--workspace", str(workspace.path), LWA_NEW_CLIENT_SECRET=NEW_SECRET, **endpoints(overlap)
    )
    assert right.returncode == 0, right.stderr
    assert stored_secret(workspace) == NEW_SECRET
    assert f"next deadline {date.today() + timedelta(days=180)}" in right.stdout
    assert f"until about {date.today() + timedelta(days=7)}" in right.stdout
    for text in (wrong.stdout, wrong.stderr, right.stdout, right.stderr):
        assert OLD_SECRET not in text and NEW_SECRET not in text


def test_revalidation_names_a_regression_and_its_cause(tmp_path: Path, overlap: EmulatorServer) -> None:
    workspace = make_workspace(tmp_path / "acme")
    focus(workspace, "TC01", "P-02", "P-05")
    store_credentials(workspace, OLD_SECRET, REFRESH, date.today() - timedelta(days=160))
    first = onboard("revalidate", "--json", "--workspace", str(workspace.path), **endpoints(overlap))
    assert first.returncode == 0, first.stdout + first.stderr
    body = json.loads(first.stdout)
    assert {"ok", "credentials", "certification", "changes"} <= set(body)
    assert body["ok"] is True and body["changes"] == []
    # 160 days old: inside the 30-day warning window before the 180-day deadline
    assert any("must be rotated by" in warning for warning in body["warnings"])

    # Amazon's tracking stops answering for new labels
    overlap.emulator.faults.replace(FaultSpec.parse("404=1,only=getTracking"))
    second = onboard("revalidate", "--json", "--workspace", str(workspace.path), **endpoints(overlap))
    assert second.returncode == 1
    after = json.loads(second.stdout)
    assert after["ok"] is False
    assert after["certification"]["compared_with"] == body["certification"]["run_id"]
    (change,) = [c for c in after["changes"] if c["case"] == "P-05"]
    assert change["before"] == "passed"
    assert "regressed" in change["after"] and "404 NotFound" in change["after"]
    assert overlap.emulator.store.open_shipments() == []

    readable = onboard("revalidate", "--workspace", str(workspace.path), **endpoints(overlap))
    assert "change         P-05: passed → failed (regressed)" in readable.stdout, readable.stdout
    status = onboard("status", "--workspace", str(workspace.path))
    assert "must be rotated by" in status.stdout


def test_a_broken_credential_is_a_change_with_its_cause(tmp_path: Path, overlap: EmulatorServer) -> None:
    workspace = make_workspace(tmp_path / "acme")
    store_credentials(workspace, "canary-expired-secret", REFRESH, date.today() - timedelta(days=200))
    result = onboard("revalidate", "--json", "--workspace", str(workspace.path), **endpoints(overlap))
    assert result.returncode == 1
    body = json.loads(result.stdout)
    assert body["changes"][0]["case"] == "credentials"
    assert "invalid_client" in body["changes"][0]["after"]
    assert body["certification"] == {"ok": False, "skipped": "the credentials do not verify"}


def _not_ok(stdout: str) -> str:
    """The shippers whose revalidation failed, out of a ``--json`` report of twenty (its tail shows only ok ones)."""
    try:
        body = json.loads(stdout)
    except ValueError:
        return stdout[-3000:]
    failed = [w for w in body.get("workspaces", []) if not w.get("ok")]
    return json.dumps(failed, indent=1)[-6000:]


@pytest.mark.slow
def test_twenty_shippers_revalidated_at_once_stay_within_the_rate_limit(tmp_path: Path) -> None:
    sellers = [f"Atzr|canary-refresh-seller-{n}" for n in range(20)]
    accepted = AcceptedCredentials(CLIENT_ID, {OLD_SECRET}, set(sellers))
    settings = EmulatorSettings(credentials=accepted, faults=FaultSpec.parse("ratelimit=sandbox"))
    agency = tmp_path / "agency"
    for number, seller in enumerate(sellers):
        workspace = make_workspace(agency / f"shipper-{number:02d}")
        store_credentials(workspace, OLD_SECRET, seller, date.today() - timedelta(days=10))
        # rates, a label per format and dpi, tracking and cancel: about 25 calls each, past the burst of 15
        focus(workspace, "TC01", "P-03", "P-05", "P-06")
    with EmulatorServer(settings) as server:
        result = onboard("revalidate", "--all", str(agency), "--json", **endpoints(server))
        counters = server.emulator.store.counters
        assert result.returncode == 0, _not_ok(result.stdout) + result.stderr[-3000:]
        body = json.loads(result.stdout)
        assert body["ok"] is True
        assert len(body["workspaces"]) == 20
        assert all(w["certification"]["ok"] for w in body["workspaces"])
        # each shipper paced itself under 5 requests a second: the emulator never had to refuse one
        assert counters.throttled == 0
        assert counters.purchases == 20 * 8  # six labels of P-03, one each for P-05 and P-06
        assert server.emulator.store.open_shipments() == []
    table = onboard("revalidate", "--all", str(tmp_path / "nowhere"))
    assert table.returncode == 2
    assert "no workspace under" in table.stderr
