"""Reading a TOML file that came from someone else (a workspace's own catalog, an account manager's list)
within bounds that ``tomllib`` does not keep.

``tomllib`` keeps a record per prefix of every dotted key, so one key of 100,000 parts (200 KB of
``a.a.a…``) costs it tens of gigabytes: the process is killed before it answers. Deep nesting of arrays
or inline tables exhausts the stack instead. Both, and a file too large to be a list of cases, are
refused here as a ``TOMLDecodeError`` with the reason, which every caller already reports in one line.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

__all__ = ["MAX_BYTES", "MAX_KEY_PARTS", "read_toml"]

#: far above any catalog file (the largest built-in case is under 2 KB)
MAX_BYTES = 1024 * 1024
#: far above any real key (the catalog's deepest is 3 parts); tomllib's cost grows with the square
MAX_KEY_PARTS = 64


def read_toml(path: Path) -> dict[str, Any]:
    """The document in ``path``; ``OSError`` or ``UnicodeDecodeError`` as reading raises them,
    ``TOMLDecodeError`` for a file that is not TOML or is past the bounds above."""
    with path.open("rb") as file:
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise tomllib.TOMLDecodeError(f"larger than {MAX_BYTES // 1024} KB, which no catalog file is")
    text = data.decode("utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        parts = _key_parts(line)
        if parts > MAX_KEY_PARTS:
            raise tomllib.TOMLDecodeError(f"line {number}: a key of {parts} dotted parts (at most {MAX_KEY_PARTS})")
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError("nested too deeply") from None


def _key_parts(line: str) -> int:
    # a table header's key, or what stands before a key's "=" (a line of prose in a multi-line string has
    # no "=" as a rule): counted generously, a dot in a quoted key too, which only refuses an absurd key
    stripped = line.lstrip()
    if stripped.startswith("["):
        return stripped.strip("[]").count(".") + 1
    key, equals, _ = stripped.partition("=")
    return key.count(".") + 1 if equals else 1
