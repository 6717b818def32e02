"""Reading what a screen shows, as text."""

from __future__ import annotations

from rich.console import Console
from textual.app import App
from textual.widgets import Static


def shown(app: App[object], selector: str) -> str:
    """The text of a ``Static`` on the current screen, whatever it holds (text, markup, Rich renderables)."""
    content = app.screen.query_one(selector, Static).content
    if isinstance(content, str):
        return content
    console = Console(width=200, record=True, color_system=None, file=None)
    with console.capture() as capture:
        console.print(content)
    return capture.get()


async def settle(app: App[object]) -> None:
    """Wait for the workers, and for those they started (a reload after a save)."""
    await app.workers.wait_for_complete()
    await app.workers.wait_for_complete()
