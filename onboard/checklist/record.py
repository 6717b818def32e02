"""Recording a change to a step: check all of it first, then apply it to the state with its audit entries.

``apply_change`` is what ``onboard step`` calls, and what the commands that verify a step themselves
(``creds verify``, later ``certify`` and ``pack``) call with their own ``via``. It raises
``UsageError`` before touching the state when anything is wrong, so a refused change leaves nothing
half-applied; the caller saves the state only when it returns.
"""

from __future__ import annotations

import dataclasses
import difflib
import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote_plus

from onboard import masking
from onboard.checklist.schema import Checklist, EvidenceField, Step
from onboard.errors import UsageError
from onboard.workspace.state import AuditEntry, Note, StepRecord, StepStatus, WorkspaceState

#: what LWA client secrets and tokens start with: such a value belongs in 'onboard creds set', never here
SECRET_MARKERS = ("amzn1.oa2-cs.", "Atzr|", "Atza|")
_MARKERS = tuple(marker.casefold() for marker in SECRET_MARKERS)
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
#: what can sit between a secret's letters unseen (zero-width spaces and joiners, soft hyphens, bidi marks)
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")

#: statuses that say work on a step has begun, and so are worth a warning when it is out of order
_STARTED: frozenset[StepStatus] = frozenset({"in_progress", "waiting", "done"})


@dataclass(frozen=True, slots=True)
class Change:
    status: StepStatus | None = None
    #: key → value; an empty value removes what was recorded
    evidence: Mapping[str, str] = dataclasses.field(default_factory=dict)
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Applied:
    entries: tuple[AuditEntry, ...]
    warnings: tuple[str, ...]


def find_step(checklist: Checklist, step_id: str) -> Step:
    step = checklist.by_id.get(step_id)
    if step is None:
        close = difflib.get_close_matches(step_id, list(checklist.by_id), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise UsageError(f"there is no step '{step_id}'", f"{hint}'onboard status' lists the steps")
    return step


def parse_evidence(items: list[str]) -> dict[str, str]:
    """``["key=value", …]`` from the command line; the last value of a key given twice wins."""
    parsed: dict[str, str] = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise UsageError(f"--evidence '{item}' is not KEY=VALUE", "e.g. --evidence sent_on=2026-06-01")
        parsed[key.strip()] = value.strip()
    return parsed


def _readings(value: str) -> set[str]:
    """``value`` as a person may have pasted it: URL-encoded (twice), JSON- or HTML-escaped, in fullwidth
    or other compatibility forms, with zero-width characters between its letters."""
    found = {value}
    text = value
    for _ in range(3):
        text = unquote_plus(text)
        found.add(text)
    for text in list(found):
        found.add(html.unescape(text))
        found.add(_JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))
    for text in list(found):
        found.add(_INVISIBLE.sub("", unicodedata.normalize("NFKC", text)))
    return found


def looks_like_secret(value: str) -> bool:
    """Whether ``value`` holds an LWA secret or token: one of their prefixes in any letter case and
    encoding (``atzr|``, ``Atzr%7C``, ``Atzr\\u007c``), or a secret this process knows, such as the stored
    credentials' own values (:mod:`onboard.masking`)."""
    if masking.holds_secret(value):
        return True
    readings = {text.casefold() for text in _readings(value)}
    return any(marker in text for marker in _MARKERS for text in readings) or any(
        masking.holds_secret(text) for text in readings
    )


def _refuse_secret(what: str, value: str) -> None:
    if looks_like_secret(value):
        raise UsageError(
            f"{what} looks like an LWA secret or token, and the workspace never keeps one",
            "store credentials with 'onboard creds set'",
        )


def _describe(checklist: Checklist, field: EvidenceField) -> str:
    kind = checklist.kind_of(field)
    return kind.form if kind else f"one of {', '.join(field.choices)}"


def check_value(checklist: Checklist, step: Step, key: str, value: str) -> None:
    """Refuse, in one line naming the field and the form expected, a value ``step`` cannot record."""
    field = step.field(key)
    if field is None:
        takes = ", ".join(f.key for f in step.evidence) or "no evidence"
        raise UsageError(f"step {step.id} has no evidence '{key}'", f"it takes {takes}")
    if value == "":
        return
    _refuse_secret(f"evidence {key}", value)
    kind = checklist.kind_of(field)
    if kind is not None:
        problem = kind.problem(value)
        if problem:
            raise UsageError(f"evidence {key}: '{value}' is not {kind.label}", problem)
    elif value not in field.choices:
        raise UsageError(f"evidence {key}: '{value}' is not accepted", f"expected {_describe(checklist, field)}")


def _check_done(checklist: Checklist, step: Step, evidence: Mapping[str, str]) -> None:
    for field in step.evidence:
        if not field.required:
            continue
        value = evidence.get(field.key)
        if value is None:
            example = f"={field.done_value}" if field.done_value else f"=…, {_describe(checklist, field)}"
            raise UsageError(
                f"step {step.id} cannot be done without {field.label} ({field.key})",
                f"add --evidence {field.key}{example}",
            )
        if field.done_value is not None and value != field.done_value:
            raise UsageError(
                f"step {step.id} cannot be done while {field.key} is '{value}'",
                f"done needs {field.key}={field.done_value}",
            )


class _Trail:
    """Collects the audit entries of one change, all stamped with the same time and origin."""

    def __init__(self, now: datetime, via: str) -> None:
        self.now, self.via = now, via
        self.entries: list[AuditEntry] = []

    def add(self, step: str, name: str, old: object, new: object) -> None:
        if old != new:
            self.entries.append(
                AuditEntry(
                    at=self.now,
                    step=step,
                    field=name,
                    old=None if old is None else str(old),
                    new=None if new is None else str(new),
                    via=self.via,
                )
            )


def apply_change(
    checklist: Checklist,
    state: WorkspaceState,
    step_id: str,
    change: Change,
    now: datetime,
    via: str = "onboard step",
) -> Applied:
    step = find_step(checklist, step_id)
    for key, value in change.evidence.items():
        check_value(checklist, step, key, value)
    note = change.note.strip() if change.note is not None else None
    if note is not None:
        if not note:
            raise UsageError("the note is empty")
        _refuse_secret("the note", note)

    record = state.steps.get(step.id) or StepRecord(status=step.initial_status)
    evidence = {**record.evidence, **{k: v for k, v in change.evidence.items() if v}}
    for key in [k for k, v in change.evidence.items() if not v]:
        evidence.pop(key, None)
    status = change.status or record.status
    if status == "done" and (change.status == "done" or change.evidence):
        _check_done(checklist, step, evidence)

    warnings: list[str] = []
    if change.status in _STARTED and change.status != record.status:
        unmet = [d for d in step.depends_on if _status(checklist, state, d) not in ("done", "skipped")]
        if unmet:
            warnings.append(f"{step.id} normally comes after {', '.join(unmet)}, not done yet; recorded anyway")

    trail = _Trail(now, via)
    resubmitted = _resubmission(checklist, state, step, record, evidence, trail)
    resubmissions = record.resubmissions + resubmitted
    trail.add(step.id, "status", record.status, status)
    for key in sorted(set(record.evidence) | set(evidence)):
        trail.add(step.id, f"evidence.{key}", record.evidence.get(key), evidence.get(key))
    trail.add(step.id, "resubmissions", record.resubmissions, resubmissions)
    if note is not None:
        trail.add(step.id, "note", None, note)
    if not trail.entries:
        return Applied((), tuple(warnings))

    state.steps[step.id] = record.model_copy(
        update={
            "status": status,
            "evidence": evidence,
            "notes": [*record.notes, Note(at=now, text=note)] if note else record.notes,
            "changed": now,
            "status_changed": now if status != record.status else record.status_changed,
            "resubmissions": resubmissions,
        }
    )
    state.audit.extend(trail.entries)
    return Applied(tuple(trail.entries), tuple(warnings))


def _status(checklist: Checklist, state: WorkspaceState, step_id: str) -> StepStatus:
    record = state.steps.get(step_id)
    return record.status if record else checklist.by_id[step_id].initial_status


def _resubmission(
    checklist: Checklist,
    state: WorkspaceState,
    step: Step,
    record: StepRecord,
    evidence: Mapping[str, str],
    trail: _Trail,
) -> bool:
    """Whether this change submits ``step`` again; if so, the step that reviews it is reopened."""
    rule = step.resubmit
    if rule is None:
        return False
    old, new = record.evidence.get(rule.when_changed), evidence.get(rule.when_changed)
    reviewed = state.steps.get(rule.reopen)
    if not old or not new or old == new or reviewed is None:
        return False
    if any(reviewed.evidence.get(key) != value for key, value in rule.if_recorded.items()):
        return False  # no verdict on the previous submission yet: a corrected date, not a new submission
    kept = {k: v for k, v in reviewed.evidence.items() if k not in rule.clears}
    reopened_status: StepStatus = checklist.by_id[rule.reopen].initial_status
    for key in sorted(set(reviewed.evidence) - set(kept)):
        trail.add(rule.reopen, f"evidence.{key}", reviewed.evidence[key], None)
    trail.add(rule.reopen, "status", reviewed.status, reopened_status)
    state.steps[rule.reopen] = reviewed.model_copy(
        update={
            "status": reopened_status,
            "evidence": kept,
            "changed": trail.now,
            "status_changed": trail.now if reopened_status != reviewed.status else reviewed.status_changed,
        }
    )
    return True
