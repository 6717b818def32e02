"""The shape of ``checks/onboarding.toml``, validated whole at load so a mistake there is one clear error.

Besides each field's own type, :class:`Checklist` checks what ties the file together: ids are unique,
phases, dependencies and evidence references point at something that exists, dependencies come
earlier in the list (so there is no cycle), and every pattern compiles.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import cached_property
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from onboard.workspace.state import StepStatus

StepId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
#: ``step-id.key``: a piece of evidence recorded on any step
Ref = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*\.[a-z][a-z0-9_]*$")]

_REF_IN_TEXT = re.compile(r"\{([a-z][a-z0-9-]*\.[a-z][a-z0-9_]*)\}")


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Kind(_Data):
    """A form of evidence: the whole value must match ``pattern``."""

    label: str
    pattern: str
    form: str
    placeholder: str
    #: a date: also checked to be a real day, and usable to count business days from
    calendar: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"'{value}' is not a regular expression: {exc}") from None
        return value

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)

    def problem(self, value: str) -> str | None:
        """Why ``value`` is not of this kind, or ``None`` when it is."""
        if not self.regex.fullmatch(value):
            return f"expected {self.form}"
        if self.calendar:
            try:
                date.fromisoformat(value)
            except ValueError:
                return f"'{value}' is not a day in the calendar: expected {self.form}"
        return None


class EvidenceField(_Data):
    key: Key
    label: str
    kind: str | None = None
    choices: tuple[str, ...] = ()
    #: needed before the step can be marked done
    required: bool = False
    #: with ``choices``: the value "done" needs (a review is done when approved, not when rejected)
    done_value: str | None = None
    #: with ``choices``: what to do once a value is recorded, by value
    then: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _kind_or_choices(self) -> Self:
        if (self.kind is None) == (not self.choices):
            raise ValueError(f"evidence '{self.key}' needs either a kind or choices, not both or neither")
        for value in [self.done_value, *self.then]:
            if value is not None and value not in self.choices:
                raise ValueError(f"evidence '{self.key}': '{value}' is not one of its choices {list(self.choices)}")
        return self


class Due(_Data):
    """Amazon's answer is expected ``business_days`` after the date recorded as ``after``."""

    after: Ref
    business_days: int = Field(ge=1, le=60)


class Message(_Data):
    template: str = Field(pattern=r"^[a-z0-9-]+\.txt\.j2$")
    #: evidence the message cannot be written without
    needs: tuple[Ref, ...] = ()
    #: evidence the message mentions when it is recorded
    uses: tuple[Ref, ...] = ()
    #: the message is about the workspace's latest sign-off pack (its file, its manifest digest, what to
    #: confirm with Amazon): it is written only for a pack whose review passes
    pack: bool = False

    @model_validator(mode="after")
    def _distinct_names(self) -> Self:
        # the template sees each piece by its key alone, so two with one key would hide each other
        keys = [ref.split(".")[1] for ref in (*self.needs, *self.uses)]
        clash = sorted({k for k in keys if keys.count(k) > 1})
        if clash:
            raise ValueError(f"the message uses two pieces of evidence called {', '.join(clash)}")
        return self


class Resubmit(_Data):
    """A new value of ``when_changed`` after ``reopen`` recorded ``if_recorded`` is a resubmission.

    It is counted, ``reopen`` loses the evidence in ``clears`` and waits again. A new value before such
    a verdict is a correction, not a resubmission.
    """

    when_changed: Key
    reopen: StepId
    if_recorded: dict[Key, str] = Field(min_length=1)
    #: evidence of ``reopen`` that belonged to the previous submission
    clears: tuple[Key, ...] = ()


class Phase(_Data):
    id: StepId
    title: str


class Step(_Data):
    id: StepId
    phase: StepId
    title: str = Field(max_length=70)
    guidance: str
    action: str
    done_when: str
    depends_on: tuple[StepId, ...] = ()
    initial_status: StepStatus = "todo"
    verified_by: str | None = None
    evidence: tuple[EvidenceField, ...] = ()
    due: Due | None = None
    overdue: str | None = None
    message: Message | None = None
    resubmit: Resubmit | None = None

    @field_validator("guidance")
    @classmethod
    def _trim(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _own_fields(self) -> Self:
        keys = [field.key for field in self.evidence]
        if len(set(keys)) != len(keys):
            raise ValueError(f"step '{self.id}' lists an evidence key twice")
        if self.overdue and not self.due:
            raise ValueError(f"step '{self.id}' says what to do when overdue but has no due date")
        if self.resubmit and self.resubmit.when_changed not in keys:
            raise ValueError(f"step '{self.id}': resubmit.when_changed is not one of its evidence keys")
        return self

    def field(self, key: str) -> EvidenceField | None:
        return next((f for f in self.evidence if f.key == key), None)


class Checklist(_Data):
    kinds: dict[str, Kind]
    phases: tuple[Phase, ...] = Field(min_length=1)
    steps: tuple[Step, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        phases = {phase.id for phase in self.phases}
        seen: dict[str, Step] = {}
        for step in self.steps:
            if step.id in seen:
                raise ValueError(f"step id '{step.id}' is used twice")
            if step.phase not in phases:
                raise ValueError(f"step '{step.id}': phase '{step.phase}' is not one of {sorted(phases)}")
            for dependency in step.depends_on:
                if dependency not in seen:
                    raise ValueError(f"step '{step.id}' depends on '{dependency}', not a step listed before it")
            for field in step.evidence:
                if field.kind is not None and field.kind not in self.kinds:
                    raise ValueError(f"step '{step.id}': evidence '{field.key}' has unknown kind '{field.kind}'")
            seen[step.id] = step
        for step in self.steps:
            self._check_refs(step, seen)
        return self

    def _check_refs(self, step: Step, steps: dict[str, Step]) -> None:
        refs = list(_REF_IN_TEXT.findall(step.overdue or ""))
        refs += [ref for field in step.evidence for ref in _REF_IN_TEXT.findall(" ".join(field.then.values()))]
        if step.message:
            refs += [*step.message.needs, *step.message.uses]
        if step.due:
            refs.append(step.due.after)
            due_field = _field_at(step.due.after, steps)
            if due_field is not None and not (due_field.kind and self.kinds[due_field.kind].calendar):
                raise ValueError(f"step '{step.id}': due.after '{step.due.after}' is not a date")
        for ref in refs:
            if _field_at(ref, steps) is None:
                raise ValueError(f"step '{step.id}' refers to '{ref}', which no step records")
        if step.resubmit:
            reopened = steps.get(step.resubmit.reopen)
            if reopened is None:
                raise ValueError(f"step '{step.id}': resubmit.reopen '{step.resubmit.reopen}' is not a step")
            for key in [*step.resubmit.clears, *step.resubmit.if_recorded]:
                if reopened.field(key) is None:
                    raise ValueError(f"step '{step.id}': '{key}' is not evidence of '{reopened.id}'")

    @cached_property
    def by_id(self) -> dict[str, Step]:
        return {step.id: step for step in self.steps}

    def kind_of(self, field: EvidenceField) -> Kind | None:
        return self.kinds[field.kind] if field.kind else None


def _field_at(ref: str, steps: dict[str, Step]) -> EvidenceField | None:
    step_id, _, key = ref.partition(".")
    step = steps.get(step_id)
    return step.field(key) if step else None


def fill(text: str, lookup: Mapping[str, str]) -> str:
    """``text`` with each ``{step.key}`` replaced by its recorded value (left as it is when not recorded)."""
    return _REF_IN_TEXT.sub(lambda m: lookup.get(m.group(1), m.group(0)), text)
