"""One entry point for every label format the emulator offers."""

from __future__ import annotations

from onboard.labels.content import SUPPORTED_DPIS, LabelContent, LabelFormat, LabelParty
from onboard.labels.pdf import render_pdf
from onboard.labels.png import render_png
from onboard.labels.zpl.writer import write_zpl

_RENDERERS = {"PDF": render_pdf, "PNG": render_png, "ZPL": write_zpl}


def render_label(content: LabelContent, fmt: LabelFormat, dpi: int) -> bytes:
    """The label as PDF, PNG or ZPL bytes for a printer of `dpi` (203 or 300)."""
    if dpi not in SUPPORTED_DPIS:
        raise ValueError(f"unsupported dpi {dpi}: choose one of {', '.join(map(str, SUPPORTED_DPIS))}")
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise ValueError(f"unsupported label format {fmt!r}: choose one of {', '.join(_RENDERERS)}")
    return renderer(content, dpi)


def warm_up() -> None:
    """Render one label per format and dpi, so a server's first purchase is as fast as the rest.

    The first PNG of a process costs several times a later one: the font loads and glyph caches fill.
    """
    party = LabelParty("Warm Up", ("1 Main Street",), "Seattle", "WA", "98109", "US")
    content = LabelContent("TBA000000000000", party, party, "Amazon Shipping", "Ground", "1 lb", "2026-01-01", "x")
    for fmt in _RENDERERS:
        for dpi in SUPPORTED_DPIS:
            render_label(content, fmt, dpi)  # type: ignore[arg-type]
