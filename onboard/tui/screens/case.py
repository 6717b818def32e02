"""One case of a recorded run: its labels (a preview and their checks) and its calls (request and response
as recorded: personal data, secrets and label bytes already removed by the runner)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from onboard.tui.runs import CallView, CaseView, LabelView, RunView
from onboard.tui.widgets.base import CASE_ICONS, tone
from onboard.tui.widgets.label_preview import LabelPreview
from onboard.tui.widgets.section_bar import SectionBar


class CaseScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back"),
        Binding("l", "tab('labels')", "Labels"),
        Binding("c", "tab('calls')", "Calls"),
        Binding("z", "zoom", "Zoom label"),
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
        why = "Amazon's sandbox placeholder: nothing to draw." if label.status == "placeholder" else ""
        self.query_one(LabelPreview).show(
            label.file if label.file and label.file.is_file() else None, label.format, label.dpi, why=why
        )
        self.query_one("#label-report", Static).update(self._label_report(label))

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

    def action_back(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        self.dismiss()
