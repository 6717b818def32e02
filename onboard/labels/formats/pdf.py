"""PDF labels: ``%PDF-`` first, pages measured in points and drawn by PDFium, written by ``onboard.labels.pdf``.

PDFium bounds nothing of what one page costs to draw, so each file is drawn in a worker process
(``onboard.labels.pdf_worker``) that the kernel stops at its CPU budget, and each page only when two budgets
allow: ``onboard.labels.pdf_budget`` reads it first (what it would parse and decode: content, forms as often as
drawn, images); and PDFium draws progressively against a deadline of CPU time for the whole file
(``pdf_draw.DRAW_SECONDS``), which bounds what painting the page's own objects costs. Painting inside one form
is bounded only by the worker's limit. A page a budget refuses is not drawn, and the file fails with one line
saying why.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from onboard.labels.content import LABEL_HEIGHT_IN, LABEL_WIDTH_IN
from onboard.labels.formats import Format
from onboard.labels.pdf_draw import DRAW_SECONDS
from onboard.labels.report import FoundBarcode, LabelCheck, Measured, Pictures
from onboard.labels.scanning import judge_barcodes, must_read, scan, scan_deadline
from onboard.labels.sizes import MAX_PAGES, fits, inches, wrong_size

if TYPE_CHECKING:
    from PIL import Image

    from onboard.labels.content import LabelContent
    from onboard.labels.pdf_draw import Drawn

__all__ = ["DEFAULT_PDF_DPI", "DRAW_SECONDS", "FORMAT", "pdf_pages"]

#: A PDF has no resolution of its own: it is drawn at this dpi unless the caller names the printer's.
DEFAULT_PDF_DPI = 300
_POINT_TOLERANCE = 2.0
#: a label's text is on its first pages: a long document is not read to its end
_TEXT_PAGES = 4


def sniff(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def pdf_pages(data: bytes, dpi: int, *, limit: int, grayscale: bool = False) -> list[Image.Image]:
    """The first ``limit`` pages of a PDF drawn by PDFium at ``dpi``; ValueError when it cannot be drawn."""
    drawn = _draw(data, dpi, limit=limit, grayscale=grayscale, upright=False, measure=False)
    if drawn.damaged is not None:
        raise ValueError(drawn.damaged)
    if drawn.refused is not None:
        raise ValueError(drawn.refused)
    if drawn.count == 0:
        raise ValueError("the PDF has no pages")
    return drawn.images


def check(data: bytes, dpi: int | None, expect: str | None) -> Measured:
    render_dpi = dpi or DEFAULT_PDF_DPI
    # a landscape page is drawn turned upright, so the quick scan sees its barcodes level
    drawn = _draw(data, render_dpi, limit=MAX_PAGES, grayscale=True, upright=True, measure=True)
    if drawn.damaged is not None:
        return Measured((LabelCheck("file", False, drawn.damaged),))
    count, sizes, images = drawn.count, drawn.sizes, drawn.images
    if drawn.refused is not None and not sizes:
        # the worker was stopped on the file: nothing of it is known but that
        return Measured((LabelCheck("file", False, drawn.refused),), dpi=render_dpi)
    if count == 0:
        return Measured((LabelCheck("pages", False, "the PDF has no pages"),), dpi=render_dpi)
    width, height = sizes[0]
    if drawn.refused is not None:
        # like a damaged file: one line saying why, and nothing read from pages that were not drawn
        check = LabelCheck("file", False, drawn.refused)
        return Measured((check,), (), count, round(width / 72, 3), round(height / 72, 3), render_dpi)
    # scanning needs no PDFium: other labels may render while this one is read
    found: list[FoundBarcode] = []
    deadline = scan_deadline()
    for number, image in enumerate(images, start=1):
        found += scan(image, must_read(expect), number, deadline)
    label_pt = (72.0 * LABEL_WIDTH_IN, 72.0 * LABEL_HEIGHT_IN)
    size_problems = []
    for number, (page_width, page_height) in enumerate(sizes, start=1):
        if not fits(page_width, page_height, label_pt, _POINT_TOLERANCE):
            where = f"page {number}: " if count > 1 else ""
            size_problems.append(f"{where}{wrong_size(page_width / 72, page_height / 72)}")
    if size_problems:
        shown_problems = size_problems[:3] + (
            [f"{len(size_problems) - 3} more pages"] if len(size_problems) > 3 else []
        )
        size_check = LabelCheck("size", False, "; ".join(shown_problems))
    else:
        turned = ", landscape (prints turned)" if width > height else ""
        size_check = LabelCheck("size", True, f"{inches(width / 72)} x {inches(height / 72)} in{turned}")
    read = min(count, MAX_PAGES)
    pages_words = "1 page" if count == 1 else f"{count} pages, one label each"
    if count > read:
        pages_words += f"; the first {read} read (at most {MAX_PAGES} a file), the rest measured only"
    pages_check = LabelCheck("pages", True, pages_words)
    return Measured(
        (pages_check, size_check, judge_barcodes(found, read, expect)),
        tuple(found),
        count,
        round(width / 72, 3),
        round(height / 72, 3),
        render_dpi,
    )


def pictures(data: bytes, dpi: int) -> Pictures:
    return Pictures("PDF", dpi, tuple(pdf_pages(data, dpi, limit=MAX_PAGES, grayscale=True)))


def preview(data: bytes, dpi: int) -> Image.Image:
    return pdf_pages(data, dpi, limit=1)[0]


def text(data: bytes) -> str:
    """The text layer of the first pages, as far as pypdf reads it; "" when it reads none."""
    from pypdf import PdfReader  # noqa: PLC0415 - pypdf loads only when a label's text is asked for
    from pypdf.errors import PyPdfError  # noqa: PLC0415

    pages: list[str] = []
    try:
        for page in PdfReader(io.BytesIO(data)).pages[:_TEXT_PAGES]:
            pages.append(page.extract_text() or "")
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        pass  # a page that does not read ends the text; what came before it stands
    return "\n".join(pages)


def write(content: LabelContent, dpi: int) -> bytes:
    from onboard.labels.pdf import render_pdf  # noqa: PLC0415 - the writer and its layout load with the first label

    return render_pdf(content, dpi)


def _draw(data: bytes, dpi: int, *, limit: int, grayscale: bool, upright: bool, measure: bool) -> Drawn:
    # the worker and PDFium load with the first PDF: PNG and ZPL checks, and the CLI's start-up, do without them
    from onboard.labels.pdf_worker import draw_pdf  # noqa: PLC0415

    return draw_pdf(data, dpi, limit=limit, grayscale=grayscale, upright=upright, measure=measure)


FORMAT = Format(
    name="PDF",
    extension=".pdf",
    media_type="application/pdf",
    is_document=True,
    sniff=sniff,
    check=check,
    pictures=pictures,
    preview=preview,
    text=text,
    write=write,
)
