"""Label checks: is this file a 4x6 carrier label a printer will print and a scanner will read?

Who calls it:

- ``onboard label check FILE`` (``onboard.commands.label``) with the bytes of a file on disk;
- ``onboard certify`` with each label a run bought: ``check_label`` on the decoded file, or
  ``check_contents`` on the base64 string from the response, and ``check_spec_supported`` for the spec it
  asked for against the rate's offer;
- the TUI and the sign-off pack, through ``preview``.

What ``check_label`` does with one label, in order (steps 2-4 are the format's own, in its module of
``onboard.labels.formats``; scanning and judging are ``onboard.labels.scanning``):

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

import math
import re
from collections.abc import Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Any

from onboard.labels import formats
from onboard.labels.formats import LabelFormat
from onboard.labels.formats.pdf import DEFAULT_PDF_DPI, pdf_pages
from onboard.labels.formats.png import open_png
from onboard.labels.formats.zpl import zpl_document
from onboard.labels.report import FoundBarcode, LabelCheck, LabelReport, Status, decode_contents

if TYPE_CHECKING:
    from PIL import Image

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

_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/]{24,}={0,2}")
_UNREADABLE_HINT = (
    "Amazon sends labels base64-encoded in packageDocuments[].contents: check the decoded file, or the "
    "contents string saved as it came."
)


def __getattr__(name: str) -> Any:
    # zxing-cpp, the scanner every check ends in, reached through this module by callers that watch its
    # reads; it loads on first use, so importing the checks (certify's runner does) costs no scanner
    if name == "zxingcpp":
        return import_module("zxingcpp")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- entry points ------------------------------------------------------------------------------------------


def sniff_format(data: bytes) -> LabelFormat | None:
    """The label format the bytes are, from their first bytes alone; None when they are no label format."""
    found = formats.sniff(data)
    return None if found is None else found.name


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
    found = formats.sniff(data)
    if found is None:
        text = data.strip()
        if may_be_contents and _BASE64_TEXT.fullmatch(text):
            # a response's contents saved as they came, or passed on undecoded
            return check_contents(
                text.decode("ascii"), expect_tracking=expect, dpi=dpi, expected_format=expected_format
            )
        what = "the file is empty" if not text else f"neither {formats.spelled('nor')}"
        check = LabelCheck("format", False, f"not a label file: {what}")
        return LabelReport(None, "unreadable", (check,), hint=_UNREADABLE_HINT)
    fmt = found.name
    wanted_format = (expected_format or "").strip().upper()
    if wanted_format and wanted_format != fmt:
        format_check = LabelCheck("format", False, f"wrong format: the file is {fmt}, {wanted_format} was asked")
    else:
        format_check = LabelCheck("format", True, fmt)
    measured = found.check(data, dpi, expect)
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
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    return formats.get(fmt.upper()).preview(data, dpi)


# --- spec and print options --------------------------------------------------------------------------------


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
