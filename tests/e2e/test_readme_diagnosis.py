"""README's "Try the diagnosis against the emulator" block, run as a newcomer runs it right after the Quick
start (whose demo used a temporary workspace): in a fresh home, it gets to the diagnosis it promises."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_the_diagnosis_block_works_in_a_fresh_home(tmp_path: Path) -> None:
    found = re.search(r"Try the diagnosis against the emulator.*?```sh\n(.*?)```", README.read_text(), re.DOTALL)
    assert found, "README has no diagnosis block"
    port = _free_port()
    lines = []
    for line in found.group(1).replace("8765", str(port)).splitlines():
        lines.append(line)
        if line.rstrip().endswith("&"):
            # a person types the next line a moment later; a script waits for the server to listen
            lines.append(
                f"for _ in $(seq 100); do (: > /dev/tcp/127.0.0.1/{port}) 2>/dev/null && break; sleep 0.1; done"
            )
    script = "\n".join(lines) + "\nstatus=$?\nkill %1\nexit $status\n"
    env = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / ".config"),
        "XDG_DATA_HOME": str(tmp_path / ".local" / "share"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "LANG": "C.UTF-8",
    }
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=120, check=False)
    said = done.stdout + done.stderr
    assert "no workspace" not in said, said
    # what it promises: the app without the Amazon Logistics role, named with its fix
    assert "✓ token exchange" in said, said
    assert "✗ role and authorization" in said, said
    assert "lacks the Amazon Logistics role" in said, said
    assert done.returncode == 1, said
