"""The label as a 1-bit PNG at the printer's own resolution, drawn with Pillow."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from onboard.labels.content import LabelContent, label_size
from onboard.labels.layout import ASCENT, Box, Primitive, Symbol, Text, box_bars, layout, to_dots

_BLACK, _WHITE = 0, 255
# stand-ins for glyphs the bundled font lacks and that have no accent-free form
_SUBSTITUTES = {"–": "-", "—": "-", "•": "*", "ß": "ss", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ø": "O", "ø": "o"}
_NOT_A_CHARACTER = "\U0010fffd"


@lru_cache(maxsize=64)
def _font(pixels: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # loading the scalable default font parses a whole TTF: do it once per size, not once per line
    return ImageFont.load_default(size=pixels)


def _glyph_signature(ch: str) -> tuple[bytes, tuple[int, int], tuple[float, float, float, float]]:
    font = _font(20)
    mask = font.getmask(ch)
    return bytes(mask), mask.size, font.getbbox(ch)


@lru_cache(maxsize=1024)
def _has_glyph(ch: str) -> bool:
    # the bundled font covers printable ASCII and little else; anything it lacks renders as a box
    return ch.isascii() or _glyph_signature(ch) != _glyph_signature(_NOT_A_CHARACTER)


@lru_cache(maxsize=256)
def drawable_text(text: str) -> str:
    """`text` with every character the raster font cannot draw replaced by its plain form or '?'."""
    out: list[str] = []
    for ch in text:
        if _has_glyph(ch):
            out.append(ch)
        elif ch in _SUBSTITUTES:
            out.append(_SUBSTITUTES[ch])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if c.isascii() and c.isprintable())
            out.append(base or "?")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _Glyph:
    mask: Image.Image | None  # None for blanks
    left: int  # mask offset from the pen position on the baseline
    top: int
    advance: float


@lru_cache(maxsize=4096)
def _glyph(ch: str, pixels: int, bold: bool) -> _Glyph:
    # FreeType takes ~20 us a glyph and a label has ~700 of them: rasterise each (glyph, size) only once
    font = _font(pixels)
    left, top, right, bottom = (int(v) for v in font.getbbox(ch, anchor="ls"))
    advance = font.getlength(ch)
    if right <= left or bottom <= top:
        return _Glyph(None, 0, 0, advance)
    # the bundled font has no bold face: strike the glyph twice, shifted by less than a stem width
    shift = max(1, round(pixels * 0.045)) if bold else 0
    mask = Image.new("1", (right - left + shift, bottom - top), 0)
    draw = ImageDraw.Draw(mask)
    for dx in {0, shift}:
        draw.text((dx - left, -top), ch, font=font, fill=255, anchor="ls")
    return _Glyph(mask, left, top, advance)


def _draw_text(draw: ImageDraw.ImageDraw, text: Text, dpi: int) -> None:
    pixels = max(1, to_dots(text.size, dpi))
    pen, baseline = float(to_dots(text.x, dpi)), to_dots(text.y + ASCENT * text.size, dpi)
    ink = _WHITE if text.reverse else _BLACK
    for ch in drawable_text(text.text):
        glyph = _glyph(ch, pixels, text.bold)
        if glyph.mask is not None:
            draw.bitmap((round(pen) + glyph.left, baseline + glyph.top), glyph.mask, fill=ink)
        pen += glyph.advance


def paint(items: Iterable[Primitive], dpi: int, size: tuple[int, int]) -> Image.Image:
    """Draw layout primitives (in points) onto a white 1-bit image of `size` pixels at `dpi`."""
    image = Image.new("1", size, _WHITE)
    draw = ImageDraw.Draw(image)
    for item in items:
        if isinstance(item, Text):
            _draw_text(draw, item, dpi)
            continue
        bars = box_bars(item) if isinstance(item, Box) else item.bars if isinstance(item, Symbol) else (item,)
        for bar in bars:
            x0, y0 = to_dots(bar.x, dpi), to_dots(bar.y, dpi)
            x1, y1 = to_dots(bar.x + bar.w, dpi), to_dots(bar.y + bar.h, dpi)
            if x1 > x0 and y1 > y0:
                draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=_BLACK)
    return image


def encode_png(image: Image.Image, dpi: int, comment: str = "") -> bytes:
    """PNG bytes with the pHYs chunk saying `dpi` (and a tEXt Comment when given), compressed for speed
    rather than size."""
    buffer = io.BytesIO()
    info = None
    if comment:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", comment)
    image.save(buffer, "PNG", dpi=(dpi, dpi), optimize=False, compress_level=1, pnginfo=info)
    return buffer.getvalue()


def render_png(content: LabelContent, dpi: int) -> bytes:
    """The label as a 1-bit PNG: 812 x 1218 px at 203 dpi, 1200 x 1800 px at 300 dpi. Its banner is in
    a text chunk as well: a PDF's or a ZPL's banner is text a reviewer reads back, a PNG's only pixels."""
    return encode_png(paint(layout(content, dpi), dpi, label_size(dpi)), dpi, content.banner)
