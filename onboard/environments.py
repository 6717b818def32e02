"""Where a workspace's calls go, and with which credentials.

``emulator``: the embedded emulator, started on a free loopback port for as long as it is needed; it
accepts the user's own credentials when they set some, else the published demo set.
``sandbox`` / ``production``: Amazon's hosts for the workspace's region.
``ONBOARD_LWA_URL`` / ``ONBOARD_SPAPI_URL``: replace those hosts, for any Amazon-compatible server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pydantic import SecretStr

from onboard.credentials.model import Credentials
from onboard.credentials.store import CredentialStore, resolve
from onboard.errors import ConfigError
from onboard.settings import Settings
from onboard.spapi.endpoints import Endpoints, amazon
from onboard.workspace.state import Profile


class NoCredentials(ConfigError):
    """Amazon (or a custom endpoint) needs the shipper's credentials, and none are in force."""


@dataclass(frozen=True, slots=True)
class Connection:
    endpoints: Endpoints
    credentials: Credentials


def _required(credentials: Credentials | None, endpoints: Endpoints) -> Credentials:
    if credentials is None:
        raise NoCredentials(
            f"no LWA credentials for {endpoints.describe()}",
            "run 'onboard creds set', or set LWA_CLIENT_ID, LWA_CLIENT_SECRET and LWA_REFRESH_TOKEN",
        )
    return credentials


@contextmanager
def connect(
    profile: Profile, settings: Settings, workspace_id: str, store: CredentialStore | None = None
) -> Iterator[Connection]:
    credentials = resolve(settings, workspace_id, store)
    if settings.lwa_url or settings.spapi_url:
        default = amazon(profile.region, "production" if profile.environment == "production" else "sandbox")
        endpoints = Endpoints(
            settings.lwa_url or default.lwa_url,
            settings.spapi_url or default.api_url,
            profile.environment,
            profile.region,
            custom=True,
        )
        yield Connection(endpoints, _required(credentials, endpoints))
        return
    if profile.environment == "sandbox" or profile.environment == "production":  # noqa: PLR1714 - narrows for mypy
        endpoints = amazon(profile.region, profile.environment)
        yield Connection(endpoints, _required(credentials, endpoints))
        return

    # the emulator is imported only here: Amazon-bound runs never load Starlette or uvicorn
    from onboard.emulator.app import EmulatorSettings  # noqa: PLC0415
    from onboard.emulator.credentials import (  # noqa: PLC0415
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        DEMO_REFRESH_TOKEN,
        AcceptedCredentials,
    )
    from onboard.emulator.server import EmulatorServer  # noqa: PLC0415

    if credentials is None:
        credentials = Credentials(DEMO_CLIENT_ID, SecretStr(DEMO_CLIENT_SECRET), SecretStr(DEMO_REFRESH_TOKEN), "demo")
    accepted = AcceptedCredentials(
        client_id=credentials.client_id,
        client_secrets={credentials.client_secret.get_secret_value()},
        refresh_tokens={credentials.refresh_token.get_secret_value()},
    )
    with EmulatorServer(EmulatorSettings(credentials=accepted)) as server:
        endpoints = Endpoints(f"{server.url}/auth/o2/token", server.url, "emulator", profile.region)
        yield Connection(endpoints, credentials)
