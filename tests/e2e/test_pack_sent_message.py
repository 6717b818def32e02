"""``onboard message pack-sent``: the message that goes with the pack to the account manager, filled in from
the workspace's latest pack as the account manager's own review reads it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.reports import onboard
from tests.workspaces import stand_in_for_amazons_sandbox

pytestmark = pytest.mark.slow


def _certified(path: Path) -> Path:
    """A shipper who prints PNG at 203 dpi, certified for exactly that against the emulator."""
    assert (
        onboard(
            "init", "--workspace", str(path), "--shipper", "Acme Ltd", "--formats", "PNG", "--dpi", "203"
        ).returncode
        == 0
    )
    river = onboard("step", "river-account", "--evidence", "river_case=RIVER-2026-04417", "--workspace", str(path))
    assert river.returncode == 0, river.stderr
    certified = onboard("certify", "--workspace", str(path), "--formats", "PNG", "--dpi", "203")
    assert certified.returncode == 0, certified.stdout + certified.stderr
    return path


@pytest.fixture(scope="module")
def emulator_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _certified(tmp_path_factory.mktemp("emulator") / "acme")


def _as_if_amazon(workspace: Path) -> dict[str, Any]:
    return stand_in_for_amazons_sandbox(workspace)


def test_the_message_names_the_pack_its_digest_and_what_to_confirm_with_amazon(
    emulator_run: Path, tmp_path: Path
) -> None:
    workspace = Path(shutil.copytree(emulator_run, tmp_path / "ws"))
    run = _as_if_amazon(workspace)
    packed = onboard("pack", "--workspace", str(workspace))
    assert packed.returncode == 0, packed.stderr
    digest = re.search(r"manifest +sha256 ([0-9a-f]{64})", packed.stdout)
    assert digest is not None
    (pack,) = (workspace / "packs").glob("*.zip")

    written = onboard("message", "pack-sent", "--workspace", str(workspace))
    assert written.returncode == 0, written.stderr
    text = written.stdout
    assert f"    {pack.name}\n" in text
    assert f"    {digest.group(1)}\n" in text  # the digest to send apart from the zip
    assert f"unzip -p {pack.name} manifest.json | sha256sum" in text
    assert "Acme Ltd (AmazonShipping_US)" in text and "against Amazon's sandbox" in text
    assert "(RIVER case RIVER-2026-04417)" in text
    assert f"certification run {run['run_id']}" in text
    # what only Amazon can confirm: each requirement's x-amzn-RequestIds, every shipment and tracking ID
    purchase = [
        call["request_id"]
        for call in run["calls"]
        if call["case"] == "P-02" and call["operation"] == "purchaseShipment" and call["status"] == 200
    ]
    assert f"- Purchase a label from a rate — P-02: x-amzn-RequestId {purchase[-1]}" in text
    labels = [label for case in run["cases"] for label in case["labels"]]
    assert all(label["tracking_id"] in text for label in labels)
    assert all(label["shipment_id"] in text for label in labels if label["kind"] == "label")
    assert "{{" not in text and "(s)" not in text


def test_no_message_without_a_pack_or_for_a_pack_that_fails_its_review(emulator_run: Path, tmp_path: Path) -> None:
    workspace = Path(shutil.copytree(emulator_run, tmp_path / "ws"))
    none = onboard("message", "pack-sent", "--workspace", str(workspace))
    assert none.returncode == 2
    assert "names the sign-off pack" in none.stderr and "onboard pack" in none.stderr

    assert onboard("pack", "--workspace", str(workspace)).returncode == 0
    emulator = onboard("message", "pack-sent", "--workspace", str(workspace))
    assert emulator.returncode == 2, emulator.stdout
    assert "is not one to send: NOT FROM AMAZON" in emulator.stderr and "onboard review" in emulator.stderr
    assert emulator.stdout == ""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_m_on_pack_sent_in_the_tui_drafts_the_same_message(emulator_run: Path, tmp_path: Path) -> None:
    from onboard.settings import Settings  # noqa: PLC0415 - Textual only in the tests that drive it
    from onboard.tui.app import make_app  # noqa: PLC0415
    from onboard.tui.screens.message import MessageScreen  # noqa: PLC0415
    from onboard.tui.widgets.step_tree import StepTree  # noqa: PLC0415

    workspace = Path(shutil.copytree(emulator_run, tmp_path / "ws"))
    _as_if_amazon(workspace)
    assert onboard("pack", "--workspace", str(workspace)).returncode == 0
    (pack,) = (workspace / "packs").glob("*.zip")
    cli = onboard("message", "pack-sent", "--workspace", str(workspace))
    assert cli.returncode == 0, cli.stderr

    app = make_app(workspace, Settings.from_env(), blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one(StepTree).select_step("pack-sent")
        await pilot.pause()
        await pilot.press("m")
        await app.workers.wait_for_complete()  # the pack is reviewed in a thread before the message is drafted
        await pilot.pause()
        assert isinstance(app.screen, MessageScreen), [n.message for n in app._notifications]
        assert pack.name in app.screen.text
        # the TUI's draft is the CLI's, word for word (the same day, the same pack)
        assert app.screen.text == cli.stdout
