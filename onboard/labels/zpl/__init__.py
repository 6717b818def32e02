"""ZPL II read as a Zebra printer reads it: ``syntax`` (bytes to commands), ``interpreter`` (the printer's
state as it runs them), ``draw`` (the printed label as pixels), with ``text``, ``graphics`` and ``symbols``
for what fields hold, and ``writer`` for the labels the emulator prints.

The names below load on first use: the emulator imports ``writer`` to print labels, and that must not pull
in the interpreter, its barcode encoders and zint's bindings (about 80 ms of its start).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

    from onboard.labels.zpl.draw import MAX_PIXELS, Drawing, draw_label, drawing, label_dots
    from onboard.labels.zpl.interpreter import MAX_LABELS, Barcode, ZplDocument, ZplError, ZplLabel

__all__ = [
    "MAX_LABELS",
    "MAX_PIXELS",
    "Barcode",
    "Drawing",
    "ZplDocument",
    "ZplError",
    "ZplLabel",
    "draw_label",
    "drawing",
    "label_dots",
    "read_zpl",
    "render_pages",
]

_HOMES = {
    "MAX_PIXELS": "draw",
    "Drawing": "draw",
    "draw_label": "draw",
    "drawing": "draw",
    "label_dots": "draw",
    "MAX_LABELS": "interpreter",
    "Barcode": "interpreter",
    "ZplDocument": "interpreter",
    "ZplError": "interpreter",
    "ZplLabel": "interpreter",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)


def read_zpl(data: bytes) -> ZplDocument:
    """Every label a printer would print from ``data``; ZplError (a ValueError, one line) when none."""
    from onboard.labels.zpl.interpreter import interpret  # noqa: PLC0415

    return interpret(data)


def render_pages(data: bytes, dpi: int = 203) -> list[Image.Image]:
    """Each label of a ZPL file drawn at ``dpi``, in order."""
    from onboard.labels.zpl.draw import draw_label  # noqa: PLC0415

    return [draw_label(label, dpi) for label in read_zpl(data).labels]
