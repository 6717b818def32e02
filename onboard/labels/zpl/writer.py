"""The emulator's labels as ZPL II, written the way carriers' systems write theirs.

Carriers' ZPL is not the tidy subset a tool would write for itself: text is placed on its baseline with
^FT, in font 0 with a 0 width (the printer's own proportions), through ^FH escapes; a centred line is a
one-line ^FB; a logo is a compressed ^GFA bitmap; ^BX names all its parameters. Writing ours the same way
means every certification run puts the interpreter (``onboard.labels.zpl``) through what real labels use.
"""

from __future__ import annotations

import re
from functools import lru_cache

from PIL import Image, ImageDraw

from onboard.labels.barcodes import datamatrix_modules
from onboard.labels.content import LabelContent, label_size
from onboard.labels.layout import ASCENT, Bar, Box, Primitive, Symbol, Text, layout, to_dots

__all__ = ["write_zpl"]

_HEX_INDICATOR = "_"
_NEEDS_ESCAPE = re.compile(r"[\^~_\x00-\x1f\x7f]")
# the ^FT baseline of a text line: where the layout's baseline is, in the cell the printer draws
_LOGO_DOTS = 28


def _field_data(data: str) -> str:
    """^FH_^FD…^FS, the characters ZPL would read as syntax written as _XX escapes of their UTF-8 bytes."""
    escaped = _NEEDS_ESCAPE.sub(lambda m: "".join(f"_{b:02X}" for b in m.group().encode()), data)
    return f"^FH{_HEX_INDICATOR}^FD{escaped}^FS"


def _text(item: Text, dpi: int, banner: str, label_width: int) -> str:
    height = max(1, to_dots(item.size, dpi))
    baseline = to_dots(item.y + item.size * ASCENT, dpi)
    reverse = "^FR" if item.reverse else ""
    if item.text == banner and item.reverse:
        # the banner is centred by the printer, across the label, as carriers centre their headings
        return f"^FT0,{baseline}^A0N,{height},0^FB{label_width},1,0,C{reverse}{_field_data(item.text)}"
    return f"^FT{to_dots(item.x, dpi)},{baseline}^A0N,{height},0{reverse}{_field_data(item.text)}"


def _symbol(item: Symbol, dpi: int) -> str:
    x, y = to_dots(item.x, dpi), to_dots(item.y, dpi)
    module = to_dots(item.module, dpi)
    if item.kind == "code128":
        height = to_dots(item.height, dpi)
        # ^FT puts a barcode's bottom-left corner at the origin; mode A lets the printer choose subsets
        return f"^BY{module},3,{height}^FT{x},{y + height}^BCN,{height},N,N,N,A{_field_data(item.data)}"
    side = len(datamatrix_modules(item.data))
    return f"^FO{x},{y}^BXN,{module},200,{side},{side},6,_,1{_field_data(item.data)}"


def _shape(item: Box | Bar, dpi: int) -> str:
    x, y = to_dots(item.x, dpi), to_dots(item.y, dpi)
    w, h = to_dots(item.x + item.w, dpi) - x, to_dots(item.y + item.h, dpi) - y
    thickness = to_dots(item.thickness, dpi) if isinstance(item, Box) else min(w, h)
    return f"^FO{x},{y}^GB{w},{h},{max(1, thickness)}^FS"


@lru_cache(maxsize=2)
def _logo(dots: int) -> str:
    """A small parcel mark as ^GFA hex in ZPL's compressed form (repeat counts, ',' and ':' shortcuts)."""
    image = Image.new("1", (dots, dots), 0)
    draw = ImageDraw.Draw(image)
    edge = max(2, dots // 10)
    draw.rectangle((0, 0, dots - 1, dots - 1), fill=1)
    draw.rectangle((edge, edge, dots - 1 - edge, dots - 1 - edge), fill=0)
    draw.rectangle((dots // 2 - edge // 2, 0, dots // 2 + edge // 2, dots // 2), fill=1)
    row_bytes = (dots + 7) // 8
    rows = []
    for y in range(dots):
        bits = "".join("1" if x < dots and image.getpixel((x, y)) else "0" for x in range(row_bytes * 8))
        rows.append("".join(f"{int(bits[i : i + 8], 2):02X}" for i in range(0, len(bits), 8)))
    out: list[str] = []
    previous = None
    for row in rows:
        if row == previous:
            out.append(":")
            continue
        previous = row
        stripped = row.rstrip("0")
        out.append(_compress(stripped) + ("," if len(stripped) < len(row) else ""))
    total = row_bytes * dots
    return f"^GFA,{total},{total},{row_bytes},{''.join(out)}"


_COUNTS = "GHIJKLMNOPQRSTUVWXY"  # 1 to 19
_TWENTIES = "ghijklmnopqrstuvwxyz"  # 20 to 400


def _compress(hex_row: str) -> str:
    """Runs of one hex digit written with ZPL's repeat counts (G-Y 1-19, g-z 20-400)."""
    out: list[str] = []
    i = 0
    while i < len(hex_row):
        j = i
        while j < len(hex_row) and hex_row[j] == hex_row[i]:
            j += 1
        run = j - i
        if run == 1:
            out.append(hex_row[i])
        else:
            prefix = (_TWENTIES[run // 20 - 1] if run >= 20 else "") + (_COUNTS[run % 20 - 1] if run % 20 else "")
            out.append(prefix + hex_row[i])
        i = j
    return "".join(out)


def write_zpl(content: LabelContent, dpi: int) -> bytes:
    """ZPL II (UTF-8, ^CI28) for a 4x6 in label on a ``dpi`` printer."""
    width, height = label_size(dpi)
    lines = ["^XA", "^CI28", f"^PW{width}", f"^LL{height}", "^LH0,0", "^FWN", "^CF0,30", "^PON", "^LRN"]
    items: list[Primitive] = layout(content, dpi)
    banner_bar: Bar | None = None
    for item in items:
        if isinstance(item, Text):
            lines.append(_text(item, dpi, content.banner, width))
        elif isinstance(item, Symbol):
            lines.append(_symbol(item, dpi))
        else:
            lines.append(_shape(item, dpi))
            if isinstance(item, Bar):
                banner_bar = item
    if banner_bar is not None and content.banner:
        # the mark sits at the left of the banner, white on its black like the banner's words
        logo = min(_LOGO_DOTS * dpi // 203, max(4, to_dots(banner_bar.h, dpi) - 6))
        x = to_dots(banner_bar.x, dpi) + 6
        y = to_dots(banner_bar.y, dpi) + (to_dots(banner_bar.h, dpi) - logo) // 2
        lines.append(f"^FO{x},{y}^FR{_logo(logo)}^FS")
    lines += ["^PQ1,0,1,Y", "^XZ"]
    return ("\n".join(lines) + "\n").encode("utf-8")
