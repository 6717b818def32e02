"""One certification session end to end: connect, run, cancel, record; and the clean-up of old runs.

SIGINT and SIGTERM during the run (in the main thread: the CLI) do not kill it: the run is cancelled,
everything it bought is cancelled, and the record is saved as incomplete with the signal as its reason.
A second signal stops at once, leaving ``pending.json`` for ``onboard certify --cleanup``.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from onboard.certify.catalog import Case, load_catalog
from onboard.certify.record import (
    Endpoints,
    Printing,
    RunRecord,
    RunRecorder,
    forget_purchase,
    new_run_id,
    read_pending,
    shown,
)
from onboard.certify.runner import DPIS, FORMATS, CaseResult, Certification, Options, cancel_left, plan_run
from onboard.checklist.verified import counts_for_amazon, record_verified
from onboard.credentials.store import default_store
from onboard.display import counted
from onboard.environments import Connection, connect
from onboard.errors import DiskError
from onboard.settings import Settings
from onboard.spapi.client import ShippingClient
from onboard.spapi.errors import SpApiError
from onboard.spapi.limits import within
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
    #: False when the run stopped early (the server stopped answering, a signal, an error)
    complete: bool = True
    #: the signal that interrupted the run, if one did
    interrupted: str | None = None
    #: what sign-off needs that this run's selection leaves out (a partial run)
    lacks: list[str] = field(default_factory=list)
    #: how many labels the clean-up at the end of the run cancelled (after a stop: what the stop cancelled)
    cancelled: int = 0


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
        # the whole answer within 2 s: httpx's timeout is per read, and a server may drip or say too much
        response = await within(2, client.http.get(f"{base}/_emulator/state", timeout=2))
    except (httpx.HTTPError, SpApiError):
        return None
    return f"{base}/_emulator/control" if response.status_code == 200 else None


@contextlib.contextmanager
def _signals_stop(run: Certification) -> Iterator[None]:
    """While the run goes on, SIGINT and SIGTERM cancel it (it then cleans up and is saved as incomplete)
    instead of killing the process where it stands. Only the main thread receives signals: in a worker
    (the TUI, ``revalidate --all``) nothing is installed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    caught = (signal.SIGINT, signal.SIGTERM)
    before = {sig: signal.getsignal(sig) for sig in caught}

    signalled: list[str] = []

    def stop(sig: signal.Signals) -> None:
        if signalled:
            # a second signal: stop now; pending.json holds what is still open, for --cleanup
            print(
                f"onboard: {sig.name} again: stopping now; {counted(run.open_labels, 'label')} still to cancel "
                f"{'is' if run.open_labels == 1 else 'are'} listed in {run.recorder.directory / 'pending.json'}: "
                "run 'onboard certify --cleanup'",
                file=sys.stderr,
                flush=True,
            )
            raise KeyboardInterrupt
        signalled.append(sig.name)
        # said at once: the cancels take a moment each, and a person waits through them
        labels = counted(run.open_labels, "label")
        again = "(again to stop at once, leaving them to 'onboard certify --cleanup')"
        if run.cleaning_up:
            # every case has ended and the run is cancelling what it bought: let it finish that
            print(
                f"onboard: {sig.name}: the cases have ended; cancelling {labels} bought… {again}",
                file=sys.stderr,
                flush=True,
            )
            return
        run.interrupt(sig.name)
        print(
            f"onboard: {sig.name}: stopping the run; cancelling {labels} bought… {again}", file=sys.stderr, flush=True
        )
        task.cancel()

    installed = []
    try:
        for sig in caught:
            loop.add_signal_handler(sig, stop, sig)
            installed.append(sig)
    except (NotImplementedError, RuntimeError, ValueError):  # no signal handlers on this loop or platform
        pass
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
            signal.signal(sig, before[sig])


def _printing(workspace: Workspace) -> Printing:
    profile = workspace.state.profile
    return Printing(formats=list(profile.label_formats), dpis=list(profile.label_dpis))


def certify(
    workspace: Workspace,
    settings: Settings,
    cases: list[Case],
    formats: tuple[str, ...] | None,
    dpis: tuple[int, ...] | None,
    progress: Callable[[CaseResult], None] | None = None,
    *,
    announce: bool = False,
    catalog: list[Case] | None = None,
) -> Outcome:
    """Run ``cases`` (a selection from ``catalog``, the workspace's catalog when not given) and record it."""
    profile = workspace.state.profile
    chosen = (formats or FORMATS, dpis or DPIS)
    plan = plan_run(
        cases, catalog if catalog is not None else load_catalog(workspace.path), *chosen, _printing(workspace)
    )
    with connect(profile, settings, workspace.state.workspace_id, default_store()) as connection:
        if announce:
            print(f"certifying {profile.business_id} against {connection.endpoints.describe()}", flush=True)
        recorder = RunRecorder(workspace.path, new_run_id())
        environment = connection.endpoints.environment
        endpoints = Endpoints(
            api=connection.endpoints.api_url, lwa=connection.endpoints.lwa_url, custom=connection.endpoints.custom
        )

        async def session() -> tuple[Certification, RunRecord]:
            async with ShippingClient(
                connection.endpoints,
                connection.credentials,
                profile.business_id,
                capture_bodies=True,
                pace=_pace(connection),
            ) as client:
                try:
                    options = Options(
                        *chosen,
                        await _control_url(connection, client),
                        one_click_resends=ONE_CLICK_RESENDS if _labels_cost_nothing(connection) else 0,
                    )
                    run = Certification(client, profile, recorder, options, progress)
                    # a record from the start: a run killed outright is never mistaken for a finished one
                    recorder.write(run.record(environment, endpoints, plan, ended=False))
                except BaseException:
                    # a full disk, or Ctrl+C while the server was being asked what it is: nothing was bought,
                    # so no half-made run folder is left for 'pack' to pass over
                    recorder.abandon()
                    raise
                # and again before and after each purchase: a full disk stops the run before it buys a label
                # it could not record, and loses at most the calls since the last purchase
                run.recording(environment, endpoints, plan)
                with _signals_stop(run):
                    try:
                        await run.run(cases)
                    finally:
                        # written whatever the end: the record says what happened and what is still open
                        record = run.record(environment, endpoints, plan)
                        _write_last(recorder, record)
                return run, record

        run, record = asyncio.run(session())
        if record.ok and not record.partial and counts_for_amazon(connection.endpoints):
            record_verified(workspace.path, "sandbox-flows", "certify", f"certification run {recorder.run_id} passed")
    problems = []
    if run.stopped is not None:
        problems.append(f"the run stopped: {shown(run.stopped, 300)}; it is saved as incomplete")
    if record.left_open:
        problems.append(
            f"{len(record.left_open)} label(s) still to cancel, listed in {recorder.directory / 'pending.json'}: "
            f"{', '.join(shown(s) for s in record.left_open)}; run 'onboard certify --cleanup' once the server "
            "answers again"
        )
    if recorder.unsaved is not None:
        problems.append(
            f"pending.json could not be brought up to date ({recorder.unsaved.one_line()}): the labels still to "
            "cancel are the ones named here"
        )
    if run.stopped is None or run.interrupted:
        # after the server stopped every cancel fails the same way; the line above already says what to do
        problems += [f"cancel failed: {shown(f, 300)}" for f in run.cancel_failures]
    return Outcome(
        ok=record.ok,
        run_id=recorder.run_id,
        environment=connection.endpoints.environment if not connection.endpoints.custom else "custom",
        record=recorder.directory / "run.json",
        cases=[r.summary() for r in run.results],
        problems=problems,
        complete=record.complete,
        interrupted=run.interrupted,
        lacks=record.lacks,
        cancelled=len(run.cancelled_at_end),
    )


def _write_last(recorder: RunRecorder, record: RunRecord) -> None:
    """The record as the run ended. When the disk refuses it, the run.json on disk stays the last one written
    during the run (unfinished, whole); the error says so and names every label still to cancel."""
    try:
        recorder.write(record)
    except DiskError as error:
        left = (
            f"; still to cancel: {', '.join(shown(s) for s in record.left_open)} ('onboard certify --cleanup' "
            "once there is room)"
            if record.left_open
            else ""
        )
        raise DiskError(
            f"run {record.run_id} ended, but the disk refused its record: {error.message}",
            f"{error.hint}: the one written during the run, unfinished{left}",
        ) from None


async def cleanup(workspace: Workspace, settings: Settings) -> tuple[list[str], list[str]]:
    """Cancel what earlier runs bought and never cancelled; each success is struck off its run's list.

    Returns what was cancelled and what was not (a cancel refused, a list that cannot be read), one
    printable line each: ids from a server are escaped, and none of them stops the others."""
    left, unreadable = read_pending(workspace.path)
    failed = [f"the labels listed in {line}" for line in unreadable]
    if not left:
        return [], failed
    cancelled: list[str] = []
    profile = workspace.state.profile
    with connect(profile, settings, workspace.state.workspace_id, default_store()) as connection:
        async with ShippingClient(
            connection.endpoints, connection.credentials, profile.business_id, pace=_pace(connection)
        ) as client:
            for file, pending in left:
                name = f"{shown(pending.shipment_id)} ({shown(pending.tracking_id)}"
                problem = await cancel_left(client, pending.shipment_id)
                if problem is not None:
                    failed.append(f"{name}): {problem}")
                    continue
                try:
                    forget_purchase(file, pending.shipment_id)
                except DiskError as exc:
                    failed.append(f"{name}) was cancelled, but {file} could not be updated: {exc.one_line()}")
                    continue
                except (OSError, ValidationError, ValueError) as exc:
                    failed.append(f"{name}) was cancelled, but {file} could not be updated: {shown(exc, 200)}")
                    continue
                cancelled.append(f"{name}, case {shown(pending.case_id)})")
    return cancelled, failed
