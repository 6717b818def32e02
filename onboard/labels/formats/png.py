"""PNG labels: the PNG signature, pixels and the pHYs chunk against 4 x 6 in, written by ``onboard.labels.png``."""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

from onboard.labels.formats import Format
from onboard.labels.report import LabelCheck, Measured, Pictures
from onboard.labels.scanning import judge_barcodes, must_read, scan
from onboard.labels.sizes import MAX_PIXELS, dpi_of_dots, wrong_size

if TYPE_CHECKING:
    from PIL import Image

    from onboard.labels.content import LabelContent

__all__ = ["FORMAT", "open_png"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sniff(data: bytes) -> bool:
    return data.startswith(_SIGNATURE)


def open_png(data: bytes) -> Image.Image:
    """The decoded image; ValueError (one line) when it is damaged or absurdly large."""
    from PIL import Image  # noqa: PLC0415 - Pillow loads with the first PNG read

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise ValueError(f"{image.width} x {image.height} px is far too large for a label")
            image.load()
    except (OSError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValueError(f"damaged PNG: {exc}") from None
    return image


def check(data: bytes, dpi: int | None, expect: str | None) -> Measured:
    try:
        image = open_png(data)
    except ValueError as exc:
        return Measured((LabelCheck("file", False, str(exc)),))
    width, height = image.size
    upright = (min(width, height), max(width, height))
    size_dpi = dpi_of_dots(*upright)
    file_dpi = _stored_dpi(image)
    used = dpi or file_dpi or size_dpi
    px = f"{width} x {height} px"
    turned = ", landscape (prints turned)" if width > height else ""

    if size_dpi is not None:
        size_check = LabelCheck("size", True, f"4 x 6 in ({px} at {size_dpi} dpi{turned})")
    elif used is not None:
        size_check = LabelCheck("size", False, f"{wrong_size(width / used, height / used)} ({px} at {used} dpi)")
    else:
        size_check = LabelCheck("size", False, f"wrong size: {px} is 4 x 6 in at neither 203 nor 300 dpi")

    if dpi is not None and size_dpi is not None and dpi != size_dpi:
        dpi_check = LabelCheck("dpi", False, f"wrong dpi: {px} is {size_dpi} dpi, {dpi} dpi was asked")
    elif file_dpi is not None and size_dpi is not None and file_dpi != size_dpi:
        dpi_check = LabelCheck(
            "dpi", False, f"wrong dpi: the file says {file_dpi} dpi, but {px} is 4 x 6 in at {size_dpi} dpi"
        )
    elif dpi is not None and file_dpi is not None and dpi != file_dpi:
        dpi_check = LabelCheck("dpi", False, f"wrong dpi: the file says {file_dpi} dpi, {dpi} dpi was asked")
    elif used is None:
        dpi_check = LabelCheck("dpi", False, "unknown dpi: the file does not say, and its size does not tell")
    else:
        source = "as asked" if dpi else "as the file says" if file_dpi else "from the pixel size"
        dpi_check = LabelCheck("dpi", True, f"{used} dpi ({source})")

    found = scan(_upright(image), must_read(expect), 1)
    # the report describes the file as it is: its own dpi, not one it was wrongly asked to be
    own = size_dpi or file_dpi or dpi
    return Measured(
        (size_check, dpi_check, judge_barcodes(found, 1, expect)),
        tuple(found),
        1,
        round(width / own, 3) if own else None,
        round(height / own, 3) if own else None,
        own,
    )


def pictures(data: bytes, dpi: int) -> Pictures:
    # a PNG is drawn at its own resolution: the one asked for only when the file does not say
    image = open_png(data)
    own = _stored_dpi(image)
    return Pictures("PNG", dpi if own is None else own, (image.convert("L"),))


def preview(data: bytes, dpi: int) -> Image.Image:
    return open_png(data)


def text(data: bytes) -> str:
    """The text chunks before the pixels (tEXt, zTXt, iTXt), the only words a PNG holds outside them.
    Only the header is read: chunks after the pixels would need the whole image decoded."""
    from PIL import Image  # noqa: PLC0415

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a decompression-bomb warning: the header is all that is read
            with Image.open(io.BytesIO(data)) as image:
                return "\n".join(value for value in image.info.values() if isinstance(value, str))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return ""


def write(content: LabelContent, dpi: int) -> bytes:
    from onboard.labels.png import render_png  # noqa: PLC0415 - the writer and its fonts load with the first label

    return render_png(content, dpi)


def _stored_dpi(image: Image.Image) -> int | None:
    """The dpi the file's pHYs chunk says, when it says a usable one."""
    stored = image.info.get("dpi")
    return round(float(stored[0])) if isinstance(stored, tuple) and stored and float(stored[0]) > 0 else None


def _upright(image: Image.Image) -> Image.Image:
    """A grey copy, white where the PNG is transparent, turned to portrait when it is landscape."""
    from PIL import Image  # noqa: PLC0415 - loaded by open_png already

    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        white.alpha_composite(rgba)
        image = white
    gray = image.convert("L")
    return gray.transpose(Image.Transpose.ROTATE_90) if gray.width > gray.height else gray


FORMAT = Format(
    name="PNG",
    extension=".png",
    media_type="image/png",
    is_document=False,
    sniff=sniff,
    check=check,
    pictures=pictures,
    preview=preview,
    text=text,
    write=write,
)
