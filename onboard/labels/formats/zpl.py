"""ZPL labels: ``^XA`` after optional ``~`` commands, run by the interpreter of ``onboard.labels.zpl`` as a Zebra
printer runs them, each label drawn and read back field by field; written by ``onboard.labels.zpl.writer``.

The interpreter loads on first use (``onboard.labels.zpl`` resolves its names lazily), so the emulator's
writer and the registry cost none of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from onboard.labels import zpl
from onboard.labels.content import SUPPORTED_DPIS, label_size
from onboard.labels.formats import Format
from onboard.labels.matching import carries, normalise, shown
from onboard.labels.report import FoundBarcode, LabelCheck, Measured, Pictures
from onboard.labels.scanning import judge_barcodes, must_read, scan, scan_deadline, scan_once
from onboard.labels.sizes import DOT_TOLERANCE, dpi_of_dots, fits, inches

if TYPE_CHECKING:
    from PIL import Image

    from onboard.labels.content import LabelContent
    from onboard.labels.zpl import Barcode, Drawing, ZplDocument, ZplLabel

__all__ = ["FORMAT", "zpl_document"]

# ~ commands (~SD darkness, ~TA tear-off, ~DG graphics...) may precede the label itself
_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:~[^~^]*)*\^XA", re.IGNORECASE)
_FH_ESCAPE = re.compile(rb"_([0-9A-Fa-f]{2})")


def sniff(data: bytes) -> bool:
    return _START.match(data) is not None


def zpl_document(data: bytes) -> ZplDocument:
    """The labels of a ZPL file; ValueError (one line) when it holds none a printer would print."""
    try:
        document = zpl.read_zpl(data)
    except zpl.ZplError as exc:
        raise ValueError(str(exc)) from None
    if not document.labels:
        raise ValueError("the ZPL prints nothing: its formats hold settings only")
    return document


def check(data: bytes, dpi: int | None, expect: str | None) -> Measured:
    try:
        document = zpl.read_zpl(data)
    except zpl.ZplError as exc:
        return Measured((LabelCheck("structure", False, f"the printer would reject it: {exc}"),))
    labels = document.labels
    if not labels:
        detail = "the printer would print nothing: every ^XA…^XZ format holds settings only"
        return Measured((LabelCheck("structure", False, detail),))
    first = labels[0]
    size_dpi = dpi_of_dots(first.width_dots, first.height_dots) if first.width_dots and first.height_dots else None
    used = dpi or size_dpi or SUPPORTED_DPIS[0]
    drawings = [zpl.drawing(label, used) for label in labels]
    structure = LabelCheck("structure", True, _structure(document, drawings))
    size_check = _size(labels, used, drawings[0])
    if dpi is not None and size_dpi is not None and dpi != size_dpi:
        dots = f"^PW{first.width_dots} ^LL{first.height_dots}"
        dpi_check = LabelCheck("dpi", False, f"wrong dpi: {dots} is 4 x 6 in at {size_dpi} dpi, {dpi} dpi was asked")
    else:
        source = "as asked" if dpi else "from ^PW/^LL" if size_dpi else "the printer's, not in the file; 203 taken"
        dpi_check = LabelCheck("dpi", True, f"{used} dpi ({source})")
    fields = [b for label in labels for b in label.barcodes]
    checks = [structure, size_check, dpi_check, _field_check(fields, expect)]
    found: list[FoundBarcode] = []
    unread: list[tuple[int, str]] = []
    wanted = must_read(expect, fields)
    deadline = scan_deadline()
    for label, drawn in zip(labels, drawings, strict=True):
        page = _on_fields(scan(drawn.image, wanted, label.number, deadline), drawn)
        extra, why = _read_back(label, drawn, page, used)
        found += page + extra
        unread += [(label.number, reason) for reason in why]
    checks.append(judge_barcodes(found, len(labels), expect, fields, unread))
    width, height = drawings[0].image.size
    return Measured(tuple(checks), tuple(found), len(labels), round(width / used, 3), round(height / used, 3), used)


def pictures(data: bytes, dpi: int) -> Pictures:
    document = zpl_document(data)
    skipped = dict.fromkeys(name for label in document.labels for name in label.skipped)
    notes = dict.fromkeys(note for label in document.labels for note in label.notes)
    notes.update(dict.fromkeys(document.notes))
    if document.dropped:
        notes[f"{document.dropped} labels past the first {len(document.labels)} are not drawn"] = None
    drawings = [zpl.drawing(label, dpi) for label in document.labels]
    notes.update(dict.fromkeys(_drawing_notes(drawings)))
    return Pictures("ZPL", dpi, tuple(drawn.image for drawn in drawings), tuple(skipped), tuple(notes))


def preview(data: bytes, dpi: int) -> Image.Image:
    return zpl.draw_label(zpl_document(data).labels[0], dpi)


def text(data: bytes) -> str:
    """The file as written and with its ``^FH`` escapes (``_4F`` for O) read, as the printer reads them."""
    unescaped = _FH_ESCAPE.sub(lambda m: bytes.fromhex(m.group(1).decode()), data)
    return f"{data.decode('latin-1')}\n{unescaped.decode('latin-1')}"


def write(content: LabelContent, dpi: int) -> bytes:
    from onboard.labels.zpl.writer import write_zpl  # noqa: PLC0415 - the writer and its layout load with the first label

    return write_zpl(content, dpi)


#: white added around a barcode field's own box when it is read on its own: the widest quiet zone asked for
#: (10 modules of Code 128 at a 4-dot module)
_QUIET_DOTS = 40
#: barcode fields of one label read on their own at most: a carrier's label has one to five
MAX_ALONE = 10


def _read_back(
    label: ZplLabel, drawn: Drawing, page: Sequence[FoundBarcode], dpi: int
) -> tuple[list[FoundBarcode], list[str]]:
    """Each barcode field the whole-label scan missed, read from its own place on the drawing.

    A scanner is aimed at one symbol; reading the whole label at once misses some (a MaxiCode inside the
    box lines around it). Returns what was read that way, and for every field of the label why it does not
    scan ("" when it does). At most ``MAX_ALONE`` fields of a label are looked for on their own: a file of
    a thousand barcodes must not cost a thousand thorough scans. A count, not a clock, so that a label's
    verdict does not depend on how busy the machine is.
    """
    from PIL import Image  # noqa: PLC0415 - loaded with the drawing already

    image = drawn.image
    read = {(b.symbology, normalise(b.text)) for b in page if b.valid}
    extra: list[FoundBarcode] = []
    why: list[str] = []
    looked = 0
    for field, box in zip(label.barcodes, drawn.symbols, strict=True):
        key = (field.symbology, normalise(field.text))
        if field.error or box is None or key in read:
            why.append("")
            continue
        if looked >= MAX_ALONE:
            why.append(f"is not looked for on its own: past the first {MAX_ALONE} fields a label is read by")
            continue
        looked += 1
        inside = (max(box[0], 0), max(box[1], 0), min(box[2], image.width), min(box[3], image.height))
        if inside[0] < inside[2] and inside[1] < inside[3]:
            crop = image.crop(inside)
            alone = Image.new("L", (crop.width + 2 * _QUIET_DOTS, crop.height + 2 * _QUIET_DOTS), 255)
            alone.paste(crop, (_QUIET_DOTS, _QUIET_DOTS))
            hits = [b for b in scan_once(alone, label.number, thorough=True) if (b.symbology, normalise(b.text)) == key]
            if hits:
                extra.append(hits[0])
                read.add(key)
                why.append("")
                continue
        why.append(_past_edge(box, image.size, dpi))
    return extra, why


def _on_fields(found: list[FoundBarcode], drawn: zpl.Drawing) -> list[FoundBarcode]:
    """What was read, less undecodable "symbols" seen where the label prints no barcode.

    zxing-cpp now and then takes a few glyphs of small text for a Data Matrix that fails its checksum (about
    one emulator label in 200, in the shipment id). The ZPL says where every symbol is; a scanner aimed at
    the text does not beep, so such a sighting is no unreadable barcode. One that overlaps a field is kept.
    """
    boxes = [box for box in drawn.symbols if box is not None]
    return [b for b in found if b.valid or b.box is None or any(_overlap(b.box, box) for box in boxes)]


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _past_edge(box: tuple[int, int, int, int], size: tuple[int, int], dpi: int) -> str:
    """How a field's box runs past the drawn label's edges, in words; "" when it lies within them."""
    left, top, right, bottom = box
    width, height = size
    past = [
        (right - width, f"right edge (to {inches(right / dpi)} in on a {inches(width / dpi)} in wide label)"),
        (-left, "left edge"),
        (bottom - height, f"foot (to {inches(bottom / dpi)} in on a {inches(height / dpi)} in long label)"),
        (-top, "top edge"),
    ]
    over = [words for dots, words in past if dots > 0]
    return f"runs past the label's {' and '.join(over)}, so it prints cut" if over else ""


def _drawing_notes(drawings: Sequence[Drawing]) -> list[str]:
    """What drawing the labels left out or drew otherwise than asked, in words."""
    left_out = sum(drawn.left_out for drawn in drawings)
    fields = f"{left_out:,} field{'s' if left_out != 1 else ''}"
    words = [f"not drawn: {fields} past the pixels a label is drawn with"] if left_out else []
    return words + list(dict.fromkeys(note for drawn in drawings for note in drawn.notes))


def _structure(document: ZplDocument, drawings: Sequence[Drawing]) -> str:
    labels = document.labels
    count = f"{len(labels)} label{'s' if len(labels) != 1 else ''}"
    fields = sum(len(label.fields) for label in labels) - sum(drawn.left_out for drawn in drawings)
    skipped = sorted({name for label in labels for name in label.skipped})
    # what was left out first: the five notes shown must say it
    label_notes = [note for label in labels for note in label.notes]
    notes = list(dict.fromkeys([*document.notes, *_drawing_notes(drawings), *label_notes]))
    parts = [f"^XA…^XZ, {count}, {fields} fields drawn"]
    if skipped:
        parts.append("not drawn: " + ", ".join(skipped))
    if document.dropped:
        parts.append(f"{document.dropped} more labels not drawn (at most {zpl.MAX_LABELS} a file)")
    if any(label.inverted for label in labels):
        parts.append("printed upside down (^POI), shown upright")
    parts += notes[:5]
    return "; ".join(parts)


def _size(labels: Sequence[ZplLabel], dpi: int, drawn: Drawing) -> LabelCheck:
    """The label against 4 x 6 in stock at ``dpi``: no ^PW/^LL means the printer's own, the size asked for."""
    first = labels[0]
    width, height = zpl.label_dots(first, dpi)
    if drawn.stretched:
        # no ^LL: the format runs as long as the stock it is fed; its ink says how long that must be
        reach = inches(drawn.image.height / dpi)
        wide = f"^PW{width}" if first.width_dots else "no ^PW"
        return LabelCheck(
            "size",
            True,
            f"{inches(width / dpi)} x {reach} in ({wide}, no ^LL: the printer prints at its stock's length, and the"
            f" ink runs to {reach} in, so it needs {reach} in stock: 6 in stock would cut its foot)",
        )
    missing = [name for name, value in (("^PW", first.width_dots), ("^LL", first.height_dots)) if not value]
    given = f"^PW{width} ^LL{height}" if not missing else f"no {' or '.join(missing)}"
    stock = label_size(dpi)
    where = f"{inches(width / dpi)} x {inches(height / dpi)} in at {dpi} dpi"
    if missing and len(missing) == 2:
        return LabelCheck(
            "size",
            True,
            f"4 x 6 in ({given}: the printer prints at its configured size, 4 x 6 in at {dpi} dpi as asked)",
        )
    if fits(width, height, stock, DOT_TOLERANCE):
        suffix = ", the rest as asked" if missing else ""
        return LabelCheck("size", True, f"4 x 6 in ({given} at {dpi} dpi{suffix})")
    short, long = sorted((width, height))
    if short <= stock[0] + DOT_TOLERANCE and long <= stock[1] + DOT_TOLERANCE:
        return LabelCheck("size", True, f"{where} ({given}): smaller than 4 x 6 in, prints within the stock")
    return LabelCheck(
        "size", False, f"wrong size: {given} is {where}, larger than a 4 x 6 in label: the printer cuts it off"
    )


def _field_check(fields: Sequence[Barcode], expect: str | None) -> LabelCheck:
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


FORMAT = Format(
    name="ZPL",
    extension=".zpl",
    media_type="application/zpl",  # not a registered type: none is registered for ZPL
    is_document=False,
    sniff=sniff,
    check=check,
    pictures=pictures,
    preview=preview,
    text=text,
    write=write,
)
