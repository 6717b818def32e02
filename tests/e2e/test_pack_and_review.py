"""The sign-off pack from a real emulator run, and the account manager's review of it: every hash checked,
every tampering caught, unreadable zips refused in one line."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pypdf
import pytest

from onboard.pack.review import review_pack
from onboard.workspace.workspace import Workspace
from tests.cli import run_onboard

ONBOARD = [sys.executable, "-m", "onboard"]


def onboard(*args: str) -> subprocess.CompletedProcess[str]:
    # module-scoped fixtures run before the per-test private home: keep the machine's LWA_/ONBOARD_
    # variables and its keyring out explicitly
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LWA_", "ONBOARD_"))}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return run_onboard(args, env)


@pytest.fixture(scope="module")
def certified(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with one passed certification run against the embedded emulator (made once)."""
    workspace = tmp_path_factory.mktemp("ws") / "acme"
    assert onboard("init", "--workspace", str(workspace), "--shipper", "Acme Ltd").returncode == 0
    step = onboard(
        "step",
        "river-account",
        "--status",
        "done",
        "--evidence",
        "contact_email=ops@acme.example",
        "--workspace",
        str(workspace),
    )
    assert step.returncode == 0, step.stderr
    result = onboard("certify", "--workspace", str(workspace))
    assert result.returncode == 0, result.stdout + result.stderr
    return workspace


@pytest.fixture(scope="module")
def pack(certified: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pack") / "acme-pack.zip"
    result = onboard("pack", "--workspace", str(certified), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "manifest      sha256 " in result.stdout
    return out


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(path: Path, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def test_the_pack_holds_reports_labels_run_and_manifest(pack: Path, certified: Path) -> None:
    files = members(pack)
    assert {"report.pdf", "report.html", "run.json", "manifest.json"} <= set(files)
    manifest = json.loads(files["manifest.json"])
    assert manifest["made_against_amazon"] is False
    assert manifest["notice"] == "NOT FROM AMAZON — not valid for sign-off"
    assert manifest["environment"] == "emulator"
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    for name, entry in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == entry["sha256"]
        assert len(files[name]) == entry["size"]

    run_dir = certified / "runs" / manifest["run_id"]
    labels = [name for name in files if name.startswith("labels/")]
    assert len(labels) == 14
    for name in labels:
        assert files[name] == (run_dir / name).read_bytes()  # byte for byte as the API returned them


def test_the_report_names_every_tracking_id_and_warns_on_every_page(pack: Path) -> None:
    files = members(pack)
    run = json.loads(files["run.json"])
    tracking_ids = {label["tracking_id"] for case in run["cases"] for label in case["labels"]}
    reader = pypdf.PdfReader(io.BytesIO(files["report.pdf"]))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for tracking_id in tracking_ids:
        assert tracking_id in text
    for page in reader.pages:
        assert "NOT FROM AMAZON" in page.extract_text()
    label_pages = [p for p in reader.pages if (float(p.mediabox.width), float(p.mediabox.height)) == (288, 432)]
    assert len(label_pages) == 14  # every label at true 4 x 6 in
    assert "Acme Ltd" in text and "ops@acme.example" in text  # the checklist and its evidence
    html = files["report.html"].decode()
    assert html.index("NOT FROM AMAZON") < html.index("<h1>")
    assert all(tracking_id in html for tracking_id in tracking_ids)
    assert "data:image/png;base64," in html and "http://" not in html.replace(run["endpoints"]["api"], "")


def test_review_of_an_untouched_emulator_pack(pack: Path) -> None:
    result = onboard("review", str(pack), "--json")
    assert result.returncode == 1  # intact, passed, but not Amazon: not valid for sign-off
    body = json.loads(result.stdout)
    assert set(body) == {"ok", "intact", "environment", "problems"}
    assert (body["ok"], body["intact"], body["environment"]) == (False, True, "emulator")
    assert any("NOT FROM AMAZON" in problem for problem in body["problems"])
    readable = onboard("review", str(pack))
    assert "intact: every file matches its SHA-256" in readable.stdout
    assert "labels         13" in readable.stdout


def _tampered(pack: Path, tmp_path: Path, change: Any) -> dict[str, Any]:
    files = members(pack)
    change(files)
    copy = tmp_path / "tampered.zip"
    rezip(copy, files)
    result = review_pack(copy)
    return {"intact": result.intact, "ok": result.ok, "problems": result.problems}


def test_a_flipped_byte_is_caught(pack: Path, tmp_path: Path) -> None:
    def flip(files: dict[str, bytes]) -> None:
        name = next(n for n in files if n.endswith(".png"))
        data = bytearray(files[name])
        data[len(data) // 2] ^= 0x01
        files[name] = bytes(data)

    result = _tampered(pack, tmp_path, flip)
    assert result["intact"] is False
    assert any(p.startswith("modified: labels/") for p in result["problems"])


def test_a_removed_and_an_added_file_are_caught(pack: Path, tmp_path: Path) -> None:
    removed = _tampered(pack, tmp_path, lambda files: files.pop("report.html"))
    assert "missing: report.html" in removed["problems"]
    added = _tampered(pack, tmp_path, lambda files: files.update({"labels/extra.zpl": b"^XA^XZ"}))
    assert "added: labels/extra.zpl is not in the manifest" in added["problems"]


def test_swapped_labels_are_caught_even_with_a_rebuilt_manifest(pack: Path, tmp_path: Path) -> None:
    def swap(files: dict[str, bytes]) -> None:
        first, second = sorted(n for n in files if n.endswith(".pdf") and n.startswith("labels/"))[:2]
        files[first], files[second] = files[second], files[first]
        manifest = json.loads(files["manifest.json"])
        for entry in manifest["files"]:
            entry["sha256"] = hashlib.sha256(files[entry["path"]]).hexdigest()
            entry["size"] = len(files[entry["path"]])
        files["manifest.json"] = json.dumps(manifest).encode()

    result = _tampered(pack, tmp_path, swap)
    assert result["intact"] is False
    assert sum("is not the label the run recorded" in p for p in result["problems"]) == 2


def test_a_sandbox_pack_that_passed_is_ok(certified: Path, tmp_path: Path) -> None:
    # the same run as if made against Amazon's sandbox: what the account manager hopes to receive
    run_file = next((certified / "runs").glob("*/run.json"))
    original = run_file.read_text()
    run = json.loads(original)
    run["environment"] = "sandbox"
    run["endpoints"] = {"api": "https://sandbox.sellingpartnerapi-na.amazon.com", "lwa": "x", "custom": "false"}
    try:
        run_file.write_text(json.dumps(run))
        out = tmp_path / "sandbox-pack.zip"
        assert onboard("pack", "--workspace", str(certified), "--out", str(out)).returncode == 0
    finally:
        run_file.write_text(original)
    result = onboard("review", str(out), "--json")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout) == {"ok": True, "intact": True, "environment": "sandbox", "problems": []}
    # a pack of an Amazon run checks the checklist's pack step off by itself
    record = Workspace.open(certified).state.steps["pack-built"]
    assert record.status == "done" and "manifest sha256" in record.notes[-1].text
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(members(out)["report.pdf"])).pages)
    assert "NOT FROM AMAZON" not in text


@pytest.mark.parametrize("kind", ["not a zip", "zip bomb", "path traversal", "no manifest", "missing file"])
def test_unreadable_packs_are_one_line_and_exit_2(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "pack.zip"
    if kind == "not a zip":
        path.write_bytes(b"%PDF-1.4 not a zip")
    elif kind == "zip bomb":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", b"{}")
            archive.writestr("labels/huge.zpl", b"\0" * (60 * 1024 * 1024))
    elif kind == "path traversal":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("../../etc/cron.d/evil", b"* * * * * root true")
    elif kind == "no manifest":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("report.pdf", b"%PDF-")
    else:
        path = tmp_path / "nowhere.zip"
    result = onboard("review", str(path))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "etc").exists()


def test_a_failed_run_is_not_packed_without_asking(certified: Path, tmp_path: Path) -> None:
    run_file = next((certified / "runs").glob("*/run.json"))
    original = run_file.read_text()
    run = json.loads(original)
    run["ok"] = False
    run["cases"][1]["status"] = "failed"
    try:
        run_file.write_text(json.dumps(run))
        refused = onboard("pack", "--workspace", str(certified), "--out", str(tmp_path / "x.zip"))
        assert refused.returncode == 1
        assert "did not pass" in refused.stderr and "--include-failed" in refused.stderr
        assert not (tmp_path / "x.zip").exists()
        forced = onboard("pack", "--workspace", str(certified), "--out", str(tmp_path / "x.zip"), "--include-failed")
        assert forced.returncode == 0
    finally:
        run_file.write_text(original)
    problems = review_pack(tmp_path / "x.zip").problems
    assert any(p.startswith("case P-02 failed") for p in problems)


def test_the_demo_walks_the_whole_journey(tmp_path: Path) -> None:
    result = onboard("demo", "--workspace", str(tmp_path / "demo"))
    assert result.returncode == 0, result.stdout + result.stderr
    for number in range(1, 7):
        assert f"[{number}/6]" in result.stdout
    pack = next((tmp_path / "demo" / "packs").glob("*.zip"))
    assert str(pack) in result.stdout
    assert review_pack(pack).intact
