"""Re-validation after a rotation (or any change): verify, certify again, compare with the last pass.

Who calls it: ``onboard revalidate`` (one workspace, or ``--all DIR`` in threads, every verify first)
from cron or CI. It never prompts. The comparison is per case (same, fixed, regressed), per label spec (formats and dpis
bought), and per error code (codes the new run met that the last passing run never did), so an operator
is paged only when something really changed, and told what.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from onboard.certify.catalog import load_catalog
from onboard.certify.record import RUNS, RunRecord, read_run, valid_run_id
from onboard.certify.session import certify
from onboard.credentials.rotation import rotation_warning
from onboard.errors import OnboardError
from onboard.settings import Settings
from onboard.verification import UNATTENDED_VERIFY_SECONDS
from onboard.verify_workspace import verify_workspace
from onboard.workspace.workspace import Workspace

#: error codes every catalog run meets on purpose (validation, auth, double cancel, expired quote, throttling)
EXPECTED_CODES = frozenset({"InvalidRequest", "InvalidInput", "Unauthorized", "TOKEN_EXPIRED", "QuotaExceeded"})


@dataclass(slots=True)
class Revalidation:
    workspace: Path
    ok: bool = False
    credentials: dict[str, Any] = field(default_factory=dict)
    certification: dict[str, Any] = field(default_factory=dict)
    changes: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pack: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": self.ok,
            "credentials": self.credentials,
            "certification": self.certification,
            "changes": self.changes,
            "warnings": self.warnings,
            "pack": self.pack,
        }
        if self.error:
            body["error"] = self.error
        return body


def last_passing_run(workspace: Path, before: str) -> RunRecord | None:
    for run_file in sorted((workspace / RUNS).glob("*/run.json"), reverse=True):
        if not valid_run_id(run_file.parent.name) or run_file.parent.name >= before:
            continue
        try:
            run = read_run(run_file)
        except OnboardError:
            continue  # a record that cannot be read is no baseline
        if run.ok:
            return run
    return None


def _specs(run: RunRecord) -> dict[str, set[str]]:
    return {
        case.id: {f"{label.format} {label.dpi}" for label in case.labels if label.kind == "label"} for case in run.cases
    }


def _codes(run: RunRecord) -> set[str]:
    return {call.error_code for call in run.calls if call.error_code}


def compare(before: RunRecord | None, after: RunRecord) -> tuple[list[dict[str, str]], bool]:
    """What changed between the last passing run and this one, each change naming the case; and whether
    any of it is worth paging for (a case that regressed, or an error code never met before). Cases the
    new run never reached (it stopped) are not compared: the stop is the change."""
    if before is None:
        return [], False
    old = {case.id: case for case in before.cases}
    changes = []
    alarming = False
    for case in after.cases:
        if not case.reached:
            continue
        previous = old.get(case.id)
        if previous is None:
            changes.append({"case": case.id, "before": "absent", "after": f"{case.status} (new case)"})
            continue
        was, now = previous.status, case.status
        if was != now:
            kind = "fixed" if now == "passed" else "regressed" if was == "passed" else "changed"
            alarming = alarming or kind == "regressed"
            changes.append({"case": case.id, "before": was, "after": f"{now} ({kind}): {case.detail}"})
    old_specs = _specs(before)
    new_specs = {k: v for k, v in _specs(after).items() if (c := after.case(k)) is not None and c.reached}
    for case_id, specs in new_specs.items():
        if case_id in old_specs and specs != old_specs[case_id]:
            changes.append(
                {
                    "case": case_id,
                    "before": "labels " + ", ".join(sorted(old_specs[case_id])),
                    "after": "labels " + ", ".join(sorted(specs)) + " (label specs changed)",
                }
            )
    fresh = sorted(_codes(after) - _codes(before) - EXPECTED_CODES)
    if fresh:
        changes.append({"case": "(all)", "before": "no such error", "after": "new error codes: " + ", ".join(fresh)})
        alarming = True
    return changes, alarming


def revalidate(path: Path, settings: Settings, pack_to: Path | None = None, today: date | None = None) -> Revalidation:
    """Verify ``path``'s credentials and, when they verify, certify again and compare."""
    result, workspace = verify_for_revalidation(path, settings, today)
    if workspace is not None:
        recertify(result, workspace, settings, pack_to)
    return result


def revalidate_all(paths: list[Path], settings: Settings, parallel: int) -> list[Revalidation]:
    """Every workspace of ``paths``, ``parallel`` at a time: every verify first, then the certifications.

    A verify has a deadline (``UNATTENDED_VERIFY_SECONDS``). Run beside other shippers' certifications in
    the same process, it would share the interpreter with their label renders and scans, and could miss
    it on a server that answered at once; so all verify before any certifies.
    """
    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(paths)))) as pool:
        verified = list(pool.map(lambda p: verify_for_revalidation(p, settings), paths))
        to_certify = [(result, workspace) for result, workspace in verified if workspace is not None]
        list(pool.map(lambda pair: recertify(pair[0], pair[1], settings), to_certify))
    return [result for result, _ in verified]


def verify_for_revalidation(
    path: Path, settings: Settings, today: date | None = None
) -> tuple[Revalidation, Workspace | None]:
    """The verify half: the result so far, and the workspace when its credentials verified (else None)."""
    today = today or date.today()
    result = Revalidation(path)
    try:
        workspace = Workspace.open(path)
        verified = verify_workspace(
            workspace, settings, via="revalidate", today=today, seconds=UNATTENDED_VERIFY_SECONDS
        )
        checks = verified.checks
        result.credentials = verified.to_json()
        warning = rotation_warning(workspace, settings, today)
        if warning:
            result.warnings.append(warning)
        if not result.credentials["ok"]:
            failed = [c for c in checks if not c.ok]
            result.changes.append(
                {"case": "credentials", "before": "verified", "after": f"{failed[0].name}: {failed[0].detail}"}
            )
            result.certification = {"ok": False, "skipped": "the credentials do not verify"}
            return result, None
    except OnboardError as error:
        result.error = error.one_line()
        result.ok = False
        return result, None
    return result, workspace


def recertify(result: Revalidation, workspace: Workspace, settings: Settings, pack_to: Path | None = None) -> bool:
    """The certification half, into ``result``; whether the workspace revalidated."""
    try:
        outcome = certify(workspace, settings, load_catalog(workspace.path), None, None)
        run = read_run(outcome.record)
        before = last_passing_run(workspace.path, outcome.run_id)
        result.certification = {
            "ok": outcome.ok,
            "run_id": outcome.run_id,
            "environment": outcome.environment,
            "compared_with": before.run_id if before else None,
            "cases": outcome.cases,
        }
        if not outcome.complete:
            # the cases it never reached are not regressions: the run itself is the change to report
            result.changes.append({"case": "(run)", "before": "complete", "after": "; ".join(outcome.problems)})
        changes, alarming = compare(before, run)
        result.changes += changes
        if before is None and not outcome.ok:
            result.changes += [
                {"case": c["id"], "before": "no passing run yet", "after": f"{c['status']}: {c['detail']}"}
                for c in outcome.cases
                if c["status"] in ("failed", "error")
            ]
        if pack_to is not None and outcome.ok:
            from onboard.pack.build import build_pack  # noqa: PLC0415 - reportlab only when a pack is asked for

            result.pack = str(build_pack(workspace, pack_to, settings=settings).path)
        result.ok = outcome.ok and not alarming
    except OnboardError as error:
        result.error = error.one_line()
        result.ok = False
    return result.ok
