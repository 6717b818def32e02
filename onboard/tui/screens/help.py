"""Every key, and what each section is for."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Markdown

HELP = """\
**Sections** — `1` Journey · `2` Credentials · `3` Certification · `4` Sign-off.
`Ctrl+P` opens the command palette: every action, and every step by name.
`?` this help · `t` light/dark theme · `Ctrl+Q` quit (you come back to the same place).

**Journey** — ↑↓ choose a step, `Enter` or `e` edit its evidence, `s` its status, `n` add a note,
`m` the ready-to-send RIVER message, `Esc` back to the steps, `Space` fold a phase.
Evidence is checked as you type and recorded when you press `Enter` or leave the field;
a value not valid yet is kept as a draft. Every change goes to the audit trail, as with `onboard step`.

**Credentials** — the store in use and the credentials in force (never shown whole).
Type them (secrets are masked), `Ctrl+S` stores them, `v` runs the live checks of
`onboard creds verify`, `f` forgets them. With the emulator no credentials are needed.

**Certification** — `r` runs the catalog against the workspace's environment (the UI stays
responsive), `Enter` opens a case: its calls (request and response, personal data removed)
and its labels with a preview and their checks. `z` enlarges the preview.

**Sign-off** — `b` builds the pack for your account manager and shows its review.

The colours follow the theme; with `NO_COLOR` set, none are used.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog"):
            yield Label("onboard · keys", classes="dialog-title")
            with VerticalScroll():
                yield Markdown(HELP, id="help-text")
        yield Footer(compact=True)
