"""Text as a Zebra prints it, near enough for a preview: each line in its font's cell, at its size.

No Zebra font ships with onboard. Font 0 (CG Triumvirate Bold Condensed on a printer) is drawn with Pillow's
bundled scalable face, struck twice for weight and condensed to the printer's proportions; the bitmap fonts
A-H are monospaced, so a line of them is exactly ``len(text)`` cells wide whatever face draws it. What a
person checks in a preview, where each line sits and how big it is, is the printer's.

Geometry, as on a printer and in zebrash: a field's cell is ``font.height`` dots tall with the baseline three
quarters of the way down; ^FO puts the cell's top-left at the origin, ^FT puts the baseline's left end there.
"""

from __future__ import annotations

import math
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from onboard.labels.png import drawable_text
from onboard.labels.zpl.elements import Block, Font

__all__ = ["BASELINE", "block_mask", "line_mask", "line_width"]

#: Where the baseline falls in a cell, as a fraction of its height from the top.
BASELINE = 0.75
# Pillow's face is wider than a condensed Zebra font 0: measured against zebrash's Helvetica Bold Condensed
# on the corpus' text, its lines come out this much wider at the same size
_CONDENSE = 0.78
# a line longer than this many dots is cut: no label is this wide, and drawing it would cost memory
_MAX_LINE_DOTS = 40000
_SUBSTITUTES = str.maketrans({"–": "-", "—": "-", "•": "*", "’": "'", "‘": "'", "“": '"', "”": '"'})


@lru_cache(maxsize=64)
def _face(pixels: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(1, pixels))


def _drawable(text: str) -> str:
    # control characters have no glyph (a printer prints nothing for them); letters the bundled face lacks
    # are drawn in their plain form, as the PNG labels are
    return drawable_text("".join(ch for ch in text.translate(_SUBSTITUTES) if ch >= " " and ch != "\x7f"))


@lru_cache(maxsize=4096)
def _natural_width(text: str, pixels: int) -> float:
    return float(_face(pixels).getlength(text))


def line_width(text: str, font: Font) -> int:
    """The dots a line of ``text`` takes in ``font``, as the printer advances."""
    text = _drawable(text)
    if not text:
        return 0
    if font.name != "0":
        return len(text) * font.width
    scale = font.width / font.height * _CONDENSE
    return min(math.ceil(_natural_width(text, font.height) * scale), _MAX_LINE_DOTS)


@lru_cache(maxsize=2048)
def line_mask(text: str, font: Font) -> Image.Image:
    """One line, unrotated: mode "1", ``font.height`` dots tall, 255 where there is ink."""
    text = _drawable(text)
    width = line_width(text, font)
    height = font.height
    if width <= 0:
        return Image.new("1", (1, height), 0)
    baseline = round(height * BASELINE)
    # font 0's em is its cell; a bitmap font's capitals fill its cell from the top to the baseline
    pixels = height if font.name == "0" else max(1, round(height * 0.95))
    face = _face(pixels)
    natural = max(1, math.ceil(_natural_width(text, pixels)) + 2)
    stroke = max(1, round(pixels / 28)) if font.name == "0" and pixels >= 14 else 0
    canvas = Image.new("L", (natural + 2 * stroke, height), 0)
    draw = ImageDraw.Draw(canvas)
    draw.text((stroke, baseline), text, font=face, fill=255, anchor="ls", stroke_width=stroke, stroke_fill=255)
    if canvas.width != width:
        canvas = canvas.resize((width, height), Image.Resampling.BILINEAR)
    return canvas.point(lambda v: 255 if v >= 110 else 0, mode="1")


def _wrap(text: str, font: Font, width: int, indent: int) -> list[str]:
    """Words into lines no wider than ``width``; ``\\&`` forces a break, as in a printer's ^FB."""
    lines: list[str] = []
    for paragraph in text.split("\\&"):
        words = paragraph.split(" ")
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            room = width - (indent if lines else 0)
            if not line or line_width(candidate, font) <= room:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


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


def block_mask(text: str, font: Font, block: Block) -> tuple[Image.Image, int]:
    """A ^FB/^TB text block unrotated, and the number of lines it has room for (for ^FT placement)."""
    lines = block_lines(text, font, block)
    pitch = font.height + block.spacing
    room = len(lines) if block.kind == "TB" else block.lines
    masks = [line_mask(line, font) for line in lines]
    width = block.width if block.width > 0 else max((m.width for m in masks), default=1)
    height = max(1, min(room * pitch - block.spacing, 32000))
    if block.kind == "TB" and block.height:
        height = block.height
    canvas = Image.new("1", (max(1, width), height), 0)
    for i, mask in enumerate(masks):
        top = i * pitch
        if top >= height:
            break
        left = block.indent if i else 0
        if block.justify == "C":
            left = (width - mask.width) // 2
        elif block.justify == "R":
            left = width - mask.width
        if block.justify == "J" and i < len(masks) - 1 and " " in lines[i]:
            _justified(canvas, lines[i], font, left, top, width - left)
        else:
            canvas.paste(255, (left, top), mask)
    return canvas, room


def _justified(canvas: Image.Image, line: str, font: Font, left: int, top: int, width: int) -> None:
    words = line.split()
    masks = [line_mask(w, font) for w in words]
    gap = (width - sum(m.width for m in masks)) / max(1, len(words) - 1)
    x = float(left)
    for mask in masks:
        canvas.paste(255, (round(x), top), mask)
        x += mask.width + max(gap, font.height * 0.3)
