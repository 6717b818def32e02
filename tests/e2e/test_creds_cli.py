"""An operator's story with `onboard creds`: set, show, verify, forget — with canary secrets that must
never appear anywhere but the credential store."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from onboard.emulator.app import EmulatorSettings
from onboard.emulator.credentials import AcceptedCredentials
from onboard.emulator.server import EmulatorServer
from tests.cli import run_onboard

CLIENT_ID = "amzn1.application-oa2-client.c0ffee00c0ffee00c0ffee00c0ff7e57"
CANARY_SECRET = "canary-secret-9d8c7b6a5f4e"
CANARY_REFRESH = "Atzr|canary-refresh-1a2b3c4d5e6f"
CANARIES = (CANARY_SECRET, CANARY_REFRESH, "canary-secret", "canary-refresh")


class Onboard:
    """Runs the real `onboard` command in a subprocess, keeping everything it printed."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.printed: list[str] = []

    def __call__(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        result = run_onboard([*args, "--workspace", str(self.workspace)], {**os.environ, **env})
        self.printed += [result.stdout, result.stderr]
        return result


@pytest.fixture
def onboard(tmp_path: Path) -> Onboard:
    run = Onboard(tmp_path / "acme")
    assert run("init", "--shipper", "Acme").returncode == 0
    return run


@pytest.fixture
def amazon_like() -> Iterator[EmulatorServer]:
    """An Amazon-compatible server that knows the canary credentials."""
    accepted = AcceptedCredentials(CLIENT_ID, {CANARY_SECRET}, {CANARY_REFRESH})
    with EmulatorServer(EmulatorSettings(credentials=accepted)) as server:
        yield server


def pointed_at(server: EmulatorServer, secret: str = CANARY_SECRET, refresh: str = CANARY_REFRESH) -> dict[str, str]:
    return {
        "ONBOARD_LWA_URL": f"{server.url}/auth/o2/token",
        "ONBOARD_SPAPI_URL": server.url,
        "LWA_CLIENT_ID": CLIENT_ID,
        "LWA_CLIENT_SECRET": secret,
        "LWA_REFRESH_TOKEN": refresh,
    }


def checks_of(result: subprocess.CompletedProcess[str]) -> dict[str, dict[str, object]]:
    body = json.loads(result.stdout)
    assert set(body) == {"ok", "checks"}
    for check in body["checks"]:
        assert set(check) == {"name", "ok", "detail", "hint"}
    return {check["name"]: check for check in body["checks"]}


def test_a_new_workspace_verifies_against_the_embedded_emulator_with_no_credentials(onboard: Onboard) -> None:
    result = onboard("creds", "verify", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    checks = checks_of(result)
    assert list(checks) == [
        "credentials",
        "token exchange",
        "role and authorization",
        "region and host",
        "business id",
        "secret age",
    ]
    assert all(check["ok"] for check in checks.values())


def test_verify_names_the_cause_of_each_failure(onboard: Onboard, amazon_like: EmulatorServer) -> None:
    good = onboard("creds", "verify", "--json", **pointed_at(amazon_like))
    assert good.returncode == 0, good.stdout

    wrong_secret = checks_of(
        onboard("creds", "verify", "--json", **pointed_at(amazon_like, secret="canary-secret-old"))
    )
    assert wrong_secret["token exchange"]["ok"] is False
    assert "invalid_client" in str(wrong_secret["token exchange"]["detail"])
    assert "rotat" in str(wrong_secret["token exchange"]["hint"])

    wrong_refresh = checks_of(
        onboard("creds", "verify", "--json", **pointed_at(amazon_like, refresh="Atzr|canary-refresh-other-region"))
    )
    assert "invalid_grant" in str(wrong_refresh["token exchange"]["detail"])
    assert "self-authorize" in str(wrong_refresh["token exchange"]["hint"])

    amazon_like.emulator.has_role = False
    no_role = onboard("creds", "verify", "--json", **pointed_at(amazon_like))
    assert no_role.returncode == 1
    role = checks_of(no_role)["role and authorization"]
    assert role["ok"] is False
    assert "Amazon Logistics role" in str(role["hint"])
    amazon_like.emulator.has_role = True

    readable = onboard("creds", "verify", **pointed_at(amazon_like, secret="canary-secret-old"))
    assert readable.returncode == 1
    assert "✗ token exchange" in readable.stdout
    assert "→ the client secret is wrong or has expired" in readable.stdout

    for text in onboard.printed:
        for canary in CANARIES[:2]:
            assert canary not in text


def test_nothing_listening_is_a_connection_hint(onboard: Onboard, amazon_like: EmulatorServer) -> None:
    env = pointed_at(amazon_like) | {"ONBOARD_SPAPI_URL": "http://127.0.0.1:9"}
    checks = checks_of(onboard("creds", "verify", "--json", **env))
    role = checks["role and authorization"]
    assert "connection refused" in str(role["detail"])
    assert "ONBOARD_SPAPI_URL" in str(role["hint"])


def test_set_show_forget_with_canaries_that_land_only_in_the_store(
    onboard: Onboard, amazon_like: EmulatorServer, private_home: Path
) -> None:
    stored = onboard("creds", "set", "--secret-created", "2026-11-01", **pointed_at(amazon_like))
    assert stored.returncode == 0, stored.stderr
    assert "file (readable only by you)" in stored.stdout
    assert "rotate by 2027-04-30" in stored.stdout

    # from now on the credentials come from the store, not the environment
    endpoints_only = {k: v for k, v in pointed_at(amazon_like).items() if k.startswith("ONBOARD_")}
    shown = onboard("creds", "show", "--json", **endpoints_only)
    assert shown.returncode == 0
    described = json.loads(shown.stdout)["credentials"]
    assert described["client_id"] == "amzn1.application-oa2-client.…7e57"
    assert described["source"] == "file"
    verified = onboard("creds", "verify", "--json", **endpoints_only)
    assert verified.returncode == 0, verified.stdout
    age = checks_of(verified)["secret age"]
    assert "rotate by 2027-04-30" in str(age["detail"])

    store_files = list((private_home / ".config" / "onboard" / "credentials").glob("*.json"))
    assert len(store_files) == 1
    assert CANARY_SECRET in store_files[0].read_text()  # the one place the secret may be

    everything_else = [p for p in [*onboard.workspace.rglob("*"), *private_home.rglob("*")] if p.is_file()]
    everything_else = [p for p in everything_else if p not in store_files]
    assert any(p.name == "workspace.json" for p in everything_else)
    for path in everything_else:
        content = path.read_bytes()
        for canary in CANARIES:
            assert canary.encode() not in content, f"{canary} found in {path}"
    for text in onboard.printed:
        for canary in CANARIES:
            assert canary not in text

    forgot = onboard("creds", "forget")
    assert forgot.returncode == 0
    assert "forgot the credentials" in forgot.stdout
    assert not store_files[0].exists()
    assert onboard("creds", "show").returncode == 1


def test_creds_set_without_a_terminal_or_variables_is_one_line(onboard: Onboard) -> None:
    result = onboard("creds", "set")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "no terminal to ask for the credentials on" in result.stderr
    assert "LWA_CLIENT_ID" in result.stderr


def test_bad_credentials_are_refused_and_nothing_is_stored(onboard: Onboard, private_home: Path) -> None:
    env = {"LWA_CLIENT_ID": "not-an-lwa-id", "LWA_CLIENT_SECRET": CANARY_SECRET, "LWA_REFRESH_TOKEN": CANARY_REFRESH}
    result = onboard("creds", "set", **env)
    assert result.returncode == 2
    assert "amzn1.application-oa2-client." in result.stderr
    assert CANARY_SECRET not in result.stderr
    assert not (private_home / ".config" / "onboard" / "credentials").exists()


def test_configuration_errors_exit_2(onboard: Onboard, tmp_path: Path) -> None:
    half = onboard("creds", "verify", LWA_CLIENT_ID=CLIENT_ID)
    assert half.returncode == 2
    assert "set all three LWA_ variables or none" in half.stderr
    nowhere = Onboard(tmp_path / "missing")("creds", "verify")
    assert nowhere.returncode == 2
    assert "no workspace at" in nowhere.stderr and "onboard init" in nowhere.stderr
    bad_url = onboard("creds", "verify", ONBOARD_SPAPI_URL="ftp://example")
    assert bad_url.returncode == 2
    assert "ONBOARD_SPAPI_URL must be an http:// or https:// URL" in bad_url.stderr
