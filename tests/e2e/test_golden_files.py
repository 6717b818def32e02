"""The output contracts, byte for byte: ``certify --json``, the pack's ``manifest.json`` and ``review --json``
of one whole run against the embedded emulator (Harlequin's golden files).

What is random by nature (run ids, x-amzn-RequestIds, tracking and shipment ids, digests, times, ports,
sizes of files that hold them) is replaced by a placeholder before comparing, and a list of nothing but
one placeholder becomes that placeholder once: how many calls a run makes moves with its concurrency
(P-08 ages every quote on the server, and a case that meets the aged quote re-rates). Everything else
must be as the golden file says. After a deliberate change, regenerate with ``UPDATE_GOLDEN=1`` and read the diff
before accepting it: the bytes are the contract.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.cli import run_onboard

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
_VOLATILE = [
    (re.compile(r"\d{8}T\d{6}(\.\d{3})?Z-[0-9a-f]{6}"), "<run-id>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<request-id>"),
    (re.compile(r"amzn1\.ship\.[0-9a-f]{32}"), "<shipment-id>"),
    (re.compile(r"TBA\d{12}"), "<tracking-id>"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "<sha256>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)"), "<time>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"/tmp/\S+?\.zip"), "<pack>"),
]


def normalised(value: Any) -> Any:
    if isinstance(value, dict):
        # a file's size moves with the ids and times inside it: only that it is a size is the contract
        return {k: ("<size>" if k == "size" and isinstance(v, int) else normalised(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [normalised(item) for item in value]
        if items and all(isinstance(item, str) and item.startswith("<") for item in items) and len(set(items)) == 1:
            return items[:1]  # "one or more" of these
        return items
    if isinstance(value, str):
        for pattern, placeholder in _VOLATILE:
            value = pattern.sub(placeholder, value)
    return value


def check_golden(name: str, value: Any) -> None:
    path = GOLDEN / name
    text = json.dumps(normalised(value), indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: run with UPDATE_GOLDEN=1 and read it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def onboard(*args: str) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LWA_", "ONBOARD_"))}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return run_onboard(args, env)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    workspace = tmp_path_factory.mktemp("golden") / "ws"
    assert onboard("init", "--workspace", str(workspace), "--shipper", "Golden Shipper").returncode == 0
    certified = onboard("certify", "--workspace", str(workspace), "--json")
    assert certified.returncode == 0, certified.stderr
    out = tmp_path_factory.mktemp("golden-pack") / "golden.zip"
    assert onboard("pack", "--workspace", str(workspace), "--out", str(out)).returncode == 0
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    reviewed = onboard("review", str(out), "--json")
    assert reviewed.returncode == 1  # an emulator pack is never ok for sign-off
    return {"certify": json.loads(certified.stdout), "manifest": manifest, "review": json.loads(reviewed.stdout)}


@pytest.mark.parametrize("name", ["certify", "manifest", "review"])
def test_the_output_is_its_golden_file(outputs: dict[str, Any], name: str) -> None:
    check_golden(f"{name}.json", outputs[name])
