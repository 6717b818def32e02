"""Ctrl+C in 'onboard certify' says at once what it is doing ("cancelling 3 labels…"), then what it did and that
the run was saved incomplete; one during the clean-up at the end of a run lets the clean-up finish, with no
traceback."""

from __future__ import annotations

import queue
import re
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from onboard.emulator.app import EmulatorSettings
from onboard.emulator.credentials import AcceptedCredentials
from onboard.emulator.faults import FaultSpec
from onboard.emulator.server import EmulatorServer
from tests.e2e.test_certify_complete_runs import CLIENT_ID, PROGRESS_ICONS, REFRESH, SECRET, onboard, start


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "acme"
    assert onboard(path, "init", "--shipper", "Acme").returncode == 0
    return path


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorSettings(credentials=AcceptedCredentials(CLIENT_ID, {SECRET}, {REFRESH}))) as running:
        yield running


def _lines(stream: IO[str]) -> queue.Queue[str]:
    """Each line of ``stream`` as it comes, read in a thread (so a test can wait for one with a timeout)."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)
        lines.put("")

    threading.Thread(target=read, daemon=True).start()
    return lines


def _rest(lines: queue.Queue[str]) -> list[str]:
    rest = []
    while (line := lines.get(timeout=10)) != "":
        rest.append(line)
    return rest


def _progress(lines: queue.Queue[str], count: int) -> list[str]:
    done: list[str] = []
    deadline = time.monotonic() + 60
    while len(done) < count and time.monotonic() < deadline:
        line = lines.get(timeout=60)
        assert line, "the run ended early: " + "".join(done)
        if line.strip().startswith(PROGRESS_ICONS):
            done.append(line)
    return done


def test_ctrl_c_says_at_once_how_many_labels_it_cancels_then_that_it_did(
    workspace: Path, server: EmulatorServer
) -> None:
    # every answer slow: when the signal comes, cases are still to run and each cancel takes a while
    server.emulator.faults.replace(FaultSpec.parse("slow=1,slow_seconds=0.3"))
    with start(workspace, server.url) as process:
        assert process.stdout is not None and process.stderr is not None
        out, err = _lines(process.stdout), _lines(process.stderr)
        _progress(out, 3)
        process.send_signal(signal.SIGINT)
        said = err.get(timeout=5)
        # at once: before the cancels (0.3 s each at least) are done, the process still running
        assert process.poll() is None, said
        process.wait(timeout=90)
        text = "".join(_rest(out))
    found = re.search(r"SIGINT: stopping the run; cancelling (\d+) labels? bought…", said)
    assert found, said
    assert int(found.group(1)) >= 1
    assert process.returncode == 130, text
    assert f"stopped by SIGINT: cancelled {found.group(1)} label" in text
    assert "it is saved as incomplete" in text
    assert server.emulator.store.open_shipments() == []


def test_ctrl_c_while_the_run_cancels_at_its_end_lets_it_finish(workspace: Path, server: EmulatorServer) -> None:
    server.emulator.faults.replace(FaultSpec.parse("slow=1,slow_seconds=0.3"))
    with start(workspace, server.url) as process:
        assert process.stdout is not None and process.stderr is not None
        out, err = _lines(process.stdout), _lines(process.stderr)
        _progress(out, 14)  # every case has ended: the run is cancelling the labels still open
        time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=90)
        said = "".join(_rest(err))
    assert "Traceback" not in said and "CancelledError" not in said, said
    assert re.search(r"SIGINT: the cases have ended; cancelling \d+ labels? bought…", said), said
    assert server.emulator.store.open_shipments() == []
    assert process.returncode in (0, 1), said  # the run's own verdict: it went to its end
