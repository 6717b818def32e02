"""The TUI's plain-Python parts: run records read back, half-block pictures, the remembered UI state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image

from onboard.tui.halfblocks import UPPER_HALF, fit, halfblock_lines
from onboard.tui.runs import latest_run, load_run
from onboard.tui.session import UI_FILE, UiState
from tests.tui.conftest import RUN_ID


def test_a_run_gives_each_case_its_calls(workspace_dir: Path, recorded_run: Path) -> None:
    assert latest_run(workspace_dir) == recorded_run
    run = load_run(recorded_run)
    assert run.run_id == RUN_ID
    assert run.ok
    assert run.counts() == {"passed": 2, "skipped": 1}
    by_case = {case.id: [call.operation for call in case.calls] for case in run.cases}
    # the cancel names only the shipment id that P-02's purchase returned
    assert by_case == {
        "TC01": ["getRates"],
        "P-02": ["getRates", "purchaseShipment", "cancelShipment"],
        "P-12": ["getRates"],
    }
    assert run.unattributed == []
    label = run.cases[1].labels[0]
    assert label.file == recorded_run.parent / "labels" / "P-02-PNG-203-TBA000000000001.png"
    assert label.name == "PNG 203 dpi"
    assert [check["name"] for check in label.checks] == ["spec", "format", "size", "barcodes"]


def test_a_label_path_never_leaves_its_run(workspace_dir: Path, recorded_run: Path) -> None:
    raw = json.loads(recorded_run.read_text())
    raw["cases"][1]["labels"][0]["file"] = "../../../etc/passwd"
    recorded_run.write_text(json.dumps(raw))
    assert load_run(recorded_run).cases[1].labels[0].file is None


def test_half_blocks_keep_the_proportions_of_a_4x6_label() -> None:
    assert fit((812, 1218), (80, 20)) == (27, 20)  # height-bound: 40 pixels tall, 27 wide
    assert fit((812, 1218), (10, 40)) == (10, 8)  # width-bound
    assert fit((0, 10), (10, 10)) == (0, 0)
    image = Image.new("L", (4, 4), 255)
    image.putpixel((0, 0), 0)
    image.putpixel((0, 1), 0)
    lines = halfblock_lines(image, (4, 2))
    assert len(lines) == 2
    first = lines[0][0]
    assert first.text.startswith(UPPER_HALF)
    assert first.style is not None
    assert first.style.color is not None
    assert first.style.color.triplet is not None
    assert first.style.color.triplet.hex == "#000000"


def test_ui_state_survives_garbage_and_never_keeps_a_secret(tmp_path: Path) -> None:
    (tmp_path / UI_FILE).write_text("{not json")
    assert UiState.load(tmp_path) == UiState()
    (tmp_path / UI_FILE).write_text(json.dumps({"mode": "nowhere", "theme": "neon", "drafts": {"a.b": "Atzr|x"}}))
    assert UiState.load(tmp_path) == UiState()
    UiState(mode="certification", step="roles", drafts={"roles.x": "draft"}).save(tmp_path)
    assert UiState.load(tmp_path) == UiState(mode="certification", step="roles", drafts={"roles.x": "draft"})


def test_the_tui_package_loads_no_network_or_picture_library_at_start() -> None:
    probe = (
        "import sys; import onboard.tui.app, onboard.tui.screens.journey\n"
        "print([m for m in ('httpx', 'PIL', 'uvicorn', 'starlette', 'keyring', 'pypdfium2', 'zxingcpp') "
        "if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
