"""Whether this terminal draws pictures (Kitty's graphics protocol, Sixel): then a label is shown as itself,
readable, instead of in half blocks.

The terminal can only be asked before the app takes it over, and asking costs a round trip (and a timeout
where nothing answers), so it is asked only where the terminal says it may draw pictures (``TERM``,
``TERM_PROGRAM``, ``KITTY_WINDOW_ID``), or when ``ONBOARD_GRAPHICS=1``; ``ONBOARD_GRAPHICS=0`` never asks.
``textual-image`` does the asking and the drawing. Who calls what: ``onboard.tui.app.main`` calls
:func:`probe` before ``App.run``; the label preview asks :func:`picture` for the widget to draw with.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from onboard.settings import may_draw_pictures

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.widget import Widget

__all__ = ["picture", "probe"]

_picture: Callable[..., Widget] | None = None


def probe() -> None:
    """Ask the terminal, once and before the app starts, whether it draws pictures (see the module's doc)."""
    global _picture  # noqa: PLW0603 - one answer per process, asked before Textual owns the terminal
    if not (sys.__stdout__ and sys.__stdout__.isatty() and may_draw_pictures()):
        return
    try:
        from textual_image import renderable  # noqa: PLC0415 - it asks the terminal when imported
        from textual_image.widget import SixelImage, TGPImage  # noqa: PLC0415
    except Exception:  # not installed, or the terminal answered nonsense: half blocks, as everywhere else
        return
    if renderable.Image is renderable.SixelImage:
        _picture = SixelImage
    elif renderable.Image is renderable.TGPImage:
        _picture = TGPImage
    # otherwise it found half blocks or characters only: ours are drawn to fit the label, keep them


def picture() -> Callable[..., Widget] | None:
    """The widget that draws a picture in this terminal, or None where half blocks must do."""
    return _picture
