"""Amazon's 180-day client-secret rotation: the warning shown from 30 days before the deadline."""

from __future__ import annotations

from datetime import date

from onboard.credentials.model import WARN_DAYS
from onboard.credentials.store import default_store, resolve
from onboard.errors import OnboardError
from onboard.settings import Settings
from onboard.workspace.workspace import Workspace


def rotation_warning(workspace: Workspace, settings: Settings, today: date) -> str | None:
    """From 30 days before the 180-day deadline: what to rotate and by when."""
    try:
        credentials = resolve(settings, workspace.state.workspace_id, default_store())
    except OnboardError:
        return None
    if credentials is None:
        return None
    days = credentials.days_left(today)
    if days is None or days > WARN_DAYS:
        return None
    if days < 0:
        return f"the client secret's 180-day rotation was due {credentials.rotation_deadline()}: rotate it now"
    return f"the client secret must be rotated by {credentials.rotation_deadline()} ({days} days left)"
