"""ZPL II as a printer reads it: bytes to commands, grouped into label formats.

A printer reads ZPL one command at a time: a prefix (``^``, or ``~`` for commands it runs at once), a two
letter code (``^A`` takes one letter, its font name follows), then parameters up to the next prefix. This
module does the same and nothing more: no command is interpreted here but the four that change how the rest
is read: ``^CC``/``~CC`` (the caret), ``^CT``/``~CT`` (the tilde), and the data-carrying commands whose
parameters may hold what would otherwise be a prefix (``^FX`` comments end at the next prefix like anything
else; ``^GFB`` and ``^GFC`` carry a counted run of binary bytes).

What a printer ignores is ignored here too: carriage returns and line feeds anywhere, and stray text between
commands (it becomes the previous command's parameters, which its command does not read).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Command", "Reader", "count_formats", "read_commands"]


@dataclass(frozen=True, slots=True)
class Command:
    """One command as written: ``code`` upper-cased ("FO", "A", "GF", "XA"), ``params`` as raw bytes."""

    prefix: str  # "^" or "~" as the printer understood it, whatever the prefix character was at the time
    code: str
    params: bytes

    @property
    def name(self) -> str:
        """The command as a person writes it in a list: ``^FO``, ``~DG``."""
        return f"{self.prefix}{self.code}"

    def text(self, encoding: str = "latin-1") -> str:
        return self.params.decode(encoding, errors="replace")

    def fields(self, count: int = 0) -> list[str]:
        """The parameters split on commas, at most ``count`` of them (the last takes the rest) when given."""
        raw = self.params.decode("latin-1")
        return raw.split(",", count - 1) if count > 0 else raw.split(",")


# data-carrying commands: their parameters end at the next caret only, so a tilde is data, as on a printer
_FIELD_DATA = {"FD", "FV", "FX", "SN", "SF"}


def _strip_breaks(raw: bytes) -> bytes:
    return raw.translate(None, b"\r\n") if b"\n" in raw or b"\r" in raw else raw


def read_commands(data: bytes) -> list[Command]:
    """Every command in ``data``, in order, as the printer's parser sees them."""
    return list(Reader(data))


@lru_cache(maxsize=16)
def _run_of(stops: bytes) -> re.Pattern[bytes]:
    return re.compile(b"[^" + b"".join(re.escape(bytes([b])) for b in stops) + b"]*")


def _next_stop(data: bytes, i: int, stops: bytes) -> int:
    """Where the next of ``stops`` is from ``i`` on (``len(data)`` if none): a scan in C, not byte by byte."""
    run = _run_of(stops).match(data, i)
    return run.end() if run is not None else i


class Reader:
    """The commands of ``data`` one at a time, so a reader that has seen enough stops paying for the rest.

    ``position`` is where the next command starts and ``caret`` the prefix in force there: what is left
    unread is ``data[position:]``, read with that caret.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0
        self.caret = ord("^")
        self.tilde = ord("~")

    def __iter__(self) -> Iterator[Command]:
        data = self.data
        n = len(data)
        # skip to the first prefix: what comes before it is no command
        i = _next_stop(data, self.position, bytes((self.caret, self.tilde)))
        while i < n:
            command, i = self._command(i)
            self.position = i
            if command.code in ("CC", "CT") and command.params[:1]:
                # the new prefix applies from the next command on
                new = command.params[0]
                if new not in (10, 13, 32):
                    if command.code == "CC":
                        self.caret = new
                    else:
                        self.tilde = new
            yield command

    def _command(self, i: int) -> tuple[Command, int]:
        data, caret, tilde = self.data, self.caret, self.tilde
        n = len(data)
        prefix = "^" if data[i] == caret else "~"
        i += 1
        # line breaks may fall anywhere, even between a prefix and its code
        while i < n and data[i] in (10, 13):
            i += 1
        code_chars: list[str] = []
        while i < n and len(code_chars) < 2:
            b = data[i]
            if b in (10, 13):
                i += 1
                continue
            if b in (caret, tilde):
                break
            code_chars.append(chr(b).upper())
            i += 1
        code = "".join(code_chars)
        if code[:1] == "A" and code != "A@":
            # ^Af: the font name is the first parameter, not part of the code
            code, i = "A", i - (len(code) - 1)
        if code == "GF" and prefix == "^":
            params, i = _graphic_field(data, i, caret, tilde)
        else:
            stops = bytes((caret,)) if code in _FIELD_DATA and prefix == "^" else bytes((caret, tilde))
            start = i
            i = _next_stop(data, i, stops)
            params = _strip_breaks(data[start:i])
        return Command(prefix, code, params), i


def _graphic_field(data: bytes, i: int, caret: int, tilde: int) -> tuple[bytes, int]:
    """^GFa,b,c,d,DATA: for binary compression (B, C) exactly b bytes of data, which may hold any byte."""
    n = len(data)
    start = i
    end = _next_stop(data, i, bytes((caret, tilde)))
    # the head is the text up to the fourth comma, if it comes before the next prefix
    parts = data[start:end].split(b",", 4)
    if len(parts) == 5:
        j = start + sum(len(p) for p in parts[:4]) + 4
        head = _strip_breaks(data[start:j]).decode("latin-1").split(",")
        kind = head[0].strip().upper()
        if kind in ("B", "C"):
            try:
                count = int(head[1].strip())
            except (ValueError, IndexError):
                count = -1
            if 0 <= count <= n - j:
                return data[start:j] + data[j : j + count], j + count
    return _strip_breaks(data[start:end]), end


def count_formats(data: bytes, caret: int) -> int:
    """How many label formats in ``data`` print something, counted from their bytes without reading them.

    Each ^XA whose format holds a field's data or end (^FD, ^FS) and stores nothing (^DF) is one label: an
    estimate (a ^CC inside is not followed), and one that costs a scan however many formats there are.
    """
    mark = bytes((caret,)).upper()
    formats = data.upper().split(mark + b"XA")[1:]
    fields, stores = (mark + b"FD", mark + b"FS"), mark + b"DF"
    return sum(1 for text in formats if (fields[0] in text or fields[1] in text) and stores not in text)
