"""``onboard review``: the account manager's check of a pack, with nothing but the zip.

Read without extracting anything to disk, under limits (entries, sizes, compression ratio, names), so a
zip bomb or a ``../`` name is refused before it costs anything. Then: every file in the manifest present
with its SHA-256 and size, nothing added, every label matching the digest the run recorded for it (a
swapped label fails even with a rebuilt manifest), and the run's own verdict, age and environment.
"""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from onboard import exit_codes
from onboard.errors import OnboardError

MAX_ENTRIES = 2_000
MAX_TOTAL = 256 * 1024 * 1024
MAX_RATIO = 200
STALE_DAYS = 30


class PackUnreadable(OnboardError):
    """Not a pack that can be read at all: not a zip, a zip bomb, a dangerous name."""

    exit_code = exit_codes.USAGE


@dataclass(slots=True)
class ReviewResult:
    ok: bool
    intact: bool
    environment: str | None
    problems: list[str] = field(default_factory=list)
    manifest_sha256: str = ""
    manifest: dict[str, Any] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "intact": self.intact, "environment": self.environment, "problems": self.problems}

    def summary_lines(self) -> list[str]:
        manifest, run = self.manifest, self.run
        cases = run.get("cases", [])
        counts: dict[str, int] = {}
        for case in cases:
            counts[case["status"]] = counts.get(case["status"], 0) + 1
        labels = [label for case in cases for label in case.get("labels", []) if label.get("kind") == "label"]
        lines = [
            f"shipper        {manifest.get('shipper', '?')} ({manifest.get('business_id', '?')})",
            f"environment    {self.environment}"
            + ("" if manifest.get("made_against_amazon") else "  — NOT FROM AMAZON, not valid for sign-off"),
            f"run            {manifest.get('run_id', '?')}, {run.get('started', '?')} to {run.get('finished', '?')}",
            f"pack made      {manifest.get('created', '?')} by onboard {manifest.get('tool_version', '?')}",
            f"manifest       sha256 {self.manifest_sha256} (compare with the one the integrator sent)",
            "cases          " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())),
        ]
        for case in cases:
            lines.append(f"  {case['status']:<8} {case['id']:<6} {case['title']}")
        lines.append(f"labels         {len(labels)}")
        for label in labels:
            lines.append(
                f"  {label.get('status', '?'):<8} {label['format']} {label['dpi']} dpi  {label['tracking_id']}  "
                f"{label.get('file') or ''}"
            )
        return lines


def _entries(archive: zipfile.ZipFile) -> dict[str, bytes]:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise PackUnreadable(f"the zip holds {len(infos)} entries: not a sign-off pack")
    total = 0
    contents: dict[str, bytes] = {}
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name).parts
        if (
            not name
            or name.startswith(("/", "\\"))
            or "\\" in name
            or ".." in parts
            or (len(name) > 1 and name[1] == ":")
        ):
            raise PackUnreadable(f"the zip holds a dangerous name {name!r}: refused, nothing extracted")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackUnreadable(f"the zip holds a symbolic link {name!r}: refused, nothing extracted")
        if info.is_dir():
            continue
        if name in contents:
            raise PackUnreadable(f"the zip holds {name!r} twice: refused")
        total += info.file_size
        if total > MAX_TOTAL or info.file_size > MAX_RATIO * max(info.compress_size, 1) + 65536:
            raise PackUnreadable("the zip expands far beyond its size (a zip bomb?): refused, nothing extracted")
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
        if len(data) != info.file_size:
            raise PackUnreadable(f"{name!r} is not the size its zip header says: refused")
        contents[name] = data
    return contents


def review_pack(path: Path, now: datetime | None = None) -> ReviewResult:
    now = now or datetime.now(UTC)
    if not path.is_file():
        raise PackUnreadable(f"{path} is not a file")
    try:
        with zipfile.ZipFile(path) as archive:
            contents = _entries(archive)
    except zipfile.BadZipFile:
        raise PackUnreadable(f"{path} is not a zip file: a sign-off pack is the .zip 'onboard pack' made") from None
    except (OSError, RuntimeError, NotImplementedError, zipfile.LargeZipFile) as exc:
        raise PackUnreadable(f"{path} cannot be read: {exc}") from None

    problems: list[str] = []
    raw_manifest = contents.get("manifest.json")
    if raw_manifest is None:
        raise PackUnreadable(f"{path} has no manifest.json: not a sign-off pack")
    try:
        manifest = json.loads(raw_manifest)
        listed = {entry["path"]: entry for entry in manifest["files"]}
    except (ValueError, KeyError, TypeError):
        raise PackUnreadable(f"{path}: manifest.json cannot be read") from None

    intact = True
    for name, entry in sorted(listed.items()):
        data = contents.get(name)
        if data is None:
            problems.append(f"missing: {name}")
            intact = False
        elif len(data) != entry.get("size") or hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            problems.append(f"modified: {name} does not match its SHA-256 in the manifest")
            intact = False
    for name in sorted(set(contents) - set(listed) - {"manifest.json"}):
        problems.append(f"added: {name} is not in the manifest")
        intact = False

    run: dict[str, Any] = {}
    try:
        run = json.loads(contents.get("run.json", b"{}"))
    except ValueError:
        problems.append("run.json cannot be read")
        intact = False
    for case in run.get("cases", []):
        for label in case.get("labels", []):
            name = label.get("file")
            if name and name in contents and hashlib.sha256(contents[name]).hexdigest() != label.get("sha256"):
                problems.append(f"label {name} is not the label the run recorded for {label.get('tracking_id')}")
                intact = False

    environment = manifest.get("environment")
    amazon = bool(manifest.get("made_against_amazon")) and environment in ("sandbox", "production")
    if not amazon:
        problems.append(f"not made against Amazon ({environment}): NOT FROM AMAZON — not valid for sign-off")
    passed = bool(run.get("ok"))
    for case in run.get("cases", []):
        if case.get("status") in ("failed", "error"):
            problems.append(f"case {case['id']} {case['status']}: {case.get('detail', '')}")
        for label in case.get("labels", []):
            if not label.get("passed"):
                problems.append(f"label {label.get('file') or label.get('tracking_id')}: {label.get('status')}")
    if run.get("complete") is False:
        problems.append(f"the run is incomplete: it stopped early ({run.get('stopped') or 'no reason recorded'})")
    if run.get("left_open"):
        problems.append(f"{len(run['left_open'])} label(s) were left uncancelled")
    if not passed:
        problems.append("the certification run did not pass")
    fresh = True
    try:
        finished = datetime.fromisoformat(str(run.get("finished")))
        age = (now - finished).days
        if age > STALE_DAYS:
            problems.append(f"stale: the run is {age} days old; ask for a fresh run")
            fresh = False
    except ValueError:
        problems.append("the run has no finishing time")
        fresh = False
    return ReviewResult(
        ok=intact and passed and amazon and fresh,
        intact=intact,
        environment=environment,
        problems=problems,
        manifest_sha256=hashlib.sha256(raw_manifest).hexdigest(),
        manifest=manifest,
        run=run,
    )
