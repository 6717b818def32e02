"""Steps onboard checks itself: marked done by the command that checked them, when it checked Amazon.

``creds verify`` passing marks ``credentials-verified``; a passing certification marks ``sandbox-flows``;
a pack of an Amazon run marks ``pack-built``. Against the emulator or a custom endpoint nothing is
marked: those prove the tool, not the shipper's Amazon integration. The label step (``test-label``) is
recorded by ``onboard label print`` and ``label scan`` (``onboard.printing.evidence``): a scan from paper
proves the shipper's printer, whichever server the label came from.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from onboard.checklist.load import checklist
from onboard.checklist.record import Change, apply_change
from onboard.errors import OnboardError
from onboard.spapi.endpoints import Endpoints
from onboard.workspace.workspace import Workspace, locked


def counts_for_amazon(endpoints: Endpoints) -> bool:
    return endpoints.is_amazon


def record_verified(path: Path, step_id: str, via: str, note: str) -> bool:
    """Mark ``step_id`` done with a note saying what proved it; False when it was done already or cannot be."""
    steps = checklist()
    try:
        with locked(path):
            workspace = Workspace.open(path)
            record = workspace.state.steps.get(step_id)
            if record is not None and record.status == "done":
                return False
            applied = apply_change(
                steps, workspace.state, step_id, Change(status="done", note=note), datetime.now(UTC), via=via
            )
            if applied.entries:
                workspace.save()
            return bool(applied.entries)
    except OnboardError:
        # a step the checklist no longer has, or one that needs evidence first: the command's own result stands
        return False
