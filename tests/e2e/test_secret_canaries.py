"""A whole journey with canary secrets, then a search of everything it left: the workspace, the pack,
the home directory and every line printed. The only place a canary may be is the credential store."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from onboard.emulator.app import EmulatorSettings
from onboard.emulator.credentials import AcceptedCredentials
from onboard.emulator.server import EmulatorServer
from tests.figures import Figure

CLIENT_ID = "amzn1.application-oa2-client.ca0a7e57ca0a7e57ca0a7e57ca0a7e57"
SECRET = "canary-secret-7b1e0c55d2aa"
NEW_SECRET = "canary-secret-rotated-91f3e2"
REFRESH = "Atzr|canary-refresh-4d6f8a2c9e"
CANARIES = (SECRET, NEW_SECRET, REFRESH, "canary-secret", "canary-refresh")


@pytest.fixture
def amazon_like() -> Iterator[EmulatorServer]:
    accepted = AcceptedCredentials(CLIENT_ID, {SECRET, NEW_SECRET}, {REFRESH})
    with EmulatorServer(EmulatorSettings(credentials=accepted)) as server:
        yield server


def test_no_secret_lands_anywhere_but_the_store(
    tmp_path: Path, private_home: Path, amazon_like: EmulatorServer, figure: Figure
) -> None:
    workspace = tmp_path / "acme"
    pack = tmp_path / "pack.zip"
    printed: list[str] = []
    urls = {"ONBOARD_LWA_URL": f"{amazon_like.url}/auth/o2/token", "ONBOARD_SPAPI_URL": amazon_like.url}
    creds = {"LWA_CLIENT_ID": CLIENT_ID, "LWA_CLIENT_SECRET": SECRET, "LWA_REFRESH_TOKEN": REFRESH}

    def onboard(*args: str, env: dict[str, str] | None = None, code: int = 0) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "onboard", *args, "--workspace", str(workspace)],
            capture_output=True,
            text=True,
            timeout=180,
            env={**os.environ, **urls, **(env or {})},
            stdin=subprocess.DEVNULL,
            check=False,
        )
        printed.extend([result.stdout, result.stderr])
        assert result.returncode == code, result.stdout[-2000:] + result.stderr[-2000:]

    onboard("init", "--env", "sandbox")
    onboard("creds", "set", env=creds)
    onboard("creds", "show")
    onboard("creds", "verify")
    onboard("creds", "verify", "--json", env={**creds, "LWA_CLIENT_SECRET": "canary-secret-wrong"}, code=1)
    onboard("certify", "--case", "TC01", "P-02", "P-07", "P-10")
    onboard("pack", "--out", str(pack))
    onboard("creds", "rotate", env={"LWA_NEW_CLIENT_SECRET": "canary-secret-typo"}, code=1)
    onboard("creds", "rotate", env={"LWA_NEW_CLIENT_SECRET": NEW_SECRET})
    onboard("revalidate", "--json")
    onboard("status")

    store = list((private_home / ".config" / "onboard" / "credentials").glob("*.json"))
    assert len(store) == 1 and NEW_SECRET in store[0].read_text()  # the search below can find a canary

    searched = size = 0
    for path in [*workspace.rglob("*"), *private_home.rglob("*"), pack]:
        if path.is_file() and path not in store:
            searched += 1
            data = path.read_bytes()
            size += len(data)
            for canary in CANARIES:
                assert canary.encode() not in data, f"{canary} in {path}"
    with zipfile.ZipFile(pack) as archive:
        for name in archive.namelist():
            searched += 1
            data = archive.read(name)
            size += len(data)
            for canary in CANARIES:
                assert canary.encode() not in data, f"{canary} in the pack's {name}"
    for text in printed:
        for canary in CANARIES:
            assert canary not in text
    assert searched > 20
    figure(
        f"{len(CANARIES)} canaries, {searched} files and pack entries ({size / 1e6:.1f} MB) and "
        f"{len(printed)} captured outputs searched: 0 hits"
    )
