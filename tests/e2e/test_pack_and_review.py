"""The sign-off pack from a real emulator run, and the account manager's review of it: every hash checked,
the manifest, labels and reports held to the run record, every forgery and path trick caught, unreadable
zips refused in one line."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PIL import Image

from onboard.pack.review import review_pack
from onboard.workspace.workspace import Workspace
from tests.cli import run_onboard
from tests.workspaces import stand_in_for_amazons_sandbox

AMAZON_SANDBOX = {
    "api": "https://sandbox.sellingpartnerapi-na.amazon.com",
    "lwa": "https://api.amazon.com/auth/o2/token",
    "custom": False,
}


def onboard(*args: str) -> subprocess.CompletedProcess[str]:
    # module-scoped fixtures run before the per-test private home: keep the machine's LWA_/ONBOARD_
    # variables and its keyring out explicitly
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LWA_", "ONBOARD_"))}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return run_onboard(args, env)


def certify_workspace(path: Path, *init: str, certify: tuple[str, ...] = ()) -> Path:
    assert onboard("init", "--workspace", str(path), "--shipper", "Acme Ltd", *init).returncode == 0
    step = onboard(
        "step",
        "river-account",
        "--status",
        "done",
        "--evidence",
        "contact_email=ops@acme.example",
        "--workspace",
        str(path),
    )
    assert step.returncode == 0, step.stderr
    result = onboard("certify", "--workspace", str(path), *certify)
    assert result.returncode == 0, result.stdout + result.stderr
    return path


@pytest.fixture(scope="module")
def certified(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with one passed certification run of the whole catalog against the embedded emulator."""
    return certify_workspace(tmp_path_factory.mktemp("ws") / "acme")


@pytest.fixture(scope="module")
def pack(certified: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pack") / "acme-pack.zip"
    result = onboard("pack", "--workspace", str(certified), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "manifest      sha256 " in result.stdout
    return out


@pytest.fixture
def workspace(certified: Path, tmp_path: Path) -> Path:
    """A copy of the certified workspace, for a story that changes it."""
    return Path(shutil.copytree(certified, tmp_path / "copy"))


@pytest.fixture(scope="module")
def png_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shipper who prints PNG at 203 dpi only, certified for exactly that. Its labels carry no text that
    could say "emulator" (a PNG is pixels), so, given Amazon's hosts, it stands for a real sandbox run."""
    path = tmp_path_factory.mktemp("png") / "acme"
    return certify_workspace(path, "--formats", "PNG", "--dpi", "203", certify=("--formats", "PNG", "--dpi", "203"))


def run_file(workspace: Path) -> Path:
    (found,) = (workspace / "runs").glob("*/run.json")
    return found


def as_if_amazon(run: dict[str, Any]) -> dict[str, Any]:
    # what a run against Amazon's sandbox records: its environment and Amazon's own hosts
    return {**run, "environment": "sandbox", "region": "na", "endpoints": dict(AMAZON_SANDBOX)}


def edit_run(workspace: Path, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    path = run_file(workspace)
    path.write_text(json.dumps(change(json.loads(path.read_text()))))


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(path: Path, files: dict[str, bytes], *, rehash: bool = False) -> Path:
    """A pack with ``files``; ``rehash`` rewrites the manifest's digests, as a careful forger would."""
    if rehash:
        manifest = json.loads(files["manifest.json"])
        manifest["files"] = [
            {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in sorted(files.items())
            if name != "manifest.json"
        ]
        files = {**files, "manifest.json": json.dumps(manifest).encode()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


# --- the pack as made ------------------------------------------------------------------------------------


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
    assert len(labels) == 16  # P-12 and P-13 buy one too
    for name in labels:
        assert files[name] == (run_dir / name).read_bytes()  # byte for byte as the API returned them
    # the pack is made to be sent; the run it came from is the shipper's own
    assert stat.S_IMODE(pack.stat().st_mode) == 0o644
    assert stat.S_IMODE((run_dir / "run.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((run_dir / labels[0]).stat().st_mode) == 0o600


def test_the_report_names_every_tracking_id_shows_the_coverage_and_warns_on_every_page(pack: Path) -> None:
    files = members(pack)
    run = json.loads(files["run.json"])
    tracking_ids = {label["tracking_id"] for case in run["cases"] for label in case["labels"]}
    reader = pypdf.PdfReader(io.BytesIO(files["report.pdf"]))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for tracking_id in tracking_ids:
        assert tracking_id in text
    for page in reader.pages:
        assert "NOT FROM AMAZON" in page.extract_text()
    # every label at true 4 x 6 in, on a page of its own (tests/e2e/test_report_pages.py looks closer)
    label_pages = [p for p in reader.pages if (float(p.trimbox.width), float(p.trimbox.height)) == (288, 432)]
    assert len(label_pages) == len([name for name in files if name.startswith("labels/")])
    assert "Acme Ltd" in text and "ops@acme.example" in text  # the checklist and its evidence
    assert "Sign-off coverage" in text and "Track the purchased package" in text
    html = files["report.html"].decode()
    assert html.index("NOT FROM AMAZON") < html.index("<h1>")
    assert all(tracking_id in html for tracking_id in tracking_ids)
    assert "data:image/png;base64," in html and "http://" not in html.replace(run["endpoints"]["api"], "")
    purchase_ids = [
        c["request_id"] for c in run["calls"] if c["case"] == "P-02" and c["operation"] == "purchaseShipment"
    ]
    coverage = html.split("<h2>Sign-off coverage</h2>")[1].split("<h2>")[0]
    assert purchase_ids[-1] in coverage.replace("<wbr>", "")  # an id may break after its hyphens, only there


def test_review_of_an_untouched_emulator_pack(pack: Path) -> None:
    result = onboard("review", str(pack), "--json")
    assert result.returncode == 1  # intact, consistent, passed, but not Amazon: not valid for sign-off
    body = json.loads(result.stdout)
    assert (body["ok"], body["intact"], body["consistent"], body["environment"]) == (False, True, True, "emulator")
    assert body["complete"] is True
    assert all(row["ok"] for row in body["coverage"])  # everything required ran and passed
    assert [p for p in body["problems"] if "NOT FROM AMAZON" in p] == body["problems"]
    readable = onboard("review", str(pack))
    assert "intact: every file matches its SHA-256" in readable.stdout
    assert "consistent: manifest, labels and reports agree with the run" in readable.stdout
    # every label file in the pack is counted: 15 bought (P-12's and P-13's too) and P-07's reprint
    assert "labels         16 in the pack (15 bought, 1 reprinted)" in readable.stdout
    assert "what this review proves: the zip is the one that was packed" in readable.stdout
    assert "what only Amazon can confirm" in readable.stdout
    run = json.loads(members(pack)["run.json"])
    confirm = readable.stdout.split("confirm with Amazon:")[1]
    assert all(call["request_id"] in confirm for call in run["calls"] if call["request_id"])
    assert all(label["tracking_id"] in confirm for case in run["cases"] for label in case["labels"])
    assert all(label["shipment_id"] in confirm for case in run["cases"] for label in case["labels"])


@pytest.fixture(scope="module")
def amazon_pack(png_only: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """What the account manager hopes to receive: a complete run against Amazon's sandbox, every
    requirement passed, in the format and dpi the shipper prints; and the workspace it came from. (The
    stand-in is an emulator run with every mark of the emulator taken out, as a forger would.)"""
    workspace = Path(shutil.copytree(png_only, tmp_path_factory.mktemp("amazon") / "ws"))
    stand_in_for_amazons_sandbox(workspace)
    out = tmp_path_factory.mktemp("amazon-pack") / "sandbox-pack.zip"
    packed = onboard("pack", "--workspace", str(workspace), "--out", str(out))
    assert packed.returncode == 0, packed.stderr
    return out, workspace


def test_a_sandbox_pack_that_passed_is_ok(amazon_pack: tuple[Path, Path]) -> None:
    out, workspace = amazon_pack
    result = onboard("review", str(out), "--json")
    assert result.returncode == 0, result.stdout
    body = json.loads(result.stdout)
    assert (body["ok"], body["intact"], body["consistent"], body["environment"], body["problems"]) == (
        True,
        True,
        True,
        "sandbox",
        [],
    )
    assert [row["requirement"] for row in body["coverage"]] == [
        "Retrieve rates",
        "Purchase a label from a rate",
        "Track the purchased package",
        "Cancel the shipment",
        "a PNG label at 203 dpi (what the shipper prints)",
    ]
    assert all(row["ok"] and row["request_ids"] for row in body["coverage"])
    assert "OK: intact, consistent, every requirement passed, made against Amazon" in onboard("review", str(out)).stdout
    # a pack of an Amazon run checks the checklist's pack step off by itself
    record = Workspace.open(workspace).state.steps["pack-built"]
    assert record.status == "done" and "manifest sha256" in record.notes[-1].text
    assert "NOT FROM AMAZON" not in pdf_text(members(out)["report.pdf"])


def test_an_account_manager_reviews_a_folder_of_packs_one_line_each(
    amazon_pack: tuple[Path, Path], pack: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(amazon_pack[0], folder / "a-sandbox.zip")
    shutil.copy(pack, folder / "b-emulator.zip")
    (folder / "notes.txt").write_text("not a pack")  # only .zip files are packs

    both = onboard("review", str(folder))
    assert both.returncode == 1, both.stdout  # one pack is not ok
    lines = both.stdout.splitlines()
    assert lines[0].split() == [
        "verdict",
        "pack",
        "shipper",
        "business",
        "id",
        "environment",
        "run",
        "date",
        "coverage",
        "first",
        "problem",
    ]
    assert lines[1].startswith("ok ") and "a-sandbox.zip" in lines[1] and "Acme Ltd" in lines[1]
    assert "AmazonShipping_US" in lines[1] and " sandbox " in lines[1] and " 5/5 " in lines[1]
    assert lines[2].startswith("NOT OK ") and "b-emulator.zip" in lines[2] and " emulator " in lines[2]
    assert "NOT FROM AMAZON" in lines[2]  # its first problem
    assert lines[-1] == "2 pack(s): 1 ok, 1 not ok, 0 unreadable"

    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip at all")
    many = onboard("review", str(folder), str(broken), "--json")
    assert many.returncode == 2  # one cannot be read; the others were still reviewed
    body = json.loads(many.stdout)
    assert [(entry["readable"], entry["ok"]) for entry in body] == [(True, True), (True, False), (False, False)]
    assert body[2]["pack"] == str(broken) and "is not a zip file" in body[2]["error"]
    assert body[0]["coverage"] and body[0]["confirm_with_amazon"]["request_ids"]

    assert onboard("review", str(folder / "a-sandbox.zip"), str(folder / "a-sandbox.zip")).returncode == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = onboard("review", str(empty))
    assert nothing.returncode == 2 and "holds no .zip: no pack to review" in nothing.stdout


# --- coverage --------------------------------------------------------------------------------------------


def test_a_tc01_only_run_against_the_sandbox_is_partial_and_never_reviews_ok(png_only: Path, tmp_path: Path) -> None:
    workspace = Path(shutil.copytree(png_only, tmp_path / "ws"))
    shutil.rmtree(workspace / "runs")
    result = onboard("certify", "--workspace", str(workspace), "--case", "TC01")
    assert result.returncode == 0, result.stdout  # TC01 itself passed...
    assert (
        "partial: not enough for sign-off; it lacks Purchase a label from a rate: P-02 was not selected"
        in result.stdout
    )
    stand_in_for_amazons_sandbox(workspace)
    out = tmp_path / "tc01.zip"
    assert onboard("pack", "--workspace", str(workspace), "--out", str(out)).returncode == 0
    review = onboard("review", str(out), "--json")
    assert review.returncode == 1
    body = json.loads(review.stdout)
    assert not body["ok"] and body["intact"] and body["consistent"]
    rows = {row["requirement"]: row for row in body["coverage"]}
    assert rows["Retrieve rates"]["ok"] and rows["Retrieve rates"]["request_ids"]
    for missing in ("Purchase a label from a rate", "Track the purchased package", "Cancel the shipment"):
        assert (rows[missing]["ok"], rows[missing]["result"]) == (False, "not run")
    assert rows["a PNG label at 203 dpi (what the shipper prints)"]["result"] == "not bought"
    assert any(p.startswith("the run is partial: it lacks ") for p in body["problems"])
    assert "requirement not met: Track the purchased package: not run; P-05 was not selected" in body["problems"]


def test_the_shippers_formats_and_dpi_are_asked_at_init_and_editable(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    made = onboard("init", "--workspace", str(workspace), "--formats", "zpl,pdf", "--dpi", "300")
    assert made.returncode == 0 and "labels        ZPL, PDF at 300 dpi" in made.stdout
    profile = Workspace.open(workspace).state.profile
    assert (profile.label_formats, profile.label_dpis) == (["ZPL", "PDF"], [300])
    assert onboard("init", "--workspace", str(workspace), "--dpi", "203,300").returncode == 0
    assert Workspace.open(workspace).state.profile.label_dpis == [203, 300]
    bad = onboard("init", "--workspace", str(workspace), "--formats", "GIF")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--formats 'GIF'" in bad.stderr


# --- forgeries ---------------------------------------------------------------------------------------------


def test_a_flipped_byte_is_caught(pack: Path, tmp_path: Path) -> None:
    files = members(pack)
    name = next(n for n in files if n.endswith(".png"))
    data = bytearray(files[name])
    data[len(data) // 2] ^= 0x01
    result = review_pack(rezip(tmp_path / "t.zip", {**files, name: bytes(data)}))
    assert result.intact is False
    assert any(p.startswith("modified: labels/") for p in result.problems)


def test_a_removed_and_an_added_file_are_caught(pack: Path, tmp_path: Path) -> None:
    files = members(pack)
    removed = review_pack(rezip(tmp_path / "r.zip", {k: v for k, v in files.items() if k != "report.html"}))
    assert "missing: report.html" in removed.problems
    added = review_pack(rezip(tmp_path / "a.zip", {**files, "labels/extra.zpl": b"^XA^XZ"}))
    assert "added: labels/extra.zpl is not in the manifest" in added.problems
    rehashed = review_pack(rezip(tmp_path / "h.zip", {**files, "labels/extra.zpl": b"^XA^XZ"}, rehash=True))
    assert "inconsistent: labels/extra.zpl is in the pack but not a label of the run" in rehashed.problems


def test_swapped_labels_are_caught_even_with_a_rebuilt_manifest(pack: Path, tmp_path: Path) -> None:
    files = members(pack)
    first, second = sorted(n for n in files if n.endswith(".pdf") and n.startswith("labels/"))[:2]
    files[first], files[second] = files[second], files[first]
    result = review_pack(rezip(tmp_path / "s.zip", files, rehash=True))
    assert result.intact is False
    assert sum("is not the label the run recorded" in p for p in result.problems) == 2


def test_a_manifest_edited_to_claim_amazon_is_caught_by_the_run_labels_and_reports(pack: Path, tmp_path: Path) -> None:
    # the two fields that made an emulator pack "OK: made against Amazon", and no hash needs recomputing
    files = members(pack)
    manifest = json.loads(files["manifest.json"])
    manifest.update(environment="sandbox", made_against_amazon=True, notice=None, endpoints=AMAZON_SANDBOX)
    result = onboard(
        "review", str(rezip(tmp_path / "m.zip", {**files, "manifest.json": json.dumps(manifest).encode()})), "--json"
    )
    assert result.returncode == 1
    body = json.loads(result.stdout)
    assert (body["ok"], body["intact"], body["consistent"], body["environment"]) == (False, True, False, "emulator")
    problems = body["problems"]
    assert "inconsistent: the manifest says environment sandbox, the run record emulator" in problems
    assert "inconsistent: the manifest says made against Amazon True, the run record False" in problems
    assert any(p.startswith("inconsistent: Amazon is claimed, but ") and "emulator's banner" in p for p in problems)


def test_a_run_record_edited_in_the_pack_is_caught_by_its_labels_and_reports(pack: Path, tmp_path: Path) -> None:
    files = members(pack)
    run = as_if_amazon(json.loads(files["run.json"]))
    manifest = json.loads(files["manifest.json"])
    manifest.update(environment="sandbox", made_against_amazon=True, notice=None, endpoints=AMAZON_SANDBOX)
    forged = {**files, "run.json": json.dumps(run).encode(), "manifest.json": json.dumps(manifest).encode()}
    result = review_pack(rezip(tmp_path / "f.zip", forged, rehash=True))
    assert result.intact and not result.consistent and not result.ok
    assert "inconsistent: report.pdf states environment emulator, the run record sandbox" in result.problems
    assert "inconsistent: report.html says NOT FROM AMAZON, the run record says Amazon" in result.problems
    assert any("carry the emulator's banner" in p for p in result.problems)


def test_a_run_record_edited_in_the_workspace_is_not_packed(workspace: Path, tmp_path: Path) -> None:
    # editing endpoints in run.json and packing again once gave a pack with no trace of the emulator
    edit_run(workspace, as_if_amazon)
    result = onboard("pack", "--workspace", str(workspace), "--out", str(tmp_path / "x.zip"))
    assert result.returncode == 2
    assert "the run says it was made against sandbox, but this workspace certifies against emulator" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    # the workspace edited to agree: the labels still say the emulator made them
    state_file = workspace / "workspace.json"
    state = json.loads(state_file.read_text())
    state["profile"]["environment"] = "sandbox"
    state_file.write_text(json.dumps(state))
    result = onboard("pack", "--workspace", str(workspace), "--out", str(tmp_path / "x.zip"))
    assert result.returncode == 2
    assert (
        "the run says it was made against Amazon (sandbox), but its labels carry the emulator's banner" in result.stderr
    )
    assert not (tmp_path / "x.zip").exists()


def test_a_png_only_run_edited_to_claim_amazon_is_not_packed(png_only: Path, tmp_path: Path) -> None:
    # a PNG is pixels, so once nothing but its digest could tell: the emulator writes its banner in a text
    # chunk too, and a PNG-only run edited as the one above is refused in the same words
    workspace = Path(shutil.copytree(png_only, tmp_path / "ws"))
    edit_run(workspace, as_if_amazon)
    state_file = workspace / "workspace.json"
    state = json.loads(state_file.read_text())
    state["profile"]["environment"] = "sandbox"
    state_file.write_text(json.dumps(state))
    result = onboard("pack", "--workspace", str(workspace), "--out", str(tmp_path / "x.zip"))
    assert result.returncode == 2, result.stdout
    assert "but its labels carry the emulator's banner" in result.stderr


def test_a_banner_respaced_in_the_labels_is_still_the_emulators(pack: Path, tmp_path: Path) -> None:
    # "ONBOARD  EMULATOR" (two spaces) and new digests: the words are matched, not one spelling of them
    files = members(pack)
    run = as_if_amazon(json.loads(files["run.json"]))
    forged = dict(files)
    for case in run["cases"]:
        for label in case["labels"]:
            if label["file"] and label["format"] == "ZPL":
                data = files[label["file"]].replace(b"ONBOARD EMULATOR", b"ONBOARD  EMULATOR")
                forged[label["file"]] = data
                label.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    forged["run.json"] = json.dumps(run).encode()
    result = review_pack(rezip(tmp_path / "s.zip", forged, rehash=True))
    assert not result.ok
    every = sum(1 for case in run["cases"] for label in case["labels"] if label["file"])
    assert any(f"{every} label(s) carry the emulator's banner" in p for p in result.problems), result.problems


def test_labels_with_their_files_taken_out_of_the_record_prove_nothing(
    amazon_pack: tuple[Path, Path], tmp_path: Path
) -> None:
    # a label said to pass with no file once covered its format and dpi, and dodged every check of bytes
    files = members(amazon_pack[0])
    run = json.loads(files["run.json"])
    for case in run["cases"]:
        for label in case["labels"]:
            label.update(file=None, sha256=None)
    forged = {name: data for name, data in files.items() if not name.startswith("labels/")}
    forged["run.json"] = json.dumps(run).encode()
    result = review_pack(rezip(tmp_path / "n.zip", forged, rehash=True))
    assert not result.ok and not result.consistent
    assert any(p.endswith("is said to pass, but the run records no file for it") for p in result.problems)
    (row,) = [row for row in result.coverage if row.requirement.startswith("a PNG label at 203 dpi")]
    assert not row.ok


def test_the_manifests_shipper_times_and_extra_files_are_held_to_the_run(
    amazon_pack: tuple[Path, Path], tmp_path: Path
) -> None:
    files = members(amazon_pack[0])
    manifest = json.loads(files["manifest.json"])
    manifest.update(shipper="Totally Different Ltd", run_finished="1999-01-01T00:00:00+00:00")
    manifest["files"].append(dict(manifest["files"][0]))  # one file listed twice
    forged = {
        **files,
        "manifest.json": json.dumps(manifest).encode(),
        "notes.txt": b"approved by Amazon",
        "Labels/evil.exe": b"MZ",
    }
    result = review_pack(rezip(tmp_path / "m.zip", forged))  # the new files listed, the rest as packed
    manifest["files"] += [
        {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in (("notes.txt", b"approved by Amazon"), ("Labels/evil.exe", b"MZ"))
    ]
    result = review_pack(rezip(tmp_path / "m.zip", {**forged, "manifest.json": json.dumps(manifest).encode()}))
    assert not result.ok
    problems = result.problems
    assert "inconsistent: the manifest says shipper Totally Different Ltd, the run record Acme Ltd" in problems
    assert any(p.startswith("inconsistent: the manifest says run end 1999-01-01") for p in problems)
    assert any(p.startswith("modified: the manifest lists ") and p.endswith("more than once") for p in problems)
    assert "inconsistent: notes.txt is not a file a pack holds" in problems
    assert "inconsistent: Labels/evil.exe is not a file a pack holds" in problems


def test_a_visible_shipper_edited_in_report_html_is_caught(amazon_pack: tuple[Path, Path], tmp_path: Path) -> None:
    files = members(amazon_pack[0])
    html = files["report.html"].decode()
    # the visible name changed, the embedded statement and the title left alone
    head, body = html.split("<body", 1)
    forged = {**files, "report.html": (head + "<body" + body.replace("Acme Ltd", "Acme Trusted Corp")).encode()}
    result = review_pack(rezip(tmp_path / "v.zip", forged, rehash=True))
    assert not result.ok
    assert "inconsistent: report.html does not show the run's shipper Acme Ltd" in result.problems


def test_a_required_case_rewritten_by_the_workspace_does_not_count(png_only: Path, tmp_path: Path) -> None:
    # the workspace is the shipper's: a P-05 of its own with no checks, claiming Amazon as its source
    workspace = Path(shutil.copytree(png_only, tmp_path / "ws"))
    shutil.rmtree(workspace / "runs")
    own = workspace / "certification"
    own.mkdir()
    (own / "p05.toml").write_text(
        'id = "P-05"\ntitle = "Track the purchased package"\nsource = "amazon"\nrequirement = "track"\n'
        '[[steps]]\ndo = "get_rates"\nas = "quote"\n[[steps]]\ndo = "purchase"\nas = "purchase"\nformat = "first"\n'
        '[[steps]]\ndo = "track"\nas = "tracking"\n'
    )
    assert onboard("certify", "--workspace", str(workspace), "--formats", "PNG", "--dpi", "203").returncode == 0
    stand_in_for_amazons_sandbox(workspace)
    out = tmp_path / "own.zip"
    assert onboard("pack", "--workspace", str(workspace), "--out", str(out)).returncode == 0
    result = review_pack(out)
    assert not result.ok
    (row,) = [row for row in result.coverage if row.requirement == "Track the purchased package"]
    assert (row.ok, row.result) == (False, "changed"), row
    assert any("P-05 as run is not onboard's definition of it" in p for p in result.problems), result.problems


def test_a_report_edited_apart_from_its_run_is_caught(pack: Path, tmp_path: Path) -> None:
    files = members(pack)
    html = files["report.html"].decode()
    html = html.replace('<div class="banner">NOT FROM AMAZON — not valid for sign-off</div>', "")
    html = html.replace('"P-05": "passed"', '"P-05": "failed"')
    result = review_pack(rezip(tmp_path / "h.zip", {**files, "report.html": html.encode()}, rehash=True))
    assert result.intact and not result.consistent
    assert any(p.startswith("inconsistent: report.html states results ") for p in result.problems)


def test_a_label_said_to_pass_whose_bytes_fail_is_caught(pack: Path, tmp_path: Path) -> None:
    files = members(pack)
    run = json.loads(files["run.json"])
    label = next(lbl for case in run["cases"] for lbl in case["labels"] if lbl["format"] == "PNG")
    blank = io.BytesIO()
    Image.new("1", (812, 1218), 1).save(blank, format="PNG")  # right size, no barcode at all
    label.update(sha256=hashlib.sha256(blank.getvalue()).hexdigest(), size=len(blank.getvalue()))
    forged = {**files, label["file"]: blank.getvalue(), "run.json": json.dumps(run).encode()}
    result = review_pack(rezip(tmp_path / "b.zip", forged, rehash=True))
    assert not result.consistent
    assert any(
        p.startswith(f"inconsistent: label {label['file']} is said to pass, but its bytes fail")
        for p in result.problems
    )


# --- what the pack takes, and where it writes ---------------------------------------------------------------


def test_a_planted_run_record_cannot_bundle_a_file_from_outside_its_labels(workspace: Path, tmp_path: Path) -> None:
    secret = workspace / "credentials.txt"
    secret.write_text("LWA_CLIENT_SECRET=canary-planted-secret")
    for planted in ("labels/../../../credentials.txt", "../../credentials.txt", "/etc/passwd"):
        edit_run(workspace, lambda run, name=planted: _with_label_file(run, name))
        result = onboard("pack", "--workspace", str(workspace), "--out", str(tmp_path / "x.zip"))
        assert result.returncode == 2, planted
        assert "outside its labels/ folder: refused" in result.stderr and "canary" not in result.stderr
        assert not (tmp_path / "x.zip").exists()


def _with_label_file(run: dict[str, Any], name: str) -> dict[str, Any]:
    run["cases"][1]["labels"][0]["file"] = name
    return run


def test_a_label_that_is_a_link_out_of_the_run_is_refused(workspace: Path, tmp_path: Path) -> None:
    run = json.loads(run_file(workspace).read_text())
    label = run["cases"][1]["labels"][0]
    target = run_file(workspace).parent / label["file"]
    (workspace / "elsewhere.pdf").write_bytes(target.read_bytes())
    target.unlink()
    target.symlink_to(workspace / "elsewhere.pdf")  # same bytes, but not the run's own file
    result = onboard("pack", "--workspace", str(workspace), "--out", str(tmp_path / "x.zip"))
    assert result.returncode == 2 and "is not a label file (a link" in result.stderr


def test_a_run_id_with_a_path_in_it_writes_nothing_anywhere(workspace: Path, tmp_path: Path) -> None:
    planted = workspace / "runs" / "29991231T235959.999Z-ffffff"
    planted.mkdir()
    run = json.loads(run_file(workspace).read_text())
    (planted / "run.json").write_text(json.dumps({**run, "run_id": "../../../../escaped"}))
    result = onboard("pack", "--workspace", str(workspace))
    assert result.returncode == 2
    assert "is not a run id onboard makes" in result.stderr
    assert not list(tmp_path.rglob("*escaped*")) and not (workspace / "packs").exists()


@pytest.mark.parametrize("where", ["workspace.json", "inside.zip", "runs/x.zip"])
def test_out_never_lands_on_the_workspaces_own_files(workspace: Path, where: str) -> None:
    before = (workspace / "workspace.json").read_bytes()
    result = onboard("pack", "--workspace", str(workspace), "--out", str(workspace / where))
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert (workspace / "workspace.json").read_bytes() == before
    assert not (workspace / where).exists() or where == "workspace.json"


def test_out_a_folder_puts_the_pack_in_it_and_no_copy_anywhere_else(workspace: Path, tmp_path: Path) -> None:
    folder = tmp_path / "outbox"
    folder.mkdir()
    result = onboard("pack", "--workspace", str(workspace), "--out", str(folder))
    assert result.returncode == 0, result.stderr
    (made,) = folder.iterdir()
    assert made.name.startswith("onboard-pack-AmazonShipping_US-") and made.suffix == ".zip"
    assert stat.S_IMODE(made.stat().st_mode) == 0o644
    assert not [p for p in tmp_path.rglob(".*.tmp")]  # no temporary copy left here or above


def test_a_second_pack_of_the_same_run_gets_its_own_name_and_says_so(workspace: Path) -> None:
    first = onboard("pack", "--workspace", str(workspace))
    assert first.returncode == 0
    (made,) = (workspace / "packs").iterdir()
    sent = made.read_bytes()
    second = onboard("pack", "--workspace", str(workspace))
    assert second.returncode == 0
    assert f"{made} already existed and is kept as it was; this pack has its own name" in second.stdout
    assert made.read_bytes() == sent  # the digest already sent still matches its pack
    assert {p.name for p in (workspace / "packs").iterdir()} == {made.name, made.name.replace(".zip", "-2.zip")}


# --- what cannot be read, and what did not pass ----------------------------------------------------------


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
    # a script asking for JSON gets an object saying so, and the same line on stderr
    scripted = onboard("review", str(path), "--json")
    assert scripted.returncode == 2 and scripted.stderr == result.stderr
    body = json.loads(scripted.stdout)
    assert (body["readable"], body["ok"], body["pack"]) == (False, False, str(path))
    assert body["error"] in result.stderr


def test_a_failed_run_is_not_packed_without_asking(workspace: Path, tmp_path: Path) -> None:
    def fail_p02(run: dict[str, Any]) -> dict[str, Any]:
        run["ok"] = False
        run["cases"][1]["status"] = "failed"
        return run

    edit_run(workspace, fail_p02)
    refused = onboard("pack", "--workspace", str(workspace), "--out", str(tmp_path / "x.zip"))
    assert refused.returncode == 1
    assert "did not pass" in refused.stderr and "--include-failed" in refused.stderr
    assert not (tmp_path / "x.zip").exists()
    forced = onboard("pack", "--workspace", str(workspace), "--out", str(tmp_path / "x.zip"), "--include-failed")
    assert forced.returncode == 0
    problems = review_pack(tmp_path / "x.zip").problems
    assert any(p.startswith("case P-02 failed") for p in problems)
    assert "requirement not met: Purchase a label from a rate: failed; 3 checks passed" in problems


def test_the_demo_walks_the_whole_journey(tmp_path: Path) -> None:
    result = onboard("demo", "--workspace", str(tmp_path / "demo"))
    assert result.returncode == 0, result.stdout + result.stderr
    for number in range(1, 7):
        assert f"[{number}/6]" in result.stdout
    pack = next((tmp_path / "demo" / "packs").glob("*.zip"))
    assert str(pack) in result.stdout
    assert review_pack(pack).intact
