"""Importing a 70,000-score competition workbook from the command line.

bench/datasets.py `workbook` writes the workbook in the import template's format (its
Chinese sheet names and bilingual headers): one event, theory 30 % / practical 70 % with 10
judgement criteria, 1,000 entries from the demo's units, 7 new judges without a unit, and
70,000 scores. `flask competitions import FILE.xlsx` then runs in a child process against a
fresh database of the run's backend (migrated, with the demo data for its organisations),
not the one gunicorn serves. The child is `python -m bench.appcli competitions import FILE`,
which is `flask --app wsgi` except that it registers the command group if the app does not.

import_70k      wall-clock seconds of the whole command, interpreter start included. Target < 15 s.
import_70k_rss  the command's peak resident memory (ru_maxrss from wait4 on that child). Target < 300 MB.
import_70k_job  the same workbook uploaded by staff on the import page of the served app (its own
                database): seconds from the POST until the job's page says done; the Huey
                consumer (two worker threads, as `make run` starts it) does the work.
"""
import os
import subprocess
import sys
import time

from bench import appcli, client, server
from bench.context import Figure
from bench.server import BenchError


def run(ctx):
    workbook = ctx.workdir / "import-70k.xlsx"
    data = ctx.dataset("workbook", workbook)
    folder = ctx.workdir / "import"
    folder.mkdir(exist_ok=True)
    with server.database(ctx.backend, folder) as database_url:
        env = server.app_env(database_url, folder)
        server.flask(env, "db", "upgrade")
        server.flask(env, "demo")
        # bench/appcli.py is `flask --app wsgi`, registering the command group if the app does not.
        seconds, peak_mb, output = timed([sys.executable, "-m", "bench.appcli", "competitions", "import",
                                          str(workbook)], env, folder)
    if f"{data['scores']} scores" not in output:
        raise BenchError(f"import_70k: the import did not report {data['scores']} scores:\n{output[-3000:]}")
    size = workbook.stat().st_size / 1e6
    what = f"{data['scores']:,} scores, {data['entries']:,} entries, {size:.1f} MB xlsx, {ctx.backend}"
    if appcli.REGISTERED_HERE in output:
        what += "; `flask competitions` is not registered by the app, the bench registered it"
    return [Figure("import_70k", seconds, "s", note=f"{what}; target < 15 s"),
            Figure("import_70k_rss", peak_mb, "MB", note="peak RSS of the import process; target < 300 MB"),
            as_job(ctx, workbook, data)]


def as_job(ctx, workbook, data):
    """Upload the workbook on the web page and wait for the background job to finish."""
    staff = ctx.sign_in(ctx.accounts["staff"])
    started = time.perf_counter()
    status, headers, body = client.upload(ctx.base_url, "/competitions/manage/import", staff, "import-70k.xlsx",
                                          workbook.read_bytes())
    if status != 303 or "/jobs/" not in headers.get("Location", ""):
        raise BenchError(f"import_70k_job: the upload answered {status}, not a job:\n{body[:1000]!r}")
    answered = time.perf_counter() - started
    outcome, page = client.wait_for_job(ctx.base_url, headers["Location"], staff)
    seconds = time.perf_counter() - started
    if outcome != "done":
        raise BenchError(f"import_70k_job: the job {outcome}:\n{page[:2000]}")
    return Figure("import_70k_job", seconds, "s",
                  note=f"upload on the web page until the job is done; the upload answered in {answered * 1000:.0f} ms")


def timed(command, env, folder):
    """Run `command`; return (wall seconds, peak RSS in MB of that process, its output)."""
    log = folder / "import.log"
    with open(log, "w") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=server.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        # wait4 reports this child's own resource usage; RUSAGE_CHILDREN would be the maximum
        # over every child the bench has waited for (the data set builders are bigger).
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    output = log.read_text()
    if process.returncode != 0:
        raise BenchError(f"import_70k: `flask competitions import` exited with {process.returncode}:\n{output[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, output  # ru_maxrss is in KiB on Linux
