"""The headless core never imports Textual: certify, pack, review and the emulator run without a terminal."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import onboard


def test_no_core_module_imports_textual() -> None:
    core = sorted(
        m.name
        for m in pkgutil.walk_packages(onboard.__path__, "onboard.")
        if not m.name.startswith("onboard.tui") and not m.name.endswith("__main__")
    )
    assert "onboard.emulator.app" in core
    probe = f"import sys; [__import__(m) for m in {core!r}]; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_help_imports_nothing_heavy() -> None:
    probe = (
        "import sys; from onboard.cli import main\n"
        "try: main(['--help'])\nexcept SystemExit: pass\n"
        "heavy = [m for m in ('textual', 'starlette', 'uvicorn', 'PIL', 'pydantic', 'httpx') if m in sys.modules]\n"
        "print(heavy, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert result.stderr.strip() == "[]"
