"""``onboard pack`` and ``onboard review``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from onboard import exit_codes
from onboard.commands.common import open_workspace
from onboard.settings import Settings


def build(args: argparse.Namespace) -> int:
    from onboard.pack.build import build_pack  # noqa: PLC0415 - reportlab, pypdf and PDFium only when packing

    settings = Settings.from_env()
    workspace = open_workspace(args, settings)
    result = build_pack(workspace, Path(args.out) if args.out else None, args.include_failed, settings)
    print(f"pack written: {result.path}")
    print(f"  run           {result.run_id}")
    print(f"  files         {result.files} (report.pdf, report.html, run.json, labels/, manifest.json)")
    print(f"  manifest      sha256 {result.manifest_sha256}")
    print("  send the account manager the zip, and the manifest digest above by another channel")
    if not result.made_against_amazon:
        print("  NOT FROM AMAZON — not valid for sign-off: this run was made against the emulator or a custom endpoint")
    return exit_codes.OK


def review(args: argparse.Namespace) -> int:
    from onboard.pack.review import review_pack  # noqa: PLC0415

    result = review_pack(Path(args.file))
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        verdict = "OK: intact, passed and made against Amazon" if result.ok else "NOT OK"
        print(f"{args.file}: {verdict}")
        print(f"  {'intact: every file matches its SHA-256' if result.intact else 'NOT INTACT'}")
        for line in result.summary_lines():
            print(f"  {line}")
        for problem in result.problems:
            print(f"  ! {problem}")
    return exit_codes.OK if result.ok else exit_codes.FAILED
