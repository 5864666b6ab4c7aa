"""Staff standings of a big event, and the results book built from it.

One running event of 1,000 entries x 7 judges x 10 judgement criteria (70,000 scores, all
signed; bench/datasets.py `standings`). The staff standings page computes the results from
every score (unless the app kept them from an earlier request), so it is measured as a slow
page (ctx.measure(slow=True)): one wrk connection per gunicorn worker, so that its latency is
the server's time for one page rather than time spent queueing behind other requests. Its
very first request, before anything can be cached, is timed on its own. The results book
(成绩册: every judge's marks and the results) is fetched a few times in a row, one request
at a time.
"""
import statistics
import time

from bench.context import Figure
from bench.server import BenchError

BOOK_REQUESTS = 3


def run(ctx):
    data = ctx.dataset("standings")
    staff = ctx.sign_in(ctx.accounts["staff"])
    code, event_id = data["code"], data["event_id"]
    path = f"/competitions/{code}/events/{event_id}/standings"
    first = first_request(ctx, path, staff)
    standings = ctx.measure("standings_1000", path, cookie=staff, slow=True,
                            note=f"{data['scores']:,} scores, staff, repeated")
    return [first, standings, book(ctx, code, staff)]


def first_request(ctx, path, cookie):
    """The page's first request: whatever the app caches between requests, nothing is cached yet."""
    started = time.perf_counter()
    status, _, body = ctx.request("GET", path, cookie)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise BenchError(f"standings_first: GET {path} answered {status}:\n{body[:500]!r}")
    return Figure("standings_first", elapsed * 1000, "ms", note="the first request of the page, one sample")


def book(ctx, code, cookie):
    path = f"/competitions/{code}/book.xlsx"
    timings, size = [], 0
    for _ in range(BOOK_REQUESTS):
        started = time.perf_counter()
        status, _, body = ctx.request("GET", path, cookie)
        timings.append(time.perf_counter() - started)
        if status != 200 or not body.startswith(b"PK"):
            raise BenchError(f"book_xlsx: GET {path} answered {status}:\n{body[:500]!r}")
        size = len(body)
    return Figure("book_xlsx", statistics.median(timings) * 1000, "ms",
                  note=f"median of {BOOK_REQUESTS} sequential GETs, {size / 1e6:.1f} MB, "
                       f"max {max(timings) * 1000:.0f} ms")
