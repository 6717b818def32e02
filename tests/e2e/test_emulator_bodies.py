"""The emulator as a hostile client finds it (``onboard sandbox serve`` as its own process): a body over
its limit is refused before it is read, whether declared or chunked, so a gigabyte sent to the token
endpoint (which needs no credentials) costs it nothing; a client that hangs up mid-body is one line in
its log."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from onboard.bench.processes import free_port
from onboard.emulator.bodies import MAX_BODY
from tests.figures import Figure

GB = 1 << 30
#: the emulator's peak memory may grow by this much under a gigabyte sent at it (it was 2 GB)
PEAK_BOUND_MB = 150


@dataclass
class Sandbox:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def peak_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        (line,) = [line for line in status.splitlines() if line.startswith("VmHWM:")]
        return int(line.split()[1]) / 1024

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    port, log = free_port(), tmp_path_factory.mktemp("sandbox") / "stderr.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "onboard", "sandbox", "serve", "--port", str(port), "-q"],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/_emulator/state", timeout=1)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline and process.poll() is None, "the sandbox did not start"
            time.sleep(0.05)
    yield Sandbox(process, port, log)
    process.kill()
    process.wait(timeout=10)


def send(sandbox: Sandbox, head: bytes, body: Iterator[bytes]) -> tuple[bytes, int]:
    """Send ``head`` then ``body`` until the server answers; its answer, and how many body bytes went."""
    sent = 0
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        pending = b""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock], [], 1)
            if readable:
                break
            if writable:
                pending = pending or next(body, b"")
                if not pending:
                    continue  # all sent: wait for the answer
                try:
                    count = sock.send(pending)
                except OSError:
                    break  # the server closed on us: its answer, if any, is there to read
                sent, pending = sent + count, pending[count:]
        sock.setblocking(True)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass  # a reset after the answer
    return answer, sent


def chunks(total: int, framed: bool) -> Iterator[bytes]:
    piece = b"a" * 65536
    for _ in range(total // len(piece)):
        yield b"%x\r\n%s\r\n" % (len(piece), piece) if framed else piece
    if framed:
        yield b"0\r\n\r\n"


def head(path: str, *headers: str) -> bytes:
    return ("\r\n".join([f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *headers]) + "\r\n\r\n").encode()


def status_and_body(answer: bytes) -> tuple[str, dict[str, object]]:
    top, _, body = answer.partition(b"\r\n\r\n")
    return top.split(b"\r\n")[0].decode(), json.loads(body)


def test_a_gigabyte_declared_is_refused_before_a_byte_of_it_is_read(sandbox: Sandbox) -> None:
    form = "Content-Type: application/x-www-form-urlencoded"
    started = time.perf_counter()
    answer, _ = send(sandbox, head("/auth/o2/token", form, f"Content-Length: {GB}"), iter(()))
    assert time.perf_counter() - started < 5
    status, body = status_and_body(answer)
    assert (status, body["error"]) == ("HTTP/1.1 413 Request Entity Too Large", "invalid_request")
    assert b"connection: close" in answer.lower()

    # a Shipping path says it in Amazon's own error shape, before it even asks for a token
    answer, _ = send(sandbox, head("/shipping/v2/shipments/rates", f"Content-Length: {MAX_BODY + 1}"), iter(()))
    status, body = status_and_body(answer)
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert body == {
        "errors": [
            {
                "code": "InvalidRequest",
                "message": "The request payload size is greater than maximum accepted size.",
            }
        ]
    }
    assert b"x-amzn-requestid:" in answer.lower()


def test_a_gigabyte_chunked_is_refused_once_past_the_limit_and_costs_no_memory(
    sandbox: Sandbox, figure: Figure
) -> None:
    form = "Content-Type: application/x-www-form-urlencoded"
    answer, sent = send(sandbox, head("/auth/o2/token", form, "Transfer-Encoding: chunked"), chunks(GB, framed=True))
    status, body = status_and_body(answer)
    assert (status, body["error"]) == ("HTTP/1.1 413 Request Entity Too Large", "invalid_request")
    assert sent < 64 << 20, f"{sent >> 20} MB sent before the answer"  # the limit and the sockets' buffers
    peak = sandbox.peak_mb()
    assert peak < PEAK_BOUND_MB, f"{peak:.0f} MB"
    assert any("refused: its body passed" in line for line in sandbox.lines())
    # the emulator goes on serving
    assert httpx.get(f"http://127.0.0.1:{sandbox.port}/_emulator/state", timeout=5).status_code == 200
    figure(f"1 GB chunked to the token endpoint: refused after {sent / 1e6:.1f} MB sent; emulator peak {peak:.0f} MB")


def test_a_client_that_hangs_up_mid_body_is_one_line_in_the_log(sandbox: Sandbox) -> None:
    before = len(sandbox.lines())
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as sock:
        sock.sendall(head("/auth/o2/token", "Content-Type: application/x-www-form-urlencoded", "Content-Length: 1000"))
        sock.sendall(b"grant_type=refresh_token&refresh_token=Atzr%7C")
        time.sleep(0.3)  # the body is being read when the client goes
    deadline = time.monotonic() + 10
    while len(sandbox.lines()) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    new = sandbox.lines()[before:]
    assert len(new) == 1, new
    assert "POST /auth/o2/token: the client hung up before its body was whole (46 bytes of 1000)" in new[0]
    assert "Traceback" not in sandbox.log.read_text()
    assert httpx.get(f"http://127.0.0.1:{sandbox.port}/_emulator/state", timeout=5).status_code == 200
