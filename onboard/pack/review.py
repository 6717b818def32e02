"""``onboard review``: the account manager's check of a pack, with nothing but the zip.

Read without extracting anything to disk, under limits (entries, sizes, compression ratio, names), so a
zip bomb or a ``../`` name is refused before it costs anything. Then, in order:

1. intact: every file in the manifest present with its SHA-256 and size, nothing added;
2. consistent: the manifest is only a claim, so it is held to the run record (run id, environment,
   endpoints, business id, times); every label file is the one the run recorded (a swapped label fails
   even with a rebuilt manifest), is checked again from its bytes, and carries no emulator banner when
   Amazon is claimed; report.html and report.pdf state the same run, environment and results as the run
   record, and say NOT FROM AMAZON exactly when it was not;
3. the run itself: complete, every sign-off requirement (the built-in catalog's, and the run's own)
   passed with the x-amzn-RequestIds that prove it, made against Amazon, nothing left uncancelled, fresh.

What this proves, and what it cannot: the zip is the one that was packed and everything in it agrees.
Whether Amazon really answered those calls only Amazon can say; :meth:`ReviewResult.confirm` lists every
x-amzn-RequestId, shipment id and tracking id to look up in Amazon's own systems.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from onboard import exit_codes
from onboard.certify.catalog import required_by_onboard
from onboard.certify.record import EMULATOR_WORDS, CoverageRow, RunRecord, emulator_marked, judge_label, shown
from onboard.errors import ConfigError, OnboardError
from onboard.files import read_json
from onboard.pack import NOT_FROM_AMAZON
from onboard.pack.manifest import Manifest

MAX_ENTRIES = 2_000
MAX_TOTAL = 256 * 1024 * 1024
MAX_RATIO = 200
#: an entry this small is read whatever its compression ratio
RATIO_FREE = 16 * 1024 * 1024
STALE_DAYS = 30
#: a report.pdf's pages read for its words: a pack of every format and dpi runs to about 25
MAX_REPORT_PAGES = 200
#: said in every review: what it establishes, and what it leaves to Amazon
PROVES = (
    "what this review proves: the zip is the one that was packed (every file matches its manifest) and it "
    "is consistent with itself (run record, labels and reports agree)"
)
ONLY_AMAZON = (
    "what only Amazon can confirm: that Amazon really answered these calls; look up the ids below in "
    "Amazon's own systems"
)
_STATEMENT = re.compile(rb'<script type="application/json" id="onboard-statement">(.*?)</script>', re.DOTALL)


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
    manifest: Manifest | None = None
    run: RunRecord | None = None
    #: the manifest, the labels and the reports agree with the run record
    consistent: bool = True
    coverage: list[CoverageRow] = field(default_factory=list)
    path: Path | None = None
    labels_in_pack: int = 0

    def confirm(self) -> dict[str, list[str]]:
        return (
            self.run.confirm_with_amazon() if self.run else {"request_ids": [], "shipment_ids": [], "tracking_ids": []}
        )

    def to_json(self) -> dict[str, Any]:
        run = self.run
        return {
            "ok": self.ok,
            "intact": self.intact,
            "environment": self.environment,
            "problems": self.problems,
            "pack": str(self.path) if self.path else None,
            "consistent": self.consistent,
            "shipper": self.manifest.shipper if self.manifest else None,
            "business_id": run.business_id if run else None,
            "run_id": run.run_id if run else None,
            "run_finished": run.finished.isoformat() if run and run.finished else None,
            "complete": run.complete if run else False,
            "coverage": [row.to_json() for row in self.coverage],
            "confirm_with_amazon": self.confirm(),
        }

    def coverage_text(self) -> str:
        met = sum(row.ok for row in self.coverage)
        return f"{met}/{len(self.coverage)}" if self.coverage else "none"

    def summary_lines(self) -> list[str]:
        run, manifest = self.run, self.manifest
        lines = [
            f"shipper        {shown(manifest.shipper) if manifest else '?'} ({shown(run.business_id) if run else '?'})",
            f"environment    {self.environment}"
            + ("" if run and run.made_against_amazon() else "  — NOT FROM AMAZON, not valid for sign-off"),
        ]
        if run is None:
            return lines
        finished = run.finished.isoformat() if run.finished else "not ended"
        verdict = "complete" if run.complete else "INCOMPLETE"
        lines += [
            f"run            {run.run_id}, {run.started.isoformat()} to {finished}, {verdict}"
            + (", PARTIAL" if run.partial else ""),
            f"pack made      {shown(manifest.created) if manifest else '?'} by onboard "
            f"{shown(manifest.tool_version) if manifest else '?'}",
            f"manifest       sha256 {self.manifest_sha256} (compare with the one the integrator sent)",
            "cases          " + ", ".join(f"{n} {status}" for status, n in sorted(run.counts().items())),
        ]
        lines += [f"  {case.status:<8} {case.id:<6} {shown(case.title, 80)}" for case in run.cases]
        lines.append(f"coverage       {self.coverage_text()} requirements met")
        for row in self.coverage:
            ids = ", ".join(row.request_ids[:2]) + (
                f" (+{len(row.request_ids) - 2})" if len(row.request_ids) > 2 else ""
            )
            lines.append(
                f"  {'✓' if row.ok else '✗'} {row.requirement} → {row.case or '—'} → {row.result}"
                + (f" → {ids}" if ids else "")
            )
        bought, reprints = run.labels("label"), run.labels("reprint")
        lines.append(
            f"labels         {self.labels_in_pack} in the pack ({len(bought)} bought, {len(reprints)} reprinted)"
        )
        for label in run.labels():
            kind = " reprint" if label.kind == "reprint" else ""
            lines.append(
                f"  {label.status:<8} {label.format} {label.dpi} dpi{kind}  {shown(label.tracking_id, 40)}  "
                f"{label.file or ''}"
            )
        confirm = self.confirm()
        lines += [PROVES, ONLY_AMAZON, "confirm with Amazon:"]
        lines.append("  x-amzn-RequestId  " + (", ".join(confirm["request_ids"]) or "none"))
        lines.append("  shipment ids      " + (", ".join(shown(i, 80) for i in confirm["shipment_ids"]) or "none"))
        lines.append("  tracking ids      " + (", ".join(shown(i, 60) for i in confirm["tracking_ids"]) or "none"))
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
            raise PackUnreadable(f"the zip holds a dangerous name {shown(name, 80)!r}: refused, nothing extracted")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackUnreadable(f"the zip holds a symbolic link {shown(name, 80)!r}: refused, nothing extracted")
        if info.is_dir():
            continue
        if name in contents:
            raise PackUnreadable(f"the zip holds {shown(name, 80)!r} twice: refused")
        total += info.file_size
        # memory is bounded by the sizes the headers declare (each read stops there); the ratio keeps a
        # large entry honest, while a small one may compress as well as repetitive JSON does
        if total > MAX_TOTAL or info.file_size > MAX_RATIO * max(info.compress_size, 1) + RATIO_FREE:
            raise PackUnreadable("the zip expands far beyond its size (a zip bomb?): refused, nothing extracted")
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
        if len(data) != info.file_size:
            raise PackUnreadable(f"{shown(name, 80)!r} is not the size its zip header says: refused")
        contents[name] = data
    return contents


def _read(path: Path) -> dict[str, bytes]:
    if not path.is_file():
        raise PackUnreadable(f"{path} is not a file")
    try:
        with zipfile.ZipFile(path) as archive:
            return _entries(archive)
    except zipfile.BadZipFile:
        raise PackUnreadable(f"{path} is not a zip file: a sign-off pack is the .zip 'onboard pack' made") from None
    except (OSError, RuntimeError, NotImplementedError, zipfile.LargeZipFile, EOFError) as exc:
        raise PackUnreadable(f"{path} cannot be read: {shown(exc, 200)}") from None


def _manifest(path: Path, contents: dict[str, bytes]) -> Manifest:
    raw = contents.get("manifest.json")
    if raw is None:
        raise PackUnreadable(f"{path} has no manifest.json: not a sign-off pack")
    try:
        return Manifest.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "manifest"
        raise PackUnreadable(f"{path}: manifest.json cannot be read ({where}: {first['msg']})") from None


#: what a pack holds besides its run's labels (``labels/<name>``, each one the run recorded)
PACK_FILES = frozenset({"manifest.json", "run.json", "report.html", "report.pdf"})
#: the emulator's words in a report: its demo credentials, its banner, its host (beside NOT FROM AMAZON)
_EMULATOR_IN_REPORT = re.compile(
    (EMULATOR_WORDS + r"|demo credentials \(emulator\)|embedded emulator").encode(), re.IGNORECASE
)
_HTML_HIDDEN = re.compile(
    rb"<!--.*?-->|<head\b.*?</head>|<script\b.*?</script>|<style\b.*?</style>", re.DOTALL | re.IGNORECASE
)
_HTML_TAG = re.compile(rb"<[^>]*>")


def _visible_html(html: bytes) -> str:
    """The words a browser shows on report.html's page: no head, comment, script or style, tags dropped,
    entities read."""
    import html as entities  # noqa: PLC0415

    # a break opportunity (<wbr>, a soft hyphen, a zero-width space) is inside a word, not between two
    shown = _HTML_HIDDEN.sub(b" ", html).replace(b"<wbr>", b"").replace(b"<wbr/>", b"")
    text = entities.unescape(_HTML_TAG.sub(b" ", shown).decode("utf-8", "replace"))
    return " ".join(text.replace("\u00ad", "").replace("\u200b", "").split())


def _integrity(manifest: Manifest, contents: dict[str, bytes]) -> list[str]:
    problems = []
    paths = [entry.path for entry in manifest.files]
    for name in sorted({path for path in paths if paths.count(path) > 1}):
        problems.append(f"modified: the manifest lists {shown(name)} more than once")
    listed = {entry.path: entry for entry in manifest.files}
    for name, entry in sorted(listed.items()):
        data = contents.get(name)
        if data is None:
            problems.append(f"missing: {shown(name)}")
        elif len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
            problems.append(f"modified: {shown(name)} does not match its SHA-256 in the manifest")
    for name in sorted(set(contents) - set(listed) - {"manifest.json"}):
        problems.append(f"added: {shown(name)} is not in the manifest")
    return problems


def _statement_of_html(html: bytes) -> tuple[dict[str, Any] | None, bool]:
    """report.html's statement, and whether its page says NOT FROM AMAZON."""
    match = _STATEMENT.search(html)
    try:
        statement = read_json(match.group(1)) if match else None
    except ValueError:
        statement = None
    return (statement if isinstance(statement, dict) else None), NOT_FROM_AMAZON.encode() in html


def _statement_of_pdf(pdf: bytes) -> tuple[dict[str, Any] | None, bool, str]:
    """report.pdf's statement (its document information), whether its cover says NOT FROM AMAZON, its text."""
    from pypdf import PdfReader  # noqa: PLC0415 - only when a pack is reviewed

    from onboard.pack.pdf_report import STATEMENT_KEY  # noqa: PLC0415

    # a damaged report is this review's finding: pypdf's own warnings about it ("EOF marker not found")
    # are not printed beside it
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(pdf))
        raw = reader.metadata.get(STATEMENT_KEY) if reader.metadata else None
        cover = reader.pages[0].extract_text() if reader.pages else ""
        # every page's words (the label pages' captions and the emulator's banner on them included)
        pages = [cover] + [page.extract_text() or "" for page in list(reader.pages)[1:MAX_REPORT_PAGES]]
    finally:
        pypdf_log.setLevel(level)
    try:
        statement = read_json(str(raw)) if raw is not None else None
    except ValueError:
        statement = None
    return (statement if isinstance(statement, dict) else None), "NOT FROM AMAZON" in cover, "\n".join(pages)


def _cross_check(manifest: Manifest, run: RunRecord, contents: dict[str, bytes]) -> list[str]:
    """Everything in the pack held to the run record; each disagreement is one line."""
    from onboard.pack.content import statement  # noqa: PLC0415 - the statement the reports were made with

    problems = []
    amazon = run.made_against_amazon()
    for name, claimed, recorded in (
        ("run id", manifest.run_id, run.run_id),
        ("environment", manifest.environment, run.environment),
        ("endpoints", manifest.endpoints.model_dump(), run.endpoints.model_dump()),
        ("business id", manifest.business_id, run.business_id),
        ("made against Amazon", manifest.made_against_amazon, amazon),
        ("run start", manifest.run_started, run.started.isoformat()),
        ("run end", manifest.run_finished, run.finished.isoformat() if run.finished else None),
        ("shipper", manifest.shipper, run.shipper or manifest.shipper),  # a record before schema 2 did not say
        ("notice", manifest.notice, None if amazon else NOT_FROM_AMAZON),
    ):
        if claimed != recorded:
            problems.append(
                f"inconsistent: the manifest says {name} {shown(claimed, 100)}, the run record {shown(recorded, 100)}"
            )

    # every label: the file the run recorded, judged again from its bytes, and no emulator banner if Amazon
    recorded_files = {label.file for label in run.labels() if label.file}
    for name in sorted(n for n in contents if n.startswith("labels/") and n not in recorded_files):
        problems.append(f"inconsistent: {shown(name)} is in the pack but not a label of the run")
    for name in sorted(n for n in contents if not n.startswith("labels/") and n not in PACK_FILES):
        problems.append(f"inconsistent: {shown(name)} is not a file a pack holds")
    marked = []
    for label in run.labels():
        if not label.file:
            if label.passed or label.status == "passed":
                problems.append(
                    f"inconsistent: the {label.spec} label for {shown(label.tracking_id, 40)} is said to pass, "
                    "but the run records no file for it"
                )
            continue
        data = contents.get(label.file)
        if data is None:
            problems.append(f"missing: label {shown(label.file)} of the run is not in the pack")
            continue
        if hashlib.sha256(data).hexdigest() != label.sha256:
            problems.append(
                f"label {shown(label.file)} is not the label the run recorded for {shown(label.tracking_id, 40)}"
            )
            continue
        verdict = judge_label(data, fmt=label.format, dpi=label.dpi, tracking_id=label.tracking_id)
        if label.passed and not verdict.passed:
            failures = "; ".join(c.detail for c in verdict.report.checks if not c.ok) or verdict.status
            problems.append(f"inconsistent: label {shown(label.file)} is said to pass, but its bytes fail: {failures}")
        if emulator_marked(data, label.format):
            marked.append(label.file)
    if marked and (amazon or manifest.made_against_amazon):
        problems.append(
            f"inconsistent: Amazon is claimed, but {len(marked)} label(s) carry the emulator's banner "
            f"({', '.join(marked[:3])}{' …' if len(marked) > 3 else ''})"
        )

    # the reports state the run they were made of
    expected = statement(run)
    for name in ("report.html", "report.pdf"):
        data = contents.get(name)
        if data is None:
            continue  # already missing, or never listed: the integrity check said so
        try:
            if name == "report.html":
                said, warns = _statement_of_html(data)
                text = data.decode("utf-8", "replace")
            else:
                said, warns, text = _statement_of_pdf(data)
        except Exception as exc:  # a report that cannot be read is a finding, never a crash
            problems.append(f"inconsistent: {name} cannot be read ({type(exc).__name__})")
            continue
        if said is None:
            problems.append(f"inconsistent: {name} states no run (it was not made by onboard pack)")
            continue
        for key, value in expected.items():
            if said.get(key) != value:
                problems.append(
                    f"inconsistent: {name} states {key} {shown(said.get(key), 100)}, the run record {shown(value, 100)}"
                )
        if warns == amazon:
            says = "NOT FROM AMAZON" if warns else "nothing of NOT FROM AMAZON"
            problems.append(f"inconsistent: {name} says {says}, the run record says {'Amazon' if amazon else 'not'}")
        shows = _visible_html(data) if name == "report.html" else text
        if run.run_id not in shows:
            problems.append(f"inconsistent: {name} does not show run {run.run_id}")
        # as the reports write it: controls escaped, a line break kept (both then read as spaces)
        if run.shipper and " ".join(shown(run.shipper, None, lines=True).split()) not in " ".join(shows.split()):
            problems.append(f"inconsistent: {name} does not show the run's shipper {shown(run.shipper, 60)}")
        if amazon and _EMULATOR_IN_REPORT.search(data if name == "report.html" else text.encode()):
            problems.append(f"inconsistent: Amazon is claimed, but {name} carries the emulator's words")
    return problems


def review_pack(path: Path, now: datetime | None = None) -> ReviewResult:
    now = now or datetime.now(UTC)
    contents = _read(path)
    manifest = _manifest(path, contents)
    manifest_sha256 = hashlib.sha256(contents["manifest.json"]).hexdigest()
    integrity = _integrity(manifest, contents)
    result = ReviewResult(
        ok=False,
        intact=not integrity,
        environment=manifest.environment,
        problems=list(integrity),
        manifest_sha256=manifest_sha256,
        manifest=manifest,
        path=path,
        labels_in_pack=sum(1 for name in contents if name.startswith("labels/")),
    )
    raw_run = contents.get("run.json")
    try:
        if raw_run is None:
            raise ConfigError("the pack holds no run.json")
        run = RunRecord.parse(raw_run, "run.json")
    except ConfigError as error:
        result.problems.append(f"{error.one_line()}: nothing in the pack can be checked against it")
        result.consistent = False
        return result
    result.run, result.environment = run, run.environment
    inconsistent = _cross_check(manifest, run, contents)
    result.consistent = not inconsistent
    result.intact = result.intact and not any(p.startswith(("missing:", "label ")) for p in inconsistent)
    result.problems += inconsistent
    required = required_by_onboard()
    result.coverage = run.coverage(required)
    result.problems += run.problems(required)
    fresh = True
    if run.finished is not None and (now - run.finished).days > STALE_DAYS:
        result.problems.append(f"stale: the run is {(now - run.finished).days} days old; ask for a fresh run")
        fresh = False
    result.ok = result.intact and result.consistent and fresh and not run.problems(required) and run.ok
    return result
