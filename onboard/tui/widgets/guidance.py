"""A step's guidance on screen: its paragraphs reflowed to the panel, its '- ' lists with hanging bullets.

The guidance in ``checks/onboarding.toml`` is written in that subset of Markdown and no more (a data test
holds it there), so one Rich renderable in one ``Static`` draws it. Textual's Markdown widget drew the
same with a widget per block and a Markdown parser loaded at start: about a sixth of the CPU time to the
first frame here (0.88-0.92 s against 0.72-0.74 s), paid again in part at every step shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

BULLET = "•"


@dataclass(slots=True)
class Block:
    """A paragraph (its lines) or a list (its items, each its lines)."""

    items: list[list[str]] = field(default_factory=list)
    bulleted: bool = False


def blocks(guidance: str) -> list[Block]:
    """Paragraphs and lists, as Markdown reads them: a blank line ends either; '- ' starts an item."""
    found: list[Block] = []
    current: Block | None = None
    for raw in guidance.strip().splitlines():
        line = raw.strip()
        if not line:
            current = None
        elif raw.startswith("- "):
            if current is None or not current.bulleted:
                current = Block(bulleted=True)
                found.append(current)
            current.items.append([raw[2:].strip()])
        elif current is None:
            current = Block(items=[[line]])
            found.append(current)
        else:
            current.items[-1].append(line)  # a paragraph's next line, or an item's continuation
    return found


def render_guidance(guidance: str) -> RenderableType:
    parts: list[RenderableType] = []
    for block in blocks(guidance):
        if parts:
            parts.append(Text(""))
        if not block.bulleted:
            parts.append(Text(" ".join(block.items[0])))
            continue
        items = Table.grid(padding=(0, 1, 0, 0))
        items.add_column(no_wrap=True)
        items.add_column(ratio=1)
        for item in block.items:
            items.add_row(BULLET, Text(" ".join(item)))
        parts.append(items)
    return Group(*parts)
