"""The emulator's warnings reach whoever serves it ('onboard sandbox' configures logging), never the terminal
of a person whose certify or TUI runs it embedded: Python's last-resort handler would print them there, and
an interrupted certify said "POST /shipping/v2/shipments/rates: the client hung up before its body was
whole" under its own summary."""

from __future__ import annotations

import subprocess
import sys

WARN = "import logging, onboard.emulator.bodies; logging.getLogger('onboard.emulator').warning('the client hung up')"


def test_embedded_the_warning_is_not_printed() -> None:
    result = subprocess.run([sys.executable, "-c", WARN], capture_output=True, text=True, timeout=60, check=True)
    assert result.stderr == ""


def test_served_with_logging_configured_it_is() -> None:
    served = "import logging; logging.basicConfig(); " + WARN
    result = subprocess.run([sys.executable, "-c", served], capture_output=True, text=True, timeout=60, check=True)
    assert "WARNING:onboard.emulator:the client hung up" in result.stderr
