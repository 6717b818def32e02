"""A certification run on disk: ``<workspace>/runs/<run_id>/`` with ``run.json``, the label files as
the API returned them, and ``pending.json`` naming every label bought and not yet cancelled.

``pending.json`` is rewritten (atomically) the moment a label is bought or cancelled, so a run killed
at any point leaves a true list for ``onboard certify --cleanup``.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from onboard.workspace.files import atomic_write

RUNS = "runs"


def new_run_id(now: datetime | None = None) -> str:
    # to the millisecond: runs are found by sorting their ids, and two runs can start within one second
    at = now or datetime.now(UTC)
    stamp = at.strftime("%Y%m%dT%H%M%S") + f".{at.microsecond // 1000:03d}Z"
    return f"{stamp}-{secrets.token_hex(3)}"


@dataclass(frozen=True, slots=True)
class Pending:
    shipment_id: str
    tracking_id: str
    case_id: str
    business_id: str


class RunRecorder:
    def __init__(self, workspace: Path, run_id: str) -> None:
        self.run_id = run_id
        self.directory = workspace / RUNS / run_id
        self.labels = self.directory / "labels"
        self.labels.mkdir(parents=True, exist_ok=True)
        self.pending: dict[str, Pending] = {}
        self._write_pending()

    def save_label(self, name: str, data: bytes) -> str:
        """Keep a label byte for byte; returns its path relative to the run directory."""
        path = self.labels / name
        atomic_write(path, data, keep_backup=False)
        return f"labels/{name}"

    def bought(self, pending: Pending) -> None:
        self.pending[pending.shipment_id] = pending
        self._write_pending()

    def cancelled(self, shipment_id: str) -> None:
        if self.pending.pop(shipment_id, None) is not None:
            self._write_pending()

    def _write_pending(self) -> None:
        body = {"run_id": self.run_id, "open": [asdict(p) for p in self.pending.values()]}
        atomic_write(self.directory / "pending.json", json.dumps(body, indent=2).encode(), keep_backup=False)

    def write(self, record: dict[str, Any]) -> Path:
        path = self.directory / "run.json"
        atomic_write(path, json.dumps(record, indent=2, ensure_ascii=False).encode() + b"\n", keep_backup=False)
        return path


def open_purchases(workspace: Path) -> list[tuple[Path, Pending]]:
    """Every label some run bought and did not cancel (a crash, a kill, a lost connection)."""
    found = []
    for file in sorted((workspace / RUNS).glob("*/pending.json")):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            found += [(file, Pending(**entry)) for entry in data.get("open", [])]
        except (OSError, ValueError, TypeError):
            continue
    return found


def forget_purchase(file: Path, shipment_id: str) -> None:
    data = json.loads(file.read_text(encoding="utf-8"))
    data["open"] = [entry for entry in data.get("open", []) if entry.get("shipment_id") != shipment_id]
    atomic_write(file, json.dumps(data, indent=2).encode(), keep_backup=False)


def latest_run(workspace: Path) -> Path | None:
    runs = sorted((workspace / RUNS).glob("*/run.json"))
    return runs[-1] if runs else None
