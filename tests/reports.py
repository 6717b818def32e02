"""A sign-off pack made the way a shipper makes one, and its report.pdf read as an account manager's viewer
draws it: each label page found by its outline entry, the label's area drawn by PDFium."""

from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2
import pypdfium2.raw as pdfium_c
from PIL import Image

from onboard.labels.formats import get
from onboard.pack.content import caption
from tests.cli import run_onboard


def onboard(*args: str) -> subprocess.CompletedProcess[str]:
    # module-scoped fixtures run before the per-test private home: keep the machine's LWA_/ONBOARD_
    # variables and its keyring out explicitly
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LWA_", "ONBOARD_"))}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return run_onboard(args, env)


def packed_workspace(path: Path, *init: str, certify: tuple[str, ...] = ()) -> Path:
    """A workspace with evidence, an audit trail and one passed run against the emulator, packed; the zip."""
    assert onboard("init", "--workspace", str(path), "--shipper", "Acme Ltd", *init).returncode == 0
    for step, status, evidence in (
        ("river-account", "done", "contact_email=ops@acme.example"),
        ("river-account", "done", "river_case=RIVER-2026-04417"),
        ("developer-profile", "in_progress", "website=https://www.acme.example/shipping/integration-with-amazon"),
    ):
        done = onboard("step", step, "--status", status, "--evidence", evidence, "--workspace", str(path))
        assert done.returncode == 0, done.stderr
    certified = onboard("certify", "--workspace", str(path), *certify)
    assert certified.returncode == 0, certified.stdout + certified.stderr
    packed = onboard("pack", "--workspace", str(path))
    assert packed.returncode == 0, packed.stderr
    (zip_path,) = (path / "packs").glob("*.zip")
    return zip_path


@dataclass(frozen=True)
class LabelPage:
    title: str
    #: 0-based, in report.pdf
    index: int
    label: dict[str, Any]
    #: which label of its file (a PDF's page, a ZPL file's format), from 1
    number: int


class Pack:
    """The zip's members, its run record, and report.pdf's label pages by their outline entries."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with zipfile.ZipFile(path) as archive:
            self.files = {name: archive.read(name) for name in archive.namelist()}
        self.run = json.loads(self.files["run.json"])
        self.pdf = self.files["report.pdf"]
        self.html = self.files["report.html"].decode("utf-8")
        self.reader = pypdf.PdfReader(io.BytesIO(self.pdf))

    def labels(self) -> list[dict[str, Any]]:
        return [label for case in self.run["cases"] for label in case["labels"] if label.get("file")]

    def outline(self) -> dict[str, Any]:
        """Top-level outline titles -> their entry (a list of children follows a parent in pypdf's outline)."""
        entries: dict[str, Any] = {}
        items = list(self.reader.outline)
        for number, item in enumerate(items):
            if isinstance(item, list):
                continue
            children = items[number + 1] if number + 1 < len(items) and isinstance(items[number + 1], list) else []
            entries[item.title] = (item, children)
        return entries

    def label_pages(self) -> list[LabelPage]:
        _, children = self.outline()["Label pages"]
        by_title = {}
        for label in self.labels():
            drawn = get(label["format"]).pictures(self.files[label["file"]], label["dpi"]).pages
            for number in range(1, len(drawn) + 1):
                by_title[caption(label, number, len(drawn))] = (label, number)
        return [
            LabelPage(child.title, self.reader.get_destination_page_number(child), *by_title[child.title])
            for child in children
        ]

    def text_pages(self) -> list[pypdf.PageObject]:
        first_label = min(page.index for page in self.label_pages())
        return list(self.reader.pages[:first_label])


def draw_label_area(pdf: bytes, index: int, dpi: int) -> Image.Image:
    """Page ``index`` of ``pdf``, only its TrimBox (its label; a label file's own page is all label), drawn
    by PDFium at ``dpi``: the scale exactly dpi/72 and the bitmap the box's size in pixels.

    A whole-page render at a dpi puts a report's label on the same pixel grid as its own (it is a whole
    number of inches from the page's left and top edges), but PDFium computes in float32 there, and an edge
    that falls exactly on a pixel boundary may round either way at a larger offset; drawing the box itself
    is the label's arithmetic, so the comparison is of what is drawn, not of rounding. A page with /Rotate is
    drawn turned, as a viewer shows it."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[index]
        rotation = page.get_rotation()
        box = page.get_trimbox()
        page.set_mediabox(*box)
        page.set_cropbox(*box)
        scale = dpi / 72
        width, height = round((box[2] - box[0]) * scale), round((box[3] - box[1]) * scale)
        if rotation in (90, 270):
            width, height = height, width
        bitmap = pypdfium2.PdfBitmap.new_native(width, height, pdfium_c.FPDFBitmap_BGR)
        bitmap.fill_rect((255, 255, 255, 255), 0, 0, width, height)
        matrix = pdfium_c.FS_MATRIX(scale, 0, 0, scale, 0, 0)
        pdfium_c.FPDF_RenderPageBitmapWithMatrix(bitmap, page, matrix, pdfium_c.FS_RECTF(0, 0, width, height), 0)
        return bitmap.to_pil().convert("L")
    finally:
        document.close()


def own_render(label: dict[str, Any], data: bytes, number: int = 1) -> Image.Image:
    """The label file drawn by itself at its dpi: a PDF page by PDFium, a PNG or ZPL label by its format."""
    if label["format"] == "PDF":
        return draw_label_area(data, number - 1, label["dpi"])
    return get(label["format"]).pictures(data, label["dpi"]).pages[number - 1].convert("L")
