"""Errors the user can act on: each has a message and, where one exists, a hint naming the fix.

::

    OnboardError            one line for the user, never a traceback
     ├── UsageError         the command line is wrong (exit 2)
     └── ConfigError        the environment, a file or a port is not as needed (exit 2)
          └── DiskError     a file could not be written: the disk is full, read-only or not ours (exit 2)

Everything the CLI and the TUI show of a failure goes through ``OnboardError.one_line``: known secrets
masked and control characters made visible (:func:`onboard.display.shown`).
"""

from __future__ import annotations

from onboard import exit_codes
from onboard.display import shown


class OnboardError(Exception):
    exit_code = exit_codes.FAILED

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """Message and hint as one line, safe to show: the message often quotes a server, a file or a person."""
        text = self.message if not self.hint else f"{self.message} — {self.hint}"
        return shown(" ".join(text.split()), None)


class UsageError(OnboardError):
    exit_code = exit_codes.USAGE


class ConfigError(OnboardError):
    exit_code = exit_codes.USAGE


class DiskError(ConfigError):
    """A write the disk refused (full, read-only, not ours): the file it was to replace is left as it was,
    and no temporary file is left behind (``onboard.files``)."""
