"""Errors the user can act on: each has a message and, where one exists, a hint naming the fix.

::

    OnboardError            one line for the user, never a traceback
     ├── UsageError         the command line is wrong (exit 2)
     └── ConfigError        the environment, a file or a port is not as needed (exit 2)

Everything the CLI and the TUI show of a failure goes through ``OnboardError.one_line``.
"""

from __future__ import annotations

from onboard import exit_codes


class OnboardError(Exception):
    exit_code = exit_codes.FAILED

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        text = self.message if not self.hint else f"{self.message} — {self.hint}"
        return " ".join(text.split())


class UsageError(OnboardError):
    exit_code = exit_codes.USAGE


class ConfigError(OnboardError):
    exit_code = exit_codes.USAGE
