"""PDF labels drawn in a worker process that the kernel stops at its CPU budget.

PDFium can pause between a page's objects but not inside one: a form holding ten thousand page-wide strokes
is one object, and drawing it takes as long as it takes (45 s). In a thread nothing can stop it; a process
can be. So every PDF is drawn by one worker per onboard process, started once and kept warm (its start,
Python with PDFium and Pillow, costs about a fifth of a second; a label afterwards costs what drawing it
costs, plus copying its pixels over a pipe). Before each file the worker sets its own ``RLIMIT_CPU`` to the
CPU time it has used plus the file's budget: the kernel ends it once the file has had that, however busy the
machine is (CPU time, not wall time, as on CI with four suites sharing two cores). Its memory is capped
too, it never sees the credentials in the environment, and it has no core to dump. A file that ends the
worker is one failed check; the next file starts a new one.

The protocol is a length and a JSON header each way, then raw bytes (the file; the pages' pixels). Nothing
is unpickled from the worker: a PDF that took PDFium over could only send pixels.

Run as ``python -m onboard.labels.pdf_worker``; where no worker can be started, the file is drawn in this
process as before (the progressive deadline still bounds everything but painting inside one form).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import math
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import IO, Any

from onboard.labels.pdf_draw import DRAW_SECONDS, Drawn, draw

__all__ = ["CPU_SECONDS", "draw_pdf", "main", "warm", "worker_pid"]

#: CPU seconds a file may cost the worker in all (reading its pages' budget, drawing them): past this the
#: kernel ends the worker. Above ``DRAW_SECONDS``, so a file of merely many objects hears which page it is.
CPU_SECONDS = DRAW_SECONDS + 1.0
#: the worker's address space: a label page at 300 dpi is 6.5 MB of pixels, ten of them 65 MB
MEMORY_BYTES = 1 << 30
#: wall seconds before a worker that neither answers nor uses its CPU (a stopped or starved process) is
#: given up on: far past what any CPU budget takes on a loaded machine
WALL_SECONDS = 60.0
_HEADER = struct.Struct(">I")
#: the environment the worker never gets: what onboard reads as credentials
_SECRET_VARIABLES = ("LWA_CLIENT_ID", "LWA_CLIENT_SECRET", "LWA_REFRESH_TOKEN", "LWA_NEW_CLIENT_SECRET")


@dataclass(slots=True)
class _Slot:
    process: subprocess.Popen[bytes] | None = None
    #: the pid that started it: a forked child starts its own
    owner: int = 0


_lock = threading.Lock()
_slot = _Slot()


class _Ended(Exception):
    """The worker ended (or stopped answering) while it had this file."""


def warm() -> None:
    """Start the worker now, without waiting for it: its start then overlaps what comes before the first PDF."""
    with _lock:
        _running()


def worker_pid() -> int | None:
    """The running worker's process id (``None``: none running), for those who check what it may do."""
    with _lock:
        process = _slot.process
        return process.pid if process is not None and process.poll() is None else None


def draw_pdf(data: bytes, dpi: int, *, limit: int, grayscale: bool, upright: bool, measure: bool) -> Drawn:
    """``pdf_draw.draw`` in the worker; a file that ends the worker is refused in one line."""
    with _lock:
        process = _running()
        if process is None:
            return draw(data, dpi, limit=limit, grayscale=grayscale, upright=upright, measure=measure)
        request = {"dpi": dpi, "limit": limit, "grayscale": grayscale, "upright": upright, "measure": measure}
        try:
            _send(process, request, data)
        except OSError:
            # it ended while idle (killed from outside): one new worker for this file, as for the first one
            _stop()
            process = _running()
            if process is None:
                return draw(data, dpi, limit=limit, grayscale=grayscale, upright=upright, measure=measure)
            try:
                _send(process, request, data)
            except OSError:
                _stop()
                return Drawn(refused="PDFium's worker could not be started again: not drawn")
        try:
            return _receive(process)
        except _Ended:
            return Drawn(refused=_why_ended(process))


def _running() -> subprocess.Popen[bytes] | None:
    """The worker, started if need be; ``None`` where none can be (drawn in this process then)."""
    if _slot.process is not None and _slot.owner == os.getpid() and _slot.process.poll() is None:
        return _slot.process
    if _slot.owner == os.getpid():
        _stop()
    environment = {name: value for name, value in os.environ.items() if name not in _SECRET_VARIABLES}
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "onboard.labels.pdf_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=environment,
            close_fds=True,
        )
    except OSError:
        _slot.process = None
        return None
    _slot.process, _slot.owner = process, os.getpid()
    return process


def _stop() -> None:
    process, _slot.process = _slot.process, None
    if process is None:
        return
    with contextlib.suppress(OSError):
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    for pipe in (process.stdin, process.stdout):
        with contextlib.suppress(OSError):
            if pipe is not None:
                pipe.close()


@atexit.register
def _at_exit() -> None:
    # the worker ends on its own when its input closes; this only makes it prompt
    if _slot.owner == os.getpid():
        with _lock:
            _stop()


def _send(process: subprocess.Popen[bytes], request: dict[str, Any], data: bytes) -> None:
    assert process.stdin is not None
    header = json.dumps({**request, "size": len(data)}).encode()
    process.stdin.write(_HEADER.pack(len(header)) + header + data)
    process.stdin.flush()


def _receive(process: subprocess.Popen[bytes]) -> Drawn:
    assert process.stdout is not None
    deadline = time.monotonic() + WALL_SECONDS
    size = _HEADER.unpack(_read(process, _HEADER.size, deadline))[0]
    header = json.loads(_read(process, size, deadline))
    from PIL import Image  # noqa: PLC0415

    images = []
    for page in header["images"]:
        pixels = _read(process, page["bytes"], deadline)
        images.append(Image.frombytes(page["mode"], (page["width"], page["height"]), pixels))
    return Drawn(
        count=header["count"],
        sizes=[(width, height) for width, height in header["sizes"]],
        images=images,
        damaged=header["damaged"],
        refused=header["refused"],
    )


def _read(process: subprocess.Popen[bytes], size: int, deadline: float) -> bytes:
    assert process.stdout is not None
    descriptor = process.stdout.fileno()
    chunks: list[bytes] = []
    left = size
    while left:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([descriptor], [], [], wait)[0]:
            _stop()
            raise _Ended
        chunk = os.read(descriptor, min(left, 1 << 20))
        if not chunk:
            raise _Ended
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _why_ended(process: subprocess.Popen[bytes]) -> str:
    code: int | None = None
    with contextlib.suppress(subprocess.TimeoutExpired):
        code = process.wait(timeout=5)
    _stop()
    if code == -signal.SIGXCPU:
        return (
            f"the file draws too much to be a label (PDFium was still drawing it after {CPU_SECONDS:g} s of "
            "CPU time, inside one object): not drawn"
        )
    if code is None:
        return f"PDFium gave no answer on this file within {WALL_SECONDS:g} s: not drawn"
    how = f"signal {-code}" if code < 0 else f"exit {code}"
    return f"PDFium could not draw this file (its worker ended: {how}, out of memory or a crash): not drawn"


# --- the worker's side -----------------------------------------------------------------------------------


def _limit(resource_name: str, value: int) -> None:
    import resource  # noqa: PLC0415 - POSIX only, and only the worker sets its limits

    which = getattr(resource, resource_name)
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(which, (value, hard))


def _cpu_used() -> float:
    import resource  # noqa: PLC0415

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


def main() -> int:
    """The worker: requests on stdin, answers on stdout, until stdin closes."""
    _limit("RLIMIT_CORE", 0)
    _limit("RLIMIT_AS", MEMORY_BYTES)
    # what every file needs, loaded before the first one arrives
    import pypdfium2  # type: ignore[import-untyped]  # noqa: F401, PLC0415
    from PIL import Image  # noqa: F401, PLC0415

    import onboard.labels.pdf_budget  # noqa: F401, PLC0415

    # the answers go to a descriptor of their own: whatever a library prints lands on stderr, not in them
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    requests = sys.stdin.buffer
    while True:
        framed = _read_exactly(requests, _HEADER.size)
        if framed is None:
            return 0
        header = _read_exactly(requests, _HEADER.unpack(framed)[0])
        request = json.loads(header) if header is not None else None
        data = _read_exactly(requests, request["size"]) if request is not None else None
        if request is None or data is None:
            return 0
        _limit("RLIMIT_CPU", math.ceil(_cpu_used() + CPU_SECONDS))
        drawn = draw(
            data,
            request["dpi"],
            limit=request["limit"],
            grayscale=request["grayscale"],
            upright=request["upright"],
            measure=request["measure"],
        )
        pixels = [image.tobytes() for image in drawn.images]
        answer = json.dumps(
            {
                "count": drawn.count,
                "sizes": drawn.sizes,
                "damaged": drawn.damaged,
                "refused": drawn.refused,
                "images": [
                    {"mode": image.mode, "width": image.width, "height": image.height, "bytes": len(body)}
                    for image, body in zip(drawn.images, pixels, strict=True)
                ],
            }
        ).encode()
        answers.write(_HEADER.pack(len(answer)) + answer)
        for body in pixels:
            answers.write(body)
        answers.flush()


if __name__ == "__main__":
    raise SystemExit(main())
