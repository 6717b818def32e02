"""Collection forms as certification reads them: a base64 PDF, and which tracking ids its text lists."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
from dataclasses import dataclass

__all__ = ["MAX_FORM_PAGES", "FormRead", "NotAForm", "read_form"]

#: a day's form lists a few dozen parcels a page; a document longer than this is not read to its end
MAX_FORM_PAGES = 200
_SPACE = re.compile(r"\s+")


class NotAForm(Exception):
    """The document is no PDF onboard can read; the message says what it is instead."""


@dataclass(frozen=True, slots=True)
class FormRead:
    size: int
    sha256: str
    pages: int
    #: the tracking ids asked about that the form's text lists
    listed: tuple[str, ...]


def read_form(contents: str, tracking_ids: list[str]) -> FormRead:
    """Decode a collection form and find ``tracking_ids`` in its text; NotAForm when it is no PDF.

    CPU work (pypdf parses every page): callers run it in a worker thread."""
    try:
        data = base64.b64decode(contents, validate=True)
    except (binascii.Error, ValueError):
        raise NotAForm(f"the collection form is not base64 ({len(contents)} characters)") from None
    if not data.startswith(b"%PDF-"):
        raise NotAForm(f"the collection form is not a PDF: it starts {data[:8]!r}")
    from pypdf import PdfReader  # noqa: PLC0415 - pypdf loads only when a form is read
    from pypdf.errors import PyPdfError  # noqa: PLC0415

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = len(reader.pages)
        text = "\n".join(page.extract_text() or "" for page in reader.pages[:MAX_FORM_PAGES])
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise NotAForm(f"the collection form is a PDF pypdf cannot read: {type(exc).__name__}") from None
    # a text layer may break a long id across a space or a line; the ids themselves hold none
    joined = _SPACE.sub("", text)
    listed = tuple(t for t in tracking_ids if t and (t in text or t in joined))
    return FormRead(len(data), hashlib.sha256(data).hexdigest(), pages, listed)
