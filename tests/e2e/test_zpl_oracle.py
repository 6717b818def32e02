"""onboard draws a carrier's ZPL as zebrash does: the same barcodes read back, the ink in the same place.

A shipper's carrier system writes the label in ZPL; onboard draws it to check what a depot's scanner will
read. Whether it draws it right is judged against the world, not against itself: ten real carriers' labels
(``../shared/reference/labels/zpl``, never copied here) and an independent renderer, zebrash (ingridhq's Go
renderer as the npm package zpl-renderer-js, run under node by ``tests/zebrash.py``). zxing-cpp reads both
drawings. onboard may read more than zebrash where zebrash is known to fall short; each such difference is
written down below with its reason, and anything else is a bug on one side (the ZPL manual decides which).

Without node and ``npm ci --prefix tests/oracle``, or without the corpus, these tests skip and say why.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
import zxingcpp
from PIL import Image

from onboard.bench.labels import Listed, listed_barcodes
from tests import zebrash
from tests.conftest import REFERENCE

pytestmark = pytest.mark.slow

CORPUS = REFERENCE / "labels" / "zpl"
CORPUS_README = REFERENCE / "labels" / "README.md"
CARRIERS = (
    "amazon",
    "dhlpaket",
    "fedex",
    "glscz",
    "labelary",
    "pocztex",
    "porterbuddy",
    "swisspost",
    "ups",
    "usps",
)

Symbol = tuple[str, str]  # (zxing-cpp's symbology name, the text it reads)
Draw = Callable[[bytes], list[Image.Image]]


@dataclass(frozen=True)
class KnownExtra:
    """A symbol onboard reads and zebrash's drawing does not yield, and why that is right."""

    symbology: str
    text: str  # a regular expression the text read must contain a match of
    reason: str

    def explains(self, symbol: Symbol) -> bool:
        return symbol[0] == self.symbology and re.search(self.text, symbol[1]) is not None


#: per carrier, what onboard may read beyond zebrash (the corpus README names both)
KNOWN_EXTRAS = {
    "ups": (
        KnownExtra(
            "MaxiCode",
            r"1Z08720000",
            "zxing-cpp reads nothing from zebrash's drawing of the ^BD MaxiCode, not even cut out alone; its "
            "secondary message carries the UPS tracking number",
        ),
    ),
    "dhlpaket": (
        KnownExtra(
            "Code 128",
            r"22\)?22000000000000",
            "the second ^BC (mode D, ^FO114,1255) lies below 6 in: zebrash's canvas is the 4x6 in it is given, "
            "while with no ^LL a printer prints the format as long as its stock, and onboard draws it to its ink",
        ),
    ),
    "porterbuddy": (
        KnownExtra(
            "Code 128",
            r"011112230000002326",
            "the ^BC at ^FO58,1260 lies below 6 in, as DHL Paket's second one does",
        ),
    ),
}


# --- the two renderers -------------------------------------------------------------------------------------


class ZebrashDrawings:
    """zebrash's drawings at 203 dpi on a 4x6 in canvas, kept on disk for the run. A node process costs a second
    before its first label and warms up over the next few, and the tests of one label may run in different
    xdist workers: so the first worker to need a drawing makes every known label's in one process, under a
    lock, and the others read them."""

    def __init__(self, folder: Path, known: Iterable[bytes]) -> None:
        self.folder = folder
        self.known = list(known)

    def _key(self, zpl: bytes) -> str:
        return hashlib.sha256(zpl).hexdigest()[:32]

    def _count(self, zpl: bytes) -> Path:
        return self.folder / f"{self._key(zpl)}.count"

    def _store(self, zpl: bytes, images: list[Image.Image]) -> None:
        for number, image in enumerate(images):
            image.save(self.folder / f"{self._key(zpl)}-{number}.png")
        self._count(zpl).write_text(str(len(images)))  # last: a drawing is there once its count is

    def __call__(self, zpl: bytes) -> list[Image.Image]:
        if not self._count(zpl).is_file():
            with (self.folder / "lock").open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                todo = [z for z in dict.fromkeys([zpl, *self.known]) if not self._count(z).is_file()]
                if todo:
                    for drawn, images in zip(todo, zebrash.render_many(todo, 203), strict=True):
                        self._store(drawn, images)
        drawings = []
        for number in range(int(self._count(zpl).read_text())):
            with Image.open(self.folder / f"{self._key(zpl)}-{number}.png") as image:
                drawings.append(image.convert("L"))
        return drawings


@pytest.fixture(scope="session")
def zebrash_draws(tmp_path_factory: pytest.TempPathFactory) -> Draw:
    if not zebrash.available():
        pytest.skip("zebrash is not installed: node or tests/oracle/node_modules absent (npm ci --prefix tests/oracle)")
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "zebrash-drawings"  # one for all
    folder.mkdir(exist_ok=True)
    corpus = [path.read_bytes() for path in sorted(CORPUS.glob("*.zpl"))]
    return ZebrashDrawings(folder, [*corpus, *(zpl for zpl, _ in OWN_LABELS.values())])


@pytest.fixture(scope="session")
def interpreter() -> ModuleType:
    """onboard's ZPL interpreter; the differential tests skip, saying so, until it has landed."""
    try:
        module = importlib.import_module("onboard.labels.zpl")
    except ImportError as exc:
        pytest.skip(f"onboard's ZPL interpreter does not import yet: {exc}")
    missing = [name for name in ("read_zpl", "draw_label") if not hasattr(module, name)]
    if missing:
        pytest.skip(f"onboard's ZPL interpreter has not landed: onboard.labels.zpl has no {', '.join(missing)}")
    return module


@pytest.fixture
def onboard_draws(interpreter: ModuleType) -> Draw:
    """onboard's drawing of ZPL at 203 dpi: one image per ^XA…^XZ, as ``onboard label check`` draws it."""

    def draw(zpl: bytes) -> list[Image.Image]:
        return [interpreter.draw_label(label, dpi=203) for label in interpreter.read_zpl(zpl).labels]

    return draw


def carrier_label(carrier: str) -> bytes:
    path = CORPUS / f"{carrier}.zpl"
    if not path.is_file():
        pytest.skip(f"the carriers' labels are not at {CORPUS}")
    return path.read_bytes()


# --- what a scanner reads ----------------------------------------------------------------------------------


def scan(images: Iterable[Image.Image]) -> list[zxingcpp.Barcode]:
    """Every barcode a patient scanner finds: any angle, inverted or not, downscaled or not."""
    return [
        barcode
        for image in images
        for barcode in zxingcpp.read_barcodes(image, try_rotate=True, try_invert=True, try_downscale=True)
        if barcode.valid
    ]


def symbols(images: Iterable[Image.Image]) -> set[Symbol]:
    return {(str(b.format), b.text) for b in scan(images)}


def box(barcode: zxingcpp.Barcode) -> tuple[int, int, int, int]:
    """The upright rectangle around the corners zxing-cpp reports: left, top, right, bottom, in dots."""
    corners = [barcode.position.top_left, barcode.position.top_right]
    corners += [barcode.position.bottom_right, barcode.position.bottom_left]
    xs, ys = [c.x for c in corners], [c.y for c in corners]
    return min(xs), min(ys), max(xs), max(ys)


def located(images: list[Image.Image]) -> dict[Symbol, tuple[int, int, int, int]]:
    found: dict[Symbol, tuple[int, int, int, int]] = {}
    for barcode in scan(images):
        symbol = (str(barcode.format), barcode.text)
        assert symbol not in found, f"{symbol} is on the label twice: name each symbol of a test label once"
        found[symbol] = box(barcode)
    return found


def listed(carrier: str) -> tuple[Listed, ...]:
    if not CORPUS_README.is_file():
        pytest.skip(f"the corpus README is not at {CORPUS_README}")
    wanted = listed_barcodes(CORPUS_README.read_text(encoding="utf-8")).get(f"{carrier}.zpl", ())
    assert wanted, f"the corpus README lists no barcode for {carrier}.zpl"
    return wanted


# --- a. the oracle itself: zebrash draws what the corpus README says it does -------------------------------


@pytest.mark.parametrize("carrier", CARRIERS)
def test_zebrash_draws_every_barcode_the_corpus_lists_for_the_carrier(carrier: str, zebrash_draws: Draw) -> None:
    read = symbols(zebrash_draws(carrier_label(carrier)))
    unread = [str(want) for want in listed(carrier) if not any(want.matches(*symbol) for symbol in read)]
    assert not unread, f"zebrash's drawing of {carrier}.zpl does not yield {unread}; zxing-cpp read {sorted(read)}"


def test_the_corpus_readme_is_read_as_a_person_reads_it() -> None:
    # the table's last column, the README's words for symbologies, and a text cut short with an ellipsis
    wanted = listed("fedex") + listed("porterbuddy")
    assert [w.symbology for w in wanted] == ["Code 128", "PDF417", "QR Code"]
    assert wanted[0] == Listed("Code 128", "9632080400200044387500271053820000")
    assert wanted[1].prefix
    assert wanted[1].matches("PDF417", wanted[1].text + "␝200044387␞␄")
    assert not wanted[1].matches("PDF417", wanted[1].text[:-1])
    assert not wanted[0].matches("Code 128", wanted[0].text + "0")


# --- b. the differential: onboard reads what zebrash reads from every carrier's label ----------------------


@pytest.mark.parametrize("carrier", CARRIERS)
def test_onboard_reads_every_barcode_zebrash_reads_from_the_carrier_label(
    carrier: str, zebrash_draws: Draw, onboard_draws: Draw
) -> None:
    zpl = carrier_label(carrier)
    theirs = symbols(zebrash_draws(zpl))
    ours = symbols(onboard_draws(zpl))
    assert theirs, f"zebrash's drawing of {carrier}.zpl yields no barcode: nothing to compare"
    assert theirs <= ours, f"onboard's drawing of {carrier}.zpl does not yield {sorted(theirs - ours)}"
    unexplained = [s for s in ours - theirs if not any(k.explains(s) for k in KNOWN_EXTRAS.get(carrier, ()))]
    assert not unexplained, f"onboard reads {unexplained} from {carrier}.zpl and zebrash does not: which is right?"


# --- c. labels of our own: the same symbols, each in the same place ----------------------------------------

#: each label's symbols, (symbology, text), in the order written; ^PW812 ^LL1218 is 4x6 in at 203 dpi
OWN_LABELS: dict[str, tuple[bytes, tuple[Symbol, ...]]] = {
    "code 128 placed by ^FO and by ^FT, inside a ^GB frame": (
        b"^XA^PW812^LL1218^FO40,40^GB732,420,4^FS"
        b"^FO80,80^BY3^BCN,120,Y,N,N^FDONBOARD-128^FS"
        b"^FT80,430^BY2^BCN,100,N,N,N^FD12345678^FS"
        b"^FO80,600^A0N,40,40^FDFT AND FO^FS^XZ",
        (("Code 128", "ONBOARD-128"), ("Code 128", "12345678")),
    ),
    "code 128 turned N, R, I and B from ^FO": (
        b"^XA^PW812^LL1218^BY2"
        b"^FO60,60^BCN,100,N,N,N^FDTURN-N-0001^FS"
        b"^FO600,60^BCR,100,N,N,N^FDTURN-R-0002^FS"
        b"^FO60,700^BCI,100,N,N,N^FDTURN-I-0003^FS"
        b"^FO450,600^BCB,100,N,N,N^FDTURN-B-0004^FS^XZ",
        tuple(("Code 128", f"TURN-{turn}-000{n}") for n, turn in enumerate("NRIB", 1)),
    ),
    "code 128 turned N, R, I and B from ^FT": (
        b"^XA^PW812^LL1218^BY2"
        b"^FT60,200^BCN,100,N,N,N^FDFT-N-0001^FS"
        b"^FT700,60^BCR,100,N,N,N^FDFT-R-0002^FS"
        b"^FT400,900^BCI,100,N,N,N^FDFT-I-0003^FS"
        b"^FT200,1150^BCB,100,N,N,N^FDFT-B-0004^FS^XZ",
        tuple(("Code 128", f"FT-{turn}-000{n}") for n, turn in enumerate("NRIB", 1)),
    ),
    "data matrix upright, turned, and from ^FT, beside a filled ^GB": (
        b"^XA^PW812^LL1218"
        b"^FO80,80^BXN,8,200^FDONBOARD DATA MATRIX 0001^FS"
        b"^FO450,80^BXR,6,200^FDROTATED MATRIX R^FS"
        b"^FT300,1000^BXI,7,200^FDMATRIX ON FT I^FS"
        b"^FO450,600^GB300,300,150^FS^XZ",
        (
            ("Data Matrix", "ONBOARD DATA MATRIX 0001"),
            ("Data Matrix", "ROTATED MATRIX R"),
            ("Data Matrix", "MATRIX ON FT I"),
        ),
    ),
    # a Zebra printer sinks a QR code placed by ^FO by the ^BY bar code height (10 dots unless set), a firmware
    # habit the manual does not mention; zebrash and labelary print it so, as printers do
    "qr code with the LA and QA field prefixes": (
        b"^XA^PW812^LL1218"
        b"^FO60,60^BQN,2,6^FDLA,https://example.com/track/ONBOARD0001^FS"
        b"^FO450,500^BQN,2,4^FDQA,PARCEL 42 OF 42^FS^XZ",
        (("QR Code", "https://example.com/track/ONBOARD0001"), ("QR Code", "PARCEL 42 OF 42")),
    ),
    "code 39 turned N, R, I and B": (
        b"^XA^PW812^LL1218^BY2"
        b"^FO60,80^B3N,N,120,Y,N^FDONBOARD39^FS"
        b"^FO650,300^B3R,N,100,N,N^FDROT39R^FS"
        b"^FO60,700^B3I,N,100,N,N^FDINV39^FS"
        b"^FO300,600^B3B,N,100,N,N^FDB39^FS^XZ",
        (("Code 39", "ONBOARD39"), ("Code 39", "ROT39R"), ("Code 39", "INV39"), ("Code 39", "B39")),
    ),
}
#: how far apart the two drawings' symbols may lie, in dots: rounding, not a misplaced field
PLACE_TOLERANCE = 3


@pytest.mark.parametrize("name", OWN_LABELS)
def test_zebrash_draws_each_symbol_of_our_own_labels(name: str, zebrash_draws: Draw) -> None:
    zpl, written = OWN_LABELS[name]
    assert sorted(located(zebrash_draws(zpl))) == sorted(written)


@pytest.mark.parametrize("name", OWN_LABELS)
def test_onboard_draws_our_own_labels_as_zebrash_does_each_symbol_in_its_place(
    name: str, zebrash_draws: Draw, onboard_draws: Draw
) -> None:
    zpl, written = OWN_LABELS[name]
    theirs = located(zebrash_draws(zpl))
    ours = located(onboard_draws(zpl))
    assert sorted(ours) == sorted(theirs) == sorted(written)
    misplaced = {
        symbol: {"onboard": ours[symbol], "zebrash": theirs[symbol]}
        for symbol in written
        if max(abs(a - b) for a, b in zip(ours[symbol], theirs[symbol], strict=True)) > PLACE_TOLERANCE
    }
    assert not misplaced, f"placed more than {PLACE_TOLERANCE} dots apart (left, top, right, bottom): {misplaced}"
