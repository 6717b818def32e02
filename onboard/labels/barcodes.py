"""Code 128 and Data Matrix symbols as module grids, encoded by zxing-cpp."""

from __future__ import annotations

from functools import lru_cache


def _encode(text: str, symbology: str, **options: bool) -> tuple[bytes, int, int]:
    """The symbol as 8-bit grey pixels, one per module (0 = dark), with its row and column counts."""
    # zxing-cpp loads with the first label written: importing the writers (the emulator does) costs none of it
    import zxingcpp  # noqa: PLC0415

    if not text:
        raise ValueError("cannot encode an empty barcode")
    try:
        symbol = zxingcpp.create_barcode(text, getattr(zxingcpp.BarcodeFormat, symbology), **options)
    except (ValueError, RuntimeError) as exc:
        raise ValueError(f"cannot encode {text!r} as {symbology}: {exc}") from None
    image = symbol.to_image(scale=1, add_quiet_zones=False)
    rows, cols = image.shape
    # the stub does not declare the buffer protocol the object does implement
    return bytes(memoryview(image)), rows, cols  # type: ignore[arg-type]


@lru_cache(maxsize=32)
def code128_modules(text: str) -> tuple[bool, ...]:
    """The Code 128 symbol for `text`, one entry per module (True = bar), without quiet zones."""
    # a 1D symbol comes back as a stack of identical rows: the first one is the symbol
    pixels, _, cols = _encode(text, "Code128")
    return tuple(p < 128 for p in pixels[:cols])


@lru_cache(maxsize=32)
def datamatrix_modules(text: str) -> tuple[tuple[bool, ...], ...]:
    """The square ECC 200 Data Matrix for `text`, row by row (True = dark), without quiet zone."""
    # square symbols because that is what a Zebra ^BX prints by default, so ZPL and raster agree
    pixels, rows, cols = _encode(text, "DataMatrix", force_square=True)
    return tuple(tuple(p < 128 for p in pixels[r * cols : (r + 1) * cols]) for r in range(rows))
