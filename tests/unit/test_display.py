"""``onboard.display``: outside text made safe to show, by property (hypothesis) and by example."""

from __future__ import annotations

import io
import json
import re
import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from onboard import masking
from onboard.display import ShownStream, controls, shown, visible

#: what a terminal must never receive from outside text
UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
#: the zero-width (non-)joiner: scripts and emoji need them, and they move nothing
KEPT = frozenset({"\u200c", "\u200d"})
ATTACKS = {
    "clear screen": "\x1b[2J",
    "window title": "\x1b]0;pwned\x07",
    "clipboard": "\x1b]52;c;cHduZWQ=\x07",
    "carriage return": "failed\rpassed",
    "backspace": "NOT\x08\x08\x08OK",
    "C1 CSI": "\x9b31m",
    "right-to-left override": "\u202edeliaf",
    "line break": "Acme\nOK: intact",
}


def unsafe(text: str, allowed: str = "") -> list[str]:
    return [c for c in text if unicodedata.category(c) in UNSAFE and c not in KEPT and c not in allowed]


def read_back(text: str) -> str:
    """What ``visible`` escaped, as it was (for text that held no backslash of its own)."""
    named = {"n": "\n", "r": "\r", "t": "\t"}

    def one(match: re.Match[str]) -> str:
        body = match.group(1)
        return named[body] if body in named else chr(int(body[1:], 16))

    decoded = re.sub(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[nrt])", one, text)
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")


@given(st.text())
def test_nothing_a_terminal_obeys_is_left(text: str) -> None:
    assert unsafe(visible(text)) == []
    assert unsafe(visible(text, lines=True), allowed="\n\t") == []
    assert unsafe(shown(text, 40)) == []


@given(st.text())
def test_showing_twice_changes_nothing(text: str) -> None:
    once = shown(text, None)
    assert shown(once, None) == once
    assert visible(visible(text, lines=True), lines=True) == visible(text, lines=True)


@given(st.text().filter(lambda t: "\\" not in t))
def test_what_was_escaped_can_be_read_back(text: str) -> None:
    # injective: two different texts never look the same (a backslash of the text's own aside)
    assert read_back(visible(text)) == text
    assert read_back(visible(text, lines=True)) == text


@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))))
def test_readable_text_is_shown_as_it_is(text: str) -> None:
    assert visible(text) == text


@given(st.text(), st.integers(min_value=1, max_value=200))
def test_a_cut_value_keeps_to_its_limit_and_cuts_no_escape_in_two(text: str, limit: int) -> None:
    out = shown(text.replace("\\", "/"), limit)
    assert len(out) <= limit
    if out.endswith("…") and len(out) > 1:
        body = out[:-1]
        assert re.sub(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[nrt])", "", body).count("\\") == 0


@given(
    st.recursive(
        st.text() | st.integers() | st.none(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)
    )
)
def test_json_shown_as_lines_is_still_the_same_json(value: object) -> None:
    # what ShownStream does to a --json output: it must stay valid JSON meaning the same
    for ascii_only in (True, False):
        text = json.dumps(value, indent=2, ensure_ascii=ascii_only)
        assert json.loads(visible(text, lines=True)) == value


def test_every_attack_is_shown_escaped() -> None:
    for name, attack in ATTACKS.items():
        out = shown(f"Acme {attack}", None)
        assert unsafe(out) == [] and "\n" not in out, name
    assert shown("\x1b[2J") == "\\x1b[2J"
    assert shown("\x1b]52;c;cHduZWQ=\x07") == "\\x1b]52;c;cHduZWQ=\\x07"
    assert shown("failed\rpassed") == "failed\\rpassed"
    assert shown("\u202edeliaf") == "\\u202edeliaf"
    assert shown("\x9b31m") == "\\u009b31m"
    assert shown("a\nb") == "a\\nb" and shown("a\nb", lines=True) == "a\nb"
    assert shown("x" * 200, 10) == "x" * 9 + "…"
    assert shown("abc\x1bdef", 6) == "abc…"  # never half an escape


def test_the_list_of_controls_is_unicodes() -> None:
    """Every code point of the unsafe categories, as this Python's unicodedata knows them, is escaped."""
    missed = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in UNSAFE and chr(code) not in KEPT and not controls().match(chr(code))
    ]
    assert missed == []


def test_a_stream_masks_a_secret_written_in_pieces_and_escapes_what_it_prints() -> None:
    masking.reset()
    masking.register("canary-piecewise-secret")
    out = io.StringIO()
    stream = ShownStream(out)
    for piece in ("the secret is canary-", "piecewise", "-secret\x1b[2J", "\nnext line\n", "no newline yet"):
        stream.write(piece)
    assert out.getvalue() == "the secret is [masked]\\x1b[2J\nnext line\n"
    stream.flush()
    assert out.getvalue().endswith("no newline yet")
    masking.reset()
