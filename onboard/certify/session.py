"""One certification session end to end: connect, run, cancel, record; and the clean-up of old runs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onboard.certify.catalog import Case
from onboard.certify.record import RunRecorder, forget_purchase, new_run_id, open_purchases
from onboard.certify.runner import DPIS, FORMATS, CaseResult, Certification, Options, cancel_left
from onboard.checklist.verified import counts_for_amazon, record_verified
from onboard.credentials.store import default_store
from onboard.environments import Connection, connect
from onboard.settings import Settings
from onboard.spapi.client import ShippingClient
from onboard.workspace.workspace import Workspace

#: just under Amazon's sandbox usage plan (5 requests a second, bursts of 15): the client paces itself
#: below it, with room for clock drift between the two buckets, rather than collect 429s
SANDBOX_PACE = (4.5, 12)
#: outside production, a oneClickShipment with an unknown outcome is sent up to this many more times
ONE_CLICK_RESENDS = 2


@dataclass(slots=True)
class Outcome:
    ok: bool
    run_id: str
    environment: str
    record: Path
    cases: list[dict[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: False when the run stopped early (the server stopped answering)
    complete: bool = True


def _labels_cost_nothing(connection: Connection) -> bool:
    """The sandbox or an emulator: a label bought and never cancelled there is no charge to anyone."""
    endpoints = connection.endpoints
    return endpoints.environment != "production" and not endpoints.is_production_host()


def _pace(connection: Connection) -> tuple[float, int] | None:
    return SANDBOX_PACE if connection.endpoints.environment == "sandbox" else None


async def _control_url(connection: Connection, client: ShippingClient) -> str | None:
    """The emulator's control plane, when the endpoint is an emulator (embedded or served)."""
    import httpx  # noqa: PLC0415

    base = connection.endpoints.api_url.rstrip("/")
    if connection.endpoints.environment != "emulator" and not connection.endpoints.custom:
        return None
    try:
        response = await client.http.get(f"{base}/_emulator/state", timeout=3)
    except httpx.HTTPError:
        return None
    return f"{base}/_emulator/control" if response.status_code == 200 else None


def certify(
    workspace: Workspace,
    settings: Settings,
    cases: list[Case],
    formats: tuple[str, ...] | None,
    dpis: tuple[int, ...] | None,
    progress: Callable[[CaseResult], None] | None = None,
    *,
    announce: bool = False,
) -> Outcome:
    profile = workspace.state.profile
    with connect(profile, settings, workspace.state.workspace_id, default_store()) as connection:
        if announce:
            print(f"certifying {profile.business_id} against {connection.endpoints.describe()}", flush=True)
        recorder = RunRecorder(workspace.path, new_run_id())

        async def session() -> tuple[Certification, dict[str, Any]]:
            async with ShippingClient(
                connection.endpoints,
                connection.credentials,
                profile.business_id,
                capture_bodies=True,
                pace=_pace(connection),
            ) as client:
                options = Options(
                    formats or FORMATS,
                    dpis or DPIS,
                    await _control_url(connection, client),
                    one_click_resends=ONE_CLICK_RESENDS if _labels_cost_nothing(connection) else 0,
                )
                run = Certification(client, profile, recorder, options, progress)
                try:
                    await run.run(cases)
                finally:
                    # written even when interrupted: the record says what happened and what is still open
                    endpoints = {
                        "api": connection.endpoints.api_url,
                        "lwa": connection.endpoints.lwa_url,
                        "custom": str(connection.endpoints.custom).lower(),
                    }
                    record = run.record(connection.endpoints.environment, endpoints)
                    recorder.write(record)
                return run, record

        run, record = asyncio.run(session())
        if record["ok"] and counts_for_amazon(connection.endpoints):
            record_verified(workspace.path, "sandbox-flows", "certify", f"certification run {recorder.run_id} passed")
    problems = []
    if run.stopped is not None:
        problems.append(f"the run stopped: {run.stopped}; it is saved as incomplete")
    if record["left_open"]:
        problems.append(
            f"{len(record['left_open'])} label(s) still to cancel, listed in {recorder.directory / 'pending.json'}: "
            f"{', '.join(record['left_open'])}; run 'onboard certify --cleanup' once the server answers again"
        )
    if run.stopped is None:
        # after a stop every cancel fails the same way; the line above already says what to do
        problems += [f"cancel failed: {f}" for f in run.cancel_failures]
    return Outcome(
        ok=bool(record["ok"]),
        run_id=recorder.run_id,
        environment=connection.endpoints.environment if not connection.endpoints.custom else "custom",
        record=recorder.directory / "run.json",
        cases=[r.summary() for r in run.results],
        problems=problems,
        complete=run.stopped is None,
    )


async def cleanup(workspace: Workspace, settings: Settings) -> tuple[list[str], list[str]]:
    """Cancel what earlier runs bought and never cancelled; each success is struck off its run's list."""
    left = open_purchases(workspace.path)
    if not left:
        return [], []
    cancelled, failed = [], []
    profile = workspace.state.profile
    with connect(profile, settings, workspace.state.workspace_id, default_store()) as connection:
        async with ShippingClient(
            connection.endpoints, connection.credentials, profile.business_id, pace=_pace(connection)
        ) as client:
            for file, pending in left:
                problem = await cancel_left(client, pending.shipment_id)
                if problem is not None:
                    failed.append(f"{pending.shipment_id} ({pending.tracking_id}): {problem}")
                    continue
                forget_purchase(file, pending.shipment_id)
                cancelled.append(f"{pending.shipment_id} ({pending.tracking_id}, case {pending.case_id})")
    return cancelled, failed
