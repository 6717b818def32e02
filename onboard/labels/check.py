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
3. draws it once at that dpi (PDFium for a PDF page, the PNG as it is, ``rasterize_zpl`` for ZPL);
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
from onboard.labels.png import label_size
from onboard.labels.zpl import ZplCode128, ZplDataMatrix, parse_zpl, rasterize_zpl

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
    "preview",
    "sniff_format",
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
# Code 128 subset invocations in ^BC field data (>; start C, >: start B, >5 switch to C...): not printed
_CODE128_INVOCATION = re.compile(r">[0-9:;<=]")
_BINARISE = [0] * 128 + [255] * 128

# ZPL commands the rasteriser draws, and those that put no ink on the label; anything else is drawn
# differently by a printer than by the preview, which a failing barcode check then says
_ZPL_DRAWN = {"PW", "LL", "FO", "GB", "BY", "BC", "BX", "FR", "FH", "FD", "FS"}
_ZPL_NO_INK = {"XA", "XZ", "CI", "PQ", "MM", "MN", "MT", "MD", "PR", "JU", "LH", "LS", "LT", "PO"}
_ZPL_COMMAND = re.compile(r"\^([A-Z@][A-Z0-9@])")

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
        return _open_png(data)
    if fmt == "ZPL":
        return rasterize_zpl(data.decode("utf-8", errors="replace"), dpi)
    if fmt == "PDF":
        pypdfium2 = _pdfium()
        with PDFIUM_LOCK:
            try:
                pdf = pypdfium2.PdfDocument(data)
            except pypdfium2.PdfiumError as exc:
                raise ValueError(f"damaged PDF: {exc}") from None
            try:
                if len(pdf) == 0:
                    raise ValueError("the PDF has no pages")
                page = pdf[0]
                try:
                    width, height = page.get_size()
                    image: Image.Image = page.render(scale=_render_scale(width, height, dpi)).to_pil()
                finally:
                    page.close()
            finally:
                pdf.close()
        return image
    raise ValueError(f"unknown label format {fmt!r}: choose PDF, PNG or ZPL")


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


def _open_png(data: bytes) -> Image.Image:
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
        image = _open_png(data)
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
    text = data.decode("utf-8", errors="replace")
    try:
        label = parse_zpl(text)
    except ValueError as exc:
        return _Measured((LabelCheck("structure", False, f"the printer would reject it: {exc}"),))
    fields = [f for f in label.fields if isinstance(f, ZplCode128 | ZplDataMatrix)]
    undrawn = sorted(
        {c for c in _ZPL_COMMAND.findall(text.upper()) if c not in _ZPL_DRAWN | _ZPL_NO_INK and c[0] != "A"}
    )
    caveat = f"; the preview does not draw {', '.join('^' + c for c in undrawn)}" if undrawn else ""
    structure = LabelCheck("structure", True, f"^XA…^XZ with {len(label.fields)} fields{caveat}")

    size_dpi = _dpi_of_dots(label.width_dots, label.height_dots)
    used = dpi or size_dpi or SUPPORTED_DPIS[0]
    dots = f"^PW{label.width_dots} ^LL{label.height_dots}"
    if size_dpi is None:
        where = f"{_inches(label.width_dots / used)} x {_inches(label.height_dots / used)} in at {used} dpi"
        size_check = LabelCheck("size", False, f"wrong size: {dots} is {where}, a 4 x 6 in label is needed")
    else:
        size_check = LabelCheck("size", True, f"4 x 6 in ({dots} at {size_dpi} dpi)")
    if dpi is not None and size_dpi is not None and dpi != size_dpi:
        dpi_check = LabelCheck("dpi", False, f"wrong dpi: {dots} is 4 x 6 in at {size_dpi} dpi, {dpi} dpi was asked")
    else:
        dpi_check = LabelCheck("dpi", True, f"{used} dpi ({'as asked' if dpi else 'from ^PW/^LL'})")

    checks = [structure, size_check, dpi_check, _zpl_field_check(fields, expect)]
    found: list[FoundBarcode] = []
    if label.width_dots * label.height_dots > _MAX_PIXELS:
        checks.append(LabelCheck("barcodes", False, f"not scanned: {dots} is far too large to draw"))
    else:
        try:
            image = rasterize_zpl(text, used)
        except ValueError as exc:
            checks.append(LabelCheck("barcodes", False, f"unreadable barcode: the label cannot be drawn: {exc}"))
        else:
            found = _scan(image, _wanted(expect, fields), 1)
            barcodes = _judge_barcodes(found, 1, expect, fields)
            if not barcodes.ok and caveat:
                barcodes = LabelCheck("barcodes", False, barcodes.detail + caveat + ": confirm on a printed label")
            checks.append(barcodes)
    own = size_dpi or used
    return _Measured(
        tuple(checks),
        tuple(found),
        1,
        round(label.width_dots / own, 3),
        round(label.height_dots / own, 3),
        own,
    )


def _zpl_field_check(fields: Sequence[ZplCode128 | ZplDataMatrix], expect: str | None) -> LabelCheck:
    """The ZPL's own barcode fields: one must exist, and one carry the tracking ID when it is known."""
    if not fields:
        return LabelCheck("barcode field", False, "no barcode field (^BC or ^BX) in the label")
    kinds = ", ".join(f"{_zpl_kind(f)} {_printed(f)!r}" for f in fields)
    if expect is None:
        return LabelCheck("barcode field", True, kinds)
    carriers = [f for f in fields if _printed(f) == expect]
    if not carriers:
        return LabelCheck("barcode field", False, f"no barcode field carries the tracking ID {expect} ({kinds})")
    kinds_carrying = _and(_zpl_kind(f) for f in carriers)
    verb = "field carries" if len(carriers) == 1 else "fields carry"
    return LabelCheck("barcode field", True, f"the {kinds_carrying} {verb} {expect}")


def _zpl_kind(field: ZplCode128 | ZplDataMatrix) -> str:
    return "Code 128" if isinstance(field, ZplCode128) else "Data Matrix"


def _printed(field: ZplCode128 | ZplDataMatrix) -> str:
    """The text a scanner reads from the field: Code 128 subset switches are instructions, not data."""
    return _CODE128_INVOCATION.sub("", field.data) if isinstance(field, ZplCode128) else field.data


# --- scanning and judging ----------------------------------------------------------------------------------


def _wanted(expect: str | None, fields: Iterable[ZplCode128 | ZplDataMatrix] = ()) -> frozenset[tuple[str, str]]:
    """(symbology, text) pairs a conclusive scan must have read; an empty symbology stands for any."""
    return frozenset([*([("", expect)] if expect else []), *((_zpl_kind(f), f.data) for f in fields)])


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
    read = {(b.symbology, b.text) for b in found if b.valid}
    texts = {text for _, text in read}
    return (
        bool(read)
        and all(b.valid for b in found)
        and all((symbology, text) in read if symbology else text in texts for symbology, text in wanted)
    )


def _judge_barcodes(
    found: Sequence[FoundBarcode],
    pages: int,
    expect: str | None,
    zpl_fields: Sequence[ZplCode128 | ZplDataMatrix] = (),
) -> LabelCheck:
    problems: list[str] = []
    for page in range(1, pages + 1):
        # a page with a symbol seen but not decoded is reported below, by that symbol
        if not any(b.page == page for b in found):
            where = f"page {page}" if pages > 1 else "the label"
            problems.append(f"unreadable barcode: nothing on {where} scans")
    for b in found:
        if not b.valid:
            where = f" on page {b.page}" if pages > 1 else ""
            problems.append(f"unreadable barcode: a {b.symbology}{where} does not decode ({b.error})")
    read = {(b.symbology, b.text) for b in found if b.valid}
    if read:
        for field in zpl_fields:
            if (_zpl_kind(field), field.data) not in read:
                problems.append(f"unreadable barcode: the {_zpl_kind(field)} field {field.data!r} does not scan")
    carriers = [b for b in found if b.valid and b.text.strip() == expect]
    if expect is not None and not carriers:
        seen = ", ".join(f"{b.symbology} {b.text!r}" for b in found if b.valid)
        problems.append(f"no barcode carries the tracking ID {expect}" + (f" (read: {seen})" if seen else ""))
    if problems:
        return LabelCheck("barcodes", False, "; ".join(problems))
    count = f"{len(found)} barcode{'s' if len(found) != 1 else ''} read"
    if expect is None:
        return LabelCheck("barcodes", True, f"{count}; no tracking ID given to compare")
    verb = "carries" if len(carriers) == 1 else "carry"
    return LabelCheck("barcodes", True, f"{count}; the {_and(b.symbology for b in carriers)} {verb} {expect}")


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
