"""The journey: every phase and step with its status, the overall progress, and the selected step's card.

Each change (status, a piece of evidence, a note) goes through ``OnboardApp.record`` at once: the same
checks, audit entries and lock as ``onboard step``. Evidence typed but not yet valid is kept as a draft
in the UI state, so leaving (or a crash) loses nothing typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static, Tree

from onboard.errors import OnboardError
from onboard.tui.session import keepable
from onboard.tui.widgets.base import FormInput, KeysStepAside, in_a_field, onboard_app, one_line, tone
from onboard.tui.widgets.section_bar import SectionBar
from onboard.tui.widgets.step_detail import StepDetail
from onboard.tui.widgets.step_tree import StepTree

if TYPE_CHECKING:
    from onboard.tui.outline import Outline
    from onboard.tui.widgets.evidence import EvidenceInput
    from onboard.workspace.state import StepStatus


class JourneyScreen(KeysStepAside, Screen[None]):
    TITLE = "Journey"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "focus_evidence", "Evidence"),
        Binding("s", "focus_status", "Status"),
        Binding("n", "focus_note", "Note"),
        Binding("m", "message", "Message"),
        Binding("escape", "focus_tree", "Steps"),
    ]

    def __init__(self) -> None:
        super().__init__()
        #: ``state_version`` values made by this screen's own changes (the rest come from elsewhere)
        self._own_versions: set[int] = set()
        #: the step shown first (the one last looked at, else the next to do)
        self._first = ""

    def compose(self) -> ComposeResult:
        app = onboard_app(self)
        # drawn from the outline: kept from the last start, or made from the files when there was none (the
        # files are loaded right after this frame either way, and the journey drawn again from them)
        outline = app.first_outline()
        # the step's card (a status menu, evidence inputs, notes: the most widgets of the screen) is built
        # once the first frame is drawn; the tree and the header come first
        detail = StepDetail(id="detail")
        self._first = self._start(outline)
        # and so is everything the first frame shows: each update after mounting would lay the screen out again
        tree = StepTree(outline, id="steps")
        label, upcoming = self._overall(outline)
        bar = ProgressBar(total=len(outline.steps), show_eta=False, id="overall-bar")
        bar.progress = outline.done or 0
        yield SectionBar("journey")
        with Horizontal(id="overall"):
            yield Static(label, id="overall-label")
            yield bar
            yield Static(upcoming, id="overall-next")
        with Horizontal(id="journey"):
            yield tree
            yield detail

    def on_mount(self) -> None:
        app = onboard_app(self)
        self.watch(app, "state_version", self._state_changed, init=False)
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        tree = self.query_one(StepTree)
        app.remember(step=self._first)
        tree.focus()
        app.after_first_frame(self._first_card)

    async def _first_card(self) -> None:
        if not self.is_attached:
            return  # quit (Ctrl+Q) as the first frame was drawn: the screen is gone before its card
        await self.mount(Footer(compact=True))
        self.refresh_bindings()  # a footer shows the keys once told of them
        await self._show(self._first)
        self.query_one(StepTree).select_step(self._first)

    def _start(self, outline: Outline) -> str:
        """The step shown first: the one last looked at, else the next to do, else the first."""
        app = onboard_app(self)
        if app.ui.step in {line.id for line in outline.steps}:
            return app.ui.step
        return outline.next_id or outline.steps[0].id

    def _theme_changed(self, _theme: object) -> None:
        self.redraw_overall()
        self.query_one(StepDetail).recolour()

    # --- drawing -------------------------------------------------------------------------------------

    def redraw_overall(self) -> None:
        """The tree and the header again, from the loaded files (after a change, a theme, the first frame)."""
        outline = onboard_app(self).outline()
        self.query_one(StepTree).show(outline)
        label, upcoming = self._overall(outline)
        self.query_one("#overall-label", Static).update(label)
        self.query_one("#overall-next", Static).update(upcoming)
        if outline.done is not None:
            self.query_one(ProgressBar).update(total=len(outline.steps), progress=outline.done)

    def _overall(self, outline: Outline) -> tuple[Text, Text]:
        """The header's two texts: how many steps are done, and what is next (or overdue)."""
        if outline.done is None:
            return Text("No workspace yet"), Text()
        label = Text.assemble((f"{outline.done}/{len(outline.steps)}", "bold"), " steps done ")
        text = Text()
        if outline.overdue:
            text.append(f"{outline.overdue} overdue  ", style=tone(self, "blocked", bold=True))
        if outline.next_title is None:
            text.append("Every step is done.", style=tone(self, "done", bold=True))
        else:
            text.append("Next: ", style="bold")
            text.append(outline.next_title)
        return label, text

    async def _show(self, step_id: str) -> None:
        app = onboard_app(self)
        detail = self.query_one(StepDetail)
        where = app.progress() if app.workspace else None
        state = app.workspace.state if app.workspace else None
        await detail.show(step_id, where, state, app.ui.drafts)
        app.remember(step=step_id)

    def _state_changed(self, version: int) -> None:
        app = onboard_app(self)
        self.redraw_overall()
        detail = self.query_one(StepDetail)
        if app.workspace is None or detail.step is None:
            return
        own = version in self._own_versions
        self._own_versions.discard(version)
        if not own and (self.focused is None or detail not in self.focused.ancestors_with_self):
            # another process changed the workspace and nothing is being typed here: show it afresh
            self.call_later(self._show, detail.step.id)
        else:
            # our own change, or one made elsewhere while typing here: the inputs (and focus) stay
            detail.update_view(app.progress(), app.workspace.state)

    def _record(
        self,
        step_id: str,
        *,
        status: StepStatus | None = None,
        evidence: dict[str, str] | None = None,
        note: str | None = None,
    ) -> str | None:
        """Record a change; ``None`` when saved, else the one-line reason it was refused."""
        from onboard.checklist.record import Change  # noqa: PLC0415 - loaded with the files after the first frame

        app = onboard_app(self)
        expected = app.state_version + 1  # the version this change makes, if it makes one
        self._own_versions.add(expected)
        try:
            applied = app.record(step_id, Change(status=status, evidence=evidence or {}, note=note))
        except (OnboardError, OSError) as error:
            self._own_versions.discard(expected)
            return one_line(error)
        for warning in applied.warnings:
            self.notify(warning, title="Recorded anyway", severity="warning")
        return None

    # --- events --------------------------------------------------------------------------------------

    @on(Tree.NodeHighlighted, "#steps")
    async def _highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        data = event.node.data
        detail = self.query_one(StepDetail)
        if data and not data.startswith("phase:") and (detail.step is None or detail.step.id != data):
            await self._show(data)

    @on(Tree.NodeSelected, "#steps")
    def _selected(self, event: Tree.NodeSelected[str]) -> None:
        data = event.node.data
        if data and not data.startswith("phase:"):
            self.action_focus_evidence()

    def on_evidence_input_commit(self, event: EvidenceInput.Commit) -> None:
        app = onboard_app(self)
        field = event.field
        problem = self._record(field.step.id, evidence={field.key: event.value})
        if problem:
            field.refused(problem)
            return
        field.accepted(event.value)
        if app.ui.drafts.pop(f"{field.step.id}.{field.key}", None) is not None:
            app.remember(drafts=app.ui.drafts)

    def on_evidence_input_draft(self, event: EvidenceInput.Draft) -> None:
        app = onboard_app(self)
        key = f"{event.field.step.id}.{event.field.key}"
        if event.value.strip() == event.field.recorded or not keepable(event.value):
            app.ui.drafts.pop(key, None)
        else:
            app.ui.drafts[key] = event.value
        app.remember(drafts=app.ui.drafts)

    @on(StepDetail.StatusChosen)
    def _status(self, event: StepDetail.StatusChosen) -> None:
        detail = self.query_one(StepDetail)
        problem = self._record(event.step_id, status=event.status)
        if problem:
            detail.say(problem, "failed")
            detail.reset_status()
        else:
            detail.say("recorded ✓", "done")

    @on(StepDetail.NoteAdded)
    def _note(self, event: StepDetail.NoteAdded) -> None:
        detail = self.query_one(StepDetail)
        problem = self._record(event.step_id, note=event.text)
        if problem:
            detail.say(problem, "failed")
        else:
            detail.query_one("#note", FormInput).value = ""

    # --- actions -------------------------------------------------------------------------------------

    def arrive(self) -> None:
        """Back on the journey by its key or the palette: on the steps, not in the field left half-typed (its
        draft is kept), so the next digit switches section again rather than typing into it."""
        if in_a_field(self):
            self.query_one(StepTree).focus()

    def select_step(self, step_id: str) -> None:
        self.query_one(StepTree).select_step(step_id)

    def action_focus_tree(self) -> None:
        self.query_one(StepTree).focus()

    def action_focus_evidence(self) -> None:
        target = self.query_one(StepDetail).first_field()
        if target is not None:
            target.focus()
            self.query_one(StepDetail).scroll_to_widget(target, animate=False)

    def action_focus_status(self) -> None:
        detail = self.query_one(StepDetail)
        if detail.step is not None:
            status = detail.query_one("#status")
            status.focus()
            detail.scroll_to_widget(status, animate=False)

    def action_focus_note(self) -> None:
        detail = self.query_one(StepDetail)
        if detail.step is not None:
            note = detail.query_one("#note")
            note.focus()
            detail.scroll_to_widget(note, animate=False)

    def action_message(self) -> None:
        app = onboard_app(self)
        detail = self.query_one(StepDetail)
        if app.workspace is None or detail.step is None:
            return
        if detail.step.message is None:
            self.notify("This step has no RIVER message to send.", severity="warning")
            return
        self._write_message(detail.step.id, detail.step.title)

    @work(thread=True, exclusive=True, exit_on_error=False, group="message")
    def _write_message(self, step_id: str, title: str) -> None:
        # a thread: the pack-sent message reviews the latest pack (every file of the zip hashed) first
        from onboard.checklist.messages import render_message  # noqa: PLC0415 - jinja2 only when drafting

        app = onboard_app(self)
        workspace = app.workspace
        if workspace is None:
            return
        try:
            text = render_message(app.checklist, workspace.state, step_id, app.clock.today(), workspace.path)
        except OnboardError as error:
            app.call_from_thread(self.notify, error.one_line(), title="No message yet", severity="error")
            return
        app.call_from_thread(self._show_message, title, text)

    def _show_message(self, title: str, text: str) -> None:
        from onboard.tui.screens.message import MessageScreen  # noqa: PLC0415

        onboard_app(self).push_screen(MessageScreen(title, text))
