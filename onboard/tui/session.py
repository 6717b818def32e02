"""What the TUI remembers between runs, and the clock it reads: both replaceable in tests.

The UI state (which section, which step, which case, the theme, and evidence typed but not yet
valid) lives in ``<workspace>/.onboard-tui.json``, beside ``workspace.json`` and never inside it: the
workspace's schema belongs to the core. A damaged or foreign file is ignored, never an error.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from onboard.errors import DiskError
from onboard.files import atomic_write, read_json
from onboard.tui.sections import MODES

__all__ = ["MODES", "UI_FILE", "Clock", "UiState"]

UI_FILE = ".onboard-tui.json"
THEMES = ("textual-dark", "textual-light")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Clock:
    """``now`` is an aware UTC moment; ``today`` the local calendar day, as ``onboard status`` counts it."""

    now: Callable[[], datetime] = _utc_now

    def today(self) -> date:
        return self.now().astimezone().date()

    @classmethod
    def frozen(cls, moment: datetime) -> Clock:
        return cls(lambda: moment)


@dataclass(slots=True)
class UiState:
    mode: str = "journey"
    step: str | None = None
    case: str | None = None
    #: whether that case's drill-down was open
    case_open: bool = False
    theme: str = "textual-dark"
    #: evidence typed and not yet recorded (not valid yet), by ``step.key``: a keystroke is never lost
    drafts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, workspace: Path) -> UiState:
        try:
            raw: Any = read_json((workspace / UI_FILE).read_bytes())
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        state = cls()
        if raw.get("mode") in MODES:
            state.mode = raw["mode"]
        for name in ("step", "case"):
            if isinstance(raw.get(name), str):
                setattr(state, name, raw[name])
        state.case_open = raw.get("case_open") is True
        if raw.get("theme") in THEMES:
            state.theme = raw["theme"]
        drafts = raw.get("drafts")
        if isinstance(drafts, dict):
            state.drafts = {str(k): v for k, v in drafts.items() if isinstance(v, str) and keepable(v)}
        return state

    def save(self, workspace: Path) -> None:
        if not workspace.is_dir():
            return
        body = json.dumps(asdict(self), indent=2, ensure_ascii=False).encode() + b"\n"
        # where the UI was is a convenience: never fail the app over it
        with contextlib.suppress(DiskError):
            atomic_write(workspace / UI_FILE, body)


def keepable(draft: str) -> bool:
    """A draft may be written to disk unless it looks like an LWA secret, which no file here keeps."""
    # the checklist's models come with it: only where a draft is kept, never for the first frame
    from onboard.checklist.record import looks_like_secret  # noqa: PLC0415

    return not looks_like_secret(draft)
