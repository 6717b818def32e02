"""``onboard label check``, ``render``, ``print`` and ``scan``: a label checked as a print shop would, drawn at
true size, printed on the shipper's printer and scanned back from paper (``onboard.printing``)."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onboard import exit_codes
from onboard.commands.common import workspace_dir
from onboard.display import shown
from onboard.errors import OnboardError, UsageError
from onboard.files import atomic_write
from onboard.labels.formats import spelled
from onboard.printing.jobs import TRACKING_ID
from onboard.settings import Settings
from onboard.workspace.workspace import Workspace

if TYPE_CHECKING:
    from onboard.labels.check import LabelReport

# a placeholder is not a label anyone can sign off, so it fails like a bad label; bytes that are no label
# format at all are input the command cannot work with
_EXIT_CODES = {
    "passed": exit_codes.OK,
    "failed": exit_codes.FAILED,
    "placeholder": exit_codes.FAILED,
    "unreadable": exit_codes.USAGE,
}
_VERDICTS = {
    "passed": "passed",
    "failed": "FAILED",
    "placeholder": "placeholder label from the sandbox",
    "unreadable": "not a label file",
}


def check(args: argparse.Namespace) -> int:
    # PIL and zxing-cpp (and PDFium, for a PDF) load here, not when the CLI starts
    from onboard.labels.check import check_label  # noqa: PLC0415

    path = Path(args.file)
    data = _read(path)
    report = check_label(data, expect_tracking=args.expect_tracking, dpi=args.dpi)
    if args.json:
        print(json.dumps({"file": str(path), **report.to_json()}, indent=2, ensure_ascii=False))
    else:
        print(report_text(report, str(path)))
    return _EXIT_CODES[report.status]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}", f"give the path of a {spelled()} label") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a label file") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def report_text(report: LabelReport, name: str) -> str:
    """The report for a person: the verdict, each check with ✓ or ✗, each barcode read, and any hint."""
    described = _described(report)
    lines = [f"{name}: {_VERDICTS[report.status]}" + (f" ({described})" if described else "")]
    width = max(len(c.name) for c in report.checks)
    lines += [f"  {'✓' if c.ok else '✗'} {c.name:<{width}}  {c.detail}" for c in report.checks]
    if report.barcodes:
        lines.append("  barcodes found:")
        symbology_width = max(len(b.symbology) for b in report.barcodes)
        for b in report.barcodes:
            page = f"page {b.page}  " if report.pages > 1 else ""
            text = b.text if b.valid else f"(does not decode: {b.error})"
            lines.append(f"    {page}{b.symbology:<{symbology_width}}  {text}")
    elif report.format is not None:
        lines.append("  barcodes found: none")
    if report.hint:
        lines += textwrap.wrap(
            f"hint: {report.hint}", width=100, initial_indent="  ", subsequent_indent="        ", break_on_hyphens=False
        )
    return "\n".join(lines)


def _described(report: LabelReport) -> str:
    if report.format is None:
        return ""
    size = f", {report.width_in:g} x {report.height_in:g} in" if report.width_in and report.height_in else ""
    dpi = f" at {report.dpi} dpi" if report.dpi else ""
    pages = f", {report.pages} pages" if report.pages > 1 else ""
    return f"{report.format}{size}{dpi}{pages}"


def render(args: argparse.Namespace) -> int:
    """``onboard label render``: any label drawn at true size, as PNG (one per label) or as a PDF of pages."""
    from onboard.labels.pictures import render_file, save_pictures  # noqa: PLC0415

    path = Path(args.file)
    data = _read(path)
    try:
        pictures = render_file(data, args.dpi)
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}", f"give a {spelled()} label") from None
    count = len(pictures.pages)
    if args.label is not None:
        if not 1 <= args.label <= count:
            raise UsageError(f"--label {args.label}: {path} holds {count} label{'s' if count != 1 else ''}")
        pictures = replace(pictures, pages=(pictures.pages[args.label - 1],))
    out = Path(args.out) if args.out else _default_out(path)
    kind = "pdf" if out.suffix.lower() == ".pdf" else "png"
    if out.suffix.lower() not in (".pdf", ".png"):
        raise UsageError(f"--out {out}: name a .png or a .pdf file")
    if out.resolve() == path.resolve():
        raise UsageError(f"--out {out} is the label itself", "name another file")
    blobs = save_pictures(pictures, kind)
    targets = (
        [out] if len(blobs) == 1 else [out.with_name(f"{out.stem}-{i}{out.suffix}") for i in range(1, len(blobs) + 1)]
    )
    for target, blob in zip(targets, blobs, strict=True):
        _write(target, blob)
    result = {
        "file": str(path),
        "format": pictures.format,
        "dpi": pictures.dpi,
        "labels": len(pictures.pages),
        "out": [str(t) for t in targets],
        "not_drawn": list(pictures.not_drawn),
        "notes": list(pictures.notes),
    }
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        labels = f"{len(pictures.pages)} label{'s' if len(pictures.pages) != 1 else ''}"
        print(f"{path}: {pictures.format}, {labels} drawn at {pictures.dpi} dpi -> {', '.join(map(str, targets))}")
        if pictures.not_drawn:
            print(f"  not drawn: {', '.join(pictures.not_drawn)}")
        for note in pictures.notes:
            print(f"  note: {note}")
    return exit_codes.FAILED if pictures.not_drawn else exit_codes.OK


def _default_out(path: Path) -> Path:
    out = path.with_suffix(".png")
    return out if out != path else path.with_name(f"{path.stem}.render.png")


def _write(target: Path, blob: bytes) -> None:
    if not target.parent.is_dir():
        raise UsageError(f"cannot write {target}: there is no folder {target.parent}")
    atomic_write(target, blob)


# --- onboard label print / scan: the test label on paper ----------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


def print_(args: argparse.Namespace, now: Callable[[], datetime] = _utc_now) -> int:
    """``onboard label print FILE``: ZPL raw to a network label printer, or any label to a CUPS queue via lp."""
    from onboard.printing import jobs  # noqa: PLC0415
    from onboard.printing.evidence import moment  # noqa: PLC0415

    settings = Settings.from_env()
    where = workspace_dir(args, settings)
    workspace = Workspace.open(where)  # before any paper is used: the print is recorded in it
    path = Path(args.file)
    data = _read(path)
    # the file and the copies before the printer: what is wrong with the command itself is said first
    jobs.label_format(path, data)
    jobs.check_copies(args.copies)
    printer = jobs.choose_printer(args.printer, args.cups, workspace.state.printer)
    printed = jobs.print_label(where, path, data, printer, now=now, dpi=args.dpi, copies=args.copies)
    for warning in printed.warnings:
        print(f"onboard: warning: {warning}", file=sys.stderr)
    if args.json:
        result = {
            "file": str(path),
            "format": printed.fmt,
            "dpi": printed.dpi,
            "printer": {
                "kind": printer.kind,
                "target": printer.target,
                "model": printed.model,
                "dpi": printed.printer_dpi,
            },
            "copies": printed.copies,
            "bytes": printed.size,
            "job": printed.job,
            "tracking_id": printed.tracking_id,
            "run_id": printed.run_id,
            "printed_at": moment(printed.at),
            "label_check": printed.label_check,
        }
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return exit_codes.OK
    at_dpi = f", {printed.dpi} dpi" if printed.dpi else ""
    copies = f", {printed.copies} copies" if printed.copies > 1 else ""
    queued = f" (job {printed.job})" if printed.job else ""
    print(f"printed {path} ({printed.fmt}{at_dpi}{copies}) on {printed.words}{queued}")
    if printed.label_check != "passed":
        print(f"  note: the label itself does not pass 'onboard label check' ({printed.label_summary})")
    if printed.tracking_id:
        print(
            "Now scan the paper label: onboard label scan [--image PHOTO]  "
            f"(it carries {printed.tracking_id}, run {printed.run_id})"
        )
    else:
        print("Now scan the paper label: onboard label scan --expect TRACKING_ID [--image PHOTO]")
    return exit_codes.OK


def scan(args: argparse.Namespace, now: Callable[[], datetime] = _utc_now) -> int:
    """``onboard label scan``: what the scanner typed, or a photo of the paper label, against its tracking id."""
    from onboard.printing import evidence, scanning  # noqa: PLC0415

    settings = Settings.from_env()
    where = workspace_dir(args, settings)
    workspace = Workspace.open(where)
    record = workspace.state.steps.get(evidence.STEP)
    recorded = dict(record.evidence) if record else {}
    expected, fmt, dpi = _expected(args, where, recorded)
    if args.image is not None:
        image = Path(args.image)
        reads = scanning.from_image(image, expected)
        source, what = "image", str(image)
    else:
        prompt = (lambda text: print(text, file=sys.stderr)) if sys.stdin.isatty() else None
        reads = scanning.from_keystrokes(sys.stdin, expected, prompt)
        source, what = "scanner", "the scanner"
    verdict = scanning.judge(reads, expected)
    wanted = " or ".join(expected)
    said = ""
    if verdict.ok and verdict.tracking_id is not None:
        said, warnings = evidence.record_scan(
            where,
            tracking_id=verdict.tracking_id,
            carried_by=verdict.carried_by,
            scanned_with=source,
            fmt=fmt,
            dpi=dpi,
            at=now(),
        )
        for warning in warnings:
            print(f"onboard: warning: {warning}", file=sys.stderr)
    if args.json:
        result = {
            "ok": verdict.ok,
            "expected": expected,
            "tracking_id": verdict.tracking_id,
            "source": source,
            "image": args.image,
            "read": [
                {"symbology": r.symbology, "text": shown(r.text, 200), "carries": _how(verdict, r)} for r in reads
            ],
            "recorded": said or None,
        }
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return exit_codes.OK if verdict.ok else exit_codes.FAILED
    if not verdict.ok:
        if not reads:
            hint = (
                "photograph the whole label, flat and in even light, filling most of the frame"
                if source == "image"
                else "scan the label's barcode; the scanner types the code and Enter"
            )
            raise OnboardError(f"no barcode read from {what}; expected {wanted}", hint)
        raise OnboardError(
            f"the scan does not match: read {scanning.described(reads)}, expected {wanted}",
            "scan the label printed for this workspace, or give the id it carries with --expect",
        )
    hows = "; ".join(f"{r.symbology}: {how}" for r, how in verdict.carriers)
    print(f"scanned {verdict.tracking_id} from {what}: {hows}")
    print(f"recorded on {evidence.STEP}: {said}")
    return exit_codes.OK


def _how(verdict: Any, read: Any) -> str | None:
    return next((how for r, how in verdict.carriers if r == read), None)


def _expected(
    args: argparse.Namespace, where: Path, recorded: dict[str, str]
) -> tuple[list[str], str | None, int | None]:
    """The tracking ids a scan must carry, with the label's format and dpi when known."""
    fmt = recorded.get("format") or None
    dpi = int(recorded["dpi"]) if recorded.get("dpi", "").isdigit() else None
    if args.expect is not None:
        wanted = "".join(args.expect.split())
        if not TRACKING_ID.fullmatch(wanted):
            raise UsageError(
                f"--expect '{shown(args.expect, 60)}' is not a tracking id",
                "6 to 40 letters and digits, e.g. TBA304719826511",
            )
        return [wanted], fmt, dpi
    if args.run is not None:
        from onboard.certify.record import RUNS, read_run, valid_run_id  # noqa: PLC0415

        if not valid_run_id(args.run):
            raise UsageError(f"--run '{shown(args.run, 60)}' is not a run id", "'ls runs/' in the workspace lists them")
        run_file = where / RUNS / args.run / "run.json"
        if not run_file.is_file():
            raise UsageError(f"there is no run {args.run} in {where}", "'ls runs/' in the workspace lists them")
        labels = [label for label in read_run(run_file).labels() if TRACKING_ID.fullmatch(label.tracking_id)]
        if fmt and any(label.format == fmt and (dpi is None or label.dpi == dpi) for label in labels):
            labels = [label for label in labels if label.format == fmt and (dpi is None or label.dpi == dpi)]
        ids = list(dict.fromkeys(label.tracking_id for label in labels))
        if not ids:
            raise UsageError(f"run {args.run} holds no label with a tracking id", "give it with --expect TRACKING_ID")
        if len({label.format for label in labels}) == 1 and len({label.dpi for label in labels}) == 1:
            fmt, dpi = fmt or labels[0].format, dpi or labels[0].dpi
        return ids, fmt, dpi
    if recorded.get("printed_at") and recorded.get("tracking_id"):
        return [recorded["tracking_id"]], fmt, dpi
    raise UsageError(
        "which label was printed? no tracking id is known for the last print",
        "give --expect TRACKING_ID, or --run RUN_ID for the run that bought the label",
    )
