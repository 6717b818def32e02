"""The baseline of the TUI's first frame: a Textual app with one line of text and nothing of onboard's.

Run as a script (``python bare_tui.py``), not as a module of the package, so that it imports Textual
and nothing else: what it takes to draw is what this machine, at this moment, takes to start Python and
Textual and paint a screen.
"""

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Static


class BareApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [("ctrl+q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static("0/23 steps done")  # what the benchmark waits for on onboard's journey too


if __name__ == "__main__":
    BareApp().run()
