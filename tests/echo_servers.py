"""Servers on 127.0.0.1 that repeat what they are sent, in front of the real emulator.

They stand for a proxy or a test double that quotes the request back, the way many do when they fail:

- ``lwa`` scenario ``echo-400`` / ``echo-401`` / ``echo-500``: the token endpoint answers that status with
  the whole request in its error body (the form as sent, URL-encoded; its fields plain in the description
  and JSON-escaped in an object; the headers, Basic auth of a URL's userinfo included); ``echo-text`` the
  same as plain text; ``controls``: an error description full of terminal controls; ``pass``: the
  emulator's own answer.
- ``api`` scenario ``echo``: every Shipping answer carries the access token it was sent with, in a 200
  body and in every error's message and details (plain, URL-encoded), and in a field redaction does not
  know by name; ``controls``: error messages and shipment ids full of terminal controls (the ids are told
  back to the emulator as they really are, so cancels work); ``pass``: as the emulator answers.

Every access token the client sent is kept (``tokens``), so a search can look for each one.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

import httpx

#: what a terminal obeys: clear screen, window title (OSC 0), clipboard write (OSC 52), CR, BEL, backspace,
#: a C1 CSI, a right-to-left override, and a line break in what should be one line
CONTROLS = "\x1b[2J\x1b]0;pwned\x07\x1b]52;c;cHduZWQ=\x07\rOK\x08\x9b31m\u202edeliaf\nOK: "
TOKEN_PATH = "/auth/o2/token"
JSON = {"content-type": "application/json"}
Headers = dict[str, str]


@dataclass
class Echo:
    upstream: str
    lwa: str = "pass"
    api: str = "echo"
    #: every access token the client sent (x-amz-access-token or Authorization)
    tokens: list[str] = field(default_factory=list)
    #: every Basic credential a URL's userinfo became
    basic: list[str] = field(default_factory=list)
    #: the shipment id this server told the client → the real one
    aliases: dict[str, str] = field(default_factory=dict)
    url: str = ""

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.upstream, timeout=30)
        self._lock = threading.Lock()

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Headers, bytes]:
        lowered = {name.lower(): value for name, value in headers.items()}
        authorization = lowered.get("authorization", "")
        if authorization.lower().startswith("basic "):
            self.basic.append(authorization[6:])
        if path.startswith(TOKEN_PATH):
            return self._token(method, path, lowered, body)
        token = lowered.get("x-amz-access-token") or authorization.removeprefix("Bearer ")
        if token:
            with self._lock:
                if token not in self.tokens:
                    self.tokens.append(token)
        status, sent, content = self._forward(method, path, lowered, body)
        return status, sent, self._rewrite(status, content, token, authorization)

    # --- Login with Amazon ----------------------------------------------------------------------------

    def _token(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Headers, bytes]:
        if self.lwa == "pass":
            return self._forward(method, path, headers, body)
        form = body.decode("utf-8", "replace")
        fields = dict(parse_qsl(form))
        if self.lwa == "controls":
            answer: dict[str, Any] = {
                "error": f"invalid_request{CONTROLS}",
                "error_description": f"refused{CONTROLS}again",
            }
            return 400, JSON, json.dumps(answer).encode()
        plain = " ".join(f"{name}={value}" for name, value in fields.items())
        if self.lwa == "echo-text":
            return 400, {"content-type": "text/plain"}, f"bad request {plain} body={form}".encode()
        status = int(self.lwa.removeprefix("echo-"))
        answer = {
            "error": "invalid_request" if status == 400 else "invalid_client" if status == 401 else "server_error",
            "error_description": f"could not use the request {form} (as read: {plain}; sent with {headers})",
            "request": fields,
            "headers": headers,
        }
        return status, JSON, json.dumps(answer).encode()

    # --- Shipping --------------------------------------------------------------------------------------

    def _forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Headers, bytes]:
        raw_path, _, query = path.partition("?")
        segments = raw_path.split("/")
        if len(segments) > 5 and segments[1:4] == ["shipping", "v2", "shipments"]:
            told = unquote(segments[4])
            segments[4] = quote(self.aliases.get(told, told), safe="")
        forwarded = "/".join(segments) + (f"?{query}" if query else "")
        keep = {k: v for k, v in headers.items() if k not in ("host", "content-length", "connection", "authorization")}
        response = self.http.request(method, forwarded, headers=keep, content=body or None)
        sent = {"content-type": response.headers.get("content-type", "application/json")}
        if "x-amzn-requestid" in response.headers:
            sent["x-amzn-RequestId"] = response.headers["x-amzn-requestid"]
        return response.status_code, sent, response.content

    def _rewrite(self, status: int, content: bytes, token: str, authorization: str) -> bytes:
        try:
            answer: Any = json.loads(content)
        except ValueError:
            return content
        if not isinstance(answer, dict):
            return content
        if self.api == "echo":
            said = f"sent with x-amz-access-token {token} (token={quote(token, safe='')}; {authorization})"
            if status == 200:
                answer["seen"] = {"header": token, "as_form": f"access={quote(token, safe='')}", "note": said}
            for error in answer.get("errors") or []:
                if isinstance(error, dict):
                    error["message"] = f"{error.get('message', '')} {said}"
                    error["details"] = f"{error.get('details') or ''} x-amz-access-token: {token}".strip()
        elif self.api == "controls":
            for error in answer.get("errors") or []:
                if isinstance(error, dict):
                    error["message"] = f"{error.get('message', '')}{CONTROLS}"
            payload = answer.get("payload")
            if status == 200 and isinstance(payload, dict) and isinstance(payload.get("shipmentId"), str):
                told = payload["shipmentId"] + CONTROLS
                self.aliases[told] = payload["shipmentId"]
                payload["shipmentId"] = told
        return json.dumps(answer).encode()


@contextmanager
def echo_server(upstream: str, *, lwa: str = "pass", api: str = "echo") -> Iterator[Echo]:
    """Serve :class:`Echo` on a free loopback port (its ``url``) in front of ``upstream``; the scenarios
    may be changed while it runs (``echo.lwa = "echo-401"``)."""
    echo = Echo(upstream, lwa=lwa, api=api)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            status, sent, content = echo.answer(self.command, self.path, dict(self.headers), body)
            self.send_response(status)
            for name, value in sent.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = _any

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    echo.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield echo
    finally:
        server.shutdown()
        server.server_close()
        echo.http.close()
