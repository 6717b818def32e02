"""Sign-off: build the pack for the account manager (``onboard.pack``), show where it is and its review.

The pack's modules are imported inside the worker, when the pack is built: an onboard without them
says so on this screen instead of failing to start.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import ClassVar, Protocol

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Static

from onboard.display import shown
from onboard.errors import OnboardError
from onboard.tui.runs import RunView, latest_run, load_run, verdict
from onboard.tui.widgets.base import ReportsWorkerFailures, onboard_app, one_line, tildify, tone, toned
from onboard.tui.widgets.section_bar import SectionBar
from onboard.workspace.workspace import Workspace

UNAVAILABLE = "The sign-off pack is not available in this version of onboard."


class Review(Protocol):
    """What ``onboard.pack.review.review_pack`` answers (only what this screen reads)."""

    ok: bool
    intact: bool
    environment: str | None
    problems: list[str]

    def summary_lines(self) -> list[str]: ...


class SignoffScreen(ReportsWorkerFailures, Screen[None]):
    TITLE = "Sign-off"
    AUTO_FOCUS = "#build"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "build", "Build pack"),
        Binding("c", "copy_path", "Copy path"),
    ]

    def __init__(self) -> None:
        super().__init__()
        #: the pack last built here, whose path 'c' copies
        self.pack: Path | None = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "copy_path":
            return self.pack is not None  # in the footer once there is a pack to copy
        return True

    def compose(self) -> ComposeResult:
        yield SectionBar("signoff")
        with VerticalScroll(id="signoff-body"):
            yield Static(
                "The pack gathers, for your account manager, the certification's requests and responses "
                "(personal data and secrets removed), the label files and the results of their checks.",
                classes="muted",
            )
            yield Static("", id="signoff-run")
            with Horizontal(classes="buttons"):
                yield Button("Build the pack (b)", variant="primary", compact=True, id="build")
                yield Checkbox("Include a failed run", id="include-failed", compact=True)
            yield Static("", id="signoff-status")
            yield Static("", id="signoff-review")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._read_run()

    def on_screen_resume(self) -> None:
        if self.query_one("#signoff-run", Static).content:
            self._read_run()

    @work(thread=True, exclusive=True, exit_on_error=False, group="signoff-run")
    def _read_run(self) -> None:
        app = onboard_app(self)
        try:
            path = latest_run(app.workspace_dir)
            run = load_run(path) if path else None
        except Exception as error:  # shown as one line, never a traceback
            app.call_from_thread(self._show_run, None, one_line(error))
            return
        app.call_from_thread(self._show_run, run, "")

    def _show_run(self, run: RunView | None, error: str) -> None:
        widget = self.query_one("#signoff-run", Static)
        if error:
            widget.update(toned(self, f"✗ {error}", "failed"))
        elif run is None:
            widget.update(toned(self, "No certification run yet: run one first (3, then r).", "waiting"))
        else:
            counts = ", ".join(f"{n} {status}" for status, n in run.counts().items())
            mark, status, lacks = verdict(run)
            text = Text.assemble(
                ("Latest run: ", "bold"),
                (mark, tone(self, status, bold=True)),
                f" ({counts})",
                (f"  ·  {run.run_id}, {run.environment}", "dim"),
            )
            if lacks:
                text.append(f"\n! partial: {lacks}", style=tone(self, "waiting"))
            widget.update(text)

    @on(Button.Pressed, "#build")
    def _pressed(self) -> None:
        self.action_build()

    def action_build(self) -> None:
        if any(w.group == "pack" and w.is_running for w in self.workers):
            self.notify("The pack is being built.")
            return
        include_failed = self.query_one("#include-failed", Checkbox).value
        self.query_one("#signoff-status", Static).update(toned(self, "Building the pack…", "running", bold=True))
        self.query_one("#signoff-review", Static).update("")
        self._build(include_failed)

    @work(thread=True, exclusive=True, exit_on_error=False, group="pack")
    def _build(self, include_failed: bool) -> None:
        app = onboard_app(self)
        try:
            build_pack = importlib.import_module("onboard.pack.build").build_pack
            review_pack = importlib.import_module("onboard.pack.review").review_pack
        except (ImportError, AttributeError):
            app.call_from_thread(self._unavailable)
            return
        run_not_passed = getattr(importlib.import_module("onboard.pack.build"), "RunNotPassed", None)
        try:
            workspace = Workspace.open(app.workspace_dir)
            built = build_pack(workspace, None, include_failed=include_failed)
            # a path, or a result that carries one (and the manifest's digest, to send separately)
            path = built if isinstance(built, Path) else Path(built.path)
            digest = str(getattr(built, "manifest_sha256", "") or "")
            review: Review = review_pack(path)
            summary = [shown(line, None) for line in review.summary_lines()]
            problems = [shown(problem, None) for problem in review.problems]
            result = (bool(review.ok), bool(review.intact), shown(review.environment or "unknown", 40), problems)
        except Exception as error:  # shown as one line, never a traceback
            if run_not_passed is not None and isinstance(error, run_not_passed):
                # the CLI's hint names its flag; here the box beside the button does it
                error = OnboardError(
                    error.message,
                    "fix it and run the certification again (3, then r), or tick 'Include a failed run' to pack it",
                )
            app.call_from_thread(self._failed, one_line(error))
            return
        app.call_from_thread(self._built, path, digest, *result, summary)

    def _unavailable(self) -> None:
        self.query_one("#signoff-status", Static).update(toned(self, UNAVAILABLE, "waiting", bold=True))

    def _failed(self, message: str) -> None:
        self.query_one("#signoff-status", Static).update(toned(self, f"✗ The pack was not built: {message}", "failed"))

    def _built(
        self,
        path: Path,
        digest: str,
        ok: bool,
        intact: bool,
        environment: str,
        problems: list[str],
        summary: list[str],
    ) -> None:
        onboard_app(self).reload()
        status = Text()
        status.append(
            "✓ Pack built" if ok else "✗ Pack built; its review says it is not ready for sign-off",
            style=tone(self, "passed" if ok else "failed", bold=True),
        )
        # the file's name on a line of its own, so it is not wrapped mid-name at 80 columns: it is copied
        # whole from the screen (or with c)
        status.append("\nin ")
        status.append(tildify(str(path.parent)) + "/", style="dim")
        status.append("\n")
        status.append(path.name)
        status.append(f"\n{'intact' if intact else 'NOT intact'} · environment {environment}", style="dim")
        for problem in problems:
            status.append(f"\n✗ {problem}", style=tone(self, "failed"))
        if digest:
            status.append("\nManifest sha256 ", style="bold")
            status.append(digest)
            status.append("\nSend this digest to your account manager separately from the pack.", style="dim")
        self.query_one("#signoff-status", Static).update(status)
        review = Text("Review", style="bold")
        for line in summary:
            review.append(f"\n{line}")
        self.query_one("#signoff-review", Static).update(review)
        self.pack = path
        self.refresh_bindings()
        self.notify(tildify(str(path)), title="Pack built" if ok else "Pack built, with problems")

    def action_copy_path(self) -> None:
        if self.pack is None:
            return
        self.app.copy_to_clipboard(str(self.pack))
        self.notify(f"{tildify(str(self.pack))} is on the clipboard.", title="Copied")
