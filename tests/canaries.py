"""The search of the secret-canary suites: every place a run showed or left, and where a secret is in them.

A place is anything a secret could reach: a file, a captured output, a screenshot's text. A zip is opened
and each entry is a place of its own; a PDF is read as its decompressed streams and as the text pypdf
extracts. :func:`forms` gives the forms a secret travels in, so a search finds it URL-encoded or
JSON-escaped as well as plain.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
import secrets
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

ACCESS_TOKEN_PREFIX = "Atza|"  # the public prefix of Amazon's access tokens


def forms(secret: str) -> tuple[str, ...]:
    """``secret`` plain, URL-encoded (as a path or query part, and as a form field) and JSON-escaped."""
    found = dict.fromkeys((secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]))
    return tuple(found)


def all_forms(secrets: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(form for secret in secrets for form in forms(secret)))


def pdf_text(data: bytes) -> str:
    """The text pypdf reads on every page of a PDF ("" for one it cannot read)."""
    from pypdf import PdfReader  # noqa: PLC0415

    try:
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    except Exception:  # not a PDF pypdf can read: its streams are still searched
        return ""


def pdf_streams(data: bytes) -> Iterator[bytes]:
    """Every stream of a PDF as its text reads: the report's pages are ASCII85 and Flate encoded."""
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, flags=re.DOTALL):
        body = match.group(1).strip()
        if body.endswith(b"~>"):
            with contextlib.suppress(ValueError):
                body = base64.a85decode(body, adobe=True)
        with contextlib.suppress(zlib.error):
            body = zlib.decompressobj().decompress(body)
        yield body


@dataclass
class Evidence:
    """Everything the run showed or left, by where it was found."""

    places: dict[str, bytes] = field(default_factory=dict)

    def add(self, place: str, data: bytes | str) -> None:
        raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
        while place in self.places:
            place += "'"
        self.places[place] = raw
        if raw.startswith(b"%PDF"):
            for number, stream in enumerate(pdf_streams(raw)):
                self.add(f"{place}, stream {number}", stream)
            text = pdf_text(raw)
            if text:
                self.add(f"{place}, its text", text)
        if raw.startswith(b"PK\x03\x04"):
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                for name in archive.namelist():
                    self.add(f"{place} → {name}", archive.read(name))

    def files(self, root: Path, but: Path | None = None) -> None:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path != but:
                self.add(str(path), path.read_bytes())

    def where(self, needle: str) -> list[str]:
        return [place for place, data in self.places.items() if needle.encode() in data]

    def hits(self, needles: tuple[str, ...]) -> list[str]:
        return [f"{needle!r} in {place}" for needle in needles for place in self.where(needle)]


def token_needles(issued: list[str]) -> tuple[str, ...]:
    """Each access token, and its random part alone (found even URL-encoded, after ``Atza%7C``)."""
    return tuple(n for token in issued for n in (token, token.removeprefix(ACCESS_TOKEN_PREFIX)))


def echo_canaries() -> dict[str, str]:
    """Fresh canaries each run, with the characters that change between a value's forms (``/ + = |``)."""
    return {
        "secret": f"amzn1.oa2-cs.v1.canary+{secrets.token_hex(12)}/s=",
        "new_secret": f"amzn1.oa2-cs.v1.rotated+{secrets.token_hex(12)}/n=",
        "typo_secret": f"amzn1.oa2-cs.v1.typo+{secrets.token_hex(12)}/t=",
        "refresh": f"Atzr|canary-refresh|{secrets.token_hex(12)}",
        "proxy_password": f"canary-proxy-{secrets.token_hex(12)}",
    }
