"""Any label file (ZPL, PDF, PNG) as pictures at true size: one image per label, at the printer's dpi."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from onboard.labels.check import open_png, pdf_pages, sniff_format, zpl_document
from onboard.labels.zpl import MAX_LABELS, draw_label

__all__ = ["Pictures", "render_file", "save_pictures"]


@dataclass(frozen=True, slots=True)
class Pictures:
    """The labels of one file drawn, and what of them was not drawn (ZPL commands onboard skips)."""

    format: str
    dpi: int
    pages: tuple[Image.Image, ...]
    not_drawn: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def render_file(data: bytes, dpi: int) -> Pictures:
    """Draw every label of ``data``; ValueError (one line) when the bytes are no label that can be drawn."""
    fmt = sniff_format(data)
    if fmt == "ZPL":
        document = zpl_document(data)
        skipped = dict.fromkeys(name for label in document.labels for name in label.skipped)
        notes = dict.fromkeys(note for label in document.labels for note in label.notes)
        if document.dropped:
            notes[f"{document.dropped} labels past the first {len(document.labels)} are not drawn"] = None
        pages = tuple(draw_label(label, dpi) for label in document.labels)
        return Pictures("ZPL", dpi, pages, tuple(skipped), tuple(notes))
    if fmt == "PNG":
        image = open_png(data)
        stored = image.info.get("dpi")
        own = round(float(stored[0])) if isinstance(stored, tuple) and stored and float(stored[0]) > 0 else dpi
        return Pictures("PNG", own, (image.convert("L"),))
    if fmt == "PDF":
        # as many pages as a ZPL file may hold labels
        return Pictures("PDF", dpi, tuple(pdf_pages(data, dpi, limit=MAX_LABELS, grayscale=True)))
    raise ValueError("not a label file: neither PDF, PNG nor ZPL")


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
