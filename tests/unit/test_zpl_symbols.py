"""ZPL barcode fields as printer-sized symbols (onboard.labels.zpl.symbols).

Every symbol is read back with zxing-cpp from its mask on a white page with a quiet zone: the reader's
text must be the Symbol's text (and the literal the test expects), and the size in dots must be what the
ZPL II Programming Guide gives. The real carrier labels come from ../shared/reference/labels/zpl (never
copied here); those tests skip where the corpus is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from onboard.labels.zpl import symbols
from onboard.labels.zpl.symbols import Symbol, SymbolError, SymbolRequest, encode, scanned_text

LABELS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "labels" / "zpl"


def request(
    command: str,
    params: tuple[str, ...],
    data: str,
    module: int = 2,
    ratio: float = 3.0,
    bar_height: int = 10,
    dpi: int = 203,
) -> SymbolRequest:
    return SymbolRequest(command, params, data, module, ratio, bar_height, dpi)


def read(symbol: Symbol, quiet: int = 40) -> list[str]:
    """What zxing-cpp reads from the mask printed black on white with a quiet zone around it."""
    mask = symbol.mask
    page = Image.new("L", (mask.width + 2 * quiet, mask.height + 2 * quiet), 255)
    page.paste(0, (quiet, quiet), mask)
    return [barcode.text for barcode in zxingcpp.read_barcodes(page)]


def scanned(req: SymbolRequest, expected: str) -> Symbol:
    """Encode, read back, and check the three texts agree: the reader's, the Symbol's, the expected one."""
    symbol = encode(req)
    assert symbol.text == expected
    assert expected in read(symbol)
    assert scanned_text(req) == expected
    return symbol


def code128_modules(symbol_characters: int) -> int:
    # start + data + check characters of 11 modules each, and the 13-module stop
    return 11 * (symbol_characters + 2) + 13


# ---------------------------------------------------------------------------------------------------------
# the real carrier labels


def label_fields(name: str) -> list[SymbolRequest]:
    """The barcode fields of a reference label, collected as the interpreter would hand them over."""
    path = LABELS / name
    if not path.is_file():
        pytest.skip(f"reference label {name} is absent")
    text = path.read_bytes().decode("latin-1").replace("\r", "").replace("\n", "")
    module, ratio, height = 2, 3.0, 10
    pending: tuple[str, tuple[str, ...]] | None = None
    escape: str | None = None
    fields: list[SymbolRequest] = []
    for token in re.split(r"(?=\^)", text):
        code, body = token[1:3].upper(), token[3:]
        if code == "BY":
            parts = [p.strip() for p in body.split(",")]
            module = int(parts[0]) if parts[0] else module
            ratio = float(parts[1]) if len(parts) > 1 and parts[1] else ratio
            height = int(parts[2]) if len(parts) > 2 and parts[2] else height
        elif code in ("BC", "B3", "B2", "BX", "B7", "BD", "BQ"):
            pending, escape = (code, tuple(body.split(","))), None
        elif code == "FH":
            escape = body[:1] or "_"
        elif code in ("FD", "FV") and pending is not None:
            data = body
            if escape is not None:
                data = re.sub(re.escape(escape) + "([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), data)
            fields.append(SymbolRequest(pending[0], pending[1], data, module, ratio, height))
            pending = None
        elif code == "FS":
            pending, escape = None, None
    return fields


def readme_barcodes() -> list[tuple[str, str]]:
    """(file, text) for each barcode the corpus README lists as read from zebrash's independent render."""
    readme = LABELS.parent / "README.md"
    if not readme.is_file():
        return []
    listed = []
    for line in readme.read_text(encoding="utf-8").splitlines():
        row = re.match(r"\| (\w+\.zpl) \|.*\|([^|]*)\|\s*$", line)
        if row:
            listed += [(row.group(1), text) for text in re.findall(r"`([^`]*)`", row.group(2))]
    return listed


@pytest.mark.parametrize(("name", "text"), readme_barcodes() or [pytest.param("", "", marks=pytest.mark.skip)])
def test_every_barcode_the_corpus_lists_reads_back_from_our_symbols(name: str, text: str) -> None:
    ours = [found for req in label_fields(name) for found in read(encode(req))]
    # the README shortens long texts with an ellipsis
    assert any(found == text or (text.endswith("…") and found.startswith(text[:-1])) for found in ours), ours


def test_usps_gs1_128_and_gs1_data_matrix() -> None:
    code128, matrix, matrix2 = label_fields("usps.zpl")
    # >; start C, >8 FNC1: 4 + 11 digit pairs and 2 FNC1 behind the start
    symbol = scanned(code128, "(420)98028(92)05590303190000000000")
    assert symbol.symbology == "Code 128"
    assert symbol.mask.size == (code128_modules(17) * 3, 170)
    assert symbol.interpretation is None
    # ^BXN,4,200,20,20,6,_ : _1 is FNC1, the first makes it GS1; 20 x 20 modules of 4 dots
    symbol = scanned(matrix, "(420)98028(92)05590303196500000000")
    assert symbol.symbology == "Data Matrix"
    assert symbol.mask.size == (80, 80)
    assert encode(matrix2).text == symbol.text


def test_fedex_pdf417_and_code128() -> None:
    pdf, code128 = label_fields("fedex.zpl")
    symbol = encode(pdf)
    assert symbol.symbology == "PDF417"
    assert symbol.text.startswith("[)>␞01␝0211111␝840␝804␝271053820000␝FDEG␝")
    # ISO 15434 as zxing-cpp shows it: controls and the space as control pictures
    assert "5000␠S␠160th␠St" in symbol.text and symbol.text.endswith("␞␄")
    assert symbol.text in read(symbol)
    # ^BY2 ^B7N,10,5,14: 14 data columns + 4 (start, indicators, stop) of 17 modules + 1, rows of 10 dots
    width, height = symbol.mask.size
    assert width == ((14 + 4) * 17 + 1) * 2
    assert height % 10 == 0 and 3 <= height // 10 <= 90
    symbol = scanned(code128, "9632080400200044387500271053820000")
    assert symbol.mask.size == (code128_modules(17) * 3, 200)


def test_ups_maxicode_mode_3_and_code128_mode_a() -> None:
    reference, tracking, maxicode = label_fields("ups.zpl")
    assert maxicode.command == "BD" and maxicode.data.startswith("4030405000  [)>\x1e01\x1d96")
    # zxing-cpp puts postal code, country and class of service behind "[)>RS01GS96"
    expected = "[)>␞01␝965000␠␠␝040␝403␝1Z08720000␝UPSN␝680RA4␝051␝␝1/1␝1␝N␝␝HALLEIN␝␞␄"
    symbol = scanned(maxicode, expected)
    assert symbol.symbology == "MaxiCode"
    assert symbol.mask.size == (round(1.11 * 203), round(1.054 * 203))
    scanned(reference, "4210405000")
    symbol = scanned(tracking, "1Z680RA4DL08720000")
    # mode A: B for "1Z680RA4DL" (10), C for "08720000" (4), one code change
    assert symbol.mask.size == (code128_modules(15) * 3, 208)


def test_gls_interleaved_2_of_5_ignores_the_code_128_start() -> None:
    (field,) = label_fields("glscz.zpl")
    assert field.data.startswith(">;")
    symbol = scanned(field, "903844384574")
    assert symbol.symbology == "ITF"
    # ^BY4,3: narrow 4, wide 12; start 4 narrow, 6 pairs of 6 narrow + 4 wide, stop wide + 2 narrow
    assert symbol.mask.size == (4 * 4 + 6 * (6 * 4 + 4 * 12) + 12 + 2 * 4, 97)


def test_porterbuddy_qr_codes_drop_the_switches() -> None:
    first, second, code128 = label_fields("porterbuddy.zpl")
    expected = '{"orderId":"528173","pincode":"40259","parcels":1,"parcelId":"7f9753ad-a865-4769-94e9-7b9ef3c500e9"}'
    small, large = scanned(first, expected), scanned(second, expected)
    assert small.symbology == "QR Code"
    # one symbol, magnification 5 and 8
    assert small.mask.width % 5 == 0 and large.mask.width % 8 == 0
    assert small.mask.width // 5 == large.mask.width // 8 == small.mask.height // 5
    assert (small.mask.width // 5 - 17) % 4 == 0
    symbol = scanned(code128, "011112230000002326")
    assert symbol.interpretation == "011112230000002326"  # ^BC with no parameters prints the line


def test_amazon_code39_and_code128_check_digit() -> None:
    code39, code128 = label_fields("amazon.zpl")
    symbol = scanned(code39, "1AAAAAAA")
    assert symbol.symbology == "Code 39"
    # ^BY2,3.0: 10 characters (with the * start and stop) of 6 narrow + 3 wide, 9 narrow gaps
    assert symbol.mask.size == (10 * (6 * 2 + 3 * 6) + 9 * 2, 107)
    # ^BCN,166,N,N,Y,N: e=Y adds no digit to data with letters; all of it in subset B
    symbol = scanned(code128, "AMZNCC00000010000000")
    assert symbol.mask.size == (code128_modules(20) * 3, 166)


def test_pocztex_data_matrix_and_code128() -> None:
    code128, matrix = label_fields("pocztex.zpl")
    symbol = scanned(matrix, "PX6719400000")
    assert symbol.mask.size == (18 * 6, 18 * 6)  # ^BXN,6,200,18,18: 18 x 18 forced, 6-dot elements
    # h=186.966 is read as 186; mode N without a start code is subset B throughout
    symbol = scanned(code128, "PX6719400000")
    assert symbol.mask.size == (code128_modules(12) * 3, 186)


def test_dhl_paket_code128_mode_d() -> None:
    routing, ident = label_fields("dhlpaket.zpl")
    scanned(routing, "(403)27660015+99000942000000")
    scanned(ident, "(22)2200000000000000")


def test_labelary_and_swiss_post_code128() -> None:
    (labelary,) = label_fields("labelary.zpl")
    symbol = scanned(labelary, "12345678")
    # ^BY5,2,270 ^BC: the ^BY height, and subset B (the guide's default), not C
    assert symbol.mask.size == (code128_modules(8) * 5, 270)
    (swiss,) = label_fields("swisspost.zpl")
    symbol = scanned(swiss, "996000000000000000")
    assert symbol.mask.size == (code128_modules(9) * 4, 183)  # the mask stays unrotated for ^BCR


# ---------------------------------------------------------------------------------------------------------
# Code 128 invocation codes, subsets and modes


@pytest.mark.parametrize(
    ("data", "expected", "characters"),
    [
        (">;382436>6CODE128>752375152", "382436CODE128TEST", 3 + 1 + 7 + 1 + 4),  # the guide's own example
        ("A><B>0C>=D>1E", "A^B>C~D\x7fE", 9),  # ^ > ~ DEL through invocation codes
        (">9334365", "AK<SOH>", 3),  # subset A is programmed in digit pairs
        (">;12D2345", "122345", 3),  # a non-digit first of a pair is ignored, the 2 pairs with the 4
        (">;122D345", "1234", 2),  # a non-digit second invalidates the pair; the 5 left alone is dropped
        (">;123>6AB", "12AB", 1 + 1 + 2),  # the unpaired 3 before a code change is dropped
        (">:AB>8CD", "AB<GS>CD", 5),  # FNC1 past the start reads as GS
        ("12345678", "12345678", 8),  # no start code: subset B
    ],
)
def test_code128_mode_n(data: str, expected: str, characters: int) -> None:
    symbol = scanned(request("BC", ("N", "50", "Y", "N", "N", "N"), data, module=1), expected)
    assert symbol.mask.size == (code128_modules(characters), 50)


def test_code128_subset_c_drops_a_last_unpaired_digit() -> None:
    # as a Zebra ZP 450 does (Stack Overflow 14220832: ">;>89102100" scans as "910210")
    scanned(request("BC", ("N", "50"), ">;9102100"), "910210")
    scanned(request("BC", ("N", "50"), ">;>89102100"), "(91)0210")
    scanned(request("BC", ("N", "50"), ">;910210>60"), "9102100")  # the way to keep it: >6 for the last


def test_code128_defaults_and_interpretation_line() -> None:
    symbol = encode(request("BC", (), ">;1234", module=2, bar_height=77))
    assert symbol.mask.size == (code128_modules(2) * 2, 77)
    assert (symbol.interpretation, symbol.interpretation_above) == ("1234", False)
    symbol = encode(request("BC", ("N", "40", "Y", "Y"), "ABC"))
    assert (symbol.interpretation, symbol.interpretation_above, symbol.mask.height) == ("ABC", True, 40)
    assert encode(request("BC", ("N", "40", "N"), "ABC")).interpretation is None
    # a height that is no number leaves the ^BY height in force
    assert encode(request("BC", ("N", "tall"), "ABC", bar_height=33)).mask.height == 33


def test_code128_ucc_check_digit_on_numeric_data() -> None:
    # the guide's SSCC example: 19 digits in subset C, e=Y makes the 20th, so the last pair is complete
    req = request("BC", ("N", "50", "N", "N", "Y"), ">;>80012345123451234512")
    symbol = scanned(req, "(00)123451234512345120")
    assert symbol.mask.width == code128_modules(11) * 2
    assert encode(request("BC", ("N", "50", "N", "N", "Y"), "AB12")).text == "AB12"


def test_code128_ucc_case_mode() -> None:
    # 19 digits (zeros added on the right) + mod 10, behind FNC1 in subset C
    symbol = scanned(request("BC", ("N", "50", "Y", "N", "N", "U"), "0012345123451234512"), "(00)123451234512345120")
    assert symbol.interpretation == "(00) 1 2345123 451234512 0"
    assert symbol.mask.width == code128_modules(11) * 2
    assert encode(request("BC", ("N", "50", "Y", "N", "N", "U"), "001234")).text == "(00)123400000000000002"


def test_code128_ucc_ean_mode() -> None:
    # parentheses and spaces out, FNC1 after a variable-length AI, missing check digits computed
    req = request("BC", ("N", "50", "Y", "N", "N", "D"), "(01)1234567890123 (10)ABC(17)240101")
    symbol = scanned(req, "(01)12345678901231(10)ABC(17)240101")
    assert symbol.interpretation == "(01)12345678901231 (10)ABC(17)240101"
    scanned(request("BC", ("N", "50", "Y", "N", "N", "D"), "(00)12345678901234567"), "(00)123456789012345675")


def test_code128_automatic_mode_takes_invocation_codes_as_data() -> None:
    symbol = scanned(request("BC", ("N", "50", "Y", "N", "N", "A"), "A>;B"), "A>;B")
    assert symbol.interpretation == "A>;B"


def test_code128_falls_back_to_create_barcode_without_the_zint_entry_points(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(symbols, "_zint", lambda: None)
    symbols._render.cache_clear()
    try:
        scanned(
            request("BC", ("N", "50"), ">;>842098028>89205590303190000000000", module=3),
            "(420)98028(92)05590303190000000000",
        )
        scanned(request("BC", ("N", "50"), "fallback 1"), "fallback 1")
        with pytest.raises(SymbolError, match="zint"):
            encode(request("BD", ("4",), "no zint, no MaxiCode"))
    finally:
        symbols._render.cache_clear()


# ---------------------------------------------------------------------------------------------------------
# two-width symbologies and the ^BY ratio


@pytest.mark.parametrize(
    ("module", "ratio", "wide"),
    [(1, 2.9, 2), (2, 2.5, 5), (2, 2.9, 5), (3, 2.2, 6), (3, 2.5, 7), (3, 3.0, 9), (9, 2.4, 21), (4, 9.0, 12)],
)
def test_wide_bars_follow_the_ratio_table(module: int, ratio: float, wide: int) -> None:
    # "*A*": 3 characters of 6 narrow and 3 wide elements, 2 narrow gaps
    symbol = encode(request("B3", ("N", "N", "30"), "A", module=module, ratio=ratio))
    assert symbol.mask.width == 3 * (6 * module + 3 * wide) + 2 * module


def test_code39_check_digit_full_ascii_and_the_reader() -> None:
    symbol = scanned(request("B3", ("N", "Y", "40"), "CODE39"), "CODE39W")
    assert symbol.interpretation == "*CODE39W*"
    # characters outside the 43 go in as Full ASCII pairs, which zxing-cpp reads back
    scanned(request("B3", ("N", "N", "40"), "Code39"), "Code39")
    # zxing-cpp reads valid pairs written by hand the same way, and 6 Code 32 characters as Code 32
    scanned(request("B3", ("N", "N", "40"), "ABC+A"), "ABCa")
    scanned(request("B3", ("N", "N", "40"), "000000"), "A000000000")
    with pytest.raises(SymbolError):
        encode(request("B3", (), "Zażółć"))


def test_code93_shift_characters() -> None:
    symbol = scanned(request("BA", ("N", "40"), "HELLO&Aworld"), "HELLO<SOH>world")
    assert symbol.symbology == "Code 93"
    assert symbol.interpretation == "HELLO&Aworld"


def test_interleaved_check_digit_and_leading_zero() -> None:
    assert scanned(request("B2", ("N", "40", "Y", "N", "Y"), "1234567"), "12345670").interpretation == "12345670"
    scanned(request("B2", ("N", "40"), "12345"), "012345")
    with pytest.raises(SymbolError):
        encode(request("B2", (), "ABC"))


def test_codabar_start_and_stop_characters() -> None:
    symbol = scanned(request("BK", ("N", "N", "40", "Y", "N", "B", "D"), "31117013206375"), "B31117013206375D")
    assert symbol.symbology == "Codabar"
    scanned(request("BK", ("N", "N", "40"), "1234"), "A1234A")
    with pytest.raises(SymbolError):
        encode(request("BK", (), "12X4"))


# ---------------------------------------------------------------------------------------------------------
# EAN / UPC


def test_ean_and_upc_digits_are_truncated_or_padded() -> None:
    symbol = scanned(request("BE", ("N", "60"), "5901234123457"), "5901234123457")  # 13th digit recomputed
    assert symbol.mask.size == (95 * 2, 60 + 10)  # guard bars reach 5 modules below
    assert symbol.symbology == "EAN-13"
    scanned(request("BE", ("N", "60"), "12345"), "0000000123457")
    symbol = scanned(request("BU", ("N", "60"), "03600029145"), "0036000291452")
    assert symbol.interpretation == "036000291452"
    assert encode(request("BU", ("N", "60", "Y", "N", "N"), "03600029145")).interpretation == "03600029145"
    assert scanned(request("B8", ("N", "60"), "1234567"), "12345670").mask.width == 67 * 2
    # the guide's UPC-E example: manufacturer 12300, product 00045
    symbol = scanned(request("B9", ("N", "60"), "1230000045"), "0012300000451")
    assert symbol.interpretation == "01234531" and symbol.mask.width == 51 * 2
    assert encode(request("BE", ("N", "60"), "1", module=8)).mask.height == 60 + 20
    for command, data in (("BE", "59012341234X"), ("BU", ""), ("B9", "1234512345")):
        with pytest.raises(SymbolError):
            encode(request(command, (), data))


# ---------------------------------------------------------------------------------------------------------
# 2D symbologies


def test_data_matrix_defaults_and_escapes() -> None:
    with pytest.raises(SymbolError, match="ECC 000-140"):
        encode(request("BX", ("N", "5"), "no quality given is ECC 000"))
    # no element size: the ^BY height divided by the rows
    symbol = scanned(request("BX", ("N", "", "200"), "hello", bar_height=48), "hello")
    assert symbol.mask.size == (48, 48)  # 12 x 12 modules of 4 dots
    symbol = scanned(request("BX", ("N", "3", "200", "", "", "", "", "2"), "hello"), "hello")
    assert symbol.mask.width > symbol.mask.height  # aspect ratio 2: rectangular
    # default escape character ~: ~1 FNC1, ~X control characters, ~dNNN a byte, ~~ itself
    scanned(request("BX", ("N", "3", "200"), "A~GB~d065~~"), "A<BEL>BA~")
    scanned(request("BX", ("N", "3", "200"), "~10112345678901231~110ABC"), "(01)12345678901231(10)ABC")
    with pytest.raises(SymbolError):
        encode(request("BX", ("N", "3", "200", "10", "10"), "far too much data for a 10 x 10 symbol"))
    with pytest.raises(SymbolError):
        encode(request("BX", ("N", "3", "200", "11", "11"), "odd sizes are not ECC 200"))


def test_qr_switches_and_magnification_default_by_dpi() -> None:
    for dpi, magnification in ((152, 1), (203, 2), (300, 3), (600, 6)):
        symbol = scanned(request("BQ", ("N", "2"), "QA,hello", dpi=dpi), "hello")
        assert symbol.mask.size == (21 * magnification, 21 * magnification)
    # manual input: character mode letter, and a 4-digit count for bytes
    scanned(request("BQ", ("N", "2", "3"), "HM,N0123456789012345"), "0123456789012345")
    scanned(request("BQ", ("N", "2", "3"), "MM,B0005hello and more"), "hello")
    # the first three characters are always taken as the switches
    scanned(request("BQ", ("N", "2", "3"), "Sample"), "ple")
    with pytest.raises(SymbolError):
        encode(request("BQ", (), "QA,"))


def test_pdf417_row_height_default_and_truncation() -> None:
    symbol = scanned(request("B7", ("N", "", "2", "3"), "PDF417 rows", module=2, bar_height=120), "PDF417 rows")
    # no row height: the ^BY height divided by the number of rows
    width, height = symbol.mask.size
    assert width == ((3 + 4) * 17 + 1) * 2
    assert any(rows * (120 // rows) == height for rows in range(3, 91))
    symbol = scanned(request("B7", ("N", "8", "2", "3", "", "Y"), "truncated"), "truncated")
    assert symbol.symbology == "Compact PDF417"


def test_maxicode_modes_and_dpi() -> None:
    # mode 2 (numeric postal code), the guide's UPS example
    data = "001840152382802[)>\x1e01\x1d961Z00004951\x1dUPSN\x1d06X610\x1d159\x1d1234567\x1d1/1\x1d\x1dY\x1d\x1e\x04"
    expected = "[)>␞01␝96152382802␝840␝001␝1Z00004951␝UPSN␝06X610␝159␝1234567␝1/1␝␝Y␝␞␄"
    for dpi in (152, 203, 300, 600):
        symbol = scanned(request("BD", ("2",), data, dpi=dpi), expected)
        assert symbol.mask.size == (round(1.11 * dpi), round(1.054 * dpi))
    scanned(request("BD", (), data), expected)  # mode 2 is the default
    scanned(request("BD", ("4",), "standard symbol"), "standard symbol")
    with pytest.raises(SymbolError):
        encode(request("BD", ("2",), "00184015ABC2802[)>\x1e01\x1d96X"))


def test_aztec_size_codes() -> None:
    symbol = scanned(request("BO", ("N", "4"), "aztec"), "aztec")
    assert symbol.mask.width % 4 == 0
    assert scanned(request("BO", ("N", "1", "N", "101"), "aztec"), "aztec").mask.width == 15
    assert scanned(request("BO", ("N", "1", "N", "201"), "aztec"), "aztec").mask.width == 19
    scanned(request("BO", ("N", "1", "N", "50"), "aztec"), "aztec")
    assert scanned(request("B0", ("N", "2", "N", "300"), "7"), "007").symbology == "Aztec Rune"
    assert encode(request("BO", ("N",), "aztec", dpi=600)).mask.width % 6 == 0
    with pytest.raises(SymbolError):
        encode(request("BO", ("N", "1", "N", "150"), "aztec"))


# ---------------------------------------------------------------------------------------------------------
# refusals, bounds, speed and the property


def test_refusals_are_one_line() -> None:
    cases = [
        request("BC", (), ""),
        request("BZ", (), "123"),
        request("BC", (), "x", module=101),
        request("BC", ("N", "32000"), "A" * 60, module=10),  # 6,950 dots wide, 32,000 high
        request("BX", ("N", "", "200"), "x", bar_height=32000),  # a 3,200-dot element
        request("BE", (), "12A"),
    ]
    for req in cases:
        with pytest.raises(SymbolError) as caught:
            encode(req)
        assert "\n" not in str(caught.value) and str(caught.value)


def test_masks_are_independent_copies() -> None:
    req = request("BC", (), "copy")
    first = encode(req)
    first.mask.paste(0, (0, 0, first.mask.width, first.mask.height))
    assert encode(req).text in read(encode(req))
    assert first.mask.mode == "1"


def test_scanned_text_builds_no_bitmap(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_: object) -> Image.Image:
        raise AssertionError("scanned_text rendered a bitmap")

    monkeypatch.setattr(symbols, "_render", refuse)
    assert scanned_text(request("BQ", (), "LA,just text")) == "just text"


_COMMANDS = ("BC", "B3", "BA", "B2", "BK", "BE", "BU", "B8", "B9", "BX", "BQ", "B7", "BD", "BO", "B0", "XX")
_PARAM = st.one_of(
    st.sampled_from(
        ["", "N", "R", "Y", "A", "D", "U", "0", "1", "2", "3", "200", "10", "99999", "-5", "2.5", "~", "_"]
    ),
    st.text(max_size=6),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    command=st.sampled_from(_COMMANDS),
    params=st.lists(_PARAM, max_size=8).map(tuple),
    data=st.text(max_size=60),
    module=st.integers(min_value=-3, max_value=120),
    ratio=st.floats(allow_nan=True, allow_infinity=True),
    bar_height=st.integers(min_value=-10, max_value=40000),
    dpi=st.integers(min_value=-10, max_value=3000),
)
def test_any_field_gives_a_symbol_or_a_symbol_error(
    command: str, params: tuple[str, ...], data: str, module: int, ratio: float, bar_height: int, dpi: int
) -> None:
    req = SymbolRequest(command, params, data, module, ratio, bar_height, dpi)
    try:
        symbol = encode(req)
    except SymbolError as exc:
        reason = str(exc)
    else:
        reason = ""
        assert symbol.mask.mode == "1"
        assert 0 < symbol.mask.width * symbol.mask.height <= symbols.MAX_PIXELS
        assert symbol.text == scanned_text(req)
    assert "\n" not in reason
