"""The ``onboard`` command line: parse, dispatch to ``onboard.commands``, render errors, exit.

Command modules are imported only when their command runs, so ``onboard --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from onboard import __version__, exit_codes
from onboard.errors import OnboardError, UsageError


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (and the exit code is 2), not a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", f"see '{self.prog} --help'")


def _build() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="onboard",
        description="From 'we want to ship with Amazon Shipping' to a signed-off test label.",
    )
    parser.add_argument("--version", action="version", version=f"onboard {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    sandbox = commands.add_parser("sandbox", help="the embedded Amazon Shipping emulator")
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", metavar="COMMAND", parser_class=_Parser)
    serve = sandbox_commands.add_parser(
        "serve",
        help="serve the emulator of Login with Amazon and Shipping v2 on loopback",
        description="Serve an emulator of Login with Amazon and the Amazon Shipping v2 API. Without credential "
        "flags it accepts the published demo credentials, which it prints at start.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="port to listen on, 0 for any free one (default: 8765)")
    serve.add_argument("--client-id", metavar="ID", help="the LWA client id to accept (default: the demo one)")
    serve.add_argument(
        "--client-secret",
        metavar="S",
        action="append",
        help="a client secret to accept; repeat for a rotation overlap",
    )
    serve.add_argument(
        "--refresh-token", metavar="T", action="append", help="a refresh token to accept; may be repeated"
    )
    serve.add_argument(
        "--faults",
        metavar="SPEC",
        default="",
        help="inject faults, e.g. '429=0.2,500=0.05,slow=0.02,ratelimit=sandbox,seed=1' (see README)",
    )
    serve.add_argument("--no-role", action="store_true", help="act as an app without the Amazon Logistics role")
    serve.add_argument(
        "--token-ttl", metavar="SECONDS", type=int, default=3600, help="access token lifetime (default: 3600)"
    )
    serve.add_argument("-q", "--quiet", action="store_true", help="log warnings only, not every request")
    serve.set_defaults(handler="onboard.commands.sandbox:serve")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build()
    try:
        args = parser.parse_args(argv)
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_help()
            return exit_codes.USAGE
        module_name, _, function = handler.partition(":")
        run = getattr(importlib.import_module(module_name), function)
        code: int = run(args)
        return code
    except OnboardError as error:
        print(f"onboard: error: {error.one_line()}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("onboard: interrupted", file=sys.stderr)
        return exit_codes.INTERRUPTED
