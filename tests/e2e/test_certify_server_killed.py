"""The sandbox dies in the middle of a certification run: the integrator gets a clear error, the run is
kept as incomplete, and every label it bought is listed and cancelled once the server is back."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from onboard.bench.processes import free_port, sandbox_process
from onboard.emulator.credentials import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from tests.cli import run_onboard

ONBOARD = [sys.executable, "-m", "onboard"]


def pointed_at(port: int) -> dict[str, str]:
    url = f"http://127.0.0.1:{port}"
    return {
        "ONBOARD_LWA_URL": f"{url}/auth/o2/token",
        "ONBOARD_SPAPI_URL": url,
        "LWA_CLIENT_ID": DEMO_CLIENT_ID,
        "LWA_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "LWA_REFRESH_TOKEN": DEMO_REFRESH_TOKEN,
    }


def onboard(workspace: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_onboard([*args, "--workspace", str(workspace)], {**os.environ, **env})


def open_on_server(port: int) -> list[str]:
    state = httpx.get(f"http://127.0.0.1:{port}/_emulator/state", timeout=5).json()
    return list(state["open_shipments"])


def pending_labels(workspace: Path) -> list[str]:
    found = []
    for file in (workspace / "runs").glob("*/pending.json"):
        try:
            found += [entry["shipment_id"] for entry in json.loads(file.read_text())["open"]]
        except (OSError, ValueError):
            continue  # being replaced this instant
    return found


@pytest.mark.slow
def test_a_sandbox_killed_mid_run_leaves_an_incomplete_run_and_labels_to_cancel_later(tmp_path: Path) -> None:
    workspace = tmp_path / "acme"
    assert onboard(workspace, "init", "--shipper", "Acme", env={}).returncode == 0
    port, journal = free_port(), tmp_path / "sandbox.jsonl"
    env = pointed_at(port)

    # every call answers slowly, so the run is surely between purchases and their cancels at the kill
    with sandbox_process(port, "--state", str(journal), "--faults", "slow=1,slow_seconds=0.3") as server:
        run = subprocess.Popen(
            [*ONBOARD, "certify", "--workspace", str(workspace)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
        )
        deadline = time.monotonic() + 30
        while len(pending_labels(workspace)) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        out, err = run.communicate(timeout=120)

    assert run.returncode == 1, out + err
    assert "Traceback" not in out + err
    assert "INCOMPLETE:" in out
    assert re.search(r"the run stopped: \w+: no answer from 127\.0\.0\.1: connection refused", out), out
    (run_dir,) = (workspace / "runs").iterdir()
    record = json.loads((run_dir / "run.json").read_text())
    assert record["complete"] is False and record["ok"] is False
    assert "connection refused" in record["stopped"]
    left = record["left_open"]
    assert left, "the kill came before any label was bought"
    assert sorted(left) == sorted(pending_labels(workspace))
    assert f"{len(left)} label(s) still to cancel" in out
    assert all(shipment in out for shipment in left)
    assert "onboard certify --cleanup" in out

    # an account manager shown this run is told it is incomplete, not just failed
    pack = tmp_path / "pack.zip"
    assert onboard(workspace, "pack", "--out", str(pack), "--include-failed", env=env).returncode == 0
    review = json.loads(run_onboard(["review", str(pack), "--json"]).stdout)
    assert any(p.startswith("the run is incomplete: it stopped early (") for p in review["problems"])

    # back up on the same journal, it still knows the labels; the clean-up cancels every one
    with sandbox_process(port, "--state", str(journal)):
        assert sorted(open_on_server(port)) == sorted(left)
        cleanup = onboard(workspace, "certify", "--cleanup", env=env)
        assert cleanup.returncode == 0, cleanup.stdout + cleanup.stderr
        assert all(f"cancelled {shipment}" in cleanup.stdout for shipment in left)
        assert open_on_server(port) == []
        assert pending_labels(workspace) == []
        assert "no label left to cancel" in onboard(workspace, "certify", "--cleanup", env=env).stdout
