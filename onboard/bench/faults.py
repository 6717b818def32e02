"""Reliability under faults: many certification runs in a row against an emulator that throttles, fails
and stalls, each checked for duplicate purchases and labels left uncancelled."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

from onboard.bench.certify import _workspace
from onboard.certify.catalog import load_catalog
from onboard.certify.session import certify
from onboard.emulator.app import EmulatorSettings
from onboard.emulator.credentials import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from onboard.emulator.faults import FaultSpec
from onboard.emulator.server import EmulatorServer
from onboard.settings import EnvCredentials, Settings

SPEC = "429=0.2,500=0.05,slow=0.02,slow_seconds=0.5,seed={seed}"


def run(runs: int = 50, seed: int = 1) -> int:
    cases = load_catalog()
    failures: list[str] = []
    bought = duplicates = left_open = throttled = errors = 0
    started = time.perf_counter()
    with (
        EmulatorServer(EmulatorSettings(faults=FaultSpec.parse(SPEC.format(seed=seed)))) as server,
        tempfile.TemporaryDirectory() as directory,
    ):
        workspace = _workspace(Path(directory))
        demo = EnvCredentials(DEMO_CLIENT_ID, SecretStr(DEMO_CLIENT_SECRET), SecretStr(DEMO_REFRESH_TOKEN))
        settings = Settings(lwa_url=f"{server.url}/auth/o2/token", spapi_url=server.url, credentials=demo)
        for number in range(1, runs + 1):
            store = server.emulator.store
            purchases_before = store.counters.purchases
            outcome = certify(workspace, settings, cases, None, None)
            record = json.loads(outcome.record.read_text())
            labels = sum(1 for case in record["cases"] for label in case["labels"] if label["kind"] == "label")
            purchased = store.counters.purchases - purchases_before
            bought += purchased
            duplicates += max(0, purchased - labels)
            left_open += len(store.open_shipments())
            throttled += sum(1 for call in record["calls"] if call["status"] == 429)
            errors += sum(1 for call in record["calls"] if call["status"] in (500, 503))
            if not outcome.ok:
                failures.append(
                    f"run {number}: "
                    + "; ".join(f"{c['id']} {c['detail']}" for c in outcome.cases if c["status"] in ("failed", "error"))
                )
            verdict = "passed" if outcome.ok else "FAILED"
            print(f"  run {number:>3}: {verdict}  labels {labels:>2}  purchases {purchased:>2}", flush=True)
    elapsed = time.perf_counter() - started
    print(f"onboard fault suite: {runs} certification runs against 20% 429, 5% 500, 2% slow (seed {seed})")
    print(f"  runs passed            {runs - len(failures)} of {runs}")
    print(f"  labels bought          {bought}")
    print(f"  duplicate purchases    {duplicates}")
    print(f"  left uncancelled       {left_open}")
    print(f"  429s ridden out        {throttled}")
    print(f"  500/503s ridden out    {errors}")
    print(f"  time                   {elapsed:.1f} s ({elapsed / runs:.2f} s a run)")
    for failure in failures:
        print(f"  ! {failure}")
    return 0 if not failures and not duplicates and not left_open else 1
