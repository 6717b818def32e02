"""``report.pdf``: the pack's content as pages an account manager can read and print.

The text pages are laid out with reportlab on the paper of the shipper's region (Letter in North
America, A4 elsewhere): headings kept with what follows them, the sign-off block on one page, every
table's columns sized to what they hold, identifiers in monospace broken only after their hyphens.

Then one page per label, on the same paper: the label exactly as returned and at true size, with
nothing drawn over it. A PDF label's page is put in as it is (its content stream untouched, only clipped
to its own box, its links, form fields and open actions left out), a PNG or ZPL label as its picture at
its dpi. The label sits a whole number of inches from the page's left and top edges, so at any dpi its
pixels fall on the page's pixel grid as on the label's own: a render of the page matches a render of the
label file pixel for pixel (``tests/e2e/test_report_pages.py``). Everything else on a label page is in
its margin, outside the label: the NOT FROM AMAZON band of a pack not made against Amazon, the label's
caption, how to print it, cut marks, the footer. The page's TrimBox is the label, and each label page
has an entry in the PDF's outline (bookmarks), named as in the HTML: ``P-02 · PDF · 203 dpi · TBA…``.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError
from pypdf.generic import ContentStream, NameObject, RectangleObject
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from onboard.labels.formats import find
from onboard.labels.report import Pictures
from onboard.labels.sizes import MAX_PAGES
from onboard.pack.content import caption

__all__ = ["STATEMENT_KEY", "build_pdf", "paper"]

#: the PDF's document information entry holding the report's statement (JSON)
STATEMENT_KEY = "/OnboardStatement"

_RED = colors.HexColor("#b00020")
_GREEN = colors.HexColor("#146c2e")
_GREY = colors.HexColor("#6b6b70")
_STYLES = getSampleStyleSheet()
_BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontSize=8.5, leading=10.5)
_INTRO = ParagraphStyle("intro", parent=_BODY, spaceAfter=5)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=7.5, leading=9, spaceBefore=0, spaceAfter=0)
_MUTED = ParagraphStyle("muted", parent=_SMALL, textColor=_GREY, spaceAfter=3)
_H1 = ParagraphStyle("h1", parent=_STYLES["Heading1"], fontSize=16, spaceAfter=6)
_H2 = ParagraphStyle("h2", parent=_STYLES["Heading2"], fontSize=12, spaceBefore=12, spaceAfter=4)
#: a heading kept on the page of what follows it: a block that is never split (a label's checks)
_H2_KEPT = ParagraphStyle("h2-kept", parent=_H2, keepWithNext=1)
#: what a heading needs below it on its page (else it starts the next): a table's first rows
_ROOM = 35 * mm
_H3 = ParagraphStyle("h3", parent=_STYLES["Heading3"], fontSize=9.5, spaceBefore=8, spaceAfter=2)
_WARN = ParagraphStyle("warn", parent=_H3, textColor=_RED)
_PADDING = 4.0
_GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
)
_PROSE_FONT, _MONO_FONT, _CELL_SIZE = "Helvetica", "Courier", 7.5
_MONO_WIDTH = stringWidth("0", _MONO_FONT, _CELL_SIZE)  # every Courier glyph is this wide
#: an identifier's pieces: each ends with its hyphen, where it may wrap, and nowhere else
_PIECES = re.compile(r"[^-]*-|[^-]+$")
_VERDICT_COLOURS = {"PASS": _GREEN}
_SPACES = re.compile(r"[ \t\n]+")


# --- cells: prose, identifiers, verdicts -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ids:
    """Identifiers in monospace (x-amzn-RequestIds, step ids): a line breaks after a hyphen or between two ids,
    never inside a piece."""

    values: tuple[str, ...]

    def pieces(self) -> list[str]:
        words: list[str] = []
        for number, value in enumerate(self.values):
            parts = _PIECES.findall(value) or [value]
            if number < len(self.values) - 1:
                parts[-1] += ","
            words += parts
        return words

    def lines(self, width: float) -> list[str]:
        """The ids set in a column ``width`` points wide: each id whole on a line when it fits (several to a
        line when they fit), else broken after its hyphens; a piece wider than the column alone is cut."""
        chars = max(int(width // _MONO_WIDTH), 1)
        lines: list[str] = []
        line = ""
        for number, value in enumerate(self.values):
            whole = value + ("," if number < len(self.values) - 1 else "")
            gap = " " if line else ""
            if len(line) + len(gap) + len(whole) <= chars:
                line += gap + whole
                continue
            if line:
                lines.append(line)
                line = ""
            for piece in self.__class__((whole,)).pieces():
                if line and len(line) + len(piece) > chars:
                    lines.append(line)
                    line = ""
                rest = piece
                while len(rest) > chars:
                    lines.append(rest[:chars])
                    rest = rest[chars:]
                line += rest
        return [*lines, line] if line else lines


@dataclass(frozen=True, slots=True)
class Verdict:
    """``PASS`` in green or ``FAIL`` (or ``NOT MET``…) in red, then what it says."""

    word: str
    text: str = ""


Cell = str | Ids | Verdict


def _cell_text(cell: Cell) -> str:
    if isinstance(cell, Ids):
        return ", ".join(cell.values)
    if isinstance(cell, Verdict):
        return f"{cell.word} {cell.text}".strip()
    return cell


def _widths(cell: Cell) -> tuple[float, float]:
    """The narrowest a cell can be without breaking a word (or an id's piece), and its width on one line."""
    if isinstance(cell, Ids):
        pieces = cell.pieces()
        if not pieces:
            return 0.0, 0.0
        widest = max(len(piece) for piece in pieces) * _MONO_WIDTH
        return widest, max(len(value) + 1 for value in cell.values) * _MONO_WIDTH
    text = _cell_text(cell)
    font = "Helvetica-Bold" if isinstance(cell, Verdict) else _PROSE_FONT
    words = _SPACES.split(text)  # a no-break space ("0.02 s") joins its words
    narrowest = max(stringWidth(word, font, _CELL_SIZE) for word in words)
    return narrowest, max(stringWidth(line, font, _CELL_SIZE) for line in text.splitlines() or [""])


def column_widths(rows: Sequence[Sequence[Cell]], total: float) -> list[float]:
    """Columns sized to what they hold: each at least as wide as its longest word (header included) so
    nothing breaks mid-word, a column of ids one whole id wide; the room left goes first to the columns
    that need least to fit on one line (a date, "onboard step"), the rest shared evenly by the wordy ones.
    Only when even the words do not fit is a word cut, in the widest columns alone."""
    count = len(rows[0])
    least = [0.0] * count
    most = [0.0] * count
    for row in rows:
        for index, cell in enumerate(row):
            narrowest, whole = _widths(cell)
            least[index] = max(least[index], narrowest + 2 * _PADDING + 1)
            most[index] = max(most[index], whole + 2 * _PADDING + 1)
    # a column of ids keeps one whole id a line when the others can still fit their words
    ids = [any(isinstance(row[index], Ids) for row in rows) for index in range(count)]
    rigid = [high if is_ids else low for low, high, is_ids in zip(least, most, ids, strict=True)]
    if sum(rigid) <= total:
        least = rigid
    if sum(least) > total:  # a word wider than any column can be (a long URL): only the widest columns are cut
        cap, room = 0.0, total
        for taken, width in enumerate(sorted(least)):
            if width * (count - taken) > room:
                cap = room / (count - taken)
                break
            room -= width
        return [min(width, cap) for width in least]
    if sum(most) <= total:
        spare = total - sum(most)
        return [width + spare * width / sum(most) for width in most]
    widths = list(least)
    spare = total - sum(least)
    order = sorted(range(count), key=lambda index: most[index] - least[index])
    for left, index in zip(range(count, 0, -1), order, strict=True):
        given = min(most[index] - least[index], spare / left)
        widths[index] += given
        spare -= given
    return widths


def _markup(cell: Cell, width: float) -> str:
    if isinstance(cell, Ids):
        lines = cell.lines(width - 2 * _PADDING - 1)
        return f'<font name="{_MONO_FONT}">{"<br/>".join(escape(line) for line in lines)}</font>'
    if isinstance(cell, Verdict):
        colour = _VERDICT_COLOURS.get(cell.word, _RED)
        word = f'<font color="{colour.hexval()}"><b>{escape(cell.word)}</b></font>'
        return f"{word} {escape(cell.text)}" if cell.text else word
    return escape(cell).replace("\n", "<br/>")


def _table(
    header: Sequence[str], rows: Sequence[Sequence[Cell]], total: float, widths: list[float] | None = None
) -> Table:
    """A grid with a header row repeated on every page; its columns sized to its rows, or ``widths`` (shared
    by tables that follow one another, so their columns line up)."""
    widths = widths or column_widths([list(header), *rows], total)
    body = [[Paragraph(_markup(cell, widths[i]), _SMALL) for i, cell in enumerate(row)] for row in rows]
    table = Table([list(header), *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(_GRID)
    return table


def _p(text: Any, style: ParagraphStyle = _SMALL) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _parts(parts: Sequence[Sequence[str]]) -> str:
    """A cover value: prose, and ids in monospace (short enough not to wrap: a cover value has the page's width)."""
    return "".join(
        f'<font name="{_MONO_FONT}">{escape(text)}</font>' if kind == "id" else escape(text) for text, kind in parts
    )


# --- the paper and the label pages' geometry ---------------------------------------------------------------


def paper(region: str) -> tuple[float, float]:
    """The paper the account manager prints on: Letter in North America, A4 in Europe and the Far East."""
    width, height = LETTER if region == "na" else A4
    return float(width), float(height)


@dataclass(frozen=True, slots=True)
class Sheet:
    """A label page: the page's size and where the label sits on it, in points."""

    width: float
    height: float
    #: the label's offset from the page's left and top edges: whole inches (see the module's docstring)
    left: float
    top: float
    label_width: float
    label_height: float

    @property
    def bottom(self) -> float:
        return self.height - self.top - self.label_height


def sheet(label_width: float, label_height: float, region: str) -> Sheet:
    """The page for a label of this size: the region's paper, 2 in of margin above it and left of it when it
    fits (1 in otherwise); a label bigger than the paper gets a page of its own size plus the margins."""
    paper_width, paper_height = paper(region)
    left = 2 * inch if label_width + 3 * inch <= paper_width else 1 * inch
    top = 2 * inch
    width = max(paper_width, left + label_width + inch)
    height = max(paper_height, top + label_height + inch)
    return Sheet(width, height, left, top, label_width, label_height)


def _band(canvas: Canvas, width: float, height: float, text: str) -> None:
    """The NOT FROM AMAZON band, 10 mm below the top edge (inside what office printers print)."""
    canvas.saveState()
    canvas.setFillColor(_RED)
    canvas.rect(12 * mm, height - 17 * mm, width - 24 * mm, 7 * mm, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawCentredString(width / 2, height - 14.6 * mm, text)
    canvas.restoreState()


def _footer(canvas: Canvas, width: float, content: dict[str, Any], page: int) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.setFillColor(colors.grey)
    canvas.drawString(15 * mm, 12 * mm, f"onboard {content['tool_version']} · run {content['run']['id']}")
    canvas.drawRightString(width - 15 * mm, 12 * mm, f"page {page}")
    canvas.restoreState()


def _margin(canvas: Canvas, where: Sheet, content: dict[str, Any], title: str, file: str, page: int) -> None:
    """Everything a label page shows besides the label, all of it outside the label's box."""
    if content["warning"]:
        _band(canvas, where.width, where.height, content["warning"])
    top_edge = where.height - where.top  # the label's top, in the page's coordinates
    canvas.saveState()
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(where.left, top_edge + 1.0 * inch, title)
    canvas.setFont("Helvetica", 7.5)
    canvas.setFillColor(_GREY)
    canvas.drawString(where.left, top_edge + 0.8 * inch, f"{file} · {content['notes']['label_page']}")
    canvas.drawString(where.left, top_edge + 0.65 * inch, content["notes"]["print"])
    # cut marks: short lines on the label's edges extended, 1/8 in clear of its corners
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.5)
    gap, length = 0.125 * inch, 0.25 * inch
    x0, y0 = where.left, where.bottom
    x1, y1 = x0 + where.label_width, y0 + where.label_height
    for x, y, sx, sy in ((x0, y0, -1, -1), (x1, y0, 1, -1), (x0, y1, -1, 1), (x1, y1, 1, 1)):
        canvas.line(x + sx * gap, y, x + sx * (gap + length), y)
        canvas.line(x, y + sy * gap, x, y + sy * (gap + length))
    canvas.restoreState()
    _footer(canvas, where.width, content, page)


def _margin_page(where: Sheet, content: dict[str, Any], title: str, file: str, page: int) -> PageObject:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(where.width, where.height))
    _margin(canvas, where, content, title, file, page)
    canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue())).pages[0]


def _picture_page(image: Image.Image, dpi: int, content: dict[str, Any], title: str, file: str, page: int) -> bytes:
    """A PNG or ZPL label (or a PDF one pypdf cannot copy) as its picture at true size: its pixels at its dpi."""
    where = sheet(image.width * 72 / dpi, image.height * 72 / dpi, content["region"])
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(where.width, where.height))
    canvas.setTitle(title)
    canvas.setTrimBox((where.left, where.bottom, where.left + where.label_width, where.bottom + where.label_height))
    canvas.drawImage(
        ImageReader(image.convert("L")), where.left, where.bottom, width=where.label_width, height=where.label_height
    )
    _margin(canvas, where, content, title, file, page)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


#: what a label page may not bring into the report: links, form fields and the actions run on opening
_ACTIVE = ("/Annots", "/AA")


def _upright(rotation: int, left: float, bottom: float, width: float, height: float) -> tuple[float, ...]:
    """The exact quarter turn (0 and ±1, no sine's rounding) that draws a page's content as its /Rotate
    shows it (clockwise), its box then standing at the origin; the identity for 0."""
    return {
        90: (0, -1, 1, 0, -bottom, left + width),
        180: (-1, 0, 0, -1, left + width, bottom + height),
        270: (0, 1, -1, 0, bottom + height, -left),
    }.get(rotation, (1, 0, 0, 1, 0, 0))


def _framed(page: PageObject, content: dict[str, Any], title: str, file: str, number: int) -> None:
    """A PDF label's page made a label page of the report, in place: the page grown to the paper around the
    label (its content stream kept byte for byte, clipped to its own box, turned upright as its /Rotate
    shows it), the margin merged beside it."""
    for key in _ACTIVE:
        if key in page:
            del page[key]
    box = page.cropbox
    left, bottom, width, height = float(box.left), float(box.bottom), float(box.width), float(box.height)
    rotation = page.rotation % 360
    turn = _upright(rotation, left, bottom, width, height)
    clip = f"q {left:g} {bottom:g} {width:g} {height:g} re W n\n"
    if rotation:
        clip = f"q {' '.join(f'{value:g}' for value in turn)} cm {clip}"
        left, bottom = 0.0, 0.0
        if rotation in (90, 270):
            width, height = height, width
        del page[NameObject("/Rotate")]
    where = sheet(width, height, content["region"])
    x0, y0 = left - where.left, bottom - where.bottom
    contents = page.get_contents()
    data = contents.get_data() if contents is not None else b""
    clipped = ContentStream(None, None)
    clipped.set_data(clip.encode() + data + (b"\nQ\nQ\n" if rotation else b"\nQ\n"))
    page.replace_contents(clipped)
    grown = RectangleObject([x0, y0, x0 + where.width, y0 + where.height])
    page[NameObject("/MediaBox")] = grown
    page[NameObject("/CropBox")] = RectangleObject(grown)
    for name in ("/BleedBox", "/ArtBox"):
        if name in page:
            del page[name]
    page[NameObject("/TrimBox")] = RectangleObject([left, bottom, left + width, bottom + height])
    page.merge_transformed_page(
        _margin_page(where, content, title, file, number), Transformation().translate(x0, y0), over=True
    )


def _label_pages(
    writer: PdfWriter, data: bytes, label: dict[str, Any], content: dict[str, Any]
) -> list[tuple[str, int]] | None:
    """A PDF label's pages, page for page, each framed; their captions and page numbers (0-based) in the
    report, or None when pypdf cannot read it.

    A damaged label is drawn from PDFium's pictures instead (the caller falls back), never a crash: the
    report exists to show what was returned, good or bad.
    """
    # made apart first, so a label that breaks halfway leaves nothing half-added in the report
    alone = PdfWriter()
    first = len(writer.pages)
    try:
        pages = PdfReader(io.BytesIO(data)).pages[:MAX_PAGES]
        titles = [caption(label, number, len(pages)) for number in range(1, len(pages) + 1)]
        for number, page in enumerate(pages):
            added = alone.add_page(page)  # pypdf merges only onto pages its writer owns
            _framed(added, content, titles[number], label["file"], first + number + 1)
        if not alone.pages:
            return None
        buffer = io.BytesIO()
        alone.write(buffer)
        writer.append(PdfReader(io.BytesIO(buffer.getvalue())), import_outline=False)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError, AttributeError):
        return None
    return [(title, first + number) for number, title in enumerate(titles)]


# --- the text pages ----------------------------------------------------------------------------------------


class _Report(SimpleDocTemplate):  # type: ignore[misc]
    """Adds an outline entry for every heading that asks for one (``outline`` set on the paragraph)."""

    def afterFlowable(self, flowable: Flowable) -> None:  # reportlab's hook, called after each flowable drawn
        title = getattr(flowable, "outline", None)
        if title:
            key = f"section-{self.page}-{title}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=0)


def _heading(text: str, style: ParagraphStyle = _H2, *, room: float = _ROOM, outline: bool = True) -> list[Flowable]:
    """A heading that starts a new page unless ``room`` is left below it for the first rows of what follows
    (a table splits across pages; a heading left alone at a page's foot does not)."""
    heading = _p(text, style)
    if outline:
        heading.outline = text
    return [CondPageBreak(room), heading]


def _body(content: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    warning = content["warning"]
    size = paper(content["region"])
    width = size[0] - 30 * mm

    def decorate(canvas: Canvas, doc: Any) -> None:
        if warning:
            _band(canvas, size[0], size[1], warning)
        _footer(canvas, size[0], content, doc.page)

    doc = _Report(
        buffer,
        pagesize=size,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=22 * mm,
        bottomMargin=20 * mm,
        title=content["title"],
        author="onboard",
        subject=f"run {content['run']['id']}",
    )
    story: list[Any] = _heading(content["title"], _H1)
    if content["notes"]["not_from_amazon"]:
        story.append(_p(content["notes"]["not_from_amazon"], _WARN))
    cover_key = max(stringWidth(row["label"], "Helvetica", 8.5) for row in content["cover"]) + 14
    cover = Table(
        [[_p(row["label"], _BODY), Paragraph(_parts(row["parts"]), _BODY)] for row in content["cover"]],
        colWidths=[cover_key, width - cover_key],
        hAlign="LEFT",
    )
    cover.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(cover)
    if content["open_items"]:
        story += _heading("Open items", room=20 * mm)
        story += [_p(f"• {item}", _BODY) for item in content["open_items"]]

    story += _heading("Sign-off coverage")
    story.append(_p(content["notes"]["coverage"], _INTRO))
    covered: list[list[Cell]] = [
        [row["requirement"], row["case"], Verdict(row["verdict"], row["note"]), Ids(tuple(row["request_ids"]))]
        for row in content["coverage"]
    ]
    story.append(_table(["Requirement", "Case", "Result", "x-amzn-RequestId"], covered, width))

    story += _heading("Certification cases")
    rows: list[list[Cell]] = [
        [
            case["id"],
            case["title"],
            Verdict(case["verdict"], case["detail"]),
            case["time"],
            Ids(tuple(case["request_ids"])),
        ]
        for case in content["cases"]
    ]
    story.append(_table(["Case", "Title", "Result", "Time", "x-amzn-RequestId"], rows, width))

    story += _heading("Labels and their checks", _H2_KEPT)  # kept with the first label's block
    checked: list[list[list[Cell]]] = []
    for label in content["labels"]:
        checks: list[list[Cell]] = [
            [check["name"], Verdict(check["verdict"], check["detail"])] for check in label["checks"]
        ]
        checked.append(checks + [[barcode["name"], Ids((barcode["text"],))] for barcode in label["barcodes"]])
    # one set of column widths for every label's table, so they line up down the pages
    every = [row for checks in checked for row in checks]
    check_widths = column_widths([["Check", "Result"], *every], width) if every else None
    for label, checks in zip(content["labels"], checked, strict=True):
        block: list[Any] = [
            Paragraph(
                f'{escape(label["caption"])} · <font color="{_VERDICT_COLOURS.get(label["verdict"], _RED).hexval()}">'
                f"{escape(label['verdict'])}</font>",
                _H3,
            ),
            _p(label["file_line"], _MUTED),
            Paragraph(f'sha256 <font name="{_MONO_FONT}">{escape(label.get("sha256") or "-")}</font>', _MUTED),
        ]
        if checks:
            block.append(_table(["Check", "Result"], checks, width, check_widths))
        story.append(KeepTogether(block))

    story += _heading("Onboarding checklist", room=45 * mm)
    phases: list[list[list[Cell]]] = []
    for phase in content["checklist"]["phases"]:
        steps: list[list[Cell]] = []
        for step in phase["steps"]:
            evidence = "\n".join(f"{key}: {value}" for key, value in step["evidence"])
            due = step["due"] + (" (overdue)" if step["overdue"] else "")
            steps.append([step["title"], step["status"], evidence, due])
        phases.append(steps)
    header = ["Step", "Status", "Evidence", "Due"]
    step_widths = column_widths([header, *(row for steps in phases for row in steps)], width)
    for phase, steps in zip(content["checklist"]["phases"], phases, strict=True):
        story += _heading(phase["title"], _H3, room=25 * mm, outline=False)
        story.append(_table(header, steps, width, step_widths))

    story += _heading("Audit trail")
    if content["audit"]:
        audit: list[list[Cell]] = [
            [entry["at"], Ids((entry["step"],)), entry["field"], entry["old"], entry["new"], entry["via"]]
            for entry in content["audit"]
        ]
        story.append(_table(["When", "Step", "Field", "From", "To", "By"], audit, width))
    else:
        story.append(_p(content["notes"]["no_audit"], _BODY))

    # the sign-off block, its heading and the note on the label pages stay on one page
    sign = Table(
        [[_p(key, _BODY), _p(value, _BODY)] for key, value in content["sign_off"]],
        colWidths=[50 * mm, width - 50 * mm],
        rowHeights=10 * mm,
        hAlign="LEFT",
    )
    sign.setStyle(
        TableStyle([("LINEBELOW", (1, 0), (1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")])
    )
    story.append(
        KeepTogether(
            [
                Spacer(1, 6 * mm),
                *_heading("Account manager's sign-off", room=0),
                sign,
                Spacer(1, 4 * mm),
                _p(content["notes"]["label_pages"], _BODY),
            ]
        )
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def build_pdf(content: dict[str, Any], label_files: dict[str, bytes], previews: Mapping[str, Pictures]) -> bytes:
    """The whole report: text pages, then one true-size page per label (``label_files`` by pack path): each
    page of a PDF label (its first ``MAX_PAGES``), each ``^XA…^XZ`` of a ZPL one (``previews``: a file's
    labels drawn, at their dpi)."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_body(content))))
    outline: list[tuple[str, int]] = []
    for label in content["labels"]:
        path = label.get("file")
        if not path or path not in label_files:
            continue
        fmt = find(label["format"])
        if fmt is not None and fmt.is_document:
            added = _label_pages(writer, label_files[path], label, content)
            if added is not None:
                outline += added
                continue
        # a picture page: PNG and ZPL labels, and a PDF label that pypdf cannot copy (damaged)
        drawn = previews.get(path)
        pages = drawn.pages if drawn is not None else ()
        for number, image in enumerate(pages, start=1):
            title = caption(label, number, len(pages))
            assert drawn is not None
            page = _picture_page(image, drawn.dpi, content, title, path, len(writer.pages) + 1)
            outline.append((title, len(writer.pages)))
            writer.append(PdfReader(io.BytesIO(page)), import_outline=False)
    if outline:
        parent = writer.add_outline_item(title="Label pages", page_number=outline[0][1])
        for title, number in outline:
            writer.add_outline_item(title=title, page_number=number, parent=parent)
    writer.page_mode = "/UseOutlines"
    # a viewer's print dialog starts at actual size: a label printed "fit to page" is no longer 4 x 6 in
    writer.create_viewer_preferences()[NameObject("/PrintScaling")] = NameObject("/None")
    writer.add_metadata(
        {
            "/Title": content["title"],
            "/Subject": f"run {content['run']['id']}",
            # what the report states, for review to compare with the run record (see pack.content.statement)
            STATEMENT_KEY: json.dumps(content["statement"], sort_keys=True),
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
