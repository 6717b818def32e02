"""Building ``onboard pack``: the latest certification run, its labels, the reports, and a manifest of
every file's SHA-256, zipped. The manifest's own digest is printed, to send the account manager
separately: with it, a pack rebuilt by anyone else (new files, new manifest) does not pass as this one.

The pack takes only what is its own. The run record is read through its typed owner (its id must be its
folder's); a label is read only from the run's own ``labels/`` folder, as a plain file (no link), and only
when its bytes are the ones the run recorded; a record that claims Amazon while its labels carry the
emulator's banner is refused. The zip is written whole or not at all, in its destination folder only,
never inside the workspace except ``packs/``, and never over an existing file: a second pack of the same
run gets its own name, and says so.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from onboard import __version__
from onboard.certify.record import LABEL_FILE, Label, RunRecord, emulator_marked, latest_run, read_run, shown
from onboard.checklist.verified import record_verified
from onboard.errors import ConfigError, OnboardError
from onboard.files import disk_error, write_new
from onboard.masking import mask_bytes
from onboard.pack import NOT_FROM_AMAZON
from onboard.pack.content import gather
from onboard.settings import Settings
from onboard.workspace.workspace import Workspace

if TYPE_CHECKING:
    from onboard.labels.report import Pictures

MANIFEST = "manifest.json"
PACKS = "packs"
#: no label is bigger; a file that is would only be read to be refused
MAX_LABEL_BYTES = 20 * 1024 * 1024
#: the pack is made to be sent: readable by others once it is whole (the workspace's own files are 0600)
PACK_MODE = 0o644


@dataclass(frozen=True, slots=True)
class PackResult:
    path: Path
    run_id: str
    manifest_sha256: str
    made_against_amazon: bool
    files: int
    #: set when a pack was already at the name asked for: it is kept, and this one has its own name
    kept: Path | None = None


class RunNotPassed(OnboardError):
    """The latest run failed: a pack of it would ask the account manager to sign off a failure."""


def _read_label(run_dir: Path, label: Label) -> bytes:
    """The label's bytes, from the run's own labels/ folder only, and only if they are what the run recorded."""
    name = label.file or ""
    if not LABEL_FILE.match(name):
        raise ConfigError(
            f"the run record names a label file {shown(name, 80)!r} outside its labels/ folder: refused",
            "a pack takes a run's labels from its own folder only; run 'onboard certify' again",
        )
    path = run_dir / name
    try:
        info = path.lstat()
    except OSError as exc:
        raise ConfigError(f"label {name} of run {run_dir.name} cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_LABEL_BYTES:
        raise ConfigError(f"label {name} of run {run_dir.name} is not a label file (a link, a folder, or too big)")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(path, flags), "rb") as handle:
        data = handle.read(MAX_LABEL_BYTES + 1)
    if len(data) != label.size or hashlib.sha256(data).hexdigest() != label.sha256:
        raise ConfigError(
            f"label {name} is not the file run {run_dir.name} recorded (its SHA-256 differs): refused",
            "a pack holds the labels exactly as the API returned them; run 'onboard certify' again",
        )
    return data


def _label_files(run_dir: Path, run: RunRecord) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for label in run.labels():
        if label.file and label.file not in files:
            files[label.file] = _read_label(run_dir, label)
    return files


def contradictions(run: RunRecord, label_files: dict[str, bytes]) -> list[str]:
    """What the labels say against the record: labels with the emulator's banner in a run said to be Amazon's."""
    if not run.made_against_amazon():
        return []
    formats = {label.file: label.format for label in run.labels() if label.file}
    marked = sorted(name for name, data in label_files.items() if emulator_marked(data, formats.get(name, "")))
    if not marked:
        return []
    return [
        f"the run says it was made against Amazon ({run.environment}), but its labels carry the emulator's "
        f"banner ({', '.join(marked[:3])}{' …' if len(marked) > 3 else ''})"
    ]


def _previews(labels: list[Label], files: dict[str, bytes]) -> dict[str, Pictures]:
    """Every label of every file drawn at its dpi: a ZPL file of three formats is three label pages."""
    from onboard.labels.formats import find  # noqa: PLC0415 - PDFium and the ZPL interpreter load only here

    images: dict[str, Pictures] = {}
    for label in labels:
        fmt = find(label.format)
        if fmt is None or not label.file or label.file not in files or label.file in images:
            continue
        try:
            images[label.file] = fmt.pictures(files[label.file], label.dpi)
        except (ValueError, OSError):
            continue  # the label pages show what can be drawn; the checks already say what cannot
    return images


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _destination(workspace: Workspace, out: Path | None, default_name: str) -> tuple[Path, str]:
    """The folder and file name the pack goes to, refused when it would land on the workspace's own files."""
    own = workspace.path.resolve()
    packs = own / PACKS
    if out is None:
        folder, name = packs, default_name
    elif out.is_dir() or str(out).endswith(os.sep):
        folder, name = out, default_name
    else:
        folder, name = out.parent, out.name
    if not name.endswith(".zip") or name.startswith("."):
        raise ConfigError(f"--out {shown(out, 120)}: a pack is a .zip file", "name it like acme-pack.zip")
    if out is not None and not folder.is_dir():
        raise ConfigError(f"--out {shown(out, 120)}: there is no folder {shown(folder, 120)}")
    where = folder.resolve()
    if _inside(where, own) and not _inside(where, packs):
        raise ConfigError(
            f"--out {shown(out, 120)} is inside the workspace {workspace.path}: refused (its files are its own)",
            f"write it elsewhere, or leave --out out: packs go to {workspace.path / PACKS}",
        )
    return folder, name


def _write_new(folder: Path, name: str, data: bytes) -> Path:
    """Write the pack whole under ``name``, or the first free ``name-2.zip``…; never over an existing file.

    The temporary file is made in the destination folder itself (so no copy is left anywhere else), private
    until complete, and removed whatever goes wrong (``onboard.files.write_new``)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise disk_error(exc, folder, "make the folder") from None
    stem = name.removesuffix(".zip")
    names = [name if number == 1 else f"{stem}-{number}.zip" for number in range(1, 1000)]
    target = write_new(folder, names, data, mode=PACK_MODE)
    if target is None:
        raise ConfigError(f"{folder} already holds 999 packs named {stem}-N.zip", "choose another --out")
    return target


def build_pack(
    workspace: Workspace, out: Path | None = None, include_failed: bool = False, settings: Settings | None = None
) -> PackResult:
    from onboard.pack.html_report import build_html  # noqa: PLC0415 - reportlab and jinja2 only when packing
    from onboard.pack.pdf_report import build_pdf  # noqa: PLC0415

    run_file = latest_run(workspace.path)
    if run_file is None:
        raise ConfigError(f"no certification run in {workspace.path}", "run 'onboard certify' first")
    run = read_run(run_file)
    run_dir = run_file.parent
    if not run.ok and not include_failed:
        failed = [f"{case.id} {case.status}" for case in run.cases if case.status in ("failed", "error")]
        reasons = failed + [f"{len(run.left_open)} label(s) left uncancelled"] * bool(run.left_open)
        if run.finished is None:
            reasons.insert(0, "it has not ended: still running, or killed")
        elif not run.complete:
            reasons.insert(0, "it is incomplete")
        raise RunNotPassed(
            f"the latest run {run.run_id} did not pass ({', '.join(reasons) or 'it did not finish'})",
            "fix it and run 'onboard certify' again, or add --include-failed to pack it anyway",
        )
    default_name = f"onboard-pack-{workspace.state.profile.business_id}-{run.run_id}.zip"
    folder, name = _destination(workspace, out, default_name)

    label_files = _label_files(run_dir, run)
    against = contradictions(run, label_files)
    if run.environment != workspace.state.profile.environment:
        # a run is made in its workspace's environment: a record that says otherwise was edited
        against.insert(
            0,
            f"the run says it was made against {run.environment}, but this workspace certifies against "
            f"{workspace.state.profile.environment}",
        )
    if against:
        raise ConfigError(f"run {run.run_id}: {against[0]}: refused", "a pack is made only of a run as it was recorded")
    previews = _previews(run.labels(), label_files)
    content = gather(workspace, run, settings or Settings.from_env())
    files: dict[str, bytes] = {
        "report.pdf": build_pdf(content, label_files, previews),
        "report.html": build_html(content, previews),
        # masked when written; again here for a record written before a secret was known (an older onboard)
        "run.json": mask_bytes(run_file.read_bytes()),
        **label_files,
    }
    amazon = run.made_against_amazon()
    manifest = {
        "schema": 1,
        "tool": "onboard",
        "tool_version": __version__,
        "run_id": run.run_id,
        "environment": run.environment,
        "made_against_amazon": amazon,
        "notice": None if amazon else NOT_FROM_AMAZON,
        "endpoints": run.endpoints.model_dump(),
        # the run's: the shipper it was made for, as the reports say it ("" only in a record before schema 2)
        "shipper": run.shipper or workspace.state.profile.shipper_name,
        "business_id": workspace.state.profile.business_id,
        "run_started": run.started.isoformat(),
        "run_finished": run.finished.isoformat() if run.finished else None,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": [
            {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for path, data in sorted(files.items())
        ],
    }
    manifest_bytes = mask_bytes(json.dumps(manifest, indent=2, ensure_ascii=False).encode()) + b"\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(files.items()):
            archive.writestr(_entry(path), data, zipfile.ZIP_DEFLATED)
        archive.writestr(_entry(MANIFEST), manifest_bytes, zipfile.ZIP_DEFLATED)
    target = _write_new(folder, name, buffer.getvalue())
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    if amazon and run.ok and not run.partial:
        record_verified(workspace.path, "pack-built", "pack build", f"{target.name}, manifest sha256 {digest}")
    kept = folder / name if target.name != name else None
    return PackResult(target, run.run_id, digest, amazon, len(files) + 1, kept)


def _entry(path: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=(2000, 1, 1, 0, 0, 0))
    info.external_attr = (stat.S_IFREG | 0o644) << 16  # a plain file, whatever the zip tool assumes
    return info
