"""What can go wrong talking to Amazon, typed, with Amazon's own code, message and details kept.

::

    OnboardError
     └── SpApiError                 a call to Amazon (or an Amazon-compatible server) failed
          ├── TokenExchangeError    Login with Amazon refused the credentials (error, description)
          │    └── UnusableToken    it answered 200, but no token onboard can use (none, or expired at once)
          ├── ApiResponseError      a Shipping call answered an error body (status, code, message, details)
          ├── Redirected            a 301/302/307/308, which onboard does not follow
          └── ConnectionFailure     no answer: DNS, TLS, refused, timeout, lost (kind)

Every one carries the ``x-amzn-RequestId`` when Amazon sent one. No message ever holds a secret:
they are built from codes and Amazon's texts, never from what we sent.
"""

from __future__ import annotations

from onboard.errors import OnboardError


class SpApiError(OnboardError):
    request_id: str | None = None

    @property
    def outcome_unknown(self) -> bool:
        """True when the request may have been carried out although no success came back."""
        return False


class TokenExchangeError(SpApiError):
    def __init__(self, status: int, error: str, description: str, message: str = "", hint: str = "") -> None:
        # a 4xx is a refusal of these credentials; a 429 or a 5xx says nothing about them
        verb = "throttled" if status == 429 else "failed" if status >= 500 else "refused"
        text = message or f"Login with Amazon {verb} the token exchange: {error} ({status}) {description}".strip()
        super().__init__(text, hint)
        self.status = status
        self.error = error
        self.description = description


class UnusableToken(TokenExchangeError):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(
            200,
            error,
            description,
            f"the token URL answered 200 with no token onboard can use: {description}",
            "the token URL is not Login with Amazon, or something between rewrites its answers: check ONBOARD_LWA_URL",
        )


class ApiResponseError(SpApiError):
    def __init__(
        self,
        operation: str,
        status: int,
        code: str,
        message: str,
        details: str | None,
        request_id: str | None,
    ) -> None:
        text = f"{operation} failed: {status} {code}: {message}"
        if details:
            text += f" ({details})"
        super().__init__(text)
        self.operation = operation
        self.status = status
        self.code = code
        self.amazon_message = message
        self.details = details
        self.request_id = request_id

    @property
    def outcome_unknown(self) -> bool:
        # a 5xx can come after the work was done; a 4xx (429 included) says it was not
        return self.status >= 500


class Redirected(SpApiError):
    """A redirect, not followed: it would carry the credentials (a token exchange's form, kept by a 307 or
    308) or the access token to another host, and Amazon's endpoints do not redirect."""

    def __init__(self, operation: str, url_host: str, status: int, location: str, variable: str) -> None:
        to = f"a redirect to {location}" if location else "a redirect"
        where = _redirect_host(location)
        elsewhere = (
            "to another path of the same host"
            if not location or where in ("", url_host.lower())
            else f"to another host ({where})"
        )
        super().__init__(
            f"{operation}: {url_host} answered {status}, {to}; onboard does not follow redirects",
            f"following it would send the credentials again, {elsewhere}, and Amazon's endpoints never redirect: "
            f"set {variable} to the endpoint itself",
        )
        self.operation = operation
        self.status = status
        self.location = location


def _redirect_host(location: str) -> str:
    """The host a ``Location`` names, lower-cased; "" for a relative one (the same host)."""
    from urllib.parse import urlsplit  # noqa: PLC0415

    try:
        return (urlsplit(location).hostname or "").lower()
    except ValueError:
        return ""


class ConnectionFailure(SpApiError):
    def __init__(self, operation: str, url_host: str, kind: str, reason: str, *, sent: bool = False) -> None:
        super().__init__(f"{operation}: no answer from {url_host}: {kind} ({reason})")
        self.operation = operation
        self.kind = kind
        #: the request left, so the server may have acted on it (a read timeout, a dropped connection)
        self.sent = sent

    @property
    def outcome_unknown(self) -> bool:
        return self.sent
