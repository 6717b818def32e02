"""Small pieces every screen uses: the typed app, an input that honours the app's blink setting, colours."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.style import Style
from rich.text import Text
from textual.actions import parse
from textual.app import ScreenStackError
from textual.dom import DOMNode, NoScreen
from textual.keys import key_to_character
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from onboard.display import shown
from onboard.errors import OnboardError

if TYPE_CHECKING:
    from textual.widget import Widget

    from onboard.tui.app import OnboardApp

#: the theme colour of each step status (and of a case's or check's outcome)
_COLOURS = {
    "done": "success",
    "passed": "success",
    "ok": "success",
    "in_progress": "accent",
    "running": "accent",
    "waiting": "warning",
    "skipped": "warning",
    "blocked": "error",
    "failed": "error",
    "error": "error",
}

CASE_ICONS = {"passed": "✓", "failed": "✗", "skipped": "–", "error": "!", "running": "◐", "pending": "○"}


def onboard_app(node: DOMNode) -> OnboardApp:
    """The running app, typed: every screen and widget here lives inside an ``OnboardApp``."""
    return cast("OnboardApp", node.app)


def tone(node: DOMNode, status: str, *, bold: bool = False) -> Style:
    """The style of a status in the current theme (muted for 'to do' and unknown ones)."""
    name = _COLOURS.get(status)
    variables = node.app.theme_variables
    if name and not node.app.current_theme.dark and f"{name}-darken-2" in variables:
        name = f"{name}-darken-2"  # the bright tones of a dark theme are too pale on a light background
    colour = variables.get(name) if name else None
    if colour is None or len(colour) != 7:
        return Style(dim=status in ("todo", "pending"), bold=bold)
    return Style(color=colour, bold=bold)


def toned(node: DOMNode, text: str, status: str, *, bold: bool = False) -> Text:
    return Text(text, style=tone(node, status, bold=bold))


def one_line(error: BaseException) -> str:
    """A failure as the user sees it: one line, never a traceback (the CLI's own wording), secrets masked
    and control characters made visible (:func:`onboard.display.shown`)."""
    if isinstance(error, OnboardError):
        return error.one_line()
    first = shown(str(error).splitlines()[0], None) if str(error) else ""
    return f"internal error: {type(error).__name__}: {first}".rstrip(": ")


class ReportsWorkerFailures:
    """Mixed into every screen and widget with workers: a failure none of them caught becomes one line on
    screen (the workers run with ``exit_on_error=False``), never a traceback, and the app goes on."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state == WorkerState.ERROR and error is not None:
            app = event.worker.node.app
            app.notify(one_line(error), title="Something went wrong", severity="error", timeout=10)


def in_a_field(node: DOMNode) -> bool:
    """Whether the focused widget takes what is typed (an input): its keys are text, not shortcuts."""
    try:
        focused = cast("Widget", node).screen.focused  # the app's screen, or the screen itself
    except (NoScreen, ScreenStackError):  # no screen yet, or none any more
        return False
    return isinstance(focused, Input)


def typed_key(key: str) -> bool:
    """A key that types a character into an input ('t', '2', '?'), unlike Enter, Esc, F1 or Ctrl+S."""
    character = key_to_character(key)
    return character is not None and character.isprintable()


class KeysStepAside:
    """Mixed into the app and every screen with bindings: while an input has focus, a binding on a key that
    types a character is off and out of the footer (the key types into the input), so every key the
    footer shows works where it is shown."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        node = cast("DOMNode", self)
        if not in_a_field(node):
            return True
        for key, bindings in node._bindings.key_to_bindings.items():
            if not typed_key(key):
                continue
            for binding in bindings:
                _, name, params = parse(binding.action)
                if (name, params) == (action, parameters):
                    return False
        return True


def tildify(text: str) -> str:
    """Paths under the home directory as ``~/…``: shorter on screen, and the same on every machine."""
    home = str(Path.home())
    return text.replace(home + "/", "~/") if len(home) > 1 else text


class FormInput(Input):
    """An ``Input`` whose cursor blinks only when the app says so (tests and snapshots turn it off)."""

    def on_mount(self) -> None:
        if not getattr(self.app, "blink", True):
            self.cursor_blink = False
