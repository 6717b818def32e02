"""Where everything sits on a 4x6 label, in points from the top-left, shared by all three writers."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from itertools import accumulate
from typing import Literal

from onboard.labels.barcodes import code128_modules, datamatrix_modules
from onboard.labels.content import LABEL_HEIGHT_IN, LABEL_WIDTH_IN, SUPPORTED_DPIS, LabelContent, LabelParty

PAGE_WIDTH = 72.0 * LABEL_WIDTH_IN
PAGE_HEIGHT = 72.0 * LABEL_HEIGHT_IN
#: A text line's baseline sits this far (times the font size) below the top of the line.
ASCENT = 0.8


@dataclass(frozen=True, slots=True)
class Box:
    """An outline rectangle; the border grows inwards from the outer edge, as a ZPL ^GB does."""

    x: float
    y: float
    w: float
    h: float
    thickness: float


@dataclass(frozen=True, slots=True)
class Bar:
    """A filled rectangle."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text; y is the top of the line, size the font size in points."""

    x: float
    y: float
    size: float
    text: str
    bold: bool
    reverse: bool = False  # white on whatever is underneath (the banner)


@dataclass(frozen=True, slots=True)
class Symbol:
    """A barcode: its data, where its first module sits, and the bars that draw it."""

    kind: Literal["code128", "datamatrix"]
    data: str
    x: float
    y: float
    module: float
    height: float
    bars: tuple[Bar, ...]


Primitive = Box | Bar | Text | Symbol

# Helvetica and Helvetica-Bold advance widths (1/1000 em) for ASCII 32..126, from Adobe's core-14 AFMs.
# Measuring with the PDF font keeps the PDF exact; the PNG/ZPL fonts are within a few per cent of it.
_WIDTHS = {
    False: (
        "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 "
        "556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 "
        "667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 "
        "556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584"
    ),
    True: (
        "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 "
        "556 556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 "
        "667 778 722 667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 611 556 611 556 333 611 "
        "611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 556 556 500 389 280 389 584"
    ),
}
_ASCII_WIDTHS = {bold: tuple(int(w) for w in row.split()) for bold, row in _WIDTHS.items()}
# room for the raster font, which runs up to ~4% wider than Helvetica, and for faux-bold strokes
_WIDTH_SLACK = 1.08
# letters without a decomposition that NFKD would otherwise turn into "?"
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ħ": "h", "Ħ": "H"})


def _in_winansi(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """`text` reduced to what the standard PDF fonts can show (WinAnsi): accents dropped, the rest '?'."""
    if text.isascii() and text.isprintable():
        return " ".join(text.split())  # the common case, and a label has dozens of lines
    out: list[str] = []
    for ch in text.translate(_FOLD):
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch).startswith("C"):
            continue  # control and format characters print nothing
        elif _in_winansi(ch):
            out.append(ch)
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c) and _in_winansi(c)
            )
            out.append(base or "?")
    return " ".join("".join(out).split())


def _char_width(ch: str, bold: bool) -> int:
    code = ord(ch)
    if 32 <= code <= 126:
        return _ASCII_WIDTHS[bold][code - 32]
    base = unicodedata.normalize("NFKD", ch)[:1]
    if base and 32 <= ord(base) <= 126:
        return _ASCII_WIDTHS[bold][ord(base) - 32]
    return 1000  # no metrics to hand: assume a full em so the line cannot overflow


def text_width(text: str, size: float, bold: bool) -> float:
    """Width in points of `text` set in Helvetica (bold or regular) at `size`."""
    return sum(_char_width(ch, bold) for ch in text) * size / 1000.0


def fit_text(text: str, size: float, bold: bool, max_width: float, min_size: float) -> tuple[str, float]:
    """Shrink `text` down to `min_size`, then cut it with '...', until it fits in `max_width` points."""
    width = text_width(text, size, bold) * _WIDTH_SLACK
    if width <= max_width:
        return text, size
    shrunk = math.floor(size * max_width / width * 10) / 10
    if shrunk >= min_size:
        return text, shrunk
    budget = max_width / _WIDTH_SLACK * 1000.0 / min_size - 3 * _char_width(".", bold)
    prefix = list(accumulate(_char_width(ch, bold) for ch in text))
    keep = sum(1 for w in prefix if w <= budget)
    return text[:keep].rstrip() + "...", min_size


# --- geometry on the device grid -------------------------------------------------------------------------


def to_dots(value: float, dpi: int) -> int:
    """Points to printer dots, rounded to the nearest dot."""
    return round(value * dpi / 72.0)


def to_points(dots: float, dpi: int) -> float:
    return dots * 72.0 / dpi


def _snapped_bar(x: float, y: float, w: float, h: float, dpi: int) -> Bar:
    # size rounded on its own, so every 1 pt rule comes out the same number of dots thick
    x0, y0 = to_dots(x, dpi), to_dots(y, dpi)
    w_dots, h_dots = max(1, to_dots(w, dpi)), max(1, to_dots(h, dpi))
    return Bar(to_points(x0, dpi), to_points(y0, dpi), to_points(w_dots, dpi), to_points(h_dots, dpi))


def _snapped_box(x: float, y: float, w: float, h: float, thickness: float, dpi: int) -> Box:
    b = _snapped_bar(x, y, w, h, dpi)
    return Box(b.x, b.y, b.w, b.h, to_points(max(1, to_dots(thickness, dpi)), dpi))


def box_bars(box: Box) -> tuple[Bar, ...]:
    """The four sides of an outline box as filled bars (one bar when the border fills it)."""
    t = box.thickness
    if 2 * t >= box.w or 2 * t >= box.h:
        return (Bar(box.x, box.y, box.w, box.h),)
    return (
        Bar(box.x, box.y, box.w, t),
        Bar(box.x, box.y + box.h - t, box.w, t),
        Bar(box.x, box.y + t, t, box.h - 2 * t),
        Bar(box.x + box.w - t, box.y + t, t, box.h - 2 * t),
    )


def code128_symbol(data: str, x_dots: int, y_dots: int, module_dots: int, height_dots: int, dpi: int) -> Symbol:
    """A Code 128 symbol whose first bar sits at (x, y) dots, each module `module_dots` wide."""
    bars: list[Bar] = []
    modules = code128_modules(data)
    start = 0
    # run-length the modules so a wide bar is one rectangle, not several touching ones
    for i, dark in enumerate((*modules, False)):
        if dark and (i == 0 or not modules[i - 1]):
            start = i
        elif not dark and i > 0 and modules[i - 1]:
            bars.append(
                Bar(
                    to_points(x_dots + start * module_dots, dpi),
                    to_points(y_dots, dpi),
                    to_points((i - start) * module_dots, dpi),
                    to_points(height_dots, dpi),
                )
            )
    return Symbol(
        "code128",
        data,
        to_points(x_dots, dpi),
        to_points(y_dots, dpi),
        to_points(module_dots, dpi),
        to_points(height_dots, dpi),
        tuple(bars),
    )


def datamatrix_symbol(data: str, x_dots: int, y_dots: int, module_dots: int, dpi: int) -> Symbol:
    """A square Data Matrix whose top-left module sits at (x, y) dots."""
    rows = datamatrix_modules(data)
    bars: list[Bar] = []
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            end = c
            while end < len(row) and row[end]:
                end += 1
            bars.append(
                Bar(
                    to_points(x_dots + c * module_dots, dpi),
                    to_points(y_dots + r * module_dots, dpi),
                    to_points((end - c) * module_dots, dpi),
                    to_points(module_dots, dpi),
                )
            )
            c = end
    side = to_points(len(rows) * module_dots, dpi)
    return Symbol(
        "datamatrix",
        data,
        to_points(x_dots, dpi),
        to_points(y_dots, dpi),
        to_points(module_dots, dpi),
        side,
        tuple(bars),
    )


# --- the label ---------------------------------------------------------------------------------------------

_EDGE = 6.0  # outer border, inset from the label edge so a slightly skewed print keeps it
_BORDER = 1.5
_RULE = 1.0
_FROM_END, _TO_END, _MID_END, _CODE_END = 90.0, 218.0, 310.0, 388.0
_TOP_SPLIT, _MID_SPLIT = 176.0, 186.0
_RIGHT = PAGE_WIDTH - _EDGE
_BOTTOM = PAGE_HEIGHT - _EDGE
_LEADING = 1.18
# ~20 mil Code 128 modules and ~50 mil Data Matrix modules when there is room: scanner-friendly sizes
_CODE128_MODULE_IN = 0.02
_DATAMATRIX_MODULE_IN = 0.05
_CODE128_QUIET_MODULES = 10
_DATAMATRIX_QUIET_MODULES = 2
_CODE128_TOP, _CODE128_HEIGHT = 316.0, 50.0


def _party(
    party: LabelParty,
    x: float,
    y: float,
    max_w: float,
    max_h: float,
    sizes: tuple[float, float, float],
) -> list[Text]:
    """An address block; sizes = (name and locality, other lines, country). Drops address lines if too tall."""
    big, small, country = sizes
    lines = [printable(line) for line in party.printed_lines()]
    # (text, size, bold, droppable): name, locality and country always print; company and street may go
    rows = [(lines[0], big, True, False)]
    rows += [(line, small, False, True) for line in lines[1:-2] if line]
    rows += [(lines[-2], big, True, False), (lines[-1], country, True, False)]
    min_scale = 0.7

    def scale_for(candidate: list[tuple[str, float, bool, bool]]) -> float:
        return min(1.0, max_h / sum(size * _LEADING for _, size, _, _ in candidate))

    # street lines go from the bottom up, so the first line (house and street) is the last to be dropped
    while scale_for(rows) < min_scale and any(row[3] for row in rows):
        last = max(i for i, row in enumerate(rows) if row[3])
        rows.pop(last)
    scale = scale_for(rows)
    out: list[Text] = []
    for text, size, bold, _ in rows:
        scaled = math.floor(size * scale * 10) / 10
        fitted, fitted_size = fit_text(text, scaled, bold, max_w, scaled * 0.75)
        if fitted:
            out.append(Text(x, y, fitted_size, fitted, bold))
        y += scaled * _LEADING
    return out


def _line(x: float, y: float, text: str, size: float, bold: bool, max_w: float) -> Text:
    fitted, fitted_size = fit_text(printable(text), size, bold, max_w, size * 0.7)
    return Text(x, y, fitted_size, fitted, bold)


def _centred(cx: float, y: float, text: str, size: float, bold: bool, max_w: float, reverse: bool = False) -> Text:
    fitted, fitted_size = fit_text(printable(text), size, bold, max_w, size * 0.7)
    width = text_width(fitted, fitted_size, bold)
    return Text(cx - width / 2, y, fitted_size, fitted, bold, reverse)


def _code128(content: LabelContent, dpi: int) -> Symbol:
    modules = len(code128_modules(content.tracking_id))
    left = to_dots(_EDGE + _BORDER, dpi)
    right = to_dots(_RIGHT - _BORDER, dpi)
    fit = (right - left) // (modules + 2 * _CODE128_QUIET_MODULES)
    module = min(max(1, round(_CODE128_MODULE_IN * dpi)), fit)
    if module < 1:
        raise ValueError(f"tracking id {content.tracking_id!r} is too long for a Code 128 on a 4 in label")
    x = (left + right - modules * module) // 2
    return code128_symbol(
        content.tracking_id, x, to_dots(_CODE128_TOP, dpi), module, to_dots(_CODE128_HEIGHT, dpi), dpi
    )


def _datamatrix(content: LabelContent, dpi: int) -> Symbol:
    side = len(datamatrix_modules(content.tracking_id))
    left, right = to_dots(_MID_SPLIT + _RULE, dpi), to_dots(_RIGHT - _BORDER, dpi)
    top, bottom = to_dots(_TO_END + _RULE, dpi), to_dots(_MID_END, dpi)
    room = min(right - left, bottom - top)
    module = min(max(1, round(_DATAMATRIX_MODULE_IN * dpi)), room // (side + 2 * _DATAMATRIX_QUIET_MODULES))
    if module < 1:
        raise ValueError(f"tracking id {content.tracking_id!r} is too long for the label's Data Matrix")
    extent = side * module
    return datamatrix_symbol(
        content.tracking_id, (left + right - extent) // 2, (top + bottom - extent) // 2, module, dpi
    )


def layout(content: LabelContent, dpi: int) -> list[Primitive]:
    """Every box, bar, line of text and barcode on the label, with barcode geometry on the `dpi` dot grid."""
    if dpi not in SUPPORTED_DPIS:
        raise ValueError(f"unsupported dpi {dpi}: labels are printed at {' or '.join(map(str, SUPPORTED_DPIS))}")
    inner_right = _RIGHT - 6
    out: list[Primitive] = [_snapped_box(_EDGE, _EDGE, _RIGHT - _EDGE, _BOTTOM - _EDGE, _BORDER, dpi)]
    for y in (_FROM_END, _TO_END, _MID_END, _CODE_END):
        out.append(_snapped_bar(_EDGE, y - _RULE / 2, _RIGHT - _EDGE, _RULE, dpi))
    out.append(_snapped_bar(_TOP_SPLIT - _RULE / 2, _EDGE, _RULE, _FROM_END - _EDGE, dpi))
    out.append(_snapped_bar(_MID_SPLIT - _RULE / 2, _TO_END, _RULE, _MID_END - _TO_END, dpi))

    # ship-from: small, top-left, as every carrier prints it
    out.append(Text(12, 11, 6.5, "FROM:", True))
    out += _party(content.ship_from, 12, 20, _TOP_SPLIT - 16, _FROM_END - 24, (7.5, 7.5, 7.5))

    # carrier, service, weight and date: top-right
    col, col_w = _TOP_SPLIT + 6, inner_right - _TOP_SPLIT - 6
    out.append(_line(col, 11, content.carrier_name.upper(), 11, True, col_w))
    out.append(_line(col, 26, content.service_name, 9.5, True, col_w))
    out.append(Text(col, 44, 6, "WEIGHT", False))
    out.append(_line(col, 51, content.weight_text, 10, True, col_w))
    out.append(Text(col, 66, 6, "SHIP DATE", False))
    out.append(_line(col, 73, content.ship_date, 9, True, col_w))

    # ship-to: the largest text on the label
    out.append(Text(12, _FROM_END + 5, 7, "SHIP TO:", True))
    out += _party(content.ship_to, 24, _FROM_END + 17, inner_right - 24, _TO_END - _FROM_END - 21, (16, 13, 13))

    # sort code and free lines left, Data Matrix right
    y = _TO_END + 6
    if content.sort_code:
        out.append(Text(12, y, 6, "SORT", False))
        out.append(_line(12, y + 7, content.sort_code, 28, True, _MID_SPLIT - 20))
        y += 41
    for extra in content.extra_lines:
        if y + 9 > _MID_END - 3:
            break
        out.append(_line(12, y, extra, 7.5, False, _MID_SPLIT - 20))
        y += 9
    out.append(_datamatrix(content, dpi))

    code = _code128(content, dpi)
    out.append(code)
    out.append(_centred(PAGE_WIDTH / 2, code.y + code.height + 4, content.tracking_id, 12, True, inner_right - 12))

    # reference and shipment id, then the banner, white on black across the foot
    y = _CODE_END + 3
    if content.reference:
        out.append(_line(12, y, f"Ref: {content.reference}", 7, False, inner_right - 12))
    out.append(_line(12, y + 9, f"Shipment ID: {content.shipment_id}", 7, False, inner_right - 12))
    banner_top = _CODE_END + 22
    out.append(_snapped_bar(_EDGE, banner_top, _RIGHT - _EDGE, _BOTTOM - banner_top, dpi))
    if content.banner:
        out.append(_centred(PAGE_WIDTH / 2, banner_top + 3, content.banner, 9, True, inner_right - 12, reverse=True))
    # an empty field (no weight, no date...) leaves a gap rather than an empty text operator
    return [item for item in out if not isinstance(item, Text) or item.text]
