"""A step's guidance as the TUI draws it: paragraphs reflowed, '- ' items with hanging bullets."""

from __future__ import annotations

import io
import re

from rich.console import Console

from onboard.checklist.load import checklist
from onboard.tui.widgets.guidance import blocks, render_guidance

SECURITY = checklist().by_id["security-controls"].guidance


def drawn(text: str, width: int) -> list[str]:
    console = Console(width=width, file=io.StringIO(), color_system=None, record=True)
    console.print(render_guidance(text))
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_paragraphs_are_reflowed_and_a_list_is_its_own_block() -> None:
    found = blocks(SECURITY)
    assert [block.bulleted for block in found] == [False, True, False]
    intro, bullets, closing = found
    assert (
        intro.items[0][-1]
        == "really run, in your own words (answers copied from another company are refused). Prepare:"
    )
    assert len(bullets.items) == 8
    assert bullets.items[0] == [
        "network protection: firewalls or access lists denying unknown sources, anti-malware on endpoints,",
        "segmented networks, public access only for approved users;",
    ]
    assert closing.items == [["Where a third party runs part of your systems, check the answers with them first."]]


def test_items_wrap_under_their_text_not_under_the_bullet() -> None:
    lines = drawn(SECURITY, width=60)
    first = lines.index(next(line for line in lines if line.startswith("• network protection")))
    assert lines[first + 1].startswith("  ") and not lines[first + 1].startswith("  •")
    assert lines[first - 1] == ""  # the list stands apart from the paragraph before it
    assert lines[-3:] == ["", "Where a third party runs part of your systems, check the", "answers with them first."]
    assert all(len(line) <= 60 for line in lines)


def test_every_shipped_guidance_draws_all_of_its_words_in_order() -> None:
    for step in checklist().steps:
        words = [word for word in " ".join(drawn(step.guidance, width=80)).split() if word != "•"]
        assert words == re.sub(r"^- ", "", step.guidance, flags=re.MULTILINE).split(), step.id
