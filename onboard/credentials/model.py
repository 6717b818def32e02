"""One set of LWA credentials, with the secret's age against Amazon's 180-day rotation rule."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import SecretStr

from onboard import masking
from onboard.redact import redact

#: Amazon forces a client-secret rotation this often; the old secret then lives 7 more days.
ROTATION_DAYS = 180
GRACE_DAYS = 7
WARN_DAYS = 30
CLIENT_ID_PREFIX = "amzn1.application-oa2-client."
REFRESH_TOKEN_PREFIX = "Atzr|"  # noqa: S105 - a prefix, not a token

Source = Literal["environment", "keyring", "file", "demo"]


def fingerprint(secret: SecretStr) -> str:
    """A short digest to tell two secrets apart without showing either."""
    return hashlib.sha256(secret.get_secret_value().encode()).hexdigest()[:8]


@dataclass(frozen=True, slots=True)
class Credentials:
    client_id: str
    client_secret: SecretStr
    refresh_token: SecretStr
    source: Source
    secret_created: date | None = None

    def __post_init__(self) -> None:
        # masked by value in everything shown or recorded from now on; the demo set is published, not secret
        if self.source != "demo":
            masking.register(self.client_secret.get_secret_value())
            masking.register(self.refresh_token.get_secret_value())

    def rotation_deadline(self) -> date | None:
        return self.secret_created + timedelta(days=ROTATION_DAYS) if self.secret_created else None

    def days_left(self, today: date) -> int | None:
        deadline = self.rotation_deadline()
        return (deadline - today).days if deadline else None

    def describe(self) -> dict[str, str | int | None]:
        """What may be shown of these credentials: the id redacted, the secrets as fingerprints only."""
        return {
            "source": self.source,
            "client_id": redact(self.client_id),
            "client_secret": f"set (fingerprint {fingerprint(self.client_secret)})",
            "refresh_token": f"set (fingerprint {fingerprint(self.refresh_token)})",
            "secret_created": self.secret_created.isoformat() if self.secret_created else None,
            "rotation_deadline": d.isoformat() if (d := self.rotation_deadline()) else None,
        }


def problems(client_id: str, client_secret: str, refresh_token: str) -> list[str]:
    """What is wrong with credentials as typed, each as one line naming the field and the expected form."""
    found = []
    if not client_id.startswith(CLIENT_ID_PREFIX) or len(client_id) <= len(CLIENT_ID_PREFIX):
        found.append(
            f"the client id must start with {CLIENT_ID_PREFIX} (Developer Central → your app → LWA credentials)"
        )
    if not client_secret.strip():
        found.append("the client secret is empty")
    if not refresh_token.startswith(REFRESH_TOKEN_PREFIX):
        found.append(f"the refresh token must start with {REFRESH_TOKEN_PREFIX} (from Authorize → self-authorization)")
    for name, value in (("client id", client_id), ("client secret", client_secret), ("refresh token", refresh_token)):
        if value != value.strip() or any(c.isspace() for c in value):
            found.append(f"the {name} contains spaces or line breaks: paste it again")
    return found
