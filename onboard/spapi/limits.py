"""Bounds on what a server may send back: the whole answer within a deadline, and no bigger than a cap.

httpx's timeouts are per read, so a server that drips a byte every few seconds never trips them and a
call would hang for ever; a server that answers gigabytes would fill memory before any parsing. Amazon
does neither, but a proxy, a misconfigured ``ONBOARD_SPAPI_URL`` or a broken emulator can, and an
operator's cron job must end with one clear line either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
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


class CappedTransport(httpx.AsyncBaseTransport):
    """Wraps a transport so that no answer body is read past ``limit`` bytes."""

    def __init__(self, inner: httpx.AsyncBaseTransport, limit: int = MAX_RESPONSE_BYTES) -> None:
        self._inner = inner
        self._limit = limit

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._limit:
            await response.aclose()
            raise ResponseTooLarge(request.url.host, self._limit)
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_CappedStream(stream, self._limit, request.url.host),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._inner.aclose()


async def within(seconds: float, call: Awaitable[T]) -> T:
    """``call``, or a ``ReadTimeout`` once it has taken ``seconds`` in all (httpx's own timeouts are per read)."""
    try:
        # a deadline on this task, not a new task as wait_for would make: this wraps every call
        async with asyncio.timeout(seconds):
            return await call
    except TimeoutError:
        raise httpx.ReadTimeout(f"no whole answer within {seconds:g} s") from None
