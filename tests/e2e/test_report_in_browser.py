"""report.html in a real browser: headless Chromium (Debian's ``chromium``, driven by Playwright for Python
pointed at that executable; no browser download). At a desktop's 1280 px and a phone's 390 px, asserted from
the browser's own layout: nothing overflows sideways, no two label sections overlap, no banner covers text,
every image loaded. Printed to PDF by the browser: each label on a page of its own at 4 x 6 in, and its
barcodes scan (zxing-cpp) from that PDF. Without Playwright or a Chromium these tests skip and say why;
``.ci/run`` installs the browser."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp

from tests.reports import Pack, packed_workspace

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed: pip install -e '.[test]'"
)
pytestmark = pytest.mark.slow

_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _chromium() -> str | None:
    return next((found for name in _BROWSERS if (found := shutil.which(name))), None)


@pytest.fixture(scope="module")
def browser(report: Path) -> Iterator[Any]:
    # after the pack: Playwright's sync API runs an event loop in this thread while the browser is open,
    # and certify runs one of its own (asyncio.run cannot start inside another)
    executable = _chromium()
    if executable is None:
        pytest.skip(f"no Chromium on PATH ({', '.join(_BROWSERS)}): apt-get install chromium (.ci/run does)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    return Pack(packed_workspace(tmp_path_factory.mktemp("browser") / "acme"))


@pytest.fixture(scope="module")
def report(pack: Pack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_bytes(pack.files["report.html"])
    return path


#: the browser's own layout of the page: boxes in CSS pixels of the document
_LAYOUT = """() => {
  const box = (r) => ({x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height});
  const banners = [...document.querySelectorAll('.banner')];
  const inBanner = (el) => banners.some((b) => b.contains(el));
  const texts = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (inBanner(el)) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!own && el.tagName !== 'IMG') continue;
    for (const r of el.getClientRects()) texts.push({tag: el.tagName, text: el.textContent.slice(0, 40), ...box(r)});
  }
  return {
    width: innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    sections: [...document.querySelectorAll('section.label')].map((s) => ({caption: s.getAttribute('aria-label'),
      ...box(s.getBoundingClientRect())})),
    banners: banners.map((b) => box(b.getBoundingClientRect())),
    texts,
    images: [...document.images].map((i) => ({complete: i.complete, natural: i.naturalWidth * i.naturalHeight,
      alt: i.alt, ...box(i.getBoundingClientRect())})),
  };
}"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two boxes share any area (touching edges do not)."""
    return min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"]) > 0.5 and (
        min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"]) > 0.5
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_nothing_overlaps_and_every_image_loads(
    browser: Any, report: Path, pack: Pack, width: int, figure: Callable[[str], None]
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(report.as_uri(), wait_until="load")
        layout = page.evaluate(_LAYOUT)
        shot = report.parent / f"report-{width}px.png"
        page.screenshot(path=str(shot), full_page=True)
    finally:
        page.close()
    figure(f"report.html at {width} px, as Chromium drew it: {shot}")

    assert layout["scrollWidth"] <= layout["width"], "the page scrolls sideways"
    sections = layout["sections"]
    assert [section["caption"] for section in sections] == [label.title for label in pack.label_pages()]
    for number, section in enumerate(sections):
        for other in sections[number + 1 :]:
            assert not _overlap(section, other), f"{section['caption']} overlaps {other['caption']}"
    # the page's banner and one per label page (a pack not made against Amazon), each over no text at all
    assert len(layout["banners"]) == 1 + len(sections)
    for banner in layout["banners"]:
        covered = [text for text in layout["texts"] if _overlap(banner, text)]
        assert not covered, f"a banner covers {covered[:3]}"
    images = layout["images"]
    assert len(images) == len(sections)
    assert all(image["complete"] and image["natural"] > 0 for image in images), "an image did not load"
    for image, section in zip(images, sections, strict=True):
        inside = section["x"] <= image["x"] and image["x"] + image["w"] <= section["x"] + section["w"] + 0.5
        assert inside and section["y"] <= image["y"] <= image["y"] + image["h"] <= section["y"] + section["h"] + 0.5


@pytest.mark.parametrize("paper", ["Letter", "A4"])
def test_printed_each_label_is_a_page_of_its_own_at_4_by_6_in_and_its_barcodes_scan(
    browser: Any, report: Path, pack: Pack, paper: str
) -> None:
    page = browser.new_page()
    printed = report.parent / f"printed-{paper}.pdf"
    try:
        page.goto(report.as_uri(), wait_until="load")
        page.pdf(path=str(printed), format=paper, print_background=True)
    finally:
        page.close()
    expected = pack.label_pages()
    tracking = {label.title: label.label["tracking_id"] for label in expected}
    reader = pypdf.PdfReader(printed)
    document = pypdfium2.PdfDocument(printed)
    try:
        label_pages = []
        for number in range(len(document)):
            images = list(document[number].get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=4))
            if not images:
                continue
            assert len(images) == 1, f"page {number + 1} holds {len(images)} labels"
            left, bottom, right, top = images[0].get_bounds()
            assert (right - left, top - bottom) == pytest.approx((288, 432), abs=0.5)  # 4 x 6 in, at 100%
            label_pages.append(number)
        assert len(label_pages) == len(expected)
        for number, label in zip(label_pages, expected, strict=True):
            assert label.title in reader.pages[number].extract_text()
            drawn = document[number].render(scale=300 / 72, grayscale=True).to_pil()
            read = [barcode.text for barcode in zxingcpp.read_barcodes(drawn)]
            assert read.count(tracking[label.title]) >= 2, f"{label.title}: read {read}"  # Code 128 and Data Matrix
    finally:
        document.close()
