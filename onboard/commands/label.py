"""``onboard label check`` and ``render``: a label checked as a print shop would, or drawn at true size."""

from __future__ import annotations

import argparse
import json
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from onboard import exit_codes
from onboard.errors import UsageError
from onboard.files import atomic_write
from onboard.labels.formats import spelled

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
