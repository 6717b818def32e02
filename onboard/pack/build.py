"""Building ``onboard pack``: the latest certification run, its labels, the reports, and a manifest of
every file's SHA-256, zipped. The manifest's own digest is printed, to send the account manager
separately: with it, a pack rebuilt by anyone else (new files, new manifest) does not pass as this one."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from onboard import __version__
from onboard.certify.record import latest_run
from onboard.checklist.verified import record_verified
from onboard.errors import ConfigError, OnboardError
from onboard.pack.content import gather, made_against_amazon
from onboard.settings import Settings
from onboard.workspace.files import atomic_write
from onboard.workspace.workspace import Workspace

MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class PackResult:
    path: Path
    run_id: str
    manifest_sha256: str
    made_against_amazon: bool
    files: int


class RunNotPassed(OnboardError):
    """The latest run failed: a pack of it would ask the account manager to sign off a failure."""


def _previews(run_dir: Path, labels: list[dict[str, Any]]) -> tuple[dict[str, bytes], dict[str, Any]]:
    from onboard.labels.check import preview  # noqa: PLC0415 - PDFium and zxing load only here

    files: dict[str, bytes] = {}
    images: dict[str, Any] = {}
    for label in labels:
        path = label.get("file")
        if not path or path in files:
            continue
        data = (run_dir / path).read_bytes()
        files[path] = data
        try:
            images[path] = preview(data, label["format"], int(label["dpi"]))
        except (ValueError, OSError):
            continue  # the label pages show what can be drawn; the checks already say what cannot
    return files, images


def build_pack(
    workspace: Workspace, out: Path | None = None, include_failed: bool = False, settings: Settings | None = None
) -> PackResult:
    from onboard.pack.html_report import build_html  # noqa: PLC0415 - reportlab and jinja2 only when packing
    from onboard.pack.pdf_report import build_pdf  # noqa: PLC0415

    run_file = latest_run(workspace.path)
    if run_file is None:
        raise ConfigError(f"no certification run in {workspace.path}", "run 'onboard certify' first")
    raw_run = run_file.read_bytes()
    try:
        run = json.loads(raw_run)
    except ValueError:
        raise ConfigError(f"{run_file} cannot be read", "run 'onboard certify' again") from None
    if not run.get("ok") and not include_failed:
        failed = [f"{c['id']} {c['status']}" for c in run.get("cases", []) if c["status"] in ("failed", "error")]
        left = run.get("left_open", [])
        reasons = ", ".join(failed + [f"{len(left)} label(s) left uncancelled"] * bool(left)) or "it did not finish"
        raise RunNotPassed(
            f"the latest run {run['run_id']} did not pass ({reasons})",
            "fix it and run 'onboard certify' again, or add --include-failed to pack it anyway",
        )

    labels = [label for case in run.get("cases", []) for label in case.get("labels", [])]
    label_files, previews = _previews(run_file.parent, labels)
    content = gather(workspace, run, settings or Settings.from_env())
    files: dict[str, bytes] = {
        "report.pdf": build_pdf(content, label_files, {p: i for p, i in previews.items() if not p.endswith(".pdf")}),
        "report.html": build_html(content, previews),
        "run.json": raw_run,
        **label_files,
    }
    amazon = made_against_amazon(run)
    manifest = {
        "schema": 1,
        "tool": "onboard",
        "tool_version": __version__,
        "run_id": run["run_id"],
        "environment": run.get("environment"),
        "made_against_amazon": amazon,
        "notice": None if amazon else "NOT FROM AMAZON — not valid for sign-off",
        "endpoints": run.get("endpoints", {}),
        "shipper": workspace.state.profile.shipper_name,
        "business_id": workspace.state.profile.business_id,
        "run_started": run.get("started"),
        "run_finished": run.get("finished"),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": [
            {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for path, data in sorted(files.items())
        ],
    }
    manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(path, date_time=(2000, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
        archive.writestr(
            zipfile.ZipInfo(MANIFEST, date_time=(2000, 1, 1, 0, 0, 0)), manifest_bytes, zipfile.ZIP_DEFLATED
        )
    target = out or workspace.path / "packs" / f"onboard-pack-{workspace.state.profile.business_id}-{run['run_id']}.zip"
    atomic_write(target, buffer.getvalue(), keep_backup=False)
    if amazon and run.get("ok"):
        record_verified(
            workspace.path,
            "pack-built",
            "pack build",
            f"{target.name}, manifest sha256 {hashlib.sha256(manifest_bytes).hexdigest()}",
        )
    return PackResult(target, run["run_id"], hashlib.sha256(manifest_bytes).hexdigest(), amazon, len(files) + 1)
