"""Login with Amazon: ``POST /auth/o2/token`` and the access tokens it hands out."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from onboard.emulator.clock import Clock
from onboard.emulator.credentials import AcceptedCredentials
from onboard.emulator.replies import json_response
from onboard.redact import redact

log = logging.getLogger("onboard.emulator")

ACCESS_TOKEN_TTL = 3600
MAX_LIVE_TOKENS = 50_000


@dataclass(slots=True)
class AccessToken:
    client_id: str
    #: who authorized the app (a digest of the refresh token): Amazon's usage plans are per app and seller
    grant: str
    expires: float

    @property
    def partner(self) -> str:
        return f"{self.client_id}:{self.grant}"


class TokenIssuer:
    def __init__(self, accepted: AcceptedCredentials, clock: Clock, ttl: int = ACCESS_TOKEN_TTL) -> None:
        self.accepted = accepted
        self.clock = clock
        self.ttl = ttl
        self._live: dict[str, AccessToken] = {}

    def issue(self, client_id: str, grant: str = "") -> str:
        if len(self._live) >= MAX_LIVE_TOKENS:
            now = self.clock.now()
            self._live = {t: a for t, a in self._live.items() if a.expires > now}
            while len(self._live) >= MAX_LIVE_TOKENS:
                del self._live[next(iter(self._live))]
        token = "Atza|" + secrets.token_urlsafe(48)
        self._live[token] = AccessToken(client_id, grant, self.clock.now() + self.ttl)
        return token

    def lookup(self, token: str) -> AccessToken | None:
        """The token's record, expired or not; ``None`` for a token this emulator never issued."""
        return self._live.get(token)

    def expired(self, record: AccessToken) -> bool:
        return record.expires <= self.clock.now()


def _token_error(status: int, error: str, description: str) -> Response:
    return json_response({"error_description": description, "error": error}, status, {"Cache-Control": "no-store"})


async def token_endpoint(request: Request) -> Response:
    issuer: TokenIssuer = request.app.state.emulator.tokens
    content_type = request.headers.get("content-type", "")
    # LWA reads only form bodies; a JSON body reads as no grant at all, as integrators find out
    fields: dict[str, str] = {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        body = (await request.body())[:16_384].decode("utf-8", "replace")
        fields = dict(parse_qsl(body, keep_blank_values=True))
    if fields.get("grant_type") != "refresh_token":
        return _token_error(
            400,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server",
        )
    for name in ("refresh_token", "client_id", "client_secret"):
        if not fields.get(name):
            return _token_error(400, "invalid_request", f"The request is missing a required parameter : {name}")
    accepted = issuer.accepted
    if fields["client_id"] != accepted.client_id or fields["client_secret"] not in accepted.client_secrets:
        log.info("token refused: invalid_client for %s", redact(fields["client_id"]))
        return _token_error(401, "invalid_client", "Client authentication failed")
    if fields["refresh_token"] not in accepted.refresh_tokens:
        log.info("token refused: invalid_grant for %s", redact(fields["client_id"]))
        return _token_error(400, "invalid_grant", "The request has an invalid grant parameter : refresh_token")
    request.app.state.emulator.store.counters.tokens_issued += 1
    return json_response(
        {
            "access_token": issuer.issue(
                fields["client_id"], hashlib.sha256(fields["refresh_token"].encode()).hexdigest()[:12]
            ),
            "refresh_token": fields["refresh_token"],
            "token_type": "bearer",
            "expires_in": issuer.ttl,
        },
        headers={"Cache-Control": "no-store"},
    )
