"""Every id that names a file (a workspace's id, a run id, a label's case, format and tracking id) either
names one inside its own folder or is refused in one line: whatever the string, it never reaches outside."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from onboard.certify.record import LABEL_FILE, RunRecorder, new_run_id, valid_run_id
from onboard.certify.runner import label_file_name
from onboard.credentials.store import FileStore
from onboard.errors import ConfigError
from onboard.names import checked, is_safe, safe_part
from onboard.workspace.state import WorkspaceState
from tests.workspaces import new_state

QUICK = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
#: what an attacker reaches for first, mixed into hypothesis's own strings
HOSTILE = st.sampled_from(
    ["..", ".", "../x", "..\\x", "/etc/passwd", "C:\\x", "a/b", "a\x00b", "x\n", "~root", "", " ", "-", "é", "a" * 65]
)
ANY_TEXT = st.one_of(HOSTILE, st.text(max_size=80), st.text(alphabet="./\\:-_aZ0 \x00\n", max_size=12))


def _stays_in(folder: Path, path: Path) -> bool:
    # lexically: one plain component directly in the folder, no '..', no separator, no drive
    return path.parent == folder and path.name not in ("", ".", "..") and os.sep not in path.name


@QUICK
@given(value=ANY_TEXT)
def test_any_id_is_a_name_inside_its_folder_or_one_line_refused(value: str) -> None:
    folder = Path("/srv/onboard/credentials")
    if not is_safe(value):
        with pytest.raises(ConfigError) as refused:
            checked(value, "the workspace id")
        assert "\n" not in refused.value.one_line() and "cannot name a file" in refused.value.one_line()
        return
    name = checked(value, "the workspace id")
    assert name == value and _stays_in(folder, folder / f"{name}.json")
    assert PurePosixPath(name).parts == (name,) and ":" not in name and "\\" not in name


@QUICK
@given(value=ANY_TEXT)
def test_a_workspace_id_that_loads_names_its_credential_file_inside_the_store(value: str, tmp_path: Path) -> None:
    document = new_state().model_dump(mode="json")
    document["workspace_id"] = value
    try:
        state = WorkspaceState.model_validate(document)
    except ValidationError as error:
        refused = error
    else:
        store = FileStore(tmp_path / "credentials")
        assert _stays_in(store.directory, store._path(state.workspace_id))
        return
    assert refused.errors()[0]["loc"] == ("workspace_id",)


def test_a_workspace_id_with_a_path_in_it_is_refused_by_the_store_too(tmp_path: Path) -> None:
    # whatever built the key (an older onboard, a script), the store never joins it to a path
    store = FileStore(tmp_path / "credentials")
    (tmp_path / "victim.json").write_text("keep me")
    with pytest.raises(ConfigError, match="cannot name a file"):
        store.forget("../victim")
    assert (tmp_path / "victim.json").read_text() == "keep me"


@QUICK
@given(value=ANY_TEXT)
def test_a_run_id_onboard_accepts_is_a_folder_directly_in_runs(value: str) -> None:
    runs = Path("/w/runs")
    if valid_run_id(value):
        assert _stays_in(runs, runs / value)
    assert valid_run_id(new_run_id())


@QUICK
@given(
    case_id=st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,31}\Z"),
    fmt=st.sampled_from(["PDF", "PNG", "ZPL", "../../x", "P/DF"]),
    dpi=st.integers(min_value=-(10**6), max_value=10**6),
    tracking_id=ANY_TEXT,
    reprint=st.booleans(),
)
def test_any_tracking_id_makes_a_label_name_inside_the_runs_labels(
    case_id: str, fmt: str, dpi: int, tracking_id: str, reprint: bool
) -> None:
    name = label_file_name(case_id, fmt, dpi, tracking_id, reprint=reprint)
    assert LABEL_FILE.match(f"labels/{name}"), name
    assert _stays_in(Path("labels"), Path("labels") / name)


@QUICK
@given(name=ANY_TEXT)
def test_a_label_is_saved_inside_labels_or_refused(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    workspace = tmp_path_factory.mktemp("ws")
    recorder = RunRecorder(workspace, new_run_id())
    try:
        relative = recorder.save_label(name, b"label")
    except ValueError as error:
        refused: ValueError | None = error
    else:
        refused = None
        assert (recorder.directory / relative).parent == recorder.labels
    assert refused is None or "\n" not in str(refused)
    # nothing was written anywhere but the run's own folder
    outside = [p for p in workspace.rglob("*") if not p.is_relative_to(recorder.directory) and p != workspace / "runs"]
    assert outside == []


@given(text=st.text(max_size=100))
def test_safe_part_keeps_only_safe_characters(text: str) -> None:
    part = safe_part(text, 40, "none")
    assert 1 <= len(part) <= 40 and all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in part)
