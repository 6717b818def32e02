"""The command line as a first-time user meets it (issue 17): one error prefix, each command's mistake pointing
at that command's help, a bare group listing its commands, 'onboard --help' saying that a bare 'onboard' opens
the app, and every command 'onboard status' advertises being one that runs."""

from __future__ import annotations

import pytest

from onboard.checklist.load import checklist
from tests.cli import run_onboard


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--bogus"], "onboard: error: unrecognized arguments: --bogus — see 'onboard --help'"),
        (
            ["creds", "verify", "--bogus"],
            "onboard: error: creds verify: unrecognized arguments: --bogus — see 'onboard creds verify --help'",
        ),
        (
            ["status", "--bogus"],
            "onboard: error: status: unrecognized arguments: --bogus — see 'onboard status --help'",
        ),
        (
            ["label", "check"],
            "onboard: error: label check: the following arguments are required: FILE"
            " — see 'onboard label check --help'",
        ),
    ],
)
def test_a_mistake_is_one_line_naming_the_command_and_its_help(
    private_home: object, args: list[str], said: str
) -> None:
    result = run_onboard(args)
    assert result.returncode == 2
    assert result.stderr.strip() == said
    assert "onboard: error: onboard" not in result.stderr


@pytest.mark.parametrize("group", ["creds", "label", "sandbox"])
def test_a_group_without_its_command_lists_its_commands(private_home: object, group: str) -> None:
    result = run_onboard([group])
    assert result.returncode == 2
    assert result.stdout.startswith(f"usage: onboard {group} ")
    assert "positional arguments" in result.stdout


def test_help_says_that_onboard_alone_opens_the_app(private_home: object) -> None:
    result = run_onboard(["--help"])
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "With no command, in a terminal, onboard opens its app (the TUI)" in text
    assert "onboard demo" in text


@pytest.mark.parametrize("command", sorted({s.verified_by for s in checklist().steps if s.verified_by}))
def test_every_command_status_advertises_runs(private_home: object, command: str) -> None:
    """'onboard status' shows '[onboard <verified_by>]' beside each step onboard checks itself."""
    result = run_onboard([*command.split(), "--help"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: onboard {command} ")
