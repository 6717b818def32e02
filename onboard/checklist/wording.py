"""How a step's status and its dates are written, wherever they are shown (CLI, TUI, reports).

Plain words and symbols only, with no models behind them, so the TUI's first frame can draw a status
without loading the checklist's (onboard.tui.outline).
"""

from __future__ import annotations

from datetime import date, datetime

#: by step status (onboard.workspace.state.StepStatus)
ICONS: dict[str, str] = {
    "done": "✓",
    "in_progress": "◐",
    "waiting": "◷",
    "blocked": "✗",
    "todo": "○",
    "skipped": "–",
}
LEGEND = "✓ done  ◐ in progress  ◷ waiting  ✗ blocked  ○ to do  – skipped"


def day(value: date) -> str:
    return f"{value:%a %Y-%m-%d}"


def moment(value: datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC"
