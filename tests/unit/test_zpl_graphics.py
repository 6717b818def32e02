"""^GF/~DG graphic data decodes to the mask a Zebra would print: every encoding, its bounds, and real labels."""

from __future__ import annotations

import base64
import binascii
import itertools
import random
import re
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from onboard.labels.zpl.graphics import GraphicError, decode_dg, decode_gf

LABELS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "labels" / "zpl"
# a field's parameters and its data, up to the next command (hex and ZB64 data never hold ^ or ~)
GFA = re.compile(rb"\^GFA,(\d+),(\d+),(\d+),([^\^~]*)")
DG = re.compile(rb"~DG[^,]*,(\d+),(\d+),([^\^~]*)")
ROOMY = 10_000_000
QUICK = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def gfa(data: bytes | str, bytes_per_row: int, rows: int) -> Image.Image:
    raw = data.encode() if isinstance(data, str) else data
    total = bytes_per_row * rows
    return decode_gf("A", total, total, bytes_per_row, raw, max_pixels=ROOMY)


def rows_of(image: Image.Image) -> list[str]:
    """The image back as one upper-case hex string per row (1 = ink), read pixel by pixel, not from its buffer."""
    width, height = image.size
    rows = []
    for y in range(height):
        bits = "".join("1" if image.getpixel((x, y)) else "0" for x in range(width))
        rows.append(f"{int(bits, 2):0{width // 4}X}")
    return rows


def drawn(width: int, ink: list[range | list[int]]) -> Image.Image:
    """An image painted dot by dot: row y has ink at the x positions listed."""
    image = Image.new("1", (width, len(ink)), 0)
    for y, xs in enumerate(ink):
        for x in xs:
            image.putpixel((x, y), 1)
    return image


def same(a: Image.Image, b: Image.Image) -> bool:
    return a.mode == b.mode and a.size == b.size and a.tobytes() == b.tobytes()


def zb64(payload: bytes, *, deflate: bool, crc: str | None = None, wrap: int = 0) -> bytes:
    """Zebra's :Z64:/:B64: text for a payload, ending in the CRC-16/XMODEM of the base64 text (or the one given;
    an empty one leaves the CRC out)."""
    text = base64.b64encode(zlib.compress(payload) if deflate else payload)
    check = f"{binascii.crc_hqx(text, 0):04X}" if crc is None else crc
    if wrap:
        text = b"\r\n".join(text[i : i + wrap] for i in range(0, len(text), wrap))
    header = b":Z64:" if deflate else b":B64:"
    return header + text + (b":" + check.encode() if check else b"")


def compress(bitmap: bytes, bytes_per_row: int) -> str:
    """An encoder of the alternative compression scheme, written from the guide alone: ':' for a repeated row,
    ',' and '!' for trailing 0s and Fs, G..Y and g..z counts for runs."""

    def count(n: int) -> str:
        if n == 1:
            return ""
        return (
            "z" * (n // 400)
            + (chr(ord("f") + n % 400 // 20) if n % 400 >= 20 else "")
            + (chr(ord("F") + n % 20) if n % 20 else "")
        )

    out: list[str] = []
    previous = None
    for start in range(0, len(bitmap), bytes_per_row):
        row = bitmap[start : start + bytes_per_row]
        if row == previous:
            out.append(":")
            continue
        previous = row
        digits = row.hex().upper()
        tail = ""
        if digits.endswith("0"):
            digits, tail = digits.rstrip("0"), ","
        elif digits.endswith("F"):
            digits, tail = digits.rstrip("F"), "!"
        out.extend(count(len(list(run))) + digit for digit, run in itertools.groupby(digits))
        out.append(tail)
    return "".join(out)


def deflate_bomb(matches_of_eight: int) -> tuple[bytes, int]:
    """A zlib stream of zeros built by hand (fixed Huffman: one literal 0, then 258-byte copies at distance 1,
    8 copies = 13 bytes exactly), so a gigabyte's worth costs milliseconds to make. Returns (stream, its length
    once inflated)."""

    def pack(codes: str) -> bytes:
        bits = codes + "0" * (-len(codes) % 8)
        return bytes(int(bits[i : i + 8][::-1], 2) for i in range(0, len(bits), 8))

    copy = "11000101" + "00000"  # length code 285 (258 bytes), distance code 0 (1 byte back)
    # BFINAL=1 and BTYPE=01 go in LSB first; Huffman codes MSB first. 3 + 8 + 13 bits: the copies start aligned
    head = pack("1" + "10" + "00110000" + copy)
    assert len(head) == 3
    group = pack(copy * 8)
    assert len(group) == 13
    end = pack("0000000")  # end of block
    inflated = 1 + 258 * (1 + 8 * matches_of_eight)
    adler = (inflated % 65521) << 16 | 1  # Adler-32 of n zero bytes: a = 1, b = n
    return b"\x78\x01" + head + group * matches_of_eight + end + adler.to_bytes(4, "big"), inflated


# --- the mask convention ---------------------------------------------------------------------------------------


def test_a_set_bit_is_an_ink_pixel_msb_first_and_the_image_paints_through_as_a_mask() -> None:
    image = gfa("80\n01", 1, 2)
    assert image.mode == "1"
    assert image.size == (8, 2)
    assert [image.getpixel((x, 0)) for x in range(8)] == [255, 0, 0, 0, 0, 0, 0, 0]
    assert [image.getpixel((x, 1)) for x in range(8)] == [0, 0, 0, 0, 0, 0, 0, 255]
    label = Image.new("L", (8, 2), 255)
    label.paste(0, (0, 0), image)
    assert label.getpixel((0, 0)) == 0  # painted black where there is ink
    assert label.getpixel((1, 0)) == 255
    assert label.getpixel((7, 1)) == 0


# --- plain ASCII hex -------------------------------------------------------------------------------------------


def test_plain_hex_in_either_case_with_line_breaks_gives_the_bitmap_it_spells() -> None:
    rng = random.Random(7)
    bitmap = bytes(rng.randrange(256) for _ in range(6 * 9))
    text = bitmap.hex()
    broken = "\r\n".join(text[i : i + 10] for i in range(0, len(text), 10)) + "\n"
    for data in (text.upper(), text.lower(), " " + broken):
        image = gfa(data, 6, 9)
        assert image.size == (48, 9)
        assert rows_of(image) == [bitmap[i : i + 6].hex().upper() for i in range(0, len(bitmap), 6)]


def test_lower_case_a_to_f_are_hex_digits_and_g_to_z_are_counts() -> None:
    assert rows_of(gfa("abcdef", 3, 1)) == ["ABCDEF"]
    assert rows_of(gfa("gf", 10, 1)) == ["F" * 20]


def test_short_data_leaves_the_rest_blank_long_data_is_ignored_and_an_odd_nibble_is_padded() -> None:
    assert rows_of(gfa("FF", 2, 2)) == ["FF00", "0000"]
    assert rows_of(gfa("FFFF" + "0F0F" + "FFFFFFFF", 2, 2)) == ["FFFF", "0F0F"]
    # past the declared size the data is not even read
    assert rows_of(gfa("FFFF" + "0F0F" + ":,!#junk", 2, 2)) == ["FFFF", "0F0F"]
    assert rows_of(gfa("F", 1, 1)) == ["F0"]
    assert rows_of(gfa("ABC", 2, 1)) == ["ABC0"]


# --- the alternative compression scheme ------------------------------------------------------------------------


@pytest.mark.parametrize(("letter", "count"), [(chr(ord("G") + i), i + 1) for i in range(19)])
def test_each_upper_case_count_repeats_the_next_digit_one_to_nineteen_times(letter: str, count: int) -> None:
    image = gfa(f"{letter}F,", 10, 1)
    assert same(image, drawn(80, [range(4 * count)]))


@pytest.mark.parametrize(("letter", "count"), [(chr(ord("g") + i), 20 * (i + 1)) for i in range(20)])
def test_each_lower_case_count_repeats_the_next_digit_twenty_to_four_hundred_times(letter: str, count: int) -> None:
    image = gfa(f"{letter}F,", 200, 1)
    assert same(image, drawn(1600, [range(4 * count)]))


@pytest.mark.parametrize(("letters", "count"), [("gI", 23), ("vM", 327), ("Mv", 327), ("zzG", 801), ("GGG", 3)])
def test_counts_add_up_in_any_order(letters: str, count: int) -> None:
    # "vMB or MvB will send 327 hexadecimal B's", says the guide
    assert rows_of(gfa(letters + "B,", 450, 1)) == [("B" * count).ljust(900, "0")]


def test_the_guides_triangle_condensed_draws_the_same_as_in_full() -> None:
    # the ~DG example of the programming guide, dot rows of 6 bytes, written out and condensed with ','
    full = b"F00000000000\nFF0000000000\nFFF000000000\nFFFFF0000000\nFFFFFF000000\n"
    condensed = b"F0,\nFF,\nFFF0,\nFFFFF0,\nFFFFFF,\n"
    expected = drawn(48, [range(4), range(8), range(12), range(20), range(24)])
    assert same(decode_dg(30, 6, full, max_pixels=ROOMY), expected)
    assert same(decode_dg(30, 6, condensed, max_pixels=ROOMY), expected)


def test_a_comma_blanks_the_rest_of_the_row_or_a_whole_row_at_its_start() -> None:
    assert rows_of(gfa("F,FF,", 2, 2)) == ["F000", "FF00"]
    assert rows_of(gfa(",FFFF", 2, 2)) == ["0000", "FFFF"]
    # a full row is complete: the comma after it is the next, blank, row
    assert rows_of(gfa("FFFF,AAAA", 2, 3)) == ["FFFF", "0000", "AAAA"]


def test_an_exclamation_mark_fills_the_rest_of_the_row_with_ink() -> None:
    assert same(gfa("8!", 2, 1), drawn(16, [[0, *range(4, 16)]]))
    assert rows_of(gfa("!0F", 1, 2)) == ["FF", "0F"]


def test_a_colon_repeats_the_previous_row() -> None:
    image = gfa("0F,::!:", 2, 5)
    assert same(image, drawn(16, [range(4, 8), range(4, 8), range(4, 8), range(16), range(16)]))
    # with no row before it there is nothing to repeat: a blank row
    assert rows_of(gfa(":FFFF", 2, 2)) == ["0000", "FFFF"]


def test_a_colon_inside_a_row_keeps_what_was_written_and_the_previous_rows_tail() -> None:
    # the printer's line buffer still holds the previous row where the new one has not overwritten it
    assert rows_of(gfa("0F0F" + "FF:", 2, 2)) == ["0F0F", "FF0F"]


def test_runs_wrap_onto_the_next_rows_and_stop_at_the_declared_size() -> None:
    assert rows_of(gfa("KF", 1, 3)) == ["FF", "FF", "F0"]
    assert rows_of(gfa("zF", 2, 2)) == ["FFFF", "FFFF"]


def test_whitespace_between_a_count_and_its_digit_is_ignored() -> None:
    assert rows_of(gfa("M \r\n6,", 4, 1)) == ["66666660"]


def test_a_count_before_a_row_operator_multiplies_nothing() -> None:
    assert rows_of(gfa("KK,F", 1, 2)) == ["00", "F0"]
    assert rows_of(gfa("FKK,F", 1, 2)) == ["F0", "F0"]
    assert rows_of(gfa("FFK", 1, 2)) == ["FF", "00"]


PALETTE = [0x00, 0x00, 0xFF, 0xFF, 0x0F, 0xF0, 0x11, 0x80]


@QUICK
@given(st.data())
def test_any_bitmap_compressed_by_an_independent_encoder_decodes_to_itself(data: st.DataObject) -> None:
    bytes_per_row = data.draw(st.integers(1, 40))
    rows = data.draw(st.integers(1, 12))
    noise = data.draw(st.binary(min_size=bytes_per_row * rows, max_size=bytes_per_row * rows))
    # mostly bytes that make runs (and trailing 0s and Fs), some left as they came
    bitmap = bytes(PALETTE[b % len(PALETTE)] if b < 192 else b for b in noise)
    # rows repeated on purpose, so ':' is exercised as often as the rest
    if rows > 2 and data.draw(st.booleans()):
        bitmap = bitmap[:bytes_per_row] * 2 + bitmap[2 * bytes_per_row :]
    image = gfa(compress(bitmap, bytes_per_row), bytes_per_row, rows)
    assert image.tobytes() == bitmap


# --- :Z64: and :B64: -------------------------------------------------------------------------------------------


def test_z64_and_b64_round_trip_with_their_crc() -> None:
    rng = random.Random(3)
    bitmap = bytes(rng.choice([0, 0, 0xFF, rng.randrange(256)]) for _ in range(12 * 30))
    for deflate in (True, False):
        for wrap in (0, 16):
            image = gfa(zb64(bitmap, deflate=deflate, wrap=wrap), 12, 30)
            assert image.tobytes() == bitmap
            assert same(decode_dg(12 * 30, 12, zb64(bitmap, deflate=deflate), max_pixels=ROOMY), image)


def test_a_published_z64_field_with_a_lower_case_crc_decodes_to_its_published_bitmap() -> None:
    # BinaryKits.Zpl's test vector: this hex, compressed, is this :Z64: text with CRC-16/XMODEM 8f39
    bitmap = bytes.fromhex(
        "FFFFFFFFFFFFFFFFFFFF8000FFFF0000FFFF00018000FFFF0000FFFF00018000FFFF0000FFFF0001FFFF0000FFFF0000"
        "FFFFFFFF0000FFFF0000FFFFFFFF0000FFFF0000FFFFFFFFFFFFFFFFFFFFFFFF"
    )
    image = gfa(b":Z64:eNr7/x8GGhj+/2cAYUZsLCjNAFKJjQUDAOLDM1I=:8f39", 4, 20)
    assert image.tobytes() == bitmap


def test_a_wrong_crc_is_refused_and_a_missing_one_tolerated() -> None:
    bitmap = bytes(range(64))
    good = zb64(bitmap, deflate=True)
    wrong = f"{(int(good[-4:], 16) + 1) % 0x10000:04X}"
    with pytest.raises(GraphicError, match="CRC"):
        gfa(zb64(bitmap, deflate=True, crc=wrong), 8, 8)
    with pytest.raises(GraphicError, match="CRC"):
        gfa(zb64(bitmap, deflate=False, crc="12G4"), 8, 8)
    assert gfa(zb64(bitmap, deflate=True, crc=""), 8, 8).tobytes() == bitmap
    assert gfa(zb64(bitmap, deflate=True, crc="") + b":", 8, 8).tobytes() == bitmap


def test_damaged_zb64_is_refused_in_one_line() -> None:
    text = base64.b64encode(b"not a zlib stream at all")
    for field, reason in (
        (b":Z64:" + text + b":" + f"{binascii.crc_hqx(text, 0):04X}".encode(), "inflate"),
        (b":B64:abc*def:", "base64"),
        (b":B64:abcde:", "base64"),
    ):
        with pytest.raises(GraphicError, match=reason) as caught:
            gfa(field, 2, 2)
        assert "\n" not in str(caught.value)


def test_a_z64_that_runs_short_leaves_the_rest_blank_and_one_that_runs_long_is_cut() -> None:
    assert gfa(zb64(b"\xff\xff", deflate=True), 2, 2).tobytes() == b"\xff\xff\x00\x00"
    assert gfa(zb64(b"\x0f" * 100, deflate=True), 2, 2).tobytes() == b"\x0f" * 4


def test_the_hand_made_bomb_is_a_valid_zlib_stream_of_zeros() -> None:
    stream, inflated = deflate_bomb(3)
    assert zlib.decompress(stream) == bytes(inflated)


def test_a_z64_bomb_declared_as_a_gigabyte_is_refused_before_inflating() -> None:
    stream, inflated = deflate_bomb(520_224)
    assert inflated >= 2**30
    field = b":Z64:" + base64.b64encode(stream)
    started = time.perf_counter()
    with pytest.raises(GraphicError, match="larger than"):
        decode_gf("A", len(field), inflated, 100, field, max_pixels=ROOMY)
    assert time.perf_counter() - started < 0.1


def test_a_z64_bomb_under_a_small_declared_size_costs_only_that_size() -> None:
    stream, inflated = deflate_bomb(520_224)
    assert inflated >= 2**30
    field = b":Z64:" + base64.b64encode(stream)
    field += b":" + f"{binascii.crc_hqx(field[5:], 0):04X}".encode()
    started = time.perf_counter()
    image = decode_gf("A", len(field), 100 * 1000, 100, field, max_pixels=ROOMY)
    # a quarter of a second here (CRC, base64 of 9 MB); inflating the gigabyte would add seconds
    assert time.perf_counter() - started < 2.0
    assert image.size == (800, 1000)
    assert image.getbbox() is None  # all blank, as the zeros say
    tracemalloc.start()
    try:
        decode_gf("A", len(field), 100 * 1000, 100, field, max_pixels=ROOMY)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the base64 text is 9 MB and its decoding 7 MB; inflating a gigabyte would need a thousand times more
    assert peak < 40 * 2**20


# --- binary and compressed binary ------------------------------------------------------------------------------


def test_format_b_is_the_bitmap_itself_and_a_short_one_is_blank_after_its_count() -> None:
    bitmap = bytes([0x80, 0x01, 0xFF, 0x5E, 0x00, 0x3C])
    assert decode_gf("B", 6, 6, 2, bitmap, max_pixels=ROOMY).tobytes() == bitmap
    # b bytes of binary follow the comma; whatever comes after them is not the graphic's
    assert decode_gf("B", 2, 6, 2, bitmap, max_pixels=ROOMY).tobytes() == bitmap[:2] + bytes(4)
    assert decode_gf("b", 6, 6, 2, bitmap[:3], max_pixels=ROOMY).tobytes() == bitmap[:3] + bytes(3)
    with pytest.raises(GraphicError, match="negative"):
        decode_gf("B", -1, 6, 2, bitmap, max_pixels=ROOMY)


def test_format_c_is_reported_as_not_drawn() -> None:
    with pytest.raises(GraphicError) as caught:
        decode_gf("C", 6, 6, 2, b"\x01\x02\x03", max_pixels=ROOMY)
    assert str(caught.value) == "^GF format C (compressed binary) is not drawn"


def test_an_unknown_compression_letter_and_a_character_outside_the_scheme_are_refused() -> None:
    with pytest.raises(GraphicError, match="not A, B or C"):
        decode_gf("D", 2, 2, 1, b"FFFF", max_pixels=ROOMY)
    with pytest.raises(GraphicError, match="'Z'"):
        gfa("FFZF", 2, 1)
    with pytest.raises(GraphicError, match="0xC3"):
        gfa("FF\u00e9".encode(), 2, 1)


# --- bounds ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "per_row", "reason"),
    [
        (10, 0, "bytes per row"),
        (10, -3, "bytes per row"),
        (0, 2, "not positive"),
        (-4, 2, "not positive"),
        (3, 4, "less than one row"),
    ],
)
def test_a_graphic_without_a_drawable_size_is_refused(total: int, per_row: int, reason: str) -> None:
    with pytest.raises(GraphicError, match=reason):
        decode_gf("A", total, total, per_row, b"FF", max_pixels=ROOMY)
    with pytest.raises(GraphicError, match=reason):
        decode_dg(total, per_row, b"FF", max_pixels=ROOMY)


def test_max_pixels_is_a_hard_limit_checked_before_anything_is_allocated() -> None:
    assert decode_gf("A", 0, 10 * 5, 10, b"", max_pixels=80 * 5).size == (80, 5)
    with pytest.raises(GraphicError, match="larger than"):
        decode_gf("A", 0, 10 * 6, 10, b"", max_pixels=80 * 5)
    # a petabyte declared: refused at once, not after trying to reserve it
    tracemalloc.start()
    try:
        decodes: list[Callable[[], Image.Image]] = [
            lambda: decode_gf("A", 0, 10**15, 1000, b"FF", max_pixels=ROOMY),
            lambda: decode_gf("B", 10**15, 10**15, 1000, b"\xff", max_pixels=ROOMY),
            lambda: decode_dg(10**15, 10**9, b"FF", max_pixels=ROOMY),
        ]
        for decode in decodes:
            with pytest.raises(GraphicError, match="larger than"):
                decode()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20


def test_a_huge_repeat_count_costs_no_more_than_the_declared_graphic() -> None:
    data = b"z" * 250_000 + b"F"  # a hundred million F's
    started = time.perf_counter()
    image = gfa(data, 4, 4)
    assert time.perf_counter() - started < 0.5
    assert rows_of(image) == ["FFFFFFFF"] * 4
    # the same sum under a graphic big enough that it must be added up: still only the graphic's memory
    tracemalloc.start()
    try:
        image = gfa(b"G" * 30_000 + b"z" * 100_000 + b"F", 100_000, 1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert image.tobytes() == b"\xff" * 100_000
    assert peak < 4 * 2**20


ARGUMENTS = {
    "compression": st.sampled_from(["A", "B", "C", "a", "", "Z", "AB"]),
    "binary": st.integers(-3, 300),
    "total": st.integers(-3, 300),
    "per_row": st.integers(-2, 40),
    "max_pixels": st.integers(0, 20_000),
}
GRAPHIC_TEXT = st.text(
    alphabet="0123456789ABCDEFabcdefGHIJKLMNOPQRSTUVWXYghijklmnopqrstuvwxyz,!: \n:Z64B", max_size=300
)


@QUICK
@given(
    data=st.binary(max_size=400)
    | GRAPHIC_TEXT.map(str.encode)
    | st.tuples(st.sampled_from([b":Z64:", b":B64:"]), st.binary(max_size=200)).map(b"".join),
    **ARGUMENTS,
)
def test_any_bytes_give_an_image_of_the_declared_size_or_a_graphic_error(
    data: bytes, compression: str, binary: int, total: int, per_row: int, max_pixels: int
) -> None:
    decodes: list[Callable[[], Image.Image]] = [
        lambda: decode_gf(compression, binary, total, per_row, data, max_pixels=max_pixels),
        lambda: decode_dg(total, per_row, data, max_pixels=max_pixels),
    ]
    for decode in decodes:
        try:
            image = decode()
        except GraphicError as error:
            message = str(error)
            assert message
            assert "\n" not in message
            continue
        assert image.mode == "1"
        assert image.size == (per_row * 8, total // per_row)
        assert image.size[0] * image.size[1] <= max_pixels


# --- real labels -----------------------------------------------------------------------------------------------


def label(name: str) -> bytes:
    path = LABELS / name
    if not path.is_file():
        pytest.skip(f"reference label {path} is not on this machine")
    return path.read_bytes()


def test_the_dhl_labels_graphics_decode_to_their_declared_size_with_plausible_ink() -> None:
    fields = list(GFA.finditer(label("dhlpaket.zpl")))
    assert len(fields) == 13
    assert sum(len(field[4]) for field in fields) > 100_000
    for field in fields:
        total, per_row, data = int(field[2]), int(field[3]), field[4]
        image = decode_gf("A", int(field[1]), total, per_row, data, max_pixels=ROOMY)
        assert image.size == (per_row * 8, total // per_row)
        # these fields are plain hex of exactly the declared size: the image is those bytes, bit for bit
        assert image.tobytes() == bytes.fromhex(data.decode())
        ink = image.histogram()[255] / (image.size[0] * image.size[1])
        assert 0.01 < ink < 0.99, (image.size, ink)


def test_the_dhl_labels_hundred_kilobytes_of_graphics_decode_in_a_few_milliseconds() -> None:
    fields = [(int(f[1]), int(f[2]), int(f[3]), f[4]) for f in GFA.finditer(label("dhlpaket.zpl"))]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for binary, total, per_row, data in fields:
            decode_gf("A", binary, total, per_row, data, max_pixels=ROOMY)
        best = min(best, time.perf_counter() - started)
    # a loop in Python per hex digit takes tens of milliseconds here; one slice per run of digits, about two
    assert best < 0.025


def test_real_compressed_and_z64_graphics_decode_and_zebra_world_crcs_check_out() -> None:
    seen = 0
    for name in ("glscz.zpl", "pocztex.zpl", "porterbuddy.zpl", "ups.zpl"):
        for field in GFA.finditer(label(name)):
            total, per_row = int(field[2]), int(field[3])
            image = decode_gf("A", int(field[1]), total, per_row, field[4], max_pixels=ROOMY)
            assert image.size == (per_row * 8, total // per_row)
            assert image.getbbox() is not None
            seen += 1
    assert seen == 7
    for field in DG.finditer(label("swisspost.zpl")):
        image = decode_dg(int(field[1]), int(field[2]), field[3], max_pixels=ROOMY)
        assert image.size == (int(field[2]) * 8, int(field[1]) // int(field[2]))
        assert image.getbbox() is not None
