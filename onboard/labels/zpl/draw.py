"""A ``ZplLabel`` drawn as the printer would print it: one pixel per dot, black ink on white.

Each field is placed first, from its size alone, where ^FO (its top-left) or ^FT (text: its baseline;
anything else: its bottom-left corner) says. Then only its part on the label is made, as an unrotated mask
(255 = ink) turned to its orientation: a field larger than the label only ever prints that part, and making
all of it could cost gigabytes. Ink is laid in print order: a field prints black, a ``W`` graphic white, and a
reverse-printed field (^FR, ^LR) flips what is under it. A label is drawn within a budget of pixels
(``MAX_DRAWN``): fields past it are left out and counted, so a format of 300,000 boxes is judged in seconds.
^PO I turns the finished label and ^PM Y mirrors it, in the printhead's order only (``as_fed``): a person
holding the label reads it the right way up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PIL import Image, ImageChops, ImageDraw

from onboard.labels.content import LABEL_HEIGHT_IN, LABEL_WIDTH_IN, page_budget
from onboard.labels.zpl.elements import (
    BarcodeField,
    BoxField,
    Budget,
    DiagonalField,
    EllipseField,
    Field,
    Font,
    GraphicField,
    Orientation,
    TextField,
)
from onboard.labels.zpl.interpreter import ZplLabel
from onboard.labels.zpl.text import BASELINE, block_layout, block_window, line_width, line_window

__all__ = ["MAX_DRAWN", "MAX_PIXELS", "Drawing", "draw_label", "drawing", "label_dots"]

#: The most pixels a field's whole mask is made with before it is cut to the label: a shape larger than this
#: is drawn only where it falls on the label. The label itself is drawn within ``page_budget(dpi)``.
MAX_PIXELS = 10_000_000
#: The pixels of masks one label may be drawn with, in ``page_budget(dpi)``s: the carriers' labels take less
#: than one; a format of thousands of label-sized fields would take minutes and gigabytes
MAX_DRAWN = 8
#: With no ^LL, a format runs as long as the stock it is printed on; onboard draws it down to its lowest ink,
#: at most this many times the 6 in that was asked for (DHL Paket's labels, for one, fill 4 x 8 in stock).
MAX_STRETCH = 2
#: ink this far past the foot (in inches) is a format a little off its stock, cut there as the printer cuts
#: it, not one made for longer stock (UPS's ^LH pushes its last line 0.05 in down)
STRETCH_FROM_IN = 0.1

Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Drawing:
    """A drawn label, and what the check needs to know about where its ink went.

    ``symbols`` has one entry per barcode field (the order of ``ZplLabel.barcodes``): the box its symbol,
    interpretation line included, covers on the upright drawing, which may reach past the label's edges;
    None for a field that prints no symbol. ``stretched`` says the drawing runs past the 6 in asked for
    because the format has no ^LL and its ink does. ``left_out`` counts the fields not drawn because the
    label's budget (``MAX_DRAWN``) was spent; ``notes`` says what was drawn otherwise than asked.
    """

    image: Image.Image
    symbols: tuple[Box | None, ...]
    stretched: bool = False
    left_out: int = 0
    notes: tuple[str, ...] = ()


_TURN = {
    "N": None,
    "R": Image.Transpose.ROTATE_270,  # Pillow turns counter-clockwise; R is a quarter turn clockwise
    "I": Image.Transpose.ROTATE_180,
    "B": Image.Transpose.ROTATE_90,
}


def label_dots(label: ZplLabel, dpi: int) -> tuple[int, int]:
    """The label's size in dots as the file gives it: its ^PW/^LL, else the 4 x 6 in label asked for, at ``dpi``."""
    width = label.width_dots or round(LABEL_WIDTH_IN * dpi)
    height = label.height_dots or round(LABEL_HEIGHT_IN * dpi)
    return width, height


def draw_label(
    label: ZplLabel, dpi: int = 203, size: tuple[int, int] | None = None, *, as_fed: bool = False
) -> Image.Image:
    """The label as a mode "L" image, one pixel per dot (0 = ink); see ``drawing``."""
    return drawing(label, dpi, size, as_fed=as_fed).image


def drawing(label: ZplLabel, dpi: int = 203, size: tuple[int, int] | None = None, *, as_fed: bool = False) -> Drawing:
    """The label drawn one pixel per dot (0 = ink), cut to ``page_budget(dpi)`` pixels when larger.

    Without ``size`` or ^LL the drawing is 6 in long, or longer down to the lowest ink (at most
    ``MAX_STRETCH`` times), as a printer fed with long enough stock prints it. A label printed upside down
    (^POI) or mirrored (^PMY) is shown as a person reads it, unless ``as_fed`` asks for the pixels in the
    order the printhead lays them.
    """
    pieces: list[_Piece] = []
    symbols: list[Box | None] = []
    for item in label.fields:
        piece = _piece(item)
        if piece is not None:
            pieces.append(piece)
        if isinstance(item, BarcodeField):
            symbols.append(None if piece is None else piece.box)
    ink_bottom = max((piece.box[3] for piece in pieces if piece.mode != "white"), default=0)
    width, height = size or label_dots(label, dpi)
    stretched = False
    if size is None and label.height_dots is None and ink_bottom > height + STRETCH_FROM_IN * dpi:
        height, stretched = min(ink_bottom, height * MAX_STRETCH), True
    if width * height > page_budget(dpi):
        width = min(width, page_budget(dpi))
        height = max(1, page_budget(dpi) // width)
    canvas = Image.new("1", (width, height), 0)
    budget = Budget(MAX_DRAWN * page_budget(dpi))
    left_out = sum(1 for piece in pieces if not _lay(canvas, piece, budget))
    if label.inverted and as_fed:
        canvas = canvas.transpose(Image.Transpose.ROTATE_180)
    if label.mirrored and as_fed:
        canvas = canvas.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return Drawing(ImageChops.invert(canvas.convert("L")), tuple(symbols), stretched, left_out, tuple(budget.notes))


#: how a field makes the part ``box`` (left, top, right, bottom) of its unrotated mask, spending ``budget``
Make = Callable[[Box, Budget], Image.Image | None]


@dataclass(frozen=True, slots=True)
class _Piece:
    """A field placed on the label before any of its pixels is made: its unrotated size, turn and top-left."""

    size: tuple[int, int]
    orientation: Orientation
    left: int
    top: int
    mode: str
    make: Make

    @property
    def box(self) -> Box:
        """The box the turned field covers on the label, which may reach past its edges."""
        width, height = self.size
        if self.orientation in ("R", "B"):
            width, height = height, width
        return self.left, self.top, self.left + width, self.top + height


def _lay(canvas: Image.Image, piece: _Piece, budget: Budget) -> bool:
    """Ink the part of ``piece`` on the canvas; False when the budget cannot pay for making it."""
    left, top, right, bottom = piece.box
    box = (max(left, 0), max(top, 0), min(right, canvas.width), min(bottom, canvas.height))
    if box[0] >= box[2] or box[1] >= box[3]:
        return True  # off the label: a printer prints none of it
    if not budget.spend((box[2] - box[0]) * (box[3] - box[1])):
        return False
    window = (box[0] - left, box[1] - top, box[2] - left, box[3] - top)
    mask = piece.make(_unturned(window, piece.size, piece.orientation), budget)
    if mask is None:
        return False
    mask = _turned(mask, piece.orientation)
    if piece.mode == "ink":
        canvas.paste(255, box, mask)
    elif piece.mode == "white":
        canvas.paste(0, box, mask)
    else:
        canvas.paste(ImageChops.logical_xor(canvas.crop(box), mask), box)
    return True


def _unturned(window: Box, size: tuple[int, int], orientation: Orientation) -> Box:
    """The box of the unrotated mask that turns into ``window`` of the turned one."""
    x0, y0, x1, y1 = window
    w, h = size
    if orientation == "R":
        return y0, h - x1, y1, h - x0
    if orientation == "I":
        return w - x1, h - y1, w - x0, h - y0
    if orientation == "B":
        return w - y1, x0, w - y0, x1
    return window


def _mode(white: bool, reverse: bool) -> str:
    return "flip" if reverse else "white" if white else "ink"


def _turned(mask: Image.Image, orientation: Orientation) -> Image.Image:
    turn = _TURN[orientation]
    return mask if turn is None else mask.transpose(turn)


def _map(point: tuple[float, float], size: tuple[int, int], orientation: Orientation) -> tuple[float, float]:
    """Where a point of the unrotated mask lands once the mask is turned."""
    x, y = point
    w, h = size
    if orientation == "R":
        return h - y, x
    if orientation == "I":
        return w - x, h - y
    if orientation == "B":
        return y, w - x
    return x, y


def _at(
    size: tuple[int, int], orientation: Orientation, x: int, y: int, anchor: tuple[float, float] | None, right: bool
) -> tuple[int, int]:
    """The turned field's top-left: ^FO puts the turned box's top-left at (x, y); ^FT the anchor."""
    if anchor is None:
        left, top = x, y
    else:
        ax, ay = _map(anchor, size, orientation)
        left, top = round(x - ax), round(y - ay)
    if right:
        left -= size[1] if orientation in ("R", "B") else size[0]
    return left, top


def _crop(image: Image.Image, box: Box) -> Image.Image:
    return image if box == (0, 0, image.width, image.height) else image.crop(box)


def _piece(item: Field) -> _Piece | None:
    if isinstance(item, TextField):
        return _text(item)
    if isinstance(item, BarcodeField):
        return _barcode(item)
    if isinstance(item, GraphicField):
        return _graphic(item)
    return _shape(item)


def _graphic(item: GraphicField) -> _Piece:
    image, at = item.image, item.at
    size = (image.width * item.magnify_x, image.height * item.magnify_y)
    anchor = (0.0, float(size[1])) if at.baseline else None
    left, top = _at(size, "N", at.x, at.y, anchor, at.right)
    return _Piece(size, "N", left, top, "flip" if item.reverse else "ink", partial(_magnified, item))


def _magnified(item: GraphicField, box: Box, budget: Budget) -> Image.Image:
    """``box`` of the graphic magnified: only the source dots under it are enlarged."""
    mx, my = item.magnify_x, item.magnify_y
    if mx == 1 and my == 1:
        return _crop(item.image, box)
    x0, y0, x1, y1 = box
    sx0, sy0, sx1, sy1 = x0 // mx, y0 // my, -(-x1 // mx), -(-y1 // my)
    part = item.image.crop((sx0, sy0, sx1, sy1))
    part = part.resize((part.width * mx, part.height * my), Image.Resampling.NEAREST)
    return _crop(part, (x0 - sx0 * mx, y0 - sy0 * my, x1 - sx0 * mx, y1 - sy0 * my))


def _shape(item: BoxField | EllipseField | DiagonalField) -> _Piece:
    at = item.at
    size = (max(1, item.width), max(1, item.height))
    anchor = (0.0, float(size[1])) if at.baseline else None
    left, top = _at(size, "N", at.x, at.y, anchor, at.right)
    return _Piece(size, "N", left, top, _mode(item.white, item.reverse), partial(_shape_part, item))


def _shape_part(item: BoxField | EllipseField | DiagonalField, box: Box, budget: Budget) -> Image.Image | None:
    w, h = max(1, item.width), max(1, item.height)
    if w * h <= MAX_PIXELS:
        # the whole shape, then cut: every label a carrier prints is drawn this way, pixel for pixel
        # the label's part was paid for as it was laid: the rest of the whole is paid for here
        if not budget.spend(w * h - (box[2] - box[0]) * (box[3] - box[1])):
            return None
        return _crop(_outline(item, (0, 0), (w, h)), box)
    # larger than any label: only the part on it is drawn, the shape moved to put that part at the origin
    x0, y0, x1, y1 = box
    return _outline(item, (x0, y0), (x1 - x0, y1 - y0))


def _outline(
    item: BoxField | EllipseField | DiagonalField, origin: tuple[int, int], size: tuple[int, int]
) -> Image.Image:
    """The shape's pixels from ``origin`` (in the shape's own dots) over ``size``."""
    w, h = max(1, item.width), max(1, item.height)
    ox, oy = origin
    mask = Image.new("1", size, 0)
    draw = ImageDraw.Draw(mask)

    def at(*corners: int) -> tuple[int, ...]:
        return tuple(c - (oy if i % 2 else ox) for i, c in enumerate(corners))

    t = item.thickness
    if isinstance(item, BoxField):
        if item.rounding:
            radius = item.rounding * min(w, h) // 16
            draw.rounded_rectangle(at(0, 0, w - 1, h - 1), radius=radius, fill=255)
            if 2 * t < min(w, h):
                inner = item.rounding * (min(w, h) - 2 * t) // 16
                draw.rounded_rectangle(at(t, t, w - 1 - t, h - 1 - t), radius=inner, fill=0)
        else:
            draw.rectangle(at(0, 0, w - 1, h - 1), fill=255)
            if 2 * t < w and 2 * t < h:
                draw.rectangle(at(t, t, w - 1 - t, h - 1 - t), fill=0)
    elif isinstance(item, EllipseField):
        draw.ellipse(at(0, 0, w - 1, h - 1), fill=255)
        if 2 * t < min(w, h):
            draw.ellipse(at(t, t, w - 1 - t, h - 1 - t), fill=0)
    else:
        # the line's thickness is measured across, as the printer sweeps it
        if item.leans_right:
            corners = at(0, h - 1, t - 1, h - 1, w - 1, 0, w - t, 0)
        else:
            corners = at(0, 0, t - 1, 0, w - 1, h - 1, w - t, h - 1)
        draw.polygon([(corners[i], corners[i + 1]) for i in range(0, 8, 2)], fill=255)
    return mask


def _text(item: TextField) -> _Piece | None:
    at, font, block = item.at, item.font, item.block
    make: Make
    if block is not None:
        layout = block_layout(item.text, font, block)
        size = layout.size
        # ^FT on a block: the baseline of its last line is at the origin
        anchor = (0.0, (layout.room - 1) * (font.height + block.spacing) + font.height * BASELINE)
        make = partial(block_window, layout, font, block)
    else:
        width = line_width(item.text, font)
        if not width:
            return None
        size = (width, font.height)
        anchor = (0.0, font.height * BASELINE)
        make = partial(line_window, item.text, font)
    left, top = _at(size, item.orientation, at.x, at.y, anchor if at.baseline else None, at.right)
    return _Piece(size, item.orientation, left, top, "flip" if item.reverse else "ink", make)


def _barcode(item: BarcodeField) -> _Piece | None:
    symbol = item.symbol
    if symbol is None:
        return None
    bars = symbol.mask
    at = item.at
    line = symbol.interpretation
    mode = "flip" if item.reverse else "ink"
    if not line:
        anchor = (0.0, float(bars.height)) if at.baseline else None
        # a Zebra prints a ^FO-placed QR code ^BY's bar height lower (Labelary and zebrash do the same)
        drop = item.request.bar_height if item.request.command == "BQ" and not at.baseline else 0
        left, top = _at(bars.size, item.orientation, at.x, at.y + drop, anchor, at.right)
        return _Piece(bars.size, item.orientation, left, top, mode, lambda box, budget: _crop(bars, box))
    # the interpretation line: a font sized to the module width, centred on the symbol
    size = max(10, item.request.module * 10)
    font = Font("0", size, max(10, round(size * 0.8)))
    text_size = (max(1, line_width(line, font)), font.height)
    gap = max(1, size // 5)
    width = max(bars.width, text_size[0])
    height = bars.height + gap + text_size[1]
    bars_left = (width - bars.width) // 2
    text_left = (width - text_size[0]) // 2
    if symbol.interpretation_above:
        text_at, bars_at, bottom = (text_left, 0), (bars_left, text_size[1] + gap), float(height)
    else:
        bars_at, text_at, bottom = (bars_left, 0), (text_left, bars.height + gap), float(bars.height)
    anchor = (float(bars_left), bottom) if at.baseline else None
    left, top = _at((width, height), item.orientation, at.x, at.y, anchor, at.right)
    if not at.baseline and bars_left:
        left -= bars_left if item.orientation == "N" else 0

    def make(box: Box, budget: Budget) -> Image.Image:
        whole = Image.new("1", (box[2] - box[0], box[3] - box[1]), 0)
        part = _part((*bars_at, bars_at[0] + bars.width, bars_at[1] + bars.height), box)
        if part is not None:
            whole.paste(255, part[:2], _crop(bars, part[2]))
        part = _part((*text_at, text_at[0] + text_size[0], text_at[1] + text_size[1]), box)
        if part is not None:
            words = line_window(line, font, part[2], budget)
            if words is not None:
                whole.paste(255, part[:2], words)
        return whole

    return _Piece((width, height), item.orientation, left, top, mode, make)


def _part(inner: Box, box: Box) -> tuple[int, int, Box] | None:
    """Where the part of ``inner`` inside ``box`` goes in ``box`` (x, y), and that part in ``inner``'s own dots."""
    x0, y0 = max(inner[0], box[0]), max(inner[1], box[1])
    x1, y1 = min(inner[2], box[2]), min(inner[3], box[3])
    if x0 >= x1 or y0 >= y1:
        return None
    return x0 - box[0], y0 - box[1], (x0 - inner[0], y0 - inner[1], x1 - inner[0], y1 - inner[1])
