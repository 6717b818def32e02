"""What ``onboard status`` and ``onboard step ID`` print: the listing by phase, its JSON, one step's card."""

from __future__ import annotations

from datetime import date
from typing import Any

from onboard.checklist.progress import Progress, StepView
from onboard.checklist.schema import Checklist
from onboard.checklist.wording import ICONS, LEGEND, day, moment
from onboard.display import shown
from onboard.printing import evidence as paper
from onboard.workspace.state import WorkspaceState


def status_json(progress: Progress) -> dict[str, Any]:
    """``{"steps": [{"id", "title", "phase", "status", "due"}], "next": {"id", "title", "action"} | null}``."""
    upcoming = progress.next
    return {
        "steps": [
            {
                "id": view.id,
                "title": view.step.title,
                "phase": view.step.phase,
                "status": view.status,
                "due": view.due.isoformat() if view.due else None,
            }
            for view in progress.steps
        ],
        "next": (
            {"id": upcoming.id, "title": upcoming.step.title, "action": upcoming.action_line()} if upcoming else None
        ),
    }


def _markers(view: StepView, today: date) -> str:
    marks: list[str] = []
    if view.due and not view.finished:
        if view.overdue:
            marks.append(f"OVERDUE: expected by {day(view.due)}")
        elif view.due == today:
            marks.append("expected today")
        else:
            marks.append(f"expected by {day(view.due)}")
    if view.resubmissions:
        marks.append(f"resubmitted {view.resubmissions}×")
    if view.step.verified_by and not view.finished:
        marks.append(f"[onboard {view.step.verified_by}]")
    return "  ".join(marks)


def status_text(checklist: Checklist, state: WorkspaceState, progress: Progress) -> str:
    profile = state.profile
    lines = [
        f"Amazon Shipping onboarding: {shown(profile.shipper_name)} ({profile.business_id}) — "
        f"{progress.done} of {len(progress.steps)} steps done — {day(progress.today)}"
    ]
    id_width = max(len(view.id) for view in progress.steps)
    title_width = max(len(view.step.title) for view in progress.steps)
    for phase in checklist.phases:
        lines += ["", phase.title]
        for view in (v for v in progress.steps if v.step.phase == phase.id):
            markers = _markers(view, progress.today)
            line = f"  {ICONS[view.status]} {view.id:<{id_width}}  {view.step.title:<{title_width}}  {markers}"
            lines.append(line.rstrip())
            if view.id == paper.STEP and (said := paper.summary(view.evidence)):
                lines.append(f"      {shown(said, None)}")
    lines += ["", LEGEND, ""]
    upcoming = progress.next
    if upcoming is None:
        lines.append("Every step is done: you are ready to ship with Amazon Shipping.")
        return "\n".join(lines)
    lines.append(f"Next: {upcoming.id} — {upcoming.step.title}")
    lines.append(f"  {upcoming.action}")
    lines += [f"  $ {command}" for command in upcoming.commands]
    lines.append(f"  The details and the answers to give: onboard step {upcoming.id}")
    return "\n".join(lines)


def step_card(checklist: Checklist, state: WorkspaceState, progress: Progress, step_id: str) -> str:
    view = progress.view(step_id)
    step = view.step
    record = state.steps.get(step.id)
    phase = next(p.title for p in checklist.phases if p.id == step.phase)
    since = f" since {moment(record.status_changed)}" if record and record.status_changed else ""
    lines = [f"{step.id} — {step.title}", f"{phase} · {ICONS[view.status]} {view.status}{since}"]
    if step.depends_on:
        pending = f" (not done yet: {', '.join(view.waiting_on)})" if view.waiting_on else ""
        lines.append(f"after: {', '.join(step.depends_on)}{pending}")
    if view.due:
        lines.append(f"expected by {day(view.due)}{' — OVERDUE' if view.overdue else ''}")
    if view.resubmissions:
        lines.append(f"resubmitted {view.resubmissions}×")
    lines += ["", step.guidance, "", f"Done when: {step.done_when}"]
    if step.evidence:
        lines += ["", "Evidence:"]
        rows = []
        for field in step.evidence:
            kind = checklist.kind_of(field)
            value = shown(view.evidence.get(field.key, kind.placeholder if kind else "|".join(field.choices)), None)
            rows.append((field.key, value, field.label + (" (needed for done)" if field.required else "")))
        key_width, value_width = (max(len(row[i]) for row in rows) for i in (0, 1))
        lines += [f"  {key:<{key_width}}  {value:<{value_width}}  {label}" for key, value, label in rows]
    if step.verified_by:
        lines += ["", f"Checked by the tool: onboard {step.verified_by} (until it records the result, set it by hand)"]
    if record and record.notes:
        lines += ["", "Notes:"] + [f"  {moment(note.at)}  {shown(note.text, None)}" for note in record.notes]
    history = [entry for entry in state.audit if entry.step == step.id]
    if history:
        lines += ["", "History:"]
        for entry in history:
            what = entry.new if entry.field == "note" else f"{entry.old or '—'} → {entry.new or '—'}"
            lines.append(f"  {moment(entry.at)}  {shown(f'{entry.field}: {what}  ({entry.via})', None)}")
    if not view.finished:
        lines += ["", f"Now: {view.action}", *(f"  $ {command}" for command in view.commands)]
    return "\n".join(lines)
