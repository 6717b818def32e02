"""The case screen's label tab takes the test label to paper: Print sends the label previewed to the printer
the workspace remembers (a virtual Zebra on 127.0.0.1, :mod:`tests.printers`), and the Scan field takes
what a handheld scanner types, records a match on ``test-label`` and says what a mismatch read."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import Input, Static, TabbedContent

from onboard.labels.render import render_label
from onboard.tui.app import OnboardApp
from onboard.tui.screens.case import CaseScreen
from onboard.tui.widgets.label_preview import PaperTest
from onboard.workspace.state import Printer
from onboard.workspace.workspace import Workspace
from tests.printers import VirtualZebra
from tests.tui.helpers import settle
from tests.unit.test_label_check import content

pytestmark = pytest.mark.anyio

AppFor = Callable[..., OnboardApp]
TRACKING = "TBA000000000001"
ZPL_FILE = f"labels/P-02-ZPL-203-{TRACKING}.zpl"
PRINTED_AT = "2026-06-10T12:00:00Z"  # the tests' frozen clock


@pytest.fixture
def zpl_label(recorded_run: Path) -> bytes:
    """The recorded run's P-02 label as a 203 dpi ZPL file, named in the run by its bytes as certify does."""
    data = render_label(content(TRACKING), "ZPL", 203)
    (recorded_run.parent / ZPL_FILE).write_bytes(data)
    run = json.loads(recorded_run.read_text(encoding="utf-8"))
    label = run["cases"][1]["labels"][0]
    label.update(format="ZPL", file=ZPL_FILE, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    label["report"]["checks"][1]["detail"] = "ZPL"
    recorded_run.write_text(json.dumps(run, indent=2), encoding="utf-8")
    return data


def remember(workspace_dir: Path, printer: VirtualZebra) -> None:
    """As ``onboard label print --printer`` leaves the workspace."""
    workspace = Workspace.open(workspace_dir)
    workspace.state.printer = Printer(kind="raw", target=printer.address)
    workspace.save()


def said(app: OnboardApp) -> str:
    line = app.screen.query_one("#paper-said", Static).content
    return line.plain if isinstance(line, Text) else str(line)


def stored(workspace_dir: Path) -> dict[str, Any]:
    steps: dict[str, Any] = json.loads((workspace_dir / "workspace.json").read_text(encoding="utf-8"))["steps"]
    return steps


async def open_case(app: OnboardApp, pilot: Any) -> CaseScreen:
    await pilot.press("3")
    await settle(app)
    app.screen.open_case("P-02")  # type: ignore[attr-defined]
    await settle(app)
    await pilot.pause()
    assert isinstance(app.screen, CaseScreen)
    return app.screen


async def test_print_sends_the_label_previewed_to_the_remembered_printer(
    workspace_dir: Path, zpl_label: bytes, app_for: AppFor
) -> None:
    with VirtualZebra(203) as printer:
        remember(workspace_dir, printer)
        app = app_for(workspace_dir)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_case(app, pilot)
            assert f"p prints this label on {printer.address}" in said(app)
            await pilot.press("p")
            await settle(app)
            await pilot.pause()
            assert said(app).startswith(f"✓ printed ZPL, 203 dpi on {printer.address} (ZD421-203dpi)")
            # the scanner types wherever the cursor is: after a print, that is the Scan field
            assert screen.focused is screen.query_one("#scan", Input)
        assert printer.queries == ["~HI", "~HS"]
        assert printer.jobs == [zpl_label]  # byte for byte, as the CLI sends it
    step = stored(workspace_dir)["test-label"]
    assert step["status"] == "in_progress"
    assert step["evidence"]["printer"] == f"{printer.address} (ZD421-203dpi)"
    assert step["evidence"]["printed_at"] == PRINTED_AT
    assert (step["evidence"]["format"], step["evidence"]["dpi"]) == ("ZPL", "203")
    assert step["evidence"]["tracking_id"] == TRACKING
    audit = Workspace.open(workspace_dir).state.audit
    assert {entry.via for entry in audit if entry.step == "test-label"} == {"onboard tui"}


async def test_print_without_a_remembered_printer_says_how_to_set_one(
    workspace_dir: Path, zpl_label: bytes, app_for: AppFor
) -> None:
    app = app_for(workspace_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(app, pilot)
        await pilot.press("p")
        await settle(app)
        line = said(app)
        assert line == "No printer yet: onboard label print FILE --printer HOST[:PORT] sets one"
        assert "\n" not in line and len(line) <= 78  # one line at 80 columns
        screen.query_one(PaperTest).say("", "todo")
        await pilot.click("#print")  # the button, as the key
        await settle(app)
        assert said(app) == line
    assert "test-label" not in stored(workspace_dir)


async def test_a_printer_of_another_dpi_is_refused_with_the_fix(
    workspace_dir: Path, zpl_label: bytes, app_for: AppFor
) -> None:
    with VirtualZebra(300) as printer:
        remember(workspace_dir, printer)
        app = app_for(workspace_dir)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_case(app, pilot)
            await pilot.press("p")
            await settle(app)
            line = said(app)
        assert printer.jobs == []
    assert f"is a 203 dpi label and the printer at {printer.address} (ZD421-300dpi) prints at 300 dpi" in line
    assert "onboard certify --formats ZPL --dpi 300" in line
    assert "test-label" not in stored(workspace_dir)


async def test_a_scan_that_carries_the_tracking_id_marks_test_label_done(
    workspace_dir: Path, zpl_label: bytes, app_for: AppFor
) -> None:
    app = app_for(workspace_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(app, pilot)
        await pilot.press("s")
        # a keyboard-wedge scanner: an AIM prefix (Code 128), the code, Enter
        await pilot.press(*f"]C0{TRACKING}", "enter")
        await settle(app)
        await pilot.pause()
        line = said(app)
        assert line.startswith("✓ test-label done: scanned 2026-06-10 12:00:00 UTC with a handheld scanner")
        assert line.endswith(f"carries {TRACKING} (Code 128)")
        assert app.workspace is not None and app.workspace.state.steps["test-label"].status == "done"
    step = stored(workspace_dir)["test-label"]
    assert step["status"] == "done"
    evidence = step["evidence"]
    assert (evidence["tracking_id"], evidence["scanned_with"], evidence["carried_by"]) == (
        TRACKING,
        "scanner",
        "Code 128",
    )
    assert evidence["scanned_at"] == PRINTED_AT
    assert (evidence["format"], evidence["dpi"]) == ("ZPL", "203")
    assert step["notes"][-1]["text"] == line.removeprefix("✓ test-label done: ")


async def test_a_wrong_scan_says_what_was_read_and_what_was_expected(
    workspace_dir: Path, zpl_label: bytes, app_for: AppFor
) -> None:
    app = app_for(workspace_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(app, pilot)
        await pilot.press("s")
        # the screen's own keys (l, c, z, p, s) are text while the field has the cursor
        await pilot.press(*"lczps1234", "enter")
        await settle(app)
        assert said(app) == f"✗ the scan does not match: read scanner 'lczps1234', expected {TRACKING}"
        assert screen.query_one(TabbedContent).active == "labels"
        assert screen.maximized is None
        # what a scanner typed is shown, never obeyed
        field = screen.query_one("#scan", Input)
        field.value = "\x1b]0;owned\x07"
        await pilot.press("enter")
        await settle(app)
        assert said(app) == f"✗ the scan does not match: read scanner '\\x1b]0;owned\\x07', expected {TRACKING}"
        assert field.value == ""
    assert "test-label" not in stored(workspace_dir)
