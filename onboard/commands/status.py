"""``onboard status``: every step of onboarding, what is due or overdue, and what to do next."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date

from onboard import exit_codes
from onboard.checklist.load import checklist
from onboard.checklist.progress import progress
from onboard.checklist.report import status_json, status_text
from onboard.commands.common import open_workspace
from onboard.credentials.rotation import rotation_warning
from onboard.settings import Settings


def run(args: argparse.Namespace, today: Callable[[], date] = date.today) -> int:
    workspace = open_workspace(args)
    steps = checklist()
    where = progress(steps, workspace.state, today())
    warning = rotation_warning(workspace, Settings.from_env(), today())
    if args.json:
        print(json.dumps(status_json(where), indent=2, ensure_ascii=False))
        if warning:
            # the JSON keeps its keys; the warning goes where a cron job's mail will show it
            print(f"onboard: warning: {warning}", file=sys.stderr)
    else:
        print(status_text(steps, workspace.state, where))
        if warning:
            print(f"\n! {warning} (onboard creds rotate)")
    return exit_codes.OK
