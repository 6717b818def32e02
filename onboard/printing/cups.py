"""A label handed to a CUPS queue through ``lp``: at 100% scale, never fitted to the page.

A label is drawn at its true size (4 x 6 in); a driver that fits it to the page shrinks the barcodes
below what carriers scan. So a PDF goes with ``print-scaling=none`` and ``fit-to-page=false``, a PNG at
its own resolution (``ppi``, which is how CUPS prints an image at true size), and ZPL as a raw job the
queue passes to the printer untouched.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from onboard.display import shown
from onboard.printing import PrinterError

__all__ = ["LP_SECONDS", "lp_command", "submit"]

#: ``lp`` only queues the job: it answers at once, or the CUPS server is not answering
LP_SECONDS = 30.0
_REQUEST_ID = re.compile(r"request id is (\S+)")


def lp_command(lp: str, queue: str, path: Path, fmt: str, dpi: int | None, copies: int) -> list[str]:
    options = ["print-scaling=none"]
    if fmt == "ZPL":
        options = ["raw"]
    elif fmt == "PNG":
        options += [f"ppi={dpi}"] if dpi else []
    else:
        options += ["fit-to-page=false"]
    command = [lp, "-d", queue, "-n", str(copies)]
    for option in options:
        command += ["-o", option]
    return [*command, "--", str(path)]


def submit(queue: str, path: Path, fmt: str, dpi: int | None, copies: int) -> str | None:
    """Queue the file on ``queue``; the job id ``lp`` gave (``Zebra-12``), or None when it named none."""
    lp = shutil.which("lp")
    if lp is None:
        raise PrinterError(
            "cannot print to a CUPS queue: the 'lp' command is not installed",
            "install CUPS (e.g. apt-get install cups-client), or print ZPL to a network printer with --printer",
        )
    try:
        done = subprocess.run(  # noqa: S603 - lp found on PATH, the arguments are a list
            lp_command(lp, queue, path, fmt, dpi, copies),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=LP_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise PrinterError(
            f"lp did not answer within {LP_SECONDS:g} s", "check that the CUPS server is running (lpstat -r)"
        ) from None
    except OSError as exc:
        raise PrinterError(f"cannot run lp: {exc.strerror or exc}") from None
    if done.returncode != 0:
        said = " ".join((done.stderr or done.stdout).split()) or f"exit status {done.returncode}"
        raise PrinterError(
            f"the CUPS queue '{shown(queue, 60)}' refused the job: lp said '{shown(said, 160)}'",
            "'lpstat -p' lists the queues and whether each accepts jobs",
        )
    found = _REQUEST_ID.search(done.stdout)
    return shown(found.group(1), 80) if found else None
