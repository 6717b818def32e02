"""A run is complete only when every selected case reached an outcome: an interrupted run, an answer
the runner did not expect and identifiers no one should trust never leave a run that says it passed, and
never a label that nothing will cancel."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from onboard.certify import session
from onboard.certify.record import read_run
from onboard.emulator.app import EmulatorSettings
from onboard.emulator.credentials import AcceptedCredentials
from onboard.emulator.faults import FaultSpec
from onboard.emulator.server import EmulatorServer
from onboard.pack.review import review_pack
from tests.cli import run_onboard
from tests.hostile import hostile_server

CLIENT_ID = "amzn1.application-oa2-client.c0ffee00c0ffee00c0ffee00c0ff7e57"
SECRET = "complete-runs-secret-5e4d3c2b1a09"
REFRESH = "Atzr|complete-runs-refresh-0f1e2d3c"
PROGRESS_ICONS = ("✓", "✗", "–", "!")


def onboard(workspace: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_onboard([*args, "--workspace", str(workspace)], {**os.environ, **(env or {})})


def pointed_at(url: str) -> dict[str, str]:
    return {
        "ONBOARD_LWA_URL": f"{url}/auth/o2/token",
        "ONBOARD_SPAPI_URL": url,
        "LWA_CLIENT_ID": CLIENT_ID,
        "LWA_CLIENT_SECRET": SECRET,
        "LWA_REFRESH_TOKEN": REFRESH,
    }


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "acme"
    assert onboard(path, "init", "--shipper", "Acme").returncode == 0
    return path


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorSettings(credentials=AcceptedCredentials(CLIENT_ID, {SECRET}, {REFRESH}))) as running:
        yield running


def the_run(workspace: Path) -> tuple[Path, dict[str, Any]]:
    (run_dir,) = (workspace / "runs").iterdir()
    record: dict[str, Any] = json.loads((run_dir / "run.json").read_text())
    return run_dir, record


def wait_until_listed(workspace: Path) -> None:
    """Until the run's pending.json lists a label (the answer it came in has reached the client)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for file in (workspace / "runs").glob("*/pending.json"):
            try:
                if json.loads(file.read_text())["open"]:
                    return
            except (OSError, ValueError):
                pass  # being replaced this instant
        time.sleep(0.02)
    raise AssertionError("no label was ever listed")


def start(workspace: Path, url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "onboard", "certify", *args, "--workspace", str(workspace)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **pointed_at(url)},
    )


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_three_cases_in_saves_an_incomplete_run_and_cancels_everything(
    workspace: Path, server: EmulatorServer, tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    # every answer is slow, so the signal surely comes with cases still to run and labels still open
    server.emulator.faults.replace(FaultSpec.parse("slow=1,slow_seconds=0.25"))
    process = start(workspace, server.url)
    assert process.stdout is not None
    done: list[str] = []
    deadline = time.monotonic() + 60
    while len(done) < 3 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.strip().startswith(PROGRESS_ICONS):
            done.append(line)
    assert len(done) == 3, "three cases never ended"
    process.send_signal(sig)
    rest, err = process.communicate(timeout=90)
    out = "".join(done) + rest

    assert process.returncode == code, out + err
    assert "Traceback" not in out + err
    assert "INCOMPLETE:" in out
    assert f"the run stopped: interrupted ({sig.name})" in out
    run_dir, record = the_run(workspace)
    assert (record["ok"], record["complete"], record["stopped"]) == (False, False, f"interrupted ({sig.name})")
    assert len(record["cases"]) == 14  # every case selected is in the record, reached or not
    unreached = [case for case in record["cases"] if not case["reached"]]
    assert unreached and all(case["status"] == "error" for case in unreached)
    assert sum(case["reached"] for case in record["cases"]) >= 3
    # everything bought was cancelled, and the list on disk says so
    assert server.emulator.store.counters.purchases > 0
    assert server.emulator.store.open_shipments() == []
    assert json.loads((run_dir / "pending.json").read_text())["open"] == []
    assert record["left_open"] == []

    # such a run is never packed without asking, and never reviews ok
    refused = onboard(workspace, "pack", "--out", str(tmp_path / "p.zip"), env=pointed_at(server.url))
    assert refused.returncode == 1 and "did not pass" in refused.stderr
    forced = onboard(workspace, "pack", "--out", str(tmp_path / "p.zip"), "--include-failed")
    assert forced.returncode == 0, forced.stderr
    review = review_pack(tmp_path / "p.zip")
    assert not review.ok
    assert any(
        p.startswith(f"the run is incomplete: it stopped early (interrupted ({sig.name}))") for p in review.problems
    )


def _no_documents(payload: dict[str, Any]) -> None:
    payload["packageDocumentDetails"] = []


def _unreadable(payload: dict[str, Any]) -> None:
    payload.pop("promise")  # a purchase answer Amazon's model cannot read: the label is bought all the same


@pytest.mark.parametrize(
    ("rewrite", "said"), [(_no_documents, "without packageDocumentDetails"), (_unreadable, "cannot read")]
)
def test_an_answer_the_runner_does_not_expect_fails_its_case_and_its_label_is_cancelled(
    workspace: Path, server: EmulatorServer, rewrite: Any, said: str
) -> None:
    with hostile_server(server.url, rewrite) as hostile:
        result = onboard(workspace, "certify", "--json", "--case", "TC01", "P-02", "P-05", env=pointed_at(hostile.url))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    cases = {case["id"]: case for case in json.loads(result.stdout)["cases"]}
    assert cases["TC01"]["status"] == "passed"
    assert cases["P-02"]["status"] in ("failed", "error") and said in cases["P-02"]["detail"]
    # the labels were bought before anything read the answer: each went on the list, and was cancelled
    assert server.emulator.store.counters.purchases == 2
    assert server.emulator.store.open_shipments() == []
    run_dir, record = the_run(workspace)
    assert (record["ok"], record["complete"], record["left_open"]) == (False, True, [])
    assert json.loads((run_dir / "pending.json").read_text())["open"] == []


CONTROL = "\n\x1b[31mEVIL\x00/../x"


def test_a_control_character_in_a_shipment_id_stops_neither_certify_nor_the_cleanup(
    workspace: Path, server: EmulatorServer
) -> None:
    def rename(real: str) -> str:
        return real + CONTROL

    with hostile_server(server.url, lambda payload: None, rename) as hostile:
        # a whole run: the ids are used as data (percent-encoded into one path segment) and cancelled
        passed = onboard(workspace, "certify", "--case", "P-02", "P-06", env=pointed_at(hostile.url))
        assert passed.returncode == 0, passed.stdout + passed.stderr
        assert server.emulator.store.open_shipments() == []
        assert all(told.endswith(CONTROL) for told in hostile.cancels)

        # a run killed with the label open: --cleanup cancels it, and prints the id escaped, never raw
        server.emulator.faults.replace(FaultSpec.parse("slow=1,slow_seconds=5,only=getTracking"))
        process = start(workspace, hostile.url, "--case", "P-05")
        wait_until_listed(workspace)
        process.kill()
        process.communicate(timeout=10)
        assert len(server.emulator.store.open_shipments()) == 1
        server.emulator.faults.replace(FaultSpec.parse(""))
        cleanup = onboard(workspace, "certify", "--cleanup", env=pointed_at(hostile.url))
    assert cleanup.returncode == 0, cleanup.stdout + cleanup.stderr
    assert server.emulator.store.open_shipments() == []
    assert "cancelled amzn1.ship." in cleanup.stdout and "\\n\\x1b[31mEVIL\\x00/../x" in cleanup.stdout
    assert "\x1b" not in cleanup.stdout + cleanup.stderr and "\x00" not in cleanup.stdout
    for out in (passed.stdout, cleanup.stdout):
        assert "\x1b" not in out


def test_the_cleanup_goes_through_a_list_it_cannot_read_and_ids_it_cannot_cancel(
    workspace: Path, server: EmulatorServer
) -> None:
    runs = workspace / "runs"
    broken, planted = runs / "20260101T000000.000Z-aaaaaa", runs / "20260101T000001.000Z-bbbbbb"
    broken.mkdir(parents=True)
    planted.mkdir()
    (broken / "pending.json").write_text("{not json")
    entries = [{"shipment_id": "../../_emulator/control\x1b[2J", "tracking_id": "\x07", "case_id": "P-02"}]
    (planted / "pending.json").write_text(json.dumps({"run_id": planted.name, "open": entries}))
    result = onboard(workspace, "certify", "--cleanup", env=pointed_at(server.url))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert f"could not cancel the labels listed in {broken / 'pending.json'} is not a list of labels" in lines[0]
    assert lines[1].startswith("could not cancel ../../_emulator/control\\x1b[2J (\\x07): cancelShipment failed: ")
    assert "\x1b" not in result.stderr
    # nothing it could not cancel is forgotten
    assert json.loads((planted / "pending.json").read_text())["open"] == entries
    assert (broken / "pending.json").read_text() == "{not json"


def test_a_run_is_recorded_as_not_ended_while_it_runs(workspace: Path, server: EmulatorServer) -> None:
    # killed outright, a run leaves a record that says it never ended, not a record of nothing
    server.emulator.faults.replace(FaultSpec.parse("slow=1,slow_seconds=5,only=getTracking"))
    process = start(workspace, server.url, "--case", "P-05")
    wait_until_listed(workspace)
    process.kill()
    process.communicate(timeout=10)
    run_dir, _ = the_run(workspace)
    record = read_run(run_dir / "run.json")
    assert record.finished is None and not record.complete and not record.ok
    assert "the run has not ended: it is still running, or it was killed" in record.problems()
    assert json.loads((run_dir / "pending.json").read_text())["open"], "the label bought is listed"
    assert onboard(workspace, "certify", "--cleanup", env=pointed_at(server.url)).returncode == 0
    assert server.emulator.store.open_shipments() == []


def test_ctrl_c_before_the_first_record_leaves_no_run_folder(
    workspace: Path, server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl+C while the run asks the server what it is (before its first record): a folder of labels/ and
    # pending.json once stayed behind, with no run.json, for 'pack' to pass over to the run before it
    async def interrupted(*_: object) -> str | None:
        raise KeyboardInterrupt

    monkeypatch.setattr(session, "_control_url", interrupted)
    result = onboard(workspace, "certify", env=pointed_at(server.url))
    assert result.returncode == 130, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    runs = workspace / "runs"
    assert not runs.exists() or list(runs.iterdir()) == []
