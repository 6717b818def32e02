"""A picture in a terminal without an image protocol: each cell is '▀', its colour the upper pixel and its
background the lower one, so a cell shows two pixels. Plain Pillow and Rich; no Textual here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["UPPER_HALF", "fit", "halfblock_lines"]

UPPER_HALF = "▀"


def fit(image_size: tuple[int, int], cells: tuple[int, int]) -> tuple[int, int]:
    """The largest (columns, rows) of cells that shows the whole image, keeping its proportions.

    A cell is taken to be twice as tall as it is wide, which is what half blocks need: a cell then holds
    two square pixels, one above the other.
    """
    width, height = image_size
    columns, rows = cells
    if width <= 0 or height <= 0 or columns <= 0 or rows <= 0:
        return 0, 0
    scale = min(columns / width, (rows * 2) / height)
    return max(1, round(width * scale)), max(1, round(height * scale / 2))


def halfblock_lines(image: Image.Image, cells: tuple[int, int]) -> list[list[Segment]]:
    """``image`` drawn in at most ``cells`` (columns, rows), one list of segments per row."""
    from PIL import Image  # noqa: PLC0415 - Pillow only when a picture is drawn

    columns, rows = fit(image.size, cells)
    if not columns or not rows:
        return []
    small = image.convert("RGB").resize((columns, rows * 2), Image.Resampling.BOX)
    pixels = small.load()
    assert pixels is not None
    styles: dict[tuple[object, object], Style] = {}
    lines: list[list[Segment]] = []
    for row in range(rows):
        segments: list[Segment] = []
        for column in range(columns):
            top, bottom = pixels[column, row * 2], pixels[column, row * 2 + 1]
            style = styles.get((top, bottom))
            if style is None:
                style = styles[(top, bottom)] = Style(color=_hex(top), bgcolor=_hex(bottom))
            segments.append(Segment(UPPER_HALF, style))
        lines.append(list(Segment.simplify(segments)))
    return lines


def _hex(pixel: object) -> str:
    if isinstance(pixel, tuple):
        red, green, blue = (int(v) for v in pixel[:3])
    else:
        red = green = blue = int(pixel)  # type: ignore[call-overload]
    return f"#{red:02x}{green:02x}{blue:02x}"
