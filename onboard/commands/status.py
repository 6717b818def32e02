"""``onboard status``: every step of onboarding, what is due or overdue, and what to do next."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date

from onboard import exit_codes
from onboard.checklist.load import checklist
from onboard.checklist.progress import progress
from onboard.checklist.report import status_json, status_text
from onboard.commands.common import open_workspace


def run(args: argparse.Namespace, today: Callable[[], date] = date.today) -> int:
    workspace = open_workspace(args)
    steps = checklist()
    where = progress(steps, workspace.state, today())
    if args.json:
        print(json.dumps(status_json(where), indent=2, ensure_ascii=False))
    else:
        print(status_text(steps, workspace.state, where))
    return exit_codes.OK
