"""The public course catalog with 2,000 courses: everything, a search, and a filter.

bench/datasets.py `catalog` bulk-inserts 2,000 published courses (still to start or running)
at the demo's six training bases in twelve trades, every level, one in five full (the demo's
own upcoming courses are listed too), and counts the SQL statements of one request of each URL
in-process (Flask's test client with a SQLAlchemy event listener, transaction control not
counted). Each URL is then measured twice as an anonymous visitor (asking for gzip, as browsers do):

catalog_2000, catalog_search, catalog_filter   wrk -c16: req/s and latencies under load (p50
    there includes queueing behind the other 15 connections)
..._ms   the median of sequential GETs, one at a time: what one visitor waits for a page.
    Target: under 100 ms on SQLite.
"""
import statistics
import time
from urllib.parse import quote

from bench.context import Figure
from bench.server import BenchError

SEQUENTIAL = 30
TARGET = "target median < 100 ms"
NAMES = (("catalog_2000", "no filter, page 1"),
         ("catalog_search", "q=焊工 and only with seats left"),
         ("catalog_filter", "one trade (焊工) at level 4"),
         ("catalog_q", "q=焊"))
# As a browser asks: the app sends its cached gzip copy (app/cache.py cached_page).
GZIP = ("Accept-Encoding: gzip",)


def run(ctx):
    data = ctx.dataset("catalog")
    figures = []
    for (name, what), raw, matches in zip(NAMES, data["paths"], data["matches"]):
        path = quote(raw, safe="/?&=")
        status, sql, _ = data["probes"][raw]
        facts = f"{what}: {matches:,} courses listed, 20 a page; {sql} SQL statements"
        if status != 200:
            raise BenchError(f"{name}: GET {raw} answered {status} in-process")
        figures.append(ctx.measure(name, path, headers=GZIP, note=f"{facts}; anonymous, gzip; target ratio >= 0.4"))
        figures.append(sequential(ctx, f"{name}_ms", path))
    return figures


def sequential(ctx, name, path, count=SEQUENTIAL):
    timings, size = [], 0
    for _ in range(count):
        started = time.perf_counter()
        status, _, body = ctx.request("GET", path)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise BenchError(f"{name}: GET {path} answered {status}:\n{body[:500]!r}")
        size = len(body)
    p90 = statistics.quantiles(timings, n=10)[-1]
    return Figure(name, statistics.median(timings), "ms",
                  note=f"median of {count} sequential GETs, p90 {p90:.0f} ms, {size / 1000:.0f} kB; {TARGET}")
