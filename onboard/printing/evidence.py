"""The print and the scan recorded on the ``test-label`` step: its evidence, a note and their audit entries.

A print records the printer, the moment, the label's format, dpi and tracking id, and puts the step in
progress (a new print is scanned again before the step is done: the scan evidence of an earlier print is
cleared). A scan that carries the tracking id records when and with what, which barcodes carry it, and
marks the step done with a note that says it all (:func:`summary`): what ``status``, ``step``, the TUI
and the pack show. Both go through :func:`onboard.checklist.record.apply_change`, the one way evidence
is checked and audited, under the workspace lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from onboard.checklist.load import checklist
from onboard.checklist.record import Change, apply_change
from onboard.workspace.state import Printer, StepStatus
from onboard.workspace.workspace import Workspace, locked

__all__ = ["STEP", "moment", "record_print", "record_scan", "summary"]

STEP = "test-label"
_SCAN_KEYS = ("scanned_at", "scanned_with", "carried_by")


def moment(at: datetime) -> str:
    """A moment as the evidence keeps it: ``2026-06-01T09:30:00Z``."""
    return f"{at:%Y-%m-%dT%H:%M:%SZ}"


def summary(evidence: Mapping[str, str]) -> str | None:
    """``printed on …, scanned …, carries TBA…`` from the step's evidence; None before a scan or a print."""
    parts: list[str] = []
    if evidence.get("printer"):
        what = " ".join(v for v in (evidence.get("format"), f"{evidence['dpi']} dpi" if "dpi" in evidence else "") if v)
        at = f" at {_readable(evidence['printed_at'])}" if evidence.get("printed_at") else ""
        parts.append(f"printed on {evidence['printer']}{at}" + (f" ({what})" if what else ""))
    if evidence.get("scanned_at"):
        by = {"scanner": " with a handheld scanner", "image": " from a photo"}.get(evidence.get("scanned_with", ""), "")
        parts.append(f"scanned {_readable(evidence['scanned_at'])}{by}")
        if evidence.get("tracking_id"):
            carried = f" ({evidence['carried_by']})" if evidence.get("carried_by") else ""
            parts.append(f"carries {evidence['tracking_id']}{carried}")
    return ", ".join(parts) or None


def _readable(value: str) -> str:
    return value.replace("T", " ").replace("Z", " UTC") if len(value) == 20 else value


def record_print(
    path: Path,
    *,
    printer: Printer,
    printer_words: str,
    fmt: str,
    dpi: int | None,
    tracking_id: str | None,
    at: datetime,
    via: str = "onboard label print",
) -> tuple[str, ...]:
    """Remember the printer and record the print; the warnings of the change (a step out of order)."""
    evidence = {
        "printer": printer_words,
        "printed_at": moment(at),
        "format": fmt,
        "dpi": str(dpi) if dpi in (203, 300) else "",
        "tracking_id": tracking_id or "",
        **dict.fromkeys(_SCAN_KEYS, ""),
    }
    with locked(path):
        workspace = Workspace.open(path)
        record = workspace.state.steps.get(STEP)
        status: StepStatus = "in_progress"
        if record is not None and record.status in ("blocked", "skipped"):
            status = record.status
        applied = apply_change(
            checklist(), workspace.state, STEP, Change(status=status, evidence=evidence), at, via=via
        )
        workspace.state.printer = printer
        workspace.save()
    return applied.warnings


def record_scan(
    path: Path,
    *,
    tracking_id: str,
    carried_by: str,
    scanned_with: str,
    fmt: str | None,
    dpi: int | None,
    at: datetime,
    via: str = "onboard label scan",
) -> tuple[str, tuple[str, ...]]:
    """Record a scan that carries ``tracking_id`` and mark the step done: its summary and the warnings."""
    evidence = {
        "scanned_at": moment(at),
        "scanned_with": scanned_with,
        "tracking_id": tracking_id,
        "carried_by": carried_by,
        **({"format": fmt} if fmt else {}),
        **({"dpi": str(dpi)} if dpi in (203, 300) else {}),
    }
    with locked(path):
        workspace = Workspace.open(path)
        record = workspace.state.steps.get(STEP)
        after = {**(record.evidence if record else {}), **evidence}
        said = summary(after) or ""
        applied = apply_change(
            checklist(),
            workspace.state,
            STEP,
            Change(status="done", evidence=evidence, note=said),
            at,
            via=via,
        )
        workspace.save()
    return said, applied.warnings
