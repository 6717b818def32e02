"""The wheel carries templates/ and checks/, and onboard finds them there as it does in a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from onboard.locations import checks_dir, templates_dir

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_finds_its_data() -> None:
    assert checks_dir() == ROOT / "checks"
    assert templates_dir() == ROOT / "templates"
    assert (checks_dir() / "samples.toml").is_file()


@pytest.mark.slow
def test_the_wheel_ships_and_finds_its_data(tmp_path: Path) -> None:
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("onboard-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "onboard/_data/checks/samples.toml" in names
    assert "onboard/_data/templates/README.md" in names
    assert "onboard/_data/checks/onboarding.toml" in names
    assert "onboard/_data/templates/messages/directed-id.txt.j2" in names
    assert not any(name.startswith(("tests/", "checks/", "templates/")) for name in names)

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import onboard.locations as l, onboard.samples as s;"
        "print(l.checks_dir()); print(l.templates_dir()); print(len(s.samples()))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert found.returncode == 0, found.stderr
    checks, templates, count = found.stdout.split()
    assert checks == str(site / "onboard" / "_data" / "checks")
    assert templates == str(site / "onboard" / "_data" / "templates")
    assert int(count) >= 2
