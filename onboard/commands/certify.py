"""``onboard certify``: run the catalog, show progress, record the run, cancel everything bought."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING

from onboard import exit_codes
from onboard.commands.common import open_workspace
from onboard.display import counted, shown
from onboard.errors import UsageError
from onboard.labels.formats import NAMES
from onboard.settings import Settings

if TYPE_CHECKING:
    from onboard.certify.runner import CaseResult

_ICONS = {"passed": "✓", "failed": "✗", "skipped": "–", "error": "!"}


def _list(text: str | None, allowed: tuple[str, ...], flag: str) -> tuple[str, ...] | None:
    if text is None:
        return None
    items = tuple(dict.fromkeys(part.strip().upper() for part in text.split(",") if part.strip()))
    unknown = [item for item in items if item not in allowed]
    if unknown or not items:
        raise UsageError(f"{flag} {text!r}: choose from {','.join(allowed)}")
    return items


def run(args: argparse.Namespace) -> int:
    from onboard.certify.catalog import load_catalog  # noqa: PLC0415 - heavy imports only when certifying
    from onboard.certify.session import certify, cleanup  # noqa: PLC0415

    formats = _list(args.formats, NAMES, "--formats")
    dpi_text = _list(args.dpi, ("203", "300"), "--dpi")
    dpis = tuple(int(d) for d in dpi_text) if dpi_text else None
    settings = Settings.from_env()
    workspace = open_workspace(args, settings)
    profile = workspace.state.profile

    if args.cleanup:
        cancelled, failed = asyncio.run(cleanup(workspace, settings))
        for line in cancelled:
            print(f"cancelled {shown(line, None)}")
        for line in failed:
            print(f"could not cancel {shown(line, None)}", file=sys.stderr)
        if not cancelled and not failed:
            print("no label left to cancel")
        return exit_codes.FAILED if failed else exit_codes.OK

    catalog = load_catalog(workspace.path)
    cases = catalog
    if args.case:
        known = {case.id for case in cases}
        unknown = [case_id for case_id in args.case if case_id not in known]
        if unknown:
            raise UsageError(
                f"no case {', '.join(shown(u, 40) for u in unknown)} in the catalog",
                f"cases: {', '.join(sorted(known))}",
            )
        cases = [case for case in cases if case.id in args.case]
    buying = [case for case in cases if case.buys]
    if profile.environment == "production" and buying and not args.allow_production_purchase:
        raise UsageError(
            f"against production, certify buys real labels ({len(buying)} case(s), more with several formats and "
            "dpis), charged to your account until each is cancelled; every label is cancelled at the end of the run",
            "add --allow-production-purchase to go ahead, or run against the sandbox (onboard init --env sandbox)",
        )

    def progress(result: CaseResult) -> None:
        if not args.json:
            print(
                f"  {_ICONS.get(result.status, '?')} {result.id:<6} {result.status:<8} {result.title}"
                f"  ({result.elapsed_ms / 1000:.2f} s)",
                flush=True,
            )
            if result.detail and (result.status != "passed" or result.notes):
                # the detail may quote a server's message: printed escaped, never as it came
                print(f"           {shown(result.detail, 600)}", flush=True)

    outcome = certify(workspace, settings, cases, formats, dpis, progress, announce=not args.json, catalog=catalog)
    # a run that did not go to its end, and one that cannot prove sign-off, say so on stderr under --json
    # (its JSON is the contract) and as the last lines otherwise
    notices = list(outcome.problems)
    if outcome.interrupted:
        # what the stop did, after the "cancelling N labels…" said when it came
        notices.insert(
            0, f"stopped by {outcome.interrupted}: cancelled {counted(outcome.cancelled, 'label')} it had bought"
        )
    if outcome.lacks:
        notices.append("partial: not enough for sign-off; it lacks " + "; ".join(outcome.lacks))
    if args.json:
        print(
            json.dumps(
                {
                    "ok": outcome.ok,
                    "run_id": outcome.run_id,
                    "environment": outcome.environment,
                    "cases": outcome.cases,
                },
                indent=2,
            )
        )
        for notice in notices:
            print(f"onboard: {shown(notice, None)}", file=sys.stderr)
    else:
        counts = {status: sum(c["status"] == status for c in outcome.cases) for status in _ICONS}
        print(
            f"{'passed' if outcome.ok else 'FAILED' if outcome.complete else 'INCOMPLETE'}: "
            + ", ".join(f"{n} {status}" for status, n in counts.items() if n)
            + f"; run {outcome.run_id} recorded in {outcome.record}"
        )
        for notice in notices:
            print(f"  ! {shown(notice, None)}")
    if outcome.interrupted:
        return exit_codes.TERMINATED if outcome.interrupted == "SIGTERM" else exit_codes.INTERRUPTED
    return exit_codes.OK if outcome.ok else exit_codes.FAILED
