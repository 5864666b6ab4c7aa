"""Staff standings of a 3,000-entry event: the first request, repeats, and the first after a change.

bench/datasets.py `standings` with 3,000 entries x 7 judges x 10 criteria (210,000 signed
scores). The staff page `GET /competitions/<code>/events/<id>/standings` shows 100 rows a page
from rows kept in the shared cache per standings stamp.

std3k_first     the very first request (nothing cached): computes the rows, one sample, ms
std3k_repeat    the same page again, one request at a time: the median ms of 20 sequential GETs (rows from
                the cache, page 1 rendered); target < 100 ms
std3k_wrk       the same page under wrk (-c16), whose p50 includes queueing behind 15 other connections
std3k_change    then one mark changes (`mark_change`: a stored value and the stamp, as saving does) and
                four requests go at once (both workers): one worker computes the new rows for all, the
                others answer at once with the previous rows. The figure is the slowest of the four (the
                computing one), the note has the others; target < 500 ms
std3k_after     right after, the median of 6 sequential requests (both workers): the new rows from the
                shared cache, computed once
"""
import statistics
import threading
import time

from bench.context import Figure
from bench.server import BenchError

AT_ONCE = 4
REPEATS = 20


def timed(ctx, path, cookie):
    started = time.perf_counter()
    status, _, body = ctx.request("GET", path, cookie)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        raise BenchError(f"std3k: GET {path} answered {status}:\n{body[:500]!r}")
    return elapsed, body


def run(ctx):
    data = ctx.dataset("standings", "--entries", "3000", "--code", "bench-std3k")
    staff = ctx.sign_in(ctx.accounts["staff"])
    path = f"/competitions/{data['code']}/events/{data['event_id']}/standings"
    first, _ = timed(ctx, path, staff)
    figures = [Figure("std3k_first", first, "ms", note=f"{data['scores']:,} scores; nothing cached, one sample")]
    repeats = [timed(ctx, path, staff)[0] for _ in range(REPEATS)]
    figures.append(Figure("std3k_repeat", statistics.median(repeats), "ms",
                          note=f"median of {REPEATS} sequential GETs, max {max(repeats):.0f} ms; 100 rows a page "
                               "from the cached rows, staff; target < 100 ms"))
    figures.append(ctx.measure("std3k_wrk", path, cookie=staff, note="the same under wrk -c16, staff"))

    change = ctx.dataset("mark_change", "--event", str(data["event_id"]))
    timings = []

    def one():
        timings.append(timed(ctx, path, staff)[0])

    threads = [threading.Thread(target=one) for _ in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(timings) != AT_ONCE:
        raise BenchError("std3k_change: a request failed")
    timings.sort()
    others = ", ".join(f"{t:.0f}" for t in timings[:-1])
    figures.append(Figure("std3k_change", timings[-1], "ms",
                          note=f"{AT_ONCE} requests at once after a mark change ({change['before']} -> "
                               f"{change['after']}); the others {others} ms; target < 500 ms"))
    after = [timed(ctx, path, staff)[0] for _ in range(6)]
    figures.append(Figure("std3k_after", statistics.median(after), "ms",
                          note=f"median of 6 sequential requests after the change, max {max(after):.0f} ms"))
    return figures
