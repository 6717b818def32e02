"""One case of a recorded run: its labels (a preview and their checks) and its calls (request and response
as recorded: personal data, secrets and label bytes already removed by the runner).

The label tab also takes the label to paper for the ``test-label`` step: Print sends the file previewed to
the printer the workspace remembers (``onboard label print --printer`` sets it) through the same flow as
the CLI (:func:`onboard.printing.jobs.print_label`, in a worker thread: the printer is on the network);
Scan takes what a handheld scanner types and, when it carries the label's tracking id by the matching of
``onboard label scan``, records it (:func:`onboard.printing.evidence.record_scan`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from onboard.display import shown
from onboard.printing.jobs import TRACKING_ID
from onboard.tui.runs import CallView, CaseView, LabelView, RunView
from onboard.tui.widgets.base import (
    CASE_ICONS,
    KeysStepAside,
    ReportsWorkerFailures,
    in_a_field,
    onboard_app,
    one_line,
    tone,
)
from onboard.tui.widgets.label_preview import LabelPreview, PaperTest
from onboard.tui.widgets.section_bar import SectionBar

if TYPE_CHECKING:
    from onboard.workspace.state import Printer

#: what Print says when the workspace has no printer yet: the CLI sets one, and the workspace keeps it
NO_PRINTER = "No printer yet: onboard label print FILE --printer HOST[:PORT] sets one"
#: the audit trail's name for a change made here
VIA = "onboard tui"


class CaseScreen(ReportsWorkerFailures, KeysStepAside, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back"),
        Binding("l", "tab('labels')", "Labels"),
        Binding("c", "tab('calls')", "Calls"),
        Binding("z", "zoom", "Zoom label"),
        Binding("p", "print_label", "Print"),
        Binding("s", "scan", "Scan"),
        Binding("right_square_bracket", "turn(1)", "Next label", show=False),
        Binding("left_square_bracket", "turn(-1)", "Previous label", show=False),
    ]

    def __init__(self, run: RunView, case_id: str) -> None:
        super().__init__()
        case = run.case(case_id)
        assert case is not None
        self.record = run
        self.case = case
        self.title = f"Case {case.id}"
        #: the label highlighted in the list: the one previewed, printed and scanned
        self.previewed: LabelView | None = None
        #: the printer a print is under way on; None when none is
        self.printing: str | None = None

    def compose(self) -> ComposeResult:
        case = self.case
        yield SectionBar("certification", f"Case {case.id}")
        yield Static(self._summary(case), id="case-summary")
        with TabbedContent(initial="labels" if case.labels else "calls", id="case-tabs"):
            with TabPane(f"Labels ({len(case.labels)})", id="labels"):
                if case.labels:
                    with Horizontal(id="label-pane"):
                        yield OptionList(
                            *(self._label_option(n, label) for n, label in enumerate(case.labels)), id="label-list"
                        )
                        yield LabelPreview(id="preview")
                        with VerticalScroll(id="label-checks"):
                            yield Static(id="label-report")
                    yield PaperTest(id="paper")
                else:
                    yield Static("This case buys no label: its calls are on the Calls tab (c).", classes="muted")
            with TabPane(f"Calls ({len(case.calls)})", id="calls"), Horizontal(id="call-pane"):
                yield OptionList(*(self._call_option(n, call) for n, call in enumerate(case.calls)), id="call-list")
                with VerticalScroll(id="call-detail"):
                    yield Static(id="call-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.case.labels:
            self.query_one("#label-list", OptionList).highlighted = 0
            self.query_one("#label-list").focus()
        elif self.case.calls:
            self.query_one("#call-list").focus()
        if self.case.calls:
            self.query_one("#call-list", OptionList).highlighted = 0
        else:
            self.query_one("#call-body", Static).update(Text("No call was recorded for this case.", style="dim"))

    # --- summary -------------------------------------------------------------------------------------

    def _summary(self, case: CaseView) -> Text:
        text = Text()
        text.append(f"{CASE_ICONS.get(case.status, '?')} {case.status}", style=tone(self, case.status, bold=True))
        text.append(f"  {case.id} ", style="bold")
        text.append(case.title)
        text.append(f"  ({case.elapsed_ms / 1000:.2f} s, {case.source})", style="dim")
        if case.detail:
            text.append("\n")
            text.append(case.detail, style=tone(self, case.status if case.status != "passed" else "todo"))
        return text

    # --- labels --------------------------------------------------------------------------------------

    def _label_option(self, number: int, label: LabelView) -> Option:
        status = "passed" if label.passed else (label.status or "failed")
        prompt = Text.assemble((CASE_ICONS.get(status, "✗") + " ", tone(self, status, bold=True)), label.name)
        return Option(prompt, id=f"label-{number}")

    @on(OptionList.OptionHighlighted, "#label-list")
    def _label_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        label = self.case.labels[event.option_index]
        self.previewed = label
        why = "Amazon's sandbox placeholder: nothing to draw." if label.status == "placeholder" else ""
        self.query_one(LabelPreview).show(
            label.file if label.file and label.file.is_file() else None, label.format, label.dpi, why=why
        )
        self.query_one("#label-report", Static).update(self._label_report(label))
        self._paper_line(label)

    def _label_report(self, label: LabelView) -> Text:
        text = Text()
        text.append(
            "✓ label passes" if label.passed else f"✗ label {label.status or 'failed'}",
            style=tone(self, "passed" if label.passed else "failed", bold=True),
        )
        text.append(f"\n{label.format} {label.dpi} dpi · tracking {label.tracking_id or '—'}", style="dim")
        if label.file is not None:
            text.append(f"\n{label.file.name}", style="dim")
        for check in label.checks:
            ok = bool(check.get("ok"))
            text.append("\n✓ " if ok else "\n✗ ", style=tone(self, "passed" if ok else "failed", bold=True))
            text.append(str(check.get("name", "")), style="bold")
            text.append(f" {check.get('detail', '')}")
        if label.hint:
            text.append(f"\n→ {label.hint}", style=tone(self, "waiting"))
        return text

    def action_turn(self, step: int) -> None:
        """The file's next or previous label (a ZPL file may hold several formats)."""
        if self.case.labels:
            self.query_one(LabelPreview).turn(step)

    def action_zoom(self) -> None:
        if not self.case.labels:
            return
        self.query_one(TabbedContent).active = "labels"
        preview = self.query_one(LabelPreview)
        if self.maximized is preview:
            self.minimize()
        else:
            self.maximize(preview, container=False)

    # --- the label on paper: print it, scan it back --------------------------------------------------

    def _paper_line(self, label: LabelView) -> None:
        """What Print and Scan would do for this label, or what they did: the step's summary once scanned."""
        paper = self.query_one(PaperTest)
        workspace = onboard_app(self).workspace
        if workspace is None:
            return
        from onboard.printing import evidence  # noqa: PLC0415

        record = workspace.state.steps.get(evidence.STEP)
        if record is not None and record.status == "done" and record.evidence.get("tracking_id") == label.tracking_id:
            said = evidence.summary(record.evidence)
            if said:
                paper.say(f"✓ {evidence.STEP} done: {shown(said, None)}", "done")
                return
        printer = workspace.state.printer
        if printer is None:
            paper.say(NO_PRINTER, "todo")
        else:
            paper.say(f"p prints this label on {shown(printer, 80)}; then scan the paper label (s)", "todo")

    @on(PaperTest.PrintAsked)
    def _print_asked(self) -> None:
        self.action_print_label()

    def action_print_label(self) -> None:
        """The label previewed, to the printer the workspace remembers."""
        label = self.previewed
        if label is None:
            return
        paper = self.query_one(PaperTest)
        if self.printing is not None:
            paper.say(f"Still printing on {self.printing}…", "running")
            return
        if label.file is None or not label.file.is_file():
            paper.say("This label has no file to print (a sandbox placeholder, or its file was not kept).", "failed")
            return
        app = onboard_app(self)
        app.reload()  # a printer set a moment ago with 'onboard label print --printer' in another terminal
        printer = app.workspace.state.printer if app.workspace is not None else None
        if printer is None:
            paper.say(NO_PRINTER, "waiting")
            return
        self.printing = shown(printer, 80)
        paper.say(f"Printing {label.file.name} on {self.printing}…", "running")
        self._print(label, label.file, printer)

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def _print(self, label: LabelView, file: Path, printer: Printer) -> None:
        from onboard.printing import jobs  # noqa: PLC0415 - the label checker loads when a label is printed

        app = onboard_app(self)
        warnings: tuple[str, ...] = ()
        printed = False
        try:
            data = file.read_bytes()
        except OSError as error:
            said = f"cannot read {file.name}: {error.strerror or error}"
            app.call_from_thread(self._printed, said, "failed", (), False)
            return
        try:
            done = jobs.print_label(
                app.workspace_dir, file, data, printer, now=app.clock.now, tracking_id=label.tracking_id, via=VIA
            )
        except Exception as error:  # one line, never a traceback, and Print works again after it
            said, status = one_line(error), "failed"
        else:
            at_dpi = f", {done.dpi} dpi" if done.dpi else ""
            queued = f" (job {done.job})" if done.job else ""
            said = f"✓ printed {done.fmt}{at_dpi} on {done.words}{queued}; now scan the paper label into the field"
            status, warnings, printed = "done", done.warnings, True
        app.call_from_thread(self._printed, said, status, warnings, printed)

    def _printed(self, said: str, status: str, warnings: tuple[str, ...], printed: bool) -> None:
        self.printing = None
        if not self.is_attached:
            return  # left the screen while it printed: the print is recorded all the same
        app = onboard_app(self)
        app.reload()
        self.query_one(PaperTest).say(said, status)
        for warning in warnings:
            app.notify(warning, title="Recorded anyway", severity="warning")
        if printed:
            # the scanner types wherever the cursor is: in the field, not into the screen's shortcuts
            self.query_one(PaperTest).field.focus()

    def action_scan(self) -> None:
        if self.case.labels:
            self.query_one(PaperTest).field.focus()

    @on(PaperTest.Scanned)
    def _scanned(self, event: PaperTest.Scanned) -> None:
        """One code the scanner typed, compared with the label's tracking id as ``onboard label scan`` does."""
        from onboard.printing import scanning  # noqa: PLC0415

        label, paper = self.previewed, self.query_one(PaperTest)
        read = scanning.keystroke(event.text)
        if label is None or read is None:
            return
        if not TRACKING_ID.fullmatch(label.tracking_id):
            paper.say("This label has no tracking id to compare a scan with.", "failed")
            return
        verdict = scanning.judge([read], [label.tracking_id])
        if verdict.tracking_id is None:
            paper.say(
                f"✗ the scan does not match: read {scanning.described([read])}, expected {label.tracking_id}",
                "failed",
            )
            return
        paper.say(f"Recording the scan of {verdict.tracking_id}…", "running")
        self._record_scan(label, verdict.tracking_id, verdict.carried_by)

    @work(thread=True, exclusive=True, exit_on_error=False, group="scan")
    def _record_scan(self, label: LabelView, tracking_id: str, carried_by: str) -> None:
        from onboard.printing import evidence  # noqa: PLC0415

        app = onboard_app(self)
        warnings: tuple[str, ...] = ()
        try:
            summary, warnings = evidence.record_scan(
                app.workspace_dir,
                tracking_id=tracking_id,
                carried_by=carried_by,
                scanned_with="scanner",
                fmt=label.format,
                dpi=label.dpi,
                at=app.clock.now(),
                via=VIA,
            )
        except Exception as error:  # one line where the scan was said, never a traceback
            said, status = one_line(error), "failed"
        else:
            said, status = f"✓ {evidence.STEP} done: {shown(summary, None)}", "done"
        app.call_from_thread(self._scan_recorded, said, status, warnings)

    def _scan_recorded(self, said: str, status: str, warnings: tuple[str, ...]) -> None:
        if not self.is_attached:
            return
        app = onboard_app(self)
        app.reload()
        self.query_one(PaperTest).say(said, status)
        for warning in warnings:
            app.notify(warning, title="Recorded anyway", severity="warning")

    # --- calls ---------------------------------------------------------------------------------------

    def _call_option(self, number: int, call: CallView) -> Option:
        status = "passed" if call.ok else "failed"
        prompt = Text.assemble(
            (f"{call.status or '—'} ", tone(self, status, bold=True)),
            call.operation,
            (f" {call.elapsed_ms:.0f}ms", "dim"),
        )
        return Option(prompt, id=f"call-{number}")

    @on(OptionList.OptionHighlighted, "#call-list")
    def _call_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one("#call-body", Static).update(self._call_body(self.case.calls[event.option_index]))
        self.query_one("#call-detail", VerticalScroll).scroll_home(animate=False)

    def _call_body(self, call: CallView) -> RenderableType:
        head = Text()
        head.append(f"{call.method} {call.path}", style="bold")
        head.append(" → ")
        head.append(f"{call.status or 'no answer'}", style=tone(self, "passed" if call.ok else "failed", bold=True))
        if call.error_code:
            head.append(f" {call.error_code}", style=tone(self, "failed"))
        head.append(f"\n{call.elapsed_ms:.1f} ms · attempt {call.attempt}", style="dim")
        if call.request_id:
            head.append(f" · x-amzn-RequestId {call.request_id}", style="dim")
        parts: list[RenderableType] = [head]
        for title, body in (("Request", call.request), ("Response", call.response)):
            parts.append(Text(f"\n{title}", style="bold"))
            parts.append(self._json(body))
        return Group(*parts)

    def _json(self, body: Any) -> RenderableType:
        if body is None or body == "":
            return Text("(no body)", style="dim")
        if isinstance(body, str):
            return Text(body)
        theme = "ansi_dark" if self.app.current_theme.dark else "ansi_light"
        code = json.dumps(body, indent=2, ensure_ascii=False)
        return Syntax(code, "json", theme=theme, background_color="default", word_wrap=True)

    # --- moving --------------------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        target = "#label-list" if tab == "labels" and self.case.labels else "#call-list"
        self.query_one(target).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("print_label", "scan") and (not self.case.labels or self._tab() != "labels"):
            return False  # the label's own keys, on the label's tab
        return super().check_action(action, parameters)

    def _tab(self) -> str | None:
        tabs = self.query(TabbedContent)
        return tabs.first().active if tabs else None

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def action_back(self) -> None:
        if in_a_field(self):
            # out of the Scan field first, as the journey's fields do: Esc there is not "leave the case"
            self.query_one("#label-list").focus()
            return
        if self.maximized is not None:
            self.minimize()
            return
        self.dismiss()
