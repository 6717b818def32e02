"""Login with Amazon for Shipping calls: the token exchange, its cache, and an ``httpx.Auth`` flow.

``TokenSource`` exchanges the refresh token for an access token, keeps it, and exchanges again a little
before ``expires_in`` runs out; one exchange at a time however many calls wait for it. An exchange that
failed through a whole backoff (refused, no answer, 429 or 5xx on every attempt) makes the next one a
single attempt: the calls queued behind it do not each wait out a backoff of their own. ``LwaAuth``
puts the token in ``x-amz-access-token`` and, when Amazon answers 403 "expired" anyway (a clock skew,
a revoked token), exchanges once more and sends the request again, once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Generator

import httpx
from pydantic import ValidationError

from onboard import masking
from onboard.credentials.model import Credentials
from onboard.models.errors import parse_error_body
from onboard.models.lwa import RefreshTokenGrant, TokenError, TokenResponse
from onboard.spapi.errors import ConnectionFailure, Redirected, TokenExchangeError, UnusableToken
from onboard.spapi.limits import Budget, transport_reason, within
from onboard.spapi.retry import RETRYABLE_STATUSES, RetryPolicy

EXPIRED_DETAILS = "The access token you provided has expired."
#: a year: no access token lives longer (Login with Amazon's last an hour); beyond, the answer is not a token
MAX_EXPIRES_IN = 365 * 24 * 3600


class TokenSource:
    def __init__(
        self,
        http: httpx.AsyncClient,
        lwa_url: str,
        credentials: Credentials,
        policy: RetryPolicy | None = None,
        budget: Budget | None = None,
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
        #: shared with the client's Shipping calls: a token URL failing every attempt counts as they do
        self._budget = budget or Budget()
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        self.exchanges = 0
        #: why the token URL is taken to be down (it failed through a whole backoff); None once it answers
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
            self._budget.give_up("token exchange", self._host())
            begun = self._budget.now()
            try:
                response = await within(
                    self._budget.seconds_for(begun), self._http.post(self._url, data=self._grant.to_form())
                )
            except httpx.TransportError as exc:
                failure = ConnectionFailure("token exchange", self._host(), failure_kind(exc), transport_reason(exc))
                self._budget.failed(begun, failure.one_line(), "token")
                wait = self._policy.delay(attempt)
                if self._retry(attempt, started, wait):
                    await asyncio.sleep(wait)
                    continue
                self.unreachable = failure.one_line()
                raise failure from None
            if response.status_code not in RETRYABLE_STATUSES:
                self.unreachable = None
                self._budget.answered("token")
                break
            self._budget.failed(begun, f"the token exchange answered {response.status_code}", "token")
            wait = self._policy.delay(attempt, response.headers.get("retry-after"))
            if not self._retry(attempt, started, wait):
                self.unreachable = f"the token exchange answered {response.status_code} through a whole backoff"
                break
            await asyncio.sleep(wait)
        if 300 <= response.status_code < 400:
            raise Redirected(
                "token exchange", self._host(), response.status_code, redirect_target(response), "ONBOARD_LWA_URL"
            )
        if response.status_code != 200:
            raise _token_error(response)
        try:
            token = TokenResponse.model_validate_json(response.content)
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(part) for part in first["loc"]) or "the body"
            raise UnusableToken(
                "unreadable_response", f"it does not read as a token answer ({where}: {first['msg']})"
            ) from None
        issued = token.access_token.get_secret_value()
        masking.register(issued)  # an echo of it in any answer or record is masked by value
        if token.expires_in is None:
            raise UnusableToken(
                "no_expires_in",
                "it has no expires_in, and Login with Amazon always says how long a token lasts (3600 s)",
            )
        if token.expires_in <= 0:
            raise UnusableToken(
                "expires_at_once",
                f"its expires_in is {token.expires_in}: the token has expired as it is issued "
                "(Login with Amazon's last 3600 s)",
            )
        if token.expires_in > MAX_EXPIRES_IN:
            # a number with hundreds of digits once overflowed the clock: refused and named like a zero
            written = str(token.expires_in)
            raise UnusableToken(
                "expires_never",
                f"its expires_in is {written if len(written) <= 20 else written[:12] + f'… ({len(written)} digits)'}: "
                "no token lives that long (Login with Amazon's last 3600 s)",
            )
        self._token = issued
        # refresh early: a tenth of the lifetime, at most five minutes, before Amazon would refuse it
        self._refresh_at = self._clock() + token.expires_in - min(300.0, token.expires_in / 10)
        self.exchanges += 1

    def _retry(self, attempt: int, started: float, wait: float) -> bool:
        # a token URL already found down gets one attempt: one backoff, not one per call that needs a token
        return (
            self.unreachable is None
            and attempt < self._policy.max_attempts
            and self._clock() - started + wait < self._policy.total_seconds
            and self._budget.allows(wait)
        )

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


def redirect_target(response: httpx.Response) -> str:
    """Where a redirect points, for the message: scheme, host and path, never its query or user info."""
    location = response.headers.get("location", "")
    if not location:
        return ""
    try:
        target = response.request.url.join(location)
    except httpx.InvalidURL:
        return "an address onboard cannot read"
    return str(target.copy_with(query=None, fragment=None, userinfo=b""))[:200]


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
