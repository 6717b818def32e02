"""Files crafted to hurt and disks that refuse: an id that climbs out of its folder, a link planted where a
save writes, a full or read-only disk, JSON nested a hundred thousand deep, a pack that is not one, a
weight that is not a number. Each is one clear line on stderr and a non-zero exit; the file that was
there is as it was, no temporary file is left, and nothing is written anywhere else."""

from __future__ import annotations

import json
import math
import os
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onboard.certify.record import read_run
from onboard.emulator.credentials import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from onboard.emulator.faults import FaultSpec, FaultSpecError
from onboard.emulator.server import EmulatorServer
from onboard.locations import credentials_dir
from onboard.workspace.workspace import Workspace
from tests.cli import run_onboard
from tests.disks import read_only_possible, run_on_disk, snapshot, temporary_files
from tests.workspaces import new_state, new_workspace

DEEP = b"[" * 100_000


def onboard(workspace: Path, *args: str, **env: str) -> Any:
    return run_onboard([*args, "--workspace", str(workspace)], {**os.environ, **env})


def one_line(stderr: str) -> str:
    """The error, which must be all of stderr: one line, no traceback, no internal error."""
    assert stderr.count("\n") == 1 and stderr.startswith("onboard: error: "), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    return stderr


def pointed_at(server: EmulatorServer) -> dict[str, str]:
    return {
        "ONBOARD_LWA_URL": f"{server.url}/auth/o2/token",
        "ONBOARD_SPAPI_URL": server.url,
        "LWA_CLIENT_ID": DEMO_CLIENT_ID,
        "LWA_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "LWA_REFRESH_TOKEN": DEMO_REFRESH_TOKEN,
    }


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "acme"
    new_workspace(path)
    return path


def edit(workspace: Path, **fields: Any) -> bytes:
    document = json.loads((workspace / "workspace.json").read_text())
    document.update(fields)
    written = json.dumps(document, indent=2, allow_nan=True).encode()
    (workspace / "workspace.json").write_bytes(written)
    return written


# --- ids that would name a file somewhere else ------------------------------------------------------------


def test_a_workspace_id_that_climbs_out_of_the_store_stores_nothing_anywhere(workspace: Path) -> None:
    # before: the plain secrets went to <workspace>/evil.json, while onboard said "in the config dir"
    climb = os.path.relpath(workspace / "evil", credentials_dir())
    written = edit(workspace, workspace_id=climb)
    before = snapshot(workspace)
    env = {"LWA_CLIENT_ID": DEMO_CLIENT_ID, "LWA_CLIENT_SECRET": "s3cret-canary", "LWA_REFRESH_TOKEN": "Atzr|canary"}

    result = onboard(workspace, "creds", "set", **env)

    assert result.returncode == 2
    assert "workspace_id" in one_line(result.stderr)
    assert snapshot(workspace) == before and (workspace / "workspace.json").read_bytes() == written
    assert not credentials_dir().exists() or not any(credentials_dir().iterdir())


def test_creds_forget_with_such_an_id_deletes_nothing(workspace: Path, tmp_path: Path) -> None:
    # before: forget unlinked whatever file the id named
    victim = tmp_path / "victim.json"
    victim.write_text("someone else's file")
    edit(workspace, workspace_id=os.path.relpath(tmp_path / "victim", credentials_dir()))

    result = onboard(workspace, "creds", "forget")

    assert result.returncode == 2
    one_line(result.stderr)
    assert victim.read_text() == "someone else's file"


def test_a_link_planted_where_a_save_used_to_write_is_never_written_through(workspace: Path, tmp_path: Path) -> None:
    # before: a save wrote through .workspace.json.<pid>.tmp, so a link there overwrote its target
    victim = tmp_path / "victim.txt"
    victim.write_text("not yours")
    for pid in {os.getpid(), os.getppid()}:  # run_onboard runs in this process
        (workspace / f".workspace.json.{pid}.tmp").symlink_to(victim)
    (workspace / "workspace.json.bak").symlink_to(victim)

    result = onboard(workspace, "step", "river-account", "--note", "called the account manager")

    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "not yours"
    assert Workspace.open(workspace).state.steps["river-account"].notes[0].text == "called the account manager"
    assert not (workspace / "workspace.json").is_symlink() and (workspace / "workspace.json.bak").is_file()


# --- a full disk ------------------------------------------------------------------------------------------


def test_a_full_disk_during_a_save_keeps_the_workspace_and_leaves_no_temporary_file(workspace: Path) -> None:
    assert onboard(workspace, "step", "river-account", "--note", "first").returncode == 0  # and a backup
    before = snapshot(workspace)
    size = len(before["workspace.json"])

    # the note makes the file bigger than the disk will take
    result = run_on_disk(
        ["step", "river-account", "--note", "x" * 2000, "--workspace", str(workspace)], file_size=size + 100
    )

    assert result.returncode == 2, result.stdout + result.stderr
    line = one_line(result.stderr)
    assert "cannot write" in line and "workspace.json was left as it was" in line
    assert snapshot(workspace) == before
    assert temporary_files(workspace) == []


@pytest.mark.slow
def test_a_disk_that_fills_during_certify_stops_buying_cancels_all_and_keeps_a_whole_record(
    workspace: Path, emulator: EmulatorServer
) -> None:
    # before: "internal error", and run.json lost or left as the record of a run just begun
    result = run_on_disk(["certify", "--workspace", str(workspace)], pointed_at(emulator), file_size=40_000)

    assert result.returncode == 2, result.stdout + result.stderr
    line = one_line(result.stderr)
    assert "ended, but the disk refused its record" in line and "run.json was left as it was" in line
    assert "not run: the run had stopped (the disk refused the run's record" in result.stdout
    (run_dir,) = (workspace / "runs").iterdir()
    record = read_run(run_dir / "run.json")  # whole and valid: the last one the disk took
    assert record.finished is None and not record.ok
    assert json.loads((run_dir / "pending.json").read_text())["open"] == []
    state = emulator.emulator.snapshot()
    assert state["counters"]["purchases"] > 0 and state["open_shipments"] == []  # every label bought is cancelled
    assert temporary_files(workspace) == []


def test_a_disk_too_full_for_the_first_record_buys_nothing_and_leaves_no_run(
    workspace: Path, emulator: EmulatorServer
) -> None:
    result = run_on_disk(["certify", "--workspace", str(workspace)], pointed_at(emulator), file_size=1000)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "run.json" in one_line(result.stderr)
    assert emulator.emulator.snapshot()["counters"]["purchases"] == 0
    assert list((workspace / "runs").iterdir()) == []
    assert temporary_files(workspace) == []


@pytest.mark.slow
def test_a_full_disk_during_pack_leaves_no_pack_and_no_temporary_file(workspace: Path, tmp_path: Path) -> None:
    assert onboard(workspace, "certify").returncode == 0
    out = tmp_path / "out"
    out.mkdir()

    result = run_on_disk(["pack", "--out", str(out), "--workspace", str(workspace)], file_size=100_000)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "cannot write" in one_line(result.stderr)
    assert list(out.iterdir()) == []


def test_a_full_disk_during_creds_set_keeps_the_stored_credentials(workspace: Path) -> None:
    env = {"LWA_CLIENT_ID": DEMO_CLIENT_ID, "LWA_CLIENT_SECRET": "first-secret", "LWA_REFRESH_TOKEN": "Atzr|first"}
    assert onboard(workspace, "creds", "set", **env).returncode == 0
    store = credentials_dir()
    before = snapshot(store)

    bigger = {**env, "LWA_CLIENT_SECRET": "second-secret-" + "x" * 500}
    result = run_on_disk(["creds", "set", "--workspace", str(workspace)], bigger, file_size=300)

    assert result.returncode == 2
    assert "cannot write" in one_line(result.stderr)
    assert snapshot(store) == before
    assert temporary_files(store) == []


# --- a read-only workspace --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["step", "river-account", "--note", "hi"], ["init", "--shipper", "Other"]])
def test_a_read_only_workspace_is_one_line_and_nothing_changes(
    workspace: Path, tmp_path: Path, command: list[str]
) -> None:
    read_only_possible(tmp_path)
    before = snapshot(workspace)
    workspace.chmod(0o500)
    try:
        result = run_on_disk([*command, "--workspace", str(workspace)], read_only=True)
    finally:
        workspace.chmod(0o700)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "Permission denied" in one_line(result.stderr)
    assert snapshot(workspace) == before


def test_certify_in_a_read_only_workspace_buys_nothing(
    workspace: Path, tmp_path: Path, emulator: EmulatorServer
) -> None:
    read_only_possible(tmp_path)
    workspace.chmod(0o500)
    try:
        result = run_on_disk(["certify", "--workspace", str(workspace)], pointed_at(emulator), read_only=True)
    finally:
        workspace.chmod(0o700)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "Permission denied" in one_line(result.stderr)
    assert emulator.emulator.snapshot()["counters"]["purchases"] == 0


# --- JSON nested a hundred thousand deep --------------------------------------------------------------------


def test_a_deeply_nested_workspace_is_one_line_and_kept(workspace: Path) -> None:
    (workspace / "workspace.json").write_bytes(DEEP)

    result = onboard(workspace, "status")

    assert result.returncode == 2
    assert "nested deeper than" in one_line(result.stderr)
    assert (workspace / "workspace.json").read_bytes() == DEEP


def test_deeply_nested_stored_credentials_are_one_line(workspace: Path) -> None:
    env = {"LWA_CLIENT_ID": DEMO_CLIENT_ID, "LWA_CLIENT_SECRET": "a-secret", "LWA_REFRESH_TOKEN": "Atzr|a"}
    assert onboard(workspace, "creds", "set", **env).returncode == 0
    (stored,) = credentials_dir().glob("*.json")
    stored.write_bytes(DEEP)

    result = onboard(workspace, "creds", "show")

    assert result.returncode == 2
    assert "damaged" in one_line(result.stderr)


@pytest.mark.slow
def test_a_deeply_nested_run_record_is_not_packed_and_a_nested_pending_list_is_left_as_it_is(
    workspace: Path,
) -> None:
    assert onboard(workspace, "certify").returncode == 0
    (run_dir,) = (workspace / "runs").iterdir()
    (run_dir / "pending.json").write_bytes(DEEP)
    cleanup = onboard(workspace, "certify", "--cleanup")
    assert cleanup.returncode == 1 and "Traceback" not in cleanup.stdout + cleanup.stderr
    assert "pending.json is not a list of labels" in cleanup.stdout + cleanup.stderr
    assert (run_dir / "pending.json").read_bytes() == DEEP

    (run_dir / "run.json").write_bytes(DEEP)
    packed = onboard(workspace, "pack")
    assert packed.returncode == 2
    assert "nested deeper than" in one_line(packed.stderr)


def test_a_deeply_nested_emulator_state_file_is_one_line(tmp_path: Path) -> None:
    state = tmp_path / "state.jsonl"
    state.write_bytes(DEEP + b"\n")

    result = run_onboard(["sandbox", "serve", "--port", "0", "--state", str(state), "-q"])

    assert result.returncode == 2
    assert "not an emulator state record" in one_line(result.stderr)


# --- packs that are not what they say --------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    workspace = tmp_path_factory.mktemp("packed") / "acme"
    new_workspace(workspace)
    assert onboard(workspace, "certify").returncode == 0
    made = onboard(workspace, "pack", "--out", str(workspace.parent / "pack.zip"))
    assert made.returncode == 0, made.stderr
    with zipfile.ZipFile(workspace.parent / "pack.zip") as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _zip(path: Path, files: dict[str, bytes], claimed: dict[str, int] | None = None) -> Path:
    """A zip of ``files``; ``claimed`` gives members a size of their own in the zip's directory (a forged
    header: what a reader trusting it would allocate)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        for info in archive.infolist():
            info.file_size = (claimed or {}).get(info.filename, info.file_size)
    return path


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("manifest not JSON", "manifest.json cannot be read"),
        ("manifest of the wrong types", "manifest.json cannot be read (files.0.path"),
        ("manifest a list", "manifest.json cannot be read"),
        ("manifest nested deep", "manifest.json cannot be read"),
        ("a member named ../x", "dangerous name '../x'"),
        ("a huge member", "expands far beyond"),
    ],
)
def test_a_malformed_pack_is_one_line_and_exit_2(
    pack_files: dict[str, bytes], tmp_path: Path, kind: str, said: str
) -> None:
    files = dict(pack_files)
    if kind == "manifest not JSON":
        files["manifest.json"] = b"{not json"
    elif kind == "manifest of the wrong types":
        manifest = json.loads(files["manifest.json"])
        manifest["files"] = [{"path": 1, "sha256": None, "size": -5}]
        files["manifest.json"] = json.dumps(manifest).encode()
    elif kind == "manifest a list":
        files["manifest.json"] = b"[1, 2]"
    elif kind == "manifest nested deep":
        files["manifest.json"] = DEEP
    elif kind == "a member named ../x":
        files["../x"] = b"escape"
    claimed = {}
    if kind == "a huge member":
        files["labels/huge.zpl"] = b"^XA^XZ"
        claimed["labels/huge.zpl"] = 2**40  # a terabyte, says its header
    pack = _zip(tmp_path / "pack.zip", files, claimed)

    result = onboard(tmp_path, "review", str(pack))

    assert result.returncode == 2
    assert said in one_line(result.stderr)
    assert not (tmp_path.parent / "x").exists()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["a run record nested deep", "a damaged report.pdf"])
def test_a_pack_whose_parts_cannot_be_read_is_not_ok_and_says_why_quietly(
    pack_files: dict[str, bytes], tmp_path: Path, kind: str
) -> None:
    import hashlib  # noqa: PLC0415

    files = dict(pack_files)
    if kind == "a run record nested deep":
        files["run.json"] = DEEP
    else:
        files["report.pdf"] = b"%PDF-1.7 damaged"
    manifest = json.loads(files["manifest.json"])
    manifest["files"] = [
        {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in sorted(files.items())
        if name != "manifest.json"
    ]
    files["manifest.json"] = json.dumps(manifest).encode()

    result = onboard(tmp_path, "review", str(_zip(tmp_path / "pack.zip", files)))

    assert result.returncode == 1
    assert result.stderr == ""  # no library's warnings about the damage beside the review's own finding
    expected = "run.json cannot be read" if kind == "a run record nested deep" else "report.pdf cannot be read"
    assert expected in result.stdout


# --- numbers that are not numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("weight", math.nan, "finite number"),
        ("length", math.inf, "finite number"),
        ("weight", -1.5, "greater than 0"),
        ("height", 0, "greater than 0"),
        ("item_value", -math.inf, "finite number"),
        ("insured_value", -1, "greater than or equal to 0"),
    ],
)
def test_a_weight_or_size_that_is_no_number_is_refused_naming_the_field(
    workspace: Path, field: str, value: float, said: str
) -> None:
    # before: a NaN weight was accepted, saved as null, and the workspace no longer loaded
    document = json.loads((workspace / "workspace.json").read_text())
    document["profile"]["package"][field] = value
    written = json.dumps(document, allow_nan=True).encode()
    (workspace / "workspace.json").write_bytes(written)

    result = onboard(workspace, "status")

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert f"profile.package.{field}" in line and said in line
    assert (workspace / "workspace.json").read_bytes() == written


PACKAGE_NUMBERS = st.sampled_from(["length", "width", "height", "weight", "insured_value", "item_value"])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=PACKAGE_NUMBERS, value=st.floats(allow_nan=True, allow_infinity=True) | st.integers())
def test_a_package_number_is_refused_at_input_or_saved_and_loaded_back_as_it_was(
    tmp_path_factory: pytest.TempPathFactory, field: str, value: float
) -> None:
    path = tmp_path_factory.mktemp("ws")
    state = new_state()
    package = {**state.profile.package.model_dump(), field: value}
    profile = {**state.profile.model_dump(), "package": package}
    try:
        state = type(state).model_validate({**state.model_dump(), "profile": profile})
    except ValueError:
        return  # refused where it was typed
    Workspace(path, state).save()
    assert getattr(Workspace.open(path).state.profile.package, field) == float(value)


def test_a_catalog_case_that_ages_a_quote_by_nan_seconds_is_refused(workspace: Path) -> None:
    (workspace / "certification").mkdir()
    (workspace / "certification" / "aged.toml").write_text(
        'id = "AM-1"\ntitle = "age"\nsource = "account-manager"\n[[steps]]\ndo = "age_quote"\nseconds = nan\n'
    )

    result = onboard(workspace, "certify")

    assert result.returncode == 2
    assert "steps.0.seconds: Input should be a finite number" in one_line(result.stderr)


@pytest.mark.parametrize("spec", ["ratelimit=inf", "ratelimit=nan/15", "ratelimit=inf/15", "slow_seconds=nan"])
def test_a_fault_spec_that_is_no_number_is_refused(spec: str) -> None:
    with pytest.raises(FaultSpecError):
        FaultSpec.parse(spec)


@pytest.mark.parametrize("seconds", ["NaN", "Infinity", "-5"])
def test_the_emulator_clock_moves_only_by_a_number_of_seconds(emulator: EmulatorServer, seconds: str) -> None:
    response = httpx.post(
        f"{emulator.url}/_emulator/control",
        content=f'{{"advance_seconds": {seconds}}}',
        headers={"content-type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 400
    assert emulator.emulator.snapshot()["clock_offset"] == 0
