"""Verify a workspace's credentials: the one use case behind ``creds verify``, the TUI's Verify, ``demo`` and
``revalidate``.

It connects to the workspace's environment with the credentials in force (starting the embedded emulator
when that is the environment), runs the live checks of :mod:`onboard.verification`, and, when every check
passed against Amazon, marks ``credentials-verified`` done with its audit entry. The front ends only show
the result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from onboard.checklist.verified import counts_for_amazon, record_verified
from onboard.credentials.store import CredentialStore, default_store
from onboard.environments import connect
from onboard.settings import Settings
from onboard.verification import VERIFY_SECONDS, Check, verify
from onboard.workspace.workspace import Workspace

if TYPE_CHECKING:
    from onboard.spapi.endpoints import Endpoints

__all__ = ["STEP", "Verified", "verify_workspace"]

#: the step a passing verify against Amazon marks done
STEP = "credentials-verified"


@dataclass(frozen=True, slots=True)
class Verified:
    checks: list[Check]
    #: where the calls went, as ``Endpoints.describe`` says it
    endpoints: str
    #: the credential store consulted
    store: str
    #: whether this verify marked ``credentials-verified`` done (it was not already)
    recorded: bool = False

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [check.to_json() for check in self.checks]}


def verify_workspace(
    workspace: Workspace,
    settings: Settings,
    *,
    via: str,
    today: date | None = None,
    store: CredentialStore | None = None,
    connected: Callable[[Endpoints], None] | None = None,
    seconds: float = VERIFY_SECONDS,
) -> Verified:
    """The live checks of ``workspace``'s credentials; ``via`` names the front end in the audit trail.

    ``connected`` is told where the calls go once the connection is made (the emulator started), before
    the first call. ``seconds`` bounds all the calls together (longer when nobody is waiting). Raises
    ``OnboardError`` when no check can run (no credentials for Amazon, say).
    """
    store = store or default_store()
    profile = workspace.state.profile
    with connect(profile, settings, workspace.state.workspace_id, store) as connection:
        if connected is not None:
            connected(connection.endpoints)
        checks = asyncio.run(verify(profile, connection, today or date.today(), store.name, seconds=seconds))
    result = Verified(checks, connection.endpoints.describe(), store.name)
    if result.ok and counts_for_amazon(connection.endpoints):
        result = replace(
            result, recorded=record_verified(workspace.path, STEP, via, f"all {len(checks)} checks passed")
        )
    return result
