"""What one label format puts on paper, field by field, once the printer's state has been applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from PIL import Image

from onboard.labels.zpl.symbols import Symbol, SymbolRequest

Orientation = Literal["N", "R", "I", "B"]
ORIENTATIONS: tuple[Orientation, ...] = ("N", "R", "I", "B")


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a field goes, in dots from the label's top-left, label home already added.

    ``baseline`` is ^FT (text on its baseline, anything else by its bottom-left corner) rather than ^FO (the
    field's top-left); ``right`` is ^FO/^FT's justification 1 (x is the field's right end).
    """

    x: int
    y: int
    baseline: bool = False
    right: bool = False


@dataclass(frozen=True, slots=True)
class Font:
    """A resolved font: its name (``0`` scalable, ``A``-``H`` bitmap) and its cell in dots."""

    name: str
    height: int
    width: int


@dataclass(frozen=True, slots=True)
class Block:
    """^FB (``kind`` "FB": wrapped into lines) or ^TB (``kind`` "TB": wrapped, then cut at ``height``)."""

    kind: Literal["FB", "TB"]
    width: int
    lines: int = 1
    spacing: int = 0
    justify: Literal["L", "C", "R", "J"] = "L"
    indent: int = 0
    height: int = 0


@dataclass(frozen=True, slots=True)
class TextField:
    at: Placement
    orientation: Orientation
    font: Font
    text: str
    block: Block | None = None
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class BoxField:
    """^GB: a box whose border is ``thickness`` dots; filled when the border meets in the middle."""

    at: Placement
    width: int
    height: int
    thickness: int
    white: bool = False
    rounding: int = 0
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class EllipseField:
    """^GC (a circle: width == height) and ^GE."""

    at: Placement
    width: int
    height: int
    thickness: int
    white: bool = False
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class DiagonalField:
    """^GD: a line across a width x height box, leaning right (``/``) or left (``\\``)."""

    at: Placement
    width: int
    height: int
    thickness: int
    leans_right: bool = True
    white: bool = False
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class GraphicField:
    """^GF, ^XG, ^IM: a bitmap (mode "1", 255 = ink) magnified by whole dots."""

    at: Placement
    image: Image.Image
    magnify_x: int = 1
    magnify_y: int = 1
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class BarcodeField:
    """A barcode command's field: the symbol as encoded, or why the printer would print none."""

    at: Placement
    orientation: Orientation
    request: SymbolRequest
    symbol: Symbol | None
    error: str = ""
    reverse: bool = False


@dataclass(slots=True)
class Budget:
    """The pixels a label may still be drawn with, and what drawing it had to say.

    Every mask made spends its size, so a label of any number of fields, fonts and boxes is drawn in bounded
    time and memory; what it cannot pay for is left out, and the caller says so.
    """

    pixels: int
    notes: dict[str, None] = field(default_factory=dict)

    def spend(self, pixels: int) -> bool:
        """Whether ``pixels`` more can be drawn: they are spent if so, and nothing is if not."""
        if pixels > self.pixels:
            return False
        self.pixels -= pixels
        return True


Field = TextField | BoxField | EllipseField | DiagonalField | GraphicField | BarcodeField
