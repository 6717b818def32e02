"""The whole certification catalog, every format and dpi, against the embedded emulator: wall time, and
that time as a ratio of the run's own HTTP round trips (what the runner adds: label checks, records)."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from onboard.businesses import BUSINESSES
from onboard.certify.catalog import load_catalog
from onboard.certify.session import certify
from onboard.samples import sample_for
from onboard.settings import Settings
from onboard.workspace.state import Profile, WorkspaceState
from onboard.workspace.workspace import Workspace

WALL_TARGET = 3.0
RATIO_TARGET = 1.3


def _workspace(path: Path) -> Workspace:
    sample = sample_for("AmazonShipping_US")
    profile = Profile(
        shipper_name="Benchmark",
        business_id="AmazonShipping_US",
        region=BUSINESSES["AmazonShipping_US"].region,
        environment="emulator",
        ship_from=sample.ship_from,
        ship_to=sample.ship_to,
        package=sample.package,
    )
    workspace = Workspace(path, WorkspaceState(profile=profile))
    workspace.save()
    return workspace


def run(rounds: int = 3) -> int:
    walls, ratios, phases = [], [], []
    cases = load_catalog()
    for _ in range(rounds + 1):
        with tempfile.TemporaryDirectory() as directory:
            workspace = _workspace(Path(directory))
            started = time.perf_counter()
            outcome = certify(workspace, Settings(), cases, None, None)
            wall = time.perf_counter() - started
            record = json.loads(outcome.record.read_text())
            http = sum(call["elapsed_ms"] for call in record["calls"]) / 1000
            phase = (
                datetime.fromisoformat(record["finished"]) - datetime.fromisoformat(record["started"])
            ).total_seconds()
            labels = sum(len(case["labels"]) for case in record["cases"])
            if not outcome.ok:
                print(f"the run failed: {outcome.cases}")
                return 1
        walls.append(wall)
        ratios.append(phase / http)
        phases.append(phase)
    walls, ratios, phases = walls[1:], ratios[1:], phases[1:]  # the first round warms imports and fonts
    wall, ratio, phase = statistics.median(walls), statistics.median(ratios), statistics.median(phases)
    print(f"onboard certification benchmark ({len(cases)} cases, {labels} labels checked, embedded emulator)")
    wall_verdict = "ok" if wall < WALL_TARGET else "ABOVE TARGET"
    ratio_verdict = "ok" if ratio <= RATIO_TARGET else "ABOVE TARGET"
    print(f"  wall time              {wall:6.2f} s     target < {WALL_TARGET:g} s    {wall_verdict}")
    print(f"  the run itself         {phase:6.2f} s     (without starting and stopping the emulator)")
    print(f"  its HTTP round trips   {phase / ratio:6.2f} s")
    print(f"  run / round trips      {ratio:6.2f}x    target <= {RATIO_TARGET:g}x  {ratio_verdict}")
    return 0 if wall < WALL_TARGET and ratio <= RATIO_TARGET else 1
