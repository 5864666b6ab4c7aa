"""Enrolling a 10,000-row roster workbook into one course of 5,000 seats.

bench/datasets.py `roster` creates a published course of 5,000 seats (through the course
service) and writes a roster workbook in the template's format (姓名, 手机号): everyone of the
demo who has a mobile number, then new people, 10,000 rows in all. `python -m bench.datasets
roster_import FILE --course ID` then does in a child process, in the app context, what the
staff route POST /training/manage/courses/<id>/roster does: app.training.roster.import_roster
(staff, course, the workbook as a stream), then commit, against the bench database.

roster_10k      seconds of import_roster plus the commit, timed inside the child (the route's
                work; interpreter and app start are in the note). Target < 10 s.
roster_10k_rss  the child's peak resident memory in MB (ru_maxrss from wait4 on that child),
                the app's own footprint before the import in the note. Target < 250 MB.
roster_page     then the course's staff enrolments page (GET /training/manage/courses/<id>/enrolments,
                where the route redirects after an import) as `staff`: the median ms of 3
                sequential GETs, its size in the note.
"""
import json
import os
import statistics
import subprocess
import sys
import time

from bench import server
from bench.context import Figure
from bench.server import BenchError

ROWS, SEATS = 10_000, 5_000
PAGE_REQUESTS = 3


def run(ctx):
    workbook = ctx.workdir / "roster-10k.xlsx"
    data = ctx.dataset("roster", workbook, "--entries", ROWS, "--seats", SEATS)
    wall, peak_mb, info = timed([sys.executable, "-m", "bench.datasets", "roster_import", str(workbook),
                                 "--course", str(data["course_id"])], ctx.env, ctx.workdir)
    size = workbook.stat().st_size / 1e6
    counts = (f"{info['enrolled']:,} enrolled, {info['waitlisted']:,} waitlisted, {info['skipped']:,} skipped, "
              f"{info['created']:,} accounts created")
    seconds = info["import_seconds"] + info["commit_seconds"]
    return [Figure("roster_10k", seconds, "s",
                   note=f"{data['rows']:,} rows ({data['known']} already had an account), {size:.2f} MB xlsx, "
                        f"{data['seats']:,} seats: {counts}; commit {info['commit_seconds']:.2f} s, process "
                        f"{wall:.1f} s; {ctx.backend}; target < 10 s"),
            Figure("roster_10k_rss", peak_mb, "MB",
                   note=f"peak RSS of the import process, {info['rss_before_mb']:.0f} MB before the import; "
                        "target < 250 MB"),
            enrolments_page(ctx, data["course_id"], info["enrolled"] + info["waitlisted"])]


def enrolments_page(ctx, course_id, rows, count=PAGE_REQUESTS):
    path = f"/training/manage/courses/{course_id}/enrolments"
    staff = ctx.sign_in(ctx.accounts["staff"])
    timings, size = [], 0
    for _ in range(count):
        started = time.perf_counter()
        status, _, body = ctx.request("GET", path, staff)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise BenchError(f"roster_page: GET {path} answered {status}:\n{body[:500]!r}")
        size = len(body)
    return Figure("roster_page", statistics.median(timings), "ms",
                  note=f"the course's staff enrolments page after the import ({rows:,} enrolments), "
                       f"median of {count} sequential GETs, {size / 1e6:.1f} MB, max {max(timings):.0f} ms")


def timed(command, env, folder):
    """Run `command`; return (wall seconds, peak RSS in MB of that process, the JSON it printed last)."""
    log = folder / "roster-import.log"
    with open(log, "w") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=server.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        # wait4: this child's own peak, not the maximum over every child the bench has waited for.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    output = log.read_text()
    lines = output.strip().splitlines()
    if os.waitstatus_to_exitcode(status) != 0 or not lines:
        raise BenchError(f"roster_10k: the import exited with {os.waitstatus_to_exitcode(status)}:\n{output[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, json.loads(lines[-1])  # ru_maxrss is in KiB on Linux
