"""What can go wrong talking to Amazon, typed, with Amazon's own code, message and details kept.

::

    OnboardError
     └── SpApiError                 a call to Amazon (or an Amazon-compatible server) failed
          ├── TokenExchangeError    Login with Amazon refused the credentials (error, description)
          ├── ApiResponseError      a Shipping call answered an error body (status, code, message, details)
          └── ConnectionFailure     no answer: DNS, TLS, refused, timeout (kind)

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
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"Login with Amazon refused the token exchange: {error} ({status}) {description}".strip())
        self.status = status
        self.error = error
        self.description = description


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
