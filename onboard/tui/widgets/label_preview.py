"""A label drawn in the terminal: decoded in a worker thread, scaled to fit at its own aspect, centred.

Where the terminal draws pictures (:mod:`onboard.tui.graphics`: Kitty's graphics protocol, Sixel) the label
is shown as itself, drawn by the renderer of ``onboard label render``, its text readable; elsewhere in half
blocks, which show its layout.

A file may hold several labels (a ZPL file with several ``^XA…^XZ`` formats, a PDF of several pages): the
preview shows one at a time, says which, and ``turn`` goes to the next or previous one.

Under it, :class:`PaperTest` takes the label to paper and back: a Print button and the field a handheld
scanner (a keyboard wedge) types the paper label's code into, with one line saying what either did. It
only asks; the screen prints and records (``onboard.printing``, as ``onboard label print`` and ``scan``).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from onboard.display import shown
from onboard.printing.scanning import MAX_LINE
from onboard.tui import graphics
from onboard.tui.halfblocks import halfblock_lines
from onboard.tui.widgets.base import FormInput, ReportsWorkerFailures, one_line, tone

if TYPE_CHECKING:
    from PIL import Image


class LabelPreview(ReportsWorkerFailures, Widget, can_focus=True):
    """Shows one label file; ``show(path, fmt, dpi)`` draws another, ``show(None, …)`` says why none."""

    DEFAULT_CSS = """
    LabelPreview {
        width: 1fr;
        height: 1fr;
        min-width: 12;
        align: center middle;
    }
    LabelPreview > .picture {
        width: auto;
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.image: Image.Image | None = None
        self.message = "No label chosen."
        #: the labels of the file shown, and which of them is on screen
        self.pages: tuple[Image.Image, ...] = ()
        self.page = 0
        self._images: dict[Path, tuple[Image.Image, ...]] = {}
        self._lines: list[list[Segment]] = []
        self._drawn_for: tuple[int, int, int] | None = None
        self.path: Path | None = None
        #: where the terminal draws pictures, the widget showing the label as itself
        self.picture: Widget | None = None

    def show(self, path: Path | None, fmt: str, dpi: int, *, why: str = "") -> None:
        self.path = path
        if path is None:
            self._set(None, why or "No file was kept for this label.")
            return
        cached = self._images.get(path)
        if cached is not None:
            self._set(cached, "")
            return
        self._set(None, f"Drawing {path.name}…")
        self._load(path, fmt, dpi)

    @work(thread=True, exclusive=True, exit_on_error=False, group="preview")
    def _load(self, path: Path, fmt: str, dpi: int) -> None:
        from onboard.labels.formats import get  # noqa: PLC0415 - PDFium and Pillow only when a label is shown

        try:
            # a format draws at most sizes.MAX_PAGES labels of a file: the preview needs no cap of its own
            pages = get(fmt).pictures(path.read_bytes(), dpi).pages
            if not pages:
                raise ValueError("the file holds no label to draw")
            for image in pages:
                image.load()
        except Exception as error:  # shown as one line, never a traceback
            self.app.call_from_thread(self._failed, path, one_line(error))
            return
        self.app.call_from_thread(self._loaded, path, pages)

    def _loaded(self, path: Path, pages: tuple[Image.Image, ...]) -> None:
        self._images[path] = pages
        if path == self.path:
            self._set(pages, "")

    def turn(self, step: int) -> None:
        """The next (1) or previous (-1) label of the file, round the end."""
        if len(self.pages) > 1:
            self.page = (self.page + step) % len(self.pages)
            self.image = self.pages[self.page]
            self._drawn_for = None
            self._picture()
            self.refresh()

    @property
    def caption(self) -> str:
        """Which label of the file is shown, when it holds more than one."""
        if len(self.pages) < 2:
            return ""
        return f"label {self.page + 1} of {len(self.pages)} · ] next · [ previous"

    def _failed(self, path: Path, message: str) -> None:
        if path == self.path:
            self._set(None, f"Cannot draw {path.name}: {message}")

    def _set(self, pages: tuple[Image.Image, ...] | None, message: str) -> None:
        self.pages = pages or ()
        self.page = 0
        self.image = self.pages[0] if self.pages else None
        self.message = message
        self._drawn_for = None
        self._picture()
        self.refresh()

    def _picture(self) -> None:
        """Where the terminal draws pictures: the label itself, in a child that keeps its aspect."""
        kind = graphics.picture()
        if kind is None or not self.is_mounted:
            return
        if self.image is None:
            if self.picture is not None:
                self.picture.remove()
                self.picture = None
            return
        if self.picture is None:
            self.picture = kind(self.image, classes="picture")
            self.mount(self.picture)
        else:
            setattr(self.picture, "image", self.image)  # noqa: B010 - textual-image's widgets, Sixel's or Kitty's

    @property
    def drawn(self) -> bool:
        """Whether a picture (not a message) is on screen: for tests and the status line."""
        return self.image is not None

    def _draw(self, size: Size) -> None:
        key = (size.width, size.height, id(self.image))
        if self._drawn_for == key:
            return
        self._drawn_for = key
        # the caption, when there is one, takes the bottom row
        rows = size.height - 1 if self.caption else size.height
        self._lines = halfblock_lines(self.image, (size.width, max(1, rows))) if self.image is not None else []

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        style = self.rich_style
        if self.picture is not None and self.image is not None:
            caption = self.caption  # the picture is the child; this draws the caption only
            if caption and y == self.size.height - 1:
                return Strip([Segment(caption[:width].center(width), style)], width)
            return Strip.blank(width, style)
        if self.image is None:
            lines = textwrap.wrap(self.message, max(1, width))
            line = lines[y] if y < len(lines) else ""
            return Strip([Segment(line.ljust(width), style)], width) if line else Strip.blank(width, style)
        self._draw(self.size)
        caption = self.caption
        if caption and y == self.size.height - 1:
            return Strip([Segment(caption[:width].center(width), style)], width)
        rows = self.size.height - 1 if caption else self.size.height
        top = max(0, (rows - len(self._lines)) // 2)
        row = y - top
        if not 0 <= row < len(self._lines):
            return Strip.blank(width, style)
        segments = self._lines[row]
        used = sum(len(segment.text) for segment in segments)
        left = max(0, (width - used) // 2)
        padded = [Segment(" " * left, style), *segments, Segment(" " * max(0, width - used - left), style)]
        return Strip(padded, width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height


class PaperTest(Widget):
    """Print and Scan for the label previewed, and one line saying what happened (``say``)."""

    DEFAULT_CSS = """
    PaperTest {
        height: auto;
        padding: 0 1;
    }
    PaperTest > Horizontal {
        height: 1;
    }
    PaperTest #print {
        min-width: 0;
        margin-right: 1;
    }
    PaperTest #scan {
        width: 1fr;
    }
    PaperTest #paper-said {
        height: auto;
        max-height: 4;
    }
    """

    class PrintAsked(Message):
        """Print was pressed."""

    class Scanned(Message):
        """The scanner (or a person) typed a code and Enter."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Button("Print (p)", compact=True, id="print")
            yield FormInput(
                placeholder="Scan (s): the handheld scanner types the label's code here",
                compact=True,
                max_length=MAX_LINE,
                id="scan",
            )
        yield Static(id="paper-said")

    def say(self, text: str, status: str) -> None:
        """One line of what the print or the scan did: it quotes printers and scanners, so it is ``shown``."""
        self.query_one("#paper-said", Static).update(Text(shown(text, None), style=tone(self, status)))

    @property
    def field(self) -> Input:
        return self.query_one("#scan", Input)

    @on(Button.Pressed, "#print")
    def _print(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.PrintAsked())

    @on(Input.Submitted, "#scan")
    def _scanned(self, event: Input.Submitted) -> None:
        event.stop()
        # emptied at once: a scanner sends the next code straight after, and each Enter is one read
        event.input.value = ""
        self.post_message(self.Scanned(event.value))
