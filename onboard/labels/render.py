"""One entry point for every label format the emulator offers: each format's writer, from the registry."""

from __future__ import annotations

from onboard.labels import formats
from onboard.labels.content import SUPPORTED_DPIS, LabelContent, LabelFormat, LabelParty


def render_label(content: LabelContent, fmt: LabelFormat, dpi: int) -> bytes:
    """The label as PDF, PNG or ZPL bytes for a printer of `dpi` (203 or 300)."""
    if dpi not in SUPPORTED_DPIS:
        raise ValueError(f"unsupported dpi {dpi}: choose one of {', '.join(map(str, SUPPORTED_DPIS))}")
    found = formats.find(fmt)
    if found is None:
        raise ValueError(f"unsupported label format {fmt!r}: choose one of {', '.join(formats.NAMES)}")
    return found.write(content, dpi)


def warm_up() -> None:
    """Render one label per format and dpi, so a server's first purchase is as fast as the rest.

    The first PNG of a process costs several times a later one: the font loads and glyph caches fill.
    """
    party = LabelParty("Warm Up", ("1 Main Street",), "Seattle", "WA", "98109", "US")
    content = LabelContent("TBA000000000000", party, party, "Amazon Shipping", "Ground", "1 lb", "2026-01-01", "x")
    for fmt in formats.NAMES:
        for dpi in SUPPORTED_DPIS:
            render_label(content, fmt, dpi)
