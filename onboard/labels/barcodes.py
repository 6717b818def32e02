"""Code 128 and Data Matrix symbols as module grids, encoded by zxing-cpp."""

from __future__ import annotations

from functools import lru_cache

import zxingcpp


def _encode(text: str, fmt: zxingcpp.BarcodeFormat, **options: bool) -> tuple[tuple[bool, ...], ...]:
    if not text:
        raise ValueError("cannot encode an empty barcode")
    try:
        symbol = zxingcpp.create_barcode(text, fmt, **options)
    except (ValueError, RuntimeError) as exc:
        raise ValueError(f"cannot encode {text!r} as {fmt.name}: {exc}") from None
    image = symbol.to_image(scale=1, add_quiet_zones=False)
    rows, cols = image.shape
    # zxing-cpp hands back 8-bit grey, one byte per module: 0 is a dark module, 255 a light one.
    # Its stub does not declare the buffer protocol the object does implement.
    pixels = bytes(memoryview(image))  # type: ignore[arg-type]
    return tuple(tuple(pixels[r * cols + c] < 128 for c in range(cols)) for r in range(rows))


@lru_cache(maxsize=32)
def code128_modules(text: str) -> tuple[bool, ...]:
    """The Code 128 symbol for `text`, one entry per module (True = bar), without quiet zones."""
    return _encode(text, zxingcpp.BarcodeFormat.Code128)[0]


@lru_cache(maxsize=32)
def datamatrix_modules(text: str) -> tuple[tuple[bool, ...], ...]:
    """The square ECC 200 Data Matrix for `text`, row by row (True = dark), without quiet zone."""
    # square symbols because that is what a Zebra ^BX prints by default, so ZPL and raster agree
    return _encode(text, zxingcpp.BarcodeFormat.DataMatrix, force_square=True)
