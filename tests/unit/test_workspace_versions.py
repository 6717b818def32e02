"""workspace.json across versions: a v1 file is upgraded, a newer or corrupt one is refused and left alone."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from onboard.checklist.load import checklist
from onboard.checklist.record import Change, apply_change
from onboard.errors import ConfigError
from onboard.workspace.migrations import MIGRATIONS, upgrade
from onboard.workspace.state import SCHEMA_VERSION
from onboard.workspace.workspace import STATE_FILE, Workspace
from tests.workspaces import new_workspace

V1 = Path(__file__).parent / "data" / "workspace-v1.json"


@pytest.fixture
def v1_workspace(tmp_path: Path) -> Path:
    shutil.copy(V1, tmp_path / STATE_FILE)
    return tmp_path


def test_every_older_version_has_a_way_up() -> None:
    assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION))


def test_a_v1_workspace_opens_as_the_current_schema_and_keeps_who_it_is(v1_workspace: Path) -> None:
    original = (v1_workspace / STATE_FILE).read_bytes()
    workspace = Workspace.open(v1_workspace)
    state = workspace.state
    assert state.schema_version == SCHEMA_VERSION == 3
    assert state.workspace_id == "5f0c8d6a1e2b4c3d9a7e6f5b4c3d2e1f"
    assert state.created == datetime(2026, 5, 4, 8, 15, tzinfo=UTC)
    assert (state.profile.shipper_name, state.profile.business_id) == ("Acme Ltd", "AmazonShipping_UK")
    assert (state.steps, state.audit) == ({}, [])
    # opening never writes: a read-only command leaves the v1 file as it was
    assert (v1_workspace / STATE_FILE).read_bytes() == original


def test_the_first_save_writes_v3_and_keeps_the_v1_file_as_the_backup(v1_workspace: Path) -> None:
    original = (v1_workspace / STATE_FILE).read_bytes()
    workspace = Workspace.open(v1_workspace)
    apply_change(checklist(), workspace.state, "river-account", Change(status="in_progress"), datetime.now(UTC))
    workspace.save()
    assert (v1_workspace / f"{STATE_FILE}.bak").read_bytes() == original
    saved = json.loads((v1_workspace / STATE_FILE).read_bytes())
    assert saved["schema_version"] == 3
    assert saved["steps"]["river-account"]["status"] == "in_progress"
    assert Workspace.open(v1_workspace).state.workspace_id == "5f0c8d6a1e2b4c3d9a7e6f5b4c3d2e1f"


def test_a_v2_workspace_asks_for_every_label_format_and_dpi_until_told(tmp_path: Path) -> None:
    # v2 never said what the shipper prints: sign-off keeps asking for all of it, and nothing else changes
    raw = json.loads(V1.read_text())
    v2 = upgrade({**raw, "schema_version": 1}) | {"schema_version": 2}
    v2["profile"].pop("label_formats", None)
    v2["profile"].pop("label_dpis", None)
    (tmp_path / STATE_FILE).write_text(json.dumps(v2))
    profile = Workspace.open(tmp_path).state.profile
    assert (profile.label_formats, profile.label_dpis) == (["PDF", "PNG", "ZPL"], [203, 300])
    assert profile.shipper_name == "Acme Ltd"


def test_a_version_too_old_to_upgrade_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="schema 0 is older than any"):
        upgrade({"schema_version": 0})


def test_a_newer_workspace_is_refused_and_left_untouched(tmp_path: Path) -> None:
    new_workspace(tmp_path)
    file = tmp_path / STATE_FILE
    raw = json.loads(file.read_bytes())
    file.write_text(json.dumps({**raw, "schema_version": SCHEMA_VERSION + 1, "from_the_future": True}))
    before = file.read_bytes()
    with pytest.raises(ConfigError) as caught:
        Workspace.open(tmp_path)
    assert f"newer onboard (schema {SCHEMA_VERSION + 1}, this one reads {SCHEMA_VERSION})" in caught.value.one_line()
    assert file.read_bytes() == before


def test_a_corrupt_workspace_names_the_backup_and_is_left_untouched(tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path)
    workspace.save()  # a second save: the first version is now the backup
    file = tmp_path / STATE_FILE
    file.write_bytes(file.read_bytes()[:200])
    before = file.read_bytes()
    with pytest.raises(ConfigError) as caught:
        Workspace.open(tmp_path)
    assert "cannot be read" in caught.value.one_line()
    assert f"the previous version is kept at {tmp_path / (STATE_FILE + '.bak')}" in caught.value.one_line()
    assert file.read_bytes() == before


def test_a_step_record_with_an_unknown_status_is_not_a_valid_workspace(tmp_path: Path) -> None:
    new_workspace(tmp_path)
    file = tmp_path / STATE_FILE
    raw = json.loads(file.read_bytes())
    raw["steps"] = {"river-account": {"status": "finished"}}
    file.write_text(json.dumps(raw))
    with pytest.raises(ConfigError, match=r"not a valid workspace: steps\.river-account\.status"):
        Workspace.open(tmp_path)
