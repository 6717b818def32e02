"""A save killed mid-write leaves its temporary file behind; the next save clears it, and only it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workspaces import new_workspace


@pytest.mark.skipif(sys.platform == "win32", reason="no kill -9, and no pid probe, on Windows")
def test_the_next_save_removes_what_a_killed_save_left_and_nothing_else(tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    killed = tmp_path / f".workspace.json.{dead.stdout.strip()}.0c3f9a7b2e1d.tmp"  # its process is gone
    older = tmp_path / f".workspace.json.{dead.stdout.strip()}.tmp"  # as an older onboard named them
    in_progress = tmp_path / f".workspace.json.{os.getppid()}.5e6f7a8b9c0d.tmp"  # a live process, mid-save
    other = tmp_path / ".notes.txt.123.tmp"  # not the workspace's
    for path in (killed, older, in_progress, other):
        path.write_text("{half a workspa")
    workspace.save()
    assert not killed.exists() and not older.exists()
    assert in_progress.exists() and other.exists()
    assert workspace.state_file.read_text().startswith("{")
