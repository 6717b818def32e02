"""Text as a Zebra prints it, near enough for a preview: each line in its font's cell, at its size.

No Zebra font ships with onboard. Font 0 (CG Triumvirate Bold Condensed on a printer) is drawn with Pillow's
bundled scalable face, struck twice for weight and condensed to the printer's proportions; the bitmap fonts
A-H are monospaced, so a line of them is exactly ``len(text)`` cells wide whatever face draws it. What a
person checks in a preview, where each line sits and how big it is, is the printer's.

Geometry, as on a printer and in zebrash: a field's cell is ``font.height`` dots tall with the baseline three
quarters of the way down; ^FO puts the cell's top-left at the origin, ^FT puts the baseline's left end there.

A field is drawn only where it falls on the label (``line_window``, ``block_window``): a font may be 32000
dots tall on a label of 1218, and a block 9999 lines long, and neither may cost what drawing all of it would.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from onboard.labels.png import drawable_text
from onboard.labels.zpl.elements import Block, Budget, Font

__all__ = [
    "BASELINE",
    "MAX_RASTER",
    "BlockLayout",
    "block_layout",
    "block_mask",
    "block_window",
    "line_mask",
    "line_width",
    "line_window",
]

#: Where the baseline falls in a cell, as a fraction of its height from the top.
BASELINE = 0.75
#: The most pixels a line is rasterised with (FreeType's canvas, before it is condensed). A larger line is
#: no label's text (a font taller than the label, or thousands of characters): it is rasterised smaller and
#: enlarged, and the drawing says so.
MAX_RASTER = 10_000_000
# Pillow's face is wider than a condensed Zebra font 0: measured against zebrash's Helvetica Bold Condensed
# on the corpus' text, its lines come out this much wider at the same size
_CONDENSE = 0.78
# a line longer than this many dots is cut: no label is this wide, and drawing it would cost memory
_MAX_LINE_DOTS = 40000
# the lines drawn lately, kept for the next field that prints them: a label repeats its lines across labels
_CACHED_PIXELS = 16_000_000
_CACHED_LINES = 2048
_CACHED_TEXT = 256
# a paragraph of more words than this is wrapped by halving (``_wrap_long``), not by trying every prefix
_LONG_PARAGRAPH = 200
_SUBSTITUTES = str.maketrans({"–": "-", "—": "-", "•": "*", "’": "'", "‘": "'", "“": '"', "”": '"'})

Box = tuple[int, int, int, int]


@lru_cache(maxsize=64)
def _face(pixels: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(1, pixels))


def _drawable(text: str) -> str:
    # control characters have no glyph (a printer prints nothing for them); letters the bundled face lacks
    # are drawn in their plain form, as the PNG labels are
    return drawable_text("".join(ch for ch in text.translate(_SUBSTITUTES) if ch >= " " and ch != "\x7f"))


def _natural_width(text: str, pixels: int) -> float:
    # a long text is measured afresh: keeping thousands of them would hold megabytes for no label's sake
    return _short_width(text, pixels) if len(text) <= _CACHED_TEXT else float(_face(pixels).getlength(text))


@lru_cache(maxsize=4096)
def _short_width(text: str, pixels: int) -> float:
    return float(_face(pixels).getlength(text))


def line_width(text: str, font: Font) -> int:
    """The dots a line of ``text`` takes in ``font``, as the printer advances."""
    return _width(_drawable(text), font)


def _width(drawable: str, font: Font) -> int:
    if not drawable:
        return 0
    if font.name != "0":
        return len(drawable) * font.width
    scale = font.width / font.height * _CONDENSE
    return min(math.ceil(_natural_width(drawable, font.height) * scale), _MAX_LINE_DOTS)


class _Lines:
    """Line masks by (text, font), the least recently used dropped first, within a total of pixels."""

    def __init__(self, pixels: int, count: int) -> None:
        self._masks: OrderedDict[tuple[str, Font], Image.Image] = OrderedDict()
        self._limit, self._count, self._pixels = pixels, count, 0

    def get(self, key: tuple[str, Font]) -> Image.Image | None:
        mask = self._masks.get(key)
        if mask is not None:
            self._masks.move_to_end(key)
        return mask

    def put(self, key: tuple[str, Font], mask: Image.Image) -> None:
        area = mask.width * mask.height
        if area > self._limit // 4 or key in self._masks:
            return  # a mask this large is drawn once and let go: keeping it would hold the memory it cost
        self._masks[key] = mask
        self._pixels += area
        while self._pixels > self._limit or len(self._masks) > self._count:
            _, old = self._masks.popitem(last=False)
            self._pixels -= old.width * old.height


_LINES = _Lines(_CACHED_PIXELS, _CACHED_LINES)


def _raster(drawable: str, font: Font) -> tuple[int, int, int]:
    """The face's size in pixels, the stroke and the pixels FreeType's canvas for the line takes."""
    pixels = font.height if font.name == "0" else max(1, round(font.height * 0.95))
    natural = max(1, math.ceil(_natural_width(drawable, pixels)) + 2)
    stroke = max(1, round(pixels / 28)) if font.name == "0" and pixels >= 14 else 0
    return pixels, stroke, (natural + 2 * stroke) * font.height


def _rasterise(drawable: str, font: Font, width: int) -> Image.Image:
    """One line, unrotated, ``width`` x ``font.height``: mode "1", 255 where there is ink."""
    height = font.height
    if width <= 0:
        return Image.new("1", (1, height), 0)
    baseline = round(height * BASELINE)
    # font 0's em is its cell; a bitmap font's capitals fill its cell from the top to the baseline
    pixels, stroke, _ = _raster(drawable, font)
    face = _face(pixels)
    natural = max(1, math.ceil(_natural_width(drawable, pixels)) + 2)
    canvas = Image.new("L", (natural + 2 * stroke, height), 0)
    draw = ImageDraw.Draw(canvas)
    draw.text((stroke, baseline), drawable, font=face, fill=255, anchor="ls", stroke_width=stroke, stroke_fill=255)
    if canvas.width != width:
        canvas = canvas.resize((width, height), Image.Resampling.BILINEAR)
    return canvas.point(lambda v: 255 if v >= 110 else 0, mode="1")


def line_mask(text: str, font: Font) -> Image.Image:
    """One line, unrotated: mode "1", ``font.height`` dots tall, 255 where there is ink."""
    drawable = _drawable(text)
    key = (drawable, font)
    mask = _LINES.get(key)
    if mask is None:
        mask = _rasterise(drawable, font, _width(drawable, font))
        _LINES.put(key, mask)
    return mask


def line_window(text: str, font: Font, box: Box, budget: Budget | None = None) -> Image.Image | None:
    """The part ``box`` (left, top, right, bottom in the line's own dots) of ``line_mask(text, font)``.

    A line whose rasterising would take more than ``MAX_RASTER`` pixels is rasterised smaller and enlarged
    to the box (a note in ``budget`` says so). None when ``budget`` cannot pay for the rasterising.
    """
    drawable = _drawable(text)
    key = (drawable, font)
    mask = _LINES.get(key)
    if mask is None:
        _, _, raster = _raster(drawable, font)
        if raster > MAX_RASTER:
            return _enlarged(drawable, font, box, raster, budget)
        if budget is not None and not budget.spend(raster):
            return None
        mask = _rasterise(drawable, font, _width(drawable, font))
        _LINES.put(key, mask)
    return mask if box == (0, 0, mask.width, mask.height) else mask.crop(box)


def _enlarged(drawable: str, font: Font, box: Box, raster: int, budget: Budget | None) -> Image.Image | None:
    """``box`` of a line too large to rasterise, from a rendering at a size that can be."""
    scale = math.sqrt(MAX_RASTER / raster)
    small = Font(font.name, max(1, math.floor(font.height * scale)), max(1, math.floor(font.width * scale)))
    width = max(1, _width(drawable, font))
    small_width = max(1, math.floor(width * scale))
    if budget is not None:
        if not budget.spend(_raster(drawable, small)[2]):
            return None
        budget.notes[f"text {font.height} dots tall is drawn enlarged from {small.height} dots"] = None
    mask = _rasterise(drawable, small, small_width)
    sx, sy = mask.width / width, mask.height / font.height
    x0, y0, x1, y1 = box
    return mask.resize((x1 - x0, y1 - y0), Image.Resampling.NEAREST, box=(x0 * sx, y0 * sy, x1 * sx, y1 * sy))


def _wrap(text: str, font: Font, width: int, indent: int) -> list[str]:
    """Words into lines no wider than ``width``; ``\\&`` forces a break, as in a printer's ^FB."""
    lines: list[str] = []
    space = _drawable(" ")
    for paragraph in text.split("\\&"):
        words = paragraph.split(" ")
        # a word's drawable form is its characters', so a line's is its words' joined: each word is made
        # drawable once, not once per line it is tried on
        drawable = [_drawable(word) for word in words]
        if len(words) > _LONG_PARAGRAPH:
            lines += _wrap_long(words, drawable, font, width - indent, width if not lines else width - indent)
            continue
        line = ""
        shown = ""
        for word, seen in zip(words, drawable, strict=True):
            candidate = f"{line} {word}" if line else word
            candidate_seen = f"{shown}{space}{seen}" if line else seen
            room = width - (indent if lines else 0)
            if not line or _width(candidate_seen, font) <= room:
                line, shown = candidate, candidate_seen
            else:
                lines.append(line)
                line, shown = word, seen
        lines.append(line)
    return lines


def _wrap_long(words: list[str], seen: list[str], font: Font, room: int, first_room: int) -> list[str]:
    """The lines ``_wrap`` fills word by word, found by halving: a line only grows wider for another word, so
    the longest that fits is the one the printer fills, found in a few measures instead of one a word."""
    lines: list[str] = []
    start = 0
    while start < len(words):
        # words that leave the line empty (doubled spaces) are taken with the first word, whatever its width
        first = start
        while first < len(words) - 1 and not words[first]:
            first += 1
        end = _longest(seen, first, first_room if not lines else room, font)
        lines.append(" ".join(words[first:end]))
        start = end
    return lines


def _longest(seen: list[str], first: int, room: int, font: Font) -> int:
    """The end of the longest run of words from ``first`` that fits ``room`` (at least one word)."""

    def fits(end: int) -> bool:
        return _width(" ".join(seen[first:end]), font) <= room

    good, step = first + 1, 1
    while good + step <= len(seen) and fits(good + step):
        good, step = good + step, step * 2
    bad = min(good + step, len(seen) + 1)
    while bad - good > 1:
        middle = (good + bad) // 2
        good, bad = (middle, bad) if fits(middle) else (good, middle)
    return good


def block_lines(text: str, font: Font, block: Block) -> list[str]:
    """The lines a ^FB or ^TB prints; a ^FB's surplus text is printed over its last line, as a printer does."""
    text = text.replace("\\\\", "\\")
    lines = text.split("\\&") if block.width <= 0 else _wrap(text, font, block.width, block.indent)
    if block.kind == "TB":
        fits = max(1, (block.height + block.spacing) // max(1, font.height + block.spacing)) if block.height else 1
        return lines[:fits]
    if len(lines) > block.lines:
        lines = [*lines[: block.lines - 1], " ".join(lines[block.lines - 1 :])]
    return lines


@dataclass(frozen=True, slots=True)
class BlockLayout:
    """A ^FB/^TB block before it is drawn: its lines, its size unrotated, and the lines it has room for."""

    lines: tuple[str, ...]
    size: tuple[int, int]
    room: int


def block_layout(text: str, font: Font, block: Block) -> BlockLayout:
    lines = block_lines(text, font, block)
    pitch = font.height + block.spacing
    room = len(lines) if block.kind == "TB" else block.lines
    width = block.width if block.width > 0 else max((max(1, line_width(line, font)) for line in lines), default=1)
    height = max(1, min(room * pitch - block.spacing, 32000))
    if block.kind == "TB" and block.height:
        height = block.height
    return BlockLayout(tuple(lines), (max(1, width), height), room)


def block_mask(text: str, font: Font, block: Block) -> tuple[Image.Image, int]:
    """A ^FB/^TB text block unrotated, and the number of lines it has room for (for ^FT placement)."""
    layout = block_layout(text, font, block)
    return block_window(layout, font, block, (0, 0, *layout.size)), layout.room


def block_window(layout: BlockLayout, font: Font, block: Block, box: Box, budget: Budget | None = None) -> Image.Image:
    """The part ``box`` of the block: only the lines and words that fall in it are drawn."""
    x0, y0, x1, y1 = box
    canvas = Image.new("1", (x1 - x0, y1 - y0), 0)
    width, height = layout.size
    pitch = font.height + block.spacing
    last = len(layout.lines) - 1
    for i, line in enumerate(layout.lines):
        top = i * pitch
        if top >= height:
            break
        if top >= y1 or top + font.height <= y0:
            continue
        left = block.indent if i else 0
        if block.justify == "C":
            left = (width - max(1, line_width(line, font))) // 2
        elif block.justify == "R":
            left = width - max(1, line_width(line, font))
        if block.justify == "J" and i < last and " " in line:
            _justified(canvas, line, font, (left, top, width - left), box, budget)
        else:
            _paste(canvas, line, font, (left, top), box, budget)
    return canvas


def _paste(canvas: Image.Image, text: str, font: Font, at: tuple[int, int], box: Box, budget: Budget | None) -> None:
    """Ink a line whose top-left is ``at`` in the block onto ``canvas``, the block's part ``box``."""
    left, top = at
    x0, y0, x1, y1 = box
    inside = (max(left, x0), max(top, y0), min(left + max(1, line_width(text, font)), x1), min(top + font.height, y1))
    if inside[0] >= inside[2] or inside[1] >= inside[3]:
        return
    piece = line_window(text, font, (inside[0] - left, inside[1] - top, inside[2] - left, inside[3] - top), budget)
    if piece is not None:
        canvas.paste(255, (inside[0] - x0, inside[1] - y0), piece)


def _justified(
    canvas: Image.Image, line: str, font: Font, span: tuple[int, int, int], box: Box, budget: Budget | None
) -> None:
    left, top, width = span
    words = line.split()
    widths = [max(1, line_width(w, font)) for w in words]
    gap = (width - sum(widths)) / max(1, len(words) - 1)
    x = float(left)
    for word, word_width in zip(words, widths, strict=True):
        _paste(canvas, word, font, (round(x), top), box, budget)
        x += word_width + max(gap, font.height * 0.3)
