"""Every key, and what each section is for."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Markdown

from onboard.tui.sections import SECTIONS


def help_text() -> str:
    """Every key, the sections' from their list."""
    keys = " · ".join(f"`{number}` {entry.title}" for number, entry in enumerate(SECTIONS, 1))
    parts = [
        f"**Sections** — {keys}.\n"
        "`Ctrl+P` opens the command palette: every action, and every step by name.\n"
        "`?` (or `F1`, also from a field) this help · `t` light/dark theme · `Ctrl+Q` quit (you come back to the "
        "same place).\nWhile a field has the cursor, letters and digits type into it: `Esc` leaves it first."
    ]
    parts += [f"**{entry.title}** — {entry.help}" for entry in SECTIONS]
    parts.append("The colours follow the theme; with `NO_COLOR` set, none are used.")
    return "\n\n".join(parts) + "\n"


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog"):
            yield Label("onboard · keys", classes="dialog-title")
            with VerticalScroll():
                yield Markdown(help_text(), id="help-text")
        yield Footer(compact=True)
