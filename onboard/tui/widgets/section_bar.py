"""The top line of every section: the four sections with their keys (the current one lit), and the workspace."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from onboard.tui.sections import SECTIONS
from onboard.tui.widgets.base import onboard_app


class SectionBar(Horizontal):
    DEFAULT_CSS = """
    SectionBar {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    SectionBar #sections {
        width: auto;
    }
    SectionBar #where {
        width: 1fr;
        text-align: right;
        color: $text-muted;
        padding-right: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, current: str, trail: str = "") -> None:
        super().__init__()
        self.current = current
        self.trail = trail

    def compose(self) -> ComposeResult:
        yield Static(self._sections(), id="sections")
        # the shipper's name is text, never markup: a "[b]" in it is two characters and a letter
        yield Static(onboard_app(self).sub_title, id="where", markup=False)

    def _sections(self) -> Content:
        parts = [Content.from_markup("[b] onboard [/b]")]
        for number, entry in enumerate(SECTIONS, 1):
            if entry.mode == self.current:
                parts.append(Content.from_markup(f"[b $text on $primary] {number} {entry.title} [/]"))
            else:
                parts.append(
                    Content.from_markup(
                        f"[@click=app.open_section('{entry.mode}')] [$accent]{number}[/] {entry.title} [/]"
                    )
                )
        if self.trail:
            parts.append(Content.from_markup(" › [b]$trail[/b] ", trail=self.trail))
        return Content("").join(parts)

    def on_mount(self) -> None:
        self.watch(onboard_app(self), "state_version", self._where, init=False)

    def _where(self, _version: int = 0) -> None:
        self.query_one("#where", Static).update(onboard_app(self).sub_title)
