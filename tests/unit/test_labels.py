"""Labels in every format and resolution carry the same, machine-readable tracking ID."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image, ImageOps

from onboard.labels.barcodes import code128_modules, datamatrix_modules
from onboard.labels.content import SUPPORTED_DPIS, LabelContent, LabelParty
from onboard.labels.layout import PAGE_HEIGHT, PAGE_WIDTH, Bar, Box, Symbol, Text, layout, text_width
from onboard.labels.pdf import render_pdf
from onboard.labels.png import render_png
from onboard.labels.render import render_label
from onboard.labels.zpl import draw_label, read_zpl
from onboard.labels.zpl.elements import TextField
from onboard.labels.zpl.writer import write_zpl
from tests.labels_read import raster

TRACKING_IDS = ("TBA304719826511", "QA1234567890GB")


def make_content(tracking_id: str = "TBA304719826511", **changes: object) -> LabelContent:
    fields: dict[str, object] = {
        "tracking_id": tracking_id,
        "ship_from": LabelParty(
            "Acme Widgets Ltd", ("Unit 4, Riverside Estate",), "Milton Keynes", "", "MK9 2AB", "GB"
        ),
        "ship_to": LabelParty(
            "Jane Smith", ("Flat 2", "221B Baker Street"), "London", "", "NW1 6XE", "GB", company="Smith & Co"
        ),
        "carrier_name": "Amazon Shipping",
        "service_name": "Amazon Shipping One Day",
        "weight_text": "2.50 kg",
        "ship_date": "2025-03-14",
        "shipment_id": "amzn1.shipment.3f2a9c1e",
        "reference": "ORDER-1001",
        "sort_code": "LHR4-C",
    }
    fields.update(changes)
    return LabelContent(**fields)  # type: ignore[arg-type]


def awkward_content() -> LabelContent:
    """Overlong and non-latin text everywhere a user can type."""
    return make_content(
        "QA1234567890GB",
        ship_to=LabelParty(
            "Bartholomew Maximilian Featherstonehaugh-Cholmondeley of Little Snoring-on-the-Marsh",
            (
                "Appartement 12, Bâtiment C, Résidence Les Jardins de la Méditerranée",
                "東京都千代田区丸の内1-9-1",
                "Hauptstraße 5 ^caret ~tilde _underscore (parens) \\ backslash",
                "Line four",
                "Line five",
                "Line six",
            ),
            "Łódź Wielkopolskie Central District",
            "Łódzkie",
            "90-001",
            "PL",
            company="Зелёный ООО — a company name that goes on and on and on",
        ),
        ship_from=LabelParty("送り主 株式会社", ("😀 emoji street",), "Αθήνα", "", "105 57", "GR"),
        carrier_name="Amazon Shipping International Economy Plus",
        service_name="Amazon Shipping International Priority Express Saver",
        sort_code="WAW7-ZZ-A-VERY-LONG-SORT-CODE",
        reference="ref ^with~ZPL_syntax",
        extra_lines=tuple(f"extra line {i}, long enough to overflow the cell it is printed in" for i in range(12)),
        banner="SANDBOX - NOT FOR SHIPPING - AND A BANNER FAR TOO LONG TO FIT ACROSS A FOUR INCH LABEL",
    )


def decoded(image: Image.Image) -> dict[str, str]:
    """Barcode format name -> text, for every symbol zxing-cpp finds."""
    return {r.format.name: r.text for r in zxingcpp.read_barcodes(image.convert("L"))}


def assert_both_barcodes_read(image: Image.Image, tracking_id: str) -> None:
    assert decoded(image) == {"Code128": tracking_id, "DataMatrix": tracking_id}


def pdf_page_image(pdf: bytes, dpi: int, tmp_path: Path) -> Image.Image:
    """The page as PDFium (Chrome's PDF engine) renders it: a real rasteriser, not our own layout."""
    return raster(pdf, "PDF", dpi)


# --- PDF ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dpi", SUPPORTED_DPIS)
def test_pdf_is_one_4x6_inch_page_whose_text_has_the_tracking_id(dpi: int) -> None:
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(make_content(), dpi)), strict=True)

    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert [float(v) for v in page.mediabox] == [0, 0, 288, 432]
    text = page.extract_text()
    assert "TBA304719826511" in text
    assert "Jane Smith" in text
    assert "SANDBOX - NOT FOR SHIPPING" in text


def test_pdf_xref_offsets_point_at_their_objects() -> None:
    pdf = render_pdf(make_content(), 203)

    startxref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[startxref:].startswith(b"xref")
    entries = re.findall(rb"(\d{10}) 00000 n \n", pdf[startxref:])
    assert entries
    for number, offset in enumerate(entries, start=1):
        assert pdf[int(offset) :].startswith(b"%d 0 obj" % number)
    assert pdf.endswith(b"%%EOF\n")


@pytest.mark.parametrize("dpi", SUPPORTED_DPIS)
def test_pdfinfo_reports_a_288_by_432_point_page(dpi: int, tmp_path: Path) -> None:
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    source = tmp_path / "label.pdf"
    source.write_bytes(render_pdf(make_content(), dpi))

    info = subprocess.run(["pdfinfo", str(source)], check=True, capture_output=True, text=True).stdout

    assert re.search(r"Page size:\s+288 x 432 pts", info)


@pytest.mark.parametrize("tracking_id", TRACKING_IDS)
@pytest.mark.parametrize("dpi", SUPPORTED_DPIS)
def test_pdf_rasterised_by_pdfium_decodes_both_barcodes(dpi: int, tracking_id: str, tmp_path: Path) -> None:
    image = pdf_page_image(render_pdf(make_content(tracking_id), dpi), dpi, tmp_path)

    # 4x6 in at the dpi, give or take the rasteriser's rounding of the last row
    assert abs(image.size[0] - 4 * dpi) <= 1 and abs(image.size[1] - 6 * dpi) <= 1
    assert_both_barcodes_read(image, tracking_id)


# --- PNG ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("dpi", "size"), [(203, (812, 1218)), (300, (1200, 1800))])
def test_png_is_4x6_inches_at_the_printer_resolution(dpi: int, size: tuple[int, int]) -> None:
    with Image.open(io.BytesIO(render_png(make_content(), dpi))) as image:
        assert image.format == "PNG"
        assert image.size == size
        assert image.mode in ("1", "L")
        assert tuple(round(v) for v in image.info["dpi"]) == (dpi, dpi)


@pytest.mark.parametrize("tracking_id", TRACKING_IDS)
@pytest.mark.parametrize("dpi", SUPPORTED_DPIS)
def test_png_barcodes_decode_to_the_tracking_id(dpi: int, tracking_id: str) -> None:
    with Image.open(io.BytesIO(render_png(make_content(tracking_id), dpi))) as image:
        assert_both_barcodes_read(image, tracking_id)


# --- ZPL ---------------------------------------------------------------------------------------------------


def _draw(zpl: bytes, dpi: int) -> Image.Image:
    (label,) = read_zpl(zpl).labels
    return draw_label(label, dpi)


@pytest.mark.parametrize(("dpi", "width", "height"), [(203, 812, 1218), (300, 1200, 1800)])
def test_zpl_is_one_utf8_label_sized_in_printer_dots(dpi: int, width: int, height: int) -> None:
    zpl = write_zpl(make_content(), dpi).decode("utf-8").strip()

    assert zpl.startswith("^XA")
    assert zpl.endswith("^XZ")
    assert "^CI28" in zpl
    assert f"^PW{width}" in zpl
    assert f"^LL{height}" in zpl
    assert "^FDTBA304719826511^FS" in zpl
    (label,) = read_zpl(zpl.encode()).labels
    assert (label.width_dots, label.height_dots) == (width, height)
    assert label.skipped == ()


def test_the_emulators_zpl_is_written_the_way_carriers_write_theirs() -> None:
    zpl = write_zpl(make_content(), 203).decode()

    assert "^FT" in zpl  # text on its baseline
    assert re.search(r"\^A0N,\d+,0", zpl)  # font 0 at the printer's own proportions
    assert "^FB812,1,0,C" in zpl  # the banner centred by the printer
    assert re.search(r"\^GFA,\d+,\d+,\d+,[^\^]*[G-Zg-z][0-9A-F][^\^]*[,:]", zpl)  # a compressed logo
    assert re.search(r"\^BXN,\d+,200,\d+,\d+,6,_,1", zpl)  # ^BX with every parameter


@pytest.mark.parametrize("tracking_id", TRACKING_IDS)
@pytest.mark.parametrize("dpi", SUPPORTED_DPIS)
def test_drawn_zpl_decodes_both_barcodes(dpi: int, tracking_id: str) -> None:
    image = _draw(write_zpl(make_content(tracking_id), dpi), dpi)

    assert image.size == (round(4 * dpi), round(6 * dpi))
    assert_both_barcodes_read(image, tracking_id)


def test_zpl_field_data_with_carets_and_tildes_survives_the_round_trip() -> None:
    content = make_content(reference="a^b~c_d")

    zpl = write_zpl(content, 203)
    (label,) = read_zpl(zpl).labels
    texts = [f.text for f in label.fields if isinstance(f, TextField)]

    assert "Ref: a^b~c_d" in texts
    assert b"a^b~c_d" not in zpl


# --- layout shared by all formats ----------------------------------------------------------------------------


@pytest.mark.parametrize("dpi", SUPPORTED_DPIS)
def test_code128_modules_are_whole_dots_with_a_ten_module_quiet_zone(dpi: int) -> None:
    items = layout(make_content(), dpi)
    border = next(i for i in items if isinstance(i, Box))
    code = next(i for i in items if isinstance(i, Symbol) and i.kind == "code128")

    module_dots = code.module * dpi / 72
    assert module_dots == pytest.approx(round(module_dots))
    assert round(module_dots) >= 1
    width = len(code128_modules("TBA304719826511")) * code.module
    assert code.x - (border.x + border.thickness) >= 10 * code.module
    assert (border.x + border.w - border.thickness) - (code.x + width) >= 10 * code.module


@pytest.mark.parametrize("dpi", SUPPORTED_DPIS)
def test_long_and_non_latin_text_stays_inside_the_label(dpi: int) -> None:
    items = layout(awkward_content(), dpi)
    border = next(i for i in items if isinstance(i, Box))

    for item in items:
        if isinstance(item, Text):
            assert item.x >= border.x, item
            assert item.x + text_width(item.text, item.size, item.bold) <= border.x + border.w, item
            assert item.y + item.size <= PAGE_HEIGHT, item
    assert border.x + border.w <= PAGE_WIDTH


def _rect(item: Text | Bar | Symbol) -> tuple[float, float, float, float]:
    if isinstance(item, Text):
        return item.x, item.y, item.x + text_width(item.text, item.size, item.bold), item.y + item.size
    if isinstance(item, Bar):
        return item.x, item.y, item.x + item.w, item.y + item.h
    right = max(bar.x + bar.w for bar in item.bars)
    bottom = max(bar.y + bar.h for bar in item.bars)
    return item.x, item.y, right, bottom


@pytest.mark.parametrize("content", [make_content(), awkward_content()], ids=["plain", "awkward"])
@pytest.mark.parametrize("dpi", SUPPORTED_DPIS)
def test_no_text_runs_into_a_rule_a_barcode_or_other_text(dpi: int, content: LabelContent) -> None:
    items = layout(content, dpi)
    texts = [i for i in items if isinstance(i, Text) and not i.reverse]
    obstacles = [i for i in items if isinstance(i, (Bar, Symbol))] + texts

    for text in texts:
        x0, y0, x1, y1 = _rect(text)
        for other in obstacles:
            if other is text:
                continue
            a0, b0, a1, b1 = _rect(other)
            assert x1 <= a0 or a1 <= x0 or y1 <= b0 or b1 <= y0, (text, other)


@pytest.mark.parametrize("dpi", SUPPORTED_DPIS)
def test_awkward_text_renders_in_every_format_and_barcodes_still_read(dpi: int, tmp_path: Path) -> None:
    content = awkward_content()

    with Image.open(io.BytesIO(render_png(content, dpi))) as png:
        png.load()
    zpl = _draw(write_zpl(content, dpi), dpi)
    pdf_text = pypdf.PdfReader(io.BytesIO(render_pdf(content, dpi))).pages[0].extract_text()

    assert "Lodz" in pdf_text or "Lódz" in pdf_text
    for image in (png, zpl):
        assert_both_barcodes_read(image, content.tracking_id)
        # nothing printed in the white margin right of the outer border
        margin = image.crop((image.width - round(5 * dpi / 72), 0, image.width, image.height))
        assert ImageOps.invert(margin.convert("L")).getbbox() is None


def test_barcode_encoders_return_bare_symbols() -> None:
    bars = code128_modules("TBA304719826511")
    matrix = datamatrix_modules("TBA304719826511")

    # starts and ends on a bar: no quiet zone included
    assert bars[0]
    assert bars[-1]
    assert len(bars) == 145
    assert len(matrix) == len(matrix[0])  # square, as a Zebra ^BX prints it
    assert all(len(row) == len(matrix) for row in matrix)


# --- dispatch ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "magic"), [("PDF", b"%PDF-1.4"), ("PNG", b"\x89PNG\r\n"), ("ZPL", b"^XA")])
def test_render_label_dispatches_on_format(fmt: str, magic: bytes) -> None:
    assert render_label(make_content(), fmt, 300).startswith(magic)  # type: ignore[arg-type]


def test_render_label_refuses_dpi_150() -> None:
    with pytest.raises(ValueError, match="150"):
        render_label(make_content(), "PNG", 150)


def test_render_label_refuses_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="GIF"):
        render_label(make_content(), "GIF", 203)  # type: ignore[arg-type]
