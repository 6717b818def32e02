"""``onboard revalidate [--json] [--pack FILE.zip] [--all DIR]``: unattended, for cron and CI."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from onboard import exit_codes
from onboard.commands.common import workspace_dir
from onboard.display import shown
from onboard.errors import UsageError
from onboard.settings import Settings

MAX_PARALLEL = 20


def _human(result: object) -> None:
    from onboard.revalidation import Revalidation  # noqa: PLC0415

    assert isinstance(result, Revalidation)
    print(f"{result.workspace}: {'OK' if result.ok else 'NOT OK'}")
    if result.error:
        print(f"  ! {shown(result.error, None)}")
    creds = result.credentials
    if creds:
        print(f"  credentials    {'verified' if creds['ok'] else 'FAILED'}")
        for check in creds["checks"]:
            if not check["ok"]:
                print(f"    ✗ {check['name']}: {shown(check['detail'], None)}")
                if check["hint"]:
                    print(f"      → {shown(check['hint'], None)}")
    cert = result.certification
    if cert.get("run_id"):
        counts: dict[str, int] = {}
        for case in cert["cases"]:
            counts[case["status"]] = counts.get(case["status"], 0) + 1
        print(
            f"  certification  run {cert['run_id']}: "
            + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
            + f"; compared with {cert['compared_with'] or 'no earlier passing run'}"
        )
    for change in result.changes:
        print(f"  change         {change['case']}: {shown(change['before'], None)} → {shown(change['after'], None)}")
    if not result.changes and cert.get("run_id"):
        print(
            "  change         none since the last passing run"
            if cert.get("compared_with")
            else "  change         none: no earlier passing run to compare with"
        )
    for warning in result.warnings:
        print(f"  warning        {shown(warning, None)}")
    if result.pack:
        print(f"  pack           {result.pack}")


def run(args: argparse.Namespace) -> int:
    from onboard.revalidation import revalidate, revalidate_all  # noqa: PLC0415 - the whole stack loads only when needed

    settings = Settings.from_env()
    if args.all_dir:
        if args.pack:
            raise UsageError("--pack goes with one workspace, not --all")
        root = Path(args.all_dir).expanduser()
        paths = sorted(p.parent for p in root.glob("*/workspace.json"))
        if (root / "workspace.json").is_file():
            paths.insert(0, root)
        if not paths:
            raise UsageError(
                f"no workspace under {root}", "each shipper's workspace is a folder holding workspace.json"
            )
        # each workspace in its own thread, with its own event loop and its own pacing to the usage plan
        results = revalidate_all(paths, settings, MAX_PARALLEL)
        ok = all(r.ok for r in results)
        if args.json:
            print(
                json.dumps(
                    {"ok": ok, "workspaces": [{"workspace": str(r.workspace), **r.to_json()} for r in results]},
                    indent=2,
                )
            )
        else:
            width = max(len(str(r.workspace)) for r in results)
            print(f"{'workspace':<{width}}  result  credentials  certification  changes  warnings")
            for r in results:
                cert = r.certification
                print(
                    f"{r.workspace!s:<{width}}  {'ok' if r.ok else 'NOT OK':<6}  "
                    f"{'verified' if r.credentials.get('ok') else 'FAILED':<11}  "
                    f"{('passed' if cert.get('ok') else 'FAILED') if cert else '-':<13}  {len(r.changes):<7}  "
                    f"{'; '.join(r.warnings) or r.error or ''}"
                )
            print(f"{sum(r.ok for r in results)} of {len(results)} workspaces ok")
        return exit_codes.OK if ok else exit_codes.FAILED

    result = revalidate(workspace_dir(args, settings), settings, Path(args.pack) if args.pack else None)
    if result.error and not result.credentials:
        raise UsageError(result.error)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        _human(result)
    return exit_codes.OK if result.ok else exit_codes.FAILED
