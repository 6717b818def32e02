"""One verify use case (``onboard.verify_workspace``) behind every front end: 'creds verify', the TUI's Verify,
'demo' and 'revalidate' all call it, and against Amazon a pass records ``credentials-verified`` with its audit
entry, whoever asked. "Amazon" here is the emulator served where a sandbox host would be."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from onboard import environments, revalidation, verify_workspace
from onboard.emulator.app import EmulatorSettings
from onboard.emulator.credentials import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from onboard.emulator.server import EmulatorServer
from onboard.settings import Settings
from onboard.spapi.endpoints import Endpoints
from onboard.tui.app import OnboardApp
from onboard.tui.screens.credentials import CredentialsScreen
from onboard.workspace.workspace import Workspace
from tests.cli import run_onboard
from tests.tui.helpers import settle, shown
from tests.workspaces import new_workspace

STEP = "credentials-verified"


@pytest.fixture
def amazon(private_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    """Amazon's sandbox hosts, as far as onboard can tell, answered by the emulator on loopback."""
    with EmulatorServer(EmulatorSettings()) as server:

        def hosts(region: Any, environment: Any) -> Endpoints:
            return Endpoints(f"{server.url}/auth/o2/token", server.url, environment, region)

        monkeypatch.setattr(environments, "amazon", hosts)
        for name, value in (
            ("LWA_CLIENT_ID", DEMO_CLIENT_ID),
            ("LWA_CLIENT_SECRET", DEMO_CLIENT_SECRET),
            ("LWA_REFRESH_TOKEN", DEMO_REFRESH_TOKEN),
        ):
            monkeypatch.setenv(name, value)
        yield server


@pytest.fixture
def sandbox_workspace(private_home: Path) -> Path:
    path = private_home / "sandbox-ws"
    workspace = new_workspace(path)
    workspace.state.profile = workspace.state.profile.model_copy(update={"environment": "sandbox"})
    workspace.save()
    return path


def _recorded(path: Path) -> list[str]:
    """The audit trail's ``via`` of each change to the step's status."""
    state = Workspace.open(path).state
    return [entry.via for entry in state.audit if entry.step == STEP and entry.field == "status"]


def test_creds_verify_against_amazon_records_the_step(amazon: EmulatorServer, sandbox_workspace: Path) -> None:
    result = run_onboard(["creds", "verify", "--workspace", str(sandbox_workspace)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "step credentials-verified recorded as done" in result.stdout
    assert Workspace.open(sandbox_workspace).state.steps[STEP].status == "done"
    assert _recorded(sandbox_workspace) == ["creds verify"]


@pytest.mark.anyio
async def test_the_tuis_verify_records_the_step_as_the_cli_does(
    amazon: EmulatorServer, sandbox_workspace: Path, app_for: Callable[..., OnboardApp]
) -> None:
    app = app_for(sandbox_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(app)
        assert isinstance(app.screen, CredentialsScreen)
        await pilot.press("escape", "v")
        await settle(app)
        await pilot.pause()
        assert "every check passed" in shown(app, "#verify-status")
        assert "'credentials verified' is recorded as done" in shown(app, "#verify-status")
        # the journey knows at once
        assert app.workspace is not None
        assert app.workspace.state.steps[STEP].status == "done"
    assert _recorded(sandbox_workspace) == ["onboard tui"]


def test_against_the_emulator_nothing_is_recorded(private_home: Path) -> None:
    path = private_home / "ws"
    new_workspace(path)
    result = verify_workspace.verify_workspace(Workspace.open(path), Settings.from_env(), via="creds verify")
    assert result.ok and not result.recorded
    assert _recorded(path) == []


def test_every_front_end_calls_the_one_use_case(
    private_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[str] = []
    real = verify_workspace.verify_workspace

    def spy(workspace: Workspace, settings: Settings, **options: Any) -> verify_workspace.Verified:
        calls.append(options["via"])
        return real(workspace, settings, **options)

    monkeypatch.setattr(verify_workspace, "verify_workspace", spy)
    monkeypatch.setattr(revalidation, "verify_workspace", spy)
    path = private_home / "ws"
    new_workspace(path)
    assert run_onboard(["creds", "verify", "--workspace", str(path)]).returncode == 0
    assert calls == ["creds verify"]
    demo = run_onboard(["demo", "--workspace", str(tmp_path / "demo")])
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert calls == ["creds verify", "demo"]
    again = run_onboard(["revalidate", "--workspace", str(path), "--json"])
    assert again.returncode in (0, 1), again.stderr
    assert calls == ["creds verify", "demo", "revalidate"]
