"""Printers for tests: a virtual Zebra on 127.0.0.1 and a stand-in ``lp`` for CUPS on PATH.

:class:`VirtualZebra` takes raw jobs on a TCP port as a Zebra's 9100 does, answers ``~HI`` and ``~HS`` in
Zebra's framing (``STX … ETX CR LF``; ``~HI`` gives the model, firmware and dots per millimetre, ``~HS``
the paper-out, pause and head-open flags) and keeps every job it received, so a test can draw what the
printer got with onboard's ZPL interpreter and scan it. ``silent`` plays a print server that takes jobs
and answers nothing; ``answer`` replaces its answers (something that is no printer). :class:`BlackHole`
takes connections and never reads from them: a printer that has stopped taking data.
"""

from __future__ import annotations

import os
import select
import socket
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_DOTS_PER_MM = {152: "6", 203: "8", 300: "12", 600: "24"}


class VirtualZebra:
    def __init__(
        self,
        dpi: int = 203,
        *,
        paper_out: bool = False,
        paused: bool = False,
        head_open: bool = False,
        silent: bool = False,
        answer: bytes | None = None,
    ) -> None:
        self.dpi, self.silent, self.answer = dpi, silent, answer
        self.paper_out, self.paused, self.head_open = paper_out, paused, head_open
        self.model = f"ZD421-{dpi}dpi"
        self._jobs: list[bytes] = []
        self._handlers: list[threading.Thread] = []
        self.queries: list[str] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port: int = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def jobs(self) -> list[bytes]:
        """Each connection's bytes, the ~HI/~HS queries taken out; empty ones (a status query) left out.

        The sender may have hung up before this printer read to the end: the connections still being read
        are waited for first, or a test that looks at once would see a job not yet kept.
        """
        # settled: no connection waiting to be accepted and none being read, seen twice 50 ms apart (the
        # serve loop takes a moment between accepting a connection and starting its reader)
        quiet, deadline = 0, time.monotonic() + 5
        while quiet < 2 and time.monotonic() < deadline:
            waiting = bool(select.select([self._server], [], [], 0)[0]) if self._server.fileno() >= 0 else False
            reading = [handler for handler in list(self._handlers) if handler.is_alive()]
            for handler in reading:
                handler.join(timeout=5)
            quiet = 0 if waiting or reading else quiet + 1
            time.sleep(0.05)
        return self._jobs

    @property
    def received(self) -> bytes:
        return b"".join(self.jobs)

    def _frames(self, command: str) -> bytes:
        if self.answer is not None:
            return self.answer
        if command == "~HI":
            return f"\x02{self.model},V84.20.18Z,{_DOTS_PER_MM[self.dpi]},8176KB\x03\r\n".encode()
        first = f"030,{int(self.paper_out)},{int(self.paused)},1218,000,0,0,0,000,0,0,0"
        second = f"001,0,{int(self.head_open)},0,0,2,6,0,00000000,1,000"
        return f"\x02{first}\x03\r\n\x02{second}\x03\r\n\x021234,0\x03\r\n".encode()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            handler = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            handler.start()
            self._handlers.append(handler)

    def _handle(self, conn: socket.socket) -> None:
        job = b""
        conn.settimeout(5)
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                job += chunk
                for command in ("~HI", "~HS"):
                    while command.encode() in job:
                        before, _, after = job.partition(command.encode())
                        job = before + after.removeprefix(b"\r\n")
                        self.queries.append(command)
                        if not self.silent:
                            conn.sendall(self._frames(command))
        if job.strip():
            self._jobs.append(job)

    def __enter__(self) -> VirtualZebra:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.close()
        self._thread.join(timeout=2)


class BlackHole:
    """A port that accepts every connection and then neither reads, answers nor closes, until the test ends.

    Its receive buffer is kept small, so a job larger than the sender's own buffer (a few MB on Linux) stalls
    in ``send``: what a printer does whose buffer is full and that stopped taking data (a jam, a paused
    print server), the one case where only the send deadline ends the print.
    """

    RECEIVE_BUFFER = 4096

    def __init__(self) -> None:
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # set before listen: connections inherit it, and the window they offer is negotiated at the handshake
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.RECEIVE_BUFFER)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen()
        self._server.settimeout(0.2)
        self.port: int = self._server.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(conn)

    def __enter__(self) -> BlackHole:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._server.close()
        for conn in self.connections:
            conn.close()


def closed_port() -> int:
    """A loopback port nothing listens on: a printer that is off."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


_LP = """#!{python}
import os, shutil, sys
out = {out!r}
args = sys.argv[1:]
n = len([f for f in os.listdir(out) if f.startswith("args-")]) + 1
with open(os.path.join(out, f"args-{{n}}"), "w") as f:
    f.write("\\n".join(args))
shutil.copy(args[-1], os.path.join(out, f"file-{{n}}"))
if {fail!r}:
    print({fail!r}, file=sys.stderr)
    sys.exit(1)
print(f"request id is {{args[args.index('-d') + 1]}}-{{n}} (1 file(s))")
"""


@contextmanager
def stand_in_lp(tmp_path: Path, fail: str = "") -> Iterator[tuple[dict[str, str], Path]]:
    """An environment whose PATH finds a stand-in ``lp`` first, and the folder where it keeps each job's
    arguments (``args-N``) and file (``file-N``)."""
    import sys  # noqa: PLC0415

    bin_dir, out = tmp_path / "lp-bin", tmp_path / "lp-jobs"
    bin_dir.mkdir()
    out.mkdir()
    lp = bin_dir / "lp"
    lp.write_text(_LP.format(python=sys.executable, out=str(out), fail=fail))
    lp.chmod(lp.stat().st_mode | stat.S_IXUSR)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    yield env, out
