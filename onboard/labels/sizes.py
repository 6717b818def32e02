"""A label's size against the 4 x 6 in stock, and sizes in a print shop's words: shared by every format's check."""

from __future__ import annotations

from onboard.labels.content import SUPPORTED_DPIS, label_size, page_budget

__all__ = ["DOT_TOLERANCE", "MAX_PAGES", "MAX_PIXELS", "dpi_of_dots", "fits", "inches", "page_budget", "wrong_size"]

DOT_TOLERANCE = 2
#: an image beyond this many pixels is no label (4 x 6 in at 300 dpi is 2.2 million); decoding it would only
#: cost memory
MAX_PIXELS = 10_000_000
#: the most pages of a PDF, or labels of a ZPL file, one check draws and reads (one shipment's labels); the
#: rest are counted and said, so any file is judged within seconds
MAX_PAGES = 10


def dpi_of_dots(width: int, height: int) -> int | None:
    """The supported dpi at which `width` x `height` dots (or pixels) is 4 x 6 in, rotation allowed."""
    for dpi in SUPPORTED_DPIS:
        if fits(width, height, label_size(dpi), DOT_TOLERANCE):
            return dpi
    return None


def fits(width: float, height: float, label: tuple[float, float], tolerance: float) -> bool:
    """Whether `width` x `height` is the `label` size, either way up, within `tolerance`."""
    short, long = sorted((width, height))
    return abs(short - label[0]) <= tolerance and abs(long - label[1]) <= tolerance


def wrong_size(width_in: float, height_in: float) -> str:
    return f"wrong size: {inches(width_in)} x {inches(height_in)} in, a 4 x 6 in label is needed"


def inches(value: float | None) -> str:
    """A length in inches as a person writes it: "4", "6.5", "3.94"; "?" when unknown."""
    return "?" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")
