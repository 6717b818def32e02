"""A network label printer's raw port (TCP 9100), as Zebra printers and print servers take jobs on it.

:func:`ask` sends ``~HI`` (host identification: model, firmware, dots per millimetre) and ``~HS`` (host
status: paper out, paused, head open) and reads the framed answers (``STX … ETX CR LF``) within a
deadline. A printer that answers nothing (many print servers only take jobs) is asked nothing more: its
dpi is then unknown. Something that answers in another shape (a web server, an SSH daemon) is not a
label printer. :func:`send` writes a job within a connect and a send deadline and closes the connection.
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass

from onboard.display import shown
from onboard.errors import UsageError
from onboard.printing import PrinterError

__all__ = ["CONNECT_SECONDS", "DEFAULT_PORT", "PrinterInfo", "Target", "ask", "parse_target", "send"]

DEFAULT_PORT = 9100
#: a printer on the local network answers a connection in milliseconds; seconds mean it is off or elsewhere
CONNECT_SECONDS = 3.0
#: a label job is kilobytes: a printer that has not taken it in this long has stopped taking it
SEND_SECONDS = 15.0
#: how long ~HI and ~HS may take to be answered, all of it
ASK_SECONDS = 2.0
#: ~HI is one frame, ~HS three
_FRAMES = 4
_MAX_ANSWER = 4096
#: dots per millimetre, as ~HI says them, to dots per inch
_DPI = {"6": 152, "8": 203, "12": 300, "24": 600}
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")


@dataclass(frozen=True, slots=True)
class Target:
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class PrinterInfo:
    """What the printer said of itself; everything None when it answered nothing."""

    model: str | None = None
    firmware: str | None = None
    dpi: int | None = None
    #: why it cannot print now ("paper out", "paused", "head open"), from ~HS
    problems: tuple[str, ...] = ()

    @property
    def answered(self) -> bool:
        return self.model is not None


def parse_target(text: str) -> Target:
    """``HOST[:PORT]`` (``[v6]:PORT`` for an IPv6 address); UsageError when it is not."""
    value = text.strip()
    host, port_text = value, ""
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        if rest and not rest.startswith(":"):
            host = ""
        port_text = rest[1:]
    elif value.count(":") == 1:
        host, _, port_text = value.partition(":")
    ipv6 = ":" in host
    if not host or (not ipv6 and not _HOST.match(host)) or (ipv6 and not re.fullmatch(r"[0-9A-Fa-f:.]+", host)):
        raise UsageError(f"--printer '{shown(text, 80)}' is not HOST[:PORT]", "e.g. --printer 192.168.1.50:9100")
    if not port_text:
        return Target(host, DEFAULT_PORT)
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise UsageError(
            f"--printer '{shown(text, 80)}': the port must be 1 to 65535", "a Zebra takes raw jobs on 9100"
        )
    return Target(host, int(port_text))


def _connect(target: Target, connect_seconds: float) -> socket.socket:
    try:
        return socket.create_connection((target.host, target.port), timeout=connect_seconds)
    except socket.gaierror:
        raise PrinterError(
            f"no printer called {target.host}: the name does not resolve", "give the printer's IP address"
        ) from None
    except ConnectionRefusedError:
        raise PrinterError(
            f"the printer at {target} refused the connection: nothing takes print jobs on port {target.port}",
            "check the address; a Zebra printer takes raw jobs on port 9100 (--printer HOST:9100)",
        ) from None
    except TimeoutError:
        raise PrinterError(
            f"no answer from a printer at {target} within {connect_seconds:g} s",
            "the printer is off, asleep or on another network: switch it on and check its address",
        ) from None
    except OSError as exc:
        raise PrinterError(
            f"cannot reach the printer at {target}: {exc.strerror or exc}",
            "check that the printer is on and on this network",
        ) from None


def ask(target: Target, *, connect_seconds: float = CONNECT_SECONDS, ask_seconds: float = ASK_SECONDS) -> PrinterInfo:
    """The printer's ``~HI`` and ``~HS`` answers; an empty :class:`PrinterInfo` when it answers nothing."""
    deadline = time.monotonic() + ask_seconds
    answer = b""
    with _connect(target, connect_seconds) as sock:
        try:
            sock.settimeout(max(deadline - time.monotonic(), 0.05))
            sock.sendall(b"~HI\r\n~HS\r\n")
            while answer.count(b"\x03") < _FRAMES and len(answer) < _MAX_ANSWER:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                sock.settimeout(left)
                chunk = sock.recv(1024)
                if not chunk:
                    break
                answer += chunk
        except TimeoutError:
            pass
        except OSError as exc:
            raise PrinterError(
                f"the printer at {target} dropped the connection when asked its status ({exc.strerror or exc})",
                "check the printer's display; switch it off and on",
            ) from None
    return parse_answer(answer, target)


def parse_answer(answer: bytes, target: Target) -> PrinterInfo:
    """``~HI`` and ``~HS`` answers read; PrinterError when something answered that is no label printer."""
    if not answer.strip():
        return PrinterInfo()
    frames = re.findall(rb"\x02([^\x02\x03]*)\x03", answer)
    if not answer.lstrip().startswith(b"\x02") or not frames:
        raise PrinterError(
            f"{target} is not a label printer: asked its status (~HI), it answered "
            f"'{shown(answer[:60].decode('latin-1'), 70)}'",
            "give the address of the printer itself (its raw port, 9100), not of another server",
        )
    hi = frames[0].decode("latin-1").split(",")
    model = hi[0].strip() or "a Zebra printer"
    firmware = hi[1].strip() if len(hi) > 1 else None
    dpi = _DPI.get(hi[2].strip()) if len(hi) > 2 else None
    return PrinterInfo(model, firmware, dpi, _problems(frames[1:]))


def _problems(status: list[bytes]) -> tuple[str, ...]:
    problems: list[str] = []
    if status:
        first = status[0].decode("latin-1").split(",")
        if len(first) > 2:
            if first[1].strip() == "1":
                problems.append("paper out")
            if first[2].strip() == "1":
                problems.append("paused")
    if len(status) > 1:
        second = status[1].decode("latin-1").split(",")
        if len(second) > 2 and second[2].strip() == "1":
            problems.append("head open")
        if len(second) > 4 and second[3].strip() == "1" and second[4].strip() == "1":
            problems.append("ribbon out")
    return tuple(problems)


def send(
    target: Target, job: bytes, *, connect_seconds: float = CONNECT_SECONDS, send_seconds: float = SEND_SECONDS
) -> None:
    """Write ``job`` whole to the printer within ``send_seconds``, then close; PrinterError otherwise."""
    with _connect(target, connect_seconds) as sock:
        deadline = time.monotonic() + send_seconds
        sent = 0
        view = memoryview(job)
        try:
            while sent < len(job):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                sock.settimeout(left)
                sent += sock.send(view[sent : sent + 65536])
            sock.shutdown(socket.SHUT_WR)
        except TimeoutError:
            raise PrinterError(
                f"the printer at {target} stopped taking the job: {sent} of {len(job)} bytes in {send_seconds:g} s",
                "check the printer's display (paper, ribbon, an error light), then print again",
            ) from None
        except OSError as exc:
            raise PrinterError(
                f"the printer at {target} closed the connection after {sent} of {len(job)} bytes "
                f"({exc.strerror or exc})",
                "check the printer's display, then print again",
            ) from None
