"""A hostile Amazon-compatible server on 127.0.0.1: the real emulator behind it, its answers rewritten.

It stands for a server that answers what no model promised (a purchase without its documents, a
shipment id with a control character in it). The emulator behind it still does the real work, so the
tests can ask the emulator's own ledger whether every label bought was cancelled in the end.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote

import httpx

#: rewrites a purchase (or one-click) answer's payload in place; gets the real shipment id first
Rewrite = Callable[[dict[str, Any]], None]


class Hostile:
    def __init__(self, upstream: str, rewrite: Rewrite, rename: Callable[[str], str] | None = None) -> None:
        self.upstream = upstream
        self.rewrite = rewrite
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
        out = {"content-type": response.headers.get("content-type", "application/json")}
        if "x-amzn-requestid" in response.headers:
            out["x-amzn-RequestId"] = response.headers["x-amzn-requestid"]
        return response.status_code, out, content


@contextmanager
def hostile_server(upstream: str, rewrite: Rewrite, rename: Callable[[str], str] | None = None) -> Iterator[Hostile]:
    """Serve ``Hostile`` on a free loopback port (its ``url``)."""
    hostile = Hostile(upstream, rewrite, rename)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, content = hostile.forward(self.command, self.path, dict(self.headers), body)
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
    hostile.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield hostile
    finally:
        server.shutdown()
        server.server_close()
        hostile.http.close()
