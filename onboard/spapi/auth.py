"""Login with Amazon for Shipping calls: the token exchange, its cache, and an ``httpx.Auth`` flow.

``TokenSource`` exchanges the refresh token for an access token, keeps it, and exchanges again a little
before ``expires_in`` runs out; one exchange at a time however many calls wait for it. ``LwaAuth``
puts the token in ``x-amz-access-token`` and, when Amazon answers 403 "expired" anyway (a clock skew,
a revoked token), exchanges once more and sends the request again, once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Generator

import httpx
from pydantic import ValidationError

from onboard.credentials.model import Credentials
from onboard.models.errors import parse_error_body
from onboard.models.lwa import RefreshTokenGrant, TokenError, TokenResponse
from onboard.spapi.errors import ConnectionFailure, TokenExchangeError
from onboard.spapi.limits import ATTEMPT_SECONDS, within
from onboard.spapi.retry import RETRYABLE_STATUSES, RetryPolicy

EXPIRED_DETAILS = "The access token you provided has expired."


class TokenSource:
    def __init__(
        self,
        http: httpx.AsyncClient,
        lwa_url: str,
        credentials: Credentials,
        policy: RetryPolicy | None = None,
        attempt_seconds: float = ATTEMPT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._url = lwa_url
        self._grant = RefreshTokenGrant(
            refresh_token=credentials.refresh_token,
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
        )
        self._policy = policy or RetryPolicy()
        self._attempt_seconds = attempt_seconds
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        self.exchanges = 0
        #: why the token URL is taken to be down; None once it answers
        self.unreachable: str | None = None

    def _fresh(self) -> bool:
        return self._token is not None and self._clock() < self._refresh_at

    async def get(self) -> str:
        if not self._fresh():
            async with self._lock:
                if not self._fresh():  # another caller may have exchanged while this one waited
                    await self._exchange()
        assert self._token is not None
        return self._token

    async def refresh(self, stale: str) -> str:
        """A new token, unless another caller already replaced ``stale`` with one."""
        async with self._lock:
            if self._token == stale or not self._fresh():
                await self._exchange()
        assert self._token is not None
        return self._token

    async def _exchange(self) -> None:
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await within(self._attempt_seconds, self._http.post(self._url, data=self._grant.to_form()))
            except httpx.TransportError as exc:
                refused = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                # a token URL already found down fails at once: one backoff, not one per call that needs a token
                known_down = refused and self.unreachable is not None
                if (
                    not known_down
                    and attempt < self._policy.max_attempts
                    and self._clock() - started < self._policy.total_seconds
                ):
                    await asyncio.sleep(self._policy.delay(attempt))
                    continue
                failure = ConnectionFailure("token exchange", self._host(), failure_kind(exc), type(exc).__name__)
                if refused:
                    self.unreachable = failure.one_line()
                raise failure from None
            self.unreachable = None
            if response.status_code in RETRYABLE_STATUSES and attempt < self._policy.max_attempts:
                wait = self._policy.delay(attempt, response.headers.get("retry-after"))
                if self._clock() - started + wait < self._policy.total_seconds:
                    await asyncio.sleep(wait)
                    continue
            break
        if response.status_code != 200:
            raise _token_error(response)
        try:
            token = TokenResponse.model_validate_json(response.content)
        except ValidationError:
            raise TokenExchangeError(
                response.status_code, "unreadable_response", "the token URL answered 200 without an access token"
            ) from None
        self._token = token.access_token.get_secret_value()
        # refresh early: a tenth of the lifetime, at most five minutes, before Amazon would refuse it
        self._refresh_at = self._clock() + token.expires_in - min(300.0, token.expires_in / 10)
        self.exchanges += 1

    def _host(self) -> str:
        return httpx.URL(self._url).host


def _token_error(response: httpx.Response) -> TokenExchangeError:
    try:
        error = TokenError.model_validate_json(response.content)
        return TokenExchangeError(response.status_code, error.error, error.error_description)
    except ValidationError:
        first = parse_error_body(response.content, response.status_code).first()
        code = first.code if first else f"HTTP{response.status_code}"
        return TokenExchangeError(response.status_code, code, first.message if first else "")


def failure_kind(exc: httpx.TransportError) -> str:
    text = str(exc).lower()
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if "name or service not known" in text or "nodename" in text or "getaddrinfo" in text:
        return "DNS lookup failed"
    if "ssl" in text or "certificate" in text:
        return "TLS handshake failed"
    if isinstance(exc, httpx.ConnectError):
        return "connection refused"
    return "connection lost"


def says_expired(response: httpx.Response) -> bool:
    if response.status_code != 403:
        return False
    first = parse_error_body(response.content, 403).first()
    return first is not None and (first.details or "").strip() == EXPIRED_DETAILS


class LwaAuth(httpx.Auth):
    requires_response_body = True

    def __init__(self, tokens: TokenSource) -> None:
        self.tokens = tokens

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("LwaAuth works with httpx.AsyncClient only")

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.tokens.get()
        request.headers["x-amz-access-token"] = token
        response = yield request
        if response.status_code == 403:
            await response.aread()  # overriding the flow means reading the body ourselves
        if says_expired(response):
            request.headers["x-amz-access-token"] = await self.tokens.refresh(token)
            yield request
