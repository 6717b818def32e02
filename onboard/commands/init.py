"""``onboard init``: create (or update) a shipper's workspace without asking anything."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from onboard import exit_codes
from onboard.businesses import BUSINESSES
from onboard.commands.common import workspace_dir
from onboard.display import shown
from onboard.errors import ConfigError, UsageError
from onboard.labels.formats import NAMES
from onboard.samples import sample_for
from onboard.settings import Settings
from onboard.workspace.state import Profile, WorkspaceState
from onboard.workspace.workspace import Workspace, locked


def _choices(text: str | None, allowed: tuple[str, ...], flag: str) -> list[str] | None:
    if text is None:
        return None
    items = list(dict.fromkeys(part.strip().upper() for part in text.split(",") if part.strip()))
    if not items or any(item not in allowed for item in items):
        raise UsageError(f"{flag} {text!r}: choose from {','.join(allowed)}")
    return items


def _printing(args: argparse.Namespace) -> dict[str, object]:
    """What the shipper prints, as given (--formats, --dpi): sign-off needs a passing label of each."""
    formats = _choices(getattr(args, "formats", None), NAMES, "--formats")
    dpis = _choices(getattr(args, "dpi", None), ("203", "300"), "--dpi")
    found: dict[str, object] = {}
    if formats:
        found["label_formats"] = formats
    if dpis:
        found["label_dpis"] = [int(d) for d in dpis]
    return found


def run(args: argparse.Namespace) -> int:
    _printing(args)  # a wrong value is refused before anything is created
    settings = Settings.from_env()
    path = workspace_dir(args, settings)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot use {path} as a workspace: {exc.strerror}") from None
    with locked(path):
        return _init(args, path)


def _init(args: argparse.Namespace, path: Path) -> int:
    if Workspace.exists_at(path):
        workspace = Workspace.open(path)
        profile = workspace.state.profile
        changes: dict[str, object] = {}
        if args.business_id and args.business_id != profile.business_id:
            sample = sample_for(args.business_id)
            changes |= {
                "business_id": args.business_id,
                "region": BUSINESSES[args.business_id].region,
                "ship_from": sample.ship_from,
                "ship_to": sample.ship_to,
                "package": sample.package,
            }
        if args.region:
            changes["region"] = args.region
        if args.env:
            changes["environment"] = args.env
        if args.shipper:
            changes["shipper_name"] = args.shipper
        changes |= _printing(args)
        workspace.state.profile = Profile.model_validate(profile.model_dump() | changes)
        verb = "updated" if changes else "unchanged"
    else:
        business_id = args.business_id or "AmazonShipping_US"
        sample = sample_for(business_id)
        profile = Profile.model_validate(
            {
                "shipper_name": args.shipper or "My company",
                "business_id": business_id,
                "region": args.region or BUSINESSES[business_id].region,
                "environment": args.env or "emulator",
                "ship_from": sample.ship_from,
                "ship_to": sample.ship_to,
                "package": sample.package,
                **_printing(args),
            }
        )
        workspace = Workspace(path, WorkspaceState(profile=profile))
        verb = "created"
    workspace.save()
    profile = workspace.state.profile
    expected = BUSINESSES[profile.business_id].region
    print(f"workspace {verb}: {path}")
    print(f"  shipper       {shown(profile.shipper_name)}")
    print(f"  business id   {profile.business_id} (sends x-amzn-shipping-business-id on every call)")
    print(f"  region        {profile.region}")
    print(f"  environment   {profile.environment}")
    print(
        f"  labels        {', '.join(profile.label_formats)} at {', '.join(map(str, profile.label_dpis))} dpi "
        "(what you will print: sign-off needs each; change with --formats and --dpi)"
    )
    print(f"  sample        {profile.ship_from.city} -> {profile.ship_to.city}, edit in {workspace.state_file}")
    if profile.region != expected:
        print(
            f"onboard: warning: {profile.business_id} is served from region {expected}, not {profile.region}",
            file=sys.stderr,
        )
    return exit_codes.OK
