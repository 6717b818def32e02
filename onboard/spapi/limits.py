"""Bounds on what a server may send back: the whole answer within a deadline, and no bigger than a cap.

httpx's timeouts are per read, so a server that drips a byte every few seconds never trips them and a
call would hang for ever; a server that answers gigabytes would fill memory before any parsing. Amazon
does neither, but a proxy, a misconfigured ``ONBOARD_SPAPI_URL`` or a broken emulator can, and an
operator's cron job must end with one clear line either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import httpx

from onboard.spapi.errors import SpApiError

#: the biggest answer read: a 4x6 label at 300 dpi is under 1 MB as base64, a multi-piece shipment a few
MAX_RESPONSE_BYTES = 20 * 1024 * 1024
#: the longest one attempt may take, from sending to the last byte of the answer
ATTEMPT_SECONDS = 60.0

T = TypeVar("T")


class ResponseTooLarge(SpApiError):
    def __init__(self, host: str, limit: int) -> None:
        super().__init__(
            f"{host} answered more than {limit // (1024 * 1024)} MB; onboard stopped reading",
            "the server is not behaving as Amazon Shipping does; check ONBOARD_SPAPI_URL and ONBOARD_LWA_URL",
        )

    @property
    def outcome_unknown(self) -> bool:
        # the server answered, so it may well have done what was asked before it did
        return True


class _CappedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, limit: int, host: str) -> None:
        self._inner = inner
        self._limit = limit
        self._host = host

    async def __aiter__(self) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self._inner:
            seen += len(chunk)
            if seen > self._limit:
                raise ResponseTooLarge(self._host, self._limit)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


def cap_responses(limit: int = MAX_RESPONSE_BYTES) -> Callable[[httpx.Response], Awaitable[None]]:
    """An httpx response hook: no answer body is read past ``limit`` bytes.

    A hook, not a transport wrapper: httpx builds its transports (and reads ``HTTPS_PROXY`` and
    ``NO_PROXY``) only when it is given none. Hooks run before the body is read, by the caller or by the
    auth flow alike. The client asks for ``accept-encoding: identity`` so that what is counted is what
    is kept; a server that compresses anyway is still cut off at ``limit`` compressed bytes.
    """

    async def hook(response: httpx.Response) -> None:
        host = response.request.url.host
        declared = response.headers.get("content-length", "")
        if declared.isdecimal() and int(declared) > limit:
            await response.aclose()
            raise ResponseTooLarge(host, limit)
        stream = response.stream
        if isinstance(stream, httpx.AsyncByteStream):
            response.stream = _CappedStream(stream, limit, host)

    return hook


async def within(seconds: float, call: Awaitable[T]) -> T:
    """``call``, or a ``ReadTimeout`` once it has taken ``seconds`` in all (httpx's own timeouts are per read)."""
    try:
        # a deadline on this task, not a new task as wait_for would make: this wraps every call
        async with asyncio.timeout(seconds):
            return await call
    except TimeoutError:
        raise httpx.ReadTimeout(f"no whole answer within {seconds:g} s") from None
