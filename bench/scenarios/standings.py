"""Staff standings of a big event, and the results book built from it.

One running event of 1,000 entries x 7 judges x 10 judgement criteria (70,000 scores, all
signed; bench/datasets.py `standings`). The staff standings page computes the results from
every score (unless the app kept them from an earlier request), so it is measured as a slow
page (ctx.measure(slow=True)): one wrk connection per gunicorn worker, so that its latency is
the server's time for one page rather than time spent queueing behind other requests. Its
very first request, before anything can be cached, is timed on its own. The results book
(成绩册: every judge's marks and the results) is built by a background job the first time
(book_build: from the request until the job page says done), then fetched a few times in a
row, one request at a time, served from the job's stored file (book_xlsx).
"""
import statistics
import time

from bench import client
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
    return [first, standings, *book(ctx, code, staff)]


def first_request(ctx, path, cookie):
    """The page's first request: whatever the app caches between requests, nothing is cached yet."""
    started = time.perf_counter()
    status, _, body = ctx.request("GET", path, cookie)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise BenchError(f"standings_first: GET {path} answered {status}:\n{body[:500]!r}")
    return Figure("standings_first", elapsed * 1000, "ms", note="the first request of the page, one sample")


def book(ctx, code, cookie):
    """[book_build, book_xlsx]: the first request starts the job; later ones download its file."""
    path = f"/competitions/{code}/book.xlsx"
    started = time.perf_counter()
    status, headers, body = ctx.request("GET", path, cookie)
    if status != 303 or "/jobs/" not in headers.get("Location", ""):
        raise BenchError(f"book_xlsx: the first GET {path} answered {status}, not a job:\n{body[:500]!r}")
    outcome, page = client.wait_for_job(ctx.base_url, headers["Location"], cookie)
    build = time.perf_counter() - started
    if outcome != "done":
        raise BenchError(f"book_xlsx: the job {outcome}:\n{page[:1000]}")
    timings, size = [], 0
    for _ in range(BOOK_REQUESTS):
        started = time.perf_counter()
        status, _, body = ctx.request("GET", path, cookie)
        timings.append(time.perf_counter() - started)
        if status != 200 or not body.startswith(b"PK"):
            raise BenchError(f"book_xlsx: GET {path} answered {status}:\n{body[:500]!r}")
        size = len(body)
    return [Figure("book_build", build, "s", note="first request until its job is done (the consumer builds it)"),
            Figure("book_xlsx", statistics.median(timings) * 1000, "ms",
                   note=f"median of {BOOK_REQUESTS} sequential GETs of the stored book, {size / 1e6:.1f} MB, "
                        f"max {max(timings) * 1000:.0f} ms; target < 50 ms")]
