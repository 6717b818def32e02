"""Bounds on what a server may cost: each answer whole within a deadline and no bigger than a cap, and
a client that gives up once every call has failed for a while.

httpx's timeouts are per read, so a server that drips a byte every few seconds never trips them and a
call would hang for ever; a server that answers gigabytes would fill memory before any parsing. Amazon
does neither, but a proxy, a misconfigured ``ONBOARD_SPAPI_URL`` or a broken emulator can, and an
operator's cron job must end with one clear line either way.

Backoff on a 429 or a 5xx is right while Amazon has a bad minute, and wrong for ever: ``Budget`` bounds
all of a client's calls together (see its docstring), so that a server failing every call costs a
certification run under a minute and ``creds verify`` a few seconds, whatever way it fails.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import httpx

from onboard.spapi.errors import ConnectionFailure, SpApiError

#: the biggest answer read: a 4x6 label at 300 dpi is under 1 MB as base64, a multi-piece shipment a few
MAX_RESPONSE_BYTES = 20 * 1024 * 1024
#: the longest one attempt may take, from sending to the last byte of the answer (Amazon answers in a
#: second or two; a label of many pieces in a few)
ATTEMPT_SECONDS = 30.0
#: once every attempt of every call has failed for this long, the client gives up: the server is down
FAILING_SECONDS = 40.0
#: a retry with less time than this left before the budget runs out is not started
LAST_CHANCE_SECONDS = 0.5

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


class Budget:
    """How long one client keeps trying, across all its calls (and its token exchanges).

    Each attempt must be whole within ``attempt_seconds``. Beyond that, once every attempt has failed (a
    429 or 5xx, no answer, no whole answer) for ``failing_seconds`` with no answer in between, the server
    is taken to be ``down``: attempts under way end with the window, no retry starts, and later calls
    fail at once without trying (``give_up``), so that a run stops and lists what it could not cancel
    instead of waiting on each. Any other answer (a 200, a 4xx, a redirect) means the server is there.
    For a person waiting (``creds verify``) ``total_seconds`` bounds everything from the client's start,
    answers or not.
    """

    def __init__(
        self,
        *,
        attempt_seconds: float = ATTEMPT_SECONDS,
        failing_seconds: float = FAILING_SECONDS,
        total_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempt_seconds = attempt_seconds
        self.failing_seconds = failing_seconds
        self.total_seconds = total_seconds
        self._clock = clock
        self._ends = clock() + total_seconds if total_seconds is not None else math.inf
        self._last_answer = -math.inf
        #: since when nothing has answered: the start of the first attempt that failed after the last answer
        self.failing_since: float | None = None
        #: the last failure, in one line ("getRates answered 502")
        self.last_failure = ""
        #: why the server is taken to be down (every call failed for the whole window); None once it answers
        self.down: str | None = None
        #: what failed first in the current window: the Shipping API ("api") or the token endpoint ("token")
        self._failing_source = "api"

    def now(self) -> float:
        return self._clock()

    def give_up(self, operation: str, host: str, *, sent: bool = False) -> None:
        """Raise at once, trying nothing, once the server is taken to be down (``sent``: an earlier attempt
        of this call went out, so its outcome is unknown)."""
        self._judge()
        if self.down is not None:
            reason = f"every call failed for {self.failing_seconds:g} s"
            raise ConnectionFailure(operation, host, "given up", reason, sent=sent)

    def seconds_for(self, started: float) -> float:
        """How long an attempt that starts at ``started`` may take."""
        # an attempt that fails is failing from its start: it may not outlast the window it would close
        since = started if self.failing_since is None else self.failing_since
        ends = min(started + self.attempt_seconds, since + self.failing_seconds, self._ends)
        return max(0.0, ends - started)

    def answered(self, source: str = "api") -> None:
        """An answer came (``source``: from the Shipping API, or from the token endpoint)."""
        if source == "token" and self.failing_since is not None and self._failing_source == "api":
            # a token handed out says nothing of a Shipping API that keeps failing: a server whose tokens
            # live a second would otherwise reopen the window at every exchange, and a run never end
            return
        self.failing_since, self.down, self._last_answer = None, None, self._clock()

    def failed(self, started: float, failure: str, source: str = "api") -> None:
        """An attempt that started at ``started`` failed, as ``failure`` (one line) says."""
        if self.failing_since is None:
            self.failing_since = max(started, self._last_answer)
            self._failing_source = source
        self.last_failure = failure
        self._judge()

    def allows(self, wait: float) -> bool:
        """Whether a retry after ``wait`` seconds may start: the server is not down, and there is time left
        for it after the wait (in the window, when failing; in ``total_seconds``, when given). A long
        ``Retry-After`` that runs past the window ends this call, without calling the server down."""
        ends = self._ends if self.failing_since is None else min(self._ends, self._window_end(self.failing_since))
        return self.down is None and self._clock() + wait + LAST_CHANCE_SECONDS < ends

    def _window_end(self, since: float) -> float:
        return since + self.failing_seconds

    def _judge(self) -> None:
        if self.down is not None or self.failing_since is None:
            return
        if self._clock() + LAST_CHANCE_SECONDS >= self._window_end(self.failing_since):
            self.down = f"every call failed for {self.failing_seconds:g} s; the last: {self.last_failure}"


class NoWholeAnswer(httpx.ReadTimeout):
    """The attempt's own deadline passed before the answer was whole (a server silent, or dripping)."""


async def within(seconds: float, call: Awaitable[T]) -> T:
    """``call``, or ``NoWholeAnswer`` once it has taken ``seconds`` in all (httpx's own timeouts are per read)."""
    try:
        # a deadline on this task, not a new task as wait_for would make: this wraps every call
        async with asyncio.timeout(seconds):
            return await call
    except TimeoutError:
        raise NoWholeAnswer(f"no whole answer within {seconds:.3g} s") from None


def transport_reason(exc: httpx.TransportError) -> str:
    """What a transport error says, in a few words: the deadline that passed, else the error's kind."""
    return str(exc) if isinstance(exc, NoWholeAnswer) else type(exc).__name__
