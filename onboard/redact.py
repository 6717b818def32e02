"""Showing identifiers and secrets without disclosing them."""

from __future__ import annotations

_PREFIXES = ("amzn1.application-oa2-client.", "amzn1.oa2-cs.v1.", "Atzr|", "Atza|")


def redact(value: str, keep: int = 4) -> str:
    """``amzn1.application-oa2-client.…3f9a``: the public prefix and the last few characters only.

    Short values show nothing of themselves: four characters of an eight-character secret is half of it.
    """
    if not value:
        return ""
    prefix = next((p for p in _PREFIXES if value.startswith(p)), "")
    rest = value[len(prefix) :]
    if len(rest) < keep * 4:
        return f"{prefix}…"
    return f"{prefix}…{rest[-keep:]}"
