"""Label checks: is this file a 4x6 carrier label a printer will print and a scanner will read?

Who calls it:

- ``onboard label check FILE`` (``onboard.commands.label``) with the bytes of a file on disk;
- ``onboard certify`` with each label a run bought: ``check_label`` on the decoded file, or
  ``check_contents`` on the base64 string from the response, and ``check_spec_supported`` for the spec it
  asked for against the rate's offer;
- the TUI and the sign-off pack, through ``preview``.

What ``check_label`` does with one label, in order:

1. sniffs the format from the first bytes (``%PDF-``, the PNG signature, ``^XA`` after optional ``~``
   commands), never from a file name or the response's ``format`` field, so a mislabelled file is caught;
2. measures it against 4 x 6 in at the printer's dpi: PDF pages in points, PNG pixels and its pHYs chunk,
   ZPL ``^PW``/``^LL`` in dots;
3. draws it once at that dpi (PDFium for a PDF page, the PNG as it is, the interpreter of ``onboard.labels.zpl``
   for each label of a ZPL file);
4. scans the drawing with zxing-cpp: first a quick upright pass, then, only when that pass is not conclusive,
   a thorough one (any angle, inverted, downscaled) and last a binarised copy. A good label costs one quick
   pass, which keeps a certification run's dozen labels well inside its time budget;
5. judges: at least one barcode, every barcode found decodes, and one carries the tracking ID.

A report's status is ``passed``, ``failed`` (a check failed and says why, in a print shop's words),
``placeholder`` (Amazon's sandbox stand-in contents: not base64, or not a label once decoded) or
``unreadable`` (the bytes are no label format at all). Only ``passed`` is fit for sign-off.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import zxingcpp
from PIL import Image

from onboard.labels.content import LABEL_HEIGHT_IN, LABEL_WIDTH_IN, SUPPORTED_DPIS
from onboard.labels.matching import carries, normalise, shown
from onboard.labels.png import label_size
from onboard.labels.zpl import (
    MAX_LABELS,
    Barcode,
    Drawing,
    ZplDocument,
    ZplError,
    ZplLabel,
    draw_label,
    drawing,
    label_dots,
    read_zpl,
)

if TYPE_CHECKING:
    from onboard.models.requests import RequestedDocumentSpecification
    from onboard.models.responses import PrintOption, SupportedDocumentSpecification

__all__ = [
    "DEFAULT_PDF_DPI",
    "FoundBarcode",
    "LabelCheck",
    "LabelReport",
    "Status",
    "check_contents",
    "check_label",
    "check_spec_supported",
    "decode_contents",
    "open_png",
    "pdf_pages",
    "preview",
    "sniff_format",
    "zpl_document",
]

Status = Literal["passed", "failed", "placeholder", "unreadable"]

#: A PDF has no resolution of its own: it is drawn at this dpi unless the caller names the printer's.
DEFAULT_PDF_DPI = 300
_POINT_TOLERANCE = 2.0
_DOT_TOLERANCE = 2
# a page or image beyond this many pixels is no label; drawing it would only cost memory
_MAX_PIXELS = 40_000_000

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# ~ commands (~SD darkness, ~TA tear-off, ~DG graphics...) may precede the label itself
_ZPL_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:~[^~^]*)*\^XA", re.IGNORECASE)
_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/]{24,}={0,2}")
_BINARISE = [0] * 128 + [255] * 128


_PLACEHOLDER_HINT = (
    "The sandbox returns stand-in contents, not a printable label, and the account manager needs a real "
    "label to sign off. Produce it in production with 'onboard certify --allow-production-purchase': it buys "
    "one label per format and cancels each one immediately, so none can be used to ship."
)
_UNREADABLE_HINT = (
    "Amazon sends labels base64-encoded in packageDocuments[].contents: check the decoded file, or the "
    "contents string saved as it came."
)
_ERROR_WORDS = {"Checksum": "checksum error", "Format": "damaged or malformed", "Unsupported": "unsupported variant"}


@dataclass(frozen=True, slots=True)
class LabelCheck:
    """One thing a print shop would look at, whether it is right, and what it found."""

    name: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class FoundBarcode:
    """A barcode the scanner saw: zxing's symbology name ("Code 128", "Data Matrix") and its text.

    ``error`` is set when the symbol was found but does not decode (its text is then empty).
    """

    symbology: str
    text: str
    error: str = ""
    page: int = 1

    @property
    def valid(self) -> bool:
        return not self.error

    def to_json(self) -> dict[str, Any]:
        return {
            "symbology": self.symbology,
            "text": self.text,
            "valid": self.valid,
            "error": self.error,
            "page": self.page,
        }


@dataclass(frozen=True, slots=True)
class LabelReport:
    """Everything checked about one label; ``ok`` only when every check passed."""

    format: str | None
    status: Status
    checks: tuple[LabelCheck, ...]
    barcodes: tuple[FoundBarcode, ...] = ()
    pages: int = 0
    width_in: float | None = None
    height_in: float | None = None
    dpi: int | None = None
    hint: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "passed"

    @property
    def failures(self) -> tuple[LabelCheck, ...]:
        return tuple(c for c in self.checks if not c.ok)

    @property
    def summary(self) -> str:
        """One line: the verdict and, when not passed, the first reason."""
        if self.status == "placeholder":
            return "placeholder label from the sandbox"
        if self.status == "passed":
            size = (
                f"{_inches(self.width_in)} x {_inches(self.height_in)} in" if self.width_in and self.height_in else ""
            )
            at = f" at {self.dpi} dpi" if self.dpi else ""
            return f"passed: {self.format} label, {size}{at}, {len(self.barcodes)} barcode(s) read"
        return f"{self.status}: " + "; ".join(c.detail for c in self.failures)

    @classmethod
    def placeholder(cls, contents: str) -> LabelReport:
        """The report for sandbox stand-in contents: neither a pass nor a crash, with the way to a real label."""
        data = decode_contents(contents)
        if data is None:
            reason = f"the contents ({len(contents)} characters) are not valid base64"
        else:
            reason = f"the contents decode to {len(data)} bytes that are neither PDF, PNG nor ZPL"
        check = LabelCheck("contents", False, f"placeholder label from the sandbox: {reason}")
        return cls(None, "placeholder", (check,), hint=_PLACEHOLDER_HINT)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "status": self.status,
            "format": self.format,
            "pages": self.pages,
            "width_in": self.width_in,
            "height_in": self.height_in,
            "dpi": self.dpi,
            "checks": [c.to_json() for c in self.checks],
            "barcodes": [b.to_json() for b in self.barcodes],
            "hint": self.hint,
        }


@dataclass(frozen=True, slots=True)
class _Measured:
    """What one format's checker found, before the format check and the verdict are added."""

    checks: tuple[LabelCheck, ...]
    barcodes: tuple[FoundBarcode, ...] = ()
    pages: int = 0
    width_in: float | None = None
    height_in: float | None = None
    dpi: int | None = None


# --- entry points ------------------------------------------------------------------------------------------


def sniff_format(data: bytes) -> Literal["PDF", "PNG", "ZPL"] | None:
    """The label format the bytes are, from their first bytes alone; None when they are none of the three."""
    if data.startswith(b"%PDF-"):
        return "PDF"
    if data.startswith(_PNG_SIGNATURE):
        return "PNG"
    if _ZPL_START.match(data):
        return "ZPL"
    return None


def decode_contents(contents: str) -> bytes | None:
    """A ``packageDocuments[].contents`` value decoded as strict base64; None when it is not valid base64."""
    try:
        return base64.b64decode(contents, validate=True)
    except (binascii.Error, ValueError):
        return None


def check_label(
    data: bytes,
    *,
    expect_tracking: str | None = None,
    dpi: int | None = None,
    expected_format: str | None = None,
) -> LabelReport:
    """Check label bytes (PDF, PNG or ZPL) as a print shop would.

    ``dpi`` is the printer's resolution; without it a PNG's or ZPL's own is inferred and a PDF is drawn at
    ``DEFAULT_PDF_DPI``. ``expected_format`` is the format that was requested; another one fails the check.
    Bytes that are a ``packageDocuments[].contents`` string rather than a file (the sandbox's placeholder
    among them) are checked as ``check_contents`` would.
    """
    return _check(data, expect_tracking, dpi, expected_format, may_be_contents=True)


def check_contents(
    contents: str,
    *,
    expect_tracking: str | None = None,
    dpi: int | None = None,
    expected_format: str | None = None,
) -> LabelReport:
    """Check a ``packageDocuments[].contents`` string; sandbox stand-ins come back as a placeholder report."""
    data = decode_contents(contents)
    if data is None:
        return LabelReport.placeholder(contents)
    report = _check(data, expect_tracking, dpi, expected_format, may_be_contents=False)
    return LabelReport.placeholder(contents) if report.status == "unreadable" else report


def _check(
    data: bytes, expect_tracking: str | None, dpi: int | None, expected_format: str | None, *, may_be_contents: bool
) -> LabelReport:
    if dpi is not None and dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    expect = (expect_tracking or "").strip() or None
    fmt = sniff_format(data)
    if fmt is None:
        text = data.strip()
        if may_be_contents and _BASE64_TEXT.fullmatch(text):
            # a response's contents saved as they came, or passed on undecoded
            return check_contents(
                text.decode("ascii"), expect_tracking=expect, dpi=dpi, expected_format=expected_format
            )
        what = "the file is empty" if not text else "neither PDF, PNG nor ZPL"
        check = LabelCheck("format", False, f"not a label file: {what}")
        return LabelReport(None, "unreadable", (check,), hint=_UNREADABLE_HINT)
    wanted_format = (expected_format or "").strip().upper()
    if wanted_format and wanted_format != fmt:
        format_check = LabelCheck("format", False, f"wrong format: the file is {fmt}, {wanted_format} was asked")
    else:
        format_check = LabelCheck("format", True, fmt)
    measured = _CHECKERS[fmt](data, dpi, expect)
    checks = (format_check, *measured.checks)
    return LabelReport(
        format=fmt,
        status="passed" if all(c.ok for c in checks) else "failed",
        checks=checks,
        barcodes=measured.barcodes,
        pages=measured.pages,
        width_in=measured.width_in,
        height_in=measured.height_in,
        dpi=measured.dpi,
    )


def check_spec_supported(
    spec: RequestedDocumentSpecification, supported: Sequence[SupportedDocumentSpecification]
) -> LabelCheck:
    """Whether the requested document spec is one the rate's ``supportedDocumentSpecifications`` offers.

    Amazon refuses a purchase whose spec is not offered, and in practice refuses a missing dpi when the
    rate lists dpis, so both count as failures here.
    """
    asked = _spec_words(spec)
    same_format = [s for s in supported if s.format.upper() == spec.format.upper()]
    if not same_format:
        offered = ", ".join(sorted({s.format for s in supported})) or "nothing"
        return LabelCheck("spec", False, f"{asked} is not offered: the rate offers {offered} labels")
    size = (spec.size.width, spec.size.length, spec.size.unit.upper())
    same_size = [s for s in same_format if _same_size(size, (s.size.width, s.size.length, s.size.unit.upper()))]
    if not same_size:
        sizes = ", ".join(f"{s.size.width:g} x {s.size.length:g} {s.size.unit}" for s in same_format)
        return LabelCheck("spec", False, f"{asked} is not offered: {spec.format} labels come in {sizes}")
    best: list[str] | None = None
    for offer in same_size:
        for option in offer.printOptions:
            reasons = _option_mismatches(spec, option)
            if not reasons:
                return LabelCheck("spec", True, f"{asked}: offered by the rate")
            if best is None or len(reasons) < len(best):
                best = reasons
    return LabelCheck(
        "spec", False, f"{asked} is not offered: " + "; ".join(best or ["the rate lists no print options"])
    )


def preview(data: bytes, fmt: str, dpi: int) -> Image.Image:
    """The label as a picture at `dpi`: a PDF's first page drawn by PDFium, a PNG as is, ZPL rasterised.

    Raises ValueError when the bytes cannot be drawn as `fmt`.
    """
    fmt = fmt.upper()
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    if fmt == "PNG":
        return open_png(data)
    if fmt == "ZPL":
        return draw_label(zpl_document(data).labels[0], dpi)
    if fmt == "PDF":
        return pdf_pages(data, dpi, limit=1)[0]
    raise ValueError(f"unknown label format {fmt!r}: choose PDF, PNG or ZPL")


def zpl_document(data: bytes) -> ZplDocument:
    """The labels of a ZPL file; ValueError (one line) when it holds none a printer would print."""
    try:
        document = read_zpl(data)
    except ZplError as exc:
        raise ValueError(str(exc)) from None
    if not document.labels:
        raise ValueError("the ZPL prints nothing: its formats hold settings only")
    return document


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


# --- PDF -------------------------------------------------------------------------------------------------------


def _check_pdf(data: bytes, dpi: int | None, expect: str | None) -> _Measured:
    pypdfium2 = _pdfium()
    render_dpi = dpi or DEFAULT_PDF_DPI
    sizes: list[tuple[float, float]] = []
    images: list[Image.Image] = []
    with PDFIUM_LOCK:
        try:
            pdf = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as exc:
            return _Measured((LabelCheck("file", False, f"damaged PDF: {exc}"),))
        try:
            count = len(pdf)
            for number in range(1, count + 1):
                page = pdf[number - 1]
                try:
                    width, height = page.get_size()
                    sizes.append((width, height))
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
            return _Measured((LabelCheck("file", False, f"damaged PDF: {exc}"),))
        finally:
            pdf.close()
    # scanning needs no PDFium: other labels may render while this one is read
    found: list[FoundBarcode] = []
    for number, image in enumerate(images, start=1):
        found += _scan(image, _wanted(expect), number)
    if count == 0:
        return _Measured((LabelCheck("pages", False, "the PDF has no pages"),), dpi=render_dpi)
    label_pt = (72.0 * LABEL_WIDTH_IN, 72.0 * LABEL_HEIGHT_IN)
    size_problems = []
    for number, (width, height) in enumerate(sizes, start=1):
        if not _fits(width, height, label_pt, _POINT_TOLERANCE):
            where = f"page {number}: " if count > 1 else ""
            size_problems.append(f"{where}{_wrong_size(width / 72, height / 72)}")
    width, height = sizes[0]
    if size_problems:
        size_check = LabelCheck("size", False, "; ".join(size_problems))
    else:
        turned = ", landscape (prints turned)" if width > height else ""
        size_check = LabelCheck("size", True, f"{_inches(width / 72)} x {_inches(height / 72)} in{turned}")
    pages_check = LabelCheck("pages", True, "1 page" if count == 1 else f"{count} pages, one label each")
    return _Measured(
        (pages_check, size_check, _judge_barcodes(found, count, expect)),
        tuple(found),
        count,
        round(width / 72, 3),
        round(height / 72, 3),
        render_dpi,
    )


#: PDFium is not thread-safe: one document at a time in the whole process (certify checks labels in threads)
PDFIUM_LOCK = threading.Lock()


def _pdfium() -> Any:
    # PDFium is loaded on the first PDF only: PNG and ZPL checks, and the CLI's start-up, do without it
    import pypdfium2  # type: ignore[import-untyped]  # noqa: PLC0415

    return pypdfium2


def _render_scale(width_pt: float, height_pt: float, dpi: int) -> float:
    scale = dpi / 72
    area = width_pt * height_pt * scale * scale
    return scale if area <= _MAX_PIXELS else scale * math.sqrt(_MAX_PIXELS / area)


# --- PNG -------------------------------------------------------------------------------------------------------


def open_png(data: bytes) -> Image.Image:
    """The decoded image; ValueError (one line) when it is damaged or absurdly large."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > _MAX_PIXELS:
                raise ValueError(f"{image.width} x {image.height} px is far too large for a label")
            image.load()
    except (OSError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValueError(f"damaged PNG: {exc}") from None
    return image


def _check_png(data: bytes, dpi: int | None, expect: str | None) -> _Measured:
    try:
        image = open_png(data)
    except ValueError as exc:
        return _Measured((LabelCheck("file", False, str(exc)),))
    width, height = image.size
    upright = (min(width, height), max(width, height))
    size_dpi = _dpi_of_dots(*upright)
    stored = image.info.get("dpi")
    file_dpi = round(float(stored[0])) if isinstance(stored, tuple) and stored and float(stored[0]) > 0 else None
    used = dpi or file_dpi or size_dpi
    px = f"{width} x {height} px"
    turned = ", landscape (prints turned)" if width > height else ""

    if size_dpi is not None:
        size_check = LabelCheck("size", True, f"4 x 6 in ({px} at {size_dpi} dpi{turned})")
    elif used is not None:
        size_check = LabelCheck("size", False, f"{_wrong_size(width / used, height / used)} ({px} at {used} dpi)")
    else:
        size_check = LabelCheck("size", False, f"wrong size: {px} is 4 x 6 in at neither 203 nor 300 dpi")

    if dpi is not None and size_dpi is not None and dpi != size_dpi:
        dpi_check = LabelCheck("dpi", False, f"wrong dpi: {px} is {size_dpi} dpi, {dpi} dpi was asked")
    elif file_dpi is not None and size_dpi is not None and file_dpi != size_dpi:
        dpi_check = LabelCheck(
            "dpi", False, f"wrong dpi: the file says {file_dpi} dpi, but {px} is 4 x 6 in at {size_dpi} dpi"
        )
    elif dpi is not None and file_dpi is not None and dpi != file_dpi:
        dpi_check = LabelCheck("dpi", False, f"wrong dpi: the file says {file_dpi} dpi, {dpi} dpi was asked")
    elif used is None:
        dpi_check = LabelCheck("dpi", False, "unknown dpi: the file does not say, and its size does not tell")
    else:
        source = "as asked" if dpi else "as the file says" if file_dpi else "from the pixel size"
        dpi_check = LabelCheck("dpi", True, f"{used} dpi ({source})")

    found = _scan(_upright(image), _wanted(expect), 1)
    # the report describes the file as it is: its own dpi, not one it was wrongly asked to be
    own = size_dpi or file_dpi or dpi
    return _Measured(
        (size_check, dpi_check, _judge_barcodes(found, 1, expect)),
        tuple(found),
        1,
        round(width / own, 3) if own else None,
        round(height / own, 3) if own else None,
        own,
    )


def _upright(image: Image.Image) -> Image.Image:
    """A grey copy, white where the PNG is transparent, turned to portrait when it is landscape."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        white.alpha_composite(rgba)
        image = white
    gray = image.convert("L")
    return gray.transpose(Image.Transpose.ROTATE_90) if gray.width > gray.height else gray


# --- ZPL -------------------------------------------------------------------------------------------------------


def _check_zpl(data: bytes, dpi: int | None, expect: str | None) -> _Measured:
    try:
        document = read_zpl(data)
    except ZplError as exc:
        return _Measured((LabelCheck("structure", False, f"the printer would reject it: {exc}"),))
    labels = document.labels
    if not labels:
        detail = "the printer would print nothing: every ^XA…^XZ format holds settings only"
        return _Measured((LabelCheck("structure", False, detail),))
    structure = LabelCheck("structure", True, _zpl_structure(document))
    first = labels[0]
    size_dpi = _dpi_of_dots(first.width_dots, first.height_dots) if first.width_dots and first.height_dots else None
    used = dpi or size_dpi or SUPPORTED_DPIS[0]
    drawings = [drawing(label, used) for label in labels]
    size_check = _zpl_size(labels, used, drawings[0])
    if dpi is not None and size_dpi is not None and dpi != size_dpi:
        dots = f"^PW{first.width_dots} ^LL{first.height_dots}"
        dpi_check = LabelCheck("dpi", False, f"wrong dpi: {dots} is 4 x 6 in at {size_dpi} dpi, {dpi} dpi was asked")
    else:
        source = "as asked" if dpi else "from ^PW/^LL" if size_dpi else "the printer's, not in the file; 203 taken"
        dpi_check = LabelCheck("dpi", True, f"{used} dpi ({source})")
    fields = [b for label in labels for b in label.barcodes]
    checks = [structure, size_check, dpi_check, _zpl_field_check(fields, expect)]
    found: list[FoundBarcode] = []
    unread: list[tuple[int, str]] = []
    wanted = _wanted(expect, fields)
    for label, drawn in zip(labels, drawings, strict=True):
        page = _scan(drawn.image, wanted, label.number)
        extra, why = _read_back(label, drawn, page, used)
        found += page + extra
        unread += [(label.number, reason) for reason in why]
    checks.append(_judge_barcodes(found, len(labels), expect, fields, unread))
    width, height = drawings[0].image.size
    return _Measured(tuple(checks), tuple(found), len(labels), round(width / used, 3), round(height / used, 3), used)


#: white added around a barcode field's own box when it is read on its own: the widest quiet zone asked for
#: (10 modules of Code 128 at a 4-dot module)
_QUIET_DOTS = 40


def _read_back(
    label: ZplLabel, drawn: Drawing, page: Sequence[FoundBarcode], dpi: int
) -> tuple[list[FoundBarcode], list[str]]:
    """Each barcode field the whole-label scan missed, read from its own place on the drawing.

    A scanner is aimed at one symbol; reading the whole label at once misses some (a MaxiCode inside the
    box lines around it). Returns what was read that way, and for every field of the label why it does not
    scan ("" when it does).
    """
    image = drawn.image
    read = {(b.symbology, normalise(b.text)) for b in page if b.valid}
    extra: list[FoundBarcode] = []
    why: list[str] = []
    for field, box in zip(label.barcodes, drawn.symbols, strict=True):
        key = (field.symbology, normalise(field.text))
        if field.error or box is None or key in read:
            why.append("")
            continue
        inside = (max(box[0], 0), max(box[1], 0), min(box[2], image.width), min(box[3], image.height))
        if inside[0] < inside[2] and inside[1] < inside[3]:
            crop = image.crop(inside)
            alone = Image.new("L", (crop.width + 2 * _QUIET_DOTS, crop.height + 2 * _QUIET_DOTS), 255)
            alone.paste(crop, (_QUIET_DOTS, _QUIET_DOTS))
            hits = [b for b in _read(alone, label.number, thorough=True) if (b.symbology, normalise(b.text)) == key]
            if hits:
                extra.append(hits[0])
                read.add(key)
                why.append("")
                continue
        why.append(_past_edge(box, image.size, dpi))
    return extra, why


def _past_edge(box: tuple[int, int, int, int], size: tuple[int, int], dpi: int) -> str:
    """How a field's box runs past the drawn label's edges, in words; "" when it lies within them."""
    left, top, right, bottom = box
    width, height = size
    past = [
        (right - width, f"right edge (to {_inches(right / dpi)} in on a {_inches(width / dpi)} in wide label)"),
        (-left, "left edge"),
        (bottom - height, f"foot (to {_inches(bottom / dpi)} in on a {_inches(height / dpi)} in long label)"),
        (-top, "top edge"),
    ]
    over = [words for dots, words in past if dots > 0]
    return f"runs past the label's {' and '.join(over)}, so it prints cut" if over else ""


def _zpl_structure(document: ZplDocument) -> str:
    labels = document.labels
    count = f"{len(labels)} label{'s' if len(labels) != 1 else ''}"
    fields = sum(len(label.fields) for label in labels)
    skipped = sorted({name for label in labels for name in label.skipped})
    notes = list(dict.fromkeys(note for label in labels for note in label.notes))
    parts = [f"^XA…^XZ, {count}, {fields} fields drawn"]
    if skipped:
        parts.append("not drawn: " + ", ".join(skipped))
    if document.dropped:
        parts.append(f"{document.dropped} more labels not drawn (at most {MAX_LABELS} a file)")
    if any(label.inverted for label in labels):
        parts.append("printed upside down (^POI), shown upright")
    parts += notes[:5]
    return "; ".join(parts)


def _zpl_size(labels: Sequence[ZplLabel], dpi: int, drawn: Drawing) -> LabelCheck:
    """The label against 4 x 6 in stock at ``dpi``: no ^PW/^LL means the printer's own, the size asked for."""
    first = labels[0]
    width, height = label_dots(first, dpi)
    if drawn.stretched:
        # no ^LL: the format runs as long as the stock it is fed; its ink says how long that must be
        reach = _inches(drawn.image.height / dpi)
        wide = f"^PW{width}" if first.width_dots else "no ^PW"
        return LabelCheck(
            "size",
            True,
            f"{_inches(width / dpi)} x {reach} in ({wide}, no ^LL: the printer prints at its stock's length, and the"
            f" ink runs to {reach} in, so it needs {reach} in stock: 6 in stock would cut its foot)",
        )
    missing = [name for name, value in (("^PW", first.width_dots), ("^LL", first.height_dots)) if not value]
    given = f"^PW{width} ^LL{height}" if not missing else f"no {' or '.join(missing)}"
    stock = label_size(dpi)
    where = f"{_inches(width / dpi)} x {_inches(height / dpi)} in at {dpi} dpi"
    if missing and len(missing) == 2:
        return LabelCheck(
            "size",
            True,
            f"4 x 6 in ({given}: the printer prints at its configured size, 4 x 6 in at {dpi} dpi as asked)",
        )
    if _fits(width, height, stock, _DOT_TOLERANCE):
        suffix = ", the rest as asked" if missing else ""
        return LabelCheck("size", True, f"4 x 6 in ({given} at {dpi} dpi{suffix})")
    short, long = sorted((width, height))
    if short <= stock[0] + _DOT_TOLERANCE and long <= stock[1] + _DOT_TOLERANCE:
        return LabelCheck("size", True, f"{where} ({given}): smaller than 4 x 6 in, prints within the stock")
    return LabelCheck(
        "size", False, f"wrong size: {given} is {where}, larger than a 4 x 6 in label: the printer cuts it off"
    )


def _zpl_field_check(fields: Sequence[Barcode], expect: str | None) -> LabelCheck:
    """The ZPL's own barcode fields as a scanner reads them: one must exist, and one carry the tracking ID."""
    if not fields:
        return LabelCheck("barcode field", False, "no barcode field (^BC, ^BX, ^BQ…) in the label")
    printed = [f for f in fields if not f.error]
    unprinted = [f for f in fields if f.error]
    kinds = ", ".join(f"{f.symbology} {shown(f.text)!r}" for f in printed)
    lost = "; ".join(f"{f.command} prints nothing: {f.error}" for f in unprinted)
    listing = "; ".join(p for p in (kinds, lost) if p)
    if not printed:
        return LabelCheck("barcode field", False, listing)
    if expect is None:
        return LabelCheck("barcode field", True, listing)
    carriers = [(f, how) for f in printed if (how := carries(f.text, expect))]
    if not carriers:
        return LabelCheck("barcode field", False, f"no barcode field carries the tracking ID {expect} ({listing})")
    return LabelCheck(
        "barcode field", True, "; ".join(f"the {f.symbology} field carries {expect} ({how})" for f, how in carriers)
    )


# --- scanning and judging ----------------------------------------------------------------------------------


def _wanted(expect: str | None, fields: Iterable[Barcode] = ()) -> frozenset[tuple[str, str]]:
    """(symbology, text) pairs a conclusive scan must have read; an empty symbology stands for any."""
    return frozenset(
        [*([("", expect)] if expect else []), *((f.symbology, normalise(f.text)) for f in fields if not f.error)]
    )


def _read(gray: Image.Image, page: int, *, thorough: bool) -> list[FoundBarcode]:
    found = zxingcpp.read_barcodes(
        gray, try_rotate=thorough, try_downscale=thorough, try_invert=thorough, return_errors=True
    )
    return [FoundBarcode(str(b.format), b.text if b.valid else "", _error_words(b), page) for b in found]


def _error_words(barcode: Any) -> str:
    if barcode.valid:
        return ""
    error = barcode.error
    kind = getattr(getattr(error, "type", None), "name", "")
    return _ERROR_WORDS.get(kind, str(error).split(" @ ")[0] if error else "does not decode")


def _scan(image: Image.Image, wanted: frozenset[tuple[str, str]], page: int) -> list[FoundBarcode]:
    """Every barcode on the image, looking only as hard as needed to be sure."""
    gray = image if image.mode == "L" else image.convert("L")
    # labels are printed upright at the scanner's resolution: the quick pass skips what costs the most
    passes = [_read(gray, page, thorough=False)]
    if _conclusive(passes[-1], wanted):
        return passes[-1]
    passes.append(_read(gray, page, thorough=True))
    if not _conclusive(passes[-1], wanted):
        # a grey, blurred or speckled raster sometimes reads once every pixel is forced to black or white
        passes.append(_read(gray.point(_BINARISE), page, thorough=True))
    # the pass that read the most wins; on a tie, the one that at least saw more symbols
    return max(passes, key=lambda p: (sum(b.valid for b in p), len(p)))


def _conclusive(found: Sequence[FoundBarcode], wanted: frozenset[tuple[str, str]]) -> bool:
    read = {(b.symbology, normalise(b.text)) for b in found if b.valid}
    texts = [text for _, text in read]
    return (
        bool(read)
        and all(b.valid for b in found)
        and all(
            (symbology, text) in read if symbology else any(carries(t, text) for t in texts)
            for symbology, text in wanted
        )
    )


def _judge_barcodes(
    found: Sequence[FoundBarcode],
    pages: int,
    expect: str | None,
    zpl_fields: Sequence[Barcode] = (),
    unread: Sequence[tuple[int, str]] = (),
) -> LabelCheck:
    """``unread`` pairs each of ``zpl_fields`` with its label's page and why it does not scan ("" unknown)."""
    problems: list[str] = []
    read = {(b.symbology, normalise(b.text)) for b in found if b.valid}
    whys = [*unread, *[(0, "")] * (len(zpl_fields) - len(unread))]
    cut = [
        (page, f"unreadable barcode: the {field.symbology} field {shown(field.text)!r} {why}")
        for field, (page, why) in zip(zpl_fields, whys, strict=True)
        if why and not field.error and (field.symbology, normalise(field.text)) not in read
    ]
    for page in range(1, pages + 1):
        # a page with a symbol seen but not decoded is reported below, by that symbol; one whose field is
        # known to print cut, by that field
        if not any(b.page == page for b in found) and not any(p == page for p, _ in cut):
            where = f"page {page}" if pages > 1 else "the label"
            problems.append(f"unreadable barcode: nothing on {where} scans")
    for b in found:
        if not b.valid:
            where = f" on page {b.page}" if pages > 1 else ""
            problems.append(f"unreadable barcode: a {b.symbology}{where} does not decode ({b.error})")
    problems += [problem for _, problem in cut]
    if read:
        for field, (_, why) in zip(zpl_fields, whys, strict=True):
            if not why and not field.error and (field.symbology, normalise(field.text)) not in read:
                problems.append(f"unreadable barcode: the {field.symbology} field {shown(field.text)!r} does not scan")
    carriers = [(b, how) for b in found if b.valid and expect is not None and (how := carries(b.text, expect))]
    if expect is not None and not carriers:
        seen = ", ".join(f"{b.symbology} {shown(b.text)!r}" for b in found if b.valid)
        problems.append(f"no barcode carries the tracking ID {expect}" + (f" (read: {seen})" if seen else ""))
    if problems:
        return LabelCheck("barcodes", False, "; ".join(problems))
    count = f"{len(found)} barcode{'s' if len(found) != 1 else ''} read"
    if expect is None:
        return LabelCheck("barcodes", True, f"{count}; no tracking ID given to compare")
    verb = "carries" if len(carriers) == 1 else "carry"
    hows = sorted({how for _, how in carriers if how != "equal"})
    how_words = f" ({'; '.join(hows)})" if hows else ""
    return LabelCheck(
        "barcodes", True, f"{count}; the {_and(b.symbology for b, _ in carriers)} {verb} {expect}{how_words}"
    )


# --- small helpers -----------------------------------------------------------------------------------------


def _dpi_of_dots(width: int, height: int) -> int | None:
    """The supported dpi at which `width` x `height` dots (or pixels) is 4 x 6 in, rotation allowed."""
    for dpi in SUPPORTED_DPIS:
        if _fits(width, height, label_size(dpi), _DOT_TOLERANCE):
            return dpi
    return None


def _fits(width: float, height: float, label: tuple[float, float], tolerance: float) -> bool:
    short, long = sorted((width, height))
    return abs(short - label[0]) <= tolerance and abs(long - label[1]) <= tolerance


def _wrong_size(width_in: float, height_in: float) -> str:
    return f"wrong size: {_inches(width_in)} x {_inches(height_in)} in, a 4 x 6 in label is needed"


def _inches(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def _and(words: Iterable[str]) -> str:
    items = list(dict.fromkeys(words))
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _same_size(a: tuple[float, float, str], b: tuple[float, float, str]) -> bool:
    return a[2] == b[2] and math.isclose(a[0], b[0], abs_tol=0.01) and math.isclose(a[1], b[1], abs_tol=0.01)


def _spec_words(spec: RequestedDocumentSpecification) -> str:
    dpi = f"{spec.dpi} dpi" if spec.dpi is not None else "no dpi"
    layout = f", layout {spec.pageLayout}" if spec.pageLayout else ""
    joining = ", file joining" if spec.needFileJoining else ""
    return (
        f"{spec.format} {spec.size.width:g} x {spec.size.length:g} {spec.size.unit}, {dpi}{layout}{joining}, "
        + "+".join(spec.requestedDocumentTypes)
    )


def _option_mismatches(spec: RequestedDocumentSpecification, option: PrintOption) -> list[str]:
    reasons: list[str] = []
    dpis = option.supportedDPIs or []
    if dpis and spec.dpi not in dpis:
        offered = ", ".join(map(str, dpis))
        reasons.append(f"dpi {spec.dpi} is not among {offered}" if spec.dpi else f"a dpi is needed ({offered})")
    layouts = option.supportedPageLayouts
    if spec.pageLayout is not None and layouts and spec.pageLayout not in layouts:
        reasons.append(f"page layout {spec.pageLayout} is not among {', '.join(layouts)}")
    joining = option.supportedFileJoiningOptions
    if joining and spec.needFileJoining not in joining:
        reasons.append(f"needFileJoining {str(spec.needFileJoining).lower()} is not offered")
    details = option.supportedDocumentDetails
    names = {d.name for d in details}
    requested = set(spec.requestedDocumentTypes)
    if names and requested - names:
        reasons.append(f"document type {', '.join(sorted(requested - names))} is not offered")
    missing = {d.name for d in details if d.isMandatory} - requested
    if missing:
        reasons.append(f"mandatory document {', '.join(sorted(missing))} is not requested")
    return reasons


_CHECKERS: dict[str, Callable[[bytes, int | None, str | None], _Measured]] = {
    "PDF": _check_pdf,
    "PNG": _check_png,
    "ZPL": _check_zpl,
}
