"""A ZPL file of any bytes is judged in bounded time and memory, and says what its budgets left out.

Each hostile shape a reviewer found (thousands of label-sized fields, boxes of 99,999,999 dots, a 32000-dot
font, a stored format recalling itself, 200,000 formats) gives a result here, never an exception, with the
fields it did not draw counted in words. The parts drawn stay exact: a field is only ever cut to the label.
"""

from __future__ import annotations

import random

import pytest
from PIL import Image

from onboard.labels.check import check_label
from onboard.labels.zpl import draw, read_zpl, text
from onboard.labels.zpl.draw import drawing
from onboard.labels.zpl.elements import Budget, Font, GraphicField, Placement
from onboard.labels.zpl.interpreter import MAX_BARCODES, MAX_COMMANDS, MAX_FIELDS, MAX_LABELS, MAX_TEXT


def structure(data: bytes) -> str:
    report = check_label(data)
    return next(check.detail for check in report.checks if check.name == "structure")


def ink(image: Image.Image) -> int:
    """Dots of ink on a drawing (0 = ink)."""
    return image.histogram()[0]


# --- many fields --------------------------------------------------------------------------------------------


def test_thousands_of_label_sized_fields_are_counted_not_drawn() -> None:
    data = b"^XA" + b"^FO10,10^GB800,1200,1^FS" * 3000 + b"^XZ"
    (label,) = read_zpl(data).labels
    assert len(label.fields) == MAX_FIELDS
    drawn = drawing(label)
    assert 0 < drawn.left_out < MAX_FIELDS
    # what was drawn is the box, as one box alone draws it
    alone = drawing(read_zpl(b"^XA^FO10,10^GB800,1200,1^FS^XZ").labels[0])
    assert drawn.image.tobytes() == alone.image.tobytes()

    detail = structure(data)
    assert f"not drawn: 2,000 fields past the first {MAX_FIELDS:,} of a label" in detail
    assert f"not drawn: {drawn.left_out:,} fields past the pixels a label is drawn with" in detail


def test_a_format_of_more_commands_than_the_budget_is_read_to_the_budget() -> None:
    document = read_zpl(b"^XA" + b"^FO10,10^GB8,12,1^FS" * (MAX_COMMANDS // 2) + b"^XZ")
    assert len(document.labels[0].fields) == MAX_FIELDS
    assert f"the file's commands past the first {MAX_COMMANDS:,} are not read" in document.notes


def test_a_label_makes_at_most_its_budget_of_barcodes() -> None:
    document = read_zpl(b"^XA" + b"^FO10,10^BY1^BCN,20,N,N,N^FD1234^FS" * (MAX_BARCODES + 50) + b"^XZ")
    assert len(document.labels[0].barcodes) == MAX_BARCODES
    assert f"not drawn: 50 fields past the first {MAX_BARCODES} barcodes of a label" in document.notes


def test_graphics_past_the_files_pixels_are_left_out() -> None:
    # each blank ^GF is 2000 x 8000 dots: four fit the file's budget, the fifth does not
    document = read_zpl(b"^XA" + b"^FO0,0^GFA,2000000,2000000,250,^FS" * 5 + b"^XZ")
    assert sum(isinstance(f, GraphicField) for f in document.labels[0].fields) == 4
    assert any(note.startswith("not drawn: 1 field past the 64,000,000 pixels") for note in document.notes)


# --- giant fields -------------------------------------------------------------------------------------------


def test_giant_boxes_are_drawn_where_they_fall_on_the_label() -> None:
    data = b"^XA^PW812^LL1218" + b"^FO0,0^GB99999999,99999999,99999999^FS" * 50 + b"^XZ"
    drawn = drawing(read_zpl(data).labels[0])
    assert drawn.image.size == (812, 1218)
    assert ink(drawn.image) == 812 * 1218
    assert 0 < drawn.left_out < 50


def test_a_box_larger_than_the_label_prints_its_part_on_it_exactly() -> None:
    drawn = drawing(read_zpl(b"^XA^PW812^LL1218^FO100,200^GB32000,32000,10^FS^XZ").labels[0]).image
    # only the top and left edges fall on the label: 10 dots wide, from (100, 200) to the label's edges
    expected = Image.new("L", (812, 1218), 255)
    expected.paste(0, (100, 200, 812, 210))
    expected.paste(0, (100, 200, 110, 1218))
    assert drawn.tobytes() == expected.tobytes()


@pytest.mark.parametrize(
    "field",
    [
        b"^FO0,0^A0N,32000,32000^FDWWWW",
        b"^FT0,0^A0R,3000,3000^FDHHHH",
        b"^FO0,0^A0N,32000,32000^FB9999,9999,0,L,0^FD" + b"W " * 5000,
        b"^FO0,0^A0B,5000,5000^FB9999,999,0,J,0^FD" + b"W " * 3000,
    ],
    ids=["line", "turned line", "block", "justified block"],
)
def test_a_font_larger_than_the_label_is_drawn_enlarged_and_said_to_be(field: bytes) -> None:
    drawn = drawing(read_zpl(b"^XA^PW812^LL1218" + field + b"^FS^XZ").labels[0])
    assert drawn.image.size == (812, 1218)
    assert ink(drawn.image) > 0
    assert any("is drawn enlarged from" in note for note in drawn.notes)


def test_a_field_of_more_text_than_a_label_holds_is_cut() -> None:
    document = read_zpl(b"^XA^FO0,0^A0N,10,10^FD" + b"x" * (MAX_TEXT + 100) + b"^FS^XZ")
    (field,) = document.labels[0].fields
    assert len(field.text) == MAX_TEXT  # type: ignore[union-attr]
    assert f"text past {MAX_TEXT:,} characters of a field is not drawn" in document.labels[0].notes


def test_a_paragraph_of_thousands_of_words_wraps_as_word_by_word_does(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    words = " ".join("".join(rng.choice("aWil.") for _ in range(rng.randint(0, 6))) for _ in range(400))
    font = Font("0", 20, 18)
    long = text._wrap(words, font, 500, 12)
    monkeypatch.setattr(text, "_LONG_PARAGRAPH", 10**9)
    assert long == text._wrap(words, font, 500, 12)


# --- exact where drawn --------------------------------------------------------------------------------------


@pytest.mark.parametrize("box", [(0, 0, 1, 30), (5, 3, 60, 29), (40, 0, 1, 1)])
def test_a_part_of_a_line_is_that_part_of_the_whole_line(box: tuple[int, int, int, int]) -> None:
    font = Font("0", 30, 30)
    whole = text.line_mask("Part of a line", font)
    assert whole.size == (text.line_width("Part of a line", font), 30)
    box = (box[0], box[1], whole.width - box[2], box[3])  # the right edge counted from the line's end
    part = text.line_window("Part of a line", font, box)
    assert part is not None
    assert part.tobytes() == whole.crop(box).tobytes()


def test_a_part_of_a_magnified_graphic_is_that_part_of_the_whole() -> None:
    rng = random.Random(1)
    image = Image.frombytes("1", (24, 9), bytes(rng.randrange(256) for _ in range(27)))
    item = GraphicField(Placement(0, 0), image, 7, 3)
    whole = image.resize((24 * 7, 9 * 3), Image.Resampling.NEAREST)
    for box in [(0, 0, 168, 27), (3, 1, 50, 20), (167, 26, 168, 27), (13, 4, 14, 5)]:
        assert draw._magnified(item, box, Budget(10**9)).tobytes() == whole.crop(box).tobytes()


# --- recalls and formats ------------------------------------------------------------------------------------


def test_a_stored_format_recalling_itself_is_recalled_once() -> None:
    document = read_zpl(b"^XA^DFR:A.ZPL^FS^FO0,0^GB10,10,10^FS^XFR:A.ZPL^FS^XZ^XA^XFR:A.ZPL^FS^XZ")
    (label,) = document.labels
    assert len(label.fields) == 1
    assert "^XF recalls A.ZPL inside its own recall: not again" in label.notes


def test_stored_formats_fanning_out_stop_at_the_command_budget() -> None:
    zpl = b"^XA^DFR:L7.ZPL^FS^FO0,0^GB5,5,5^FS^XZ"
    for level in range(6, -1, -1):
        zpl += b"^XA^DFR:L%d.ZPL^FS" % level + b"^XFR:L%d.ZPL^FS" % (level + 1) * 10 + b"^XZ"
    document = read_zpl(zpl + b"^XA^XFR:L0.ZPL^FS^XZ")
    assert len(document.labels[0].fields) == MAX_FIELDS
    assert f"the file's commands past the first {MAX_COMMANDS:,} are not read" in document.notes


def test_formats_past_the_last_label_read_are_counted_not_read() -> None:
    document = read_zpl(b"^XA^FO10,10^GB100,100,100^FS^XZ" * 20000)
    assert len(document.labels) == MAX_LABELS
    assert document.dropped == 20000 - MAX_LABELS
    assert "19990 more labels not drawn" in structure(b"^XA^FO10,10^GB100,100,100^FS^XZ" * 20000)


def test_a_million_empty_formats_print_nothing() -> None:
    assert "holds settings only" in structure(b"^XA^XZ" * 1_000_000)
