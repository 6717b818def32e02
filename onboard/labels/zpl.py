"""The label as ZPL II for Zebra printers, plus a reader and rasteriser for exactly the subset written here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from PIL import Image

from onboard.labels.content import LabelContent
from onboard.labels.layout import (
    Bar,
    Box,
    Primitive,
    Symbol,
    Text,
    code128_symbol,
    datamatrix_symbol,
    layout,
    to_dots,
    to_points,
)
from onboard.labels.png import label_size, paint

# Field data goes through ^FH with this indicator whenever it holds a character ZPL would read as syntax.
_HEX_INDICATOR = "_"
_NEEDS_ESCAPE = re.compile(r"[\^~_\x00-\x1f\x7f]")
# a preview larger than this is a mistake, not a label: refuse rather than allocate gigabytes
_MAX_DOTS = 12000
# past these a field is a typo, and rasterising it would cost memory for nothing
_MAX_FONT_DOTS = 1000
_MAX_MATRIX_MODULE = 100
_ZEBRA_DEFAULT_FONT_DOTS = 9
_ZEBRA_DEFAULT_MODULE = 2


# --- writing ---------------------------------------------------------------------------------------------


def _field_data(data: str) -> str:
    """^FD...^FS, hex-escaping (^FH) the characters that would otherwise end or break the field."""
    if not _NEEDS_ESCAPE.search(data):
        return f"^FD{data}^FS"
    escaped = _NEEDS_ESCAPE.sub(lambda m: "".join(f"_{b:02X}" for b in m.group().encode()), data)
    return f"^FH{_HEX_INDICATOR}^FD{escaped}^FS"


def _zpl_field(item: Primitive, dpi: int) -> str:
    x, y = to_dots(item.x, dpi), to_dots(item.y, dpi)
    if isinstance(item, Text):
        height = max(1, to_dots(item.size, dpi))
        reverse = "^FR" if item.reverse else ""
        return f"^FO{x},{y}^A0N,{height},{height}{reverse}{_field_data(item.text)}"
    if isinstance(item, Symbol):
        module = to_dots(item.module, dpi)
        if item.kind == "code128":
            # mode A lets the printer pack digit runs into subset C, as the raster renderers' encoder does
            height = to_dots(item.height, dpi)
            return f"^BY{module}^FO{x},{y}^BCN,{height},N,N,N,A{_field_data(item.data)}"
        return f"^FO{x},{y}^BXN,{module},200{_field_data(item.data)}"
    w, h = to_dots(item.x + item.w, dpi) - x, to_dots(item.y + item.h, dpi) - y
    thickness = to_dots(item.thickness, dpi) if isinstance(item, Box) else min(w, h)
    return f"^FO{x},{y}^GB{w},{h},{max(1, thickness)}^FS"


def render_zpl(content: LabelContent, dpi: int) -> bytes:
    """ZPL II (UTF-8, ^CI28) for a 4x6 in label on a `dpi` printer."""
    width, height = label_size(dpi)
    lines = ["^XA", "^CI28", f"^PW{width}", f"^LL{height}", "^LH0,0"]
    lines += [_zpl_field(item, dpi) for item in layout(content, dpi)]
    lines.append("^XZ")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- reading ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZplText:
    """^FO x,y ^A0N,height,width [^FR] ^FD text ^FS"""

    x: int
    y: int
    height: int
    width: int
    text: str
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class ZplBox:
    """^FO x,y ^GB width,height,thickness ^FS (filled when the border meets in the middle)"""

    x: int
    y: int
    width: int
    height: int
    thickness: int


@dataclass(frozen=True, slots=True)
class ZplCode128:
    """^BY module ^FO x,y ^BCN,height ^FD data ^FS"""

    x: int
    y: int
    module: int
    height: int
    data: str


@dataclass(frozen=True, slots=True)
class ZplDataMatrix:
    """^FO x,y ^BXN,module,200 ^FD data ^FS"""

    x: int
    y: int
    module: int
    data: str


ZplField = ZplText | ZplBox | ZplCode128 | ZplDataMatrix


@dataclass(frozen=True, slots=True)
class ZplLabel:
    """One ^XA...^XZ label: its size in dots and its fields in print order."""

    width_dots: int
    height_dots: int
    fields: tuple[ZplField, ...]


def _ints(code: str, params: str, defaults: tuple[int, ...]) -> tuple[int, ...]:
    """Comma-separated integers; empty or missing ones take their default, extra ones are ignored."""
    parts = params.split(",")
    values: list[int] = []
    for i, default in enumerate(defaults):
        raw = parts[i].strip() if i < len(parts) else ""
        if not raw:
            values.append(default)
            continue
        if not raw.isdigit():
            raise ValueError(f"^{code}: expected a whole number, got {raw!r}")
        values.append(int(raw))
    return tuple(values)


def _within(code: str, what: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise ValueError(f"^{code}: {what} must be {low} to {high} dots, got {value}")
    return value


def _orientation(code: str, params: str) -> str:
    rest = params.split(",", 1)
    value = rest[0].strip().upper() or "N"
    if value != "N":
        raise ValueError(f"^{code}: orientation {value!r} is not supported (only N)")
    return rest[1] if len(rest) > 1 else ""


def _unhex(data: str, indicator: str) -> str:
    out = bytearray()
    i = 0
    while i < len(data):
        if data[i] == indicator:
            pair = data[i + 1 : i + 3]
            if len(pair) != 2 or any(c not in "0123456789abcdefABCDEF" for c in pair):
                raise ValueError(f"^FH: bad hex escape {data[i : i + 3]!r} in field data")
            out.append(int(pair, 16))
            i += 3
        else:
            out += data[i].encode()
            i += 1
    return out.decode("utf-8", errors="replace")


class _Parser:
    """Walks the commands of one label, keeping ZPL's per-field state until each ^FS."""

    origin: tuple[int, ...]
    kind: tuple[str, tuple[int, ...]] | None
    data: str | None
    reverse: bool
    hex_indicator: str | None

    def __init__(self) -> None:
        self.width = 0
        self.height = 0
        self.fields: list[ZplField] = []
        self.font = (_ZEBRA_DEFAULT_FONT_DOTS, _ZEBRA_DEFAULT_FONT_DOTS)
        self.module = _ZEBRA_DEFAULT_MODULE
        self.bar_height = 10
        self._reset_field()

    def _reset_field(self) -> None:
        self.origin = (0, 0)
        self.kind = None
        self.data = None
        self.reverse = False
        self.hex_indicator = None

    def command(self, code: str, params: str) -> None:
        if code == "PW":
            (self.width,) = _ints(code, params, (0,))
        elif code == "LL":
            (self.height,) = _ints(code, params, (0,))
        elif code == "FO":
            self.origin = _ints(code, params, (0, 0))[:2]
        elif code.startswith("A") and code != "A@":
            h, w = _ints(code, _orientation(code, params), (self.font[0], 0))
            self.font = (_within(code, "font height", h, 1, _MAX_FONT_DOTS), w or h)
        elif code == "GB":
            w, h, t = _ints(code, params, (0, 0, 1))
            t = max(t, 1)
            self.kind = ("box", (max(w, t), max(h, t), t))
        elif code == "BY":
            # the wide-to-narrow ratio (2nd) may be a decimal and means nothing to Code 128: skip it
            parts = params.split(",")
            (module,) = _ints(code, parts[0], (self.module,))
            self.module = _within(code, "module width", module, 1, 10)
            if len(parts) > 2:
                (height,) = _ints(code, parts[2], (self.bar_height,))
                self.bar_height = _within(code, "bar height", height, 1, _MAX_DOTS)
        elif code == "BC":
            (h,) = _ints(code, _orientation(code, params), (self.bar_height,))
            self.kind = ("code128", (_within(code, "bar height", h, 1, _MAX_DOTS),))
        elif code == "BX":
            (m,) = _ints(code, _orientation(code, params), (1,))
            self.kind = ("datamatrix", (_within(code, "module size", m, 1, _MAX_MATRIX_MODULE),))
        elif code == "FR":
            self.reverse = True
        elif code == "FH":
            self.hex_indicator = params[:1] or _HEX_INDICATOR
        elif code == "FD":
            self.data = _unhex(params, self.hex_indicator) if self.hex_indicator else params
        elif code == "FS":
            self._end_field()
        # everything else (^CI, ^LH, ^PQ, ~ commands...) does not change what this subset draws

    def _end_field(self) -> None:
        x, y = self.origin
        kind, args = self.kind or ("text", ())
        if kind == "box":
            self.fields.append(ZplBox(x, y, *args))
        elif self.data is None:
            if kind != "text":
                raise ValueError(f"{kind} barcode at {x},{y} has no ^FD data")
        elif kind == "code128":
            self.fields.append(ZplCode128(x, y, self.module, args[0], self.data))
        elif kind == "datamatrix":
            self.fields.append(ZplDataMatrix(x, y, args[0], self.data))
        else:
            self.fields.append(ZplText(x, y, self.font[0], self.font[1], self.data, self.reverse))
        self._reset_field()


_COMMAND = re.compile(r"([\^~])([^\^~]*)")


def parse_zpl(text: str) -> ZplLabel:
    """Read the first ^XA...^XZ label of `text`; raises ValueError (one line) when it is not well formed."""
    # printers ignore line breaks between (and inside) commands
    body = text.replace("\r", "").replace("\n", "")
    start = re.search(r"\^XA", body, re.IGNORECASE)
    if start is None:
        raise ValueError("not a ZPL label: no ^XA")
    parser = _Parser()
    for match in _COMMAND.finditer(body, start.end()):
        prefix, rest = match.groups()
        code, params = rest[:2].upper(), rest[2:]
        if prefix == "~":
            continue
        if code == "XZ":
            break
        if len(code) < 2:
            raise ValueError(f"truncated ZPL command {prefix + rest!r}")
        parser.command(code, params)
    else:
        raise ValueError("ZPL label is not closed with ^XZ")
    if parser.data is not None or parser.kind is not None:
        raise ValueError("ZPL field is not closed with ^FS")
    for name, value in (("^PW", parser.width), ("^LL", parser.height)):
        if not 0 < value <= _MAX_DOTS:
            raise ValueError(f"ZPL label needs {name} between 1 and {_MAX_DOTS} dots, got {value}")
    return ZplLabel(parser.width, parser.height, tuple(parser.fields))


def _primitive(field: ZplField, dpi: int) -> Primitive:
    if isinstance(field, ZplText):
        # font 0 on a Zebra is a bold condensed face, so the preview draws it bold
        return Text(
            to_points(field.x, dpi),
            to_points(field.y, dpi),
            to_points(field.height, dpi),
            field.text,
            True,
            field.reverse,
        )
    if isinstance(field, ZplBox):
        x, y = to_points(field.x, dpi), to_points(field.y, dpi)
        w, h = to_points(field.width, dpi), to_points(field.height, dpi)
        if field.thickness >= min(field.width, field.height):
            return Bar(x, y, w, h)
        return Box(x, y, w, h, to_points(field.thickness, dpi))
    if isinstance(field, ZplCode128):
        return code128_symbol(field.data, field.x, field.y, field.module, field.height, dpi)
    return datamatrix_symbol(field.data, field.x, field.y, field.module, dpi)


def rasterize_zpl(text: str, dpi: int) -> Image.Image:
    """Draw a ZPL label (this module's subset) as a 1-bit image, one pixel per printer dot."""
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    label = parse_zpl(text)
    items = [_primitive(field, dpi) for field in label.fields]
    return paint(items, dpi, (label.width_dots, label.height_dots))
