"""The one way onboard writes a file (``onboard.files``): whole or not at all, through a temporary file of
its own making that no planted link can stand in for, leaving nothing behind when it cannot finish."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from onboard import files
from onboard.errors import DiskError
from onboard.files import MAX_JSON_DEPTH, atomic_write, read_json, temporary_pid, write_new
from onboard.tui.session import UI_FILE, UiState


@pytest.fixture
def predictable(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The random part of temporary names, told in advance: the first is one an attacker guessed."""
    names = ["0123456789ab", "ba9876543210", "cafecafecafe"]
    given = iter(names)
    monkeypatch.setattr(files.secrets, "token_hex", lambda _n: next(given))
    return names


def test_a_link_planted_at_the_temporary_name_is_never_written_through(tmp_path: Path, predictable: list[str]) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("not yours")
    target = tmp_path / "workspace.json"
    (tmp_path / f".workspace.json.{os.getpid()}.{predictable[0]}.tmp").symlink_to(victim)

    atomic_write(target, b'{"saved": true}\n')

    assert victim.read_text() == "not yours"
    assert target.read_bytes() == b'{"saved": true}\n' and not target.is_symlink()


def test_a_file_planted_at_the_temporary_name_is_left_alone(tmp_path: Path, predictable: list[str]) -> None:
    planted = tmp_path / f".run.json.{os.getpid()}.{predictable[0]}.tmp"
    planted.write_text("someone's")

    write_new(tmp_path, ["run.json"], b"{}")

    assert planted.read_text() == "someone's"


def test_the_target_itself_a_link_is_replaced_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("not yours")
    target = tmp_path / "pending.json"
    target.symlink_to(victim)

    atomic_write(target, b"[]", mode=0o600)

    assert victim.read_text() == "not yours" and target.read_bytes() == b"[]" and not target.is_symlink()


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "workspace.json"
    target.write_bytes(b"old")

    def interrupted(_fd: int) -> None:
        raise KeyboardInterrupt  # Ctrl+C between the last byte and the rename

    monkeypatch.setattr(files.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"new")

    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["workspace.json"]


def test_a_refused_write_is_a_disk_error_with_a_hint_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "runs"
    blocker.write_text("a file where a folder is needed")

    with pytest.raises(DiskError) as refused:
        atomic_write(blocker / "run.json", b"{}")

    line = refused.value.one_line()
    assert "cannot write" in line and "run.json was left as it was" in line and "\n" not in line
    assert [p.name for p in tmp_path.iterdir()] == ["runs"]


def test_modes_private_kept_or_as_open_makes_them(tmp_path: Path) -> None:
    private = tmp_path / "creds.json"
    previous = os.umask(0)
    try:
        atomic_write(private, b"secret", mode=0o600)
        plain = tmp_path / "render.png"
        atomic_write(plain, b"png")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(plain.stat().st_mode) == 0o666  # as open() makes it, the umask being 0

    plain.chmod(0o640)
    atomic_write(plain, b"png again")
    assert stat.S_IMODE(plain.stat().st_mode) == 0o640  # a replaced file keeps its mode


def test_the_backup_is_the_previous_version_whole(tmp_path: Path) -> None:
    target = tmp_path / "workspace.json"
    atomic_write(target, b"one", keep_backup=True)
    atomic_write(target, b"two", keep_backup=True)
    assert target.read_bytes() == b"two" and (tmp_path / "workspace.json.bak").read_bytes() == b"one"


def test_write_new_never_writes_over_a_file_and_says_when_every_name_is_taken(tmp_path: Path) -> None:
    (tmp_path / "pack.zip").write_bytes(b"sent already")

    made = write_new(tmp_path, ["pack.zip", "pack-2.zip"], b"new pack", mode=0o644)
    again = write_new(tmp_path, ["pack.zip", "pack-2.zip"], b"newer pack")

    assert made == tmp_path / "pack-2.zip" and made.read_bytes() == b"new pack"
    assert stat.S_IMODE(made.stat().st_mode) == 0o644
    assert again is None
    assert (tmp_path / "pack.zip").read_bytes() == b"sent already"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack-2.zip", "pack.zip"]


@pytest.mark.parametrize("opening", ["[", '{"a": '])
def test_json_nested_deeper_than_any_file_of_ours_is_refused(opening: str) -> None:
    closing = "]" if opening == "[" else "}"
    assert read_json(opening * MAX_JSON_DEPTH + "1" + closing * MAX_JSON_DEPTH) is not None
    with pytest.raises(ValueError, match="nested deeper than"):
        read_json(opening * (MAX_JSON_DEPTH + 1) + "1" + closing * (MAX_JSON_DEPTH + 1))
    with pytest.raises(ValueError, match="nested deeper than"):
        read_json(opening * 100_000)


def test_a_deeply_nested_tui_state_is_ignored_like_any_damaged_one(tmp_path: Path) -> None:
    (tmp_path / UI_FILE).write_bytes(b"[" * 100_000)
    assert UiState.load(tmp_path) == UiState()
    (tmp_path / UI_FILE).write_text(json.dumps({"mode": "signoff"}))
    assert UiState.load(tmp_path).mode == "signoff"


@pytest.mark.parametrize(
    ("name", "pid"),
    [
        (".workspace.json.4242.0123456789ab.tmp", 4242),
        (".workspace.json.4242.tmp", 4242),  # as an older onboard named them
        (".workspace.json.x.tmp", None),
        (".notes.txt.4242.tmp", None),
        ("workspace.json.4242.tmp", None),
        (".workspace.json.٤٢.tmp", None),  # digits, but not ASCII ones
    ],
)
def test_a_temporary_file_names_the_process_that_made_it(name: str, pid: int | None) -> None:
    assert temporary_pid(name, "workspace.json") == pid
