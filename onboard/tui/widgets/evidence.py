"""One piece of evidence: its input, checked as you type, recorded when you press Enter or leave it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Select, Static

from onboard.checklist.record import check_value
from onboard.checklist.schema import Checklist, EvidenceField, Step
from onboard.display import shown
from onboard.errors import OnboardError
from onboard.tui.widgets.base import FormInput, tone


class EvidenceValidator(Validator):
    """The very check ``onboard step --evidence`` makes, so the form refuses exactly what the CLI refuses."""

    def __init__(self, checklist: Checklist, step: Step, key: str) -> None:
        super().__init__()
        self.checklist, self.step, self.key = checklist, step, key

    def validate(self, value: str) -> ValidationResult:
        try:
            check_value(self.checklist, self.step, self.key, value.strip())
        except OnboardError as error:
            return self.failure(error.one_line())
        return self.success()


class EvidenceInput(Vertical):
    """Label, input (or a choice) and one line saying what is wrong or that the value was recorded."""

    class Commit(Message):
        """The user finished a value (Enter, leaving the field, or a choice): record it."""

        def __init__(self, field: EvidenceInput, value: str) -> None:
            super().__init__()
            self.field = field
            self.value = value

    class Draft(Message):
        """What is typed so far, kept by the app until it is recorded."""

        def __init__(self, field: EvidenceInput, value: str) -> None:
            super().__init__()
            self.field = field
            self.value = value

    def __init__(
        self, checklist: Checklist, step: Step, field: EvidenceField, recorded: str, draft: str | None
    ) -> None:
        super().__init__(classes="evidence")
        self.checklist = checklist
        self.step = step
        self.field = field
        self.recorded = recorded
        self.draft = draft
        self.kind = checklist.kind_of(field)

    @property
    def key(self) -> str:
        return self.field.key

    @property
    def as_shown(self) -> str:
        """The recorded value as the input shows it: a hand-edited one may hold a control character or a
        secret, drawn escaped and masked; leaving it as shown changes nothing."""
        return shown(self.recorded, None)

    def compose(self) -> ComposeResult:
        label = Text(self.field.label[:1].upper() + self.field.label[1:])
        if self.field.required:
            label.append(" · needed for done", style="dim")
        yield Label(label, classes="evidence-label")
        if self.kind is not None:
            yield FormInput(
                value=shown(self.draft, None) if self.draft is not None else self.as_shown,
                placeholder=self.kind.placeholder,
                validators=[EvidenceValidator(self.checklist, self.step, self.key)],
                validate_on=["changed", "submitted", "blur"],
                valid_empty=True,
                compact=True,
                id=f"evidence-{self.key}",
            )
        else:
            yield Select(
                [(choice, choice) for choice in self.field.choices],
                # a hand-edited value that is not a choice shows as not recorded rather than failing
                value=self.recorded if self.recorded in self.field.choices else Select.NULL,
                allow_blank=True,
                prompt="not recorded",
                compact=True,
                id=f"evidence-{self.key}",
            )
        yield Static("", classes="evidence-note")

    def on_mount(self) -> None:
        if self.draft is not None and self.kind is not None:
            self.query_one(Input).validate(self.draft)
            self._say(self._problem(self.draft) or "not recorded yet: press Enter to record", "waiting")

    def _problem(self, value: str) -> str | None:
        try:
            check_value(self.checklist, self.step, self.key, value.strip())
        except OnboardError as error:
            return error.one_line()
        return None

    def _say(self, text: str, status: str) -> None:
        note = self.query_one(".evidence-note", Static)
        note.update(Text(text, style=tone(self, status)) if text else "")
        note.display = bool(text)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        value = event.value.strip()
        if value in (self.recorded, self.as_shown):
            self._say("", "todo")
        else:
            problem = self._problem(value)
            self._say(problem or "", "failed")
        self.post_message(self.Draft(self, event.value))

    @on(Input.Submitted)
    @on(Input.Blurred)
    def _finished(self, event: Input.Submitted | Input.Blurred) -> None:
        event.stop()
        self.commit()

    def commit(self) -> None:
        if self.kind is None:
            return
        value = self.query_one(Input).value.strip()
        if value in (self.recorded, self.as_shown):
            return
        problem = self._problem(value)
        if problem:
            self._say(problem, "failed")
            return
        self.post_message(self.Commit(self, value))

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        event.stop()
        value = "" if event.value is Select.NULL else str(event.value)
        if value != self.recorded:
            self.post_message(self.Commit(self, value))

    def accepted(self, value: str) -> None:
        self.recorded = value
        self._say("recorded ✓" if value else "removed ✓", "done")

    def refused(self, message: str) -> None:
        self._say(message, "failed")
        if self.kind is None:
            select: Select[str] = self.query_one(Select)
            with self.prevent(Select.Changed):
                select.value = self.recorded if self.recorded in self.field.choices else Select.NULL
