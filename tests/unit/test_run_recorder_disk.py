"""A run's recorder when the disk refuses: nothing half-made at the start, the pending list kept whole in
memory when it cannot be written, no record ever written over a later one, and the last line names every
label still to cancel."""

from __future__ import annotations

from pathlib import Path

import pytest

from onboard.certify.record import Pending, RunRecord, RunRecorder, new_run_id
from onboard.certify.session import _write_last
from onboard.errors import DiskError

V1 = Path(__file__).parent / "data" / "run-v1.json"


def test_a_run_that_cannot_make_its_folder_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "runs").write_text("a file where the runs folder goes")
    with pytest.raises(DiskError, match="cannot make the run's folder"):
        RunRecorder(tmp_path, new_run_id())
    assert [p.name for p in tmp_path.iterdir()] == ["runs"]


def test_a_pending_list_the_disk_refuses_is_kept_in_memory_and_stops_the_next_purchase(tmp_path: Path) -> None:
    recorder = RunRecorder(tmp_path, new_run_id())
    pending = recorder.directory / "pending.json"
    pending.unlink()
    pending.mkdir()  # nothing can replace a folder: every write of the list is refused from here

    recorder.bought(Pending(shipment_id="amzn1.ship.1", tracking_id="TBA1", case_id="P-02"))

    assert list(recorder.pending) == ["amzn1.ship.1"]  # still to be cancelled by this run
    assert recorder.unsaved is not None and "pending.json" in recorder.unsaved.message
    with pytest.raises(DiskError):
        recorder.flush()  # what the runner does before it buys anything else

    pending.rmdir()  # room again
    recorder.flush()
    assert recorder.unsaved is None and "amzn1.ship.1" in pending.read_text()


def test_no_record_is_ever_written_over_a_later_one(tmp_path: Path) -> None:
    recorder = RunRecorder(tmp_path, new_run_id())
    record = RunRecord.parse(V1.read_bytes())
    older, older_bytes = recorder.snapshot(record)
    newer, newer_bytes = recorder.snapshot(record.model_copy(update={"shipper": "Later Ltd"}))

    recorder.write_snapshot(newer, newer_bytes)
    recorder.write_snapshot(older, older_bytes, durable=False)  # a thread that finished late

    assert (recorder.directory / "run.json").read_bytes() == newer_bytes


def test_a_last_record_the_disk_refuses_names_every_label_still_to_cancel(tmp_path: Path) -> None:
    recorder = RunRecorder(tmp_path, new_run_id())
    record = RunRecord.parse(V1.read_bytes()).model_copy(
        update={"run_id": recorder.run_id, "left_open": ["amzn1.ship.7", "amzn1.ship.\x1b[31m8"]}
    )
    (recorder.directory / "run.json").mkdir()  # nothing can replace a folder: the disk refuses run.json

    with pytest.raises(DiskError) as refused:
        _write_last(recorder, record.model_copy(update={"shipper": "changed"}))

    line = refused.value.one_line()
    assert "ended, but the disk refused its record" in line and "\n" not in line
    assert "still to cancel: amzn1.ship.7, amzn1.ship.\\x1b[31m8" in line and "certify --cleanup" in line
