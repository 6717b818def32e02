"""PDFium's part of a PDF label: open the file, measure its pages, draw the first ones within the budgets.

What runs here runs in the PDF worker process (``onboard.labels.pdf_worker``), which the kernel stops
once it has used its CPU seconds: painting inside one form is a single object to PDFium and cannot be
paused, so only a process that can be stopped bounds it. The page budget (``pdf_budget``) is read first,
and PDFium draws progressively against ``DRAW_SECONDS`` of CPU time, so a file that merely has many objects
gets its one line saying which page, rather than a stopped worker.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from onboard.labels.sizes import page_budget

if TYPE_CHECKING:
    from PIL import Image

#: CPU seconds PDFium may spend drawing one file's pages (up to ``MAX_PAGES``): a label page draws in 0.05 s,
#: ten of them well inside this; the check's other work (start-up, scanning) fits in the rest of its 5 s
DRAW_SECONDS = 2.5


@dataclass(slots=True)
class Drawn:
    """What PDFium made of a file: its page count and sizes (points), the pages drawn, or why not."""

    count: int = 0
    sizes: list[tuple[float, float]] = field(default_factory=list)
    images: list[Image.Image] = field(default_factory=list)
    #: the file is not a PDF PDFium can open or draw ("damaged PDF: …")
    damaged: str | None = None
    #: the pages are not drawn: the one line saying which and why
    refused: str | None = None


def draw(data: bytes, dpi: int, *, limit: int, grayscale: bool, upright: bool, measure: bool) -> Drawn:
    """The first ``limit`` pages of ``data`` drawn at ``dpi`` (``measure``: every page's size too).

    ``upright`` draws a landscape page turned, so a scan sees its barcodes level.
    """
    import pypdfium2  # type: ignore[import-untyped]  # noqa: PLC0415 - in the worker, or with the first PDF

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        return Drawn(damaged=f"damaged PDF: {exc}")
    try:
        drawn = Drawn(count=len(pdf))
        if measure:
            # measured without parsing the page's content: every page, those past the limit too
            drawn.sizes = [pdf.get_page_size(index) for index in range(drawn.count)]
        if drawn.count:
            drawn.images, drawn.refused = _drawn(pdf, data, dpi, limit=limit, grayscale=grayscale, upright=upright)
    except pypdfium2.PdfiumError as exc:
        # a page tree that opens but does not draw is as damaged as one that does not open
        return Drawn(damaged=f"damaged PDF: {exc}")
    finally:
        pdf.close()
    return drawn


def _render_scale(width_pt: float, height_pt: float, dpi: int) -> float:
    """``dpi`` as a PDFium scale, smaller for a page too large to be a label (see ``page_budget``)."""
    scale = dpi / 72
    area = width_pt * height_pt * scale * scale
    budget = page_budget(dpi)
    return scale if area <= budget else scale * math.sqrt(budget / area)


def _drawn(
    pdf: Any, data: bytes, dpi: int, *, limit: int, grayscale: bool, upright: bool
) -> tuple[list[Image.Image], str | None]:
    """The first ``limit`` pages drawn; or none, and the one line saying which page cannot be and why.

    Every page is measured before any is drawn (``pdf_budget``), then drawn against one deadline for the
    file (``DRAW_SECONDS``).
    """
    from onboard.labels.pdf_budget import unfit_line, unfit_pages  # noqa: PLC0415 - pypdf with the first PDF

    count = min(len(pdf), limit)
    unfit = unfit_pages(data, len(pdf), limit)
    if unfit:
        return [], unfit_line(unfit)
    deadline = time.thread_time() + DRAW_SECONDS
    images: list[Image.Image] = []
    for number in range(1, count + 1):
        page = pdf[number - 1]
        try:
            width, height = page.get_size()
            rotation = 90 if upright and width > height else 0
            image = _render(page, _render_scale(width, height, dpi), rotation, grayscale, deadline)
        finally:
            page.close()
        if image is None:
            rest = ", nor the pages after it" if number < count else ""
            return [], (
                f"page {number} draws too much to be a label (PDFium was still drawing the file after "
                f"{DRAW_SECONDS:g} s): not drawn{rest}"
            )
        images.append(image)
    return images, None


def _render(page: Any, scale: float, rotation: int, grayscale: bool, deadline: float) -> Image.Image | None:
    """The page drawn as ``PdfPage.render`` draws it, but progressively: None when ``deadline`` (thread CPU
    time, so a loaded machine does not cut a good label short) passes before PDFium is done.

    PDFium asks whether to pause after every hundred objects of the page; a form is one object, which only
    the worker's CPU limit stops.
    """
    import pypdfium2  # noqa: PLC0415

    raw = pypdfium2.raw
    width = math.ceil(page.get_width() * scale)
    height = math.ceil(page.get_height() * scale)
    if rotation in (90, 270):
        width, height = height, width
    bitmap = pypdfium2.PdfBitmap.new_native(width, height, raw.FPDFBitmap_Gray if grayscale else raw.FPDFBitmap_BGR)
    bitmap.fill_rect((255, 255, 255, 255), 0, 0, width, height)
    flags = raw.FPDF_ANNOT | (raw.FPDF_GRAYSCALE if grayscale else 0)
    pause = raw.IFSDK_PAUSE(version=1)
    # kept in a variable for as long as PDFium may call it
    late = type(pause.NeedToPauseNow)(lambda _pause: time.thread_time() > deadline)
    pause.NeedToPauseNow = late
    turn = {0: 0, 90: 1, 180: 2, 270: 3}[rotation]
    status = raw.FPDF_RenderPageBitmap_Start(bitmap, page, 0, 0, width, height, turn, flags, pause)
    while status == raw.FPDF_RENDER_TOBECONTINUED and time.thread_time() <= deadline:
        status = raw.FPDF_RenderPage_Continue(page, pause)
    raw.FPDF_RenderPage_Close(page)
    if status == raw.FPDF_RENDER_TOBECONTINUED:
        return None
    image: Image.Image = bitmap.to_pil()
    return image
