"""Outside text on screen: a workspace and a recorded run full of terminal controls (a screen clear, a window
title, an OSC 52 clipboard write, CR, a bidi override, line breaks) are drawn with them escaped, never obeyed."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import DataTable

from onboard.tui.app import OnboardApp
from onboard.tui.screens.case import CaseScreen
from onboard.tui.screens.certification import CertificationScreen
from onboard.tui.screens.journey import JourneyScreen
from onboard.workspace.workspace import Workspace
from tests.echo_servers import CONTROLS
from tests.tui.conftest import record
from tests.tui.helpers import settle, svg_text, widget_texts

pytestmark = pytest.mark.anyio
AppFor = Callable[..., OnboardApp]
UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def raw_controls(text: str) -> list[str]:
    """The control characters drawn as they are (line breaks between lines are the screen's own)."""
    return [repr(c) for c in text if unicodedata.category(c) in UNSAFE and c not in "\n\u200c\u200d"]


def screen_texts(app: App[Any], moment: str) -> dict[str, str]:
    texts = {f"{moment}: the screenshot": svg_text(app.export_screenshot(simplify=True))}
    texts |= {f"{moment}: {name}": text for name, text in widget_texts(app)}
    return texts


def hostile_run(run_file: Path) -> None:
    """The recorded run as a hostile server would have made it: its texts full of terminal controls."""
    run: dict[str, Any] = json.loads(run_file.read_text())
    p02 = run["cases"][1]
    p02["detail"] = f"refused{CONTROLS}"
    p02["labels"][0]["report"]["checks"][0]["detail"] = f"spec{CONTROLS}"
    for call in run["calls"]:
        if call["operation"] == "purchaseShipment":
            call["response"]["payload"]["shipmentId"] = f"amzn1.ship.1{CONTROLS}"
            call["response"]["note"] = CONTROLS
            call["path"] = f"/shipping/v2/shipments{CONTROLS}"
    run_file.write_text(json.dumps(run), encoding="utf-8")


async def test_a_workspace_and_run_full_of_controls_are_drawn_escaped(
    workspace_dir: Path, recorded_run: Path, app_for: AppFor
) -> None:
    workspace = Workspace.open(workspace_dir)
    workspace.state.profile.shipper_name = f"Acme{CONTROLS}"[:120]
    workspace.save()
    record(workspace_dir, "river-account", datetime(2026, 6, 1, tzinfo=UTC), note=f"call back{CONTROLS}")
    hostile_run(recorded_run)

    texts: dict[str, str] = {}
    app = app_for(workspace_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, JourneyScreen)
        app.screen.select_step("river-account")
        await pilot.pause()
        texts |= screen_texts(app, "the journey")
        await pilot.press("3")
        await settle(app)
        screen = app.screen
        assert isinstance(screen, CertificationScreen)
        texts |= screen_texts(app, "certification")
        table: DataTable[object] = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("P-02"))
        await pilot.press("enter")
        await settle(app)
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)
        texts |= screen_texts(app, "case P-02, labels")
        await pilot.press("c", "down")
        await pilot.pause()
        texts |= screen_texts(app, "case P-02, calls")

    found = {place: raw_controls(text) for place, text in texts.items()}
    assert {place: chars for place, chars in found.items() if chars} == {}
    everything = "\n".join(texts.values())
    for escaped in ("\\x1b[2J", "\\x1b]0;pwned\\x07", "\\x1b]52;c;", "\\r", "\\u202e", "\\n"):
        assert escaped in everything, escaped
    assert app.sub_title.startswith("emulator · AmazonShipping_US · Acme\\x1b[2J")
    assert "call back\\x1b[2J" in everything and "refused\\x1b[2J" in everything
