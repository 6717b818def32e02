"""Any label file (ZPL, PDF, PNG) as pictures at true size: one image per label, at the printer's dpi."""

from __future__ import annotations

import io

from onboard.labels import formats
from onboard.labels.report import Pictures

__all__ = ["Pictures", "render_file", "save_pictures"]


def render_file(data: bytes, dpi: int) -> Pictures:
    """Draw every label of ``data``; ValueError (one line) when the bytes are no label that can be drawn."""
    found = formats.sniff(data)
    if found is None:
        raise ValueError(f"not a label file: neither {formats.spelled('nor')}")
    return found.pictures(data, dpi)


def save_pictures(pictures: Pictures, kind: str) -> list[bytes]:
    """The pictures as files: one PNG per label (its dpi recorded), or one PDF with a true-size page each."""
    if kind == "pdf":
        buffer = io.BytesIO()
        first, *rest = [p.convert("L") for p in pictures.pages]
        first.save(buffer, "PDF", resolution=float(pictures.dpi), save_all=True, append_images=rest)
        return [buffer.getvalue()]
    out: list[bytes] = []
    for page in pictures.pages:
        buffer = io.BytesIO()
        page.save(buffer, "PNG", dpi=(pictures.dpi, pictures.dpi), optimize=False)
        out.append(buffer.getvalue())
    return out
