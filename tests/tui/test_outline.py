"""A second start draws the journey from the outline the first one kept, then from the files, and nothing
it shows is ever older than one frame."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from onboard.errors import ConfigError
from onboard.settings import Settings
from onboard.tui import outline as outlines
from onboard.tui.app import OnboardApp, make_app
from onboard.tui.screens.journey import JourneyScreen
from onboard.tui.widgets.base import onboard_app
from onboard.tui.widgets.step_detail import StepDetail
from onboard.tui.widgets.step_tree import StepTree
from tests.tui.conftest import NOW, record
from tests.tui.helpers import shown

pytestmark = pytest.mark.anyio
AppFor = Callable[..., OnboardApp]


def _journey(app: OnboardApp) -> dict[str, str]:
    tree = app.screen.query_one(StepTree)
    labels = {node_id: str(node.label) for node_id, node in tree.step_nodes.items()}
    labels |= {f"phase:{phase}": str(node.label) for phase, node in tree.phase_nodes.items()}
    return labels | {"header": shown(app, "#overall-label") + shown(app, "#overall-next"), "bar": app.sub_title}


async def _seen(app: OnboardApp) -> dict[str, str]:
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, JourneyScreen)
        seen = _journey(app)
        detail = app.screen.query_one(StepDetail)
        assert detail.step is not None, "the step's card is built after the first frame, from the files"
    return seen


async def test_the_second_start_draws_the_journey_its_first_one_kept(seeded: Path, app_for: AppFor) -> None:
    first = app_for(seeded)
    assert not first.from_outline, "nothing kept yet: the files come first"
    before = await _seen(first)
    assert "OVERDUE" in before["registration-review"]
    assert "1 overdue" in before["header"]
    assert (seeded / outlines.OUTLINE_FILE).is_file()

    again = app_for(seeded)
    assert again.from_outline
    assert await _seen(again) == before
    assert again.workspace is not None, "the files were loaded after the first frame"


async def test_a_change_made_elsewhere_is_drawn_from_the_files(seeded: Path, app_for: AppFor) -> None:
    await _seen(app_for(seeded))
    record(seeded, "developer-profile", NOW, status="blocked")  # 'onboard step' in another terminal
    app = app_for(seeded)
    assert not app.from_outline
    assert str((await _seen(app))["developer-profile"]).startswith("✗")


async def test_an_outline_that_is_wrong_lasts_one_frame(seeded: Path, app_for: AppFor) -> None:
    await _seen(app_for(seeded))
    kept = json.loads((seeded / outlines.OUTLINE_FILE).read_text())
    for step in kept["outline"]["steps"]:
        step |= {"status": "done", "finished": True, "overdue": False}
    kept["outline"] |= {"done": 23, "next_id": None, "next_title": None}
    (seeded / outlines.OUTLINE_FILE).write_text(json.dumps(kept))

    app = app_for(seeded)
    assert app.from_outline, "the key still matches: the outline is drawn first"
    seen = await _seen(app)
    assert seen["header"].startswith("6/23"), seen["header"]
    assert seen["developer-profile"].startswith("◐")


async def test_another_day_draws_from_the_files(seeded: Path, app_for: AppFor) -> None:
    from onboard.tui.session import Clock  # noqa: PLC0415

    await _seen(app_for(seeded))
    assert not app_for(seeded, clock=Clock.frozen(NOW.replace(day=11))).from_outline  # due dates move


async def test_files_that_no_longer_load_end_the_app_with_one_line(seeded: Path, app_for: AppFor) -> None:
    await _seen(app_for(seeded))
    state = json.loads((seeded / "workspace.json").read_text())
    (seeded / "workspace.json").write_text(json.dumps(state | {"schema_version": 999}))
    # as if an onboard that read these bytes had kept the outline for them
    kept = json.loads((seeded / outlines.OUTLINE_FILE).read_text())
    kept["key"] = outlines.key(seeded, NOW.astimezone().date())
    (seeded / outlines.OUTLINE_FILE).write_text(json.dumps(kept))

    app = app_for(seeded)
    assert app.from_outline
    async with app.run_test() as pilot:
        await pilot.pause()
    assert isinstance(app.load_error, ConfigError)
    assert "newer onboard" in app.load_error.one_line()
    assert app.return_value == app.load_error.exit_code


def test_a_kept_outline_is_drawn_terminal_safe(tmp_path: Path) -> None:
    (tmp_path / "workspace.json").write_text("{}")
    key = outlines.key(tmp_path, NOW.date())
    assert key is not None
    hostile = "Accept\x1b]52;c;ZXZpbA==\x07 the \x1b[2Jinvite"
    outline = outlines.Outline(
        phases=(outlines.PhaseLine("river", hostile),),
        steps=(outlines.StepLine("river-account", "river", hostile, "todo"),),
        done=0,
        next_id="river-account",
        next_title=hostile,
        subtitle=hostile,
    )
    outlines.keep(tmp_path, key, outline)
    read = outlines.kept(tmp_path, key)
    assert read is not None
    texts = [read.phases[0].title, read.steps[0].title, read.next_title or "", read.subtitle]
    assert all("\x1b" not in text and "\x07" not in text for text in texts), texts
    assert all("\\x1b" in text for text in texts)


def test_a_damaged_or_foreign_outline_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "workspace.json").write_text("{}")
    key = outlines.key(tmp_path, NOW.date())
    assert key is not None
    for body in ("", "[]", "{", json.dumps({"key": key}), json.dumps({"key": key, "outline": {"phases": [1]}})):
        (tmp_path / outlines.OUTLINE_FILE).write_text(body)
        assert outlines.kept(tmp_path, key) is None, body


async def test_the_first_frame_from_an_outline_loads_no_model(seeded: Path) -> None:
    """The point of the outline: pydantic and the checklist's models wait until the journey is on screen."""
    await _seen(make_app(seeded, Settings.from_env(), blink=False))  # today's clock, as the next start's
    check = f"""
import sys
from pathlib import Path
from onboard.tui.app import make_app
from onboard.tui.screens.journey import JourneyScreen
app = make_app(Path({str(seeded)!r}))
assert app.from_outline, "no outline kept"
models = ("pydantic", "onboard.checklist.schema", "onboard.workspace.state")
print(sorted(m for m in sys.modules if m.startswith(models)))
"""
    out = subprocess.run([sys.executable, "-c", check], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]", out


def _spoil_steps(outline: dict[str, Any]) -> None:
    outline["steps"] = []


def _spoil_status(outline: dict[str, Any]) -> None:
    outline["steps"][0]["status"] = ["done"]


def _spoil_done(outline: dict[str, Any]) -> None:
    outline["done"] = "\x1b]0;owned\x07"


def _spoil_next(outline: dict[str, Any]) -> None:
    outline["next_id"] = "no-such-step"


def _spoil_flag(outline: dict[str, Any]) -> None:
    outline["steps"][1]["finished"] = "yes"


def _spoil_twice(outline: dict[str, Any]) -> None:
    outline["steps"].append(outline["steps"][0])


@pytest.mark.parametrize(
    "spoil",
    [_spoil_steps, _spoil_status, _spoil_done, _spoil_next, _spoil_flag, _spoil_twice],
    ids=lambda f: f.__name__,
)
async def test_an_outline_that_does_not_hang_together_is_not_drawn(
    seeded: Path, app_for: AppFor, spoil: Callable[[dict[str, Any]], None]
) -> None:
    """Anyone who can write the workspace can compute the key: the file is read as any file from outside."""
    before = await _seen(app_for(seeded))
    kept = json.loads((seeded / outlines.OUTLINE_FILE).read_text())
    spoil(kept["outline"])
    (seeded / outlines.OUTLINE_FILE).write_text(json.dumps(kept))
    app = app_for(seeded)
    assert not app.from_outline
    assert await _seen(app) == before


async def test_a_title_in_brackets_is_drawn_as_it_reads(seeded: Path, app_for: AppFor) -> None:
    before = await _seen(app_for(seeded))
    kept = json.loads((seeded / outlines.OUTLINE_FILE).read_text())
    kept["outline"]["phases"][0]["title"] = "[/] [b]RIVER"
    kept["outline"]["steps"][0]["title"] = "[link=x]Accept[/link] ["
    (seeded / outlines.OUTLINE_FILE).write_text(json.dumps(kept))
    app = app_for(seeded)
    assert app.from_outline
    assert await _seen(app) == before  # no markup error; and after the load, the checklist's own titles


async def test_files_needed_before_the_first_frame_still_redraw_the_journey(
    seeded: Path, app_for: AppFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key pressed (or a timer fired) before the first frame reads the workspace early: the outline drawn
    is replaced all the same."""
    before = await _seen(app_for(seeded))
    kept = json.loads((seeded / outlines.OUTLINE_FILE).read_text())
    for step in kept["outline"]["steps"]:
        step |= {"status": "done", "finished": True, "overdue": False}
    (seeded / outlines.OUTLINE_FILE).write_text(json.dumps(kept))
    mounted = JourneyScreen.on_mount

    def early(screen: JourneyScreen) -> None:
        mounted(screen)
        assert onboard_app(screen).workspace is not None  # read before Textual's Ready

    monkeypatch.setattr(JourneyScreen, "on_mount", early)
    app = app_for(seeded)
    assert app.from_outline
    assert await _seen(app) == before
