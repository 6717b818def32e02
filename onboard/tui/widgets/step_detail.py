"""The selected step: where it stands, what to do (its guidance), its evidence, status and notes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from onboard.checklist.wording import ICONS, day, moment
from onboard.display import shown
from onboard.tui.widgets.base import FormInput, onboard_app, tone
from onboard.tui.widgets.guidance import render_guidance

if TYPE_CHECKING:
    from onboard.checklist.progress import Progress, StepView
    from onboard.checklist.schema import Checklist, Step
    from onboard.workspace.state import StepStatus, WorkspaceState

STATUSES: tuple[StepStatus, ...] = ("todo", "in_progress", "waiting", "done", "blocked", "skipped")
STATUS_WORDS = {
    "todo": "to do",
    "in_progress": "in progress",
    "waiting": "waiting",
    "done": "done",
    "blocked": "blocked",
    "skipped": "skipped",
}
#: where in the TUI a step that onboard checks itself is checked
TOOLS = {
    "creds verify": "Credentials (2) → Verify",
    "certify": "Certification (3) → Run",
    "pack": "Sign-off (4) → Build",
}
HISTORY_SHOWN = 6


class StepDetail(VerticalScroll):
    """Shows one step; rebuilt when another is selected, updated in place after each change."""

    class StatusChosen(Message):
        def __init__(self, step_id: str, status: StepStatus) -> None:
            super().__init__()
            self.step_id = step_id
            self.status = status

    class NoteAdded(Message):
        def __init__(self, step_id: str, text: str) -> None:
            super().__init__()
            self.step_id = step_id
            self.text = text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.step: Step | None = None
        self.view: StepView | None = None
        self.state: WorkspaceState | None = None
        self.drafts: dict[str, str] = {}

    @property
    def checklist(self) -> Checklist:
        # the app's, read when a step is first shown: the first frame draws this card empty, before the
        # checklist is loaded (onboard.tui.outline)
        return onboard_app(self).checklist

    # --- building ------------------------------------------------------------------------------------

    def choose(
        self, step_id: str, where: Progress | None, state: WorkspaceState | None, drafts: dict[str, str]
    ) -> None:
        """The step to build at the next compose (``show`` when mounted)."""
        self.step = self.checklist.by_id[step_id]
        self.view = where.view(step_id) if where else None
        self.state = state
        self.drafts = drafts

    async def show(
        self, step_id: str, where: Progress | None, state: WorkspaceState | None, drafts: dict[str, str]
    ) -> None:
        self.choose(step_id, where, state, drafts)
        await self.recompose()
        self._fill()
        self.scroll_home(animate=False)

    def compose(self) -> ComposeResult:
        step = self.step
        if step is None:
            return  # for a moment, while the screen draws its first frame
        yield Static(id="step-title")
        yield Static(id="step-meta")
        with Horizontal(id="status-row"):
            yield Label("Status ", id="status-label")
            yield Select(
                [(f"{ICONS[s]} {STATUS_WORDS[s]}", s) for s in STATUSES],
                value=self.view.status if self.view else step.initial_status,
                allow_blank=False,
                compact=True,
                id="status",
                disabled=self.view is None,
            )
        yield Static("", id="status-note")
        yield Static(id="step-now")
        yield Static(render_guidance(step.guidance), id="guidance")
        yield Static(Text.assemble(("Done when: ", "bold"), step.done_when), id="done-when")
        if step.evidence:
            from onboard.tui.widgets.evidence import EvidenceInput  # noqa: PLC0415 - with the checklist's models

            yield Label("Evidence", classes="section")
            recorded = self.view.evidence if self.view else {}
            for field in step.evidence:
                yield EvidenceInput(
                    self.checklist,
                    step,
                    field,
                    recorded.get(field.key, ""),
                    self.drafts.get(f"{step.id}.{field.key}"),
                )
        if step.verified_by:
            tool = TOOLS.get(step.verified_by, f"onboard {step.verified_by}")
            yield Static(
                Text.assemble(("Checked by onboard: ", "bold"), tool, " — until it records the result, set it here."),
                id="verified-by",
            )
        yield Label("Notes", classes="section")
        yield Static(id="notes")
        yield FormInput(placeholder="Add a note for the audit trail, then Enter", compact=True, id="note")
        yield Static(id="history")

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        step, view = self.step, self.view
        if step is None:
            return
        phase = next(p.title for p in self.checklist.phases if p.id == step.phase)
        self.query_one("#step-title", Static).update(Text.assemble((step.title, "bold"), ("  " + step.id, "dim")))
        meta = Text(phase, style="dim")
        record = self.state.steps.get(step.id) if self.state else None
        if view is not None:
            meta.append("  ·  ")
            meta.append(f"{ICONS[view.status]} {STATUS_WORDS[view.status]}", style=tone(self, view.status, bold=True))
            if record and record.status_changed:
                meta.append(f" since {moment(record.status_changed)}", style="dim")
            if view.due:
                meta.append("\n")
                if view.overdue:
                    meta.append(f"OVERDUE: expected by {day(view.due)}", style=tone(self, "blocked", bold=True))
                else:
                    meta.append(f"Expected by {day(view.due)}", style=tone(self, "waiting"))
            if view.resubmissions:
                meta.append(f"\nResubmitted {view.resubmissions}×", style="dim")
        if step.depends_on:
            meta.append("\nAfter: ", style="bold")
            meta.append(", ".join(step.depends_on))
            if view is not None and view.waiting_on:
                meta.append(f" (not done yet: {', '.join(view.waiting_on)})", style=tone(self, "waiting"))
        unlocks = [s.id for s in self.checklist.steps if step.id in s.depends_on]
        if unlocks:
            meta.append("\nUnlocks: ", style="bold")
            meta.append(", ".join(unlocks))
        self.query_one("#step-meta", Static).update(meta)

        now = self.query_one("#step-now", Static)
        if view is not None and not view.finished and view.action:
            text = Text.assemble(("Now: ", "bold"), view.action)
            if step.message:
                text.append("\nPress m for the ready-to-send RIVER message.", style="dim")
            now.update(text)
            now.display = True
        else:
            now.display = False

        notes = record.notes if record else []
        notes_widget = self.query_one("#notes", Static)
        notes_widget.update(
            Text("\n").join(Text.assemble((f"{moment(n.at)}  ", "dim"), shown(n.text, None)) for n in notes)
            if notes
            else Text("No notes yet.", style="dim")
        )
        history = [entry for entry in self.state.audit if entry.step == step.id] if self.state else []
        history_widget = self.query_one("#history", Static)
        if history:
            lines = Text("History", style="bold")
            for entry in history[-HISTORY_SHOWN:]:
                what = entry.new if entry.field == "note" else f"{entry.old or '—'} → {entry.new or '—'}"
                lines.append(f"\n{moment(entry.at)}  ", style="dim")
                lines.append(shown(f"{entry.field}: {what}", None))  # hand-edited files hold anything
                lines.append(f"  ({shown(entry.via, 40)})", style="dim")
            if len(history) > HISTORY_SHOWN:
                lines.append(f"\n… and {len(history) - HISTORY_SHOWN} earlier", style="dim")
            history_widget.update(lines)
            history_widget.display = True
        else:
            history_widget.display = False

    def recolour(self) -> None:
        """The theme changed: draw the summary again in its colours."""
        if self.step is not None and self.is_mounted:
            self._fill()

    def update_view(self, where: Progress, state: WorkspaceState) -> None:
        """After a change: the summary, status and notes again; the inputs (and their focus) stay."""
        if self.step is None:
            return
        self.view = where.view(self.step.id)
        self.state = state
        select: Select[str] = self.query_one("#status", Select)
        with self.prevent(Select.Changed):
            select.disabled = False
            select.value = self.view.status
        from onboard.tui.widgets.evidence import EvidenceInput  # noqa: PLC0415

        for field in self.query(EvidenceInput):
            field.recorded = self.view.evidence.get(field.key, "")
        self._fill()

    # --- what the user does --------------------------------------------------------------------------

    def say(self, text: str, status: str) -> None:
        note = self.query_one("#status-note", Static)
        note.update(Text(text, style=tone(self, status)) if text else "")
        note.set_class(bool(text), "-shown")

    def reset_status(self) -> None:
        if self.view is None:
            return
        select: Select[str] = self.query_one("#status", Select)
        with self.prevent(Select.Changed):
            select.value = self.view.status

    @on(Select.Changed, "#status")
    def _status(self, event: Select.Changed) -> None:
        event.stop()
        if self.step is None or self.view is None or event.value is Select.NULL or event.value == self.view.status:
            return
        status = next(s for s in STATUSES if s == event.value)
        self.post_message(self.StatusChosen(self.step.id, status))

    @on(Input.Submitted, "#note")
    def _note(self, event: Input.Submitted) -> None:
        event.stop()
        if self.step is not None and event.value.strip():
            self.post_message(self.NoteAdded(self.step.id, event.value))

    def first_field(self) -> Widget | None:
        from onboard.tui.widgets.evidence import EvidenceInput  # noqa: PLC0415

        fields = list(self.query(EvidenceInput))
        if fields:
            return fields[0].query_one("#evidence-" + fields[0].key)
        return self.query_one("#status") if self.step else None
