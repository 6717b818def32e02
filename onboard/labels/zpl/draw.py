"""A ``ZplLabel`` drawn as the printer would print it: one pixel per dot, black ink on white.

Each field is made as an unrotated mask (255 = ink), turned to its orientation, and put on the label where
^FO (its top-left) or ^FT (text: its baseline; anything else: its bottom-left corner) says. Ink is laid in
print order: a field prints black, a ``W`` graphic white, and a reverse-printed field (^FR, ^LR) flips what
is under it. ^PO I turns the finished label and ^PM Y mirrors it, in the printhead's order only (``as_fed``):
a person holding the label reads it the right way up.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw

from onboard.labels.content import LABEL_HEIGHT_IN, LABEL_WIDTH_IN, page_budget
from onboard.labels.zpl.elements import (
    BarcodeField,
    BoxField,
    DiagonalField,
    EllipseField,
    Field,
    Font,
    GraphicField,
    Orientation,
    TextField,
)
from onboard.labels.zpl.interpreter import ZplLabel
from onboard.labels.zpl.text import BASELINE, block_mask, line_mask, line_width

__all__ = ["MAX_PIXELS", "Drawing", "draw_label", "drawing", "label_dots"]

#: The most pixels one field's mask is made with; the label itself is drawn within ``page_budget(dpi)``.
MAX_PIXELS = 10_000_000
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
    because the format has no ^LL and its ink does.
    """

    image: Image.Image
    symbols: tuple[Box | None, ...]
    stretched: bool = False


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
    laid: list[tuple[Image.Image, int, int, str]] = []
    symbols: list[Box | None] = []
    for item in label.fields:
        made = _mask(item)
        if made is not None:
            laid.append(made)
        if isinstance(item, BarcodeField):
            symbols.append(None if made is None else _box(*made[:3]))
    ink_bottom = max((top + mask.height for mask, _, top, mode in laid if mode != "white"), default=0)
    width, height = size or label_dots(label, dpi)
    stretched = False
    if size is None and label.height_dots is None and ink_bottom > height + STRETCH_FROM_IN * dpi:
        height, stretched = min(ink_bottom, height * MAX_STRETCH), True
    if width * height > page_budget(dpi):
        width = min(width, page_budget(dpi))
        height = max(1, page_budget(dpi) // width)
    canvas = Image.new("1", (width, height), 0)
    for mask, left, top, mode in laid:
        _lay(canvas, mask, left, top, mode)
    if label.inverted and as_fed:
        canvas = canvas.transpose(Image.Transpose.ROTATE_180)
    if label.mirrored and as_fed:
        canvas = canvas.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return Drawing(ImageChops.invert(canvas.convert("L")), tuple(symbols), stretched)


def _box(mask: Image.Image, left: int, top: int) -> Box:
    return left, top, left + mask.width, top + mask.height


def _lay(canvas: Image.Image, mask: Image.Image, left: int, top: int, mode: str) -> None:
    """Ink ``mask`` onto the canvas at (left, top), clipped to it."""
    box = (max(left, 0), max(top, 0), min(left + mask.width, canvas.width), min(top + mask.height, canvas.height))
    if box[0] >= box[2] or box[1] >= box[3]:
        return
    if (left, top) != box[:2] or mask.size != (box[2] - box[0], box[3] - box[1]):
        mask = mask.crop((box[0] - left, box[1] - top, box[2] - left, box[3] - top))
    if mode == "ink":
        canvas.paste(255, box, mask)
    elif mode == "white":
        canvas.paste(0, box, mask)
    else:
        canvas.paste(ImageChops.logical_xor(canvas.crop(box), mask), box)


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


def _placed(
    mask: Image.Image, orientation: Orientation, x: int, y: int, anchor: tuple[float, float] | None, right: bool
) -> tuple[Image.Image, int, int]:
    """The turned mask and its top-left: ^FO puts the turned box's top-left at (x, y); ^FT the anchor."""
    turned = _turned(mask, orientation)
    if anchor is None:
        left, top = x, y
    else:
        ax, ay = _map(anchor, mask.size, orientation)
        left, top = round(x - ax), round(y - ay)
    if right:
        left -= turned.width
    return turned, left, top


def _mask(item: Field) -> tuple[Image.Image, int, int, str] | None:
    if isinstance(item, TextField):
        return _text(item)
    if isinstance(item, BarcodeField):
        return _barcode(item)
    at = item.at
    if isinstance(item, GraphicField):
        image = item.image
        if item.magnify_x > 1 or item.magnify_y > 1:
            image = image.resize(
                (image.width * item.magnify_x, image.height * item.magnify_y), Image.Resampling.NEAREST
            )
        anchor = (0.0, float(image.height)) if at.baseline else None
        placed, left, top = _placed(image, "N", at.x, at.y, anchor, at.right)
        return placed, left, top, "flip" if item.reverse else "ink"
    shape = _shape(item)
    anchor = (0.0, float(shape.height)) if at.baseline else None
    placed, left, top = _placed(shape, "N", at.x, at.y, anchor, at.right)
    return placed, left, top, _mode(item.white, item.reverse)


def _shape(item: BoxField | EllipseField | DiagonalField) -> Image.Image:
    w, h = max(1, item.width), max(1, item.height)
    # a shape beyond the label is cut at the label's largest size before it costs memory
    w, h = min(w, 32000), min(h, 32000)
    if w * h > MAX_PIXELS:
        h = max(1, MAX_PIXELS // w)
    mask = Image.new("1", (w, h), 0)
    draw = ImageDraw.Draw(mask)
    t = item.thickness
    if isinstance(item, BoxField):
        if item.rounding:
            radius = item.rounding * min(w, h) // 16
            draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=radius, fill=255)
            if 2 * t < min(w, h):
                inner = item.rounding * (min(w, h) - 2 * t) // 16
                draw.rounded_rectangle((t, t, w - 1 - t, h - 1 - t), radius=inner, fill=0)
        else:
            draw.rectangle((0, 0, w - 1, h - 1), fill=255)
            if 2 * t < w and 2 * t < h:
                draw.rectangle((t, t, w - 1 - t, h - 1 - t), fill=0)
    elif isinstance(item, EllipseField):
        draw.ellipse((0, 0, w - 1, h - 1), fill=255)
        if 2 * t < min(w, h):
            draw.ellipse((t, t, w - 1 - t, h - 1 - t), fill=0)
    else:
        # the line's thickness is measured across, as the printer sweeps it
        if item.leans_right:
            points = [(0, h - 1), (t - 1, h - 1), (w - 1, 0), (w - t, 0)]
        else:
            points = [(0, 0), (t - 1, 0), (w - 1, h - 1), (w - t, h - 1)]
        draw.polygon([points[0], points[1], points[2], points[3]], fill=255)
    return mask


def _text(item: TextField) -> tuple[Image.Image, int, int, str] | None:
    at = item.at
    font = item.font
    if item.block is not None:
        mask, room = block_mask(item.text, font, item.block)
        # ^FT on a block: the baseline of its last line is at the origin
        anchor = (0.0, (room - 1) * (font.height + item.block.spacing) + font.height * BASELINE)
    else:
        if not line_width(item.text, font):
            return None
        mask = line_mask(item.text, font)
        anchor = (0.0, font.height * BASELINE)
    placed, left, top = _placed(mask, item.orientation, at.x, at.y, anchor if at.baseline else None, at.right)
    return placed, left, top, "flip" if item.reverse else "ink"


def _barcode(item: BarcodeField) -> tuple[Image.Image, int, int, str] | None:
    symbol = item.symbol
    if symbol is None:
        return None
    bars = symbol.mask
    at = item.at
    line = symbol.interpretation
    if not line:
        anchor = (0.0, float(bars.height)) if at.baseline else None
        # a Zebra prints a ^FO-placed QR code ^BY's bar height lower (Labelary and zebrash do the same)
        drop = item.request.bar_height if item.request.command == "BQ" and not at.baseline else 0
        placed, left, top = _placed(bars, item.orientation, at.x, at.y + drop, anchor, at.right)
        return placed, left, top, "flip" if item.reverse else "ink"
    # the interpretation line: a font sized to the module width, centred on the symbol
    size = max(10, item.request.module * 10)
    font = Font("0", size, max(10, round(size * 0.8)))
    text = line_mask(line, font)
    gap = max(1, size // 5)
    width = max(bars.width, text.width)
    height = bars.height + gap + text.height
    whole = Image.new("1", (width, height), 0)
    bars_left = (width - bars.width) // 2
    text_left = (width - text.width) // 2
    if symbol.interpretation_above:
        whole.paste(255, (text_left, 0), text)
        whole.paste(255, (bars_left, text.height + gap), bars)
        bottom = float(height)
    else:
        whole.paste(255, (bars_left, 0), bars)
        whole.paste(255, (text_left, bars.height + gap), text)
        bottom = float(bars.height)
    anchor = (float(bars_left), bottom) if at.baseline else None
    placed, left, top = _placed(whole, item.orientation, at.x, at.y, anchor, at.right)
    if not at.baseline and bars_left:
        left -= bars_left if item.orientation == "N" else 0
    return placed, left, top, "flip" if item.reverse else "ink"
