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
#: wall seconds a new worker has to say it is ready (Python, PDFium, Pillow and pypdf imported)
START_SECONDS = 30.0
#: the most an answer may hold: its header, and one page's pixels (4.3 million at most, three bytes each)
MAX_HEADER = 1 << 20
MAX_PAGE_BYTES = 64 << 20
_HEADER = struct.Struct(">I")
_READY = b'{"ready": 1}'
#: all of the environment the worker gets: no credential, no proxy, no URL with a password in it
_KEPT_VARIABLES = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "SYSTEMROOT")


@dataclass(slots=True)
class _Slot:
    process: subprocess.Popen[bytes] | None = None
    #: the pid that started it: a forked child starts its own
    owner: int = 0
    #: it said it is ready (its imports are done)
    ready: bool = False
    #: a worker could not start here (no interpreter to run, an import that fails): draw in this process
    unusable: bool = False


_lock = threading.Lock()
_slot = _Slot()


class _Ended(Exception):
    """The worker ended (or stopped answering) while it had this file."""

    def __init__(self, *, timed_out: bool = False) -> None:
        super().__init__()
        self.timed_out = timed_out


def warm() -> None:
    """Start the worker now, without waiting for it: its start then overlaps what comes before the first PDF."""
    with _lock:
        if not _slot.unusable:
            _running()


def worker_pid() -> int | None:
    """The running worker's process id (``None``: none running), for those who check what it may do."""
    with _lock:
        process = _slot.process
        return process.pid if process is not None and process.poll() is None else None


def draw_pdf(data: bytes, dpi: int, *, limit: int, grayscale: bool, upright: bool, measure: bool) -> Drawn:
    """``pdf_draw.draw`` in the worker; a file that ends the worker is refused in one line."""
    request = {"dpi": dpi, "limit": limit, "grayscale": grayscale, "upright": upright, "measure": measure}
    with _lock:
        process: subprocess.Popen[bytes] | None = None
        for attempt in (1, 2):
            candidate = _ready()
            if candidate is None:
                return draw(data, dpi, limit=limit, grayscale=grayscale, upright=upright, measure=measure)
            try:
                _send(candidate, request, data)
            except _Ended as ended:
                if attempt == 2 or ended.timed_out:
                    return Drawn(refused=_why_ended(candidate, ended))
                _stop()  # it ended while idle (killed from outside): a new one for this file
                continue
            process = candidate
            break
        assert process is not None
        try:
            return _receive(process, limit)
        except _Ended as ended:
            return Drawn(refused=_why_ended(process, ended))
        except (ValueError, KeyError, TypeError, OSError, struct.error):
            # an answer out of step with the protocol: that worker is not asked anything again
            _stop()
            return Drawn(refused="PDFium's worker gave an answer onboard cannot read: not drawn")


def _ready() -> subprocess.Popen[bytes] | None:
    """The worker, started and ready; ``None`` where none can run (then the file is drawn in this process)."""
    if _slot.unusable:
        return None
    process = _running()
    if process is None or _slot.ready:
        return process
    try:
        said = _read(process, _HEADER.unpack(_read(process, _HEADER.size, START_SECONDS))[0], START_SECONDS)
    except (_Ended, struct.error):
        said = b""
    if said != _READY:
        # it died or hung before its first request: this machine cannot run one, and no file is to blame
        _stop()
        _slot.unusable = True
        return None
    _slot.ready = True
    return process


def _running() -> subprocess.Popen[bytes] | None:
    """The worker, started if need be (not waited for); ``None`` where none can be started."""
    if _slot.process is not None and _slot.owner == os.getpid() and _slot.process.poll() is None:
        return _slot.process
    if _slot.owner == os.getpid():
        _stop()
    environment = {name: value for name, value in os.environ.items() if name in _KEPT_VARIABLES}
    environment |= {name: value for name, value in os.environ.items() if name.startswith("LC_")}
    try:
        process = subprocess.Popen(
            # isolated (-I): neither the current directory nor PYTHON* variables decide what it imports
            [sys.executable, "-I", "-m", "onboard.labels.pdf_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=environment,
            cwd="/",
            close_fds=True,
        )
    except OSError:
        _slot.process, _slot.unusable = None, True
        return None
    assert process.stdin is not None
    os.set_blocking(process.stdin.fileno(), False)  # a worker that stops reading cannot hold a write forever
    _slot.process, _slot.owner, _slot.ready = process, os.getpid(), False
    return process


def _stop() -> None:
    process, _slot.process, _slot.ready = _slot.process, None, False
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
    # the worker ends on its own when its input closes; this only makes it prompt. Not behind the lock: a
    # thread left drawing must not keep the process from ending
    if _slot.owner == os.getpid():
        _stop()


def _send(process: subprocess.Popen[bytes], request: dict[str, Any], data: bytes) -> None:
    assert process.stdin is not None
    header = json.dumps({**request, "size": len(data)}).encode()
    message = memoryview(_HEADER.pack(len(header)) + header + data)
    descriptor = process.stdin.fileno()
    deadline = time.monotonic() + WALL_SECONDS
    while message:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([], [descriptor], [], wait)[1]:
            _stop()
            raise _Ended(timed_out=True)
        try:
            message = message[os.write(descriptor, message) :]
        except BlockingIOError:
            continue
        except OSError:  # BrokenPipeError: it is gone
            raise _Ended from None


def _receive(process: subprocess.Popen[bytes], limit: int) -> Drawn:
    size = _HEADER.unpack(_read(process, _HEADER.size, WALL_SECONDS))[0]
    if size > MAX_HEADER:
        raise ValueError(f"an answer's header of {size} bytes")
    header = json.loads(_read(process, size, WALL_SECONDS))
    from PIL import Image  # noqa: PLC0415

    if len(header["images"]) > limit:
        raise ValueError("more pages than asked for")
    images = []
    for page in header["images"]:
        if not 0 <= page["bytes"] <= MAX_PAGE_BYTES:
            raise ValueError(f"a page of {page['bytes']} bytes")
        pixels = _read(process, page["bytes"], WALL_SECONDS)
        images.append(Image.frombytes(page["mode"], (page["width"], page["height"]), pixels))
    return Drawn(
        count=int(header["count"]),
        sizes=[(float(width), float(height)) for width, height in header["sizes"]],
        images=images,
        damaged=_text_or_none(header["damaged"]),
        refused=_text_or_none(header["refused"]),
    )


def _text_or_none(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError("not a line of text")


def _read(process: subprocess.Popen[bytes], size: int, seconds: float) -> bytes:
    assert process.stdout is not None
    descriptor = process.stdout.fileno()
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    left = size
    while left:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([descriptor], [], [], wait)[0]:
            _stop()
            raise _Ended(timed_out=True)
        chunk = os.read(descriptor, min(left, 1 << 20))
        if not chunk:
            raise _Ended
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _why_ended(process: subprocess.Popen[bytes], ended: _Ended) -> str:
    if ended.timed_out:
        _stop()
        return f"PDFium gave no answer on this file within {WALL_SECONDS:g} s: not drawn"
    code: int | None = None
    with contextlib.suppress(subprocess.TimeoutExpired):
        code = process.wait(timeout=5)
    _stop()
    if code == -signal.SIGXCPU:
        return (
            f"the file draws too much to be a label (PDFium was still drawing it after {CPU_SECONDS:g} s of "
            "CPU time, inside one object): not drawn"
        )
    how = "no exit code" if code is None else f"signal {-code}" if code < 0 else f"exit {code}"
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
    answers.write(_HEADER.pack(len(_READY)) + _READY)
    answers.flush()
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
