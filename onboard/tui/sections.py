"""The TUI's sections, in one list: each one's key, title, screen, palette actions and help.

The app's modes and number keys, the section bar, the command palette, the help screen and the UI state
all read ``SECTIONS``: a new section is one entry here (and its screen). No Textual here, so the UI
state can read it without loading Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MODES", "SECTIONS", "Action", "Section", "section"]


@dataclass(frozen=True, slots=True)
class Action:
    """A screen action offered in the command palette."""

    title: str
    help: str
    action: str


@dataclass(frozen=True, slots=True)
class Section:
    mode: str
    title: str
    #: ``module:Class`` of the section's screen, imported when the section is first shown
    screen: str
    #: what the help screen says of the section (markdown)
    help: str
    actions: tuple[Action, ...] = ()


SECTIONS: tuple[Section, ...] = (
    Section(
        "journey",
        "Journey",
        "onboard.tui.screens.journey:JourneyScreen",
        "↑↓ choose a step, `Enter` or `e` edit its evidence, `s` its status, `n` add a note,\n"
        "`m` the ready-to-send RIVER message, `Esc` back to the steps, `Space` fold a phase.\n"
        "Evidence is checked as you type and recorded when you press `Enter` or leave the field;\n"
        "a value not valid yet is kept as a draft. Every change goes to the audit trail, as with `onboard step`.",
        (
            Action("Edit the step's evidence", "Go to the evidence form of the selected step", "focus_evidence"),
            Action("Change the step's status", "Go to the status of the selected step", "focus_status"),
            Action("Add a note to the step", "Write a note for the audit trail", "focus_note"),
            Action("Draft the RIVER message", "The ready-to-send message of the selected step", "message"),
        ),
    ),
    Section(
        "credentials",
        "Credentials",
        "onboard.tui.screens.credentials:CredentialsScreen",
        "the store in use and the credentials in force (never shown whole).\n"
        "Type them (secrets are masked), `Ctrl+S` stores them, `Esc` leaves the fields for the buttons,\n"
        "`v` runs the live checks of `onboard creds verify`, `f` forgets them. With the emulator no\n"
        "credentials are needed.",
        (
            Action("Verify credentials", "Run the live checks of 'onboard creds verify'", "verify"),
            Action("Save credentials", "Store the credentials typed on the credentials screen", "save"),
            Action("Forget credentials", "Delete the stored credentials of this workspace", "forget"),
        ),
    ),
    Section(
        "certification",
        "Certification",
        "onboard.tui.screens.certification:CertificationScreen",
        "`r` runs the catalog against the workspace's environment (the UI stays\n"
        "responsive), `Enter` opens a case: its calls (request and response, personal data removed)\n"
        "and its labels with a preview and their checks. `z` enlarges the preview, `[` `]` page through\n"
        "a file's labels.",
        (
            Action("Run certification", "Run the certification catalog against the workspace's environment", "run"),
            Action("Open the selected case", "Requests, responses, labels and checks of a case", "open"),
        ),
    ),
    Section(
        "signoff",
        "Sign-off",
        "onboard.tui.screens.signoff:SignoffScreen",
        "`b` builds the pack for your account manager and shows its review; `c` copies its path.",
        (
            Action("Build the sign-off pack", "Build and review the pack for your account manager", "build"),
            Action("Copy the pack's path", "Put the path of the pack just built on the clipboard", "copy_path"),
        ),
    ),
)

#: the modes, in the order of their number keys (1, 2, …)
MODES = tuple(entry.mode for entry in SECTIONS)


def section(mode: str) -> Section:
    return next(entry for entry in SECTIONS if entry.mode == mode)
