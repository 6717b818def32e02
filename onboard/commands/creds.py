"""``onboard creds set | show | forget | verify``."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from datetime import date

from pydantic import SecretStr

from onboard import exit_codes
from onboard.commands.common import open_workspace
from onboard.credentials.model import Credentials, problems
from onboard.credentials.store import default_store, resolve
from onboard.display import shown
from onboard.environments import connect
from onboard.errors import OnboardError, UsageError
from onboard.settings import Settings
from onboard.spapi.endpoints import Endpoints


def _secret_created(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        created = date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--secret-created '{text}' is not a date", "use YYYY-MM-DD") from None
    if created > date.today():
        raise UsageError(f"--secret-created {text} is in the future")
    return created


def _typed() -> tuple[str, str, str]:
    if not sys.stdin.isatty():
        raise UsageError(
            "no terminal to ask for the credentials on",
            "set LWA_CLIENT_ID, LWA_CLIENT_SECRET and LWA_REFRESH_TOKEN, then run 'onboard creds set'",
        )
    client_id = input("LWA client id (amzn1.application-oa2-client.…): ").strip()
    secret = getpass.getpass("LWA client secret (hidden): ").strip()
    refresh = getpass.getpass("LWA refresh token (Atzr|…, hidden): ").strip()
    return client_id, secret, refresh


def set_(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    workspace = open_workspace(args, settings)
    created = _secret_created(args.secret_created)
    if settings.credentials is not None:
        env = settings.credentials
        client_id, secret, refresh = (
            env.client_id,
            env.client_secret.get_secret_value(),
            env.refresh_token.get_secret_value(),
        )
        origin = "from LWA_CLIENT_ID, LWA_CLIENT_SECRET and LWA_REFRESH_TOKEN"
    else:
        client_id, secret, refresh = _typed()
        origin = "as typed"
    found = problems(client_id, secret, refresh)
    if found:
        raise UsageError(found[0], "nothing was stored")
    store = default_store()
    credentials = Credentials(client_id, SecretStr(secret), SecretStr(refresh), "file", created)
    store.save(workspace.state.workspace_id, credentials)
    print(f"credentials stored ({origin}) in {store.name}")
    print(f"  workspace     {workspace.path}")
    print(f"  client id     {credentials.describe()['client_id']}")
    print(f"  secret made   {created}; rotate by {credentials.rotation_deadline()} (Amazon's 180-day rule)")
    return exit_codes.OK


def show(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    workspace = open_workspace(args, settings)
    store = default_store()
    credentials = resolve(settings, workspace.state.workspace_id, store)
    where = "LWA_ environment variables" if settings.credentials else store.name
    if args.json:
        body = {"store": where, "credentials": credentials.describe() if credentials else None}
        print(json.dumps(body, indent=2))
    elif credentials is None:
        print(f"no credentials for {workspace.path} (store: {store.name})")
        print("  set them with 'onboard creds set', or the LWA_ environment variables")
    else:
        print(f"credentials from {where}")
        for key, value in credentials.describe().items():
            if key != "source":
                print(f"  {key.replace('_', ' '):<18}{value if value is not None else '(not recorded)'}")
    return exit_codes.OK if credentials else exit_codes.FAILED


def forget(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    workspace = open_workspace(args, settings)
    store = default_store()
    gone = store.forget(workspace.state.workspace_id)
    print(f"{'forgot the credentials stored' if gone else 'no credentials were stored'} in {store.name}")
    if settings.credentials:
        print("  the LWA_ environment variables are still set, and still used")
    return exit_codes.OK


def verify(args: argparse.Namespace) -> int:
    from onboard.verify_workspace import verify_workspace  # noqa: PLC0415 - loads httpx only when verifying

    settings = Settings.from_env()
    workspace = open_workspace(args, settings)

    def connected(endpoints: Endpoints) -> None:
        if not args.json:
            print(f"verifying {endpoints.describe()}", flush=True)

    result = verify_workspace(workspace, settings, via="creds verify", connected=connected)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        for check in result.checks:
            # a check's detail often quotes the server: one line, escaped, secrets masked
            print(f"  {'✓' if check.ok else '✗'} {check.name:<24}{shown(check.detail, None)}")
            if check.hint:
                print(f"    {'':<24}→ {shown(check.hint, None)}")
        print("all checks passed" if result.ok else "some checks failed")
        if result.recorded:
            print("  step credentials-verified recorded as done (onboard status)")
    return exit_codes.OK if result.ok else exit_codes.FAILED


def rotate(args: argparse.Namespace) -> int:
    from onboard.credentials.model import GRACE_DAYS  # noqa: PLC0415
    from onboard.spapi.errors import SpApiError  # noqa: PLC0415

    settings = Settings.from_env()
    workspace = open_workspace(args, settings)
    store = default_store()
    current = resolve(settings, workspace.state.workspace_id, store)
    if current is None:
        raise UsageError("no credentials to rotate", "store them first with 'onboard creds set'")
    if settings.new_client_secret is not None:
        new_secret = settings.new_client_secret.get_secret_value()
    elif sys.stdin.isatty():
        new_secret = getpass.getpass("new LWA client secret (hidden): ").strip()
    else:
        raise UsageError("no terminal to ask for the new secret on", "set LWA_NEW_CLIENT_SECRET")
    found = problems(current.client_id, new_secret, current.refresh_token.get_secret_value())
    if found:
        raise UsageError(found[0], "nothing was changed")
    if new_secret == current.client_secret.get_secret_value():
        raise UsageError(
            "the new client secret is the one already stored", "copy the rotated secret from Developer Central"
        )
    candidate = Credentials(
        current.client_id, SecretStr(new_secret), current.refresh_token, current.source, date.today()
    )

    profile = workspace.state.profile
    with connect(profile, settings, workspace.state.workspace_id, store) as connection:
        # the embedded emulator knows only the stored secret: a new one can be checked against a real endpoint
        if connection.endpoints.environment == "emulator" and not connection.endpoints.custom:
            raise UsageError(
                "the embedded emulator knows only the stored secret", "rotate against sandbox or production"
            )
        try:
            asyncio.run(_token_with(connection.endpoints, candidate, profile.business_id))
        except SpApiError as error:
            if _says_nothing_of_the_secret(error):
                # a 5xx, a 429, no answer: Login with Amazon could not judge it, so neither can onboard
                print(f"onboard: the new secret could not be checked: {error.one_line()}", file=sys.stderr)
                print("  the stored secret is unchanged and still in use; rotate again later", file=sys.stderr)
            else:
                print(f"onboard: the new secret does not work: {error.one_line()}", file=sys.stderr)
                print("  the stored secret is unchanged and still in use", file=sys.stderr)
            return exit_codes.FAILED
    deadline = candidate.rotation_deadline()
    grace = date.today().toordinal() + GRACE_DAYS
    if current.source == "environment":
        print("the new secret works; the credentials come from LWA_ variables: set LWA_CLIENT_SECRET to it there")
    else:
        store.save(workspace.state.workspace_id, candidate)
        print(f"the new secret works and replaced the old one in {store.name}")
    print(f"  rotated on    {date.today()}")
    print(f"  next deadline {deadline} (Amazon's 180-day rotation)")
    print(
        f"  old secret    keeps working until about {date.fromordinal(grace)} (7 days): update every deployment by then"
    )
    return exit_codes.OK


async def _token_with(endpoints: Endpoints, credentials: Credentials, business_id: str) -> None:
    """A token exchange with these credentials: what proves a client secret works."""
    from onboard.spapi.client import ShippingClient  # noqa: PLC0415
    from onboard.verification import VERIFY_POLICY, VERIFY_SECONDS  # noqa: PLC0415

    # a person is waiting, as for creds verify: a verdict within seconds whatever the token URL does
    async with ShippingClient(
        endpoints, credentials, business_id, policy=VERIFY_POLICY, total_seconds=VERIFY_SECONDS
    ) as client:
        await client.tokens.get()


def _says_nothing_of_the_secret(error: OnboardError) -> bool:
    """Whether a failed token exchange leaves the secret unjudged: LWA failed, throttled, or never answered."""
    from onboard.spapi.errors import ConnectionFailure, TokenExchangeError  # noqa: PLC0415

    if isinstance(error, ConnectionFailure):
        return True
    return isinstance(error, TokenExchangeError) and (error.status == 429 or error.status >= 500)
