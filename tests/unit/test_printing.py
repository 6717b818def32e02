"""The raw-port client's parsing of addresses and Zebra answers, and a scanner's keystrokes."""

from __future__ import annotations

import io

import pytest

from onboard.errors import UsageError
from onboard.printing import PrinterError
from onboard.printing.scanning import MAX_LINES, Read, from_keystrokes, judge
from onboard.printing.zebra import PrinterInfo, Target, parse_answer, parse_target

HERE = Target("127.0.0.1", 9100)


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("192.168.1.50", Target("192.168.1.50", 9100)),
        ("zebra.local:6101", Target("zebra.local", 6101)),
        ("[fe80::1]:9100", Target("fe80::1", 9100)),
        ("[::1]", Target("::1", 9100)),
    ],
)
def test_printer_addresses(text: str, target: Target) -> None:
    assert parse_target(text) == target


@pytest.mark.parametrize("text", ["", ":9100", "a b", "host:0", "host:70000", "host:x", "[::1]x", "-host"])
def test_bad_printer_addresses(text: str) -> None:
    with pytest.raises(UsageError):
        parse_target(text)


def test_a_zebra_answer_read() -> None:
    hi = b"\x02ZT410-300dpi,V75.20.01Z,12,8176KB\x03\r\n"
    hs = b"\x02030,1,0,1218,000,0,0,0,000,0,0,0\x03\r\n\x02001,0,1,0,0,2,6,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n"
    info = parse_answer(hi + hs, HERE)
    assert info == PrinterInfo("ZT410-300dpi", "V75.20.01Z", 300, ("paper out", "head open"))


def test_silence_is_no_answer_and_another_server_is_no_printer() -> None:
    assert not parse_answer(b"", HERE).answered
    with pytest.raises(PrinterError, match="is not a label printer"):
        parse_answer(b"SSH-2.0-OpenSSH_9.6\r\n", HERE)


def test_keystrokes_stop_at_the_match_an_empty_line_or_the_limit() -> None:
    typed = io.StringIO("]d2WRONG1\nTBA304719826511\nAFTER\n")
    assert from_keystrokes(typed, ["TBA304719826511"]) == [
        Read("Data Matrix", "WRONG1"),
        Read("scanner", "TBA304719826511"),
    ]
    assert from_keystrokes(io.StringIO("A1\n\nB2\n"), ["X"]) == [Read("scanner", "A1")]
    assert len(from_keystrokes(io.StringIO("Z\n" * 500), ["X"])) == MAX_LINES
    long = from_keystrokes(io.StringIO("9" * 100_000 + "\nNEXT\n"), ["X"])
    assert [len(r.text) for r in long] == [2000, 4]


def test_judge_names_how_the_id_is_carried() -> None:
    verdict = judge([Read("Code 128", "(420)98028(92)05590303000000000001")], ["9205590303000000000001"])
    assert verdict.ok and verdict.carriers[0][1] == "inside a GS1 element string, AI (92)"
    assert not judge([Read("Code 128", "TBA1")], ["TBA2"]).ok
