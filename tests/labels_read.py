"""Reading labels back as a person's scanner would: rasterise, then decode every barcode with zxing-cpp."""

from __future__ import annotations

import io

import pypdfium2
import zxingcpp
from PIL import Image

from onboard.labels.zpl import draw_label, read_zpl


def raster(label: bytes, fmt: str, dpi: int) -> Image.Image:
    if fmt == "PNG":
        return Image.open(io.BytesIO(label))
    if fmt == "PDF":
        pdf = pypdfium2.PdfDocument(label)
        try:
            return pdf[0].render(scale=dpi / 72).to_pil()
        finally:
            pdf.close()
    return draw_label(read_zpl(label).labels[0], dpi)


def barcodes(label: bytes, fmt: str, dpi: int) -> dict[str, str]:
    """Symbology name ("Code 128", "Data Matrix") -> decoded text, for every barcode found on the label."""
    found = zxingcpp.read_barcodes(raster(label, fmt, dpi))
    return {str(b.format): b.text for b in found}
