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

from dataclasses import dataclass

__all__ = ["Command", "read_commands"]


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
    caret, tilde = ord("^"), ord("~")
    commands: list[Command] = []
    n = len(data)
    i = 0
    # skip to the first prefix: what comes before it is no command
    while i < n and data[i] not in (caret, tilde):
        i += 1
    while i < n:
        prefix_byte = data[i]
        prefix = "^" if prefix_byte == caret else "~"
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
            stops = (caret,) if code in _FIELD_DATA and prefix == "^" else (caret, tilde)
            start = i
            while i < n and data[i] not in stops:
                i += 1
            params = _strip_breaks(data[start:i])
        command = Command(prefix, code, params)
        commands.append(command)
        if code in ("CC", "CT") and params[:1]:
            # the new prefix applies from the next command on
            new = params[0]
            if new not in (10, 13, 32):
                if code == "CC":
                    caret = new
                else:
                    tilde = new
    return commands


def _graphic_field(data: bytes, i: int, caret: int, tilde: int) -> tuple[bytes, int]:
    """^GFa,b,c,d,DATA: for binary compression (B, C) exactly b bytes of data, which may hold any byte."""
    n = len(data)
    start = i
    commas = 0
    j = i
    while j < n and commas < 4 and data[j] not in (caret, tilde):
        if data[j] == ord(","):
            commas += 1
        j += 1
    head = _strip_breaks(data[start:j]).decode("latin-1")
    parts = head.split(",")
    kind = parts[0].strip().upper() if parts else ""
    if commas == 4 and kind in ("B", "C"):
        try:
            count = int(parts[1].strip())
        except (ValueError, IndexError):
            count = -1
        if 0 <= count <= n - j:
            return data[start:j] + data[j : j + count], j + count
    while j < n and data[j] not in (caret, tilde):
        j += 1
    return _strip_breaks(data[start:j]), j
