"""The Textual app: the whole onboarding journey, keyboard first.

Who calls what, in order:

1. ``main(args)`` (the CLI, for ``onboard`` with no command in a terminal) resolves the workspace as
   every command does and hands it to ``make_app``; tests call ``make_app`` too, with a frozen clock and
   the cursor blink off, so they drive exactly what users run.
2. ``make_app`` reads the local files only: the checklist, ``workspace.json`` (a corrupt one is the
   CLI's one-line error) and the UI state (``session.UiState``). Nothing touches the network at start.
   Textual's own debug log (``TEXTUAL_LOG``) is turned off, and the user told why: it would record the
   secrets typed into the credentials form.
3. The app has one mode per section (journey, credentials, certification, sign-off), each its own
   screen stack, so a drill-down stays open while you look elsewhere. Without a workspace, the
   first-run form comes first.
4. Screens change the workspace only through ``OnboardApp.record`` (the same ``apply_change`` as
   ``onboard step``, under the workspace lock, saved at once) and learn of any change, theirs or
   another process's, from ``state_version``. Everything slow (keyring, verify, certify, label
   previews, the pack) runs in workers.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import inspect
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import textual.constants
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import WorkerState

from onboard import masking
from onboard.display import shown
from onboard.errors import OnboardError
from onboard.settings import Settings
from onboard.tui import outline as outlines
from onboard.tui.outline import Outline
from onboard.tui.sections import MODES, SECTIONS, Section
from onboard.tui.session import Clock, UiState
from onboard.tui.widgets.base import KeysStepAside, in_a_field
from onboard.workspace.workspace import STATE_FILE, Workspace, locked, resolve_dir

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from onboard.checklist.progress import Progress
    from onboard.checklist.record import Applied, Change
    from onboard.checklist.schema import Checklist
    from onboard.workspace.state import Profile

__all__ = ["OnboardApp", "main", "make_app"]

#: how often to look for a change made by another process ('onboard step' in another terminal)
WATCH_SECONDS = 2.0
#: during a run, a second Ctrl+Q within this time quits anyway
QUIT_AGAIN_SECONDS = 10.0
TEXTUAL_LOG_REFUSED = (
    "TEXTUAL_LOG and Textual's devtools are off here: they would record what is typed and pasted, secrets included."
)


def _refuse_textual_log() -> bool:
    """Turn off Textual's debug log (``TEXTUAL_LOG=<file>``); ``True`` when one was asked for.

    That log writes every message the app passes with its fields, ``Input.Changed(value=…)`` and
    ``Paste(text=…)`` among them: the client secret and refresh token typed or pasted into the masked
    fields would be in it, in full. Textual reads the setting at each log call.
    """
    if not textual.constants.LOG_FILE:
        return False
    setattr(textual.constants, "LOG_FILE", None)  # noqa: B010 - declared Final in Textual, read at every call
    return True


def _screen(entry: Section) -> Screen[None]:
    """A section's screen, imported when the section is first shown: the first frame needs the journey only."""
    module, _, name = entry.screen.partition(":")
    screen: Screen[None] = getattr(importlib.import_module(module), name)()
    return screen


def _collect_again() -> None:
    """The first frame is drawn: the collector, paused for the start by the CLI, runs again; what the start
    made (modules, classes, the screen) is set aside for good rather than walked at every full pass."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _section_keys() -> list[BindingType]:
    return [
        Binding(str(number), f"go('{entry.mode}')", entry.title, show=False) for number, entry in enumerate(SECTIONS, 1)
    ]


class OnboardApp(KeysStepAside, App[int]):
    CSS_PATH = "onboard.tcss"
    TITLE = "onboard"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[None]]]] = {
        entry.mode: partial(_screen, entry) for entry in SECTIONS
    }
    DEFAULT_MODE = SECTIONS[0].mode
    BINDINGS: ClassVar[list[BindingType]] = [
        *_section_keys(),
        Binding("question_mark", "help", "Help", key_display="?"),
        # F1 opens the help from an input too, where '?' is typed: the footer then shows it instead
        Binding("f1", "help", "Help", show=False),
        Binding("f1", "help('typing')", "Help", key_display="F1"),
        Binding("t", "toggle_theme", "Light/dark", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    #: bumped whenever ``workspace`` changes; screens watch it to redraw
    state_version: reactive[int] = reactive(0, init=False)

    def __init__(
        self,
        workspace_dir: Path,
        settings: Settings,
        steps: Checklist | None,
        workspace: Workspace | None,
        ui: UiState,
        *,
        clock: Clock | None = None,
        blink: bool = True,
        remember: bool = True,
        kept: Outline | None = None,
    ) -> None:
        """``kept``: the outline kept from the last start (``steps`` and ``workspace`` then ``None``): the
        journey's first frame is drawn from it and the files are loaded right after (:meth:`load`)."""
        self.workspace_dir = workspace_dir
        self.settings = settings
        self._checklist = steps
        self._workspace = workspace
        self._kept = kept
        #: whether the first frame was drawn from a kept outline (the files loaded after it)
        self.from_outline = kept is not None
        #: why the files could not be loaded after a first frame drawn from ``kept``: the CLI's one line
        self.load_error: OnboardError | None = None
        self.ui = ui
        self.clock = clock or Clock()
        self.blink = blink
        self._remember = remember
        self._ui_dirty = False
        self._seen_mtime = self._mtime()
        self._quit_armed = 0.0  # when Ctrl+Q was first pressed during a run
        self._first_frame_drawn = False
        self._after_first_frame: list[Callable[[], object]] = []
        self._textual_log_refused = _refuse_textual_log()  # before Textual logs anything of this app
        super().__init__()
        if self.devtools is not None:
            # Textual's devtools console (TEXTUAL=devtools) is sent the same messages as its log file
            self.devtools = None
            self._devtools_redirector = None
            self._textual_log_refused = True
        self.theme = ui.theme
        self._set_titles()

    # --- the workspace -------------------------------------------------------------------------------

    @property
    def checklist(self) -> Checklist:
        if self._checklist is None:
            from onboard.checklist.load import checklist  # noqa: PLC0415 - after a first frame from the outline

            self._checklist = checklist()
        return self._checklist

    @property
    def workspace(self) -> Workspace | None:
        if self._kept is not None:
            self._load_or_end()
        return self._workspace

    @workspace.setter
    def workspace(self, workspace: Workspace | None) -> None:
        self._kept = None
        self._workspace = workspace

    def load(self) -> None:
        """Read the checklist and ``workspace.json`` if the first frame was drawn from a kept outline.

        Raises ``OnboardError`` when they cannot be (a file changed since that outline was kept)."""
        if self._kept is None:
            return
        steps = self.checklist
        workspace = Workspace.open(self.workspace_dir)
        self._kept = None
        self._checklist, self._workspace = steps, workspace
        self._set_titles()

    def _load_or_end(self) -> None:
        """``load``, from wherever the files are first needed (on_ready; a key pressed before it): files that
        no longer load end the app, and the CLI prints their one line (``load_error``)."""
        try:
            self.load()
        except OnboardError as error:
            self._kept, self._workspace = None, None
            if self.load_error is None:
                self.load_error = error
                self.exit(error.exit_code)

    def first_outline(self) -> Outline:
        """What the journey's first frame shows: the kept outline, else one made from the files."""
        return self._kept if self._kept is not None else self.outline()

    def outline(self) -> Outline:
        return outlines.outline_of(self.checklist, self.progress() if self.workspace else None, self.sub_title)

    def _keep_outline(self) -> None:
        """Keep the journey's outline for the next start (its first frame then needs no model loaded)."""
        if not self._remember or self._kept is not None or self.workspace is None:
            return
        wanted = outlines.key(self.workspace_dir, self.clock.today())
        if wanted is not None:
            outlines.keep(self.workspace_dir, wanted, self.outline())

    def _mtime(self) -> int | None:
        try:
            return (self.workspace_dir / STATE_FILE).stat().st_mtime_ns
        except OSError:
            return None

    def _set_titles(self) -> None:
        if self._kept is not None:
            self.sub_title = self._kept.subtitle
            return
        if self.workspace is None:
            self.sub_title = "a new workspace"
            return
        profile = self.workspace.state.profile
        self.sub_title = f"{profile.environment} · {profile.business_id} · {shown(profile.shipper_name, 60)}"

    def _changed(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._seen_mtime = self._mtime()
        self._set_titles()
        self.state_version += 1
        self._keep_outline()

    def progress(self) -> Progress:
        from onboard.checklist.progress import progress  # noqa: PLC0415

        assert self.workspace is not None, "the first-run form comes before any screen that reads progress"
        return progress(self.checklist, self.workspace.state, self.clock.today())

    def record(self, step_id: str, change: Change) -> Applied:
        """Apply a change exactly as ``onboard step`` does (validated, audited) and save it at once.

        The file is read again under the lock, so a change made meanwhile in another terminal is kept.
        Raises ``OnboardError`` (nothing saved) when the change is refused.
        """
        from onboard.checklist.record import apply_change  # noqa: PLC0415

        with locked(self.workspace_dir):
            workspace = Workspace.open(self.workspace_dir)
            if change.evidence or change.note:
                from onboard.credentials.store import know_stored_secrets  # noqa: PLC0415 - only when needed

                # the stored secrets' own values are refused too: they must be known to be recognised
                know_stored_secrets(self.settings, workspace.state.workspace_id)
            applied = apply_change(
                self.checklist, workspace.state, step_id, change, self.clock.now(), via="onboard tui"
            )
            if applied.entries:
                workspace.save()
        self._changed(workspace)
        return applied

    def create_workspace(self, profile: Profile) -> None:
        """The first-run form's result, saved as ``onboard init`` would save it."""
        from onboard.workspace.state import WorkspaceState  # noqa: PLC0415

        with locked(self.workspace_dir) if self.workspace_dir.is_dir() else nullcontext():
            if Workspace.exists_at(self.workspace_dir):
                workspace = Workspace.open(self.workspace_dir)  # made meanwhile: keep it, never overwrite
            else:
                workspace = Workspace(self.workspace_dir, WorkspaceState(profile=profile))
                workspace.save()
        self._changed(workspace)

    def reload(self) -> None:
        """Read ``workspace.json`` again if another process changed it."""
        if self.workspace is None or self._mtime() == self._seen_mtime:
            return
        try:
            workspace = Workspace.open(self.workspace_dir)
        except OnboardError as error:
            self._seen_mtime = self._mtime()
            self.notify(error.one_line(), title="workspace.json", severity="error")
            return
        self._changed(workspace)

    # --- what the UI remembers ----------------------------------------------------------------------

    def remember(self, **changes: object) -> None:
        for name, value in changes.items():
            setattr(self.ui, name, value)
        self._ui_dirty = True

    def flush_ui(self) -> None:
        if self._ui_dirty and self._remember and self.workspace is not None:
            self.ui.save(self.workspace_dir)
        self._ui_dirty = False

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast, whoever raises it: a failure's text often quotes a server or a file."""
        super().notify(
            shown(message, None, lines=True), title=shown(title, 80), severity=severity, timeout=timeout, markup=markup
        )

    # --- lifecycle -----------------------------------------------------------------------------------

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the first frame is on the screen (at once if it is): what the first frame
        does not need waits for it."""
        if self._first_frame_drawn:
            self.call_later(callback)
        else:
            self._after_first_frame.append(callback)

    def on_ready(self) -> None:
        # Textual's Ready: the first frame is drawn
        self._first_frame_drawn = True
        if self.from_outline:
            self._load_or_end()  # unless something before this frame needed them already
            if self.load_error is not None:
                return
            self.state_version += 1  # the journey, drawn from the outline, drawn again from the files
        _collect_again()
        self.call_later(self._keep_outline)
        for callback in self._after_first_frame:
            self.call_later(callback)
        self._after_first_frame.clear()

    def on_mount(self) -> None:
        if self._textual_log_refused:
            self.notify(TEXTUAL_LOG_REFUSED, title="No Textual log", severity="warning", timeout=10)
        self.set_interval(1.0, self.flush_ui)
        self.set_interval(WATCH_SECONDS, self.reload)
        if self._kept is None and self.workspace is None:
            from onboard.tui.screens.first_run import FirstRunScreen  # noqa: PLC0415

            self.push_screen(FirstRunScreen(self.workspace_dir), self._first_run_done)
        elif self.ui.mode != self.current_mode and self.ui.mode in MODES:
            self.switch_mode(self.ui.mode)

    def _first_run_done(self, profile: Profile | None) -> None:
        if profile is None:
            self.exit(0)
            return
        try:
            self.create_workspace(profile)
        except OnboardError as error:
            # a folder that cannot be written (read-only, full, not ours): said, and the form shown again
            self.notify(error.one_line(), title="Workspace not created", severity="error", timeout=15)
            from onboard.tui.screens.first_run import FirstRunScreen  # noqa: PLC0415

            self.push_screen(FirstRunScreen(self.workspace_dir), self._first_run_done)
            return
        from onboard.tui.widgets.base import tildify  # noqa: PLC0415

        self.notify(f"Workspace created at {tildify(str(self.workspace_dir))}.", title="Welcome")

    def watch_theme(self, theme: str) -> None:
        if theme in ("textual-dark", "textual-light") and theme != self.ui.theme:
            self.remember(theme=theme)

    # --- actions -------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "help" and parameters == ("typing",):
            return in_a_field(self)  # F1 in the footer only where '?' types into an input
        return super().check_action(action, parameters)

    def action_go(self, mode: str) -> None:
        if self.workspace is None or mode not in MODES:
            self.bell()
            return
        if mode != self.current_mode:
            self.switch_mode(mode)
            self.call_after_refresh(self._arrived)
        self.remember(mode=mode)

    def action_open_section(self, mode: str) -> None:
        """The section bar's links: not bound to a key, so a click works from an input too."""
        self.action_go(mode)

    def _arrived(self) -> None:
        """A section opened by its key or the palette: where a person starts on it (its ``arrive``)."""
        arrive = getattr(self.screen, "arrive", None)
        if callable(arrive):
            arrive()

    def action_help(self, _where: str = "") -> None:
        from onboard.tui.screens.help import HelpScreen  # noqa: PLC0415

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def certifying(self) -> bool:
        return any(w.group == "certify" and w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in self.workers)

    async def action_quit(self) -> None:
        if self.certifying() and time.monotonic() - self._quit_armed > QUIT_AGAIN_SECONDS:
            self._quit_armed = time.monotonic()
            self.notify(
                "A certification is running; it cancels every label it bought when it ends, in a few seconds. "
                "Press Ctrl+Q again to quit now (then run 'onboard certify --cleanup').",
                title="Certification running",
                severity="warning",
            )
            return
        self.flush_ui()
        self.exit(0)

    def run_section_action(self, mode: str, action: str) -> None:
        """Go to a section and run one of its screen's actions (the command palette's entries)."""
        self.action_go(mode)
        if self.current_mode == mode:
            self.call_after_refresh(self._run_on_screen, action)

    async def _run_on_screen(self, action: str) -> None:
        # called, not run as a key would be: a palette entry works wherever the cursor is (a key that
        # types a character is off while a field has it)
        method = getattr(self.screen, f"action_{action}", None)
        if callable(method):
            result = method()
            if inspect.isawaitable(result):
                await result

    # --- the command palette -------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        if self.workspace is not None:
            yield from self._section_commands()
            yield from self._step_commands()
        yield SystemCommand("Help", "Every key and what each section does", self.action_help)
        yield SystemCommand("Light or dark theme", "Switch between the light and dark themes", self.action_toggle_theme)
        yield from super().get_system_commands(screen)

    def _section_commands(self) -> Iterable[SystemCommand]:
        for entry in SECTIONS:
            yield SystemCommand(
                f"Go to {entry.title}", f"Open the {entry.title.lower()} section", partial(self.action_go, entry.mode)
            )
        for entry in SECTIONS:
            for action in entry.actions:
                yield SystemCommand(
                    action.title, action.help, partial(self.run_section_action, entry.mode, action.action)
                )

    def _step_commands(self) -> Iterable[SystemCommand]:
        for step in self.checklist.steps:
            yield SystemCommand(
                f"Step: {step.title}", f"{step.id} — show it in the journey", partial(self.show_step, step.id)
            )

    def show_step(self, step_id: str) -> None:
        self.action_go("journey")
        self.call_after_refresh(self._show_step, step_id)

    def _show_step(self, step_id: str) -> None:
        from onboard.tui.screens.journey import JourneyScreen  # noqa: PLC0415

        if isinstance(self.screen, JourneyScreen):
            self.screen.select_step(step_id)


def make_app(
    workspace_dir: Path,
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    blink: bool = True,
    remember: bool = True,
) -> OnboardApp:
    """The app, for the CLI and the tests alike: local files read, nothing on the network.

    ``clock`` freezes time (due dates, audit stamps), ``blink=False`` stops the cursor blinking and
    ``remember=False`` keeps the UI state file (and the journey's outline) untouched.

    Opening on the journey with an outline kept for exactly these files and this day, nothing is loaded
    yet: the first frame is drawn from the outline and the files read right after it (onboard.tui.outline).
    """
    masking.install()  # the worker threads' log records too
    settings = settings or Settings.from_env()
    clock = clock or Clock()
    ui = UiState.load(workspace_dir) if remember else UiState()
    if remember and ui.mode == OnboardApp.DEFAULT_MODE:
        wanted = outlines.key(workspace_dir, clock.today())
        kept = outlines.kept(workspace_dir, wanted) if wanted else None
        if kept is not None:
            return OnboardApp(workspace_dir, settings, None, None, ui, clock=clock, blink=blink, kept=kept)
    from onboard.checklist.load import checklist  # noqa: PLC0415

    workspace = Workspace.open(workspace_dir) if Workspace.exists_at(workspace_dir) else None
    return OnboardApp(workspace_dir, settings, checklist(), workspace, ui, clock=clock, blink=blink, remember=remember)


def main(args: argparse.Namespace) -> int:
    """``onboard`` with no command, in a terminal."""
    settings = Settings.from_env()
    app = make_app(resolve_dir(getattr(args, "workspace", None), settings), settings)
    from onboard.tui import graphics  # noqa: PLC0415

    graphics.probe()  # whether labels can be drawn as pictures: asked before Textual owns the terminal
    code = app.run()
    if app.load_error is not None:
        raise app.load_error  # the CLI's one line, once Textual has given the terminal back
    return code if isinstance(code, int) else 0
