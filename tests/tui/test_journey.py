"""The journey, driven from the keyboard: every change saved at once, as 'onboard step' saves it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from onboard.tui.app import OnboardApp
from onboard.tui.screens.journey import JourneyScreen
from onboard.tui.screens.message import MessageScreen
from onboard.tui.session import UI_FILE
from onboard.tui.widgets.step_detail import StepDetail
from onboard.tui.widgets.step_tree import StepTree
from onboard.workspace.workspace import Workspace
from tests.tui.conftest import record
from tests.tui.helpers import shown

pytestmark = pytest.mark.anyio
AppFor = Callable[..., OnboardApp]


async def test_opens_on_the_next_step_with_progress(workspace_dir: Path, app_for: AppFor) -> None:
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, JourneyScreen)
        tree = app.screen.query_one(StepTree)
        assert tree.current_step == "river-account"
        assert tree.has_focus
        assert "1/23" in shown(app, "#overall-label")  # aws-iam starts skipped
        assert "Accept the RIVER invitation" in shown(app, "#overall-next")
        assert "RIVER support account" in str(tree.phase_nodes["river"].label)
        assert str(tree.step_nodes["aws-iam"].label).startswith("–")


async def test_evidence_is_checked_as_typed_and_recorded_on_enter(workspace_dir: Path, app_for: AppFor) -> None:
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("enter")  # into the step's first field
        field = app.screen.query_one("#evidence-contact_email", Input)
        assert field.has_focus
        await pilot.press(*"ops@")
        await pilot.pause()
        assert not field.is_valid
        note = shown(app, ".evidence-note")
        assert "is not an email address" in note
        await pilot.press("enter")
        assert "contact_email" not in json.loads((workspace_dir / "workspace.json").read_text())["steps"].get(
            "river-account", {}
        ).get("evidence", {})
        await pilot.press(*"example.com", "enter")
        await pilot.pause()
        state = Workspace.open(workspace_dir).state
        assert state.steps["river-account"].evidence == {"contact_email": "ops@example.com"}
        assert state.audit[-1].via == "onboard tui"
        assert state.audit[-1].field == "evidence.contact_email"
        assert "recorded" in shown(app, ".evidence-note")


async def test_leaving_a_field_records_it_and_escape_goes_back_to_the_steps(
    workspace_dir: Path, app_for: AppFor
) -> None:
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("e", *"a@b.io", "escape")
        await pilot.pause()
        assert app.screen.query_one(StepTree).has_focus
        assert Workspace.open(workspace_dir).state.steps["river-account"].evidence["contact_email"] == "a@b.io"


async def test_done_without_its_evidence_is_refused_inline(workspace_dir: Path, app_for: AppFor) -> None:
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        status: Select[str] = app.screen.query_one("#status", Select)
        status.value = "done"
        await pilot.pause()
        assert "cannot be done without" in shown(app, "#status-note")
        assert status.value == "todo"
        assert "river-account" not in Workspace.open(workspace_dir).state.steps

        await pilot.press("e")
        app.screen.query_one("#evidence-contact_email", Input).value = "ops@example.com"
        await pilot.press("enter")
        await pilot.pause()
        status.value = "done"
        await pilot.pause()
        state = Workspace.open(workspace_dir).state
        assert state.steps["river-account"].status == "done"
        assert str(app.screen.query_one(StepTree).step_nodes["river-account"].label).startswith("✓")
        assert "2/23" in shown(app, "#overall-label")


async def test_a_note_goes_to_the_audit_trail(workspace_dir: Path, app_for: AppFor) -> None:
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("n", *"Invitation accepted", "enter")
        await pilot.pause()
        state = Workspace.open(workspace_dir).state
        assert [n.text for n in state.steps["river-account"].notes] == ["Invitation accepted"]
        assert app.screen.query_one("#note", Input).value == ""
        assert "Invitation accepted" in shown(app, "#notes")


async def test_a_secret_is_refused_and_never_written_anywhere(workspace_dir: Path, app_for: AppFor) -> None:
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("n")
        app.screen.query_one("#note", Input).value = "Atzr|refresh-token-pasted-by-mistake"
        await pilot.press("enter")
        await pilot.pause()
        assert "looks like an LWA secret" in shown(app, "#status-note")
        app.flush_ui()
    for file in workspace_dir.iterdir():
        if file.is_file():
            assert "Atzr|" not in file.read_text(encoding="utf-8", errors="replace"), file


async def test_quit_and_come_back_to_the_same_step_with_what_was_typed(workspace_dir: Path, app_for: AppFor) -> None:
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        app.screen.query_one(StepTree).select_step("directed-id")
        await pilot.pause()
        await pilot.press("e", *"amzn1.account.AE")  # not a DirectedId yet: kept as a draft
        await pilot.press("ctrl+q")
    assert json.loads((workspace_dir / UI_FILE).read_text())["drafts"] == {
        "directed-id.directed_id": "amzn1.account.AE"
    }

    again = app_for(workspace_dir)
    async with again.run_test() as pilot:
        await pilot.pause()
        assert again.screen.query_one(StepTree).current_step == "directed-id"
        field = again.screen.query_one("#evidence-directed_id", Input)
        assert field.value == "amzn1.account.AE"
        assert "not recorded yet" in shown(again, ".evidence-note") or not field.is_valid


async def test_a_change_made_in_another_terminal_is_shown(workspace_dir: Path, app_for: AppFor) -> None:
    app = app_for(workspace_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        record(
            workspace_dir,
            "river-account",
            datetime(2026, 6, 10, 12, 0, 1, tzinfo=UTC),
            evidence={"contact_email": "a@b.co"},
            status="done",
        )
        app.reload()  # what the two-second watch does
        await pilot.pause()
        tree = app.screen.query_one(StepTree)
        assert str(tree.step_nodes["river-account"].label).startswith("✓")
        assert app.screen.query_one("#evidence-contact_email", Input).value == "a@b.co"


async def test_overdue_and_due_markers(seeded: Path, app_for: AppFor) -> None:
    app = app_for(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(StepTree)
        assert "OVERDUE" in str(tree.step_nodes["registration-review"].label)
        assert "OVERDUE" in str(tree.phase_nodes["registration"].label)
        assert "1 overdue" in shown(app, "#overall-next")
        tree.select_step("registration-review")
        await pilot.pause()
        detail = app.screen.query_one(StepDetail)
        assert detail.step is not None
        assert detail.step.id == "registration-review"
        meta = shown(app, "#step-meta")
        assert "OVERDUE: expected by Mon 2026-06-08" in meta
        assert "follow up on your RIVER case" in shown(app, "#step-now")


async def test_the_river_message_of_a_step(seeded: Path, app_for: AppFor) -> None:
    app = app_for(seeded)
    async with app.run_test() as pilot:
        await pilot.pause()
        app.screen.query_one(StepTree).select_step("directed-id")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MessageScreen)
        assert "amzn1.account.AEXAMPLE1234567890" in app.screen.text
        await pilot.press("escape")
        assert isinstance(app.screen, JourneyScreen)


async def test_a_choice_is_recorded_at_once_and_says_what_follows(seeded: Path, app_for: AppFor) -> None:
    app = app_for(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one(StepTree).select_step("registration-review")
        await pilot.pause()
        decision: Select[str] = app.screen.query_one("#evidence-decision", Select)
        decision.value = "rejected"
        await pilot.pause()
        assert Workspace.open(seeded).state.steps["registration-review"].evidence == {"decision": "rejected"}
        assert shown(app, "#step-now").startswith("Now: Rejected: read the reason")
        status: Select[str] = app.screen.query_one("#status", Select)
        status.value = "done"  # done needs decision=approved
        await pilot.pause()
        assert "cannot be done while decision is 'rejected'" in shown(app, "#status-note")
        decision.value = "approved"
        await pilot.pause()
        status.value = "done"
        await pilot.pause()
        assert Workspace.open(seeded).state.steps["registration-review"].status == "done"
        assert "OVERDUE" not in str(app.screen.query_one(StepTree).step_nodes["registration-review"].label)
