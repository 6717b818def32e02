"""The test label on paper: sent to the shipper's printer, and scanned back from it.

A print is one flow, :func:`onboard.printing.jobs.print_label`, which ``onboard label print`` and the TUI's
Print (on the case screen) both run; it, ``onboard label scan`` and the TUI's Scan call, in this order:

1. :mod:`onboard.printing.zebra` for a network label printer: ``~HI`` and ``~HS`` over its raw port (TCP
   9100) say its resolution and whether it can print (paper, head, pause); then the ZPL job is sent raw,
   with a deadline to connect and one to send. :mod:`onboard.printing.cups` hands PDF and PNG (and ZPL
   as a raw job) to a CUPS queue through ``lp``, at 100% scale, never fitted to the page.
2. :mod:`onboard.printing.scanning` reads what a handheld scanner typed (a keyboard wedge: the code and
   Enter on standard input) or a photo or flatbed scan of the paper label, found and deskewed for zxing-cpp.
3. :mod:`onboard.printing.evidence` records the print and the scan on the ``test-label`` step, with
   their audit entries, and says it in one line ("printed on …, scanned …, carries TBA…").

Failures are one line each, through one error::

    OnboardError (onboard.errors)
     └── ConfigError
          └── PrinterError   the printer is off, refuses, is not a printer, cannot print now, or prints
                             at another dpi than the label's (exit 2)
"""

from __future__ import annotations

from onboard.errors import ConfigError

__all__ = ["PrinterError"]


class PrinterError(ConfigError):
    """The printer (or ``lp``) could not take the job: the message says what it did, the hint what to do."""
