"""Reliability under faults, in three parts, each counted against the emulator's own ledger:

1. many certification runs in a row against an emulator that throttles, fails and stalls: every run
   must pass, buy each label once and leave none uncancelled;
2. every access token (and every quote) expiring in the middle of a run: the run must still pass;
3. the sandbox process killed in the middle of a run: the run must stop with a clear reason, be saved as
   incomplete and list its open labels, which ``certify --cleanup`` cancels once the sandbox is back.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import tempfile
import threading
import time
from pathlib import Path

import httpx
from pydantic import SecretStr

from onboard.bench.certify import _workspace
from onboard.bench.processes import free_port, sandbox_process
from onboard.certify.catalog import load_catalog
from onboard.certify.record import open_purchases
from onboard.certify.runner import CaseResult
from onboard.certify.session import certify, cleanup
from onboard.emulator.app import EmulatorSettings
from onboard.emulator.credentials import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from onboard.emulator.faults import FaultSpec
from onboard.emulator.server import EmulatorServer
from onboard.settings import EnvCredentials, Settings
from onboard.workspace.workspace import Workspace

SPEC = "429=0.2,500=0.05,slow=0.02,slow_seconds=0.5,seed={seed}"
DEMO = EnvCredentials(DEMO_CLIENT_ID, SecretStr(DEMO_CLIENT_SECRET), SecretStr(DEMO_REFRESH_TOKEN))


def _settings(url: str) -> Settings:
    return Settings(lwa_url=f"{url}/auth/o2/token", spapi_url=url, credentials=DEMO)


def _labels(record: dict[str, object]) -> int:
    cases = record["cases"]
    assert isinstance(cases, list)
    return sum(1 for case in cases for label in case["labels"] if label["kind"] == "label")


def run(runs: int = 50, seed: int = 1) -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        ok = _storm(runs, seed, Path(directory) / "storm")
        ok = _tokens_expire(Path(directory) / "expiry") and ok
        ok = _sandbox_killed(Path(directory) / "killed") and ok
    print(f"fault suite: {'PASSED' if ok else 'FAILED'} in {time.perf_counter() - started:.1f} s")
    return 0 if ok else 1


def _storm(runs: int, seed: int, directory: Path) -> bool:
    cases = load_catalog()
    failures: list[str] = []
    bought = duplicates = left_open = throttled = errors = resent = 0
    started = time.perf_counter()
    with EmulatorServer(EmulatorSettings(faults=FaultSpec.parse(SPEC.format(seed=seed)))) as server:
        workspace = _workspace(directory)
        for number in range(1, runs + 1):
            store = server.emulator.store
            purchases_before = store.counters.purchases
            outcome = certify(workspace, _settings(server.url), cases, None, None)
            record = json.loads(outcome.record.read_text())
            labels = _labels(record)
            purchased = store.counters.purchases - purchases_before
            bought += purchased
            duplicates += max(0, purchased - labels)
            left_open += len(store.open_shipments())
            throttled += sum(1 for call in record["calls"] if call["status"] == 429)
            errors += sum(1 for call in record["calls"] if call["status"] in (500, 503))
            resent += sum(len(case.get("notes", [])) for case in record["cases"])
            if not outcome.ok:
                failures.append(
                    f"run {number}: "
                    + "; ".join(f"{c['id']} {c['detail']}" for c in outcome.cases if c["status"] in ("failed", "error"))
                )
            verdict = "passed" if outcome.ok else "FAILED"
            print(f"  run {number:>3}: {verdict}  labels {labels:>2}  purchases {purchased:>2}", flush=True)
    elapsed = time.perf_counter() - started
    print(f"1. {runs} certification runs against 20% 429, 5% 500, 2% slow (seed {seed})")
    print(f"  runs passed            {runs - len(failures)} of {runs}")
    print(f"  labels bought          {bought}")
    print(f"  duplicate purchases    {duplicates}")
    print(f"  left uncancelled       {left_open}")
    print(f"  429s ridden out        {throttled}")
    print(f"  500/503s ridden out    {errors}")
    print(f"  one-clicks sent again  {resent}  (unknown outcome, outside production only)")
    print(f"  time                   {elapsed:.1f} s ({elapsed / runs:.2f} s a run)")
    for failure in failures:
        print(f"  ! {failure}")
    return not failures and not duplicates and not left_open


def _tokens_expire(directory: Path) -> bool:
    """An hour passes on the server while the first cases run: tokens and quotes both go stale."""
    with EmulatorServer() as server:
        workspace = _workspace(directory)
        clock, store = server.emulator.clock, server.emulator.store
        aged: list[str] = []

        def age_once(result: CaseResult) -> None:
            if not aged:
                clock.advance(3601)
                aged.append(result.id)

        tokens_before = store.counters.tokens_issued
        outcome = certify(workspace, _settings(server.url), load_catalog(), None, None, age_once)
        record = json.loads(outcome.record.read_text())
        expired = sum(1 for c in record["calls"] if c["status"] == 403)
        # P-08 ages its own quote on purpose; any other TOKEN_EXPIRED is a quote caught by the jump
        requoted = sum(1 for c in record["calls"] if c["error_code"] == "TOKEN_EXPIRED" and c["case"] != "P-08")
        tokens = store.counters.tokens_issued - tokens_before
        left = len(store.open_shipments())
    ok = outcome.ok and tokens >= 2 and expired >= 1 and left == 0
    print("2. the server's clock jumps an hour after the first case: every access token and quote expires")
    print(f"  run                    {'passed' if outcome.ok else 'FAILED'}")
    print(f"  403 'expired' answers  {expired}, each refreshed once and sent again")
    print(f"  access tokens fetched  {tokens}")
    print(f"  quotes re-rated        {requoted} (caught by the jump between getRates and purchase)")
    print(f"  left uncancelled       {left}")
    return ok


def _sandbox_killed(directory: Path) -> bool:
    workspace = _workspace(directory)
    port, journal = free_port(), directory / "sandbox.jsonl"
    settings = _settings(f"http://127.0.0.1:{port}")
    with sandbox_process(port, "--state", str(journal), "--faults", "slow=1,slow_seconds=0.3") as server:

        def kill_when_two_labels_are_open() -> None:
            deadline = time.monotonic() + 30
            while len(open_purchases(workspace.path)) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            server.send_signal(signal.SIGKILL)
            killed_at.append(time.perf_counter())

        killed_at: list[float] = []
        killer = threading.Thread(target=kill_when_two_labels_are_open)
        killer.start()
        outcome = certify(workspace, settings, load_catalog(), None, None)
        ended = time.perf_counter()
        killer.join()
    to_error = ended - killed_at[0] if killed_at else float("nan")
    record = json.loads(outcome.record.read_text())
    listed = list(record["left_open"])
    # while the sandbox is down the clean-up can only say so, and must keep its list
    while_down, failed_down = asyncio.run(cleanup(Workspace.open(workspace.path), settings))
    kept = len(open_purchases(workspace.path))
    with sandbox_process(port, "--state", str(journal)):
        cancelled, failed = asyncio.run(cleanup(Workspace.open(workspace.path), settings))
        still_open = httpx.get(f"http://127.0.0.1:{port}/_emulator/state", timeout=5).json()["open_shipments"]
    reason = record.get("stopped") or ""
    ok = (
        not record["complete"]
        and bool(re.search(r"connection refused", reason))
        and bool(listed)
        and not while_down
        and len(failed_down) == kept == len(listed)
        and len(cancelled) == len(listed)
        and not failed
        and not still_open
    )
    print("3. the sandbox process is killed (SIGKILL) once the run has two labels open")
    print(f"  kill to the run's end  {to_error:.1f} s (a whole backoff ridden out first): {reason}")
    print(f"  saved as incomplete    {'yes' if not record['complete'] else 'NO'}")
    print(f"  labels listed to clean {len(listed)}")
    print(f"  cleanup while down     could not cancel {len(failed_down)}, list kept: {kept}")
    print(f"  cancelled on restart   {len(cancelled)} (could not: {len(failed)})")
    print(f"  left open at the end   {len(still_open)}")
    return ok
