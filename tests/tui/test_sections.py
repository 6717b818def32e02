"""The other sections against the embedded emulator: first run, credentials and Verify, certification and a
case's drill-down, sign-off; and what every screen shares: palette, help, themes, NO_COLOR."""

from __future__ import annotations

import json
import sys
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import Checkbox, DataTable, Input, TabbedContent

from onboard.certify import session
from onboard.certify.catalog import load_catalog
from onboard.certify.session import certify
from onboard.credentials.store import FileStore
from onboard.emulator.app import EmulatorSettings
from onboard.emulator.credentials import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from onboard.emulator.server import EmulatorServer
from onboard.errors import ConfigError
from onboard.locations import credentials_dir
from onboard.settings import Settings
from onboard.tui.app import OnboardApp
from onboard.tui.screens.case import CaseScreen
from onboard.tui.screens.certification import CertificationScreen
from onboard.tui.screens.credentials import CredentialsScreen
from onboard.tui.screens.first_run import FirstRunScreen
from onboard.tui.screens.help import HelpScreen
from onboard.tui.screens.journey import JourneyScreen
from onboard.tui.screens.signoff import UNAVAILABLE, SignoffScreen
from onboard.tui.session import UI_FILE, UiState
from onboard.tui.widgets.label_preview import LabelPreview
from onboard.tui.widgets.step_tree import StepTree
from onboard.workspace.workspace import Workspace
from tests.tui.helpers import settle, shown

pytestmark = pytest.mark.anyio
AppFor = Callable[..., OnboardApp]


# --- first run -------------------------------------------------------------------------------------------


async def test_first_run_makes_an_emulator_workspace(private_home: Path, app_for: AppFor) -> None:
    path = private_home / "new-ws"
    app = app_for(path)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, FirstRunScreen)
        name = app.screen.query_one("#shipper", Input)
        name.value = "Acme Parcels"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, JourneyScreen)
        assert "1/23" in shown(app, "#overall-label")
    profile = Workspace.open(path).state.profile
    assert (profile.shipper_name, profile.business_id, profile.region, profile.environment) == (
        "Acme Parcels",
        "AmazonShipping_US",
        "na",
        "emulator",
    )
    assert profile.ship_from.countryCode == "US"


async def test_first_run_asks_which_label_formats_and_dpis_the_shipper_prints(
    private_home: Path, app_for: AppFor
) -> None:
    # what the shipper prints is what sign-off must see pass: the form asks it, all ticked to begin with
    path = private_home / "new-ws"
    app = app_for(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FirstRunScreen)
        assert [box.value for box in screen.query(Checkbox)] == [True] * 5
        for box_id in ("#format-PDF", "#format-PNG", "#dpi-300"):
            await pilot.click(box_id)
        await pilot.click("#dpi-203")
        await pilot.click("#create")
        await pilot.pause()
        assert isinstance(app.screen, FirstRunScreen)
        assert "Tick at least one printer dpi." in shown(app, "#first-run-error")
        await pilot.click("#dpi-203")
        await pilot.click("#create")
        await pilot.pause()
        assert isinstance(app.screen, JourneyScreen)
    profile = Workspace.open(path).state.profile
    assert (profile.label_formats, profile.label_dpis) == (["ZPL"], [203])


async def test_first_run_refuses_an_empty_name_and_leaving_creates_nothing(private_home: Path, app_for: AppFor) -> None:
    path = private_home / "new-ws"
    app = app_for(path)
    async with app.run_test() as pilot:
        await pilot.pause()
        app.screen.query_one("#shipper", Input).value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert "shipper name" in shown(app, "#first-run-error")
        await pilot.press("escape")
        await pilot.pause()
    assert not Workspace.exists_at(path)


# --- credentials -----------------------------------------------------------------------------------------


async def test_verify_runs_the_live_checks_against_the_emulator(workspace_dir: Path, app_for: AppFor) -> None:
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, CredentialsScreen)
        await settle(app)
        assert "file (readable only by you) in ~/" in shown(app, "#creds-store")
        assert "demo set" in shown(app, "#creds-current")
        await pilot.press("escape", "v")  # out of the client id field, where the screen opens
        await settle(app)
        await pilot.pause()
        assert "every check passed" in shown(app, "#verify-status")
        checks = shown(app, "#checks")
        for name in ("credentials", "token exchange", "role and authorization", "region and host", "business id"):
            assert f"✓ {name}" in checks


async def test_typed_credentials_are_checked_masked_and_stored(workspace_dir: Path, app_for: AppFor) -> None:
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.press("2")
        await settle(app)
        screen = app.screen
        assert screen.query_one("#client-secret", Input).password
        assert screen.query_one("#refresh-token", Input).password
        screen.query_one("#client-id", Input).value = "not-a-client-id"
        await pilot.pause()
        assert "must start with amzn1.application-oa2-client." in shown(app, "#creds-problems")
        screen.query_one("#client-id", Input).value = "amzn1.application-oa2-client." + "a" * 32
        screen.query_one("#client-secret", Input).value = "amzn1.oa2-cs.v1.secret"
        screen.query_one("#refresh-token", Input).value = "Atzr|my-refresh-token"
        screen.query_one("#secret-created", Input).value = "2026-05-01"
        await pilot.pause()
        assert "ready to store" in shown(app, "#creds-problems")
        await pilot.press("ctrl+s")
        await settle(app)
        await pilot.pause()
        assert "stored in" in shown(app, "#creds-problems")
        assert screen.query_one("#client-secret", Input).value == ""
        assert "keyring credentials" in shown(app, "#creds-current") or "file credentials" in shown(
            app, "#creds-current"
        )
        assert "rotation deadline 2026-10-28" in shown(app, "#creds-current")
        assert "my-refresh-token" not in shown(app, "#creds-current")
    workspace_id = Workspace.open(workspace_dir).state.workspace_id
    stored = FileStore(credentials_dir()).load(workspace_id)
    assert stored is not None
    assert stored.refresh_token.get_secret_value() == "Atzr|my-refresh-token"
    assert "Atzr|" not in (workspace_dir / UI_FILE).read_text() if (workspace_dir / UI_FILE).exists() else True


async def test_verify_reports_each_failure_with_its_fix(
    workspace_dir: Path, app_for: AppFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An app without the Amazon Logistics role, served by 'onboard sandbox serve --no-role'."""
    with EmulatorServer(EmulatorSettings(has_role=False)) as server:
        monkeypatch.setenv("ONBOARD_LWA_URL", f"{server.url}/auth/o2/token")
        monkeypatch.setenv("ONBOARD_SPAPI_URL", server.url)
        for name, value in (
            ("LWA_CLIENT_ID", DEMO_CLIENT_ID),
            ("LWA_CLIENT_SECRET", DEMO_CLIENT_SECRET),
            ("LWA_REFRESH_TOKEN", DEMO_REFRESH_TOKEN),
        ):
            monkeypatch.setenv(name, value)
        app = app_for(workspace_dir)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            await settle(app)
            assert "LWA_CLIENT_ID, LWA_CLIENT_SECRET and LWA_REFRESH_TOKEN are set" in shown(app, "#creds-store")
            await pilot.press("escape", "v")
            await settle(app)
            await pilot.pause()
            assert "checks failed" in shown(app, "#verify-status")
            checks = shown(app, "#checks")
            assert "✓ token exchange" in checks
            assert "✗ role and authorization" in checks
            assert "→ the app lacks the Amazon Logistics role" in checks


# --- certification ---------------------------------------------------------------------------------------


@pytest.mark.slow
async def test_certify_against_the_emulator_and_drill_into_a_case(workspace_dir: Path, app_for: AppFor) -> None:
    app = app_for(workspace_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await settle(app)
        screen = app.screen
        assert isinstance(screen, CertificationScreen)
        table: DataTable[object] = screen.query_one(DataTable)
        assert table.row_count == 14
        assert "never run here" in shown(app, "#run-summary")
        await pilot.press("r")
        await pilot.pause()
        assert app.certifying()
        await pilot.press("1", "3")  # the UI answers while the run goes on
        await settle(app)
        await pilot.pause()
        assert screen.latest is not None, shown(app, "#certify-status") + shown(app, "#run-summary")
        assert screen.latest.ok
        assert {case.status for case in screen.latest.cases} <= {"passed", "skipped"}
        assert "✓ passed" in shown(app, "#run-summary")
        assert not (workspace_dir / "runs" / screen.latest.run_id / "pending.json").read_text().count("shipment_id")

        table.move_cursor(row=table.get_row_index("P-07"))
        await pilot.press("enter")
        await pilot.pause()
        case = app.screen
        assert isinstance(case, CaseScreen)
        assert [label.kind for label in case.case.labels] == ["label", "reprint"]
        await settle(app)
        await pilot.pause()
        assert case.query_one(LabelPreview).drawn
        assert "barcodes" in shown(app, "#label-report")
        await pilot.press("c")
        await pilot.pause()
        assert case.query_one(TabbedContent).active == "calls"
        operations = [call.operation for call in case.case.calls]
        # rated, bought, reprinted; a purchase refused as TOKEN_EXPIRED (P-08 aged the emulator's clock
        # meanwhile) is rated and bought again first, as it should be
        assert "getShipmentDocuments" in operations, operations
        before = operations[: operations.index("getShipmentDocuments")]
        assert before[0] == "getRates" and before[-1] == "purchaseShipment", operations
        assert set(before) == {"getRates", "purchaseShipment"}, operations
        body = shown(app, "#call-body")
        assert "POST /shipping/v2/shipments/rates" in body
        assert "[redacted]" in body
        await pilot.press("escape")
        assert isinstance(app.screen, CertificationScreen)
    assert UiState.load(workspace_dir).case == "P-07"


async def test_a_recorded_run_opens_where_it_was_left(workspace_dir: Path, recorded_run: Path, app_for: AppFor) -> None:
    UiState(mode="certification", case="P-02").save(workspace_dir)
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        await settle(app)
        assert isinstance(app.screen, CertificationScreen)
        table: DataTable[object] = app.screen.query_one(DataTable)
        assert table.row_count == 3
        assert table.cursor_row == 1
        await pilot.press("enter")
        await settle(app)
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)
        preview = app.screen.query_one(LabelPreview)
        assert preview.drawn
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is preview
        await pilot.press("escape")
        assert app.screen.maximized is None


async def test_an_open_case_is_open_again_after_a_restart(
    workspace_dir: Path, recorded_run: Path, app_for: AppFor
) -> None:
    UiState(mode="certification", case="P-02", case_open=True).save(workspace_dir)
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        await settle(app)
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.case.id == "P-02"
        await pilot.press("escape")
        await pilot.press("ctrl+q")
    assert not UiState.load(workspace_dir).case_open


async def test_a_label_that_cannot_be_drawn_is_one_line(
    workspace_dir: Path, recorded_run: Path, app_for: AppFor
) -> None:
    label = recorded_run.parent / "labels" / "P-02-PNG-203-TBA000000000001.png"
    label.write_bytes(b"not a png")
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.press("3")
        await settle(app)
        app.screen.query_one(DataTable).move_cursor(row=1)
        await pilot.press("enter")
        await settle(app)
        await pilot.pause()
        preview = app.screen.query_one(LabelPreview)
        assert not preview.drawn
        assert preview.message.startswith("Cannot draw P-02-PNG-203-TBA000000000001.png:")
        assert "\n" not in preview.message


# --- sign-off --------------------------------------------------------------------------------------------


@dataclass
class FakeReview:
    ok: bool = True
    intact: bool = True
    environment: str = "emulator"
    problems: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        return ["shipper        Acme Ltd (AmazonShipping_US)", "cases          2 passed, 1 skipped"]


def fake_pack(monkeypatch: pytest.MonkeyPatch, build: Callable[..., Path]) -> list[dict[str, object]]:
    calls: list[dict[str, object]] = []

    def build_pack(workspace: Workspace, out: Path | None = None, include_failed: bool = False) -> Path:
        calls.append({"workspace": workspace.path, "out": out, "include_failed": include_failed})
        return build(workspace)

    builder = types.ModuleType("onboard.pack.build")
    builder.build_pack = build_pack  # type: ignore[attr-defined]
    reviewer = types.ModuleType("onboard.pack.review")
    reviewer.review_pack = lambda path: FakeReview()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "onboard.pack.build", builder)
    monkeypatch.setitem(sys.modules, "onboard.pack.review", reviewer)
    return calls


async def test_signoff_builds_the_pack_and_shows_its_review(
    workspace_dir: Path, recorded_run: Path, app_for: AppFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = fake_pack(monkeypatch, lambda workspace: workspace.path / "packs" / "pack.zip")
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.press("4")
        await settle(app)
        assert isinstance(app.screen, SignoffScreen)
        assert "Latest run: ✓ passed (2 passed, 1 skipped)" in shown(app, "#signoff-run")
        await pilot.press("b")
        await settle(app)
        await pilot.pause()
        assert "✓ Pack built" in shown(app, "#signoff-status")
        assert "in ~/ws/packs/\npack.zip\n" in shown(app, "#signoff-status")  # the file's name on its own line
        assert "2 passed, 1 skipped" in shown(app, "#signoff-review")
    assert calls == [{"workspace": workspace_dir, "out": None, "include_failed": False}]


async def test_signoff_says_when_the_pack_is_not_in_this_version(
    workspace_dir: Path, app_for: AppFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onboard.pack.build", None)  # import fails, as before #7
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.press("4", "b")
        await settle(app)
        await pilot.pause()
        assert UNAVAILABLE in shown(app, "#signoff-status")
        assert "No certification run yet" in shown(app, "#signoff-run")


async def test_signoff_failure_is_one_line(
    workspace_dir: Path, app_for: AppFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(workspace: Workspace) -> Path:
        raise ConfigError(f"no certification run in {workspace.path}", "run 'onboard certify' first")

    fake_pack(monkeypatch, refuse)
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.press("4", "b")
        await settle(app)
        await pilot.pause()
        status = shown(app, "#signoff-status")
        assert status.startswith("✗ The pack was not built: no certification run in")
        assert "Traceback" not in status


@pytest.fixture
def certified(workspace_dir: Path) -> Path:
    """A real run against the emulator, two cases and one label: what the real pack builder packs."""
    cases = [case for case in load_catalog(workspace_dir) if case.id in ("TC01", "P-02")]
    assert certify(Workspace.open(workspace_dir), Settings.from_env(), cases, ("PNG",), (203,)).ok
    return workspace_dir


async def test_a_partial_run_reads_partial_and_says_what_it_lacks_for_sign_off(
    certified: Path, app_for: AppFor
) -> None:
    # two cases, PNG at 203 dpi only: every case passed, and still no sign-off
    app = app_for(certified)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(app)
        summary = shown(app, "#run-summary")
        assert summary.startswith("◐ PARTIAL: 2 passed")
        assert (
            "partial: not enough for sign-off; it lacks track (P-05 not run), cancel (P-06 not run); labels PDF at"
            " 203 and 300 dpi, PNG at 300 dpi, ZPL at 203 and 300 dpi"
        ) in " ".join(summary.split())
        await pilot.press("4")
        await settle(app)
        run = shown(app, "#signoff-run")
        assert "Latest run: ◐ PARTIAL (2 passed)" in run
        assert "partial: not enough for sign-off; it lacks " in run


@pytest.mark.slow
async def test_signoff_with_the_real_pack(certified: Path, app_for: AppFor) -> None:
    pytest.importorskip("onboard.pack.build")
    pytest.importorskip("onboard.pack.review")
    app = app_for(certified)
    async with app.run_test() as pilot:
        await pilot.press("4", "b")
        await settle(app)
        await pilot.pause()
        status = shown(app, "#signoff-status")
        assert "Pack built" in status
        assert "~/ws/packs/" in status
        assert "Manifest sha256" in status


# --- what every screen shares ----------------------------------------------------------------------------


async def test_every_section_from_the_keyboard_and_back(workspace_dir: Path, app_for: AppFor) -> None:
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        for key, screen in (("2", CredentialsScreen), ("3", CertificationScreen), ("4", SignoffScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen)
            if screen is CredentialsScreen:
                await pilot.press("escape")  # it opens in its first field, where digits are typed
        await pilot.press("1")
        assert isinstance(app.screen, JourneyScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, JourneyScreen)
        await settle(app)


async def test_the_palette_reaches_every_action_and_step(workspace_dir: Path, app_for: AppFor) -> None:
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in (
            "Go to Journey",
            "Go to Credentials",
            "Go to Certification",
            "Go to Sign-off",
            "Verify credentials",
            "Save credentials",
            "Forget credentials",
            "Run certification",
            "Open the selected case",
            "Build the sign-off pack",
            "Edit the step's evidence",
            "Change the step's status",
            "Add a note to the step",
            "Draft the RIVER message",
            "Help",
            "Light or dark theme",
            "Quit",
        ):
            assert title in titles
        assert sum(title.startswith("Step: ") for title in titles) == 23

        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Security Controls")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, JourneyScreen)
        assert app.screen.query_one(StepTree).current_step == "security-controls"


async def test_palette_verify_goes_to_credentials_and_runs(workspace_dir: Path, app_for: AppFor) -> None:
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        app.run_section_action("credentials", "verify")
        await pilot.pause()
        await settle(app)
        await pilot.pause()
        assert isinstance(app.screen, CredentialsScreen)
        assert "every check passed" in shown(app, "#verify-status")


async def test_theme_toggles_and_is_remembered(workspace_dir: Path, app_for: AppFor) -> None:
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        await pilot.press("t")
        assert app.theme == "textual-light"
        await pilot.press("ctrl+q")
    assert UiState.load(workspace_dir).theme == "textual-light"
    again = app_for(workspace_dir)
    async with again.run_test() as pilot:
        await pilot.pause()
        assert again.theme == "textual-light"


async def test_no_color_is_respected(workspace_dir: Path, app_for: AppFor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.no_color
        assert not [line for line in app.export_screenshot().splitlines() if 'fill="#0178d4"' in line.lower()]


async def test_quitting_during_a_run_asks_first(
    workspace_dir: Path, app_for: AppFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real = session.certify

    def held(*args: Any, **kwargs: Any) -> Any:
        release.wait(30)  # a run that lasts until the test lets it go
        return real(*args, **kwargs)

    monkeypatch.setattr(session, "certify", held)
    app = app_for(workspace_dir)
    async with app.run_test(notifications=True) as pilot:
        await pilot.press("3")
        await settle(app)
        await pilot.press("r")
        await pilot.pause()
        assert app.certifying()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running
        assert any("Press Ctrl+Q again" in n.message for n in app._notifications)
        release.set()
        await settle(app)
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_an_unexpected_failure_in_a_worker_is_one_line_and_the_app_goes_on(
    workspace_dir: Path, app_for: AppFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: CertificationScreen, *args: object) -> None:
        raise RuntimeError("the table fell over\nand a second line nobody should see")

    monkeypatch.setattr(CertificationScreen, "_loaded", broken)
    app = app_for(workspace_dir)
    async with app.run_test(notifications=True) as pilot:
        await pilot.press("3")
        await settle(app)
        await pilot.pause()
        assert app.is_running
        messages = [notification.message for notification in app._notifications]
        assert messages == ["internal error: RuntimeError: the table fell over"]
        await pilot.press("1")
        assert isinstance(app.screen, JourneyScreen)


async def test_a_run_the_server_cut_short_is_shown_incomplete_with_what_to_do(
    workspace_dir: Path, recorded_run: Path, app_for: AppFor
) -> None:
    run = json.loads(recorded_run.read_text())
    reason = "getTracking: no answer from 127.0.0.1: connection refused (ConnectError)"
    left = [f"amzn1.ship.{n}" for n in range(1, 7)]
    run.update(
        ok=False, complete=False, stopped=reason, left_open=left, cancel_failures=[f"{s}: {reason}" for s in left]
    )
    recorded_run.write_text(json.dumps(run))
    UiState(mode="certification").save(workspace_dir)
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        await settle(app)
        summary = shown(app, "#run-summary")
        assert "✗ INCOMPLETE" in summary
        assert f"the run stopped: {reason}" in summary
        assert "6 label(s) left open: amzn1.ship.1, amzn1.ship.2 and 4 more;" in summary
        assert "'onboard certify --cleanup' cancels them once the server answers" in summary
        # the verdict and two lines: it fits the summary, however many labels were left
        assert len(summary.strip().splitlines()) == 3
