"""The printer's state as it runs a ZPL file: commands in, one ``ZplLabel`` per printed format out.

Design: ``Printer`` walks the command stream of ``syntax.read_commands`` in order, as a Zebra printer does.
Settings that a printer keeps between formats (label home, print width, label length, character set, the
default font, ^BY, ^FW, stored graphics and formats) live on the printer; what belongs to one field (its
origin, font, data, ^FH, ^FR, ^FB, the barcode or graphic command) is reset at every ^FS. A format that puts
nothing on paper (settings only, or a stored ^DF format) is no label.

Budgets keep any file's cost bounded, as a printer's memory does: a file is read to ``MAX_LABELS`` labels
(the formats after are counted, not read) and at most ``MAX_COMMANDS`` commands, recalled ones included; a
label is made of at most ``MAX_FIELDS`` fields and ``MAX_BARCODES`` barcodes (``MAX_FILE_BARCODES`` a
file), and the barcodes and graphics of a file hold at most ``MAX_HELD_PIXELS``. What a budget leaves out
is said in the label's notes ("not drawn: 14,000 fields past the first 1,000 of the label"), never raised.
No budget is a clock: a label's verdict is the same on a busy machine.

Leniency is the point: a printer prints what it understands and skips the rest. So does this: a command it
does not draw is listed in the label's ``skipped`` ("^GS"), a parameter it cannot read takes its default, a
bad ^FH escape prints literally, and only the absence of any label format is an error (``ZplError``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from PIL import Image

from onboard.labels.zpl import graphics
from onboard.labels.zpl.elements import (
    ORIENTATIONS,
    BarcodeField,
    Block,
    BoxField,
    DiagonalField,
    EllipseField,
    Field,
    Font,
    GraphicField,
    Orientation,
    Placement,
    TextField,
)
from onboard.labels.zpl.symbols import SymbolError, SymbolRequest, encode
from onboard.labels.zpl.syntax import Command, Reader, count_formats
from onboard.labels.zpl.text import line_width

__all__ = [
    "MAX_BARCODES",
    "MAX_COMMANDS",
    "MAX_FIELDS",
    "MAX_FILE_BARCODES",
    "MAX_HELD_PIXELS",
    "MAX_LABELS",
    "MAX_TEXT",
    "Barcode",
    "ZplDocument",
    "ZplError",
    "ZplLabel",
    "interpret",
]

#: Labels drawn from one file at most (the check's ``MAX_PAGES``): one shipment's labels, not a print run.
#: The rest are counted; each label costs its symbols' masks (a byte a dot), so this bounds a hostile file.
MAX_LABELS = 10
#: Commands one file is run for at most, those an ^XF recalls included: a carrier's label has a few hundred;
#: a file of millions (or a stored format recalling itself) is judged on its first ones.
MAX_COMMANDS = 100_000
#: Fields one label is made with at most: a carrier's label has under a hundred.
MAX_FIELDS = 1000
#: Barcode fields one label is made with at most: a carrier's label has one to five.
MAX_BARCODES = 100
#: Barcode fields one file is made with at most (each is encoded as it is read): ten labels of a carrier's
#: handful. A count, not a clock: a label's verdict must not depend on how busy the machine is (a wall-clock
#: limit once left a real label's barcodes out while twenty revalidations shared two cores).
MAX_FILE_BARCODES = 200
#: Pixels the barcode symbols and graphics of one file may hold (a byte a dot) until the file is drawn.
MAX_HELD_PIXELS = 64_000_000
#: Characters of one text field drawn: a 4 x 6 in label holds fewer in its smallest font.
MAX_TEXT = 20_000
_HELD_WHY = f"past the {MAX_HELD_PIXELS:,} pixels of barcodes and graphics a file may hold"
# how deep ^XF recalls may nest: a stored format recalling one that recalls it would never end
_MAX_RECALLS = 8
# the largest coordinate a Zebra accepts (^FO, ^PW, ^LL: 0 to 32000 dots)
_MAX_DOTS = 32000
# a bitmap of more pixels than this is not part of a 4x6 label (a label at 600 dpi is 8.6 Mpx)
_MAX_GRAPHIC_PIXELS = 40_000_000
_MAX_FONT_DOTS = 32000

# barcode commands without an orientation of their own (their first parameter is something else)
_NO_ORIENTATION = {"BD"}
_FIXED_N = {"BQ"}
# commands that put no ink on paper: media, speed, darkness, memory and printer settings
_NO_INK = {
    "CM", "FS", "HH", "HS", "HI", "HM", "HW", "HZ", "ID", "JA", "JB", "JC", "JD", "JE", "JF", "JG", "JH", "JI",
    "JJ", "JL", "JM", "JN", "JO", "JP", "JQ", "JR", "JS", "JT", "JU", "JW", "JX", "JZ", "KC", "KD", "KL", "KN",
    "KP", "KV", "MA", "MC", "MD", "MF", "MI", "MM", "MN", "MP", "MT", "MW", "NC", "ND", "NI", "NN", "NP", "NS",
    "NT", "NW", "PA", "PF", "PH", "PP", "PQ", "PR", "PS", "RO", "SC", "SD", "SE", "SL", "SO", "SP", "SQ", "SS",
    "ST", "SX", "SZ", "TA", "TO", "WA", "WD", "WL", "XB", "XS", "DN", "EG", "CO", "FL", "LF", "CD", "CC", "CT",
}  # fmt: skip
_HEX = re.compile(rb"[0-9A-Fa-f]{2}")


class ZplError(ValueError):
    """What a printer refuses outright: no label format in the file at all. One line."""


@dataclass(frozen=True, slots=True)
class Barcode:
    """A barcode field as a scanner would read it from the printed label.

    ``text`` is empty and ``error`` says why when the printer would print no symbol for the field.
    """

    command: str
    symbology: str
    text: str
    error: str = ""


@dataclass(frozen=True, slots=True)
class ZplLabel:
    """One printed label: its size (None where the file does not say), fields in print order, and what
    onboard did not draw."""

    number: int
    width_dots: int | None
    height_dots: int | None
    fields: tuple[Field, ...]
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    inverted: bool = False
    mirrored: bool = False

    @property
    def barcodes(self) -> tuple[Barcode, ...]:
        return tuple(_barcode(f) for f in self.fields if isinstance(f, BarcodeField))


@dataclass(frozen=True, slots=True)
class ZplDocument:
    """Every label of a file, in order; ``dropped`` counts formats past ``MAX_LABELS``; ``notes`` says what of
    the file was not read."""

    labels: tuple[ZplLabel, ...]
    dropped: int = 0
    notes: tuple[str, ...] = ()


def _barcode(f: BarcodeField) -> Barcode:
    if f.symbol is None:
        return Barcode("^" + f.request.command, _SYMBOLOGY.get(f.request.command, f.request.command), "", f.error)
    return Barcode("^" + f.request.command, f.symbol.symbology, f.symbol.text)


_SYMBOLOGY = {
    "BC": "Code 128", "B3": "Code 39", "BA": "Code 93", "B2": "ITF", "BK": "Codabar", "BE": "EAN-13",
    "BU": "UPC-A", "B8": "EAN-8", "B9": "UPC-E", "BX": "Data Matrix", "BQ": "QR Code", "B7": "PDF417",
    "BD": "MaxiCode", "BO": "Aztec", "B0": "Aztec",
}  # fmt: skip
# the barcode commands onboard draws: those it has a symbology for
_BARCODES = frozenset(_SYMBOLOGY)


def interpret(data: bytes) -> ZplDocument:
    """Run ``data`` as a printer would; raises ZplError (one line) when it holds no ^XA label format."""
    if b"\x00" in data[:4096] and data.count(b"\x00") > len(data) // 8:
        raise ZplError("not a ZPL label: binary data, not text")
    reader = Reader(data)
    printer = Printer()
    for command in reader:
        printer.run(command)
        if printer.exhausted or (len(printer.labels) >= MAX_LABELS and printer.format is None):
            break
    if not printer.formats_begun:
        where = f" in its first {MAX_COMMANDS:,} commands" if printer.exhausted else ""
        raise ZplError(f"not a ZPL label: no ^XA starts a label format{where}")
    printer.finish()
    if len(printer.labels) >= MAX_LABELS and not printer.exhausted:
        # the labels past the last drawn are counted, not read: 200,000 formats cost a scan of their bytes
        printer.dropped += count_formats(data[reader.position :], reader.caret)
    notes = [f"the file's commands past the first {MAX_COMMANDS:,} are not read"] if printer.exhausted else []
    notes += [f"not drawn: {_fields(count)} {why}" for why, count in printer.left_out.items()]
    return ZplDocument(tuple(printer.labels), printer.dropped, (*notes, *printer.notes))


# --- parameters ------------------------------------------------------------------------------------------


def _int(raw: str | None, default: int, low: int = 0, high: int = _MAX_DOTS) -> int:
    """A numeric parameter as a printer reads it: decimals cut, junk or out of range gives the default."""
    text = (raw or "").strip()
    if not text:
        return default
    try:
        value = int(float(text))
    except ValueError:
        return default
    return value if low <= value <= high else min(max(value, low), high)


def _param(parts: list[str], i: int) -> str:
    return parts[i].strip() if i < len(parts) else ""


def _cell(parts: list[str]) -> tuple[int, int]:
    """A font's height and width, the 2nd and 3rd parameters of ^A, ^A@ and ^CF (0 where not given)."""
    return _int(_param(parts, 1), 0, 0, _MAX_FONT_DOTS), _int(_param(parts, 2), 0, 0, _MAX_FONT_DOTS)


def _orientation(raw: str, default: Orientation) -> Orientation:
    value = raw.strip().upper()[:1]
    for o in ORIENTATIONS:
        if value == o:
            return o
    return default


def _object_name(raw: str) -> str:
    """``R:LOGO.GRF`` / ``logo`` -> ``LOGO.GRF``: the device and case do not make another object."""
    name = raw.strip().upper()
    if len(name) > 1 and name[1] == ":":
        name = name[2:]
    if "." not in name:
        name += ".GRF"
    return name


def _unhex(raw: bytes, indicator: int) -> tuple[bytes, bool]:
    """^FH: indicator + two hex digits is that byte; anything else after it prints as written."""
    out = bytearray()
    bad = False
    i, n = 0, len(raw)
    while i < n:
        b = raw[i]
        if b == indicator and _HEX.fullmatch(raw, i + 1, i + 3):
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
            continue
        if b == indicator:
            bad = True
        out.append(b)
        i += 1
    return bytes(out), bad


def _codec(ci: int) -> str:
    """The Python codec for a ^CI character set (0-13 are Zebra's Code Page 850 variants)."""
    return {27: "cp1252", 28: "utf-8", 29: "utf-16-be", 30: "utf-16-le", 31: "cp1250", 33: "cp1251", 34: "cp1253",
            35: "cp1254", 36: "cp1255"}.get(ci, "cp850")  # fmt: skip


# --- the printer ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class _FieldState:
    """What the next ^FS prints; reset by it."""

    x: int = 0
    y: int = 0
    baseline: bool = False
    right: bool | None = None
    font: Font | None = None
    font_orientation: Orientation | None = None
    data: bytes | None = None
    hex_indicator: int | None = None
    reverse: bool = False
    block: Block | None = None
    kind: str | None = None  # the barcode/graphic command of this field, when any
    command: Command | None = None
    number: int | None = None
    from_template: bool = False


@dataclass(slots=True)
class _Format:
    """The state of the format being read."""

    fields: list[Field | None] = field(default_factory=list)
    skipped: dict[str, None] = field(default_factory=dict)
    notes: dict[str, None] = field(default_factory=dict)
    width: int | None = None
    height: int | None = None
    inverted: bool = False
    mirrored: bool = False
    storing: str | None = None  # inside ^DF: the name the commands are stored under
    stored: list[Command] = field(default_factory=list)
    values: dict[int, bytes] = field(default_factory=dict)
    made: int = 0  # fields made, against MAX_FIELDS
    barcodes: int = 0  # barcode fields made, against MAX_BARCODES
    left_out: int = 0  # fields a budget left out


class Printer:
    """A virtual Zebra printer: ``run`` each command, then ``finish``; the labels printed are in ``labels``."""

    def __init__(self) -> None:
        self.labels: list[ZplLabel] = []
        self.dropped = 0
        self.home = (0, 0)
        self.top = 0
        self.shift = 0
        self.width: int | None = None
        self.height: int | None = None
        self.inverted = False
        self.mirrored = False
        self.reverse_all = False
        self.charset = 0
        self.default_font = Font("A", 9, 5)
        self.default_orientation: Orientation = "N"
        self.default_right = False
        self.module, self.ratio, self.bar_height = 2, 3.0, 10
        self.graphics: dict[str, Image.Image] = {}
        self.formats: dict[str, list[Command]] = {}
        self.last_text_end: tuple[int, int] | None = None
        self.format: _Format | None = None
        self.field_state = _FieldState()
        # fields of a recalled format waiting for their ^FN value: index in the format's fields -> (state, n)
        self._pending: dict[int, tuple[_FieldState, int]] = {}
        # the budgets: commands run, ^XF recalls under way, pixels held, when making fields must stop
        self.commands = 0
        self.exhausted = False
        self.formats_begun = 0
        self._recalling: list[str] = []
        self._held = 0
        self._barcodes = 0  # barcode fields made in the whole file, against MAX_FILE_BARCODES
        self.notes: dict[str, None] = {}
        self.left_out: dict[str, int] = {}  # fields not made, by the budget that stopped them

    # -- the stream ----------------------------------------------------------------------------------------

    def run(self, command: Command, *, from_template: bool = False) -> None:
        self.commands += 1
        if self.commands > MAX_COMMANDS:
            self.exhausted = True
            return
        if command.prefix == "~":
            self._tilde(command)
            return
        if command.code == "XA":
            self._end_format(closed=False)
            self.formats_begun += 1
            self.format = _Format()
            self.field_state = _FieldState()
            return
        if self.format is None:
            return  # outside a format a printer ignores ^ commands
        if command.code == "XZ":
            self._end_format(closed=True)
            return
        if self.format.storing is not None:
            self.format.stored.append(command)
            return
        if command.code == "XF":
            self._recall(command)
            return
        if from_template:
            self.field_state.from_template = True
        handler = self._font_by_name if command.code == "A@" else getattr(self, f"_cmd_{command.code}", None)
        if handler is not None:
            handler(command)
        elif command.code in _BARCODES:
            self._begin_barcode(command)
        elif command.code == "GS" or (command.code.startswith("B") and command.code != "BY"):
            # a symbology or graphic symbol onboard does not draw: its data is no text to print either
            self._skip(command)
            self.field_state.kind = "skip"
        elif command.code in _NO_INK or not command.code.isalnum():
            # a code that is no command at all (a stray "^^") is one a printer passes over
            return
        else:
            self._skip(command)

    def _recall(self, command: Command) -> None:
        name = _object_name(command.text())
        name = name[:-4] + ".ZPL" if name.endswith(".GRF") else name
        stored = self.formats.get(name)
        if stored is None:
            self._skip(command, f"^XF recalls {name}, which the file never stores")
            return
        if name in self._recalling or len(self._recalling) >= _MAX_RECALLS:
            # a format recalling itself, directly or not, would be printed forever: it is recalled once
            self._skip(command, f"^XF recalls {name} inside its own recall: not again")
            return
        self._recalling.append(name)
        try:
            for inner in stored:
                if self.exhausted:
                    break
                self.run(inner, from_template=True)
        finally:
            self._recalling.pop()

    def finish(self) -> None:
        self._end_format(closed=False)

    def _skip(self, command: Command, note: str = "") -> None:
        if self.format is not None:
            self.format.skipped[command.name] = None
            if note:
                self.format.notes[note] = None

    def _note(self, note: str) -> None:
        if self.format is not None:
            self.format.notes[note] = None

    def _end_format(self, *, closed: bool) -> None:
        fmt = self.format
        if fmt is None:
            return
        self.format = None
        if fmt.storing is not None:
            self.formats[fmt.storing] = fmt.stored
            return
        if self.field_state.data is not None or self.field_state.kind is not None:
            # a field left open at ^XZ: a printer prints it as if ^FS had come
            self.format = fmt
            self._cmd_FS(Command("^", "FS", b""))
            self.format = None
        if not closed:
            fmt.notes["the label format is not closed with ^XZ"] = None
        self.format = fmt
        self._resolve_template_fields(fmt)
        self.format = None
        fields = tuple(f for f in fmt.fields if f is not None)
        if not fields and not fmt.left_out:
            return  # settings only: nothing is printed
        if len(self.labels) >= MAX_LABELS:
            self.dropped += 1
            return
        self.labels.append(
            ZplLabel(
                number=len(self.labels) + 1,
                width_dots=fmt.width if fmt.width is not None else self.width,
                height_dots=fmt.height if fmt.height is not None else self.height,
                fields=fields,
                skipped=tuple(fmt.skipped),
                notes=tuple(fmt.notes),
                inverted=fmt.inverted or self.inverted,
                mirrored=fmt.mirrored or self.mirrored,
            )
        )
        self.last_text_end = None

    # -- ~ commands ------------------------------------------------------------------------------------------

    def _tilde(self, command: Command) -> None:
        if command.code == "DG":
            parts = command.fields(4)
            name = _object_name(_param(parts, 0))
            total = _int(_param(parts, 1), 0, 0, 10**9)
            row = _int(_param(parts, 2), 0, 0, 10**6)
            data = parts[3].encode("latin-1") if len(parts) > 3 else b""
            if not self._can_hold(_graphic_pixels(total, row)):
                self.notes[f"~DG {name} is not stored: the file's graphics pass {MAX_HELD_PIXELS:,} pixels"] = None
                return
            try:
                image = graphics.decode_dg(total, row, data, max_pixels=_MAX_GRAPHIC_PIXELS)
            except graphics.GraphicError as exc:
                self._note(f"~DG {name}: {exc}")
                return
            self._held += image.width * image.height
            self.graphics[name] = image
        elif command.code in ("CC", "CT", "CD"):
            return
        elif command.code in ("DY", "DB", "DU", "DS", "DT", "DE", "DN"):
            self._skip(command)
        # every other ~ command (~SD, ~TA, ~JA, ~HS…) is a printer setting or a query: no ink

    # -- label settings ----------------------------------------------------------------------------------

    def _cmd_LH(self, c: Command) -> None:
        parts = c.fields()
        self.home = (_int(_param(parts, 0), 0), _int(_param(parts, 1), 0))

    def _cmd_LT(self, c: Command) -> None:
        self.top = _int(c.text(), 0, -120, 120)

    def _cmd_LS(self, c: Command) -> None:
        self.shift = _int(c.text(), 0, -9999, 9999)

    def _cmd_PW(self, c: Command) -> None:
        value = _int(c.text(), -1, 2, _MAX_DOTS)
        if value > 0 and self.format is not None:
            self.width = self.format.width = value

    def _cmd_LL(self, c: Command) -> None:
        value = _int(c.fields()[0], -1, 1, _MAX_DOTS)
        if value > 0 and self.format is not None:
            self.height = self.format.height = value

    def _cmd_PO(self, c: Command) -> None:
        inverted = c.text().strip().upper()[:1] == "I"
        self.inverted = inverted
        if self.format is not None:
            self.format.inverted = inverted

    def _cmd_PM(self, c: Command) -> None:
        mirrored = c.text().strip().upper()[:1] == "Y"
        self.mirrored = mirrored
        if self.format is not None:
            self.format.mirrored = mirrored

    def _cmd_LR(self, c: Command) -> None:
        self.reverse_all = c.text().strip().upper()[:1] == "Y"

    def _cmd_CI(self, c: Command) -> None:
        self.charset = _int(c.fields()[0], self.charset, 0, 36)

    def _cmd_MU(self, c: Command) -> None:
        if c.text().strip().upper()[:1] not in ("", "D"):
            self._skip(c, "^MU: measurements in inches or millimetres are read as dots")

    def _cmd_CF(self, c: Command) -> None:
        parts = c.fields()
        name = _param(parts, 0)[:1] or self.default_font.name
        height, width = _cell(parts)
        if not height and not width and name == self.default_font.name:
            height, width = self.default_font.height, self.default_font.width
        self.default_font = _font(name, height, width)

    def _cmd_FW(self, c: Command) -> None:
        parts = c.fields()
        self.default_orientation = _orientation(_param(parts, 0), self.default_orientation)
        justify = _param(parts, 1)
        if justify in ("0", "1"):
            self.default_right = justify == "1"

    def _cmd_BY(self, c: Command) -> None:
        parts = c.fields()
        self.module = _int(_param(parts, 0), self.module, 1, 100)
        try:
            ratio = float(_param(parts, 1)) if _param(parts, 1) else self.ratio
        except ValueError:
            ratio = self.ratio
        self.ratio = ratio if 2.0 <= ratio <= 3.0 else self.ratio
        self.bar_height = _int(_param(parts, 2), self.bar_height, 1, _MAX_DOTS)

    def _cmd_CW(self, c: Command) -> None:
        self._note("^CW font aliases are drawn in font 0")

    def _cmd_DF(self, c: Command) -> None:
        if self.format is not None:
            name = _object_name(c.text())
            self.format.storing = name[:-4] + ".ZPL" if name.endswith(".GRF") else name

    # -- fields --------------------------------------------------------------------------------------------

    def _place(self, c: Command, *, baseline: bool) -> None:
        parts = c.fields()
        fs = self.field_state
        if baseline and not _param(parts, 0) and not _param(parts, 1) and self.last_text_end is not None:
            # ^FT with no position: text continues where the last ^FT text ended
            fs.x, fs.y = self.last_text_end
        else:
            fs.x = _int(_param(parts, 0), 0) + self.home[0] - self.shift
            fs.y = _int(_param(parts, 1), 0) + self.home[1] + self.top
        fs.baseline = baseline
        justify = _param(parts, 2)
        if justify in ("0", "1"):
            fs.right = justify == "1"

    def _cmd_FO(self, c: Command) -> None:
        self._place(c, baseline=False)

    def _cmd_FT(self, c: Command) -> None:
        self._place(c, baseline=True)

    def _cmd_A(self, c: Command) -> None:
        raw = c.text()
        name = raw[:1] or "0"
        parts = raw[1:].split(",")
        orientation = _orientation(_param(parts, 0), self.default_orientation) if _param(parts, 0) else None
        height, width = _cell(parts)
        if not height and not width and name.upper() == self.default_font.name:
            height, width = self.default_font.height, self.default_font.width
        self.field_state.font = _font(name, height, width)
        self.field_state.font_orientation = orientation

    def _font_by_name(self, c: Command) -> None:
        # ^A@o,h,w,d:o.x names a downloaded font: drawn as font 0 at its size
        parts = c.fields()
        orientation = _orientation(_param(parts, 0), self.default_orientation) if _param(parts, 0) else None
        height, width = _cell(parts)
        self.field_state.font = _font("0", height or self.default_font.height, width)
        self.field_state.font_orientation = orientation
        self._note("^A@ downloaded fonts are drawn in font 0")

    def _cmd_FH(self, c: Command) -> None:
        raw = c.params.strip()
        self.field_state.hex_indicator = raw[0] if raw and raw[0] not in (ord(","),) else ord("_")

    def _cmd_FD(self, c: Command) -> None:
        fs = self.field_state
        data = c.params
        if fs.hex_indicator is not None:
            data, bad = _unhex(data, fs.hex_indicator)
            if bad:
                self._note(f"a bad ^FH escape ({chr(fs.hex_indicator)}) is printed as written")
        fs.data = data

    _cmd_FV = _cmd_FD

    def _cmd_SN(self, c: Command) -> None:
        # a serial number prints its starting value on the first label
        self.field_state.data = c.fields()[0].strip().encode("latin-1")

    _cmd_SF = _cmd_FD

    def _cmd_FX(self, c: Command) -> None:
        return

    def _cmd_FR(self, c: Command) -> None:
        self.field_state.reverse = True

    def _cmd_FN(self, c: Command) -> None:
        self.field_state.number = _int(c.text(), 0, 0, 9999)

    def _cmd_FB(self, c: Command) -> None:
        parts = c.fields()
        justify = (_param(parts, 3).upper()[:1] or "L") if _param(parts, 3).upper()[:1] in "LCRJ" else "L"
        self.field_state.block = Block(
            "FB",
            width=_int(_param(parts, 0), 0),
            lines=_int(_param(parts, 1), 1, 1, 9999),
            spacing=_int(_param(parts, 2), 0, -9999, 9999),
            justify=justify,  # type: ignore[arg-type]
            indent=_int(_param(parts, 4), 0, 0, 9999),
        )

    def _cmd_TB(self, c: Command) -> None:
        parts = c.fields()
        if _param(parts, 0):
            self.field_state.font_orientation = _orientation(_param(parts, 0), self.default_orientation)
        self.field_state.block = Block(
            "TB", width=_int(_param(parts, 1), 0), lines=9999, height=_int(_param(parts, 2), 0)
        )

    def _cmd_FP(self, c: Command) -> None:
        if c.text().strip().upper()[:1] not in ("", "H"):
            self._skip(c, "^FP vertical or reverse text is drawn left to right")

    def _cmd_GB(self, c: Command) -> None:
        self._begin_graphic(c)

    _cmd_GC = _cmd_GB
    _cmd_GE = _cmd_GB
    _cmd_GD = _cmd_GB
    _cmd_GF = _cmd_GB
    _cmd_XG = _cmd_GB
    _cmd_IM = _cmd_GB

    def _begin_graphic(self, c: Command) -> None:
        self.field_state.kind = c.code
        self.field_state.command = c

    def _begin_barcode(self, c: Command) -> None:
        self.field_state.kind = c.code
        self.field_state.command = c

    def _cmd_FS(self, c: Command) -> None:
        fs = self.field_state
        fmt = self.format
        self.field_state = _FieldState()
        if fmt is None:
            return
        if fs.number is not None and not fs.from_template:
            # ^FNn^FD…^FS outside a stored format is the value of field n of the format it recalls
            fmt.values[fs.number] = fs.data or b""
            return
        if fs.number is not None:
            # a stored format's ^FN field waits for its value, which may come after the ^XF
            fmt.fields.append(None)
            self._pending[len(fmt.fields) - 1] = (fs, fs.number)
            return
        made = self._made(fs)
        if made is not None:
            fmt.fields.append(made)

    def _made(self, fs: _FieldState) -> Field | None:
        fmt = self.format
        if fmt is None:
            return None
        if fmt.made >= MAX_FIELDS:
            return self._left_out(fmt, f"past the first {MAX_FIELDS:,} of a label")
        if fs.kind in _BARCODES and fmt.barcodes >= MAX_BARCODES:
            # each is encoded now and looked for on the drawing later: a carrier's label has a handful
            return self._left_out(fmt, f"past the first {MAX_BARCODES} barcodes of a label")
        if fs.kind in _BARCODES and self._barcodes >= MAX_FILE_BARCODES:
            return self._left_out(fmt, f"past the first {MAX_FILE_BARCODES} barcodes of a file")
        try:
            made = self._field(fs)
        except (ValueError, OverflowError, MemoryError) as exc:
            self._note(str(exc).splitlines()[0][:200])
            return None
        if isinstance(made, BarcodeField) and made.symbol is not None:
            pixels = made.symbol.mask.width * made.symbol.mask.height
            if not self._can_hold(pixels):
                return self._left_out(fmt, _HELD_WHY)
            self._held += pixels
        if made is not None:
            fmt.made += 1
            fmt.barcodes += isinstance(made, BarcodeField)
            self._barcodes += isinstance(made, BarcodeField)
        return made

    def _left_out(self, fmt: _Format, why: str) -> Field | None:
        """Count a field a budget leaves out (the label says how many); there is no field to print."""
        fmt.left_out += 1
        self.left_out[why] = self.left_out.get(why, 0) + 1
        return None

    def _can_hold(self, pixels: int) -> bool:
        # a graphic too large for any file is refused by its decoder, in its own words
        return pixels > _MAX_GRAPHIC_PIXELS or self._held + pixels <= MAX_HELD_PIXELS

    def _resolve_template_fields(self, fmt: _Format) -> None:
        for index, (state, number) in self._pending.items():
            if number in fmt.values:
                state.data = fmt.values[number]
            fmt.fields[index] = self._made(state)
        self._pending.clear()

    def _text_of(self, fs: _FieldState) -> str:
        raw = fs.data or b""
        return raw.decode(_codec(self.charset), errors="replace")

    def _field(self, fs: _FieldState) -> Field | None:
        at = Placement(fs.x, fs.y, fs.baseline, self.default_right if fs.right is None else fs.right)
        reverse = fs.reverse or self.reverse_all
        command = fs.command
        if fs.kind is None:
            if fs.data is None:
                return None
            font = fs.font or self.default_font
            turned = fs.font_orientation or self.default_orientation
            text = self._text_of(fs)
            if len(text) > MAX_TEXT:
                self._note(f"text past {MAX_TEXT:,} characters of a field is not drawn")
                text = text[:MAX_TEXT]
            if fs.baseline and fs.block is None:
                self.last_text_end = _advance(fs.x, fs.y, turned, line_width(text, font))
            return TextField(at, turned, font, text, fs.block, reverse)
        if command is None or fs.kind == "skip":
            return None
        parts = command.fields()
        if fs.kind in _BARCODES:
            if fs.data is None:
                self._note(f"^{fs.kind} at {fs.x},{fs.y} has no ^FD data: nothing is printed")
                return None
            if fs.kind in _NO_ORIENTATION or fs.kind in _FIXED_N:
                orientation: Orientation = "N"
            else:
                orientation = _orientation(_param(parts, 0), self.default_orientation)
            request = SymbolRequest(
                command=fs.kind,
                params=tuple(command.fields()),
                data=self._text_of(fs),
                module=self.module,
                ratio=self.ratio,
                bar_height=self.bar_height,
            )
            try:
                symbol = encode(request)
            except SymbolError as exc:
                return BarcodeField(at, orientation, request, None, str(exc), reverse)
            return BarcodeField(at, orientation, request, symbol, "", reverse)
        if fs.kind == "GB":
            t = _int(_param(parts, 2), 1, 1, _MAX_DOTS)
            w = max(_int(_param(parts, 0), t, 1, _MAX_DOTS), t)
            h = max(_int(_param(parts, 1), t, 1, _MAX_DOTS), t)
            white = _param(parts, 3).upper()[:1] == "W"
            rounding = _int(_param(parts, 4), 0, 0, 8)
            return BoxField(at, w, h, t, white, rounding, reverse)
        if fs.kind == "GC":
            d = _int(_param(parts, 0), 3, 3, 4095)
            t = _int(_param(parts, 1), 1, 1, 4095)
            return EllipseField(at, d, d, t, _param(parts, 2).upper()[:1] == "W", reverse)
        if fs.kind == "GE":
            t = _int(_param(parts, 2), 1, 1, 4095)
            w = max(_int(_param(parts, 0), t, 3, 4095), t)
            h = max(_int(_param(parts, 1), t, 3, 4095), t)
            return EllipseField(at, w, h, t, _param(parts, 3).upper()[:1] == "W", reverse)
        if fs.kind == "GD":
            t = _int(_param(parts, 2), 1, 1, _MAX_DOTS)
            w = max(_int(_param(parts, 0), t, 0, _MAX_DOTS), t)
            h = max(_int(_param(parts, 1), t, 0, _MAX_DOTS), t)
            white = _param(parts, 3).upper()[:1] == "W"
            leans_right = _param(parts, 4).upper()[:1] != "L"
            return DiagonalField(at, w, h, t, leans_right, white, reverse)
        if fs.kind == "GF":
            gf = command.params.split(b",", 4)
            kind = gf[0].strip().decode("latin-1").upper()[:1] if gf else "A"
            numbers = [_int(p.decode("latin-1"), 0, 0, 10**9) for p in gf[1:4]]
            numbers += [0] * (3 - len(numbers))
            data = gf[4] if len(gf) > 4 else b""
            if not self._can_hold(_graphic_pixels(numbers[1], numbers[2])):
                if self.format is not None:
                    self._left_out(self.format, _HELD_WHY)
                return None
            try:
                image = graphics.decode_gf(
                    kind or "A", numbers[0], numbers[1], numbers[2], data, max_pixels=_MAX_GRAPHIC_PIXELS
                )
            except graphics.GraphicError as exc:
                self._note(f"^GF at {fs.x},{fs.y}: {exc}")
                if "not drawn" in str(exc) and self.format is not None:
                    self.format.skipped["^GF" + kind] = None
                return None
            self._held += image.width * image.height
            return GraphicField(at, image, 1, 1, reverse)
        if fs.kind in ("XG", "IM"):
            name = _object_name(_param(parts, 0))
            stored = self.graphics.get(name)
            if stored is None:
                self._note(f"^{fs.kind} recalls {name}, which the file never downloads")
                return None
            mx = _int(_param(parts, 1), 1, 1, 10) if fs.kind == "XG" else 1
            my = _int(_param(parts, 2), 1, 1, 10) if fs.kind == "XG" else 1
            return GraphicField(at, stored, mx, my, reverse)
        return None


# bitmap fonts: the cell of one character at magnification 1, in dots (height, width), as a printer has them
BITMAP_FONTS: dict[str, tuple[int, int]] = {
    "A": (9, 5), "B": (11, 7), "C": (18, 10), "D": (18, 10), "E": (28, 15), "F": (26, 13), "G": (60, 40),
    "H": (21, 13),
}  # fmt: skip
# fonts P to V are scalable presets of font 0 on most printers: their default cell
_PRESETS = {"P": (20, 18), "Q": (28, 24), "R": (35, 31), "S": (40, 35), "T": (48, 42), "U": (59, 53), "V": (80, 71)}


def _font(name: str, height: int, width: int) -> Font:
    """The font a printer uses for ^A/^CF name,height,width: bitmap cells snap to whole magnifications."""
    key = name.upper() if name.upper() in BITMAP_FONTS else name
    base = BITMAP_FONTS.get(key)
    if base is None:
        preset = _PRESETS.get(name.upper())
        if preset is not None and not height and not width:
            height, width = preset
        height = height or width or 15
        width = width or height
        # a printer draws font 0 no smaller than 10 dots
        return Font("0", max(height, 10), max(width, 10))
    bh, bw = base
    if not height and not width:
        return Font(key, bh, bw)
    mag_h = max(round(height / bh), 1) if height else max(round(width / bw), 1)
    mag_w = max(round(width / bw), 1) if width else mag_h
    return Font(key, bh * min(mag_h, 10), bw * min(mag_w, 10))


def _fields(count: int) -> str:
    return f"{count:,} field{'s' if count != 1 else ''}"


def _graphic_pixels(total_bytes: int, bytes_per_row: int) -> int:
    """The dots a ^GF or ~DG graphic of this size will take, known before its data is decoded."""
    return 0 if bytes_per_row <= 0 else total_bytes // bytes_per_row * bytes_per_row * 8


def _advance(x: int, y: int, orientation: Orientation, width: int) -> tuple[int, int]:
    """Where the next ^FT text with no position starts: the end of this one's baseline."""
    if orientation == "R":
        return x, y + width
    if orientation == "I":
        return x - width, y
    if orientation == "B":
        return x, y - width
    return x + width, y
