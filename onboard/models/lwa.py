"""Login with Amazon token endpoint shapes (``POST /auth/o2/token``)."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr

from onboard.models.base import Received, Sent


class RefreshTokenGrant(Sent):
    """The form fields of a refresh-token exchange, sent form-encoded, never as JSON."""

    grant_type: Literal["refresh_token"] = "refresh_token"
    refresh_token: SecretStr
    client_id: str
    client_secret: SecretStr

    def to_form(self) -> dict[str, str]:
        return {
            "grant_type": self.grant_type,
            "refresh_token": self.refresh_token.get_secret_value(),
            "client_id": self.client_id,
            "client_secret": self.client_secret.get_secret_value(),
        }


class TokenResponse(Received):
    """A successful exchange. The tokens are secrets: they print as ``**********``."""

    access_token: SecretStr
    token_type: str = "bearer"
    #: seconds the token lasts (3600 at Amazon); the client refuses a token without it, or of none
    expires_in: int | None = None
    refresh_token: SecretStr | None = None


class TokenError(Received):
    """``{"error": "invalid_client", "error_description": "Client authentication failed"}``."""

    error: str
    error_description: str = ""
