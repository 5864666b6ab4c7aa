"""Set up the system under test, run the scenarios, print one line per figure."""
import contextlib
import datetime
import os
import platform
import sys
import tempfile
from pathlib import Path

from bench import server, wrk
from bench.context import Context, Figure
from bench.scenarios import PURE, SCENARIOS


def run(scenario_names, duration, backend):
    print_header(duration, backend, scenario_names)
    if set(scenario_names) <= PURE:
        run_pure(scenario_names)
        return
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="union-bench-")))
        progress(f"building the {backend} database with demo data")
        database_url = stack.enter_context(server.database(backend, workdir))
        env = server.app_env(database_url, workdir)
        accounts = server.load_demo(env)
        progress(f"starting gunicorn -w {server.WORKERS} -k sync")
        process, base_url = stack.enter_context(server.gunicorn(env, workdir))
        progress("starting the Huey consumer for background jobs")
        stack.enter_context(server.consumer(env, workdir))
        ctx = Context(base_url, duration, backend, database_url, env, accounts, workdir=workdir)

        # Every ratio refers to this line, so it is measured first whatever the selection.
        reference = ctx.measure("healthz", "/healthz")
        print_figure(reference, reference)
        for name in scenario_names:
            progress(f"scenario {name}")
            for figure in SCENARIOS[name](ctx):
                print_figure(figure, reference)

        # After the load, so that the workers hold whatever the scenarios made them allocate.
        megabytes, processes = server.rss_mb(process.pid)
        print_figure(Figure("gunicorn_rss", megabytes, "MB", note=f"master + {processes - 1} workers"), reference)
        progress("stopping gunicorn and cleaning up")


def run_pure(scenario_names):
    """Scenarios that measure a pure engine in a child process: no database, no server."""
    for name in scenario_names:
        progress(f"scenario {name}")
        for figure in SCENARIOS[name](None):
            print_figure(figure, None)


def progress(message):
    # On stderr, so that stdout holds only the header and the figures.
    print(f"... {message}", file=sys.stderr, flush=True)


def print_header(duration, backend, scenario_names):
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    print(f"# union bench  {now}")
    print(f"# machine  {os.cpu_count()} cores, {cpu_model()}, {platform.system()} {platform.release()}, "
          f"Python {platform.python_version()}")
    print(f"# backend {backend}  duration {duration}s per URL  gunicorn -w {server.WORKERS} -k sync  "
          f"wrk -t{wrk.THREADS} -c{wrk.CONNECTIONS}  on 127.0.0.1")
    print(f"# scenarios {', '.join(scenario_names)}; ratio = req/s divided by /healthz req/s of this run",
          flush=True)


def cpu_model():
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.machine()


def print_figure(figure, reference):
    value = f"{figure.value:>8}" if isinstance(figure.value, int) else f"{figure.value:>8.1f}"
    line = f"{figure.name:<18} {figure.unit:<5} {value}"
    if figure.unit == "req/s":
        line += f"   ratio {figure.value / reference.value:.2f}"
        line += "".join(f"   p{p} {ms(v)} ms" for p, v in
                        (("50", figure.p50_ms), ("90", figure.p90_ms), ("99", figure.p99_ms)))
    if figure.errors:
        line += f"   errors {figure.errors}"
    if figure.note:
        line += f"   ({figure.note})"
    print(line, flush=True)


def ms(value):
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"
