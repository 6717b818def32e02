"""The label as a one-page PDF 1.4, written by hand: vector bars and the two standard Helvetica fonts."""

from __future__ import annotations

import zlib

from onboard.labels.content import LabelContent
from onboard.labels.layout import (
    ASCENT,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    Bar,
    Box,
    Primitive,
    Symbol,
    Text,
    box_bars,
    layout,
)

_FONTS = {False: b"/F1", True: b"/F2"}


def _num(value: float) -> bytes:
    # four decimals keep dot-grid positions (multiples of 72/dpi) well under 1/1000 of a dot off
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return (text if text not in ("", "-0") else "0").encode("ascii")


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _bar(bar: Bar) -> bytes:
    # PDF's origin is bottom-left, the layout's top-left
    y = PAGE_HEIGHT - bar.y - bar.h
    return b" ".join((_num(bar.x), _num(y), _num(bar.w), _num(bar.h), b"re"))


def _content_stream(items: list[Primitive]) -> bytes:
    bars: list[Bar] = []
    texts: list[Text] = []
    for item in items:
        if isinstance(item, Box):
            bars.extend(box_bars(item))
        elif isinstance(item, Bar):
            bars.append(item)
        elif isinstance(item, Symbol):
            bars.extend(item.bars)
        else:
            texts.append(item)
    # one path and one fill for every bar: fewer operators, and no seams between touching bars
    ops = [b"0 g", *(_bar(b) for b in bars), b"f"]
    for t in texts:
        baseline = PAGE_HEIGHT - t.y - ASCENT * t.size
        ops += [
            b"1 g" if t.reverse else b"0 g",
            b"BT " + _FONTS[t.bold] + b" " + _num(t.size) + b" Tf",
            _num(t.x) + b" " + _num(baseline) + b" Td " + _pdf_string(t.text) + b" Tj ET",
        ]
    return b"\n".join(ops) + b"\n"


def pdf_file(objects: list[bytes], *, info: int | None = None) -> bytes:
    """A PDF of ``objects`` (numbered from 1, the catalog first), its cross-reference table and trailer;
    ``info`` is the number of its document-information object, if it has one."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer_info = b" /Info %d 0 R" % info if info is not None else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (len(objects) + 1, trailer_info)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def render_pdf(content: LabelContent, dpi: int) -> bytes:
    """A 4x6 in (288 x 432 pt) PDF of the label; `dpi` is the printer it is laid out for."""
    stream = zlib.compress(_content_stream(layout(content, dpi)))
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>"
    title = _pdf_string(f"Shipping label {content.tracking_id}")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>" % (_num(PAGE_WIDTH), _num(PAGE_HEIGHT)),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        font % b"Helvetica",
        font % b"Helvetica-Bold",
        b"<< /Title " + title + b" /Producer (onboard) >>",
    ]
    return pdf_file(objects, info=7)
