"""``report.html``: the same content as the PDF, in the same words, one self-contained file (images inlined),
readable from a phone's width up and printable: each label on a page of its own at true size."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from onboard.labels.report import Pictures
from onboard.locations import templates_dir
from onboard.pack.content import caption

__all__ = ["build_html", "ids"]


def ids(value: object) -> Markup:
    """An identifier escaped, with a line-break opportunity after each hyphen and nowhere else (``<wbr>``):
    a browser breaks ``bb7c870a-0713-4034-…`` only after its hyphens, never inside a piece."""
    return Markup("-<wbr>").join(escape(part) for part in str(value).split("-"))


def build_html(content: dict[str, Any], previews: Mapping[str, Pictures]) -> bytes:
    """The report as one page; ``previews`` holds each label file's labels drawn (a ZPL file may hold several)."""
    environment = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["ids"] = ids
    pages: list[dict[str, Any]] = []
    for label in content["labels"]:
        drawn = previews.get(label.get("file") or "")
        if drawn is None:
            continue
        for number, image in enumerate(drawn.pages, start=1):
            buffer = io.BytesIO()
            image.convert("L").save(buffer, format="PNG", optimize=True)
            pages.append(
                {
                    "caption": caption(label, number, len(drawn.pages)),
                    "file": label["file"],
                    "src": base64.b64encode(buffer.getvalue()).decode("ascii"),
                    "width": image.width,
                    "height": image.height,
                    # true size: the picture's pixels at its dpi, as a printer at that dpi lays them down
                    "inches": (f"{image.width / drawn.dpi:.3f}in", f"{image.height / drawn.dpi:.3f}in"),
                }
            )
    html = environment.get_template("report.html.j2").render(c=content, label_pages=pages)
    return html.encode("utf-8")
