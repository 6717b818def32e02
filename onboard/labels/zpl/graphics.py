"""Decode the bitmap of ZPL's ^GF (Graphic Field) and ~DG (Download Graphic) into a Pillow mask, as a Zebra would.

Design: every form of the data (ASCII hex with the alternative compression scheme, :Z64:, :B64:, raw binary) is
turned into one packed bitmap of exactly ``bytes_per_row * rows`` bytes, 1 bit = ink, and handed to Pillow once
with ``Image.frombytes("1", ...)``, whose raw '1' unpacker makes a set bit a 255 pixel: the result is a mask
that paints ink through. Sizes are checked against ``max_pixels`` before anything is allocated, what the data
expands to (repeat counts, inflated Z64) is clipped to the declared image before it is materialised, and ASCII
hex is tokenised by one regular expression so a run of plain hex (the whole of a typical 100 KB field) costs one
C-level slice, not a Python loop per digit.

The ASCII hex decoder models the printer's single line buffer: digits overwrite it from the left, a full row
is committed and the buffer keeps its contents, ``,``/``!`` fill the rest and commit, ``:`` commits the buffer
as it stands. At the start of a row ``:`` is therefore exactly "repeat the previous row", and a ``:`` in the
middle of one keeps the previous row's tail; data that ends mid-row leaves the rest blank.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

from PIL import Image

__all__ = ["GraphicError", "decode_dg", "decode_gf"]


class GraphicError(ValueError):
    """one-line reason the data cannot be decoded (a printer prints nothing for it)"""


# The programming guide: "!" fills the line "with ones (1)". Encoders that emit it (PDFtoZPL) mean 0xFF, i.e.
# ink; some renderers (zebrash, BinaryKits) read a hex digit '1' (0x11) instead. Ink is the reading chosen here.
_FILL_ONES = b"F"
_HEX_ZERO = b"0"

# G..Y repeat 1..19, g..z repeat 20..400; several of them add up ("gI" = 23, "vMB" = 327 B's)
_REPEAT = {**{ord("G") + i: i + 1 for i in range(19)}, **{ord("g") + i: 20 * (i + 1) for i in range(20)}}
# the sums of every one- and two-letter count, which is all that encoders write in practice
_COUNTS = {
    **{bytes([a]): n for a, n in _REPEAT.items()},
    **{bytes([a, b]): n + m for a, n in _REPEAT.items() for b, m in _REPEAT.items()},
}
_LETTERS = [(bytes([letter]), n) for letter, n in _REPEAT.items()]
# one match per step of the decoder: a digit with the count multiplying it (if any) and the plain digits after
# it, a row operator, a count that multiplies nothing, or anything else (refused). Whitespace is removed first,
# so "M 6" still means seven 6's. Taking the plain run with the counted digit halves the matches of typical
# compressed data, and a whole uncompressed field is one match.
_TOKEN = re.compile(rb"([G-Yg-z]*)([0-9A-Fa-f])([0-9A-Fa-f]*)|([,!:])|[G-Yg-z]+|(.)", re.DOTALL)
_WHITESPACE = b" \t\r\n\x0b\x0c"
_ZB64 = re.compile(rb"[ \t\r\n\x0b\x0c]*:([BZbz])64:")
_ANY_WHITESPACE = re.compile(rb"[ \t\r\n\x0b\x0c]")
# four hex digits, in either case; writers that drop leading zeros are read too
_CRC = re.compile(rb"[0-9A-Fa-f]{1,4}")


def decode_gf(
    compression: str, binary_bytes: int, graphic_bytes: int, bytes_per_row: int, data: bytes, *, max_pixels: int
) -> Image.Image:
    """^GFa,b,c,d,data: a = compression 'A' (ASCII hex), 'B' (binary), 'C' (compressed binary);
    b = binary byte count (the count of data for B/C, ignored-ish for A), c = graphic field count (total bytes of the
    uncompressed image), d = bytes per row. Returns a mode '1' image, width d*8, height c//d, where a pixel of value 1
    means INK (a mask to paint through). Raises GraphicError for what cannot be drawn, and when
    width*height > max_pixels."""
    # ZPL's default for a is A; the letter is read case-blind like the rest of the command's parameters
    kind = (compression or "A").strip().upper()
    if kind == "C":
        raise GraphicError("^GF format C (compressed binary) is not drawn")
    if kind not in ("A", "B"):
        raise GraphicError(f"^GF compression {compression!r} is not A, B or C")
    rows = _rows(graphic_bytes, bytes_per_row, max_pixels, "^GF")
    if kind == "A":
        bitmap = _text_bitmap(data, bytes_per_row, rows)
    else:
        if binary_bytes < 0:
            raise GraphicError(f"^GF binary byte count {binary_bytes} is negative")
        # b says how many bytes of binary follow; a caller that could only hand over fewer leaves the rest blank
        payload = data[:binary_bytes] if binary_bytes else data
        bitmap = bytes(payload[: bytes_per_row * rows])
    return _image(bitmap, bytes_per_row, rows)


def decode_dg(total_bytes: int, bytes_per_row: int, data: bytes, *, max_pixels: int) -> Image.Image:
    """~DGd:o.x,t,w,data: t total bytes, w bytes per row, data in ASCII hex (same compression scheme as ^GFA,
    and :Z64:/:B64: too). Same return convention."""
    rows = _rows(total_bytes, bytes_per_row, max_pixels, "~DG")
    return _image(_text_bitmap(data, bytes_per_row, rows), bytes_per_row, rows)


def _rows(total_bytes: int, bytes_per_row: int, max_pixels: int, command: str) -> int:
    """The image's height, once its size is known to be drawable and within bounds (nothing is allocated yet)."""
    if bytes_per_row <= 0:
        raise GraphicError(f"{command} bytes per row {bytes_per_row} is not positive")
    if total_bytes <= 0:
        raise GraphicError(f"{command} total byte count {total_bytes} is not positive")
    rows = total_bytes // bytes_per_row
    if rows == 0:
        raise GraphicError(f"{command} total of {total_bytes} bytes is less than one row of {bytes_per_row}")
    width = bytes_per_row * 8
    if width * rows > max_pixels:
        raise GraphicError(f"{command} graphic of {width}x{rows} dots is larger than the {max_pixels} allowed")
    return rows


def _image(bitmap: bytes, bytes_per_row: int, rows: int) -> Image.Image:
    size = bytes_per_row * rows
    if len(bitmap) != size:
        # data that runs short leaves the rest of the graphic blank, as on the printer
        bitmap = bitmap[:size] + bytes(max(0, size - len(bitmap)))
    return Image.frombytes("1", (bytes_per_row * 8, rows), bitmap)


def _text_bitmap(data: bytes, bytes_per_row: int, rows: int) -> bytes:
    """The packed bitmap of ASCII-hex data (plain or compressed), or of its :Z64:/:B64: encodings."""
    header = _ZB64.match(data)
    if header:
        return _zb64_bitmap(data, header.end(), header.group(1).upper() == b"Z", bytes_per_row * rows)
    return _hex_bitmap(data.translate(None, _WHITESPACE), bytes_per_row * 2, rows)


def _hex_bitmap(text: bytes, row_digits: int, rows: int) -> bytes:
    total = row_digits * rows
    # hex digits of the whole graphic, blank to start with: ",", short data and odd nibbles need no writing
    out = bytearray(_HEX_ZERO) * total
    at = 0
    for token in _TOKEN.finditer(text):
        kind = token.lastindex
        if kind == 3:
            letters = token[1]
            if letters:
                room = total - at
                # every letter counts at least 1, so a long enough string fills the graphic without being summed
                # (and a longer one is summed by 39 scans in C, not a Python step per letter)
                if len(letters) >= room:
                    count = room
                else:
                    count = _COUNTS.get(letters) or sum(letters.count(letter) * n for letter, n in _LETTERS)
                # runs wrap onto the next rows like any other digits; clipped first so no count allocates much
                count = min(count, room)
                out[at : at + count] = token[2] * count
                at += count
            else:
                out[at] = token[2][0]
                at += 1
            run = token[3]
            if run:
                end = min(at + len(run), total)
                out[at:end] = run[: end - at]
                at = end
        elif kind == 4:
            row_end = at - at % row_digits + row_digits
            operator = token[4]
            if operator == b"!":
                out[at:row_end] = _FILL_ONES * (row_end - at)
            elif operator == b":" and at >= row_digits:
                # the line buffer still holds the previous row from here on (at a row start: all of it)
                out[at:row_end] = out[at - row_digits : row_end - row_digits]
            at = row_end
        elif kind == 5:
            raise GraphicError(f"graphic data holds {_shown(token[5])}, which is neither hex nor compression")
        # else: a repeat count before a row operator (or the end) multiplies nothing
        if at >= total:
            # data that runs long is ignored beyond the declared size
            break
    return binascii.unhexlify(out)


def _zb64_bitmap(data: bytes, start: int, deflated: bool, size: int) -> bytes:
    """:Z64:/:B64: data from ``start`` (past the header): base64 text, then ':' and the CRC of that text (optional
    here). The text can be megabytes: it is copied once, and again only when line breaks must come out."""
    colon = data.rfind(b":", start)
    text, crc_text = (data[start:colon], data[colon + 1 :].strip(_WHITESPACE)) if colon >= 0 else (data[start:], b"")
    encoded = text.translate(None, _WHITESPACE) if _ANY_WHITESPACE.search(text) else text
    if crc_text:
        if not _CRC.fullmatch(crc_text):
            raise GraphicError(f"ZB64 CRC {crc_text[:12].decode('latin-1')!r} is not hex digits")
        expected = int(crc_text, 16)
        # Zebra's CRC is CRC-16/XMODEM (poly 0x1021, init 0) over the base64 text, checked against real labels;
        # line breaks in that text are allowed and ignored, so either reading of it is accepted
        actual = binascii.crc_hqx(encoded, 0)
        if expected != actual and (encoded is text or expected != binascii.crc_hqx(text, 0)):
            raise GraphicError(f"ZB64 CRC {expected:04X} does not match the data ({actual:04X})")
    # some encoders drop the '=' padding; a length of 4n+1 stays invalid and is refused below
    encoded += b"=" * (-len(encoded) % 4)
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise GraphicError(f"ZB64 data is not valid base64 ({error})") from None
    if not deflated:
        return raw[:size]
    return _inflate(raw, size)


def _inflate(raw: bytes, size: int) -> bytes:
    try:
        # the zlib (or gzip) wrapper is what Zebra's tools write. max_length (never 0, which would mean no limit):
        # a stream that inflates to gigabytes costs no more time or memory than the declared graphic
        return zlib.decompressobj(zlib.MAX_WBITS | 32).decompress(raw, max(size, 1))
    except zlib.error as error:
        reason = str(error)
    try:
        # a bare deflate stream (no wrapper) is read too
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw, max(size, 1))
    except zlib.error:
        raise GraphicError(f"Z64 data does not inflate ({reason})") from None


def _shown(char: bytes) -> str:
    return repr(char.decode("ascii")) if char.isascii() and char.decode("ascii").isprintable() else f"0x{char[0]:02X}"
