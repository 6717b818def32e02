"""``onboard pack`` and ``onboard review``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from onboard import exit_codes
from onboard.commands.common import open_workspace
from onboard.display import shown
from onboard.errors import OnboardError
from onboard.settings import Settings

if TYPE_CHECKING:
    from onboard.pack.review import ReviewResult


def build(args: argparse.Namespace) -> int:
    from onboard.pack.build import build_pack  # noqa: PLC0415 - reportlab, pypdf and PDFium only when packing

    settings = Settings.from_env()
    workspace = open_workspace(args, settings)
    result = build_pack(workspace, Path(args.out) if args.out else None, args.include_failed, settings)
    print(f"pack written: {result.path}")
    if result.kept is not None:
        # a digest already sent for the earlier pack must still match it: nothing is ever written over
        print(f"  note          {result.kept} already existed and is kept as it was; this pack has its own name")
    print(f"  run           {result.run_id}")
    print(f"  files         {result.files} (report.pdf, report.html, run.json, labels/, manifest.json)")
    print(f"  manifest      sha256 {result.manifest_sha256}")
    print("  send the account manager the zip, and the manifest digest above by another channel")
    if not result.made_against_amazon:
        print("  NOT FROM AMAZON — not valid for sign-off: this run was made against the emulator or a custom endpoint")
    return exit_codes.OK


def _packs(paths: list[str]) -> list[tuple[Path, str | None]]:
    """Each pack to review: the zips named, and the zips in each folder named (not below it); a folder with
    none is an error of its own, reported with the packs."""
    found: list[tuple[Path, str | None]] = []
    for text in paths:
        path = Path(text).expanduser()
        if path.is_dir():
            zips = sorted(p for p in path.iterdir() if p.suffix == ".zip" and not p.name.startswith("."))
            found += [(zip_, None) for zip_ in zips]
            if not zips:
                found.append((path, f"{path} holds no .zip: no pack to review"))
        else:
            found.append((path, None))
    return found


def review(args: argparse.Namespace) -> int:
    from onboard.pack.review import PackUnreadable, review_pack  # noqa: PLC0415

    paths: list[str] = args.paths
    single = Path(paths[0]).expanduser()
    if len(paths) == 1 and not single.is_dir():
        return _review_one(single, args.json)

    reviewed: list[tuple[Path, ReviewResult | None, str]] = []
    for path, error in _packs(paths):
        if error is not None:
            reviewed.append((path, None, error))
            continue
        try:
            reviewed.append((path, review_pack(path), ""))
        except (PackUnreadable, OnboardError) as failure:  # one unreadable pack never stops the others
            reviewed.append((path, None, failure.one_line()))
    if args.json:
        body = [
            {"readable": True, **result.to_json()}
            if result is not None
            else {"readable": False, "pack": str(path), "ok": False, "error": error}
            for path, result, error in reviewed
        ]
        print(json.dumps(body, indent=2))
    else:
        _table(reviewed)
    if any(result is None for _, result, _ in reviewed):
        return exit_codes.USAGE
    return exit_codes.OK if all(result and result.ok for _, result, _ in reviewed) else exit_codes.FAILED


def _table(reviewed: list[tuple[Path, ReviewResult | None, str]]) -> None:
    """One line per pack, its verdict first: a long or crafted name (a pack's file name, its shipper) is
    escaped and cut, so it can neither push the verdict out of sight nor write one of its own."""
    header = ("verdict", "pack", "shipper", "business id", "environment", "run date", "coverage", "first problem")
    rows = []
    for path, result, error in reviewed:
        if result is None:
            rows.append(("UNREADABLE", shown(path.name, 40), "-", "-", "-", "-", "-", shown(error, 140)))
            continue
        run = result.run
        finished = run.finished.strftime("%Y-%m-%d") if run and run.finished else "-"
        rows.append(
            (
                "ok" if result.ok else "NOT OK",
                shown(path.name, 40),
                shown(result.manifest.shipper if result.manifest else "?", 30),
                shown(run.business_id, 24) if run else "?",
                shown(result.environment, 12),
                finished,
                result.coverage_text(),
                shown(result.problems[0], 140) if result.problems else "",
            )
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        print("  ".join(f"{cell:<{width}}" for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    ok = sum(1 for _, result, _ in reviewed if result and result.ok)
    unreadable = sum(1 for _, result, _ in reviewed if result is None)
    print(f"{len(reviewed)} pack(s): {ok} ok, {len(reviewed) - ok - unreadable} not ok, {unreadable} unreadable")


def _review_one(path: Path, as_json: bool) -> int:
    from onboard.pack.review import review_pack  # noqa: PLC0415

    try:
        result = review_pack(path)
    except OnboardError as failure:
        if as_json:  # a script reading stdout gets its object too; the line goes to stderr as ever
            print(json.dumps({"readable": False, "pack": str(path), "ok": False, "error": failure.one_line()}))
        raise
    if as_json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        # "by its record": what Amazon answered is Amazon's to confirm (the ids below), not this review's
        verdict = (
            "OK: intact, consistent, every requirement passed, made against Amazon by its record"
            if result.ok
            else "NOT OK"
        )
        print(f"{verdict}: {shown(path, 200)}")  # the verdict first: nothing in a name can push it away
        print(f"  {'intact: every file matches its SHA-256' if result.intact else 'NOT INTACT'}")
        agree = "consistent: manifest, labels and reports agree with the run"
        print(f"  {agree if result.consistent else 'NOT CONSISTENT'}")
        for line in result.summary_lines():
            print(f"  {shown(line, None)}")
        for problem in result.problems:
            print(f"  ! {shown(problem, None)}")
    return exit_codes.OK if result.ok else exit_codes.FAILED
