"""Secrets removed by value: every known secret masked wherever it would be printed or recorded.

Redaction by key name (``client_secret``, ``access_token`` …, in :mod:`onboard.certify.redaction`) only
removes what is filed under a name it knows. A server that echoes the request in its error body, a
proxy that quotes a header, an access token inside a free text: those reach output under any name.
So, as CI systems mask the values of their secrets, the process keeps the secret values it knows and
every chokepoint removes them from what passes, in each form they travel in.

Who registers (:func:`register`): :class:`onboard.credentials.model.Credentials` (client secret and
refresh token of any credentials built: the environment's, the store's, typed, rotated: old and new),
:mod:`onboard.settings` (``LWA_NEW_CLIENT_SECRET``, the userinfo of ``ONBOARD_LWA_URL`` and
``ONBOARD_SPAPI_URL``), and the LWA client for every access token it is issued.

Who masks (:func:`mask`, :func:`mask_bytes`): :func:`onboard.display.shown` (and so every error's one
line), the CLI's stdout and stderr (:class:`onboard.display.ShownStream`), log records (:func:`install`),
``run.json``, the pack's reports and ``workspace.json``. URL userinfo (``https://user:pass@host``) is
removed from every URL on the way, known or not.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, AnyStr

if TYPE_CHECKING:
    import logging

# base64, html, json, logging and urllib load when a secret is first registered or logging is masked, not
# at every start: ``onboard --help`` imports this module and spends nothing on them

__all__ = [
    "MASK",
    "MIN_LENGTH",
    "holds_secret",
    "install",
    "mask",
    "mask_bytes",
    "register",
    "register_url",
    "reset",
]

MASK = "[masked]"
#: shorter values are never registered: masking every "admin" or "a" would wreck the output, and a value
#: that short is no secret worth the name (LWA's secrets and tokens are far longer)
MIN_LENGTH = 8
#: ``scheme://user:password@``: the userinfo of any http(s) URL, never shown (it stops at what ends a host)
_USERINFO = re.compile(r"(?i)\b(https?://)[^\s/?#@\"'<>\\\[\]]+@")
_USERINFO_BYTES = re.compile(_USERINFO.pattern.encode())
_PERCENT = re.compile(r"(%[0-9A-F]{2})")
#: what LWA's secrets look like, whoever's they are: an access or refresh token (``Atza|…``, ``Atzr|…``,
#: URL-encoded ``Atza%7C…``) and a client secret (``amzn1.oa2-cs.v1.<hex>``). A process masks the values it
#: knows; these are masked by shape too, for a value it never learnt (an old token a server echoes, a
#: pending.json read by a later ``--cleanup``)
_SHAPED = re.compile(r"(?i)\bAtz[ar](?:\||%7C)[A-Za-z0-9_\-.~+/=%|]{16,}|\bamzn1\.oa2-cs\.v\d+\.[0-9a-f]{16,}")
_SHAPED_BYTES = re.compile(_SHAPED.pattern.encode())
#: cheap first look: most text holds neither prefix
_SHAPE_HINT = re.compile(r"(?i)atz[ar]|oa2-cs")
_SHAPE_HINT_BYTES = re.compile(_SHAPE_HINT.pattern.encode())

_lock = threading.Lock()
_values: set[str] = set()
_pattern: re.Pattern[str] | None = None
_pattern_bytes: re.Pattern[bytes] | None = None
_folded: tuple[str, ...] = ()
#: the forms lower-cased (ASCII), longest first, when every one is ASCII: then masking is a substring search
#: per form over the lower-cased text (C speed), not one alternation of a hundred forms tried at every
#: position of a megabyte of run.json (0.6 s of a certification run)
_lowered: tuple[str, ...] | None = None
_lowered_bytes: tuple[bytes, ...] | None = None


def _forms(value: str) -> set[str]:
    """The forms ``value`` travels in: plain, URL-encoded, JSON-escaped, HTML-escaped, base64."""
    import base64  # noqa: PLC0415
    import html  # noqa: PLC0415
    import json  # noqa: PLC0415
    from urllib.parse import quote, quote_plus  # noqa: PLC0415

    quoted = {quote(value, safe=""), quote(value), quote_plus(value)}
    escaped = {json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    escaped |= {form.replace("/", "\\/") for form in escaped}
    escaped |= {json.dumps(form)[1:-1] for form in set(escaped)}  # a JSON text inside a JSON string
    raw = value.encode()
    encoded = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        encoded.add(encode(raw).decode().rstrip("="))
        # inside a longer base64 text the value starts 0, 1 or 2 bytes into a group of three: its encoding
        # then differs, except for the characters that hold its bytes alone (those are masked)
        for offset, skip in ((1, 2), (2, 3)):
            text = encode(b"\0" * offset + raw).decode()
            whole = (offset + len(raw)) // 3 * 4  # the last group may mix in the bytes that follow
            encoded.add(text[skip:whole])
        encoded.add(encode(raw).decode()[: len(raw) // 3 * 4])
    encoded = {form for form in encoded if len(form) >= MIN_LENGTH}
    return {value, html.escape(value), *quoted, *escaped, *encoded}


def _matching(form: str) -> str:
    """A regular expression for ``form``, its ``%2F`` escapes in either letter case (``%2f``)."""
    parts = []
    for piece in _PERCENT.split(form):
        if _PERCENT.fullmatch(piece):
            parts.append("%" + "".join(f"[{c}{c.lower()}]" if c.isalpha() else c for c in piece[1:]))
        else:
            parts.append(re.escape(piece))
    return "".join(parts)


def register(value: str | None) -> None:
    """Mask ``value`` from now on, in this process. Values shorter than :data:`MIN_LENGTH` are ignored."""
    global _pattern, _pattern_bytes, _folded, _lowered, _lowered_bytes  # noqa: PLW0603 - one registry
    if not value or len(value) < MIN_LENGTH:
        return
    with _lock:
        if value in _values:
            return
        _values.add(value)
        forms = sorted({form for known in _values for form in _forms(known)}, key=lambda f: (-len(f), f))
        # longest first: a value that holds another is masked whole
        source = "|".join(_matching(form) for form in forms)
        # in any letter case: a proxy that upper-cases what it echoes still echoes the secret
        _pattern, _pattern_bytes = re.compile(source, re.IGNORECASE), re.compile(source.encode(), re.IGNORECASE)
        _folded = tuple(form.casefold() for form in forms)
        ascii_only = all(form.isascii() for form in forms)
        _lowered = tuple(dict.fromkeys(form.lower() for form in forms)) if ascii_only else None
        _lowered_bytes = tuple(form.encode() for form in _lowered) if _lowered is not None else None


def register_url(url: str | None) -> None:
    """Mask the userinfo of ``url`` (``user:password``, the password, and its Basic-auth base64)."""
    import base64  # noqa: PLC0415
    from urllib.parse import unquote, urlsplit  # noqa: PLC0415

    if not url:
        return
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return
    userinfo = parts.netloc.rpartition("@")[0]
    user, _, password = userinfo.partition(":")
    for value in {userinfo, unquote(userinfo), password, unquote(password)}:
        register(value)
    plain = f"{unquote(user)}:{unquote(password)}"
    register(base64.b64encode(plain.encode()).decode())


def reset() -> None:
    """Forget every value: a command starts as a new process would (tests run many in one)."""
    global _pattern, _pattern_bytes, _folded, _lowered, _lowered_bytes  # noqa: PLW0603
    with _lock:
        _values.clear()
        _pattern = _pattern_bytes = None
        _folded = ()
        _lowered = _lowered_bytes = None


def mask(text: str) -> str:
    """``text`` with every known secret, in any of its forms, replaced by :data:`MASK`, no URL userinfo, and
    nothing shaped like an LWA token or client secret, known or not."""
    if "@" in text:  # first: a URL is shown without its userinfo, not with a mask in its place
        text = _USERINFO.sub(r"\1", text)
    pattern, lowered = _pattern, _lowered
    if lowered is not None and text.isascii():
        text = _masked(text, text.lower(), lowered, MASK)
    elif pattern is not None:
        text = pattern.sub(MASK, text)
    return _SHAPED.sub(MASK, text) if _SHAPE_HINT.search(text) else text


def mask_bytes(data: bytes) -> bytes:
    """:func:`mask` for a file's bytes (UTF-8 text such as JSON)."""
    if b"@" in data:
        data = _USERINFO_BYTES.sub(rb"\1", data)
    # bytes.lower() changes ASCII letters only, as IGNORECASE does for a bytes pattern: the same matches
    lowered = _lowered_bytes
    if lowered is not None:
        data = _masked(data, data.lower(), lowered, MASK.encode())
    elif _pattern_bytes is not None:
        data = _pattern_bytes.sub(MASK.encode(), data)
    return _SHAPED_BYTES.sub(MASK.encode(), data) if _SHAPE_HINT_BYTES.search(data) else data


def _masked(text: AnyStr, lowered: AnyStr, forms: tuple[AnyStr, ...], mask: AnyStr) -> AnyStr:
    """``text`` with every occurrence of ``forms`` in ``lowered`` (``text`` lower-cased, the same length)
    replaced by ``mask``: leftmost first, the longest form where several start at one place, as the
    alternation of the forms, longest first, would match."""
    spans: list[tuple[int, int]] = []
    for form in forms:
        start = lowered.find(form)
        while start != -1:
            spans.append((start, start + len(form)))
            start = lowered.find(form, start + 1)
    if not spans:
        return text
    spans.sort(key=lambda span: (span[0], -span[1]))
    pieces: list[AnyStr] = []
    done = 0
    for start, end in spans:
        if start >= done:
            pieces += (text[done:start], mask)
            done = end
    pieces.append(text[done:])
    return text[:0].join(pieces)


def holds_secret(text: str) -> bool:
    """Whether ``text`` holds a known secret in any of its forms, in any letter case."""
    folded = text.casefold()
    return any(form in folded for form in _folded)


def _mask_record(record: logging.LogRecord) -> None:
    """A log record's message built and masked at once, so no handler and no formatter sees a secret."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a bad format string: logging reports it itself when emitting
        return
    masked = mask(message)
    if masked != message:  # else the record stays as made: some formatters read its arguments
        record.msg, record.args = masked, None


_installed = False


def install() -> None:
    """Mask every log record of the process, whichever logger and handler it goes to (idempotent)."""
    import logging  # noqa: PLC0415

    global _installed  # noqa: PLW0603
    with _lock:
        if _installed:
            return
        _installed = True
    make = logging.getLogRecordFactory()

    def masked(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make(*args, **kwargs)
        _mask_record(record)
        return record

    logging.setLogRecordFactory(masked)
