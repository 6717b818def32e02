"""``onboard message STEP``: print the RIVER message a step asks for, with the recorded evidence filled in."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date

from onboard import exit_codes
from onboard.checklist.load import checklist
from onboard.checklist.messages import render_message
from onboard.commands.common import open_workspace


def run(args: argparse.Namespace, today: Callable[[], date] = date.today) -> int:
    workspace = open_workspace(args)
    sys.stdout.write(render_message(checklist(), workspace.state, args.step_id, today(), workspace.path))
    return exit_codes.OK
