"""The demo credential set the emulator accepts when none is given. Not secret: printed and documented."""

from __future__ import annotations

from dataclasses import dataclass, field

DEMO_CLIENT_ID = "amzn1.application-oa2-client.0nb0a4dde70000000000000000000000"
DEMO_CLIENT_SECRET = "onboard-demo-client-secret"  # noqa: S105 - a published demo value, not a secret
DEMO_REFRESH_TOKEN = "Atzr|onboard-demo-refresh-token"  # noqa: S105 - a published demo value


@dataclass(slots=True)
class AcceptedCredentials:
    """What the emulator's token endpoint accepts. Several secrets model a rotation's 7-day overlap."""

    client_id: str = DEMO_CLIENT_ID
    client_secrets: set[str] = field(default_factory=lambda: {DEMO_CLIENT_SECRET})
    refresh_tokens: set[str] = field(default_factory=lambda: {DEMO_REFRESH_TOKEN})

    @property
    def is_demo(self) -> bool:
        return (
            self.client_id == DEMO_CLIENT_ID
            and self.client_secrets == {DEMO_CLIENT_SECRET}
            and self.refresh_tokens == {DEMO_REFRESH_TOKEN}
        )
