"""What a PDF page would cost PDFium to draw, read before it draws it: a page that costs too much is no label.

PDFium bounds nothing of a page's own. A 3.6 KB file whose forms each draw the next ten times, eight deep,
is 10^8 rectangles (15 GB and minutes); 100 KB of compressed content is 52 MB of operators (4 s a page); a
1.5 MB image claims 1.6 billion pixels. So before a page is drawn, this module walks it with pypdf as PDFium
would parse it, without drawing anything:

- the page's content streams and its annotations' appearances, decompressed here with a cap (never by pypdf,
  whose decoders stop only at 75 MB);
- every form XObject, tiling pattern, soft mask and Type 3 glyph they use, recursively, a form as often as it
  is drawn (``/F0 Do`` ten times costs ten times F0). Each distinct form is walked once and its cost kept, so
  a fan-out that would draw 10^8 rectangles costs this walk a few dozen objects;
- every image drawn, as its width x height (from its dictionary, and a JPEG's or JPEG 2000's own header,
  which PDFium believes over the dictionary), inline images too;
- the other streams PDFium decodes for the page (fonts, colour profiles, shadings, functions), by size.

A page over any limit is not drawn. The limits are far above any carrier label (content of a few hundred KB,
images of a few million pixels, forms nested 1-3 deep) and low enough that ten pages at the limits are
drawn within a whole check's budget of 5 s and 300 MB. A page this module cannot read the way PDFium would
(a filter it does not decode, a page tree pypdf reads differently) is not drawn either: an unmeasured page
is a hostile file's way round the limits.

What this cannot see is what painting costs once parsed: a thousand page-wide strokes are 20 KB of content
yet 4 s of PDFium's rasteriser. ``onboard.labels.formats.pdf`` bounds that with a drawing deadline, which
PDFium checks between a page's objects; a form is one object, so what painting inside one form costs is
bounded by neither (only drawing in a separate process, killed at its deadline, would bound it).
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import math
import re
import warnings
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from pypdf import PdfReader
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, IndirectObject, NullObject, StreamObject

__all__ = [
    "MAX_CONTENT_BYTES",
    "MAX_DATA_BYTES",
    "MAX_DRAWS",
    "MAX_FORM_DEPTH",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "Unfit",
    "unfit_line",
    "unfit_pages",
]

_MB = 1024 * 1024
#: content-stream bytes one page parses, forms counted as often as drawn. PDFium keeps up to 80 bytes for each
#: (2 MB of ``(a)'`` is 500,000 text objects: 170 MB, 1 s); a label's content is a few hundred KB
MAX_CONTENT_BYTES = 2 * _MB
#: forms and images one page draws (each ``Do`` as often as it runs) and annotations: a label draws a dozen
MAX_DRAWS = 10_000
#: image pixels one page draws, each image as often as drawn (each draw decodes or stretches it): a 4 x 6 in
#: label at 600 dpi is 8.6 million; 32 million decode and draw in about 0.2 s
MAX_IMAGE_PIXELS = 32_000_000
#: bytes those images decode to (width x height x components x bits): what PDFium holds while drawing them
MAX_IMAGE_BYTES = 96 * _MB
#: bytes of the other streams a page decodes (embedded fonts, colour profiles, shadings, functions), each
#: once: a full CJK font is 20 MB, a label's subset fonts a few hundred KB
MAX_DATA_BYTES = 32 * _MB
#: forms inside forms: a label nests 1-3 deep
MAX_FORM_DEPTH = 16
#: this check's own budget for one file: objects it visits, bytes it decompresses, page-tree nodes it walks
_MAX_OBJECTS = 50_000
_MAX_DECODED = 160 * _MB
_MAX_TREE_NODES = 10_000
#: content bytes times resource names searched in them (bytes.count runs at GB/s)
_MAX_SCANNED = 2 * 1024 * _MB
#: tiles a tiling pattern may cut the page into: a hatch of 2 pt steps on a 4 x 6 in page is 31,000
_MAX_TILES = 1_000_000
#: inline images (``BI`` ... ``ID``) one content stream may hold before it is too many to read one by one
_MAX_INLINE_IMAGES = 10_000
#: ``/Name``s spelled with ``#`` escapes one content stream may hold before they are too many to decode
_MAX_ESCAPED_NAMES = 10_000
#: how far a filter this check does not decode may expand: LZW at most ~2,700 times (codes of 12 bits for
#: runs of up to 4,096 bytes), run-length 128 times; others (image codecs) PDFium does not apply to data
_EXPANSION = {"/LZWDecode": 2730, "/LZW": 2730, "/RunLengthDecode": 128, "/RL": 128}
_INFLATE_CHUNK = 256 * 1024
#: how much of a JPEG or JPEG 2000 stream is searched for the header giving its true size
_HEADER_BYTES = 1 * _MB

_FLATE = frozenset({"/FlateDecode", "/Fl"})
_HEX = frozenset({"/ASCIIHexDecode", "/AHx"})
_A85 = frozenset({"/ASCII85Decode", "/A85"})
_DCT = frozenset({"/DCTDecode", "/DCT"})
_JPX = frozenset({"/JPXDecode"})
_PDF_DELIMITERS = rb"\s/\[\]<>(){}%"
_ESCAPED_NAME = re.compile(rb"/[^" + _PDF_DELIMITERS + rb"]*#[^" + _PDF_DELIMITERS + rb"]*")
_INLINE_IMAGE = re.compile(rb"(?<![^" + _PDF_DELIMITERS + rb"])BI(?![^" + _PDF_DELIMITERS + rb"])")
_INLINE_END = re.compile(rb"(?<![^" + _PDF_DELIMITERS + rb"])ID(?![^" + _PDF_DELIMITERS + rb"])")
_INLINE_ENTRY = re.compile(rb"/(Width|W|Height|H|BitsPerComponent|BPC|ColorSpace|CS|ImageMask|IM)\s*/?([\w.+-]+)")
_INLINE_NAMES = {
    b"W": b"Width",
    b"H": b"Height",
    b"BPC": b"BitsPerComponent",
    b"CS": b"ColorSpace",
    b"IM": b"ImageMask",
}
_COMPONENTS = {
    "/DeviceGray": 1, "/G": 1, "/CalGray": 1, "/Indexed": 1, "/I": 1, "/Separation": 1,
    "/DeviceRGB": 3, "/RGB": 3, "/CalRGB": 3, "/Lab": 3,
    "/DeviceCMYK": 4, "/CMYK": 4,
}  # fmt: skip
#: a colour space this check cannot name (a resource name, a broken array) counts as the widest
_MOST_COMPONENTS = 4

Key = tuple[int, int]


class Unfit(NamedTuple):
    """Why a page is not drawn: ``heavy`` (over a limit) or ``unmeasured`` (this check cannot read it)."""

    kind: Literal["heavy", "unmeasured"]
    detail: str


def unfit_pages(data: bytes, count: int, limit: int) -> dict[int, Unfit]:
    """Why each of the first ``limit`` pages of a PDF of ``count`` pages (as PDFium counts) must not be drawn.

    Page numbers from 1; a page absent from the answer is fit to draw. Never raises: a file pypdf cannot read
    makes every page unmeasured.
    """
    wanted = range(1, min(count, limit) + 1)
    with _quiet():
        try:
            pages = _leaves(_reader(data))
        except _Unmeasured as why:
            return dict.fromkeys(wanted, Unfit("unmeasured", why.detail))
        except Exception as exc:  # pypdf raises many kinds on a damaged file: each is "cannot read"
            return dict.fromkeys(wanted, Unfit("unmeasured", f"pypdf cannot read it: {_one_line(exc)}"))
        if len(pages) != count:
            detail = f"pypdf reads {len(pages)} pages where PDFium reads {count}"
            return dict.fromkeys(wanted, Unfit("unmeasured", detail))
        walk = _Walk()
        found = {number: _unfit(walk, pages[number - 1]) for number in wanted}
    return {number: unfit for number, unfit in found.items() if unfit is not None}


def unfit_line(unfit: dict[int, Unfit]) -> str:
    """The pages not drawn as one check line: pages with the same reason said together, in page order."""
    by_reason: dict[Unfit, list[int]] = {}
    for number in sorted(unfit):
        by_reason.setdefault(unfit[number], []).append(number)
    parts = []
    for reason, numbers in by_reason.items():
        where = _pages_words(numbers)
        if reason.kind == "heavy":
            verb = "draws" if len(numbers) == 1 else "draw"
            parts.append(f"{where} {verb} too much to be a label ({reason.detail}): not drawn")
        else:
            parts.append(f"{where} cannot be measured before drawing ({reason.detail}): not drawn")
    return "; ".join(parts)


# --- what a page costs ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cost:
    """What drawing something once costs PDFium; ``data`` holds (stream, bytes) pairs, each decoded once."""

    content: int = 0
    draws: int = 0
    pixels: int = 0
    image_bytes: int = 0
    depth: int = 0
    data: frozenset[tuple[Key, int]] = frozenset()

    def plus(self, other: _Cost, times: int = 1) -> _Cost:
        """This and ``times`` draws of ``other``: what is parsed and drawn adds up, data once (PDFium caches it)."""
        return _Cost(
            self.content + other.content * times,
            self.draws + other.draws * times,
            self.pixels + other.pixels * times,
            self.image_bytes + other.image_bytes * times,
            max(self.depth, other.depth),
            self.data | other.data,
        )


class _TooMuch(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _Unmeasured(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _check(cost: _Cost) -> _Cost:
    """``cost`` as it is, or _TooMuch when it is over a page's limit: checked at every form, so a fan-out
    stops at the level that first goes over, not at the bottom of its 10^8 draws."""
    if cost.depth > MAX_FORM_DEPTH:
        raise _TooMuch(f"forms nested more than {MAX_FORM_DEPTH} deep")
    if cost.draws > MAX_DRAWS:
        raise _TooMuch(f"more than {MAX_DRAWS:,} forms and images drawn")
    if cost.content > MAX_CONTENT_BYTES:
        raise _TooMuch(f"more than {_mb(MAX_CONTENT_BYTES)} of drawing operators")
    if cost.pixels > MAX_IMAGE_PIXELS:
        raise _TooMuch(f"more than {MAX_IMAGE_PIXELS // 1_000_000} million image pixels")
    if cost.image_bytes > MAX_IMAGE_BYTES:
        raise _TooMuch(f"more than {_mb(MAX_IMAGE_BYTES)} of image data")
    if sum(size for _, size in cost.data) > MAX_DATA_BYTES:
        raise _TooMuch(f"more than {_mb(MAX_DATA_BYTES)} of fonts and other data")
    return cost


def _unfit(walk: _Walk, page: DictionaryObject) -> Unfit | None:
    try:
        walk.page(page, _inherited(page, "/Resources"))
    except _TooMuch as why:
        return Unfit("heavy", why.detail)
    except _Unmeasured as why:
        return Unfit("unmeasured", why.detail)
    except Exception as exc:  # a damaged object pypdf cannot parse: the page is not read, so not drawn
        return Unfit("unmeasured", f"pypdf cannot read it: {_one_line(exc)}")
    return None


class _Walk:
    """One file's walk: the cost of each form kept (pages share forms), and this check's own budget."""

    def __init__(self) -> None:
        self.memo: dict[tuple[Key, Key], _Cost] = {}
        #: forms being walked: one met again inside itself draws itself (PDFium recurses until its depth cap)
        self.open: set[Key] = set()
        #: decoded sizes of the data streams met so far: fonts are shared by pages
        self.sizes: dict[Key, int] = {}
        self.page_area = 0.0
        self.objects = 0
        self.decoded = 0
        self.scanned = 0

    def page(self, page: DictionaryObject, resources: Any) -> _Cost:
        self.page_area = _area(_inherited(page, "/MediaBox"))
        cost = self.drawing(self.contents(page), resources, depth=0)
        for appearance in _appearances(page):
            self.visit()
            cost = _check(cost.plus(self.form(appearance, resources, depth=0)))
        return cost

    def contents(self, page: DictionaryObject) -> bytes:
        """The page's content streams as PDFium parses them: one after another, a space between."""
        contents = _get(page, "/Contents")
        streams = list(contents) if isinstance(contents, ArrayObject) else [contents]
        parts: list[bytes] = []
        total = 0
        for item in streams:
            stream = _resolve(item)
            if not isinstance(stream, StreamObject):
                continue
            self.visit()
            part = self.content_bytes(stream)
            total += len(part) + 1
            if total > MAX_CONTENT_BYTES:
                raise _TooMuch(f"more than {_mb(MAX_CONTENT_BYTES)} of drawing operators")
            parts.append(part)
        return b" ".join(parts)

    def drawing(self, data: bytes, resources: Any, depth: int) -> _Cost:
        """What drawing ``data`` once with ``resources`` costs: itself, its inline images, what it names."""
        cost = _check(_Cost(content=len(data)).plus(_inline_images(data)))
        if not isinstance(resources, DictionaryObject):
            return cost
        named = _named(resources)
        names = {name for _, name, _ in named}
        self.spend_scan(len(data) * len(names))
        counts = _name_counts(data, names)
        for category, name, value in named:
            times = counts.get(name, 0)
            if not times:
                continue  # named in the resources, never used: PDFium never loads it
            self.visit()
            if category == "/XObject":
                cost = _check(cost.plus(self.xobject(value, resources, depth), times))
            elif category == "/Pattern":
                cost = _check(cost.plus(self.pattern(value, resources, depth)))
            elif category == "/Font":
                cost = _check(cost.plus(self.font(value, resources, depth)))
            elif category == "/ExtGState":
                cost = _check(cost.plus(self.graphics_state(value, resources, depth)))
            else:
                cost = _check(cost.plus(_Cost(data=self.data(value))))
        return cost

    def xobject(self, value: Any, resources: Any, depth: int) -> _Cost:
        stream = _resolve(value)
        if not isinstance(stream, StreamObject):
            return _Cost()
        subtype = _get(stream, "/Subtype")
        if subtype == "/Form":
            return self.form(stream, resources, depth)
        if subtype == "/Image":
            return self.image(stream)
        return _Cost()  # PostScript XObjects and the like: PDFium draws none

    def form(self, value: Any, resources: Any, depth: int) -> _Cost:
        """A form (or anything PDFium parses as one: a tiling pattern, a soft mask, a glyph) drawn once."""
        stream = _resolve(value)
        if not isinstance(stream, StreamObject):
            return _Cost()
        key = _key(stream)
        if key in self.open:
            raise _TooMuch("a form that draws itself, without end")
        own = _get(stream, "/Resources")
        # a form without resources draws with its parent's (PDFium does), so its cost depends on them
        used = own if isinstance(own, DictionaryObject) else resources
        memo_key = (key, _key(used))
        if memo_key not in self.memo:
            if depth >= MAX_FORM_DEPTH:
                raise _TooMuch(f"forms nested more than {MAX_FORM_DEPTH} deep")
            self.open.add(key)
            try:
                inner = self.drawing(self.content_bytes(stream), used, depth + 1)
            finally:
                self.open.discard(key)
            self.memo[memo_key] = _check(_Cost(draws=1).plus(inner).plus(_Cost(depth=inner.depth + 1)))
        cost = self.memo[memo_key]
        if depth + cost.depth > MAX_FORM_DEPTH:
            raise _TooMuch(f"forms nested more than {MAX_FORM_DEPTH} deep")
        return cost

    def image(self, stream: StreamObject) -> _Cost:
        width, height = _image_size(stream)
        if _true(_get(stream, "/ImageMask")):
            components, bits = 1, 1
        else:
            components = _components(_get(stream, "/ColorSpace"))
            bits = min(max(_int(_get(stream, "/BitsPerComponent"), 8), 1), 16)
        cost = _Cost(
            draws=1,
            pixels=width * height,
            image_bytes=math.ceil(width * components * bits / 8) * height,
            data=self.data(_get(stream, "/ColorSpace"))
            | self.data(_get(_get(stream, "/DecodeParms"), "/JBIG2Globals")),
        )
        for mask_key in ("/SMask", "/Mask"):
            mask = _get(stream, mask_key)
            if isinstance(mask, StreamObject) and mask is not stream:
                width, height = _image_size(mask)
                cost = cost.plus(_Cost(pixels=width * height, image_bytes=width * height * 2))
        return cost

    def pattern(self, value: Any, resources: Any, depth: int) -> _Cost:
        pattern = _resolve(value)
        if isinstance(pattern, StreamObject):  # a tiling pattern: its cell is a form PDFium parses
            self.tiles(pattern)
            return self.form(pattern, resources, depth)
        return _Cost(data=self.data(_get(pattern, "/Shading")))

    def tiles(self, pattern: StreamObject) -> None:
        """Refuses a tiling pattern that fills the page with too many tiles: PDFium draws one by one, in
        one step it cannot pause (0.01 pt steps are 10^9 tiles, minutes). Counted for a pattern used by
        the page itself; one used inside a scaled-down form has more tiles than this counts."""
        x_step = abs(_number(_get(pattern, "/XStep")))
        y_step = abs(_number(_get(pattern, "/YStep")))
        matrix = _get(pattern, "/Matrix")
        scale = 1.0
        if isinstance(matrix, ArrayObject) and len(matrix) >= 4:
            a, b, c, d = (_number(_resolve(v)) for v in list(matrix)[:4])
            scale = abs(a * d - b * c)
        cell = x_step * y_step * scale
        if cell > 0 and self.page_area / cell > _MAX_TILES:
            raise _TooMuch(f"a pattern of more than {_MAX_TILES:,} tiles")

    def font(self, value: Any, resources: Any, depth: int) -> _Cost:
        font = _resolve(value)
        cost = _Cost(data=self.data(font))
        procs = _get(font, "/CharProcs")
        if _get(font, "/Subtype") == "/Type3" and isinstance(procs, DictionaryObject):
            own = _get(font, "/Resources")
            used = own if isinstance(own, DictionaryObject) else resources
            for proc in procs.values():  # each glyph's procedure is parsed once, as a form
                self.visit()
                cost = _check(cost.plus(self.form(proc, used, depth)))
        return cost

    def graphics_state(self, value: Any, resources: Any, depth: int) -> _Cost:
        state = _resolve(value)
        cost = _Cost(data=self.data(state))
        mask = _get(state, "/SMask")
        if isinstance(mask, DictionaryObject):
            cost = cost.plus(self.form(_get(mask, "/G"), resources, depth))
        return cost

    def data(self, value: Any) -> frozenset[tuple[Key, int]]:
        """Every stream PDFium may decode under ``value`` (a font, a colour space), with its decoded size.

        Forms, images and tiling patterns are skipped: they cost only when drawn, and are walked then.
        """
        found: set[tuple[Key, int]] = set()
        seen: set[Key] = set()
        todo = [value]
        while todo:
            node = _resolve(todo.pop())
            if not isinstance(node, DictionaryObject | ArrayObject):
                continue
            key = _key(node)
            if key in seen:
                continue
            seen.add(key)
            self.visit()
            if isinstance(node, ArrayObject):
                todo.extend(node)
                continue
            if isinstance(node, StreamObject):
                if _get(node, "/Subtype") in ("/Form", "/Image") or _get(node, "/PatternType") == 1:
                    continue
                if key not in self.sizes:
                    self.sizes[key] = self.data_size(node)
                found.add((key, self.sizes[key]))
            # resources are walked as they are drawn; a parent or page leads back up the file
            todo.extend(v for k, v in node.items() if k not in ("/Resources", "/CharProcs", "/Parent", "/P"))
        return frozenset(found)

    def visit(self) -> None:
        self.objects += 1
        if self.objects > _MAX_OBJECTS:
            raise _TooMuch(f"more than {_MAX_OBJECTS:,} objects to read")

    def content_bytes(self, stream: StreamObject) -> bytes:
        """A content stream decoded (a form's, a page's), refused past the content limit or when not decodable."""
        data = _raw(stream)
        for name, parms in _filters(stream):
            if name in _FLATE:
                if _int(_get(parms, "/Predictor"), 1) > 1:
                    # predicted rows hide their operators from the scan below: no label writer does this
                    raise _Unmeasured("its content is compressed with a predictor")
                data = _inflate(data, MAX_CONTENT_BYTES + 1)
            elif name in _HEX or name in _A85:
                data = _ascii_decoded(name, data)
            elif name != "/Crypt":
                raise _Unmeasured(f"its content is compressed with {name[1:]}, which this check does not decode")
            if len(data) > MAX_CONTENT_BYTES:
                raise _TooMuch(f"more than {_mb(MAX_CONTENT_BYTES)} of drawing operators")
        self.spend(len(data))
        return data

    def data_size(self, stream: StreamObject) -> int:
        """How many bytes a data stream decodes to, at most the data limit (past it, the page is over anyway)."""
        data = _raw(stream)
        bound = len(data)
        filters = _filters(stream)
        for number, (name, _) in enumerate(filters, start=1):
            if name in _FLATE and number == len(filters):
                bound = _inflated_size(data, MAX_DATA_BYTES + 1)
            elif name in _FLATE:
                data = _inflate(data, MAX_DATA_BYTES + 1)
                bound = len(data)
            elif name in _HEX or name in _A85:
                data = _ascii_decoded(name, data)
                bound = len(data)
            else:
                # not decoded here: its bound is what it could expand to, and nothing after it is decoded
                bound *= _EXPANSION.get(name, 1)
                break
        self.spend(min(bound, MAX_DATA_BYTES + 1))
        return min(bound, MAX_DATA_BYTES + 1)

    def spend_scan(self, scanned: int) -> None:
        # each resource name is counted in the content by one pass over it: many names over much content
        # would make this check itself slow
        self.scanned += scanned
        if self.scanned > _MAX_SCANNED:
            raise _TooMuch("too many resources named in too much content")

    def spend(self, decoded: int) -> None:
        self.decoded += decoded
        if self.decoded > _MAX_DECODED:
            raise _TooMuch(f"more than {_mb(_MAX_DECODED)} of streams to decode")


# --- pypdf's objects ---------------------------------------------------------------------------------------


def _reader(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except Exception:
        # pypdf will not start without a startxref, which PDFium does without (it scans the objects): given a
        # wrong one, pypdf scans them too
        reader = PdfReader(io.BytesIO(data + b"\nstartxref\n0\n%%EOF\n"), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")  # PDFium opened it, so it opens with no password
    return reader


def _leaves(reader: PdfReader) -> list[DictionaryObject]:
    """Every page in PDFium's order: a node without ``/Kids`` is a page, a kid naming its own parent is
    skipped, a page may appear twice (PDFium counts it twice)."""
    root = _get(reader.trailer, "/Root")
    pages: list[DictionaryObject] = []
    todo: list[Any] = [_get(root, "/Pages")]
    walked: set[Key] = set()
    while todo:
        node = todo.pop()
        if not isinstance(node, DictionaryObject):
            continue
        if len(walked) + len(pages) > _MAX_TREE_NODES:
            raise _Unmeasured(f"its page tree has more than {_MAX_TREE_NODES:,} nodes")
        kids = _get(node, "/Kids")
        if not isinstance(kids, ArrayObject):
            pages.append(node)
            continue
        if _key(node) in walked:
            continue  # a loop: PDFium refuses the file before this is asked
        walked.add(_key(node))
        todo.extend(kid for kid in reversed([_resolve(k) for k in kids]) if kid is not node)
    return pages


def _inherited(page: DictionaryObject, key: str) -> Any:
    """A page's entry, or the nearest ``/Parent``'s that has it: PDFium follows ``/Parent``, not the tree it
    came down, so a page pointing at another parent gets that parent's resources."""
    node: Any = page
    seen: set[Key] = set()
    while isinstance(node, DictionaryObject) and _key(node) not in seen and len(seen) < _MAX_TREE_NODES:
        value = _get(node, key)
        if value is not None:
            return value
        seen.add(_key(node))
        node = _get(node, "/Parent")
    return None


def _resolve(value: Any) -> Any:
    """What ``value`` refers to (None for a broken reference); anything else as it is."""
    for _ in range(8):  # "5 0 obj 6 0 R endobj" chains: a few, not a loop
        if not isinstance(value, IndirectObject):
            break
        value = value.get_object()
    if isinstance(value, IndirectObject | NullObject):
        return None
    return value


def _get(value: Any, key: str) -> Any:
    value = _resolve(value)
    return _resolve(value.get(key)) if isinstance(value, DictionaryObject) else None


def _key(value: Any) -> Key:
    """The object's number and generation in the file; a direct object, its identity for this walk."""
    reference = getattr(value, "indirect_reference", None)
    if isinstance(reference, IndirectObject):
        return (reference.idnum, reference.generation)
    return (-1, id(value))


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def _area(box: Any) -> float:
    """A box's area in square points; a page without one is US Letter, as PDFium draws it."""
    if isinstance(box, ArrayObject) and len(box) == 4:
        x0, y0, x1, y1 = (_number(_resolve(v)) for v in box)
        return abs(x1 - x0) * abs(y1 - y0)
    return 612.0 * 792.0


def _true(value: Any) -> bool:
    return isinstance(value, BooleanObject) and bool(value.value)


def _int(value: Any, default: int) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return int(number) if math.isfinite(number) and number >= 0 else default


def _raw(stream: StreamObject) -> bytes:
    # the stream's bytes as stored (decrypted by pypdf, not decoded): get_data() would decode them unbounded
    data = stream._data
    return data if isinstance(data, bytes) else bytes(data or b"")


def _filters(stream: StreamObject) -> list[tuple[str, Any]]:
    """The stream's filters in the order they apply, each with its parameters."""
    names = _get(stream, "/Filter")
    parms = _get(stream, "/DecodeParms")
    if names is None:
        return []
    names_list = list(names) if isinstance(names, ArrayObject) else [names]
    parms_list = list(parms) if isinstance(parms, ArrayObject) else [parms]
    parms_list += [None] * (len(names_list) - len(parms_list))
    return [(str(_resolve(name)), _resolve(parm)) for name, parm in zip(names_list, parms_list, strict=False)]


def _named(resources: DictionaryObject) -> list[tuple[str, str, Any]]:
    """(category, name, value) of each resource a content stream can name."""
    named = []
    for category in ("/XObject", "/Pattern", "/Font", "/ExtGState", "/Shading", "/ColorSpace"):
        entries = _get(resources, category)
        if isinstance(entries, DictionaryObject):
            named += [(category, str(name), value) for name, value in entries.items()]
    return named


def _appearances(page: DictionaryObject) -> Iterator[Any]:
    """The appearance streams PDFium draws for the page's annotations (every state: which shows is theirs)."""
    annotations = _get(page, "/Annots")
    if not isinstance(annotations, ArrayObject):
        return
    for annotation in annotations:
        normal = _get(_get(annotation, "/AP"), "/N")
        if isinstance(normal, StreamObject):
            yield normal
        elif isinstance(normal, DictionaryObject):
            yield from (state for state in normal.values() if isinstance(_resolve(state), StreamObject))


def _image_size(stream: StreamObject) -> tuple[int, int]:
    """Width and height as PDFium will decode them: the dictionary's, or a JPEG's or JPEG 2000's own if larger."""
    width = _int(_get(stream, "/Width"), 0)
    height = _int(_get(stream, "/Height"), 0)
    names = [name for name, _ in _filters(stream)]
    if names and (names[-1] in _DCT or names[-1] in _JPX):
        head = _raw(stream)[:_HEADER_BYTES]
        for name in names[:-1]:
            if name in _FLATE:
                head = _inflate(head, _HEADER_BYTES)
            elif name in _HEX or name in _A85:
                head = _ascii_decoded(name, head)
        own = _jpeg_size(head) if names[-1] in _DCT else _jpx_size(head)
        if own is not None:
            width, height = max(width, own[0]), max(height, own[1])
    return width, height


def _components(space: Any) -> int:
    space = _resolve(space)
    if isinstance(space, ArrayObject) and space:
        family = str(_resolve(space[0]))
        if family == "/ICCBased" and len(space) > 1:
            return min(max(_int(_get(space[1], "/N"), _MOST_COMPONENTS), 1), _MOST_COMPONENTS)
        if family == "/DeviceN" and len(space) > 1:
            names = _resolve(space[1])
            return max(len(names), 1) if isinstance(names, ArrayObject) else _MOST_COMPONENTS
        return _COMPONENTS.get(family, _MOST_COMPONENTS)
    return _COMPONENTS.get(str(space), _MOST_COMPONENTS)


# --- bytes -------------------------------------------------------------------------------------------------


def _inflate(data: bytes, cap: int) -> bytes:
    """FlateDecode of ``data``, at most ``cap`` bytes of it; a damaged stream gives what decodes before the
    damage, as PDFium's decoder does."""
    return b"".join(_inflating(data, cap))


def _inflated_size(data: bytes, cap: int) -> int:
    """What ``_inflate`` would give, by its length only: a font's size is known without holding the font."""
    return sum(len(part) for part in _inflating(data, cap))


def _inflating(data: bytes, cap: int) -> Iterator[bytes]:
    inflater = zlib.decompressobj()
    total = 0
    at = 0
    while at < len(data) and total < cap and not inflater.eof:
        chunk = data[at : at + _INFLATE_CHUNK]
        try:
            part = inflater.decompress(chunk, min(cap - total, _INFLATE_CHUNK * 4))
        except zlib.error:
            return
        consumed = len(chunk) - len(inflater.unconsumed_tail)
        at += consumed
        if not part and not consumed:
            return
        total += len(part)
        yield part


def _ascii_decoded(name: str, data: bytes) -> bytes:
    """ASCIIHex or ASCII85: never longer than four times the input, so decoded whole."""
    try:
        if name in _HEX:
            digits = re.sub(rb"\s", b"", data.split(b">", 1)[0])
            return binascii.unhexlify(digits + b"0" * (len(digits) % 2))
        body = data.strip()
        body = body.removeprefix(b"<~")
        body = body.split(b"~>", 1)[0]
        return base64.a85decode(re.sub(rb"\s", b"", body))
    except (ValueError, binascii.Error) as exc:
        raise _Unmeasured(f"a damaged {name[1:]} stream: {_one_line(exc)}") from None


def _name_counts(data: bytes, names: set[str]) -> dict[str, int]:
    """How often each resource name appears in ``data``: an upper bound of how often it is drawn (``/F1``
    also counts ``/F10``, and a name in a string; both only make the check stricter)."""
    counts = {name: data.count(name.encode("utf-8", "surrogateescape")) for name in names}
    if b"#" not in data:
        return counts
    # the same name can be spelled /F#31: those spellings are decoded, or the file is refused
    escaped: Counter[str] = Counter()
    for number, match in enumerate(_ESCAPED_NAME.finditer(data)):
        if number >= _MAX_ESCAPED_NAMES:
            raise _Unmeasured(f"more than {_MAX_ESCAPED_NAMES:,} names spelled with # escapes")
        name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), match.group())
        escaped[name.decode("utf-8", "surrogateescape")] += 1
    return {name: count + escaped[name] for name, count in counts.items()}


def _inline_images(data: bytes) -> _Cost:
    """The inline images (``BI`` ... ``ID``) of a content stream, by the width x height they declare."""
    if b"BI" not in data:
        return _Cost()
    if data.count(b"BI") > _MAX_INLINE_IMAGES:
        raise _TooMuch(f"more than {_MAX_INLINE_IMAGES:,} inline images")
    cost = _Cost()
    for start in _INLINE_IMAGE.finditer(data):
        end = _INLINE_END.search(data, start.end(), start.end() + 4096)
        found = _INLINE_ENTRY.findall(data, start.end(), end.start() if end else start.end() + 4096)
        # the abbreviations inline images use, as the full names of an image XObject
        entries = {_INLINE_NAMES.get(key, key): value for key, value in found}
        width = _int(entries.get(b"Width"), 0)
        height = _int(entries.get(b"Height"), 0)
        mask = entries.get(b"ImageMask") == b"true"
        bits = 1 if mask else min(max(_int(entries.get(b"BitsPerComponent"), 8), 1), 16)
        space = "/" + entries.get(b"ColorSpace", b"").decode("latin-1")
        components = 1 if mask else _COMPONENTS.get(space, _MOST_COMPONENTS)
        cost = cost.plus(_Cost(pixels=width * height, image_bytes=math.ceil(width * components * bits / 8) * height))
    return cost


def _jpeg_size(head: bytes) -> tuple[int, int] | None:
    """A JPEG's width and height from its frame header (SOFn), walking its marker segments."""
    at = 2 if head.startswith(b"\xff\xd8") else head.find(b"\xff\xd8") + 2
    if at < 2:
        return None
    while at + 4 <= len(head):
        if head[at] != 0xFF:
            return None
        marker = head[at + 1]
        if marker == 0xFF:  # fill bytes before a marker
            at += 1
            continue
        length = int.from_bytes(head[at + 2 : at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if at + 9 > len(head):
                return None
            height = int.from_bytes(head[at + 5 : at + 7], "big")
            width = int.from_bytes(head[at + 7 : at + 9], "big")
            return width, height
        if marker == 0xDA or length < 2:  # the scan starts before any frame header: none to read
            return None
        at += 2 + length
    return None


def _jpx_size(head: bytes) -> tuple[int, int] | None:
    """A JPEG 2000 codestream's width and height from its SIZ marker (the image area less its offset)."""
    at = head.find(b"\xff\x4f\xff\x51")
    if at < 0 or at + 24 > len(head):
        return None
    x, y, x0, y0 = (int.from_bytes(head[at + 8 + 4 * i : at + 12 + 4 * i], "big") for i in range(4))
    return max(x - x0, 0), max(y - y0, 0)


# --- words -------------------------------------------------------------------------------------------------


def _mb(size: int) -> str:
    return f"{size // _MB} MB"


def _pages_words(numbers: list[int]) -> str:
    """[1] "page 1"; [1, 2, 3, 5] "pages 1-3 and 5"."""
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    spans = [f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs]
    listed = spans[0] if len(spans) == 1 else f"{', '.join(spans[:-1])} and {spans[-1]}"
    return f"pages {listed}"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:119] + "…"


@contextmanager
def _quiet() -> Iterator[None]:
    """pypdf's notes on a damaged file ("EOF marker not found") kept off the user's terminal: the check says
    what matters in its own words (the same as the pack's review does)."""
    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        log.setLevel(level)
