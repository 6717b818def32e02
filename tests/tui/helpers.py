"""Reading what a screen shows, as text."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from textual.app import App
from textual.widgets import DataTable, Input, OptionList, Static


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


def svg_text(svg: str) -> str:
    """The characters an SVG screenshot draws, in order: its text runs, tags dropped and entities read."""
    runs = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    return "".join(html.unescape(run) for run in runs).replace("\xa0", " ")  # spaces are drawn as &#160;


def rendered(content: object) -> str:
    """A widget's content as plain text, however it is held (a string, Rich text, a table, a syntax block)."""
    if isinstance(content, str):
        return content
    console = Console(width=200, record=True, color_system=None, file=io.StringIO())
    console.print(content)
    return console.export_text()


def widget_texts(app: App[Any]) -> Iterator[tuple[str, str]]:
    """The text each widget on the current screen holds, scrolled into view or not.

    A masked input's value is the one thing left out: it holds what is being typed, and what it draws
    (the dots) is in the screenshot."""
    for widget in app.screen.query("*"):
        name = f"{type(widget).__name__}#{widget.id or '-'}"
        if isinstance(widget, Static):
            yield name, rendered(widget.content)
        elif isinstance(widget, Input):
            yield name, widget.placeholder + ("" if widget.password else "\n" + widget.value)
        elif isinstance(widget, DataTable):
            yield name, "\n".join(rendered(cell) for row in range(widget.row_count) for cell in widget.get_row_at(row))
        elif isinstance(widget, OptionList):
            yield name, "\n".join(rendered(widget.get_option_at_index(n).prompt) for n in range(widget.option_count))


def screen_lines(app: App[Any]) -> list[str]:
    """The screen as a person sees it, one string per row (what a terminal would show)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]
