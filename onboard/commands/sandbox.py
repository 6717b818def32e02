"""``onboard sandbox serve``: the emulator in the foreground, for integrators' own clients."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from onboard import exit_codes
from onboard.emulator.app import Emulator, EmulatorSettings, create_app
from onboard.emulator.credentials import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
    AcceptedCredentials,
)
from onboard.emulator.faults import FaultSpec, FaultSpecError
from onboard.emulator.server import bind, serve_forever, url_of
from onboard.errors import UsageError
from onboard.redact import redact


def _settings(args: argparse.Namespace) -> EmulatorSettings:
    try:
        faults = FaultSpec.parse(args.faults)
    except FaultSpecError as exc:
        raise UsageError(f"--faults: {exc}") from None
    if args.token_ttl < 1:
        raise UsageError("--token-ttl must be at least 1 second")
    for flag, values in (("--client-secret", args.client_secret), ("--refresh-token", args.refresh_token)):
        if values is not None and not all(v.strip() for v in values):
            raise UsageError(f"{flag} must not be empty")
    if args.client_id is not None and not args.client_id.strip():
        raise UsageError("--client-id must not be empty")
    credentials = AcceptedCredentials(
        client_id=args.client_id or DEMO_CLIENT_ID,
        client_secrets=set(args.client_secret or [DEMO_CLIENT_SECRET]),
        refresh_tokens=set(args.refresh_token or [DEMO_REFRESH_TOKEN]),
    )
    if args.state is not None and not args.state.strip():
        raise UsageError("--state must not be empty")
    return EmulatorSettings(
        credentials=credentials,
        faults=faults,
        has_role=not args.no_role,
        token_ttl=args.token_ttl,
        state_file=Path(args.state).expanduser() if args.state else None,
    )


def _state(settings: EmulatorSettings, emulator: Emulator) -> str:
    if settings.state_file is None:
        return "memory only (lost when stopped)"
    shipments, still_open = len(emulator.store.shipments), len(emulator.store.open_shipments())
    return f"{settings.state_file} ({shipments} shipment{'' if shipments == 1 else 's'}, {still_open} open)"


def _banner(settings: EmulatorSettings, emulator: Emulator, url: str) -> str:
    creds = settings.credentials
    if creds.is_demo:
        accepted = (
            "the demo set:\n"
            f"    LWA_CLIENT_ID={DEMO_CLIENT_ID}\n"
            f"    LWA_CLIENT_SECRET={DEMO_CLIENT_SECRET}\n"
            f"    LWA_REFRESH_TOKEN='{DEMO_REFRESH_TOKEN}'"
        )
    else:
        accepted = f"client id {redact(creds.client_id)}; the secrets and refresh tokens given (not shown)"
    role = "present" if settings.has_role else "MISSING (--no-role): Shipping calls answer 403"
    return "\n".join(
        [
            "onboard emulator of Login with Amazon and Amazon Shipping v2 (not Amazon; labels are not real)",
            f"  base URL      {url}",
            f"  token URL     {url}/auth/o2/token",
            f"  accepts       {accepted}",
            f"  faults        {settings.faults.describe()}",
            f"  role          Amazon Logistics {role}",
            f"  state         {_state(settings, emulator)}",
            f"  point a client at it: ONBOARD_LWA_URL={url}/auth/o2/token ONBOARD_SPAPI_URL={url}",
            "Ctrl+C stops it.",
        ]
    )


def serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (0 to 65535)")
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    # built before the port is taken, so that a bad state file fails first, warnings logged
    app = create_app(settings)
    emulator: Emulator = app.state.emulator
    try:
        sock = bind(args.host, args.port)
        print(_banner(settings, emulator, url_of(sock)), flush=True)
        serve_forever(app, sock)
    finally:
        emulator.close()
    print("emulator stopped", flush=True)
    return exit_codes.OK
