"""A server that misbehaves at the HTTP level (drips its answer a byte at a time, or answers far more than
any label, or anything else a socket can say) costs the client a bounded time and memory, and the
operator one clear line."""

from __future__ import annotations

import asyncio
import json
import random
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from onboard.credentials.model import Credentials
from onboard.spapi.client import ShippingClient
from onboard.spapi.endpoints import Endpoints
from onboard.spapi.errors import ConnectionFailure, SpApiError
from onboard.spapi.limits import ResponseTooLarge
from onboard.spapi.retry import RetryPolicy

TOKEN = b'{"access_token": "Atza|limits", "token_type": "bearer", "expires_in": 3600}'
CREDENTIALS = Credentials("amzn1.application-oa2-client.limits", SecretStr("s"), SecretStr("Atzr|r"), "demo")
TWICE = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.01, rng=random.Random(1))


class Misbehaving(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    mode = "drip"
    seen: list[bytes]


class Handler(socketserver.StreamRequestHandler):
    server: Misbehaving

    def handle(self) -> None:
        request_line = self.rfile.readline()
        self.server.seen.append(request_line)
        length = 0
        while (line := self.rfile.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        self.rfile.read(length)
        if b"/auth/o2/token" in request_line and self.server.mode != "drip-token":
            # one request per connection here: say so, or the client may send its next call down a
            # connection this server has already closed (and retry it, which is not what is tested)
            self.wfile.write(
                b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(TOKEN), TOKEN)
            )
            return
        try:
            if self.server.mode in ("drip", "drip-token"):
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
                for _ in range(1000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.05)  # every read arrives well inside httpx's per-read timeout
            elif self.server.mode == "huge-declared":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2000000000\r\n\r\n{")
            else:  # huge-chunked: no length announced, just more and more
                self.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                chunk = b"x" * 65536
                for _ in range(2000):  # 128 MB if nobody stops reading
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should


S = TypeVar("S", bound=socketserver.TCPServer)


@contextmanager
def serving(server: S) -> Iterator[S]:
    # a short poll: shutting down waits for it, and the property below shuts a server down per example
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def misbehaving() -> Iterator[Misbehaving]:
    server = Misbehaving(("127.0.0.1", 0), Handler)
    server.seen = []
    with serving(server):
        yield server


def client_for(server: socketserver.TCPServer) -> ShippingClient:
    host, port = server.server_address[:2]
    url = f"http://{host!s}:{port}"
    endpoints = Endpoints(f"{url}/auth/o2/token", url, "sandbox", "na", custom=True)
    return ShippingClient(
        endpoints, CREDENTIALS, "AmazonShipping_US", policy=TWICE, attempt_seconds=0.5, max_response_bytes=1 << 20
    )


def track(server: Misbehaving) -> tuple[SpApiError, float, int]:
    async def call() -> tuple[SpApiError, float, int]:
        started = time.perf_counter()
        async with client_for(server) as client:
            with pytest.raises(SpApiError) as caught:
                await client.get_tracking("TBA000000000001", "AMZN_US")
            return caught.value, time.perf_counter() - started, len(client.calls)

    return asyncio.run(call())


def test_an_answer_dripped_a_byte_at_a_time_is_given_up_within_the_deadline(misbehaving: Misbehaving) -> None:
    error, seconds, attempts = track(misbehaving)
    assert isinstance(error, ConnectionFailure) and error.kind == "timeout"
    assert "no answer from 127.0.0.1: timeout" in error.one_line()
    assert attempts == 2 and seconds < 3  # two attempts of 0.5 s, not 1000 bytes x 50 ms each


def test_a_token_exchange_dripped_a_byte_at_a_time_is_given_up_too(misbehaving: Misbehaving) -> None:
    misbehaving.mode = "drip-token"
    error, seconds, _ = track(misbehaving)
    assert isinstance(error, ConnectionFailure) and error.operation == "token exchange"
    assert seconds < 3


@pytest.mark.parametrize("mode", ["huge-declared", "huge-chunked"])
def test_an_answer_bigger_than_any_label_is_not_read_to_the_end(misbehaving: Misbehaving, mode: str) -> None:
    misbehaving.mode = mode
    error, seconds, attempts = track(misbehaving)
    assert isinstance(error, ResponseTooLarge)
    assert "127.0.0.1 answered more than 1 MB; onboard stopped reading" in error.one_line()
    assert "\n" not in error.one_line()
    assert attempts == 1 and seconds < 3  # not retried: the same server would send the same again


def test_the_proxy_settings_of_the_machine_are_still_followed(
    misbehaving: Misbehaving, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a shipper behind a corporate proxy: every call must go through it, bounded all the same
    host, port = misbehaving.server_address[:2]
    monkeypatch.setenv("HTTP_PROXY", f"http://{host!s}:{port}")
    monkeypatch.setenv("NO_PROXY", "")
    endpoints = Endpoints("http://lwa.example.test/auth/o2/token", "http://api.example.test", "sandbox", "na", True)

    async def exchange() -> str:
        async with ShippingClient(endpoints, CREDENTIALS, "AmazonShipping_US", policy=TWICE) as client:
            return await client.tokens.get()

    assert asyncio.run(exchange()) == "Atza|limits"
    assert misbehaving.seen == [b"POST http://lwa.example.test/auth/o2/token HTTP/1.1\r\n"]


# --- any answer the wire can give: a property over real loopback sockets ------------------------------------


@dataclass(frozen=True)
class Wire:
    """One way a server can answer: what it says, how much of it, how fast, and how it ends."""

    status: bytes  # the status line, well formed or not
    framing: str  # "exact", "short" (declares more than it sends), "huge" (declares 2 GB), "chunked", "close"
    body: bytes
    pieces: int  # the answer is written in this many pieces ...
    gap: float  # ... with this long between them
    stall: bool  # and then the connection is held open, silent, instead of ending


STATUS_LINES = st.sampled_from(
    [b"HTTP/1.1 %d OK" % code for code in (200, 400, 403, 404, 429, 500, 503)]
    + [b"HTTP/1.1 200", b"HTTP/1.1 999 What", b"HTTP/1.1 abc", b"ICY 200 OK", b"\x00\xff garbage", b""]
)
TRACKING = json.dumps(
    {
        "payload": {
            "trackingId": "TBA000000000001",
            "alternateLegTrackingId": None,
            "eventHistory": [],
            "promisedDeliveryDate": "2026-12-01T12:00:00Z",
            "summary": {"status": "InTransit"},
        }
    }
).encode()
BODIES = st.one_of(
    st.just(TRACKING),
    st.binary(max_size=300),
    st.text(max_size=200).map(str.encode),
    st.sampled_from([b"{", b"null", b"[]", b'{"payload": 1}', b'{"errors": "x"}', b'{"payload": {"trackingId": 7}}']),
    st.integers(min_value=1, max_value=3 << 20).map(lambda size: b"x" * size),  # up to three times the cap
)
WIRES = st.builds(
    Wire,
    status=STATUS_LINES,
    framing=st.sampled_from(["exact", "short", "huge", "chunked", "close"]),
    body=BODIES,
    pieces=st.integers(min_value=1, max_value=12),
    gap=st.sampled_from([0.0, 0.0, 0.01, 0.05, 0.2]),
    stall=st.booleans(),
)
#: two attempts of 0.5 s each, the backoff between them, and the scheduling of a busy 2-core machine
BOUND_SECONDS = 2 * 0.5 + 1.5


class Replaying(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    wire: Wire


class ReplayHandler(socketserver.StreamRequestHandler):
    server: Replaying

    def handle(self) -> None:
        request_line = self.rfile.readline()
        length = 0
        while (line := self.rfile.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        self.rfile.read(length)
        if b"/auth/o2/token" in request_line:
            self.wfile.write(
                b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(TOKEN), TOKEN)
            )
            return
        wire = self.server.wire
        head = wire.status + b"\r\nConnection: close\r\n"
        if wire.framing == "chunked":
            head += b"Transfer-Encoding: chunked\r\n\r\n"
            payload = b"%x\r\n%s\r\n0\r\n\r\n" % (len(wire.body), wire.body) if wire.body else b"0\r\n\r\n"
        else:
            declared = {"exact": len(wire.body), "short": len(wire.body) + 100, "huge": 2_000_000_000}
            if wire.framing in declared:
                head += b"Content-Length: %d\r\n" % declared[wire.framing]
            head += b"\r\n"
            payload = wire.body
        answer = head + payload
        step = max(1, len(answer) // wire.pieces)
        try:
            for start in range(0, len(answer), step):
                self.wfile.write(answer[start : start + step])
                self.wfile.flush()
                if wire.gap:
                    time.sleep(wire.gap)
            if wire.stall:
                time.sleep(2.5)  # longer than the client's whole budget: it must not wait for this
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it may


def replaying(wire: Wire) -> AbstractContextManager[Replaying]:
    server = Replaying(("127.0.0.1", 0), ReplayHandler)
    server.wire = wire
    return serving(server)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wire=WIRES)
def test_any_answer_on_the_wire_is_a_result_or_one_line_within_the_bound(wire: Wire) -> None:
    async def call() -> tuple[object, float]:
        with replaying(wire) as server:
            started = time.perf_counter()
            async with client_for(server) as client:
                try:
                    outcome: object = await client.get_tracking("TBA000000000001", "AMZN_US")
                except SpApiError as error:
                    outcome = error
            return outcome, time.perf_counter() - started

    outcome, seconds = asyncio.run(call())
    event(f"outcome: {type(outcome).__name__}")
    if isinstance(outcome, SpApiError):
        text = outcome.one_line()
        assert text and "\n" not in text and "Traceback" not in text
        if len(wire.body) > 1 << 20 and wire.framing != "short" and wire.gap == 0:
            # more than the cap, sent at once: too large if it was HTTP at all, whatever the status said
            http = wire.status.startswith(b"HTTP/1.1 ") and wire.status[9:12].isdigit()
            assert isinstance(outcome, ResponseTooLarge if http else ConnectionFailure), text
    else:
        assert wire.body == TRACKING  # only the one well-formed answer is a result
    assert seconds < BOUND_SECONDS, f"{seconds:.2f} s for {wire.framing}, {wire.pieces} pieces, gap {wire.gap}"
