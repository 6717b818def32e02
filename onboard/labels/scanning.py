"""A drawn label scanned as a scanner reads it, and its barcodes judged: shared by every format's check.

``scan`` looks only as hard as needed: a quick upright pass, then, only when that pass is not conclusive
(``must_read`` says what it must have read), a thorough one (any angle, inverted, downscaled) and last a
binarised copy. ``judge_barcodes`` turns what was read into the ``barcodes`` check. zxing-cpp loads with
the first scan, so a format's module imports this one for free.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from onboard.labels.matching import carries, normalise, shown
from onboard.labels.report import FoundBarcode, LabelCheck

if TYPE_CHECKING:
    from PIL import Image

    from onboard.labels.zpl import Barcode

__all__ = ["SCAN_SECONDS", "judge_barcodes", "must_read", "scan", "scan_deadline", "scan_once"]

#: how long one label check may look hard (any angle, inverted, binarised) before it keeps what the quick
#: upright passes read: a real label is read in milliseconds, a hostile file must not cost minutes
SCAN_SECONDS = 2.0

_BINARISE = [0] * 128 + [255] * 128
_ERROR_WORDS = {"Checksum": "checksum error", "Format": "damaged or malformed", "Unsupported": "unsupported variant"}


def must_read(expect: str | None, fields: Iterable[Barcode] = ()) -> frozenset[tuple[str, str]]:
    """(symbology, text) pairs a conclusive scan must have read; an empty symbology stands for any."""
    return frozenset(
        [*([("", expect)] if expect else []), *((f.symbology, normalise(f.text)) for f in fields if not f.error)]
    )


def scan_once(gray: Image.Image, page: int, *, thorough: bool) -> list[FoundBarcode]:
    """One zxing-cpp pass over a grey image: quick (upright only) or thorough."""
    found = _zxing().read_barcodes(
        gray, try_rotate=thorough, try_downscale=thorough, try_invert=thorough, return_errors=True
    )
    return [FoundBarcode(str(b.format), b.text if b.valid else "", _error_words(b), page, _box(b)) for b in found]


def _box(barcode: Any) -> tuple[int, int, int, int]:
    position = barcode.position
    corners = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    xs, ys = [c.x for c in corners], [c.y for c in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _zxing() -> Any:
    # the scanner is loaded on the first scan only: the emulator writes labels with the formats' modules
    import zxingcpp  # noqa: PLC0415

    return zxingcpp


def _error_words(barcode: Any) -> str:
    if barcode.valid:
        return ""
    error = barcode.error
    kind = getattr(getattr(error, "type", None), "name", "")
    return _ERROR_WORDS.get(kind, str(error).split(" @ ")[0] if error else "does not decode")


def scan_deadline() -> float:
    """The moment (``time.monotonic``) after which a check's scans stop looking hard."""
    return time.monotonic() + SCAN_SECONDS


def scan(
    image: Image.Image, wanted: frozenset[tuple[str, str]], page: int, deadline: float | None = None
) -> list[FoundBarcode]:
    """Every barcode on the image, looking only as hard as needed to be sure, and no harder after ``deadline``."""
    gray = image if image.mode == "L" else image.convert("L")
    # labels are printed upright at the scanner's resolution: the quick pass skips what costs the most
    passes = [scan_once(gray, page, thorough=False)]
    if _conclusive(passes[-1], wanted) or (deadline is not None and time.monotonic() > deadline):
        return passes[-1]
    passes.append(scan_once(gray, page, thorough=True))
    if not _conclusive(passes[-1], wanted):
        # a grey, blurred or speckled raster sometimes reads once every pixel is forced to black or white
        passes.append(scan_once(gray.point(_BINARISE), page, thorough=True))
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


def judge_barcodes(
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


def _and(words: Iterable[str]) -> str:
    items = list(dict.fromkeys(words))
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
