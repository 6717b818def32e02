"""A ready-to-send RIVER message: read it, copy it, close it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static


class MessageScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "Copy"),
        Binding("escape,q", "dismiss", "Close"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.heading = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="message-box", classes="dialog"):
            yield Label(f"RIVER message · {self.heading}", classes="dialog-title")
            with VerticalScroll():
                yield Static(self.text, markup=False, id="message-text")
            yield Label("c copies it to the clipboard (where the terminal allows); Esc closes.", classes="muted")
        yield Footer(compact=True)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify("Copied to the clipboard (if your terminal supports OSC 52).")
