"""PDF labels: ``%PDF-`` first, pages measured in points and drawn by PDFium, written by ``onboard.labels.pdf``."""

from __future__ import annotations

import io
import math
import threading
from typing import TYPE_CHECKING, Any

from onboard.labels.content import LABEL_HEIGHT_IN, LABEL_WIDTH_IN
from onboard.labels.formats import Format
from onboard.labels.report import FoundBarcode, LabelCheck, Measured, Pictures
from onboard.labels.scanning import judge_barcodes, must_read, scan, scan_deadline
from onboard.labels.sizes import MAX_PAGES, fits, inches, page_budget, wrong_size

if TYPE_CHECKING:
    from PIL import Image

    from onboard.labels.content import LabelContent

__all__ = ["DEFAULT_PDF_DPI", "FORMAT", "PDFIUM_LOCK", "pdf_pages"]

#: A PDF has no resolution of its own: it is drawn at this dpi unless the caller names the printer's.
DEFAULT_PDF_DPI = 300
_POINT_TOLERANCE = 2.0
#: a label's text is on its first pages: a long document is not read to its end
_TEXT_PAGES = 4

#: PDFium is not thread-safe: one document at a time in the whole process (certify checks labels in threads)
PDFIUM_LOCK = threading.Lock()


def sniff(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def pdf_pages(data: bytes, dpi: int, *, limit: int, grayscale: bool = False) -> list[Image.Image]:
    """The first ``limit`` pages of a PDF drawn by PDFium at ``dpi``; ValueError when it cannot be drawn."""
    pypdfium2 = _pdfium()
    images: list[Image.Image] = []
    with PDFIUM_LOCK:
        try:
            pdf = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as exc:
            raise ValueError(f"damaged PDF: {exc}") from None
        try:
            if len(pdf) == 0:
                raise ValueError("the PDF has no pages")
            for number in range(min(len(pdf), limit)):
                page = pdf[number]
                try:
                    width, height = page.get_size()
                    bitmap = page.render(scale=_render_scale(width, height, dpi), grayscale=grayscale)
                    images.append(bitmap.to_pil())
                finally:
                    page.close()
        except pypdfium2.PdfiumError as exc:
            raise ValueError(f"damaged PDF: {exc}") from None
        finally:
            pdf.close()
    return images


def check(data: bytes, dpi: int | None, expect: str | None) -> Measured:
    pypdfium2 = _pdfium()
    render_dpi = dpi or DEFAULT_PDF_DPI
    sizes: list[tuple[float, float]] = []
    images: list[Image.Image] = []
    with PDFIUM_LOCK:
        try:
            pdf = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as exc:
            return Measured((LabelCheck("file", False, f"damaged PDF: {exc}"),))
        try:
            count = len(pdf)
            for number in range(1, count + 1):
                page = pdf[number - 1]
                try:
                    width, height = page.get_size()
                    sizes.append((width, height))
                    if number > MAX_PAGES:
                        continue  # measured, not drawn: see MAX_PAGES
                    # a landscape page is drawn turned upright, so the quick scan sees its barcodes level
                    bitmap = page.render(
                        scale=_render_scale(width, height, render_dpi),
                        rotation=90 if width > height else 0,
                        grayscale=True,
                    )
                    images.append(bitmap.to_pil())
                finally:
                    page.close()
        except pypdfium2.PdfiumError as exc:
            # a page tree that opens but does not draw is as damaged as one that does not open
            return Measured((LabelCheck("file", False, f"damaged PDF: {exc}"),))
        finally:
            pdf.close()
    # scanning needs no PDFium: other labels may render while this one is read
    found: list[FoundBarcode] = []
    deadline = scan_deadline()
    for number, image in enumerate(images, start=1):
        found += scan(image, must_read(expect), number, deadline)
    if count == 0:
        return Measured((LabelCheck("pages", False, "the PDF has no pages"),), dpi=render_dpi)
    label_pt = (72.0 * LABEL_WIDTH_IN, 72.0 * LABEL_HEIGHT_IN)
    size_problems = []
    for number, (width, height) in enumerate(sizes, start=1):
        if not fits(width, height, label_pt, _POINT_TOLERANCE):
            where = f"page {number}: " if count > 1 else ""
            size_problems.append(f"{where}{wrong_size(width / 72, height / 72)}")
    width, height = sizes[0]
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
