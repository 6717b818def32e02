"""A shipper runs ``onboard label check`` on the ZPL their carrier's system writes, and gets the truth.

Ten real carriers' labels (``../shared/reference/labels/zpl``, never copied here; skipped without them).
Each prints on a Zebra printer, so none may be called unprintable or fail for what a printer tolerates: no
^PW or ^LL, a format longer than 6 in with no ^LL (DHL Paket's and Porterbuddy's fill longer stock), a
MaxiCode boxed in by lines (UPS). Every barcode field must be read back from onboard's own drawing, so
every symbol the corpus README lists from zebrash's drawing is among them.

One label is a true rejection, and must stay one: the Amazon vendor carton label's Code 128 (mode N, a
3-dot module, 20 characters in subset B) is wider than the 4 in label it is placed on and crosses the
frame's right line. zebrash draws it cut the same way, and no scanner reads it off paper.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from onboard.bench.labels import listed_barcodes
from tests.cli import run_onboard
from tests.conftest import REFERENCE

CORPUS = REFERENCE / "labels" / "zpl"
CARRIERS = ("amazon", "dhlpaket", "fedex", "glscz", "labelary", "pocztex", "porterbuddy", "swisspost", "ups", "usps")

#: the one check that fails, and its words, for the labels a printer prints wrong
TRUE_REJECTIONS = {
    "amazon": (
        "barcodes",
        "unreadable barcode: the Code 128 field 'AMZNCC00000010000000' runs past the label's right edge "
        "(to 4.48 in on a 4 in wide label), so it prints cut",
    ),
}


def checked(carrier: str) -> tuple[int, dict[str, Any]]:
    path = CORPUS / f"{carrier}.zpl"
    if not path.is_file():
        pytest.skip(f"the carriers' labels are not at {CORPUS}")
    done = run_onboard(["label", "check", str(path), "--json"])
    assert done.stderr == ""
    return done.returncode, json.loads(done.stdout)


@pytest.mark.parametrize("carrier", CARRIERS)
def test_a_carriers_label_is_judged_as_a_printer_prints_it(carrier: str) -> None:
    code, report = checked(carrier)

    failed = [(c["name"], c["detail"]) for c in report["checks"] if not c["ok"]]
    expected = [TRUE_REJECTIONS[carrier]] if carrier in TRUE_REJECTIONS else []
    assert failed == expected
    assert code == (1 if expected else 0)
    assert report["status"] == ("failed" if expected else "passed")
    structure = next(c["detail"] for c in report["checks"] if c["name"] == "structure")
    assert "reject" not in structure
    # the barcodes check fails on any field not read back, so passing it means every field scanned


@pytest.mark.parametrize("carrier", CARRIERS)
def test_every_barcode_the_corpus_lists_is_read_from_onboards_drawing(carrier: str) -> None:
    readme = REFERENCE / "labels" / "README.md"
    if not readme.is_file():
        pytest.skip(f"the corpus README is not at {readme}")
    _, report = checked(carrier)
    read = [(b["symbology"], b["text"]) for b in report["barcodes"] if b["valid"]]
    for want in listed_barcodes(readme.read_text(encoding="utf-8"))[f"{carrier}.zpl"]:
        assert any(want.matches(*symbol) for symbol in read), f"{want} not read from {carrier}.zpl: {read}"


@pytest.mark.parametrize(
    ("carrier", "symbology", "needle"),
    [
        # the README's floor leaves these out: zebrash's drawing does not yield them
        ("ups", "MaxiCode", "1Z08720000"),
        ("dhlpaket", "Code 128", "(22)2200000000000000"),
        ("porterbuddy", "Code 128", "011112230000002326"),
    ],
)
def test_the_symbols_an_independent_render_misses_are_read_too(carrier: str, symbology: str, needle: str) -> None:
    _, report = checked(carrier)
    assert any(b["symbology"] == symbology and needle in b["text"] for b in report["barcodes"] if b["valid"])


@pytest.mark.parametrize(("carrier", "inches"), [("dhlpaket", "7.67"), ("porterbuddy", "7.37")])
def test_a_format_longer_than_6_in_with_no_ll_says_what_stock_it_needs(carrier: str, inches: str) -> None:
    _, report = checked(carrier)
    size = next(c for c in report["checks"] if c["name"] == "size")
    assert size["ok"]
    assert f"no ^LL: the printer prints at its stock's length, and the ink runs to {inches} in" in size["detail"]
    assert report["height_in"] == pytest.approx(float(inches), abs=0.01)


def test_a_format_a_hair_past_its_foot_is_cut_there_as_the_printer_cuts_it() -> None:
    # UPS's ^LH10,12 pushes its last text line 0.05 in below 6 in: that is the same 4 x 6 in label, not longer stock
    _, report = checked("ups")
    assert (report["width_in"], report["height_in"]) == (4.0, 6.0)
