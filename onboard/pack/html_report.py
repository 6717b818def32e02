"""``report.html``: the same content as the PDF, one self-contained file (images inlined), printable."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from PIL import Image

from onboard.locations import templates_dir


def build_html(content: dict[str, Any], previews: Mapping[str, Sequence[Image.Image]]) -> bytes:
    """The report as one page; ``previews`` holds each label file's labels drawn (a ZPL file may hold several)."""
    environment = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    images: dict[str, list[str]] = {}
    for path, pages in previews.items():
        images[path] = []
        for image in pages:
            buffer = io.BytesIO()
            image.convert("L").save(buffer, format="PNG", optimize=True)
            images[path].append(base64.b64encode(buffer.getvalue()).decode("ascii"))
    html = environment.get_template("report.html.j2").render(c=content, images=images)
    return html.encode("utf-8")
