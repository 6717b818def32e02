"""The label formats onboard reads and writes, one module each: ``pdf``, ``png``, ``zpl``.

Each module ends with its ``FORMAT``: how its first bytes look, how it is checked, how it is drawn to
pictures and previews, how its text is read without drawing it, and the emulator's writer. Everything else
that needs to know the formats (the request models, the workspace, certify, the pack, the emulator) asks
this registry instead of spelling the list out; a new format is its module and its name in ``LabelFormat``.

A format's module is imported on first use of that format, and its heavy parts (Pillow, PDFium, zxing-cpp,
the ZPL interpreter) on first use of what needs them: the request models, the workspace and the CLI read
this module at start-up, and the emulator writes labels without a scanner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from PIL import Image

    from onboard.labels.content import LabelContent
    from onboard.labels.report import Measured, Pictures

__all__ = ["NAMES", "Format", "LabelFormat", "all_formats", "find", "get", "sniff", "spelled"]

#: The one list of format names, in the order they are offered: pydantic models validate against it.
LabelFormat = Literal["PDF", "PNG", "ZPL"]
NAMES: tuple[LabelFormat, ...] = get_args(LabelFormat)


@dataclass(frozen=True, slots=True)
class Format:
    """One label format: what it is called and how each part of onboard handles it."""

    name: LabelFormat
    #: the suffix of a file in this format, with its dot
    extension: str
    media_type: str
    #: the file is already pages (a PDF): the pack puts them in as they are rather than a drawing of them
    is_document: bool
    #: whether a file's first bytes are this format (never its name: a mislabelled file is caught)
    sniff: Callable[[bytes], bool]
    #: the format's own checks of a file: ``(data, dpi or None, tracking ID or None)``
    check: Callable[[bytes, int | None, str | None], Measured]
    #: every label of a file drawn at true size at a dpi (``onboard label render``)
    pictures: Callable[[bytes, int], Pictures]
    #: the first label drawn at a dpi, for the TUI and the pack; ValueError when it cannot be drawn
    preview: Callable[[bytes, int], Image.Image]
    #: the text the file spells out, read without drawing it ("" for a picture)
    text: Callable[[bytes], str]
    #: the emulator's writer: a label's content as this format's bytes at a dpi
    write: Callable[[LabelContent, int], bytes]


def spelled(last: str = "or") -> str:
    """The names as a sentence lists them: "PDF, PNG or ZPL" (``last`` joins the final two)."""
    return f"{', '.join(NAMES[:-1])} {last} {NAMES[-1]}"


@cache
def _load(name: LabelFormat) -> Format:
    module = import_module(f"{__name__}.{name.lower()}")
    found: Format = module.FORMAT
    if found.name != name:
        raise RuntimeError(f"{module.__name__} registers {found.name}, not {name}")
    return found


def find(name: str) -> Format | None:
    """The format called exactly ``name`` ("PDF"), or None."""
    for known in NAMES:
        if known == name:
            return _load(known)
    return None


def get(name: str) -> Format:
    """The format called ``name``, in any case; ValueError when onboard knows no such format."""
    found = find(name.upper())
    if found is None:
        raise ValueError(f"unknown label format {name!r}: choose {spelled()}")
    return found


def all_formats() -> tuple[Format, ...]:
    """Every format, in the order of ``NAMES``."""
    return tuple(_load(name) for name in NAMES)


def sniff(data: bytes) -> Format | None:
    """The format the bytes are, from their first bytes alone; None when they are none of them."""
    return next((fmt for fmt in all_formats() if fmt.sniff(data)), None)
