"""Does a barcode carry the tracking ID? As a carrier's scanner sees it, not only character for character.

Carriers rarely print the tracking ID alone. USPS puts it in a GS1 element string after the destination ZIP
(``(420)98028(92)05590303…``: AI 92 and its value are the tracking number), an SSCC sits in AI 00, FedEx's
34-digit barcode ends with the 12- or 15-digit tracking number, and UPS's MaxiCode carries an ISO 15434
message whose fields hold the tracking number's parts. ``carries`` answers with how the ID is carried, in
words a print shop would use, or None. PDF, PNG and ZPL labels are judged by this one function.
"""

from __future__ import annotations

import re

__all__ = ["carries", "normalise", "shown"]

# zxing-cpp shows the ISO 15434 separators as pictures of themselves; both spellings mean the same bytes
_SEPARATORS = dict(zip("␞␝␜␄", "\x1e\x1d\x1c\x04", strict=True))
_PICTURES = str.maketrans(_SEPARATORS)
_AS_PICTURES = str.maketrans({byte: picture for picture, byte in _SEPARATORS.items()})
_GS1_ELEMENT = re.compile(r"\((\d{2,4})\)([^(]*)")
# AIs whose value carries a parcel's tracking number: SSCC, and USPS IMpb's routing + tracking (92-95 are
# the prefixes of a USPS tracking number, written as the AI followed by its value)
_TRACKING_AIS = {"00", "401", "403", "92", "93", "94", "95"}


def shown(text: str, limit: int = 60) -> str:
    """Barcode text as a person reads it: separators drawn as zxing-cpp draws them, a long payload cut."""
    drawn = text.translate(_AS_PICTURES)
    return drawn if len(drawn) <= limit else drawn[: limit - 3] + "…"


def normalise(text: str) -> str:
    """The bytes a scanner sends, whichever way the reader spelt the control characters."""
    return text.translate(_PICTURES).strip()


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def carries(text: str, tracking: str) -> str | None:
    """How the barcode text ``text`` carries ``tracking``: "equal", or where within it; None when it does not."""
    wanted = _compact(tracking).upper()
    if not wanted:
        return None
    raw = normalise(text)
    got = _compact(raw).upper()
    if got == wanted:
        return "equal"
    elements = _GS1_ELEMENT.findall(raw) if raw.startswith("(") else []
    for ai, written in elements:
        value = _compact(written).upper()
        if value == wanted or (ai in _TRACKING_AIS and ai + value == wanted):
            return f"inside a GS1 element string, AI ({ai})"
    if got.isdigit() and len(got) in (22, 34) and len(wanted) in (12, 15) and got.endswith(wanted):
        return f"the tracking segment of a {len(got)}-digit FedEx barcode"
    if "\x1d" in raw:
        parts = [_compact(p).upper() for p in re.split(r"[\x1d\x1e\x04]", raw)]
        if wanted in parts:
            return "a field of the barcode's ISO 15434 message"
        # UPS: "1Z" + shipper number (6) + service (2) + package (8); the MaxiCode message has "1Z" + package
        # and the shipper number as separate fields
        if wanted.startswith("1Z") and len(wanted) == 18 and f"1Z{wanted[10:]}" in parts and wanted[2:8] in parts:
            return "UPS's MaxiCode message (its tracking and shipper fields)"
    return None
