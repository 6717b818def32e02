"""What each screen looks like at 80x24 (and a few at other sizes and in the light theme), as SVG snapshots.

Time is frozen, the cursor does not blink, the workspace sits at ``~/ws`` under the test's own home, and
certification is a recorded run with fixed ids and a label rendered from fixed content. Regenerate with
``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the SVGs before accepting them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from onboard.tui.app import OnboardApp
from onboard.tui.session import UiState
from onboard.tui.widgets.step_tree import StepTree
from tests.tui.helpers import settle
from tests.tui.test_sections import fake_pack

AppFor = Callable[..., OnboardApp]
Compare = Callable[..., bool]


async def _ready(pilot: Pilot[int]) -> None:
    await pilot.pause()
    await settle(pilot.app)
    await pilot.pause()
    pilot.app.clear_notifications()


def _at_step(step_id: str) -> Callable[[Pilot[int]], object]:
    async def run_before(pilot: Pilot[int]) -> None:
        await _ready(pilot)
        pilot.app.screen.query_one(StepTree).select_step(step_id)
        await pilot.pause()
        await settle(pilot.app)

    return run_before


def test_first_run(snap_compare: Compare, private_home: Path, app_for: AppFor) -> None:
    assert snap_compare(app_for(private_home / "ws"), run_before=_ready)


def test_journey_new_workspace(snap_compare: Compare, workspace_dir: Path, app_for: AppFor) -> None:
    assert snap_compare(app_for(workspace_dir), run_before=_ready)


def test_journey_overdue_review(snap_compare: Compare, seeded: Path, app_for: AppFor) -> None:
    assert snap_compare(app_for(seeded), run_before=_at_step("registration-review"))


def test_journey_light_theme(snap_compare: Compare, seeded: Path, app_for: AppFor) -> None:
    UiState(theme="textual-light", step="developer-profile").save(seeded)
    assert snap_compare(app_for(seeded), run_before=_ready)


def test_journey_wide(snap_compare: Compare, seeded: Path, app_for: AppFor) -> None:
    assert snap_compare(app_for(seeded), run_before=_at_step("directed-id"), terminal_size=(120, 36))


def test_journey_evidence_refused_as_typed(snap_compare: Compare, workspace_dir: Path, app_for: AppFor) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await _ready(pilot)
        await pilot.press("e", *"ops@")
        await pilot.pause()

    assert snap_compare(app_for(workspace_dir), run_before=run_before)


def test_river_message(snap_compare: Compare, seeded: Path, app_for: AppFor) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await _at_step("directed-id")(pilot)  # type: ignore[misc]
        await pilot.press("m")
        await pilot.pause()

    assert snap_compare(app_for(seeded), run_before=run_before)


def test_help(snap_compare: Compare, workspace_dir: Path, app_for: AppFor) -> None:
    assert snap_compare(app_for(workspace_dir), press=["question_mark"], run_before=_ready)


def test_credentials(snap_compare: Compare, workspace_dir: Path, app_for: AppFor) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await pilot.press("2")
        await _ready(pilot)

    assert snap_compare(app_for(workspace_dir), run_before=run_before)


def test_certification_recorded_run(
    snap_compare: Compare, workspace_dir: Path, recorded_run: Path, app_for: AppFor
) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await pilot.press("3")
        await _ready(pilot)

    assert snap_compare(app_for(workspace_dir), run_before=run_before)


def test_case_labels(snap_compare: Compare, workspace_dir: Path, recorded_run: Path, app_for: AppFor) -> None:
    UiState(mode="certification", case="P-02").save(workspace_dir)

    async def run_before(pilot: Pilot[int]) -> None:
        await _ready(pilot)
        await pilot.press("enter")
        await _ready(pilot)

    assert snap_compare(app_for(workspace_dir), run_before=run_before)


def test_case_calls(snap_compare: Compare, workspace_dir: Path, recorded_run: Path, app_for: AppFor) -> None:
    UiState(mode="certification", case="P-02").save(workspace_dir)

    async def run_before(pilot: Pilot[int]) -> None:
        await _ready(pilot)
        await pilot.press("enter")
        await _ready(pilot)
        await pilot.press("c", "down")
        await pilot.pause()

    assert snap_compare(app_for(workspace_dir), run_before=run_before)


def test_label_zoomed(snap_compare: Compare, workspace_dir: Path, recorded_run: Path, app_for: AppFor) -> None:
    UiState(mode="certification", case="P-02").save(workspace_dir)

    async def run_before(pilot: Pilot[int]) -> None:
        await _ready(pilot)
        await pilot.press("enter")
        await _ready(pilot)
        await pilot.press("z")
        await pilot.pause()

    assert snap_compare(app_for(workspace_dir), run_before=run_before, terminal_size=(100, 40))


def test_signoff_built(
    snap_compare: Compare,
    workspace_dir: Path,
    recorded_run: Path,
    app_for: AppFor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_pack(monkeypatch, lambda workspace: workspace.path / "packs" / "onboard-pack-AmazonShipping_US.zip")

    async def run_before(pilot: Pilot[int]) -> None:
        await pilot.press("4")
        await _ready(pilot)
        await pilot.press("b")
        await _ready(pilot)

    assert snap_compare(app_for(workspace_dir), run_before=run_before)
