"""``onboard demo``: the whole journey, headless, against the embedded emulator, in a minute."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from onboard import exit_codes
from onboard.businesses import BUSINESSES
from onboard.display import shown
from onboard.errors import UsageError
from onboard.labels.formats import spelled
from onboard.samples import sample_for
from onboard.settings import Settings
from onboard.workspace.state import Profile, WorkspaceState
from onboard.workspace.workspace import Workspace

if TYPE_CHECKING:
    from onboard.certify.runner import CaseResult

BUSINESS_ID = "AmazonShipping_US"


def _say(number: int, text: str) -> None:
    print(f"[{number}/6] {text}", flush=True)


def run(args: argparse.Namespace) -> int:
    from onboard.certify.catalog import load_catalog  # noqa: PLC0415 - the heavy parts load as the demo reaches them
    from onboard.certify.session import certify  # noqa: PLC0415
    from onboard.pack.build import build_pack  # noqa: PLC0415
    from onboard.pack.review import review_pack  # noqa: PLC0415
    from onboard.verify_workspace import verify_workspace  # noqa: PLC0415

    # the demo always talks to the embedded emulator with its demo credentials: no LWA_ or ONBOARD_ variable
    # of the machine's may send it anywhere else
    settings = Settings()
    path = Path(args.workspace).expanduser() if args.workspace else Path(tempfile.mkdtemp(prefix="onboard-demo-"))
    if Workspace.exists_at(path):
        workspace = Workspace.open(path)
        if workspace.state.profile.environment != "emulator":
            raise UsageError(
                f"{path} is a {workspace.state.profile.environment} workspace",
                "the demo runs against the emulator only",
            )
        _say(1, f"workspace {path} ({workspace.state.profile.business_id}, emulator)")
    else:
        sample = sample_for(BUSINESS_ID)
        profile = Profile.model_validate(
            {
                "shipper_name": "Demo Shipper",
                "business_id": BUSINESS_ID,
                "region": BUSINESSES[BUSINESS_ID].region,
                "environment": "emulator",
                "ship_from": sample.ship_from,
                "ship_to": sample.ship_to,
                "package": sample.package,
            }
        )
        workspace = Workspace(path, WorkspaceState(profile=profile))
        workspace.save()
        _say(1, f"workspace created: {path} ({BUSINESS_ID}, environment emulator)")
    _say(2, "credentials: the emulator's published demo set (not secret); nothing is stored")

    verified = verify_workspace(workspace, settings, via="demo")
    checks = verified.checks
    _say(3, f"credentials verified live: {sum(c.ok for c in checks)} of {len(checks)} checks passed")
    for check in checks:
        if not check.ok:
            print(f"      ✗ {check.name}: {shown(check.detail, None)}")

    cases = load_catalog(workspace.path)
    _say(4, f"certifying: {len(cases)} cases, labels in {spelled('and')} at 203 and 300 dpi")

    def progress(result: CaseResult) -> None:
        print(f"      {result.status:<8} {result.id:<6} {result.title}", flush=True)

    outcome = certify(workspace, settings, cases, None, None, progress)
    print(f"      run {outcome.run_id}: {'passed' if outcome.ok else 'FAILED'}; every label bought was cancelled")

    packed = build_pack(workspace, include_failed=True, settings=settings)
    _say(5, f"sign-off pack: {packed.path}")
    print(f"      manifest sha256 {packed.manifest_sha256}")

    reviewed = review_pack(packed.path)
    _say(
        6,
        f"account manager's review: {'intact' if reviewed.intact else 'NOT INTACT'}; "
        f"{'ok' if reviewed.ok else 'not valid for sign-off (expected: the emulator is not Amazon)'}",
    )
    print()
    print(f"Open {packed.path} (report.pdf, report.html, the labels) or run: onboard review {packed.path}")
    print(
        "For real: onboard init --env sandbox --workspace DIR; onboard creds set; onboard creds verify; "
        "onboard certify; onboard pack"
    )
    return exit_codes.OK if verified.ok and outcome.ok and reviewed.intact else exit_codes.FAILED
