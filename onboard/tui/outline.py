"""The journey's first frame as plain data, kept between starts so the TUI can draw it before loading anything.

Loading the checklist and the workspace means validating them (pydantic), and that costs more than
Textual's own start. What the first frame shows (the phases and steps with their status, the header's
count and next step, the workspace line) is small, so the TUI keeps it in
``<workspace>/.onboard-outline.json`` under a key over everything it was derived from: the bytes of
``workspace.json`` and of the checklist, the day (due dates and OVERDUE move with it) and this format.
A start whose key matches draws the journey from the outline; the files themselves are loaded right
after that frame and the journey is drawn again from them, so a wrong outline lasts one frame at most.

This module imports nothing that loads pydantic: that is the point of it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onboard import __version__
from onboard.checklist.wording import ICONS
from onboard.display import shown
from onboard.errors import DiskError
from onboard.files import atomic_write, read_json
from onboard.locations import checklist_file
from onboard.workspace.workspace import STATE_FILE

if TYPE_CHECKING:
    from onboard.checklist.progress import Progress
    from onboard.checklist.schema import Checklist

OUTLINE_FILE = ".onboard-outline.json"
#: bumped when the outline's fields or their meaning change
FORMAT = 1


@dataclass(frozen=True, slots=True)
class PhaseLine:
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class StepLine:
    id: str
    phase: str
    title: str
    #: ``None``: no workspace yet, so no status either
    status: str | None = None
    finished: bool = False
    overdue: bool = False
    due: date | None = None


@dataclass(frozen=True, slots=True)
class Outline:
    phases: tuple[PhaseLine, ...]
    steps: tuple[StepLine, ...]
    #: ``None``: no workspace yet
    done: int | None
    next_id: str | None
    next_title: str | None
    #: the workspace line of the section bar (environment, business, shipper)
    subtitle: str = ""

    @property
    def overdue(self) -> int:
        return sum(step.overdue for step in self.steps)


def outline_of(checklist: Checklist, where: Progress | None, subtitle: str = "") -> Outline:
    """What the journey's first frame shows, from the loaded checklist and progress."""
    phases = tuple(PhaseLine(phase.id, phase.title) for phase in checklist.phases)
    if where is None:
        steps = tuple(StepLine(step.id, step.phase, step.title) for step in checklist.steps)
        return Outline(phases, steps, None, None, None, subtitle)
    steps = tuple(
        StepLine(view.id, view.step.phase, view.step.title, view.status, view.finished, view.overdue, view.due)
        for view in where.steps
    )
    upcoming = where.next
    return Outline(
        phases,
        steps,
        where.done,
        upcoming.id if upcoming else None,
        upcoming.step.title if upcoming else None,
        subtitle,
    )


def key(workspace_dir: Path, today: date) -> str | None:
    """The key of what an outline of this workspace, today, is derived from (``None``: a file unreadable)."""
    digest = hashlib.sha256(f"onboard {__version__} outline {FORMAT} {today.isoformat()}".encode())
    try:
        for source in (checklist_file(), workspace_dir / STATE_FILE):
            body = source.read_bytes()
            digest.update(len(body).to_bytes(8, "big"))
            digest.update(body)
    except OSError:
        return None
    return digest.hexdigest()


def kept(workspace_dir: Path, wanted: str) -> Outline | None:
    """The outline kept for ``wanted`` (a key), or ``None``: none kept, another key, or not one we wrote.

    Anyone who can write the workspace can compute a key, so what the file holds is checked as any file
    from outside is: a field of the wrong type or an outline that does not hang together is no outline.
    """
    try:
        raw: Any = read_json((workspace_dir / OUTLINE_FILE).read_bytes())
        if not isinstance(raw, dict) or raw.get("key") != wanted:
            return None
        return _outline(raw["outline"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # a cache: anything odd about it means drawing from the files, as without one


def _outline(body: Any) -> Outline:
    """The outline a kept file describes; ValueError or TypeError where it is not one this module wrote."""
    # the titles are drawn as they are: made terminal-safe again, whoever wrote this file
    phases = tuple(PhaseLine(_text(p["id"]), shown(_text(p["title"]), None)) for p in body["phases"])
    steps = tuple(
        StepLine(
            _text(step["id"]),
            _text(step["phase"]),
            shown(_text(step["title"]), None),
            _status(step["status"]),
            _flag(step["finished"]),
            _flag(step["overdue"]),
            date.fromisoformat(_text(step["due"])) if step["due"] is not None else None,
        )
        for step in body["steps"]
    )
    ids = [step.id for step in steps]
    done, next_id, next_title = body["done"], body["next_id"], body["next_title"]
    if not steps or len(set(ids)) != len(ids) or {s.phase for s in steps} - {p.id for p in phases}:
        raise ValueError("no steps, a step twice, or one in no phase")
    if done is not None and (type(done) is not int or not 0 <= done <= len(steps)):
        raise ValueError("a count of steps done that is not one")
    if next_id is not None and next_id not in ids:
        raise ValueError("a next step that is not a step")
    return Outline(
        phases,
        steps,
        done,
        next_id,
        shown(_text(next_title), None) if next_title is not None else None,
        shown(_text(body["subtitle"]), None),
    )


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError("not true or false")
    return value


def _status(value: object) -> str | None:
    if value is not None and value not in ICONS:
        raise ValueError("not a step status")
    return value if value is None else _text(value)


def keep(workspace_dir: Path, wanted: str, outline: Outline) -> None:
    """Keep ``outline`` for the next start; a disk that refuses it costs that start its speed, nothing else."""
    body = {"key": wanted, "outline": asdict(outline)}
    data = json.dumps(body, ensure_ascii=False, default=_iso).encode() + b"\n"
    with contextlib.suppress(DiskError, OSError):
        if (workspace_dir / OUTLINE_FILE).read_bytes() == data:
            return
    with contextlib.suppress(DiskError):
        atomic_write(workspace_dir / OUTLINE_FILE, data, durable=False)


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not kept in an outline")
