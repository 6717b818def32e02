"""Hostile servers on 127.0.0.1, each scenario by name, for the suites that prove onboard ends with one
clear line in a bounded time whatever a server does.

``hostile(scenario)`` serves one misbehaviour on a free loopback port: on every path, or (``token_ok``)
on every path but the token URL, which then hands out a good token so that the Shipping calls meet the
misbehaviour instead. The scenarios, by the name tests use:

- ``502-forever``: every answer a 502 Bad Gateway, as a load balancer with nothing behind it
- ``drip``: the answer a byte a second, never whole (each read comes well inside any per-read timeout)
- ``black-hole``: accepts the connection, reads the request, never answers
- ``redirect``: 301 to another place (``/elsewhere`` on this server, so a test sees that nobody went there)
- ``expires-zero``, ``expires-negative``, ``expires-missing``, ``expires-huge``: a 200 token answer whose
  ``expires_in`` is 0, -60, absent, or a number of 401 digits
- ``black-hole-short-token``: the black hole, behind a token URL (``token_ok``) whose tokens live one
  second, so that every Shipping call needs a fresh exchange that succeeds
- ``huge-body``: 200 and a body with no end (chunked, until the client stops reading)
- ``hang-up``: starts an answer, then closes the connection half-way through it
- ``refused``: nothing listens on the port

``hostile_server(upstream, rewrite)`` is the eighth, the rewriting proxy: the real emulator behind it,
its purchase answers rewritten. It stands for a server that answers what no model promised (a purchase
without its documents, a shipment id with a control character in it); the emulator behind it still does
the real work, so the tests can ask the emulator's own ledger whether every label bought was cancelled.
``replace`` swaps other successful answers whole, by path (a getAdditionalInputs schema nested a hundred
thousand deep), the rest of the run still served by the emulator.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote

import httpx

SCENARIOS = (
    "502-forever",
    "drip",
    "black-hole",
    "redirect",
    "expires-zero",
    "expires-negative",
    "expires-missing",
    "huge-body",
    "hang-up",
    "refused",
    "expires-huge",
    "black-hole-short-token",
)
TOKEN_PATH = "/auth/o2/token"
GOOD_TOKEN = {"access_token": "Atza|hostile-good-token", "token_type": "bearer", "expires_in": 3600}
_EXPIRES = {"expires-zero": 0, "expires-negative": -60}


def _answer(status: str, body: bytes, *headers: str) -> bytes:
    head = [f"HTTP/1.1 {status}", "Connection: close", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class HostileServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, scenario: str, token_ok: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Misbehave)
        self.scenario = scenario
        self.token_ok = token_ok
        #: the request line of every request received, in order
        self.requests: list[str] = []
        #: set on the way out: the drip and the black hole stop holding their connections
        self.closing = threading.Event()
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class _Misbehave(socketserver.StreamRequestHandler):
    server: HostileServer

    def handle(self) -> None:
        line = self.rfile.readline().decode("latin-1").strip()
        if not line:
            return
        self.server.requests.append(line)
        length = 0
        while (header := self.rfile.readline()) not in (b"\r\n", b""):
            if header.lower().startswith(b"content-length:"):
                length = int(header.split(b":")[1])
        self.rfile.read(length)
        path = line.split(" ")[1] if " " in line else ""
        scenario = self.server.scenario
        if path.startswith(TOKEN_PATH) and self.server.token_ok:
            token = {**GOOD_TOKEN, "expires_in": 1} if scenario.endswith("-short-token") else GOOD_TOKEN
            self.wfile.write(_answer("200 OK", json.dumps(token).encode(), "Content-Type: application/json"))
            return
        scenario = scenario.removesuffix("-short-token")
        with contextlib.suppress(OSError):  # the client gave up on us, as it should
            self._misbehave(scenario, path)

    def _misbehave(self, scenario: str, path: str) -> None:
        closing = self.server.closing
        if path.startswith("/elsewhere"):
            self.wfile.write(_answer("404 Not Found", b""))  # a redirect followed: the test sees it in requests
        elif scenario == "502-forever":
            self.wfile.write(_answer("502 Bad Gateway", b"<html><body>502 Bad Gateway</body></html>"))
        elif scenario == "drip":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
            self.wfile.flush()
            while not closing.wait(1.0):
                self.wfile.write(b" ")
                self.wfile.flush()
        elif scenario == "black-hole":
            closing.wait()
        elif scenario == "redirect":
            self.wfile.write(_answer("301 Moved Permanently", b"", f"Location: {self.server.url}/elsewhere{path}"))
        elif scenario.startswith("expires-"):
            token: dict[str, Any] = {"access_token": "Atza|hostile-expiring-token", "token_type": "bearer"}
            if scenario in _EXPIRES:
                token["expires_in"] = _EXPIRES[scenario]
            body = json.dumps(token).encode()
            if scenario == "expires-huge":  # JSON allows any number of digits; Python's int reads them all
                body = body[:-1] + b', "expires_in": 1' + b"0" * 400 + b"}"
            self.wfile.write(_answer("200 OK", body, "Content-Type: application/json"))
        elif scenario == "huge-body":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
            while not closing.is_set():  # until the client stops reading (a broken pipe) or the test ends
                self.wfile.write(chunk)
        elif scenario == "hang-up":
            self.wfile.write(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"pay')
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            raise ValueError(f"no hostile scenario {scenario!r}: choose from {', '.join(SCENARIOS)}")


@contextmanager
def hostile(scenario: str, *, token_ok: bool = False) -> Iterator[HostileServer]:
    """The ``scenario`` served on a free loopback port (its ``url``); with ``token_ok`` the token URL
    answers a good token and only the Shipping calls meet the scenario."""
    if scenario not in SCENARIOS:
        raise ValueError(f"no hostile scenario {scenario!r}: choose from {', '.join(SCENARIOS)}")
    server = HostileServer(scenario, token_ok)
    if scenario == "refused":
        server.server_close()  # the port was just free, and nothing listens on it now
        yield server
        return
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.closing.set()
        server.shutdown()
        server.server_close()


# --- the rewriting proxy -----------------------------------------------------------------------------------

#: rewrites a purchase (or one-click) answer's payload in place; gets the real shipment id first
Rewrite = Callable[[dict[str, Any]], None]


class Hostile:
    def __init__(
        self,
        upstream: str,
        rewrite: Rewrite,
        rename: Callable[[str], str] | None = None,
        replace: dict[str, bytes] | None = None,
    ) -> None:
        self.upstream = upstream
        self.rewrite = rewrite
        #: a path (without its query) → the body sent instead of the emulator's successful answer there
        self.replace = replace or {}
        #: the real shipment id → the one this server tells the client (and back, for its cancels)
        self.rename = rename
        self.aliases: dict[str, str] = {}
        self.cancels: list[str] = []
        #: where it listens, once served
        self.url = ""
        self.http = httpx.Client(base_url=upstream, timeout=30)

    def forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        raw_path, _, query = path.partition("?")
        segments = raw_path.split("/")
        if len(segments) > 5 and segments[1:4] == ["shipping", "v2", "shipments"]:
            told = unquote(segments[4])
            if segments[5] == "cancel":
                self.cancels.append(told)
            segments[4] = quote(self.aliases.get(told, told), safe="")
        forwarded = "/".join(segments) + (f"?{query}" if query else "")
        keep = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length", "connection")}
        response = self.http.request(method, forwarded, headers=keep, content=body or None)
        content = response.content
        bought = raw_path.endswith(("/shipping/v2/shipments", "/oneClickShipment")) and response.status_code == 200
        if bought:
            answer = response.json()
            payload = answer["payload"]
            if self.rename is not None:
                told = self.rename(payload["shipmentId"])
                self.aliases[told] = payload["shipmentId"]
                payload["shipmentId"] = told
            self.rewrite(payload)
            content = json.dumps(answer).encode()
        if raw_path in self.replace and response.status_code == 200:
            content = self.replace[raw_path]
        out = {"content-type": response.headers.get("content-type", "application/json")}
        if "x-amzn-requestid" in response.headers:
            out["x-amzn-RequestId"] = response.headers["x-amzn-requestid"]
        return response.status_code, out, content


@contextmanager
def hostile_server(
    upstream: str,
    rewrite: Rewrite,
    rename: Callable[[str], str] | None = None,
    replace: dict[str, bytes] | None = None,
) -> Iterator[Hostile]:
    """Serve ``Hostile`` on a free loopback port (its ``url``)."""
    proxy = Hostile(upstream, rewrite, rename, replace)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, content = proxy.forward(self.command, self.path, dict(self.headers), body)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = _any

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        proxy.http.close()
