"""Request bodies within a limit, refused before they are read; and a client that hangs up, in one line.

An ASGI middleware inside the app, around every route (the token endpoint needs no credentials, so
anyone who can reach the emulator can send it anything): a ``Content-Length`` over the limit is answered
413 at once, nothing of the body read; a chunked body is counted as it arrives and refused the moment it
passes the limit. Either way the answer says ``connection: close``, so the server drops the rest of the
body instead of reading it to find the next request. A client that hangs up before its body is whole is
logged as one line, not as an application error with a traceback.
"""

from __future__ import annotations

import logging
import uuid

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onboard.emulator import replies
from onboard.emulator.replies import ApiError, error_response, json_response

log = logging.getLogger("onboard.emulator")

#: the biggest request body read: a Shipping request is a few kilobytes, an LWA form under 5 KB
MAX_BODY = 1_000_000
TOKEN_PATH = "/auth/o2/token"  # noqa: S105 - a path, not a password


class BodyTooLarge(Exception):
    """Raised from ``receive`` inside the app once the body has passed the limit."""


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            log.warning(
                "%s %s refused: a body of %d bytes, over %d", scope["method"], scope["path"], declared, self.limit
            )
            await _refuse(scope, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except BodyTooLarge:
            log.warning("%s %s refused: its body passed %d bytes", scope["method"], scope["path"], self.limit)
            if not started:
                await _refuse(scope, send)
        except ClientDisconnect:
            # nobody is left to answer: one line, and the server goes on
            log.warning(
                "%s %s: the client hung up before its body was whole (%d bytes of %s)",
                scope["method"],
                scope["path"],
                seen,
                declared if declared is not None else "a chunked body",
            )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            # the server has already refused one that is not a number
            return int(value) if value.isdigit() else None
    return None


async def _refuse(scope: Scope, send: Send) -> None:
    headers = {"connection": "close"}
    if scope["path"] == TOKEN_PATH:
        response = json_response(
            {"error_description": "The request body is too large", "error": "invalid_request"}, 413, headers
        )
    else:
        headers["x-amzn-RequestId"] = str(uuid.uuid4())
        response = error_response(ApiError(413, "InvalidRequest", replies.TOO_LARGE), headers)

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, nothing, send)
