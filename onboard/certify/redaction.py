"""What a run record may keep of a request or response: no personal data, no secrets, no label bytes.

Addresses keep what routes a parcel (city, region, postal code, country) and lose who and where exactly
(name, company, street lines, email, phone, geocode). Label contents are replaced by their size and
digest; the files themselves are kept beside the record, byte for byte.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from onboard.files import read_json

PERSONAL = frozenset(
    {"name", "companyName", "addressLine1", "addressLine2", "addressLine3", "email", "phoneNumber", "geocode"}
)
SECRET = frozenset({"access_token", "refresh_token", "client_secret", "x-amz-access-token"})
REDACTED = "[redacted]"


def _label_summary(contents: str) -> str:
    try:
        data = base64.b64decode(contents, validate=True)
    except (binascii.Error, ValueError):
        return f"[not base64: {len(contents)} characters]"
    return f"[label: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}]"


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in PERSONAL or key in SECRET:
                out[key] = REDACTED
            elif key == "contents" and isinstance(item, str):
                out[key] = _label_summary(item)
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


#: the largest body a run records: Amazon's biggest answers (a label in every format) are a fraction of it
MAX_RECORDED_BODY = 1024 * 1024


def redact_body(body: bytes | None) -> Any:
    """A recorded body as JSON with personal data and secrets removed; non-JSON as a short note."""
    if body is None:
        return None
    if not body:
        return ""
    if len(body) > MAX_RECORDED_BODY:
        # a server that answers megabytes (a hostile one, padding) would make run.json, and so the pack, huge
        return f"[{len(body)} bytes: too large to keep in the record]"
    try:
        return redact(read_json(body))
    except (ValueError, UnicodeDecodeError):
        return f"[{len(body)} bytes, not JSON]"
