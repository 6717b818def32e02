"""The ``onboard`` command line: parse, dispatch to ``onboard.commands``, render errors, exit.

Command modules are imported only when their command runs, so ``onboard --help`` stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from onboard import __version__, exit_codes, masking
from onboard.businesses import BUSINESSES
from onboard.display import ShownStream, shown
from onboard.errors import OnboardError, UsageError
from onboard.labels.formats import NAMES, spelled

# onboard uses no pydantic plugins, and looking for them reads the entry points of every installed package
# when the first model is built: about 0.15 s of every start (measured on the TUI's first frame). Someone
# who does want plugins sets the variable themselves, and that is left as it is.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (and the exit code is 2), not a usage dump, naming the command it
    is about and pointing at that command's own help."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("onboard").strip()
        raise UsageError(f"{command}: {message}" if command else message, f"see '{self.prog} --help'")

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and self.prog != "onboard":
            # a command's parser takes every word after the command: what it did not know is its mistake,
            # said with its own name and help (argparse would leave it to 'onboard' to report)
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


def _common(default: str | None) -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--workspace",
        metavar="DIR",
        default=default,
        help="the shipper's workspace (default: $ONBOARD_WORKSPACE, else one under your data directory)",
    )
    return common


def _build() -> argparse.ArgumentParser:
    # --workspace is accepted before or after the command; on the commands it defaults to SUPPRESS so
    # that it never overwrites a value given before the command with None
    common = _common(argparse.SUPPRESS)
    parser = _Parser(
        prog="onboard",
        description="From 'we want to ship with Amazon Shipping' to a signed-off test label.",
        epilog="With no command, in a terminal, onboard opens its app (the TUI): the whole journey, keyboard first. "
        "New here? 'onboard demo' walks the whole journey against the built-in emulator in a minute. "
        "Each command has its own help: onboard COMMAND --help.",
        parents=[_common(None)],
    )
    parser.add_argument("--version", action="version", version=f"onboard {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    init = commands.add_parser(
        "init",
        parents=[common],
        help="create or update the shipper's workspace, non-interactively",
        description="Create the workspace with a sample shipment for the business's country, or update the "
        "settings given on an existing one.",
    )
    init.add_argument("--business-id", choices=list(BUSINESSES), help="default: AmazonShipping_US")
    init.add_argument("--region", choices=["na", "eu", "fe"], help="default: the business id's region")
    init.add_argument("--env", choices=["emulator", "sandbox", "production"], help="default: emulator")
    init.add_argument("--shipper", metavar="NAME", help="the shipper's name (default: 'My company')")
    init.add_argument(
        "--formats",
        metavar=",".join(NAMES),
        help="the label formats you will print: sign-off needs a passing label in each (default: all three)",
    )
    init.add_argument(
        "--dpi", metavar="203,300", help="your printers' resolutions: sign-off needs each (default: both)"
    )
    init.set_defaults(handler="onboard.commands.init:run")

    status = commands.add_parser(
        "status", parents=[common], help="where onboarding stands: every step, what is due, what to do next"
    )
    status.add_argument("--json", action="store_true", help="print JSON: {steps: [...], next: ...}")
    status.set_defaults(handler="onboard.commands.status:run")

    step = commands.add_parser(
        "step", parents=[common], help="record a step's status, evidence or a note (saved at once)"
    )
    step.add_argument("step_id", metavar="ID", help="the step's id, as 'onboard status' lists it")
    step.add_argument(
        "--status", choices=["todo", "in_progress", "waiting", "done", "blocked", "skipped"], help="the new status"
    )
    step.add_argument(
        "--evidence", metavar="KEY=VALUE", action="append", default=[], help="a piece of evidence; may be repeated"
    )
    step.add_argument("--note", metavar="TEXT", help="a note for the audit trail")
    step.set_defaults(handler="onboard.commands.step:run")

    message = commands.add_parser(
        "message", parents=[common], help="print a ready-to-send RIVER message for a step, evidence filled in"
    )
    message.add_argument("step_id", metavar="STEP", help="the step the message is for")
    message.set_defaults(handler="onboard.commands.message:run")

    creds = commands.add_parser("creds", parents=[common], help="the LWA credentials: set, show, forget, verify")
    creds_commands = creds.add_subparsers(dest="creds_command", metavar="COMMAND", parser_class=_Parser)
    creds.set_defaults(handler="onboard.cli:group_help", group=creds)
    creds_set = creds_commands.add_parser(
        "set",
        parents=[common],
        help="store the LWA client id, client secret and refresh token",
        description="Store the credentials from LWA_CLIENT_ID, LWA_CLIENT_SECRET and LWA_REFRESH_TOKEN when set, "
        "else from hidden prompts. They go to the OS keyring, or a file only you can read when there is none; "
        "never into the workspace.",
    )
    creds_set.add_argument(
        "--secret-created", metavar="YYYY-MM-DD", help="when the client secret was made (default: today)"
    )
    creds_set.set_defaults(handler="onboard.commands.creds:set_")
    creds_show = creds_commands.add_parser("show", parents=[common], help="show the credentials, redacted")
    creds_show.add_argument("--json", action="store_true", help="print JSON")
    creds_show.set_defaults(handler="onboard.commands.creds:show")
    creds_forget = creds_commands.add_parser("forget", parents=[common], help="delete the stored credentials")
    creds_forget.set_defaults(handler="onboard.commands.creds:forget")
    creds_rotate = creds_commands.add_parser(
        "rotate",
        parents=[common],
        help="replace the client secret after a rotation, only once the new one works",
        description="Take the new client secret (LWA_NEW_CLIENT_SECRET, else a hidden prompt), check it live with "
        "the stored client id and refresh token, and only then replace the stored secret. Prints the next "
        "rotation deadline and how long the old secret keeps working.",
    )
    creds_rotate.set_defaults(handler="onboard.commands.creds:rotate")
    creds_verify = creds_commands.add_parser(
        "verify",
        parents=[common],
        help="check the credentials live and name the cause and fix of any failure",
        description="Exchange the refresh token, make a harmless getRates call with the workspace's sample "
        "shipment, and check region, business id and secret age. Exit 0 when all pass, 1 when a check fails, "
        "2 on a usage or configuration error.",
    )
    creds_verify.add_argument("--json", action="store_true", help='print JSON: {"ok", "checks": [...]}')
    creds_verify.set_defaults(handler="onboard.commands.creds:verify")

    certify = commands.add_parser(
        "certify",
        parents=[common],
        help="run the certification cases: rates, purchase, track, reprint, cancel, label checks",
        description="Run the certification catalog against the workspace's environment, record the run in the "
        "workspace, and cancel every label bought. Exit 0 when all cases pass, 1 when one fails, 2 on a usage or "
        "configuration error.",
    )
    certify.add_argument("--json", action="store_true", help='print JSON: {"ok", "run_id", "environment", "cases"}')
    certify.add_argument("--case", metavar="ID", nargs="+", action="extend", help="run only these cases")
    certify.add_argument("--formats", metavar=",".join(NAMES), help="label formats to buy (default: every one offered)")
    certify.add_argument("--dpi", metavar="203,300", help="label resolutions to buy (default: every one offered)")
    certify.add_argument(
        "--allow-production-purchase",
        action="store_true",
        help="against production, really buy (and at once cancel) labels",
    )
    certify.add_argument(
        "--cleanup", action="store_true", help="cancel labels an interrupted run left behind, then stop"
    )
    certify.set_defaults(handler="onboard.commands.certify:run")

    label = commands.add_parser("label", parents=[common], help="check label files as a print shop would")
    label_commands = label.add_subparsers(dest="label_command", metavar="COMMAND", parser_class=_Parser)
    label.set_defaults(handler="onboard.cli:group_help", group=label)
    label_check = label_commands.add_parser(
        "check",
        parents=[common],
        help="check a label file: format, 4x6 size, dpi, barcodes and the tracking ID",
        description="Exit 0 when the label passes, 1 when a check fails, 2 when the file cannot be read or the "
        "arguments are wrong.",
    )
    label_check.add_argument("file", metavar="FILE", help=f"a {spelled()} label")
    label_check.add_argument("--expect-tracking", metavar="ID", help="the tracking ID a barcode must carry")
    label_check.add_argument("--dpi", type=int, choices=[203, 300], help="the printer resolution the label is for")
    label_check.add_argument("--json", action="store_true", help="print the report as JSON")
    label_check.set_defaults(handler="onboard.commands.label:check")
    label_render = label_commands.add_parser(
        "render",
        parents=[common],
        help=f"draw a label ({', '.join(NAMES)}) at true size: PNG at the dpi, or a PDF of 4 x 6 in pages",
        description="Exit 0 when every label is drawn, 1 when parts are not drawn (listed), 2 when the file "
        "cannot be read.",
    )
    label_render.add_argument("file", metavar="FILE", help=f"a {spelled()} label")
    label_render.add_argument("--dpi", type=int, choices=[203, 300], default=203, help="printer resolution (203)")
    label_render.add_argument("--out", metavar="OUT.png|OUT.pdf", help="where to write (default: FILE as .png)")
    label_render.add_argument("--label", type=int, metavar="N", help="only the Nth label of the file")
    label_render.add_argument("--json", action="store_true", help="print what was drawn as JSON")
    label_render.set_defaults(handler="onboard.commands.label:render")
    label_print = label_commands.add_parser(
        "print",
        parents=[common],
        help="print a label: ZPL raw to a network label printer (9100), PDF or PNG to a CUPS queue at 100%%",
        description="The label's dpi must match the printer's when it can be asked (~HI). The printer is "
        "remembered per workspace. Exit 0 when printed, 2 when the file, the printer or the arguments are wrong.",
    )
    label_print.add_argument("file", metavar="FILE", help=f"a {spelled()} label")
    label_print_to = label_print.add_mutually_exclusive_group()
    label_print_to.add_argument("--printer", metavar="HOST[:PORT]", help="a network label printer (port 9100)")
    label_print_to.add_argument("--cups", metavar="QUEUE", help="a CUPS queue, through lp")
    label_print.add_argument("--dpi", type=int, choices=[203, 300], help="the resolution the label is for")
    label_print.add_argument("--copies", type=int, default=1, metavar="N", help="how many (1)")
    label_print.add_argument("--json", action="store_true", help="print what was printed as JSON")
    label_print.set_defaults(handler="onboard.commands.label:print_")
    label_scan = label_commands.add_parser(
        "scan",
        parents=[common],
        help="scan the printed label (a handheld scanner, or --image PHOTO) and record it on test-label",
        description="Exit 0 when a code read carries the tracking id (recorded on the test-label step), 1 when "
        "none does, 2 when the arguments or the photo are wrong.",
    )
    label_scan_for = label_scan.add_mutually_exclusive_group()
    label_scan_for.add_argument("--expect", metavar="TRACKING_ID", help="the tracking id (default: the last print's)")
    label_scan_for.add_argument("--run", metavar="RUN_ID", help="the run that bought the label")
    label_scan.add_argument("--image", metavar="PHOTO", help="a photo or scan of the paper label")
    label_scan.add_argument("--json", action="store_true", help="print what was read as JSON")
    label_scan.set_defaults(handler="onboard.commands.label:scan")

    pack = commands.add_parser(
        "pack",
        parents=[common],
        help="build the sign-off pack (zip) from the latest certification run",
        description="Build the sign-off pack from the latest certification run: report.pdf, report.html, the "
        "labels byte for byte, run.json and manifest.json. Refused when the run failed, unless --include-failed.",
    )
    pack.add_argument("--out", metavar="FILE.zip", help="where to write it (default: the workspace's packs/)")
    pack.add_argument("--include-failed", action="store_true", help="pack a run that did not pass")
    pack.set_defaults(handler="onboard.commands.pack:build")

    review = commands.add_parser(
        "review",
        parents=[common],
        help="check sign-off packs: hashes, cross-checks, coverage, environment (no workspace needed)",
        description="For the account manager: one pack in detail, or several (zips, or folders of them) as one line "
        "each and the totals. Exit 0 when every pack is intact, consistent, covered, passed and made against "
        "Amazon, 1 when one is not, 2 when one cannot be read (the others are still reviewed).",
    )
    review.add_argument("paths", metavar="PATH", nargs="+", help="a pack (.zip) or a folder of packs")
    review.add_argument(
        "--json",
        action="store_true",
        help='print JSON: {"ok", "intact", "environment", "problems", ...} for one pack, a list of them for several',
    )
    review.set_defaults(handler="onboard.commands.pack:review")

    revalidate = commands.add_parser(
        "revalidate",
        parents=[common],
        help="verify the credentials, rerun the certification and say what changed since the last pass",
        description="Unattended re-validation (cron, CI): never prompts. Exit 0 when everything passes and nothing "
        "regressed, 1 otherwise, 2 on a usage or configuration error.",
    )
    revalidate.add_argument(
        "--json", action="store_true", help='print JSON: {"ok", "credentials", "certification", "changes"}'
    )
    revalidate.add_argument("--pack", metavar="FILE.zip", help="also build a fresh sign-off pack")
    revalidate.add_argument(
        "--all", metavar="DIR", dest="all_dir", help="every workspace under DIR, concurrently, then a summary table"
    )
    revalidate.set_defaults(handler="onboard.commands.revalidate:run")

    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="the whole journey headless against the embedded emulator: a newcomer's first command",
    )
    demo.set_defaults(handler="onboard.commands.demo:run")

    sandbox = commands.add_parser("sandbox", parents=[common], help="the embedded Amazon Shipping emulator")
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", metavar="COMMAND", parser_class=_Parser)
    sandbox.set_defaults(handler="onboard.cli:group_help", group=sandbox)
    serve = sandbox_commands.add_parser(
        "serve",
        parents=[common],
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
    serve.add_argument(
        "--state",
        metavar="FILE",
        help=(
            "keep shipments, carrier accounts, collection forms, claims and tracking events in FILE, so a "
            "restarted emulator still knows them (default: in memory only)"
        ),
    )
    serve.add_argument("-q", "--quiet", action="store_true", help="log warnings only, not every request")
    serve.set_defaults(handler="onboard.commands.sandbox:serve")
    return parser


def group_help(args: argparse.Namespace) -> int:
    """A command group without its command ('onboard creds'): its commands, not the TUI."""
    group: argparse.ArgumentParser = args.group
    group.print_help()
    return exit_codes.USAGE


def main(argv: Sequence[str] | None = None) -> int:
    # every command starts as a new process: no secret known yet, every log record masked
    masking.reset()
    masking.install()
    streams = sys.stdout, sys.stderr
    try:
        return _main(argv, streams)
    finally:
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, ShownStream):
                with contextlib.suppress(OSError, ValueError):
                    stream.flush()
        sys.stdout, sys.stderr = streams


def _main(argv: Sequence[str] | None, streams: tuple[TextIO, TextIO]) -> int:
    parser = _build()
    try:
        args = parser.parse_args(argv)
        handler = getattr(args, "handler", None)
        if handler is None:
            if not (sys.stdin.isatty() and sys.stdout.isatty()):
                # the TUI needs a terminal; in a pipe or cron the commands are what is wanted
                parser.print_help()
                return exit_codes.USAGE
            handler = "onboard.tui.app:main"
            # the app's start allocates much and frees little (modules, classes, the first screen): the
            # collector's passes over it cost about 50 ms before the first frame. The app turns the collector
            # back on once that frame is drawn (onboard.tui.app), with what the start made set aside.
            gc.disable()
        else:
            # all a command prints, whatever printed it, with known secrets masked and controls made
            # visible; the TUI draws its screen itself (and outside text through onboard.display)
            sys.stdout, sys.stderr = ShownStream(streams[0]), ShownStream(streams[1])
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
    except BrokenPipeError:
        # the reader went away (onboard status | head): nothing left to say to it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return exit_codes.OK
    except Exception as error:
        # a bug, not bad input: still one line, with the way to see more
        from onboard.settings import debug_enabled  # noqa: PLC0415 - only on the error path

        if debug_enabled():
            raise
        first = shown(str(error).splitlines()[0], None) if str(error) else ""
        print(
            f"onboard: internal error: {type(error).__name__}: {first} (set ONBOARD_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return exit_codes.FAILED
