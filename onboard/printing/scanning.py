"""What was read off the paper label: a handheld scanner's keystrokes, or a photo or flatbed scan of it.

A keyboard-wedge scanner types each code it reads and presses Enter (an AIM symbology prefix such as ``]C1``
or ``]d2`` says which symbol it was); :func:`from_keystrokes` takes those lines from standard input,
:func:`keystroke` one of them (what the TUI's Scan field was given). :func:`from_image` reads a photo the
way a person takes one: turned upright (EXIF), shrunk to a size zxing-cpp reads fast, the light flattened
(a shadow across the label), then turned in steps (a label photographed askew) until the codes wanted are
read or the deadline passes. :func:`judge` compares every read with the tracking ids, by the matching of
``label check`` (GS1 element strings and carrier payloads included).
"""

from __future__ import annotations

import io
import re
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from onboard.display import shown
from onboard.errors import UsageError
from onboard.labels.matching import carries, normalise

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["IMAGE_SECONDS", "Read", "Verdict", "described", "from_image", "from_keystrokes", "judge", "keystroke"]

#: how long a photo may be looked at, turned and cleaned, before what was read is the answer
IMAGE_SECONDS = 12.0
#: a scanner types a code and Enter; a person may scan both codes of the label, or a few wrong ones first
MAX_LINES = 50
MAX_LINE = 2000
#: a photo's longest side once shrunk: a phone's 4000 px photo of a 4x6 label reads as well at this size
_LONGEST = 2200
_MAX_PIXELS = 80_000_000
#: turns tried after the upright reads (zxing-cpp tries the quarter turns itself)
_ANGLES = (15, -15, 30, -30, 8, -8, 22, -22, 38, -38, 45)
#: the turned copies are smaller: the symbols stay readable and each turn costs a third
_TURNED_LONGEST = 1500
#: AIM symbology identifiers a scanner may be set to send before the code
_AIM = {
    "C": "Code 128",
    "d": "Data Matrix",
    "Q": "QR Code",
    "L": "PDF417",
    "U": "MaxiCode",
    "z": "Aztec",
    "A": "Code 39",
    "I": "ITF",
    "E": "EAN/UPC",
    "e": "DataBar",
}
_AIM_PREFIX = re.compile(r"^\]([A-Za-z])([0-9A-Za-z])")


@dataclass(frozen=True, slots=True)
class Read:
    """One code read: its symbology ("scanner" when the scanner did not say) and its text."""

    symbology: str
    text: str


@dataclass(frozen=True, slots=True)
class Verdict:
    reads: tuple[Read, ...]
    #: the tracking id carried, and how ("equal", "inside a GS1 element string, AI (00)", …); None: no match
    tracking_id: str | None
    #: the reads that carry it
    carriers: tuple[tuple[Read, str], ...]

    @property
    def ok(self) -> bool:
        return self.tracking_id is not None

    @property
    def carried_by(self) -> str:
        """The symbologies that carry the id, each once, as the evidence keeps them: ``Code 128, Data Matrix``."""
        return ", ".join(dict.fromkeys(read.symbology for read, _ in self.carriers))


def judge(reads: Sequence[Read], expected: Sequence[str]) -> Verdict:
    """Which of ``expected`` the reads carry (the first one any read carries)."""
    for tracking in expected:
        found = tuple((read, how) for read in reads if (how := carries(read.text, tracking)))
        if found:
            return Verdict(tuple(reads), tracking, found)
    return Verdict(tuple(reads), None, ())


def keystroke(line: str) -> Read | None:
    """One line a scanner typed, its AIM prefix read and taken off; None for an empty line."""
    text = line.rstrip("\r\n")
    text = text[:MAX_LINE]
    prefix = _AIM_PREFIX.match(text)
    symbology = "scanner"
    if prefix and prefix.group(1) in _AIM:
        symbology = _AIM[prefix.group(1)]
        text = text[prefix.end() :]
    text = normalise(text)
    return Read(symbology, text) if text else None


def from_keystrokes(
    stream: IO[str], expected: Sequence[str], prompt: Callable[[str], None] | None = None
) -> list[Read]:
    """Lines typed by a scanner, until one carries an expected id, an empty line, end of input or
    :data:`MAX_LINES`; ``prompt`` is told what to do when a person is at the terminal."""
    if prompt is not None:
        prompt("Scan the printed label now (each code the scanner reads ends with Enter; an empty line stops).")
    reads: list[Read] = []
    for count, line in enumerate(_lines(stream)):
        if count >= MAX_LINES:
            break
        read = keystroke(line)
        if read is None:
            break
        reads.append(read)
        if judge([read], expected).ok:
            break
        if prompt is not None:
            prompt("That code does not carry the label's tracking id: scan another, or press Enter to stop.")
    return reads


def described(reads: Sequence[Read]) -> str:
    """What was read, as a scan that does not match says it: ``Code 128 'TBA…'; scanner '1Z…'``."""
    return "; ".join(f"{read.symbology} '{shown(read.text, 60)}'" for read in reads[:6])


def _lines(stream: IO[str]) -> Iterable[str]:
    while True:
        try:
            line = stream.readline(MAX_LINE + 2)
        except UnicodeDecodeError:
            line = "\ufffd\n"
        if not line:
            return
        if not line.endswith("\n"):
            # longer than any code: the rest of that line is dropped, not read as more codes
            while (more := stream.readline(MAX_LINE)) and not more.endswith("\n"):
                pass
        yield line


# --- a photo or a flatbed scan ------------------------------------------------------------------------------


def open_picture(path: Path) -> Image.Image:
    """The photo (PNG, JPEG, TIFF, …) or the first page of a PDF scan, upright and grey."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # noqa: PLC0415

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}", "give a photo or scan of the printed label") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a photo") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if data.startswith(b"%PDF"):
        return _pdf_page(data, path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > _MAX_PIXELS:
                raise Image.DecompressionBombError
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UsageError(
            f"{path} is too large a picture to read", "photograph the label at most 80 megapixels"
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise UsageError(
            f"{path} is not a picture onboard can read", "give a PNG, JPEG or TIFF photo, or a PDF scan"
        ) from None
    return upright.convert("L")


def _pdf_page(data: bytes, path: Path) -> Image.Image:
    import pypdfium2  # type: ignore[import-untyped]  # noqa: PLC0415

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        raise UsageError(f"{path} is a damaged PDF", "scan the label again, or give a photo") from None
    try:
        if len(pdf) == 0:
            raise UsageError(f"{path} is a PDF without pages")
        page = pdf[0]
        width, height = page.get_size()
        scale = min(300 / 72, _LONGEST / max(width, height, 1))
        picture: Image.Image = page.render(scale=scale, grayscale=True).to_pil()
        return picture.convert("L")
    finally:
        pdf.close()


def _flattened(gray: Image.Image) -> Image.Image:
    """Uneven light taken out: each pixel against the paper's local white, then stretched to black-white."""
    from PIL import ImageChops, ImageFilter, ImageOps  # noqa: PLC0415

    small = gray.resize((max(gray.width // 16, 1), max(gray.height // 16, 1)))
    paper = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(2)).resize(gray.size)
    return ImageOps.autocontrast(ImageOps.invert(ImageChops.subtract(paper, gray)), cutoff=1)


def _zxing_reads(image: Image.Image) -> list[Read]:
    import zxingcpp  # noqa: PLC0415

    found: Any = zxingcpp.read_barcodes(image, try_rotate=True, try_downscale=True, try_invert=False)
    return [Read(str(b.format), normalise(b.text)) for b in found if b.valid and b.text]


def from_image(
    path: Path, expected: Sequence[str], *, seconds: float = IMAGE_SECONDS, picture: Image.Image | None = None
) -> list[Read]:
    """Every code read off the photo at ``path``, looking harder (light flattened, turned) only until one
    carries an expected id or ``seconds`` have passed."""
    from PIL import Image, ImageOps  # noqa: PLC0415

    gray = picture.convert("L") if picture is not None else open_picture(path)
    deadline = time.monotonic() + seconds
    if max(gray.size) > _LONGEST:
        ratio = _LONGEST / max(gray.size)
        gray = gray.resize((round(gray.width * ratio), round(gray.height * ratio)), Image.Resampling.LANCZOS)
    reads: dict[Read, None] = {}

    def look(image: Image.Image) -> bool:
        for read in _zxing_reads(image):
            reads.setdefault(read, None)
        return judge(list(reads), expected).ok or time.monotonic() > deadline

    flat = _flattened(gray)
    if look(gray) or look(ImageOps.autocontrast(gray, cutoff=1)) or look(flat):
        return list(reads)
    if max(flat.size) > _TURNED_LONGEST:
        ratio = _TURNED_LONGEST / max(flat.size)
        flat = flat.resize((round(flat.width * ratio), round(flat.height * ratio)), Image.Resampling.LANCZOS)
    for angle in _ANGLES:
        turned = flat.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        if look(turned):
            break
    return list(reads)
