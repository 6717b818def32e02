"""PDF labels: ``%PDF-`` first, pages measured in points and drawn by PDFium, written by ``onboard.labels.pdf``.

PDFium bounds nothing of what one page costs to draw, so each page is drawn only when two budgets allow:
``onboard.labels.pdf_budget`` reads it first (what it would parse and decode: content, forms as often as drawn,
images); and PDFium draws progressively against a deadline of CPU time for the whole file (``DRAW_SECONDS``),
which bounds what painting the page's own objects costs (a thousand page-wide strokes: 20 KB, 4 s). What
painting inside one form costs is bounded by neither (see ``pdf_budget``). A page either budget refuses is not
drawn, and the file fails with one line saying why.
"""

from __future__ import annotations

import io
import math
import threading
import time
from typing import TYPE_CHECKING, Any

from onboard.labels.content import LABEL_HEIGHT_IN, LABEL_WIDTH_IN
from onboard.labels.formats import Format
from onboard.labels.report import FoundBarcode, LabelCheck, Measured, Pictures
from onboard.labels.scanning import judge_barcodes, must_read, scan, scan_deadline
from onboard.labels.sizes import MAX_PAGES, fits, inches, page_budget, wrong_size

if TYPE_CHECKING:
    from PIL import Image

    from onboard.labels.content import LabelContent

__all__ = ["DEFAULT_PDF_DPI", "DRAW_SECONDS", "FORMAT", "PDFIUM_LOCK", "pdf_pages"]

#: A PDF has no resolution of its own: it is drawn at this dpi unless the caller names the printer's.
DEFAULT_PDF_DPI = 300
_POINT_TOLERANCE = 2.0
#: a label's text is on its first pages: a long document is not read to its end
_TEXT_PAGES = 4

#: CPU seconds PDFium may spend drawing one file's pages (up to ``MAX_PAGES``): a label page draws in 0.05 s,
#: ten of them well inside this; the check's other work (start-up, scanning) fits in the rest of its 5 s
DRAW_SECONDS = 2.5

#: PDFium is not thread-safe: one document at a time in the whole process (certify checks labels in threads)
PDFIUM_LOCK = threading.Lock()


def sniff(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def pdf_pages(data: bytes, dpi: int, *, limit: int, grayscale: bool = False) -> list[Image.Image]:
    """The first ``limit`` pages of a PDF drawn by PDFium at ``dpi``; ValueError when it cannot be drawn."""
    pypdfium2 = _pdfium()
    with PDFIUM_LOCK:
        try:
            pdf = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as exc:
            raise ValueError(f"damaged PDF: {exc}") from None
        try:
            if len(pdf) == 0:
                raise ValueError("the PDF has no pages")
            images, refused = _drawn(pdf, data, dpi, limit=limit, grayscale=grayscale, upright=False)
        except pypdfium2.PdfiumError as exc:
            raise ValueError(f"damaged PDF: {exc}") from None
        finally:
            pdf.close()
    if refused is not None:
        raise ValueError(refused)
    return images


def check(data: bytes, dpi: int | None, expect: str | None) -> Measured:
    pypdfium2 = _pdfium()
    render_dpi = dpi or DEFAULT_PDF_DPI
    refused: str | None = None
    with PDFIUM_LOCK:
        try:
            pdf = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as exc:
            return Measured((LabelCheck("file", False, f"damaged PDF: {exc}"),))
        try:
            count = len(pdf)
            # measured without parsing the page's content: every page, those past MAX_PAGES too
            sizes: list[tuple[float, float]] = [pdf.get_page_size(index) for index in range(count)]
            images: list[Image.Image] = []
            if count:
                # a landscape page is drawn turned upright, so the quick scan sees its barcodes level
                images, refused = _drawn(pdf, data, render_dpi, limit=MAX_PAGES, grayscale=True, upright=True)
        except pypdfium2.PdfiumError as exc:
            # a page tree that opens but does not draw is as damaged as one that does not open
            return Measured((LabelCheck("file", False, f"damaged PDF: {exc}"),))
        finally:
            pdf.close()
    if count == 0:
        return Measured((LabelCheck("pages", False, "the PDF has no pages"),), dpi=render_dpi)
    width, height = sizes[0]
    if refused is not None:
        # like a damaged file: one line saying why, and nothing read from pages that were not drawn
        check = LabelCheck("file", False, refused)
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


def _pdfium() -> Any:
    # PDFium is loaded on the first PDF only: PNG and ZPL checks, and the CLI's start-up, do without it
    import pypdfium2  # type: ignore[import-untyped]  # noqa: PLC0415

    return pypdfium2


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

    Called with ``PDFIUM_LOCK`` held. Every page is measured before any is drawn (``pdf_budget``), then
    drawn against one deadline for the file (``DRAW_SECONDS``).
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

    PDFium asks whether to pause after every hundred objects of the page; a form is one object, so what a
    form costs to parse and draw is ``pdf_budget``'s to bound.
    """
    pypdfium2 = _pdfium()
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
