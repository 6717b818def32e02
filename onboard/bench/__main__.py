"""``python -m onboard.bench [SUITE]``: the figures each issue's targets name; without a suite, all in one table."""

from __future__ import annotations

import argparse


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m onboard.bench", description="onboard's benchmarks")
    suites = parser.add_subparsers(dest="suite", metavar="SUITE")
    emulator = suites.add_parser("emulator", help="getRates requests/s and label purchase latency per format")
    emulator.add_argument("--connections", type=int, default=8)
    emulator.add_argument("--seconds", type=float, default=3.0)
    emulator.add_argument("--purchases", type=int, default=60, help="purchases timed per format and dpi")
    client = suites.add_parser("client", help="ShippingClient overhead against bare httpx, as a ratio")
    client.add_argument("--calls", type=int, default=1000)
    client.add_argument("--rounds", type=int, default=3)
    certify = suites.add_parser("certify", help="the whole catalog against the embedded emulator: wall time")
    certify.add_argument("--rounds", type=int, default=3)
    faults = suites.add_parser("faults", help="certification runs in a row under 429s, 500s and slow answers")
    faults.add_argument("--runs", type=int, default=50)
    faults.add_argument("--seed", type=int, default=1)
    labels = suites.add_parser("labels", help="ZPL carrier labels: render beside zebrash, label check, memory")
    labels.add_argument("--runs", type=int, default=5, help="warm runs timed per label")
    labels.add_argument("--zebrash-runs", type=int, default=5, help="warm zebrash renders timed per label")
    tui = suites.add_parser("tui", help="the TUI's first frame beside a bare Textual app's, taken in turns")
    tui.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    if args.suite is None:
        from onboard.bench import summary  # noqa: PLC0415

        return summary.run()
    if args.suite == "emulator":
        from onboard.bench import emulator as bench  # noqa: PLC0415 - each suite imports only what it runs

        return bench.run(args.connections, args.seconds, args.purchases)
    if args.suite == "client":
        from onboard.bench import client as client_bench  # noqa: PLC0415

        return client_bench.run(args.calls, args.rounds)
    if args.suite == "certify":
        from onboard.bench import certify as certify_bench  # noqa: PLC0415

        return certify_bench.run(args.rounds)
    if args.suite == "faults":
        from onboard.bench import faults as fault_suite  # noqa: PLC0415

        return fault_suite.run(args.runs, args.seed)
    if args.suite == "labels":
        from onboard.bench import labels as label_bench  # noqa: PLC0415

        return label_bench.run(args.runs, args.zebrash_runs)
    if args.suite == "tui":
        from onboard.bench import startup  # noqa: PLC0415

        return startup.run(args.runs)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
