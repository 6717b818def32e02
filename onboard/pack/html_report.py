"""``report.html``: the same content as the PDF, one self-contained file (images inlined), printable."""

from __future__ import annotations

import base64
import io
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from PIL import Image

from onboard.locations import templates_dir


def build_html(content: dict[str, Any], previews: dict[str, Image.Image]) -> bytes:
    environment = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    images = {}
    for path, image in previews.items():
        buffer = io.BytesIO()
        image.convert("L").save(buffer, format="PNG", optimize=True)
        images[path] = base64.b64encode(buffer.getvalue()).decode("ascii")
    html = environment.get_template("report.html.j2").render(c=content, images=images)
    return html.encode("utf-8")
