"""ZPL II barcode fields as printer-sized bitmaps, encoded by zxing-cpp.

The interpreter hands over one barcode field (the ``^B?`` command, its parameters, the field data and the
``^BY`` defaults); :func:`encode` returns the symbol as one pixel per printer dot plus the text a scanner
reads from it, and :func:`scanned_text` returns that text alone without building a bitmap.

Design note
-----------
Every symbol is encoded by zxing-cpp (3.x, whose writers are zint); nothing here builds bars or modules
by hand. zxing-cpp gives one pixel per module; this module maps modules to dots the way a Zebra printer
sizes them and works out what zxing-cpp's reader will return (``Barcode.text`` in its default HRI mode:
GS1 as ``(01)...``, ISO 15434 messages with control pictures, other control characters as ``<GS>``).

Rules taken from the ZPL II Programming Guide:

* ``^BY``: narrow bar / module = ``w`` dots; wide bar = ``floor(w * r)`` dots, which is what the guide's
  "module width ratios in dots" table lists; default bar height ``h``.
* ``^BC`` mode N: start code B unless ``>9``/``>:``/``>;``; every invocation code of the guide's table
  (``><`` ``>0`` ``>=`` ``>1`` ``>5``-``>8``, start codes); subsets A and C programmed in digit pairs
  with the guide's pair rules (a non-digit first character is skipped, a non-digit second character drops
  the pair, an unpaired digit before a code shift or at the end is dropped); ``e=Y`` appends the mod-10
  digit to numeric data. Mode U: 19 digits (right-padded with zeros) and their mod 10 behind FNC1 in
  subset C. Mode D: FNC1 first, parentheses and spaces stripped, FNC1 after variable-length AIs, the
  missing check digit of AIs 00, 01, 02, 410-417, 8017, 8018 computed. Mode A: automatic subsets, ``>``
  is data.
* ``^B3`` (mod-43 digit, Full ASCII pairs for characters outside the 43), ``^BA`` (``& ' ( )`` shift
  characters), ``^B2`` (mod 10, leading zero for odd lengths, non-digits such as ``>;`` ignored),
  ``^BK`` (start/stop ``k``/``l``), ``^BE``/``^BU``/``^B8``/``^B9`` (data truncated or left-padded with
  zeros to 12/11/7/10 digits, check digit computed, UPC-E zero suppression per the guide's rules).
* ``^BX``: ECC 200 only, module ``h`` or ``^BY h`` divided by the rows, columns/rows forcing (9-49,
  even), aspect ratio, escape character ``g`` (default ``~``) with FNC1, control, ``dNNN`` and ECI
  sequences. ``^BQ``: the ``QA,``/``MM,N...``/``D...`` switches in the field data, magnification default
  by dpi. ``^B7``: row height in dots (default ``^BY h`` / rows), security level, columns, rows,
  truncation. ``^BD``: modes 2-6, structured carrier message split at ``[)>RS01GS``, structured append,
  fixed size 1.11 x 1.054 in at the request's dpi. ``^BO``/``^B0``: magnification, error-control and
  size codes 1-99, 101-104, 201-232, 300 (rune), menu symbol.

Approximations: zint picks its own (minimal) codeword encodation, so a 2D symbol, and a Code 128 in mode
A or D, may differ in size from the printer's pick; the printer's auto PDF417 column count is zint's;
QR model 1 is printed as model 2; QR structured append, Aztec structured append and ECI flags, Data
Matrix FNC2 and FNC4, and Code 128 FNC2/FNC3/SHIFT are dropped; the Code 93 interpretation line leaves
out the check characters; Code 128 ``e=Y`` adds no digit to data holding letters (the guide is silent,
and carriers' labels read without one); EAN/UPC guard bars reach ``min(5 w, 20)`` dots below the others
whether or not the line is printed; the hexagons of a MaxiCode are drawn at the dpi, not the printer's.

zxing-cpp's Python API cannot pass a MaxiCode primary message (modes 2 and 3) nor fix Code 128 code sets,
so those two go through the zint entry points the zxing-cpp extension itself exports (same library, same
build), after checking the build's zint version and structure layout. Where that check fails, Code 128
falls back to ``zxingcpp.create_barcode`` (zint's automatic code sets, so widths may differ) and MaxiCode
raises :class:`SymbolError`.
"""

from __future__ import annotations

import ctypes
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from typing import Any, Final, cast

import zxingcpp
from PIL import Image, ImageDraw

__all__ = ["Symbol", "SymbolError", "SymbolRequest", "encode", "scanned_text"]

MAX_PIXELS: Final = 20_000_000
MAX_MODULE: Final = 100


@dataclass(frozen=True, slots=True)
class SymbolRequest:
    command: str
    params: tuple[str, ...]
    data: str
    module: int = 2
    ratio: float = 3.0
    bar_height: int = 10
    dpi: int = 203


@dataclass(frozen=True, slots=True)
class Symbol:
    symbology: str
    mask: Image.Image
    text: str
    interpretation: str | None
    interpretation_above: bool


class SymbolError(ValueError):
    """One line: why the printer would print no symbol for this field."""


# ---------------------------------------------------------------------------------------------------------
# what gets encoded and how it is sized


@dataclass(frozen=True, slots=True)
class _Zx:
    """A zxingcpp.create_barcode call: the first option set that encodes wins (forced sizes, fallbacks)."""

    content: str
    fmt: str
    variants: tuple[tuple[tuple[str, str | int | bool], ...], ...] = ((),)


@dataclass(frozen=True, slots=True)
class _Zint:
    """A zint call through the zxing-cpp extension, for what its Python API cannot express."""

    symbology: int
    data: bytes
    input_mode: int = 0
    option_1: int = 0
    option_2: int = 0
    option_3: int = 0
    primary: bytes = b""
    structapp: tuple[int, int] = (0, 0)


@dataclass(frozen=True, slots=True)
class _Linear:
    module: int
    wide: int  # dots of a wide element; 0 for symbologies made of module multiples
    height: int
    guard_extension: int = 0  # EAN/UPC guard bars reach this far below the others


@dataclass(frozen=True, slots=True)
class _Matrix:
    module_x: int
    module_y: int  # 0: derived from auto_height and the row count
    auto_height: int = 0
    stacked: bool = False  # PDF417: zint draws each row several pixels high


@dataclass(frozen=True, slots=True)
class _Maxi:
    dpi: int


@dataclass(frozen=True, slots=True)
class _FirstOf:
    """zint calls tried in turn (forced Data Matrix sizes): the first that encodes wins."""

    sources: tuple[_Zint, ...]


_Source = _Zx | _Zint | _FirstOf
_Geometry = _Linear | _Matrix | _Maxi


@dataclass(frozen=True, slots=True)
class _Field:
    fmt: str
    text: str
    interpretation: str | None
    above: bool
    source: _Source
    geometry: _Geometry
    fallback: _Source | None = None  # used when the zint ABI check fails


# a module grid: rows, columns, one byte per module (1 = dark)
_Grid = tuple[int, int, bytes]

# ---------------------------------------------------------------------------------------------------------
# parameters


def _param(request: SymbolRequest, index: int) -> str:
    return request.params[index].strip() if index < len(request.params) else ""


_NUMBER = re.compile(r"[+-]?\d+(?:\.\d*)?")


def _number(text: str) -> float | None:
    match = _NUMBER.match(text.strip())
    if match is None:
        return None
    try:
        value = float(match.group())
    except (ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def _int(text: str, default: int, low: int | None = None, high: int | None = None) -> int:
    """A numeric parameter as the printer reads it: the integer part, the default when absent or out of range."""
    value = _number(text)
    if value is None:
        return default
    result = int(value)
    if (low is not None and result < low) or (high is not None and result > high):
        return default
    return result


def _yes(text: str, default: bool) -> bool:
    if text[:1].upper() == "Y":
        return True
    if text[:1].upper() == "N":
        return False
    return default


def _height(request: SymbolRequest, index: int) -> int:
    # ^BC accepts 1-32000 dots; anything else leaves the ^BY height in force
    return _int(_param(request, index), _bar_height(request), 1, 32000)


def _bar_height(request: SymbolRequest) -> int:
    return max(1, min(int(request.bar_height), 32000))


def _module(request: SymbolRequest) -> int:
    module = int(request.module)
    if module < 1:
        raise SymbolError(f"module width {module} is below one dot")
    if module > MAX_MODULE:
        raise SymbolError(f"module width {module} dots is over the {MAX_MODULE}-dot limit")
    return module


def _wide(request: SymbolRequest, module: int) -> int:
    # the guide's ratio table: only whole dots print, and the printer rounds the wide bar down
    ratio = min(max(float(request.ratio), 2.0), 3.0) if math.isfinite(request.ratio) else 3.0
    return max(module + 1, int(module * ratio + 1e-6))


def _dpi_magnification(dpi: int) -> int:
    # ^BQ and ^BO: 1 on 150 dpi, 2 on 200 dpi, 3 on 300 dpi, 6 on 600 dpi printers
    if dpi < 175:
        return 1
    if dpi < 250:
        return 2
    if dpi < 450:
        return 3
    return 6


def _fmt_name(fmt: str) -> str:
    return str(getattr(zxingcpp.BarcodeFormat, fmt))


# ---------------------------------------------------------------------------------------------------------
# what zxing-cpp's reader returns as .text (TextMode.HRI)

# zxing-cpp's HRI table (core/src/HRI.cpp, from the GS1 syntax dictionary): AI prefix, field size
# (negative = variable up to that many characters); order matters, the reader takes the first match
_GS1_TABLE: Final = (
    "00:18 01:14 02:14 03:14 10:-20 11:6 12:6 13:6 15:6 16:6 17:6 20:2 21:-20 22:-20 30:-8 37:-8 "
    "90:-30 91:-90 92:-90 93:-90 94:-90 95:-90 96:-90 97:-90 98:-90 99:-90 235:-28 240:-30 241:-30 "
    "242:-6 243:-20 250:-30 251:-30 253:-30 254:-20 255:-25 400:-30 401:-30 402:17 403:-30 410:13 "
    "411:13 412:13 413:13 414:13 415:13 416:13 417:13 420:-20 421:-12 422:3 423:-15 424:3 425:-15 "
    "426:3 427:-3 710:-20 711:-20 712:-20 713:-20 714:-20 715:-20 716:-20 717:-20 310:6 311:6 312:6 "
    "313:6 314:6 315:6 316:6 320:6 321:6 322:6 323:6 324:6 325:6 326:6 327:6 328:6 329:6 330:6 331:6 "
    "332:6 333:6 334:6 335:6 336:6 337:6 340:6 341:6 342:6 343:6 344:6 345:6 346:6 347:6 348:6 349:6 "
    "350:6 351:6 352:6 353:6 354:6 355:6 356:6 357:6 360:6 361:6 362:6 363:6 364:6 365:6 366:6 367:6 "
    "368:6 369:6 390:-15 391:-18 392:-15 393:-18 394:4 395:6 703:-30 723:-30 4300:-35 4301:-35 "
    "4302:-70 4303:-70 4304:-70 4305:-70 4306:-70 4307:2 4308:-30 4309:20 4310:-35 4311:-35 4312:-70 "
    "4313:-70 4314:-70 4315:-70 4316:-70 4317:2 4318:-20 4319:-30 4320:-35 4321:1 4322:1 4323:1 "
    "4324:10 4325:10 4326:6 4330:-7 4331:-7 4332:-7 4333:-7 7001:13 7002:-30 7003:10 7004:-4 "
    "7005:-12 7006:6 7007:-12 7008:-3 7009:-10 7010:-2 7011:-10 7020:-20 7021:-20 7022:-20 7023:-30 "
    "7040:4 7041:-4 7240:-20 7241:2 7242:-25 7250:8 7251:12 7252:1 7253:-40 7254:-40 7255:-10 "
    "7256:-90 7257:-70 7258:3 7259:-40 8001:14 8002:-20 8003:-30 8004:-30 8005:6 8006:18 8007:-34 "
    "8008:-12 8009:-50 8010:-30 8011:-12 8012:-20 8013:-25 8014:-25 8017:18 8018:18 8019:-10 "
    "8020:-25 8026:18 8030:-90 8040:15 8041:15 8042:32 8043:-20 8110:-70 8111:4 8112:-70 8200:-70"
)
_GS1_AIS: Final = tuple((prefix, int(size)) for prefix, size in re.findall(r"(\d+):(-?\d+)", _GS1_TABLE))
_GS = "\x1d"


def _ai_size(prefix: str) -> int:
    if (prefix[0] == "3" and prefix[1] in "1234569") or prefix in ("703", "723"):
        return 4
    return len(prefix)


def _gs1_elements(element_string: str) -> list[tuple[str, str]] | None:
    """The (AI, value) pairs the reader finds in an FNC1-separated element string, or None where it gives up."""
    rest = element_string
    elements: list[tuple[str, str]] = []
    while rest:
        entry = next((ai for ai in _GS1_AIS if rest.startswith(ai[0])), None)
        if entry is None:
            return None
        ai_size = _ai_size(entry[0])
        if len(rest) < ai_size:
            return None
        ai, rest = rest[:ai_size], rest[ai_size:]
        size = abs(entry[1])
        if entry[1] < 0:
            gs = rest.find(_GS)
            size = min(len(rest) if gs < 0 else gs, size)
        if size == 0 or len(rest) < size:
            return None
        elements.append((ai, rest[:size]))
        rest = rest[size:]
        if rest[:1] == _GS:
            rest = rest[1:]
    return elements


_NONGRAPHIC_ASCII: Final = re.findall(
    r"\w+",
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC "
    "FS GS RS US DEL",
)


def _is_graphic(code: int) -> bool:
    # zxing-cpp's iswgraph (after musl): controls, C1, line/paragraph separators and non-characters are not
    if code < 0xFF:
        return ((code + 1) & 0x7F) >= 0x21
    if code in (0x2028, 0x2029) or 0xFFF9 <= code <= 0xFFFB:
        return False
    return (code & 0xFFFE) != 0xFFFE


def _escaped(plain: str) -> str:
    """zxing-cpp's EscapeNonGraphical: what TextMode.HRI shows for binary content."""
    out: list[str] = []
    for char in plain:
        code = ord(char)
        if code < 32 or code == 127:
            out.append(f"<{_NONGRAPHIC_ASCII[32 if code == 127 else code]}>")
        elif code < 128:
            out.append(char)
        elif 0xD800 <= code < 0xE000 or not _is_graphic(code) or code in (0xA0, 0x2007, 0x2000, 0xFFFD):
            out.append(f"<U+{code:02X}>" if code < 256 else f"<U+{code:04X}>")
        else:
            out.append(char)
    return "".join(out)


def _reader_text(plain: str, gs1: bool = False) -> str:
    """The decoded characters as zxing-cpp's reader spells them by default (Content::text(TextMode::HRI))."""
    if gs1:
        elements = _gs1_elements(plain)
        return "".join(f"({ai}){value}" for ai, value in elements) if elements else _escaped(plain)
    if len(plain) > 6 and plain.startswith("[)>\x1e") and plain[4:6].isascii() and plain[4:6].isdigit():
        # ISO/IEC 15434: control characters and the space become Unicode control pictures
        return "".join(chr(0x2400 + ord(c)) if ord(c) <= 0x20 else c for c in plain)
    if any(ord(c) < 0x20 and c not in "\t\n\r" for c in plain):
        return _escaped(plain)
    return plain


# ---------------------------------------------------------------------------------------------------------
# check digits and small data rules


def _is_digits(text: str) -> bool:
    return bool(text) and all("0" <= c <= "9" for c in text)


def _mod10(digits: str) -> str:
    """GS1 / UCC mod-10 check digit: weights 3 and 1 from the rightmost digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _fit_digits(data: str, count: int, what: str) -> str:
    # EAN/UPC: the printer truncates on the right or pads with zeros on the left to the exact length
    if not data:
        raise SymbolError(f"{what} field data is empty")
    if not _is_digits(data):
        raise SymbolError(f"{what} takes digits only, got {data!r}")
    return data[:count].rjust(count, "0")


# ---------------------------------------------------------------------------------------------------------
# zxing-cpp


def _to_modules(pixels: bytes) -> bytes:
    return pixels.translate(_DARK)


_DARK: Final = bytes(1 if i < 128 else 0 for i in range(256))


@lru_cache(maxsize=256)
def _zx_grid(source: _Zx) -> _Grid:
    fmt = getattr(zxingcpp.BarcodeFormat, source.fmt)
    reason = "no option set fits"
    for options in source.variants:
        try:
            barcode = zxingcpp.create_barcode(source.content, fmt, **dict(options))
            image = barcode.to_image(scale=1, add_quiet_zones=False)
        except (ValueError, RuntimeError, TypeError, OverflowError) as exc:
            reason = str(exc).split(" (retval")[0]
            continue
        rows, cols = (int(n) for n in image.shape)
        # the stub does not declare the buffer protocol the object does implement
        return rows, cols, _to_modules(bytes(memoryview(image)))  # type: ignore[arg-type]
    raise SymbolError(f"{_fmt_name(source.fmt)}: {reason}")


# ---------------------------------------------------------------------------------------------------------
# zint, as exported by the zxing-cpp extension (zint 2.16.0 in zxing-cpp 3.1.x)

_ZINT_VERSION: Final = 21600
_ZINT_CODE128: Final = 20
_ZINT_MAXICODE: Final = 57
_ZINT_DATAMATRIX: Final = 71
_ZINT_DM_SQUARE: Final = 100
_ZINT_GS1_MODE: Final = 2
_ZINT_GS1NOCHECK_MODE: Final = 0x20
_ZINT_EXTRA_ESCAPE_MODE: Final = 0x100
_ZINT_READER_INIT: Final = 0x10
_ZINT_ERROR: Final = 5
_ZINT_MAX_DATA: Final = 17400


class _ZintStructApp(ctypes.Structure):
    _fields_ = (("index", ctypes.c_int), ("count", ctypes.c_int), ("id", ctypes.c_char * 32))


class _ZintSymbol(ctypes.Structure):
    # struct zint_symbol of zint 2.16 (backend/zint.h); checked against ZBarcode_Create's defaults below
    _fields_ = (
        ("symbology", ctypes.c_int),
        ("height", ctypes.c_float),
        ("scale", ctypes.c_float),
        ("whitespace_width", ctypes.c_int),
        ("whitespace_height", ctypes.c_int),
        ("border_width", ctypes.c_int),
        ("output_options", ctypes.c_int),
        ("fgcolour", ctypes.c_char * 16),
        ("bgcolour", ctypes.c_char * 16),
        ("fgcolor", ctypes.c_void_p),
        ("bgcolor", ctypes.c_void_p),
        ("outfile", ctypes.c_char * 256),
        ("primary", ctypes.c_char * 128),
        ("option_1", ctypes.c_int),
        ("option_2", ctypes.c_int),
        ("option_3", ctypes.c_int),
        ("show_hrt", ctypes.c_int),
        ("input_mode", ctypes.c_int),
        ("eci", ctypes.c_int),
        ("dpmm", ctypes.c_float),
        ("dot_size", ctypes.c_float),
        ("text_gap", ctypes.c_float),
        ("guard_descent", ctypes.c_float),
        ("structapp", _ZintStructApp),
        ("warn_level", ctypes.c_int),
        ("debug", ctypes.c_int),
        ("text", ctypes.c_ubyte * 256),
        ("text_length", ctypes.c_int),
        ("rows", ctypes.c_int),
        ("width", ctypes.c_int),
        ("errtxt", ctypes.c_char * 160),
        ("bitmap", ctypes.c_void_p),
        ("bitmap_width", ctypes.c_int),
        ("bitmap_height", ctypes.c_int),
        ("alphamap", ctypes.c_void_p),
        ("vector", ctypes.c_void_p),
        ("memfile", ctypes.c_void_p),
        ("memfile_size", ctypes.c_int),
        ("content_segs", ctypes.c_void_p),
        ("content_seg_count", ctypes.c_int),
        ("encoded_data", (ctypes.c_ubyte * 144) * 200),
        ("row_height", ctypes.c_float * 200),
    )


@lru_cache(maxsize=1)
def _zint() -> Any:
    """The zint functions inside the zxing-cpp extension, or None when this build's layout is not the known one."""
    try:
        lib = ctypes.CDLL(zxingcpp.zxingcpp.__file__)
        create, delete, version = lib.ZBarcode_Create, lib.ZBarcode_Delete, lib.ZBarcode_Version
        encode = lib.ZBarcode_Encode
    except (OSError, AttributeError):
        return None
    version.restype = ctypes.c_int
    version.argtypes = ()
    if version() != _ZINT_VERSION:
        return None
    create.restype = ctypes.POINTER(_ZintSymbol)
    create.argtypes = ()
    delete.restype = None
    delete.argtypes = (ctypes.POINTER(_ZintSymbol),)
    encode.restype = ctypes.c_int
    encode.argtypes = (ctypes.POINTER(_ZintSymbol), ctypes.c_char_p, ctypes.c_int)
    pointer = create()
    if not pointer:
        return None
    try:
        # fields on both sides of the ones this module writes: a shifted layout would not show these defaults
        symbol = pointer.contents
        layout_ok = (
            symbol.symbology == _ZINT_CODE128
            and symbol.scale == 1.0
            and symbol.fgcolour == b"000000"
            and symbol.bgcolour == b"ffffff"
            and symbol.outfile.startswith(b"out.")
            and symbol.option_1 == -1
            and symbol.show_hrt == 1
            and abs(symbol.dot_size - 0.8) < 1e-6
            and symbol.text_gap == 1.0
            and symbol.guard_descent == 5.0
            and symbol.rows == 0
            and symbol.width == 0
        )
    finally:
        delete(pointer)
    return lib if layout_ok else None


@lru_cache(maxsize=256)
def _zint_grid(source: _Zint) -> _Grid:
    lib = _zint()
    if lib is None:
        raise SymbolError("this zxing-cpp build does not expose the zint version this module drives")
    if not source.data or len(source.data) > _ZINT_MAX_DATA or len(source.primary) > 127:
        raise SymbolError("field data is empty or too long")
    pointer = lib.ZBarcode_Create()
    if not pointer:
        raise SymbolError("zint could not allocate a symbol")
    try:
        symbol = pointer.contents
        symbol.symbology = source.symbology
        symbol.input_mode = source.input_mode
        symbol.option_1 = source.option_1
        symbol.option_2 = source.option_2
        symbol.option_3 = source.option_3
        symbol.primary = source.primary
        symbol.structapp.index, symbol.structapp.count = source.structapp
        if source.option_3 == -1:
            symbol.option_3 = 0
            symbol.output_options |= _ZINT_READER_INIT
        status = int(lib.ZBarcode_Encode(pointer, source.data, len(source.data)))
        if status >= _ZINT_ERROR:
            reason = bytes(symbol.errtxt).split(b"\0")[0].decode("latin-1")
            raise SymbolError(reason or f"zint error {status}")
        rows, cols = int(symbol.rows), int(symbol.width)
        cells = bytearray(rows * cols)
        for y in range(rows):
            line = bytes(symbol.encoded_data[y])
            for x in range(cols):
                cells[y * cols + x] = (line[x >> 3] >> (x & 7)) & 1
        return rows, cols, bytes(cells)
    finally:
        lib.ZBarcode_Delete(pointer)


def _grid(field: _Field) -> _Grid:
    source = field.source
    if isinstance(source, _Zx):
        return _zx_grid(source)
    if field.fallback is not None and _zint() is None:
        return _zx_grid(cast(_Zx, field.fallback))
    if isinstance(source, _Zint):
        return _zint_grid(source)
    error = SymbolError("no symbol size takes the data")
    for candidate in source.sources:
        try:
            return _zint_grid(candidate)
        except SymbolError as exc:
            error = exc
    raise error


# ---------------------------------------------------------------------------------------------------------
# ^BC Code 128

_FNC1: Final = None  # an item without a character
_Item = tuple[str | None, str]  # (character or FNC1, subset "A" "B" "C" or "" for automatic)


def _code_value(value: int, subset: str) -> str:
    # the character a Code 128 value stands for in subset A or B
    if subset == "B" or value < 64:
        return chr(value + 32)
    return chr(value - 64)


def _without_invocations(data: str) -> str:
    return re.sub(r">.", "", data, flags=re.S)


def _code128_mode_n(data: str) -> list[_Item]:
    """The printer's reading of ^BC field data in mode N: characters with the subset each one prints in."""
    items: list[_Item] = []
    subset, i, count = "B", 0, len(data)
    starts = {"9": "A", ":": "B", ";": "C"}
    if count >= 2 and data[0] == ">" and data[1] in starts:
        subset, i = starts[data[1]], 2
    fnc4 = False

    def emit(char: str) -> None:
        nonlocal fnc4
        items.append((chr(ord(char) + 128) if fnc4 and ord(char) < 128 else char, subset))
        fnc4 = False

    while i < count:
        char = data[i]
        if char == ">":
            if i + 1 >= count:
                break
            code, i = data[i + 1], i + 2
            if subset == "C":
                # only the code set changes and FNC1 mean something in subset C
                if code == "6":
                    subset = "B"
                elif code == "7":
                    subset = "A"
                elif code == "8":
                    items.append((_FNC1, "C"))
                continue
            special = {"<": 62, "0": 30, "=": 94, "1": 95}
            if code in special:
                emit(_code_value(special[code], subset))
            elif code == "5":
                subset = "C"
            elif code == "6":
                subset, fnc4 = ("B", False) if subset == "A" else (subset, True)
            elif code == "7":
                subset, fnc4 = ("A", False) if subset == "B" else (subset, True)
            elif code == "8":
                items.append((_FNC1, subset))
            # >2 FNC3, >3 FNC2, >4 SHIFT, start codes past the start and unknown codes print nothing
            continue
        if subset == "B":
            emit(char)
            i += 1
            continue
        # subsets A and C are programmed in digit pairs
        if not "0" <= char <= "9":
            i += 1
            continue
        if i + 1 >= count:
            break
        second = data[i + 1]
        if second == ">":
            i += 1
            continue
        if not "0" <= second <= "9":
            i += 2
            continue
        i += 2
        if subset == "C":
            items += [(char, "C"), (second, "C")]
            continue
        value = int(char + second)
        if value < 96:
            emit(_code_value(value, "A"))
        elif value == 99:
            subset = "C"
    return items


def _code128_text(items: Sequence[_Item]) -> tuple[str, bool]:
    """What zxing-cpp's Code 128 reader decodes (ODCode128Reader fnc1()): plain characters and the GS1 flag."""
    plain: list[str] = []
    gs1 = positioned = False
    for char, subset in items:
        if char is not None:
            plain.append(char)
            continue
        if not positioned and not plain:
            gs1 = positioned = True
        elif not positioned and (
            (subset in ("C", "") and len(plain) == 2 and _is_digits("".join(plain)))
            or (subset in ("A", "B") and len(plain) == 1 and plain[0].isascii() and plain[0].isalpha())
        ):
            positioned = True  # AIM application indicator: the FNC1 itself is not transmitted
        else:
            plain.append(_GS)
    return "".join(plain), gs1


def _code128_sets(items: Sequence[_Item]) -> list[_Item]:
    """The items with each FNC1 in a code set zint can use: zint offers only the sets its data needs."""
    available = {subset for char, subset in items if char is not None}
    chars = [subset for char, subset in items if char is not None]
    result: list[_Item] = []
    seen = 0
    for char, subset in items:
        if char is not None:
            seen += 1
            result.append((char, subset))
        elif subset in available:
            result.append((char, subset))
        else:
            # the printer's set holds no data here: the FNC1 goes with the character after it (or before)
            result.append((char, chars[seen] if seen < len(chars) else chars[-1]))
    return result


def _zint_code128_data(items: Sequence[_Item]) -> bytes:
    """zint's extra-escape input: the printer's code sets fixed with \\^A \\^B \\^C, FNC1 as \\^1."""
    out = bytearray()
    current: str | None = None
    for char, subset in items:
        if subset != current:
            out += {"A": b"\\^A", "B": b"\\^B", "C": b"\\^C", "": b"\\^@"}[subset]
            current = subset
        if char is None:
            out += b"\\^1"
            continue
        code = ord(char)
        if code > 255:
            raise SymbolError(f"Code 128 cannot encode {char!r}")
        if char == "\\":
            out += b"\\\\"
        elif code < 32 or code > 126:
            out += b"\\x%02X" % code
        else:
            out.append(code)
    return bytes(out)


def _gs1_bracketed(element_string: str) -> str | None:
    elements = _gs1_elements(element_string)
    return "".join(f"[{ai}]{value}" for ai, value in elements) if elements else None


def _code128_fallback(items: Sequence[_Item]) -> _Zx:
    plain, gs1 = _code128_text(items)
    if gs1:
        bracketed = _gs1_bracketed(plain)
        if bracketed:
            return _Zx(bracketed, "Code128", ((("gs1", True),),))
    return _Zx(plain.replace(_GS, ""), "Code128")


# AIs whose fixed length includes a mod-10 check digit the printer adds in mode D when it is missing
_GS1_CHECKED: Final = {"00": 18, "01": 14, "02": 14, "8017": 18, "8018": 18} | {f"41{d}": 13 for d in "01234567"}


def _code128_mode_d(data: str) -> tuple[list[_Item], str]:
    """Mode D (UCC/EAN): FNC1 first, parentheses and spaces stripped, FNC1 behind variable-length AIs."""
    items: list[_Item] = [(_FNC1, "")]
    shown = data.replace(">8", "")
    if "(" not in data:
        for part in data.replace(" ", "").split(">8"):
            if items[-1][0] is not None or len(items) > 1:
                items.append((_FNC1, ""))
            items += [(c, "") for c in part]
        return items, shown
    pieces = list(re.finditer(r"\(([^()]*)\)([^(]*)", data))
    prefix = data[: pieces[0].start()].replace(" ", "").replace(">8", "") if pieces else ""
    items += [(c, "") for c in prefix]
    interpretation = [data[: pieces[0].start()].replace(">8", "")] if pieces else []
    for index, piece in enumerate(pieces):
        ai = piece.group(1).replace(" ", "")
        value = piece.group(2).replace(" ", "").replace(">8", "")
        shown_value = piece.group(2).replace(">8", "")
        size = _GS1_CHECKED.get(ai)
        if size is not None and len(value) == size - 1 and _is_digits(value):
            check = _mod10(value)
            value += check
            stripped = shown_value.rstrip()
            shown_value = stripped + check + shown_value[len(stripped) :]
        items += [(c, "") for c in ai + value]
        entry = next((e for e in _GS1_AIS if (ai + value).startswith(e[0])), None)
        if index < len(pieces) - 1 and (entry is None or entry[1] < 0):
            items.append((_FNC1, ""))
        interpretation.append(f"({piece.group(1)}){shown_value}")
    return items, "".join(interpretation)


def _code128(request: SymbolRequest) -> _Field:
    module = _module(request)
    height = _height(request, 1)
    line = _yes(_param(request, 2), True)
    above = _yes(_param(request, 3), False)
    check = _yes(_param(request, 4), False)
    mode = _param(request, 5)[:1].upper() or "N"
    data = request.data
    if not data:
        raise SymbolError("Code 128 field data is empty")
    geometry = _Linear(module, 0, height)
    if mode == "U":
        digits = "".join(c for c in data if "0" <= c <= "9")
        digits = (digits + "0" * 19)[:19]
        digits += _mod10(digits)
        items: list[_Item] = [(_FNC1, "C")] + [(c, "C") for c in digits]
        shown = f"({digits[:2]}) {digits[2]} {digits[3:10]} {digits[10:19]} {digits[19]}"
    elif mode == "D":
        items, shown = _code128_mode_d(data)
    else:
        # the UCC check digit is a mod 10 of numeric data (the guide's SSCC example); data with letters
        # gets none, as carriers' labels show (Pocztex prints "PX6719400000" with e=Y and reads it so)
        if check and _is_digits(_without_invocations(data)):
            data += _mod10(_without_invocations(data))
        if mode == "A":
            # automatic subsets: '>' is data, and zint's minimal code-set choice stands in for the printer's
            plain = data
            text = _reader_text(plain)
            return _Field("Code128", text, plain if line else None, above, _Zx(plain, "Code128"), geometry)
        items = _code128_mode_n(data)
        shown = "".join(c for c, _ in items if c is not None)
    if not any(c is not None for c, _ in items):
        raise SymbolError("Code 128 field data holds nothing to encode")
    items = _code128_sets(items)
    plain, gs1 = _code128_text(items)
    source = _Zint(_ZINT_CODE128, _zint_code128_data(items), _ZINT_EXTRA_ESCAPE_MODE)
    return _Field(
        "Code128",
        _reader_text(plain, gs1),
        shown if line else None,
        above,
        source,
        geometry,
        _code128_fallback(items),
    )


# ---------------------------------------------------------------------------------------------------------
# ^B3 Code 39, ^BA Code 93, ^B2 Interleaved 2 of 5, ^BK Codabar

_CODE39: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"


def _full_ascii_pair(code: int) -> str:
    # the Code 39 Full ASCII table: how each ASCII character is written with the 43 basic ones
    char = chr(code)
    if char.isdigit() or "A" <= char <= "Z" or char in " -.":
        return char
    if code == 0:
        return "%U"
    if code <= 26:
        return "$" + chr(64 + code)
    if code <= 31:
        return "%" + chr(65 + code - 27)
    if code == 64:
        return "%V"
    if code == 96:
        return "%W"
    if code == 127:
        return "%T"
    if 97 <= code <= 122:
        return "+" + chr(code - 32)
    if code <= 44 or code in (47, 58):
        return "/" + chr(code + 32) if code != 58 else "/Z"
    if 59 <= code <= 63:
        return "%" + chr(70 + code - 59)
    if 91 <= code <= 95:
        return "%" + chr(75 + code - 91)
    return "%" + chr(80 + code - 123)  # { | } ~


_PERCENT: Final = (
    [chr(c - 38) for c in range(65, 70)]
    + [chr(c - 11) for c in range(70, 75)]
    + [chr(c + 16) for c in range(75, 80)]
    + [chr(c + 43) for c in range(80, 85)]
    + ["\0", "@", "`", "\x7f", "\x7f", "\x7f"]
)


def _full_ascii_decode(text: str, shifts: str) -> str | None:
    """zxing-cpp's DecodeCode39AndCode93FullASCII: None where a shift is not followed by A-Z."""
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char not in shifts:
            out.append(char)
            continue
        following = next(chars, "")
        if not following or not "A" <= following <= "Z":
            return None
        kind = shifts.index(char)
        if kind == 0:
            out.append(chr(ord(following) - 64))
        elif kind == 1:
            out.append(_PERCENT[ord(following) - 65])
        elif kind == 2:
            out.append(chr(ord(following) - 32))
        else:
            out.append(chr(ord(following) + 32))
    return "".join(out)


_CODE32: Final = "0123456789BCDFGHJKLMNPQRSTUVWXYZ"


def _code39_read(symbol_chars: str) -> str:
    """zxing-cpp's Code 39 reader on these characters: Code 32 and PZN, the check character, Full ASCII."""
    if len(symbol_chars) == 6 and all(c in _CODE32 for c in symbol_chars):
        value = 0
        for c in symbol_chars:
            value = value * 32 + _CODE32.index(c)
        if value < 1_000_000_000:
            digits = f"{value:09d}"
            check = sum(
                int(digits[i]) + (2 * int(digits[i + 1])) % 10 + (2 * int(digits[i + 1]) >= 10) for i in (0, 2, 4, 6)
            )
            if check % 10 == int(digits[-1]):
                return "A" + digits
    body, last = symbol_chars[:-1], symbol_chars[-1]
    valid = last == _CODE39[sum(_CODE39.index(c) for c in body) % 43]
    if not valid:
        body, last = symbol_chars, ""
    if any(c in "$%/+" for c in body):
        body = _full_ascii_decode(body, "$%/+") or body
    return body + last


def _code39(request: SymbolRequest) -> _Field:
    module = _module(request)
    check = _yes(_param(request, 1), False)
    height = _height(request, 2)
    line = _yes(_param(request, 3), True)
    above = _yes(_param(request, 4), False)
    data = request.data
    if not data:
        raise SymbolError("Code 39 field data is empty")
    if any(ord(c) > 127 for c in data):
        raise SymbolError(f"Code 39 cannot encode {data!r}")
    # characters outside the basic 43 go in as Full ASCII pairs, as the printer writes them
    chars = data if all(c in _CODE39 for c in data) else "".join(_full_ascii_pair(ord(c)) for c in data)
    digit = _CODE39[sum(_CODE39.index(c) for c in chars) % 43] if check else ""
    chars += digit
    shown = f"*{data}{digit}*"
    return _Field(
        "Code39",
        _reader_text(_code39_read(chars)),
        shown if line else None,
        above,
        _Zx(chars, "Code39"),
        _Linear(module, _wide(request, module), height),
    )


def _code93(request: SymbolRequest) -> _Field:
    module = _module(request)
    height = _height(request, 1)
    line = _yes(_param(request, 2), True)
    above = _yes(_param(request, 3), False)
    data = request.data
    if not data:
        raise SymbolError("Code 93 field data is empty")
    # ZPL writes Code 93's four shift characters as & ' ( ): &A is the control character $A stands for
    plain: list[str] = []
    i = 0
    while i < len(data):
        char = data[i]
        shift = "&'()".find(char)
        if shift >= 0 and i + 1 < len(data) and "A" <= data[i + 1] <= "Z":
            plain.append(_full_ascii_decode("$%/+"[shift] + data[i + 1], "$%/+") or char)
            i += 2
            continue
        plain.append(char)
        i += 1
    text = "".join(plain)
    if any(ord(c) > 127 for c in text):
        raise SymbolError(f"Code 93 cannot encode {data!r}")
    return _Field(
        "Code93",
        _reader_text(text),
        data if line else None,
        above,
        _Zx(text, "Code93"),
        _Linear(module, 0, height),
    )


def _interleaved(request: SymbolRequest) -> _Field:
    module = _module(request)
    height = _height(request, 1)
    line = _yes(_param(request, 2), True)
    above = _yes(_param(request, 3), False)
    check = _yes(_param(request, 4), False)
    # the printer skips what is not a digit (carrier labels send ">;" as if this were Code 128)
    digits = "".join(c for c in request.data if "0" <= c <= "9")
    if not digits:
        raise SymbolError(f"Interleaved 2 of 5 needs digits, got {request.data!r}")
    if check:
        digits += _mod10(digits)
    if len(digits) % 2:
        digits = "0" + digits
    return _Field(
        "ITF",
        digits,
        digits if line else None,
        above,
        _Zx(digits, "ITF"),
        _Linear(module, _wide(request, module), height),
    )


_CODABAR_ALIASES: Final = {"T": "A", "N": "B", "*": "C", "E": "D"}


def _codabar(request: SymbolRequest) -> _Field:
    module = _module(request)
    height = _height(request, 2)
    line = _yes(_param(request, 3), True)
    above = _yes(_param(request, 4), False)

    def start_stop(text: str) -> str:
        char = text[:1].upper()
        char = _CODABAR_ALIASES.get(char, char)
        return char if char in ("A", "B", "C", "D") else "A"

    start, stop = start_stop(_param(request, 5)), start_stop(_param(request, 6))
    data = request.data.upper()
    if not data:
        raise SymbolError("Codabar field data is empty")
    # data that already carries its start and stop characters keeps them
    has_ends = len(data) >= 2 and data[0] in "ABCD" and data[-1] in "ABCD"
    chars = data if has_ends else start + data + stop
    if not all(c in "0123456789-$:/.+" for c in chars[1:-1]):
        raise SymbolError(f"Codabar cannot encode {request.data!r}")
    return _Field(
        "Codabar",
        chars,
        chars if line else None,
        above,
        _Zx(chars, "Codabar"),
        _Linear(module, _wide(request, module), height),
    )


# ---------------------------------------------------------------------------------------------------------
# ^BE EAN-13, ^BU UPC-A, ^B8 EAN-8, ^B9 UPC-E


def _guard(module: int) -> int:
    return min(5 * module, 20)


def _ean(request: SymbolRequest) -> _Field:
    module = _module(request)
    height = _height(request, 1)
    line = _yes(_param(request, 2), True)
    above = _yes(_param(request, 3), False)
    command = request.command
    geometry = _Linear(module, 0, height, _guard(module))
    if command == "BE":
        digits = _fit_digits(request.data, 12, "EAN-13")
        full = digits + _mod10(digits)
        return _Field("EAN13", full, full if line else None, above, _Zx(digits, "EAN13"), geometry)
    if command == "B8":
        digits = _fit_digits(request.data, 7, "EAN-8")
        full = digits + _mod10(digits)
        return _Field("EAN8", full, full if line else None, above, _Zx(digits, "EAN8"), geometry)
    show_check = _yes(_param(request, 4), True)
    if command == "BU":
        digits = _fit_digits(request.data, 11, "UPC-A")
        check = _mod10(digits)
        # zxing-cpp reads a UPC-A as its 13-digit GTIN
        shown = digits + (check if show_check else "")
        return _Field("UPCA", "0" + digits + check, shown if line else None, above, _Zx(digits, "UPCA"), geometry)
    digits = _fit_digits(request.data, 10, "UPC-E")
    short = _upce_suppress(digits[:5], digits[5:])
    check = _mod10("0" + digits)
    shown = "0" + short + (check if show_check else "")
    # zxing-cpp reads a UPC-E as the 13-digit GTIN of its UPC-A expansion
    return _Field("UPCE", "00" + digits + check, shown if line else None, above, _Zx("0" + short, "UPCE"), geometry)


def _upce_suppress(maker: str, product: str) -> str:
    """Zero suppression of number-system-0 UPC-A to UPC-E, with the guide's rules for valid product codes."""
    if maker[2:] in ("000", "100", "200") and product[:2] == "00":
        return maker[:2] + product[2:] + maker[2]
    if maker[3:] == "00" and product[:3] == "000":
        return maker[:3] + product[3:] + "3"
    if maker[4] == "0" and product[:4] == "0000":
        return maker[:4] + product[4] + "4"
    if maker[4] != "0" and product[:4] == "0000" and product[4] >= "5":
        return maker + product[4]
    raise SymbolError(f"UPC-E cannot zero-suppress manufacturer {maker} product {product}")


# ---------------------------------------------------------------------------------------------------------
# ^BX Data Matrix

_DM_SQUARE: Final = (10, 12, 14, 16, 18, 20, 22, 24, 26, 32, 36, 40, 44, 48, 52, 64, 72, 80, 88, 96, 104, 120, 132, 144)
# zint versions 25-30: the ECC 200 rectangles, rows x columns
_DM_RECT: Final = ((8, 18), (8, 32), (12, 26), (12, 36), (16, 36), (16, 48))


def _dm_variants(columns: int, rows: int, rectangular: bool) -> tuple[tuple[tuple[str, str | int | bool], ...], ...]:
    square: list[tuple[int, int, int]] = [(n, n, i + 1) for i, n in enumerate(_DM_SQUARE)]
    rect: list[tuple[int, int, int]] = [(r, c, i + 25) for i, (r, c) in enumerate(_DM_RECT)]
    if not columns and not rows:
        if not rectangular:
            return ((("forceSquare", True),),)
        # the smallest rectangle that takes the data, else the printer goes square
        return (*((("version", v),) for _, _, v in rect), (("forceSquare", True),))
    shapes = (rect + square) if rectangular else square
    exact = [v for r, c, v in shapes if (r, c) == (rows, columns)]
    if exact:
        # a forced size that exists is that size or nothing, as the guide says
        return ((("version", exact[0]),),)
    fits = sorted((r * c, v) for r, c, v in shapes if r >= rows and c >= columns)
    return tuple((("version", v),) for _, v in fits) or ((("forceSquare", True),),)


def _dm_data(data: str, escape: str) -> tuple[str, bool, bool, int | None]:
    """The ECC 200 escape sequences: FNC1 (GS1 when first), controls, _dNNN, _5NNN ECI, _3 reader programming."""
    out: list[str] = []
    gs1 = reader_init = False
    eci: int | None = None
    i, count = 0, len(data)
    while i < count:
        char = data[i]
        if char != escape or i + 1 >= count:
            out.append(char)
            i += 1
            continue
        code = data[i + 1]
        digits = data[i + 2 : i + 5]
        if code == escape:
            out.append(escape)
            i += 2
        elif code == "1":
            if not out and not gs1:
                gs1 = True
            elif out:
                out.append(_GS)
            i += 2
        elif code == "2":
            i += 2 + 9  # structured append header: zxing-cpp cannot write it
        elif code == "3":
            reader_init = reader_init or not out
            i += 2
        elif code == "5" and _is_digits(digits) and len(digits) == 3:
            if not out:
                eci = int(digits)
            i += 5
        elif code == "d" and _is_digits(digits) and len(digits) == 3 and int(digits) < 256:
            out.append(chr(int(digits)))
            i += 5
        elif code == "0":
            i += 2  # PAD
        elif "@" <= code <= "_":
            out.append(chr(ord(code) - 64))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out), gs1, reader_init, eci


def _gs1_nocheck(element_string: str) -> bytes:
    # zint's GS1 input brackets every AI; without a parse, each FNC1-separated part becomes one element
    elements = _gs1_elements(element_string)
    if elements:
        text = "".join(f"[{ai}]{value}" for ai, value in elements)
    else:
        parts = [p for p in element_string.split(_GS) if p]
        if not parts or any(len(p) < 3 or not _is_digits(p[:2]) for p in parts):
            raise SymbolError("GS1 Data Matrix data does not start with an application identifier")
        text = "".join(f"[{p[:2]}]{p[2:]}" for p in parts)
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        raise SymbolError("GS1 data must be ISO 8859-1") from None


def _datamatrix(request: SymbolRequest) -> _Field:
    element = _int(_param(request, 1), 0, 0)
    quality = _int(_param(request, 2), 0)
    if quality != 200:
        raise SymbolError(f"Data Matrix quality {quality} (ECC 000-140) is obsolete; only ECC 200 is supported")
    columns = _int(_param(request, 3), 0, 0)
    rows = _int(_param(request, 4), 0, 0)
    columns = 0 if columns > 49 else columns
    rows = 0 if rows > 49 else rows
    for value, what in ((columns, "columns"), (rows, "rows")):
        if value and (value < 9 or value % 2):
            raise SymbolError(f"Data Matrix ECC 200 {what} must be even and 10-48, got {value}")
    escape = _param(request, 6)[:1] or "~"
    rectangular = _int(_param(request, 7), 1) == 2
    if element > MAX_MODULE:
        raise SymbolError(f"Data Matrix element size {element} dots is over the {MAX_MODULE}-dot limit")
    # more than 3072 characters of field data are truncated by the printer
    data, gs1, reader_init, eci = _dm_data(request.data[:3072], escape)
    if gs1:
        # an FNC1 that separates nothing (doubled, or last) carries nothing into the symbol
        data = re.sub(_GS + "+", _GS, data).strip(_GS)
    if not data:
        raise SymbolError("Data Matrix field data is empty")
    variants = _dm_variants(columns, rows, rectangular)
    extra: tuple[tuple[str, str | int | bool], ...] = ()
    if reader_init:
        extra += (("readerInit", True),)
    if eci is not None:
        extra += (("eci", str(eci)),)
    geometry = _Matrix(element, element, 0 if element else _bar_height(request))
    if gs1:
        text = _reader_text(data, gs1=True)
        bracketed = _gs1_bracketed(data)
        source: _Source
        if bracketed is not None:
            source = _Zx(bracketed, "DataMatrix", tuple((*v, ("gs1", True), *extra) for v in variants))
        else:
            # zxing-cpp checks GS1 data the printer does not: zint's no-check mode takes it as written
            raw, mode = _gs1_nocheck(data), _ZINT_GS1_MODE | _ZINT_GS1NOCHECK_MODE
            source = _FirstOf(
                tuple(
                    _Zint(_ZINT_DATAMATRIX, raw, mode, option_2=int(dict(v)["version"]))
                    if "version" in dict(v)
                    else _Zint(_ZINT_DATAMATRIX, raw, mode, option_3=_ZINT_DM_SQUARE)
                    for v in variants
                )
            )
        return _Field("DataMatrix", text, None, False, source, geometry)
    return _Field(
        "DataMatrix",
        _reader_text(data),
        None,
        False,
        _Zx(data, "DataMatrix", tuple((*v, *extra) for v in variants)),
        geometry,
    )


# ---------------------------------------------------------------------------------------------------------
# ^BQ QR Code


def _qr_segments(text: str, manual: bool, mixed: bool) -> str:
    """The data after the switches; in manual input each segment starts with its mode (N, A, Bnnnn, K)."""
    if not manual:
        return text
    out: list[str] = []
    rest = text
    while rest:
        mode, rest = rest[0].upper(), rest[1:]
        if mode == "B" and len(rest) >= 4 and _is_digits(rest[:4]):
            # bytes carry their count (4 digits), so they may hold commas
            size = int(rest[:4])
            out.append(rest[4 : 4 + size])
            rest = rest[4 + size :]
        elif mixed:
            segment, _, rest = rest.partition(",")
            out.append(segment)
            continue
        else:
            out.append(rest)
            rest = ""
        if not mixed or not rest.startswith(","):
            break
        rest = rest[1:]
    return "".join(out)


def _qrcode(request: SymbolRequest) -> _Field:
    magnification = _int(_param(request, 2), _dpi_magnification(request.dpi), 1, 10)
    ec_param = _param(request, 3)[:1].upper()
    ec_default = "Q" if not ec_param else ec_param if ec_param in "HQML" else "M"
    mask = _int(_param(request, 4), -1, 0, 7)
    data = request.data
    mixed = data[:1] == "D" and bool(re.match(r"D\d{4}[0-9A-Fa-f]{2},", data))
    if mixed:
        # mixed mode carries a structured append header zxing-cpp cannot write: the data alone is kept
        data = data[data.index(",") + 1 :]
    # the first three characters are always the switches (a scanner of a field without them misses them)
    level = data[:1].upper() if data[:1].upper() in ("H", "Q", "M", "L") else ec_default
    manual = data[1:2].upper() == "M"
    text = _qr_segments(data[3:], manual, mixed)
    if not text:
        raise SymbolError("QR Code field data is empty after the ^FD switches")
    options: tuple[tuple[str, str | int | bool], ...] = (("ecLevel", level),)
    if mask >= 0:
        options += (("dataMask", mask),)
    return _Field(
        "QRCode",
        _reader_text(text),
        None,
        False,
        _Zx(text, "QRCode", (options,)),
        _Matrix(magnification, magnification),
    )


# ---------------------------------------------------------------------------------------------------------
# ^B7 PDF417


def _pdf417(request: SymbolRequest) -> _Field:
    module = _module(request)
    row_height = _int(_param(request, 1), 0, 1, 32000)
    security = _int(_param(request, 2), 0, 0, 8)
    columns = _int(_param(request, 3), 0, 1, 30)
    rows = _int(_param(request, 4), 0, 3, 90)
    truncate = _yes(_param(request, 5), False)
    data = request.data
    if not data:
        raise SymbolError("PDF417 field data is empty")
    if len(data) > 3072:
        raise SymbolError(f"PDF417 field data of {len(data)} characters is over the 3K limit")
    options: tuple[tuple[str, str | int | bool], ...] = (("ecLevel", str(security)),)
    if columns:
        options += (("columns", columns),)
    if rows:
        options += (("rows", rows),)
    return _Field(
        "CompactPDF417" if truncate else "PDF417",
        _reader_text(data),
        None,
        False,
        _Zx(data, "CompactPDF417" if truncate else "PDF417", (options,)),
        _Matrix(module, row_height, _bar_height(request), stacked=True),
    )


# ---------------------------------------------------------------------------------------------------------
# ^BD MaxiCode

_SCM_HEADER: Final = "[)>\x1e01\x1d"


def _maxicode(request: SymbolRequest) -> _Field:
    mode = _int(_param(request, 0), 2, 2, 6)
    number = _int(_param(request, 1), 1, 1, 8)
    total = _int(_param(request, 2), 1, 1, 8)
    structapp = (number, total) if total > 1 and number <= total else (0, 0)
    data = request.data
    if not data:
        raise SymbolError("MaxiCode field data is empty")
    try:
        raw = data.encode("latin-1")
    except UnicodeEncodeError:
        raise SymbolError("MaxiCode field data must be ISO 8859-1") from None
    if mode >= 4:
        return _Field(
            "MaxiCode",
            _reader_text(data),
            None,
            False,
            _Zint(_ZINT_MAXICODE, raw, option_1=mode, structapp=structapp),
            _Maxi(request.dpi),
        )
    # modes 2 and 3: the high priority message (class of service, country, postal code) comes first; UPS
    # labels follow it with the "[)>RS01GS" message whose first 9 characters the scanner reports first
    header = data.find(_SCM_HEADER)
    if header >= 0 and len(data) >= header + 9:
        primary, secondary = data[:header], data[header:]
    else:
        size = 15 if mode == 2 else 12
        primary, secondary = data[:size], data[size:]
    service, country, postcode = primary[0:3], primary[3:6], primary[6:]
    if len(service) != 3 or not _is_digits(service) or len(country) != 3 or not _is_digits(country):
        raise SymbolError(f"MaxiCode mode {mode} needs class of service and country as 3 digits each")
    if mode == 2:
        postcode = postcode.split(" ")[0]
        if not _is_digits(postcode) or len(postcode) > 9:
            raise SymbolError(f"MaxiCode mode 2 needs a numeric postal code, got {postcode!r}")
        if country == "840" and len(postcode) == 5:
            postcode += "0000"  # ZIP+4 unknown: the symbology pads it with zeros
        scanned = postcode
    else:
        postcode = postcode[:6]
        scanned = postcode.upper().ljust(6)
        if not postcode or not all(c.isascii() and (c.isalnum() or c == " ") for c in postcode):
            raise SymbolError(f"MaxiCode mode 3 needs an alphanumeric postal code, got {postcode!r}")
    if not secondary:
        raise SymbolError("MaxiCode secondary message is empty")
    # zxing-cpp's reader (MCDecoder) puts the postal code, country and service behind "[)>RS01GSyy"
    fields = scanned + _GS + country + _GS + service + _GS
    plain = secondary[:9] + fields + secondary[9:] if secondary.startswith(_SCM_HEADER) else fields + secondary
    return _Field(
        "MaxiCode",
        _reader_text(plain),
        None,
        False,
        _Zint(
            _ZINT_MAXICODE,
            secondary.encode("latin-1"),
            option_1=mode,
            primary=(postcode + country + service).encode("latin-1"),
            structapp=structapp,
        ),
        _Maxi(request.dpi),
    )


# ---------------------------------------------------------------------------------------------------------
# ^BO / ^B0 Aztec


def _aztec(request: SymbolRequest) -> _Field:
    magnification = _int(_param(request, 1), _dpi_magnification(request.dpi), 1, 10)
    size = _int(_param(request, 3), 0, 0)
    menu = _yes(_param(request, 4), False)
    data = request.data
    if not data:
        raise SymbolError("Aztec field data is empty")
    geometry = _Matrix(magnification, magnification)
    if size == 300:
        if not _is_digits(data.strip()) or int(data.strip()) > 255:
            raise SymbolError(f"an Aztec rune holds a number 0-255, got {data!r}")
        value = f"{int(data.strip()):03d}"
        return _Field("AztecRune", value, None, False, _Zx(value, "AztecRune"), geometry)
    options: tuple[tuple[str, str | int | bool], ...] = ()
    if 1 <= size <= 99:
        options += (("ecLevel", f"{size}%"),)
    elif 101 <= size <= 104:
        options += (("version", size - 100),)
    elif 201 <= size <= 232:
        options += (("version", size - 200 + 4),)
    elif size:
        raise SymbolError(f"Aztec error control / size {size} is not one the printer accepts")
    if menu:
        options += (("readerInit", True),)
    return _Field("Aztec", _reader_text(data), None, False, _Zx(data, "Aztec", (options,)), geometry)


# ---------------------------------------------------------------------------------------------------------
# rendering


def _linear_image(grid: _Grid, geometry: _Linear) -> Image.Image:
    rows, cols, cells = grid
    top = cells[:cols]
    if not geometry.wide:
        width = cols * geometry.module
        _check_size(width, geometry.height + geometry.guard_extension)
        line = Image.frombytes("L", (cols, 1), top.translate(_INK))
        image = line.resize((width, geometry.height + geometry.guard_extension), Image.Resampling.NEAREST)
        if geometry.guard_extension and rows > 1:
            guard = Image.frombytes("L", (cols, 1), cells[(rows - 1) * cols :].translate(_INK))
            guard = guard.resize((width, geometry.guard_extension), Image.Resampling.NEAREST)
            image.paste(guard, (0, geometry.height))
        return image
    # two-width symbologies: zint's narrow elements are one module, its wide ones more
    runs = [(dark, len(list(group))) for dark, group in groupby(top)]
    widths = [geometry.module if length == 1 else geometry.wide for _, length in runs]
    width = sum(widths)
    _check_size(width, geometry.height)
    row = b"".join((b"\xff" if dark else b"\x00") * dots for (dark, _), dots in zip(runs, widths, strict=True))
    return Image.frombytes("L", (width, 1), row).resize((width, geometry.height), Image.Resampling.NEAREST)


_INK: Final = bytes([0, 255] + [0] * 254)


def _matrix_image(grid: _Grid, geometry: _Matrix) -> Image.Image:
    rows, cols, cells = grid
    if geometry.stacked:
        # zint draws each PDF417 row several pixels high; adjacent rows never repeat, so runs are rows
        lines = [cells[r * cols : (r + 1) * cols] for r in range(rows)]
        unique = [line for line, _ in groupby(lines)]
        rows, cells = len(unique), b"".join(unique)
    module_x, module_y = geometry.module_x, geometry.module_y
    if not module_y:
        if geometry.stacked:
            module_y = max(1, geometry.auto_height // rows)
        else:
            # ^BY h is the approximate symbol height: divided by the rows, rounded, at least one dot
            module_x = module_y = max(1, math.floor(geometry.auto_height / rows + 0.5))
            if module_x > MAX_MODULE:
                raise SymbolError(f"element size {module_x} dots is over the {MAX_MODULE}-dot limit")
    _check_size(cols * module_x, rows * module_y)
    image = Image.frombytes("L", (cols, rows), cells.translate(_INK))
    return image.resize((cols * module_x, rows * module_y), Image.Resampling.NEAREST)


def _maxi_image(grid: _Grid, geometry: _Maxi) -> Image.Image:
    rows, cols, cells = grid
    dpi = max(50, min(geometry.dpi, 2400))
    # a MaxiCode is fixed in size: about 1.11 x 1.054 in, 30 modules of 33 rows, offset half a module
    width, height = round(1.11 * dpi), round(1.054 * dpi)
    pitch = width / 30
    hex_height = pitch * 2 / math.sqrt(3)
    row_pitch = (height - hex_height) / 32
    image = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(image)
    # a hexagon slightly smaller than its cell keeps neighbours apart, as ISO/IEC 16023 shows them
    half_w, half_h = pitch * 0.45, hex_height * 0.45
    for row in range(rows):
        y = hex_height / 2 + row * row_pitch
        for col in range(cols - (row & 1)):
            if cells[row * cols + col]:
                x = (col + 0.5 + 0.5 * (row & 1)) * pitch
                draw.polygon(
                    (
                        (x, y - half_h),
                        (x + half_w, y - half_h / 2),
                        (x + half_w, y + half_h / 2),
                        (x, y + half_h),
                        (x - half_w, y + half_h / 2),
                        (x - half_w, y - half_h / 2),
                    ),
                    fill=255,
                )
    # the bullseye sits on row 16 over column 14, where zint leaves the data grid empty
    cx, cy = 14.5 * pitch, hex_height / 2 + 16 * row_pitch
    inner = hex_height / 2
    step = (9 * pitch - inner) / 10
    for ring in range(5, -1, -1):
        radius = inner + ring * step
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=255 if ring % 2 else 0)
    return image


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise SymbolError(f"a {width} x {height} dot symbol is over the {MAX_PIXELS:,}-pixel limit")


@lru_cache(maxsize=64)
def _render(field: _Field) -> Image.Image:
    grid = _grid(field)
    geometry = field.geometry
    if isinstance(geometry, _Linear):
        image = _linear_image(grid, geometry)
    elif isinstance(geometry, _Matrix):
        image = _matrix_image(grid, geometry)
    else:
        image = _maxi_image(grid, geometry)
    return image.convert("1", dither=Image.Dither.NONE)


# ---------------------------------------------------------------------------------------------------------
# entry points

_COMMANDS: Final = {
    "BC": _code128,
    "B3": _code39,
    "BA": _code93,
    "B2": _interleaved,
    "BK": _codabar,
    "BE": _ean,
    "BU": _ean,
    "B8": _ean,
    "B9": _ean,
    "BX": _datamatrix,
    "BQ": _qrcode,
    "B7": _pdf417,
    "BD": _maxicode,
    "BO": _aztec,
    "B0": _aztec,
}


@lru_cache(maxsize=256)
def _field(request: SymbolRequest) -> _Field:
    command = request.command.upper().lstrip("^")
    parse = _COMMANDS.get(command)
    if parse is None:
        raise SymbolError(f"^{command} is not a barcode command this interpreter prints")
    try:
        return parse(request)
    except SymbolError:
        raise
    except (ValueError, TypeError, OverflowError, IndexError) as exc:
        raise SymbolError(f"^{command}: {exc}") from None


def scanned_text(request: SymbolRequest) -> str:
    """What a scanner reads from the field's symbol, spelled as zxing-cpp's reader returns it; builds no bitmap."""
    return _field(request).text


def encode(request: SymbolRequest) -> Symbol:
    """The field's symbol as the printer sizes it: one pixel per dot, orientation N, no quiet zone, 255 = ink."""
    field = _field(request)
    try:
        mask = _render(field)
    except SymbolError:
        raise
    except (ValueError, TypeError, OverflowError, MemoryError) as exc:
        raise SymbolError(f"^{request.command}: {exc}") from None
    return Symbol(
        symbology=_fmt_name(field.fmt),
        mask=mask.copy(),
        text=field.text,
        interpretation=field.interpretation,
        interpretation_above=field.above,
    )
