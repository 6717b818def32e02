"""``onboard`` run inside the test process: the same ``onboard.cli.main`` a real process runs, with the
environment, stdin, stdout and stderr of that one command, but without a new interpreter for each.

Most stories are about what a command prints, saves and exits with; a new interpreter per command made
them the bulk of the suite's time (about 0.5 s each, twice that with coverage). Stories about the process
itself (signals, kill -9, a terminal, the first import) still start real ones.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence

from onboard.cli import main

# the environment and sys.std* belong to the whole process: one command at a time
_ONE_AT_A_TIME = threading.Lock()


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_onboard(
    args: Sequence[str], env: Mapping[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Like ``subprocess.run([python, -m, onboard, *args], env=env, capture_output=True, text=True)``:
    ``env`` is the whole environment (the current one when None)."""
    out, err = io.StringIO(), io.StringIO()
    with (
        _ONE_AT_A_TIME,
        _environment(dict(os.environ) if env is None else env),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        saved_stdin, sys.stdin = sys.stdin, io.StringIO(stdin)
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's --help, --version and usage errors
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        finally:
            sys.stdin = saved_stdin
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())
