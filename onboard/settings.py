"""Every environment variable onboard reads, read here and nowhere else."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from onboard import masking
from onboard.display import shown
from onboard.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import SecretStr

CREDENTIAL_VARIABLES = ("LWA_CLIENT_ID", "LWA_CLIENT_SECRET", "LWA_REFRESH_TOKEN")


@dataclass(frozen=True, slots=True)
class EnvCredentials:
    client_id: str
    client_secret: SecretStr
    refresh_token: SecretStr


@dataclass(frozen=True, slots=True)
class Settings:
    workspace: Path | None = None
    """``ONBOARD_WORKSPACE``: the shipper's workspace when ``--workspace`` is not given."""
    lwa_url: str | None = None
    """``ONBOARD_LWA_URL``: the full token URL, replacing the region's LWA host (a proxy, a test double)."""
    spapi_url: str | None = None
    """``ONBOARD_SPAPI_URL``: the API base URL, replacing the region's Selling Partner API host."""
    credentials: EnvCredentials | None = None
    """``LWA_CLIENT_ID``, ``LWA_CLIENT_SECRET``, ``LWA_REFRESH_TOKEN``: win over any stored credentials (CI)."""
    new_client_secret: SecretStr | None = None
    """``LWA_NEW_CLIENT_SECRET``: the rotated secret for ``onboard creds rotate`` when it must not prompt."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {name: env.get(name, "").strip() for name in CREDENTIAL_VARIABLES}
        given = [name for name, value in values.items() if value]
        if given and len(given) < len(CREDENTIAL_VARIABLES):
            missing = ", ".join(name for name in CREDENTIAL_VARIABLES if name not in given)
            raise ConfigError(f"{', '.join(given)} set but {missing} not", "set all three LWA_ variables or none")
        new_secret = env.get("LWA_NEW_CLIENT_SECRET", "").strip()
        if given or new_secret:
            # pydantic only when a secret is given: the TUI's first frame loads none of it (onboard.tui.outline)
            from pydantic import SecretStr  # noqa: PLC0415
        credentials = (
            EnvCredentials(
                values["LWA_CLIENT_ID"], SecretStr(values["LWA_CLIENT_SECRET"]), SecretStr(values["LWA_REFRESH_TOKEN"])
            )
            if given
            else None
        )
        workspace = env.get("ONBOARD_WORKSPACE", "").strip()
        # the secret values are masked in everything shown or recorded from here on (onboard.masking)
        for value in (values["LWA_CLIENT_SECRET"], values["LWA_REFRESH_TOKEN"], new_secret):
            masking.register(value)
        return cls(
            workspace=Path(workspace).expanduser() if workspace else None,
            lwa_url=_url(env, "ONBOARD_LWA_URL"),
            spapi_url=_url(env, "ONBOARD_SPAPI_URL"),
            credentials=credentials,
            new_client_secret=SecretStr(new_secret) if new_secret else None,
        )


def _url(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    # a proxy's user and password: used to connect, never shown or recorded (an http(s) URL's userinfo is
    # dropped from any line shown even when this cannot read it)
    with contextlib.suppress(ValueError):
        masking.register_url(value)
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{name} must be an http:// or https:// URL, not '{shown(value, 200)}'")
    why = _unusable(value)
    if why:
        raise ConfigError(f"{name} is not a URL onboard can call ({why}): '{shown(value, 200)}'")
    return value.rstrip("/")


def _unusable(url: str) -> str:
    """Why ``url`` cannot be called ("" when it can): found here, in one line, rather than as an error deep
    inside the HTTP client on the first call."""
    from urllib.parse import urlsplit  # noqa: PLC0415

    import httpx  # noqa: PLC0415 - only when an override is set

    if any(ord(c) < 0x21 or 0x7F <= ord(c) <= 0x9F for c in url):
        return "it holds a space or a control character"
    try:
        parts = urlsplit(url)
        port = parts.port  # a port that is no number, or out of range, raises here
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if not parts.hostname:
        return "it names no host"
    if port == 0:
        return "port 0 is no port to call"
    return ""


def debug_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """``ONBOARD_DEBUG=1``: show the traceback of an unexpected error instead of one line."""
    env = os.environ if environ is None else environ
    return env.get("ONBOARD_DEBUG", "") not in ("", "0")


#: terminals known to draw pictures (Kitty's graphics protocol, Sixel), by what they say of themselves
_PICTURE_TERMS = ("xterm-kitty", "foot", "mlterm", "contour", "wezterm", "xterm-ghostty")
_PICTURE_PROGRAMS = ("WezTerm", "iTerm.app", "ghostty", "vscode", "mintty", "konsole", "contour")


def may_draw_pictures(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the terminal may draw pictures, worth asking it (the TUI's label previews): ``ONBOARD_GRAPHICS=1``
    asks anyway and ``=0`` never; otherwise ``KITTY_WINDOW_ID``, ``TERM`` or ``TERM_PROGRAM`` must name such a
    terminal (asking one that is not costs a timeout at every start)."""
    env = os.environ if environ is None else environ
    wanted = env.get("ONBOARD_GRAPHICS", "").strip()
    if wanted in ("0", "1"):
        return wanted == "1"
    term = env.get("TERM", "")
    return (
        bool(env.get("KITTY_WINDOW_ID"))
        or term.startswith(_PICTURE_TERMS)
        or env.get("TERM_PROGRAM", "") in _PICTURE_PROGRAMS
    )
