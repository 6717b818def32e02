"""``report.pdf``: the pack's content as pages an account manager can read and print.

The text pages are laid out with reportlab; then each label is added at true 4 x 6 inch size: PDF labels
merged page for page with pypdf, PNG and ZPL labels drawn as images. A pack not made against Amazon
carries the warning across every page, label pages included.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from onboard.labels.formats import find
from onboard.labels.sizes import MAX_PAGES

LABEL_PAGE = (4 * inch, 6 * inch)
#: the PDF's document information entry holding the report's statement (JSON)
STATEMENT_KEY = "/OnboardStatement"
_STYLES = getSampleStyleSheet()
_BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontSize=8.5, leading=10.5)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=7.5, leading=9)
_H1 = ParagraphStyle("h1", parent=_STYLES["Heading1"], fontSize=16, spaceAfter=6)
_H2 = ParagraphStyle("h2", parent=_STYLES["Heading2"], fontSize=12, spaceBefore=10, spaceAfter=4)
_H3 = ParagraphStyle("h3", parent=_STYLES["Heading3"], fontSize=9.5, spaceBefore=6, spaceAfter=2)
_GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 7.5),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)
_STATUS = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIPPED", "error": "ERROR", "placeholder": "PLACEHOLDER"}


def _verdict(run: dict[str, Any]) -> str:
    words = ["passed" if run["ok"] else "NOT passed"]
    if not run["complete"]:
        words.append("INCOMPLETE")
    if run["partial"]:
        words.append("PARTIAL")
    return ", ".join(words)


def _p(text: Any, style: ParagraphStyle = _SMALL) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(_GRID)
    return table


def _warning(canvas: Canvas, width: float, height: float, text: str) -> None:
    canvas.saveState()
    canvas.setFillColor(colors.HexColor("#b00020"))
    canvas.rect(0, height - 18, width, 18, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont("Helvetica-Bold", 9 if width > 300 else 8)
    canvas.drawCentredString(width / 2, height - 12.5, text)
    canvas.restoreState()


def _body(content: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    warning = content["warning"]

    def decorate(canvas: Canvas, doc: Any) -> None:
        width, height = A4
        if warning:
            _warning(canvas, width, height, warning)
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(15 * mm, 10 * mm, f"onboard {content['tool_version']} · run {content['run']['id']}")
        canvas.drawRightString(width - 15 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=18 * mm,
        bottomMargin=16 * mm,
        title=content["title"],
        author="onboard",
        subject=f"run {content['run']['id']}",
    )
    story: list[Any] = [_p(content["title"], _H1)]
    if warning:
        story.append(_p(f"{warning}: this pack was made against {content['environment']}, not Amazon.", _H3))
    run = content["run"]
    cover = [
        ["Shipper", content["shipper"]],
        ["Business id", content["business_id"]],
        ["Region", content["region"]],
        ["Environment", f"{content['environment']} — API {content['endpoints'].get('api', '')}"],
        ["LWA client id", content["client_id"]],
        ["Certification run", f"{run['id']} ({_verdict(run)}), {run['calls']} calls"],
        ["Run started / finished", f"{run['started']} / {run['finished']}"],
        ["Pack made", f"{content['created']} with onboard {content['tool_version']}"],
        ["Checklist", f"{content['checklist']['done']} of {content['checklist']['total']} steps done"],
    ]
    story.append(Table([[_p(k, _BODY), _p(v, _BODY)] for k, v in cover], colWidths=[45 * mm, 135 * mm]))
    if content["open_items"]:
        story.append(_p("Open items", _H2))
        story += [_p(f"• {item}", _BODY) for item in content["open_items"]]

    story.append(_p("Sign-off coverage", _H2))
    story.append(
        _p(
            "Each requirement sign-off needs, the case that proves it, its result and the x-amzn-RequestIds of the "
            "answers that prove it: look them up in Amazon's own systems.",
            _BODY,
        )
    )
    covered: list[list[Any]] = [["Requirement", "Case", "Result", "x-amzn-RequestId"]]
    for row in content["coverage"]:
        result = ("PASS" if row["ok"] else "NOT MET") + f": {row['result']}" + (f"; {row['why']}" if row["why"] else "")
        covered.append([_p(row["requirement"]), _p(row["case"]), _p(result), _p(", ".join(row["request_ids"]))])
    story.append(_table(covered, [45 * mm, 16 * mm, 60 * mm, 59 * mm]))

    story.append(_p("Certification cases", _H2))
    rows: list[list[Any]] = [["Case", "Title", "Result", "Time", "x-amzn-RequestId"]]
    for case in content["cases"]:
        ids = case["request_ids"]
        shown = ", ".join(ids[:3]) + (f" (+{len(ids) - 3} more)" if len(ids) > 3 else "")
        rows.append(
            [
                _p(case["id"]),
                _p(case["title"]),
                _p(f"{_STATUS.get(case['status'], case['status'])}: {case['detail']}"),
                _p(f"{case['seconds']:.2f} s"),
                _p(shown),
            ]
        )
    story.append(_table(rows, [14 * mm, 50 * mm, 55 * mm, 13 * mm, 48 * mm]))

    story.append(_p("Labels and their checks", _H2))
    for label in content["labels"]:
        report = label["report"]
        head = (
            f"{label['case']} · {label['kind']} · {label['format']} at {label['dpi']} dpi · tracking ID "
            f"{label['tracking_id']} · {_STATUS.get(str(label.get('status')), label.get('status'))}"
        )
        lines = [
            _p(head, _H3),
            _p(
                f"file {label.get('file') or '(none)'} · {label.get('size', 0)} bytes · sha256 "
                f"{label.get('sha256') or '-'}"
            ),
        ]
        for check in report["checks"]:
            lines.append(_p(f"{'PASS' if check['ok'] else 'FAIL'}  {check['name']}: {check['detail']}"))
        for barcode in report["barcodes"]:
            lines.append(_p(f"barcode {barcode['symbology']}: {barcode['text'] or barcode['error']}"))
        story.append(KeepTogether(lines))

    story.append(PageBreak())
    story.append(_p("Onboarding checklist", _H2))
    for phase in content["checklist"]["phases"]:
        story.append(_p(phase["title"], _H3))
        rows = [["Step", "Status", "Evidence", "Due"]]
        for step in phase["steps"]:
            evidence = "; ".join(f"{k}: {v}" for k, v in step["evidence"])
            due = step["due"] + (" (overdue)" if step["overdue"] else "")
            rows.append([_p(step["title"]), _p(step["status"]), _p(evidence), _p(due)])
        story.append(_table(rows, [62 * mm, 20 * mm, 78 * mm, 20 * mm]))
    story.append(_p("Audit trail", _H2))
    if content["audit"]:
        rows = [["When", "Step", "Field", "From", "To", "By"]]
        rows += [
            [_p(a["at"]), _p(a["step"]), _p(a["field"]), _p(a["old"]), _p(a["new"]), _p(a["via"])]
            for a in content["audit"]
        ]
        story.append(_table(rows, [25 * mm, 35 * mm, 28 * mm, 32 * mm, 32 * mm, 28 * mm]))
    else:
        story.append(_p("No change recorded yet.", _BODY))

    story += [Spacer(1, 8 * mm), _p("Account manager's sign-off", _H2)]
    sign = [
        ["Test label checked by", ""],
        ["Date", ""],
        ["Decision", "approved  /  changes needed (see below)"],
        ["First ship date agreed", ""],
        ["Signature", ""],
        ["Notes", ""],
    ]
    table = Table([[_p(k, _BODY), _p(v, _BODY)] for k, v in sign], colWidths=[50 * mm, 130 * mm], rowHeights=10 * mm)
    table.setStyle(
        TableStyle([("LINEBELOW", (1, 0), (1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")])
    )
    story.append(table)
    story += [
        Spacer(1, 4 * mm),
        _p("The label pages follow, each at true 4 x 6 inch size: print at 100%, no 'fit to page'.", _BODY),
    ]
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _image_page(image: Image.Image, caption: str, warning: str | None) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LABEL_PAGE)
    width, height = LABEL_PAGE
    if image.width > image.height:  # a landscape label prints turned
        image = image.rotate(90, expand=True)
    canvas.drawImage(ImageReader(image.convert("L")), 0, 0, width=width, height=height)
    canvas.setTitle(caption)
    if warning:
        _warning(canvas, width, height, warning)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _stamp(size: tuple[float, float], warning: str) -> PdfReader:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size)
    _warning(canvas, size[0], size[1], warning)
    canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue()))


#: what a label page may not bring into the report: links, form fields and the actions run on opening
_ACTIVE = ("/Annots", "/AA")


def _label_pages(writer: PdfWriter, data: bytes, warning: str | None) -> bool:
    """A PDF label's pages, page for page, without its active content; False when pypdf cannot read it.

    A damaged label is drawn from PDFium's pictures instead (the caller falls back), never a crash: the
    report exists to show what was returned, good or bad.
    """
    # made apart first, so a label that breaks halfway leaves nothing half-added in the report
    alone = PdfWriter()
    try:
        for page in PdfReader(io.BytesIO(data)).pages[:MAX_PAGES]:
            added = alone.add_page(page)  # pypdf merges only onto pages its writer owns
            for key in _ACTIVE:
                if key in added:
                    del added[key]
            if warning:
                box = added.mediabox
                added.merge_page(_stamp((float(box.width), float(box.height)), warning).pages[0])
        if not alone.pages:
            return False
        buffer = io.BytesIO()
        alone.write(buffer)
        writer.append(PdfReader(io.BytesIO(buffer.getvalue())))
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        return False
    return True


def build_pdf(
    content: dict[str, Any], label_files: dict[str, bytes], previews: Mapping[str, Sequence[Image.Image]]
) -> bytes:
    """The whole report: text pages, then one true-size page per label (``label_files`` by pack path): each
    page of a PDF label (its first ``MAX_PAGES``), each ``^XA…^XZ`` of a ZPL one (``previews``: a file's
    labels drawn)."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_body(content))))
    warning = content["warning"]
    for label in content["labels"]:
        path = label.get("file")
        if not path or path not in label_files:
            continue
        fmt = find(label["format"])
        if fmt is not None and fmt.is_document and _label_pages(writer, label_files[path], warning):
            continue
        # a picture page: PNG and ZPL labels, and a PDF label that pypdf cannot copy (damaged)
        pages = previews.get(path, ())
        for number, image in enumerate(pages, start=1):
            caption = path if len(pages) == 1 else f"{path}, label {number} of {len(pages)}"
            writer.append(PdfReader(io.BytesIO(_image_page(image, caption, warning))))
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
