"""A label file that holds several labels: a carrier's ZPL often sends the parcel label and a return label
(or one per parcel) as several ``^XA…^XZ`` formats in one file. Every one of them is a label a printer
prints, so the case screen pages through them and the pack gives each its own true-size page."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest

from onboard.labels.render import render_label
from onboard.tui.app import OnboardApp
from onboard.tui.screens.case import CaseScreen
from onboard.tui.widgets.label_preview import LabelPreview
from tests.cli import run_onboard
from tests.tui.helpers import settle
from tests.unit.test_label_check import content

pytestmark = pytest.mark.anyio

AppFor = Callable[..., OnboardApp]
TRACKING = "TBA000000000001"
ZPL_FILE = f"labels/P-02-ZPL-203-{TRACKING}.zpl"


def two_label_zpl() -> bytes:
    parcel = render_label(content(TRACKING), "ZPL", 203)
    returned = render_label(replace(content(TRACKING), service_name="Return"), "ZPL", 203)
    return parcel + b"\n" + returned


def with_a_zpl_file(run_json: Path) -> None:
    """The recorded run's P-02 label as a ZPL file of two formats."""
    data = two_label_zpl()
    (run_json.parent / ZPL_FILE).write_bytes(data)
    run = json.loads(run_json.read_text(encoding="utf-8"))
    label = run["cases"][1]["labels"][0]
    label.update(format="ZPL", file=ZPL_FILE, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    label["report"]["checks"][1]["detail"] = "ZPL"
    run_json.write_text(json.dumps(run, indent=2), encoding="utf-8")


async def test_the_case_screen_pages_through_every_label_of_a_file(
    workspace_dir: Path, recorded_run: Path, app_for: AppFor
) -> None:
    with_a_zpl_file(recorded_run)
    app = app_for(workspace_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(app)
        app.screen.open_case("P-02")  # type: ignore[attr-defined]
        await settle(app)
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)
        preview = app.screen.query_one(LabelPreview)
        assert preview.drawn
        assert len(preview.pages) == 2
        assert preview.caption == "label 1 of 2 · ] next · [ previous"
        first = preview.image
        await pilot.press("right_square_bracket")
        assert preview.caption.startswith("label 2 of 2")
        assert preview.image is not first
        await pilot.press("right_square_bracket")
        assert preview.caption.startswith("label 1 of 2")


def test_the_pack_gives_each_label_of_a_file_its_own_page(workspace_dir: Path, recorded_run: Path) -> None:
    with_a_zpl_file(recorded_run)
    done = run_onboard(["pack", "--workspace", str(workspace_dir), "--include-failed"])
    assert done.returncode == 0, done.stdout + done.stderr
    (zip_path,) = (workspace_dir / "packs").glob("*.zip")
    with zipfile.ZipFile(zip_path) as pack:
        html = pack.read("report.html").decode("utf-8")
        pdf = pypdf.PdfReader(io.BytesIO(pack.read("report.pdf")))
    assert html.count('src="data:image/png;base64,') == 2
    assert f"P-02 · ZPL · 203 dpi · {TRACKING} · label 1 of 2" in html
    assert f"P-02 · ZPL · 203 dpi · {TRACKING} · label 2 of 2" in html
    label_pages = [page for page in pdf.pages if round(float(page.trimbox.width)) == 288]
    assert len(label_pages) == 2
