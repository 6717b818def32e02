"""A label printed on the shipper's printer and recorded: the one flow ``onboard label print`` and the TUI's
Print share.

The caller reads the file and chooses the printer (:func:`choose_printer`: the one given, else the one the
workspace remembers); :func:`print_label` then checks the label (its format, the dpi it is drawn for), asks
a network printer its dpi and state (``~HI`` / ``~HS``), refuses a dpi mismatch with the fix, sends the
job (raw over 9100, or through ``lp``), and records the print on the ``test-label`` step. What it did
comes back as :class:`Printed`, for the caller to say in its own way; a failure is a
:class:`~onboard.printing.PrinterError` or :class:`~onboard.errors.UsageError`, one line each.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from onboard.display import shown
from onboard.errors import OnboardError, UsageError
from onboard.labels import formats
from onboard.labels.formats import spelled
from onboard.printing import PrinterError
from onboard.workspace.state import Printer

__all__ = [
    "MAX_COPIES",
    "TRACKING_ID",
    "Printed",
    "check_copies",
    "choose_printer",
    "label_format",
    "print_label",
    "tracking_of",
]

TRACKING_ID = re.compile(r"[A-Za-z0-9]{6,40}")
#: a CUPS queue name: printable, no space, slash or '#', and not an option
_QUEUE = re.compile(r"[^\s/#\\\-][^\s/#\\]{0,126}")
MAX_COPIES = 20


@dataclass(frozen=True, slots=True)
class Printed:
    """What a print did: the label as sent, where it went, and what it carries."""

    fmt: str
    #: the label's dpi: its own, else the one asked for, else the printer's
    dpi: int | None
    printer: Printer
    #: the printer in words, as the evidence keeps it: ``127.0.0.1:9100 (ZD421-203dpi)``, ``cups:Zebra``
    words: str
    #: what a network printer said of itself (None when it answered nothing, or for a CUPS queue)
    model: str | None
    printer_dpi: int | None
    #: the CUPS job id ``lp`` gave
    job: str | None
    copies: int
    size: int
    tracking_id: str | None
    run_id: str | None
    at: datetime
    #: ``passed``, ``failed``… as ``onboard label check`` says of the label, and its summary
    label_check: str
    label_summary: str
    #: the recorded change's warnings (a step out of order)
    warnings: tuple[str, ...]


def label_format(path: Path, data: bytes) -> str:
    """The label's format (``ZPL``, ``PDF``, ``PNG``); UsageError when the bytes are no label."""
    found = formats.sniff(data)
    if found is None:
        raise UsageError(f"{path} is not a label file: neither {spelled('nor')}", "print the label file itself")
    return found.name


def check_copies(copies: int) -> None:
    if not 1 <= copies <= MAX_COPIES:
        raise UsageError(f"--copies {copies}: print 1 to {MAX_COPIES} copies of a test label")


def choose_printer(raw: str | None, cups: str | None, remembered: Printer | None) -> Printer:
    """``--printer HOST[:PORT]``, else ``--cups QUEUE``, else the printer the workspace remembers."""
    from onboard.printing import zebra  # noqa: PLC0415

    if raw is not None:
        return Printer(kind="raw", target=str(zebra.parse_target(raw)))
    if cups is not None:
        if not _QUEUE.fullmatch(cups):
            raise UsageError(
                f"--cups '{shown(cups, 80)}' is not a CUPS queue name", "'lpstat -p' lists the queues by name"
            )
        return Printer(kind="cups", target=cups)
    if remembered is None:
        raise UsageError(
            "no printer given, and this workspace has not printed before",
            "give --printer HOST[:PORT] (a network label printer, ZPL) or --cups QUEUE (PDF, PNG); it is remembered",
        )
    return remembered


def print_label(
    where: Path,
    path: Path,
    data: bytes,
    printer: Printer,
    *,
    now: Callable[[], datetime],
    dpi: int | None = None,
    copies: int = 1,
    tracking_id: str | None = None,
    via: str = "onboard label print",
) -> Printed:
    """Print ``data`` (the label file at ``path``) on ``printer`` and record it in the workspace at ``where``.

    ``dpi`` is the one asked for (``--dpi``); ``tracking_id`` the one the caller knows the label carries,
    for a label no run of the workspace names by its bytes.
    """
    from onboard.labels.check import check_label  # noqa: PLC0415 - PIL and zxing-cpp only when printing
    from onboard.printing import cups, evidence, zebra  # noqa: PLC0415

    fmt = label_format(path, data)
    check_copies(copies)
    report = check_label(data)
    drawn_dpi = report.dpi if fmt != "PDF" else None
    if dpi and drawn_dpi and dpi != drawn_dpi:
        raise UsageError(
            f"{path} is drawn for {drawn_dpi} dpi, not --dpi {dpi}",
            f"print it with --dpi {drawn_dpi}, or buy the label at {dpi} dpi",
        )
    dpi = dpi or drawn_dpi
    printer_dpi: int | None = None
    model: str | None = None
    job: str | None = None
    if printer.kind == "raw":
        if fmt != "ZPL":
            raise UsageError(
                f"{path} is a {fmt} label: a network label printer takes ZPL raw, not {fmt}",
                f"print the {fmt} label through its CUPS queue (--cups QUEUE), or print the ZPL label",
            )
        target = zebra.parse_target(printer.target)
        info = zebra.ask(target)
        model, printer_dpi = info.model, info.dpi
        if info.problems:
            raise PrinterError(
                f"the printer at {target} ({shown(model, 40)}) cannot print now: {', '.join(info.problems)}",
                "load labels, close the head or press pause (the printer's own display says which), then print again",
            )
        if dpi and printer_dpi and dpi != printer_dpi:
            raise PrinterError(
                f"{path} is a {dpi} dpi label and the printer at {target} ({shown(model, 40)}) prints at "
                f"{printer_dpi} dpi",
                f"buy the label at {printer_dpi} dpi ('onboard certify --formats ZPL --dpi {printer_dpi}') and "
                f"print that one; a {dpi} dpi label on it prints at the wrong size and may not scan",
            )
        dpi = dpi or printer_dpi
        for _ in range(copies):
            zebra.send(target, data)
        words = f"{target} ({shown(model, 40)})" if model else str(target)
    else:
        job = cups.submit(printer.target, path, fmt, dpi, copies)
        words = f"cups:{printer.target}"
    at = now()
    bought, run_id = tracking_of(where, data)
    if bought is None and tracking_id is not None and TRACKING_ID.fullmatch(tracking_id):
        bought = tracking_id
    warnings = evidence.record_print(
        where, printer=printer, printer_words=words, fmt=fmt, dpi=dpi, tracking_id=bought, at=at, via=via
    )
    return Printed(
        fmt=fmt,
        dpi=dpi,
        printer=printer,
        words=words,
        model=model,
        printer_dpi=printer_dpi,
        job=job,
        copies=copies,
        size=len(data),
        tracking_id=bought,
        run_id=run_id,
        at=at,
        label_check=report.status,
        label_summary=report.summary,
        warnings=warnings,
    )


def tracking_of(where: Path, data: bytes) -> tuple[str | None, str | None]:
    """The tracking id of the label whose bytes these are, from the run that bought it, and that run's id."""
    from onboard.certify.record import RUNS, read_run, valid_run_id  # noqa: PLC0415

    digest = hashlib.sha256(data).hexdigest()
    for run_file in sorted((where / RUNS).glob("*/run.json"), reverse=True):
        if not valid_run_id(run_file.parent.name):
            continue
        try:
            record = read_run(run_file)
        except OnboardError:
            continue
        for label in record.labels():
            if label.sha256 == digest and TRACKING_ID.fullmatch(label.tracking_id):
                return label.tracking_id, record.run_id
    return None, None
