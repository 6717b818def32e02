"""zebrash, the Go ZPL renderer (as the npm package zpl-renderer-js), as an oracle: ZPL in, PIL images out.

It runs under node as ``tests/oracle/zebrash.mjs``, one process per call, installed by
``npm ci --prefix tests/oracle``; ``available()`` says whether this machine has both. Used by
``tests/e2e/test_zpl_oracle.py`` and by ``python -m onboard.bench labels`` (``timings``).
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import statistics
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

__all__ = ["ORACLE", "ZebrashError", "available", "render", "render_many", "timings", "version"]

ORACLE = Path(__file__).resolve().parent / "oracle"
_SCRIPT = ORACLE / "zebrash.mjs"
_PACKAGE = ORACLE / "node_modules" / "zpl-renderer-js" / "package.json"
_DPMM = {203: 8, 300: 12}
# zebrash takes its canvas from the caller: a 4 x 6 in label unless told otherwise
_WIDTH_IN = 4.0
_HEIGHT_IN = 6.0
# a cold start compiles about 8 MB of WASM and the first render JIT-compiles the renderer
_TIMEOUT_S = 300.0


class ZebrashError(RuntimeError):
    """zebrash could not render a label, or the oracle process failed."""


def available() -> bool:
    """node is on PATH and zpl-renderer-js is installed in tests/oracle/node_modules."""
    return shutil.which("node") is not None and _PACKAGE.is_file()


def version() -> str:
    """The installed zpl-renderer-js's version ("3.4.0"), or "" when it is not installed."""
    if not _PACKAGE.is_file():
        return ""
    meta: dict[str, Any] = json.loads(_PACKAGE.read_text(encoding="utf-8"))
    return str(meta.get("version", ""))


def _dpmm(dpi: int) -> int:
    try:
        return _DPMM[dpi]
    except KeyError:
        raise ValueError(f"zebrash draws at 203 or 300 dpi, not {dpi}") from None


def _ask(request: dict[str, Any], *options: str) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not _PACKAGE.is_file():
        raise ZebrashError("node or zpl-renderer-js is absent: run npm ci --prefix tests/oracle")
    done = subprocess.run(
        [node, str(_SCRIPT), *options],
        input=json.dumps(request).encode(),
        capture_output=True,
        timeout=_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise ZebrashError(f"zebrash.mjs exited {done.returncode}: {done.stderr.decode(errors='replace').strip()}")
    results: list[dict[str, Any]] = json.loads(done.stdout)["results"]
    return results


def _request(inputs: list[dict[str, str]], dpi: int, width_in: float, height_in: float) -> dict[str, Any]:
    return {"inputs": inputs, "dpmm": _dpmm(dpi), "width_in": width_in, "height_in": height_in}


def render_many(
    zpls: Sequence[bytes], dpi: int = 203, *, width_in: float = _WIDTH_IN, height_in: float = _HEIGHT_IN
) -> list[list[Image.Image]]:
    """Each ZPL file's labels (one image per ^XA…^XZ that draws anything), all in one node process."""
    inputs = [{"zpl_base64": base64.b64encode(zpl).decode()} for zpl in zpls]
    rendered: list[list[Image.Image]] = []
    for result in _ask(_request(inputs, dpi, width_in, height_in)):
        if "error" in result:
            raise ZebrashError(f"zebrash could not render the label: {result['error']}")
        rendered.append([Image.open(io.BytesIO(base64.b64decode(png))).convert("L") for png in result["png"]])
    return rendered


def render(
    zpl: bytes, dpi: int = 203, *, width_in: float = _WIDTH_IN, height_in: float = _HEIGHT_IN
) -> list[Image.Image]:
    """The labels of one ZPL file as zebrash draws them at `dpi` (203 or 300), on a `width_in` x `height_in` canvas."""
    return render_many([zpl], dpi, width_in=width_in, height_in=height_in)[0]


def timings(paths: Sequence[Path], dpi: int = 203, repeat: int = 5) -> dict[str, float]:
    """Warm milliseconds per label for each file (keyed by its path as given): the median of `repeat` renders
    of the whole file, after one unmeasured render, divided by the labels it holds."""
    inputs = [{"path": str(Path(p).resolve())} for p in paths]
    results = _ask(_request(inputs, dpi, _WIDTH_IN, _HEIGHT_IN), "--repeat", str(repeat))
    ms: dict[str, float] = {}
    for path, result in zip(paths, results, strict=True):
        if "error" in result:
            raise ZebrashError(f"zebrash could not render {path}: {result['error']}")
        ms[str(path)] = statistics.median(result["ms"]) / max(1, result["labels"])
    return ms
