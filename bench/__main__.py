"""python -m bench [--duration S] [--only NAME ...] [--backend sqlite|postgresql]"""
import argparse
import signal
import sys

from bench.runner import run
from bench.server import BenchError
from bench.scenarios import SCENARIOS


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description="Throughput, latency and memory figures for the app under gunicorn.")
    parser.add_argument("--duration", type=int, default=10, metavar="S",
                        help="seconds of load per measured URL, after a 1 s warm-up (default 10)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help=f"run only these scenarios (repeat or comma-separate): {', '.join(SCENARIOS)}")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite",
                        help="database behind the app (default sqlite)")
    args = parser.parse_args(argv)
    if args.duration < 1:
        parser.error("--duration must be at least 1 second")
    names = [n.strip() for item in (args.only or []) for n in item.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    # Keep the registry's order so that runs stay comparable.
    args.scenarios = [n for n in SCENARIOS if not names or n in names]
    return args


def main(argv=None):
    args = parse_args(argv)
    # A plain SIGTERM (make killed, CI timeout) must still stop gunicorn and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        run(args.scenarios, duration=args.duration, backend=args.backend)
    except BenchError as error:
        print(f"bench: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
