"""Where onboarding stands: each step's status, due date and what to do, and which step is next.

``progress(checklist, state, today)`` is the one function the CLI (``onboard status``, ``step``,
``message``) and the TUI read; it derives everything from the checklist and the recorded state and
changes neither. The rules:

- a step never touched has its ``initial_status`` (``todo``, or ``skipped`` for one kept to say why
  it is no longer needed);
- a step that waits on Amazon (it has ``due``) shows as ``waiting`` as soon as the date it counts
  from is recorded, even before anyone sets it: the clock runs from the submission, not from the
  moment the shipper remembers to say so;
- ``due`` is that date plus N business days of the shipper's country; a step not done by then is
  overdue (while it is waiting or in progress) and its action becomes the follow-up (``overdue`` in
  the data), unless a recorded answer says what to do instead (``then``, e.g. after a rejection);
- a dependency is met when its step is done or skipped;
- next is, in checklist order: the first overdue step, else the first step one can act on (in
  progress, blocked, or to do with its dependencies met), else the first one waiting on Amazon,
  else the first step left; ``None`` when every step is done or skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from onboard.checklist.business_days import calendar_for_business
from onboard.checklist.schema import Checklist, Step, fill
from onboard.workspace.state import StepStatus, WorkspaceState

FINISHED: frozenset[StepStatus] = frozenset({"done", "skipped"})


@dataclass(frozen=True, slots=True)
class StepView:
    step: Step
    status: StepStatus
    evidence: Mapping[str, str]
    due: date | None
    overdue: bool
    #: dependencies not yet done or skipped
    waiting_on: tuple[str, ...]
    resubmissions: int
    #: what to do now, in a sentence or two
    action: str
    #: the commands that go with it: record the step, draft its message
    commands: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.step.id

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def action_line(self) -> str:
        """The action and its commands as one line (``status --json``)."""
        return " ".join([self.action, *(f"Run: {command}" for command in self.commands)]).strip()


@dataclass(frozen=True, slots=True)
class Progress:
    today: date
    steps: tuple[StepView, ...]
    next: StepView | None

    def view(self, step_id: str) -> StepView:
        return next(view for view in self.steps if view.id == step_id)

    @property
    def done(self) -> int:
        return sum(view.finished for view in self.steps)


def evidence_lookup(checklist: Checklist, state: WorkspaceState) -> dict[str, str]:
    """Every recorded piece of evidence as ``{"step-id.key": value}``."""
    return {
        f"{step_id}.{key}": value
        for step_id, record in state.steps.items()
        if step_id in checklist.by_id
        for key, value in record.evidence.items()
    }


def progress(checklist: Checklist, state: WorkspaceState, today: date) -> Progress:
    lookup = evidence_lookup(checklist, state)
    statuses: dict[str, StepStatus] = {}
    views: list[StepView] = []
    for step in checklist.steps:
        record = state.steps.get(step.id)
        status = record.status if record else step.initial_status
        due = _due(step, lookup, state.profile.business_id)
        if status == "todo" and due is not None:
            status = "waiting"
        statuses[step.id] = status
        # overdue is Amazon's silence: a step set blocked (a rejection) or done is past waiting
        overdue = due is not None and today > due and status in ("waiting", "in_progress")
        waiting_on = tuple(d for d in step.depends_on if statuses[d] not in FINISHED)
        evidence = dict(record.evidence) if record else {}
        action, commands = _what_to_do(checklist, step, status, evidence, due, overdue, lookup)
        views.append(
            StepView(
                step=step,
                status=status,
                evidence=evidence,
                due=due,
                overdue=overdue,
                waiting_on=waiting_on,
                resubmissions=record.resubmissions if record else 0,
                action=action,
                commands=commands,
            )
        )
    return Progress(today, tuple(views), _next(views))


def _due(step: Step, lookup: Mapping[str, str], business_id: str) -> date | None:
    if step.due is None or step.due.after not in lookup:
        return None
    try:
        start = date.fromisoformat(lookup[step.due.after])
    except ValueError:  # a hand-edited state file; 'onboard step' never records such a date
        return None
    return calendar_for_business(business_id).add(start, step.due.business_days)


def _record_command(checklist: Checklist, step: Step, evidence: Mapping[str, str]) -> str:
    """``onboard step ID --status done --evidence KEY=…`` with the evidence "done" still needs."""
    parts = ["onboard step", step.id, "--status done"]
    for field in step.evidence:
        if not field.required:
            continue
        if field.done_value is not None:
            if evidence.get(field.key) != field.done_value:
                parts.append(f"--evidence {field.key}={field.done_value}")
        elif field.key not in evidence:
            kind = checklist.kind_of(field)
            parts.append(f"--evidence {field.key}={kind.placeholder if kind else '|'.join(field.choices)}")
    return " ".join(parts)


def _what_to_do(
    checklist: Checklist,
    step: Step,
    status: StepStatus,
    evidence: Mapping[str, str],
    due: date | None,
    overdue: bool,
    lookup: Mapping[str, str],
) -> tuple[str, tuple[str, ...]]:
    if status in FINISHED:
        return "", ()
    message = (f"onboard message {step.id}",) if step.message else ()
    for field in step.evidence:
        then = field.then.get(evidence.get(field.key, ""))
        if then:
            return then, ()
    record = _record_command(checklist, step, evidence)
    if overdue and due is not None:
        text = step.overdue or "No answer yet: follow up on your RIVER case."
        return f"Expected by {due:%a %Y-%m-%d}. {fill(text, lookup)}", (*message, record)
    if status == "waiting" and due is not None:
        return f"{step.action} Expected by {due:%a %Y-%m-%d}.", (record,)
    return step.action, (*message, record)


def _next(views: list[StepView]) -> StepView | None:
    left = [view for view in views if not view.finished]
    overdue = next((view for view in left if view.overdue), None)
    actionable = next(
        (
            view
            for view in left
            if view.status in ("in_progress", "blocked") or (view.status == "todo" and not view.waiting_on)
        ),
        None,
    )
    waiting = next((view for view in left if view.status == "waiting"), None)
    return overdue or actionable or waiting or (left[0] if left else None)
