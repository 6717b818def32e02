"""ZPL II read as a Zebra printer reads it: ``syntax`` (bytes to commands), ``interpreter`` (the printer's
state as it runs them), ``draw`` (the printed label as pixels), with ``text``, ``graphics`` and ``symbols``
for what fields hold, and ``writer`` for the labels the emulator prints."""

from __future__ import annotations

from PIL import Image

from onboard.labels.zpl.draw import MAX_PIXELS, draw_label, label_dots
from onboard.labels.zpl.interpreter import MAX_LABELS, Barcode, ZplDocument, ZplError, ZplLabel, interpret

__all__ = [
    "MAX_LABELS",
    "MAX_PIXELS",
    "Barcode",
    "ZplDocument",
    "ZplError",
    "ZplLabel",
    "draw_label",
    "label_dots",
    "read_zpl",
    "render_pages",
]


def read_zpl(data: bytes) -> ZplDocument:
    """Every label a printer would print from ``data``; ZplError (a ValueError, one line) when none."""
    return interpret(data)


def render_pages(data: bytes, dpi: int = 203) -> list[Image.Image]:
    """Each label of a ZPL file drawn at ``dpi``, in order."""
    return [draw_label(label, dpi) for label in interpret(data).labels]
