"""Runs are found by sorting their ids ("the latest run", "the last passing run"): ids must sort in the
order the runs started, also when two start within the same second."""

from datetime import UTC, datetime, timedelta

from onboard.certify.record import new_run_id


def test_run_ids_sort_in_start_order_within_one_second() -> None:
    start = datetime(2026, 11, 27, 8, 12, 43, 5000, tzinfo=UTC)
    moments = [start + timedelta(milliseconds=ms) for ms in (0, 1, 120, 994, 1000, 61_000)]
    ids = [new_run_id(moment) for moment in moments]
    assert sorted(ids) == ids
    assert ids[0].startswith("20261127T081243.005Z-")
