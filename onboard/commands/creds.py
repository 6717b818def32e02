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
from onboard.environments import connect
from onboard.errors import UsageError
from onboard.settings import Settings


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
    from onboard.verification import verify as run_checks  # noqa: PLC0415 - loads httpx only when verifying

    settings = Settings.from_env()
    workspace = open_workspace(args, settings)
    store = default_store()
    profile = workspace.state.profile
    with connect(profile, settings, workspace.state.workspace_id, store) as connection:
        if not args.json:
            print(f"verifying {connection.endpoints.describe()}", flush=True)
        checks = asyncio.run(run_checks(profile, connection, date.today(), store.name))
    ok = all(check.ok for check in checks)
    if args.json:
        print(json.dumps({"ok": ok, "checks": [c.to_json() for c in checks]}, indent=2))
    else:
        for check in checks:
            print(f"  {'✓' if check.ok else '✗'} {check.name:<24}{check.detail}")
            if check.hint:
                print(f"    {'':<24}→ {check.hint}")
        print("all checks passed" if ok else "some checks failed")
    return exit_codes.OK if ok else exit_codes.FAILED
