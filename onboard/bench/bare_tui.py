"""The baseline of the TUI's first frame: a Textual app with one line of text and nothing of onboard's.

Run as a script (``python bare_tui.py``), not as a module of the package, so that it imports Textual
and nothing else: what it takes to draw is what this machine, at this moment, takes to start Python and
Textual and paint a screen. Importing this module imports nothing (the headless core never loads Textual).
"""


def main() -> None:
    from textual.app import App, ComposeResult  # noqa: PLC0415
    from textual.widgets import Static  # noqa: PLC0415

    class BareApp(App[None]):
        BINDINGS = [("ctrl+q", "quit", "Quit")]  # noqa: RUF012 - Textual's own idiom, read once

        def compose(self) -> ComposeResult:
            yield Static("0/23 steps done")  # what the benchmark waits for on onboard's journey too

    BareApp().run()


if __name__ == "__main__":
    main()
