"""Text that did not come from onboard's own code, as it may be shown: secrets masked, controls made visible.

A server's error message, a shipment id, a workspace field or a pack's contents can hold what a terminal
obeys instead of printing: ESC and the CSI and OSC sequences it starts (colours, clearing the screen, the
window title, OSC 52 writing to the clipboard), CR that lets a line overwrite itself, BEL, backspace, the
C1 controls, bidi overrides that reorder a line, a newline that starts a line of its own. :func:`shown`
is the one place that turns such text into what may be shown: known secrets masked
(:mod:`onboard.masking`), every control character written as its escape (``\\x1b[2J``, ``\\r``,
``\\u202e``), cut to a length with an ellipsis. Everything the CLI prints passes through it once more as a
whole (:class:`ShownStream`, installed by ``onboard.cli.main``), keeping only onboard's own line breaks;
the TUI draws outside text through it (``onboard.tui.widgets.base``).

The escapes are Python's and, from DEL up, JSON's too (``\\u009b``), so a ``--json`` output stays valid
JSON. A backslash is left as it is, so showing shown text again changes nothing: a literal ``\\x1b`` in
the source reads as the escape would, which is what a reader needs to know anyway.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import IO, Any

from onboard.masking import mask

__all__ = ["ShownStream", "controls", "counted", "shown", "visible"]

#: every character of Unicode's categories Cc (controls), Cf (format: bidi overrides, zero-width ones),
#: Cs (lone surrogates), Zl and Zp (line and paragraph separators), but the zero-width joiner and
#: non-joiner that scripts and emoji need; a test holds this list to ``unicodedata``
_CONTROLS = (
    "\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b\u200e\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)


@functools.cache
def controls(lines: bool = False) -> re.Pattern[str]:
    """The characters :func:`visible` escapes (with ``lines``, all but tab and line feed); compiled on first
    use, not at every start."""
    kept = _CONTROLS.replace("\x00-\x1f", "\x00-\x08\x0b-\x1f") if lines else _CONTROLS
    return re.compile(f"[{kept}]")


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: an escape :func:`visible` writes, so that a cut never splits one
_ESCAPE = re.compile(r"\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|[nrt])")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code < 0x20:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)  # as JSON writes it: a surrogate pair
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


def visible(text: str, *, lines: bool = False) -> str:
    """``text`` with every control character written as its escape; with ``lines``, line breaks and tabs kept."""
    return controls(lines).sub(_escape, text)


def shown(value: object, limit: int | None = 120, *, lines: bool = False) -> str:
    """A value from a server, a file or a person, safe to show: secrets masked, controls escaped, and at most
    ``limit`` characters (the last one an ellipsis when cut; ``None``: whole). One line unless ``lines``."""
    text = visible(mask(str(value)), lines=lines)
    if limit is None or len(text) <= limit:
        return text
    cut = max(limit - 1, 0)
    for escape in _ESCAPE.finditer(text, max(cut - 9, 0), cut + 9):
        if escape.start() < cut < escape.end():
            cut = escape.start()
    return text[:cut] + "…"


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` and the word it counts, in the right number: "1 check", "3 checks", "2 labels"."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


class ShownStream:
    """A text stream whose every line is masked and made visible before it reaches ``target``.

    Lines are held until complete (or flushed), so a secret written in pieces is still masked whole."""

    def __init__(self, target: IO[str]) -> None:
        self.target = target
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            head, newline, self._pending = self._pending.rpartition("\n")
            if newline:
                self.target.write(shown(head + newline, None, lines=True))
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self.target.write(shown(self._pending, None, lines=True))
                self._pending = ""
        self.target.flush()

    def __getattr__(self, name: str) -> Any:
        # isatty, fileno, encoding, buffer…: the stream's own
        return getattr(self.target, name)
