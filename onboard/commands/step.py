"""``onboard step ID``: show a step, or record its status, evidence or a note (saved at once, audited)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from onboard import exit_codes
from onboard.checklist.load import checklist
from onboard.checklist.progress import progress
from onboard.checklist.record import Change, apply_change, find_step, parse_evidence
from onboard.checklist.report import step_card
from onboard.commands.common import open_workspace, workspace_dir
from onboard.credentials.store import know_stored_secrets
from onboard.settings import Settings
from onboard.workspace.workspace import Workspace, locked


def _utc_now() -> datetime:
    return datetime.now(UTC)


def run(args: argparse.Namespace, now: Callable[[], datetime] = _utc_now) -> int:
    steps = checklist()
    change = Change(status=args.status, evidence=parse_evidence(args.evidence), note=args.note)
    find_step(steps, args.step_id)
    if change == Change():
        workspace = open_workspace(args)
        today = now().astimezone().date()
        print(step_card(steps, workspace.state, progress(steps, workspace.state, today), args.step_id))
        return exit_codes.OK

    settings = Settings.from_env()
    path = workspace_dir(args, settings)
    with locked(path):
        workspace = Workspace.open(path)
        if change.evidence or change.note:
            know_stored_secrets(settings, workspace.state.workspace_id)
        moment = now()
        applied = apply_change(steps, workspace.state, args.step_id, change, moment)
        if applied.entries:
            workspace.save()
    for warning in applied.warnings:
        print(f"onboard: warning: {warning}", file=sys.stderr)

    if not applied.entries:
        print(f"{args.step_id}: nothing changed")
    else:
        # this step's changes first, then those its change caused elsewhere (a review reopened)
        entries = sorted(applied.entries, key=lambda entry: entry.step != args.step_id)
        labels = [entry.field if entry.step == args.step_id else f"{entry.step}: {entry.field}" for entry in entries]
        width = max(map(len, labels))
        print(f"recorded {args.step_id}:")
        for label, entry in zip(labels, entries, strict=True):
            what = entry.new if entry.field == "note" else f"{entry.old or '—'} → {entry.new or '—'}"
            print(f"  {label:<{width}}  {what}")
    upcoming = progress(steps, workspace.state, moment.astimezone().date()).next
    if upcoming is None:
        print("Every step is done.")
    else:
        print(f"Next: {upcoming.id} — {upcoming.step.title}")
        print(f"  {upcoming.action}")
        for command in upcoming.commands:
            print(f"  $ {command}")
    return exit_codes.OK
