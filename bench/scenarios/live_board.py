"""The live board of a running event of 1,000 entries, and its unchanged poll.

bench/datasets.py `standings` with its own code: 1,000 entries x 7 judges x 10 criteria, every
sheet signed. `GET /competitions/<code>/live/<event>` as an anonymous visitor asking for gzip
(as browsers do): the app checks a memoised version (signed sheets, status) before anything
else and serves the shared cached rendering. The poll sends back the ETag: a 304 without a body.
Targets: ratio >= 0.5 for the board, >= 0.8 for the unchanged poll.
"""
from bench.server import BenchError

GZIP = "Accept-Encoding: gzip"


def run(ctx):
    data = ctx.dataset("standings", "--entries", "1000", "--code", "bench-live")
    path = f"/competitions/{data['code']}/live/{data['event_code']}"
    status, headers, body = ctx.request("GET", path, headers={"Accept-Encoding": "gzip"})
    etag = headers.get("ETag")
    if status != 200 or not etag:
        raise BenchError(f"live_1000: GET {path} answered {status} with ETag {etag!r}")
    _, _, plain = ctx.request("GET", path)
    size = f"{len(plain) / 1000:.0f} kB, {len(body) / 1000:.0f} kB gzipped"
    board = ctx.measure("live_1000", path, headers=[GZIP],
                        note=f"{data['entries']} entries, anonymous, gzip ({size}); target ratio >= 0.5")
    poll = ctx.measure("live_304", path, headers=[GZIP, f"If-None-Match: {etag}"], expect=304,
                       note="If-None-Match, unchanged; target ratio >= 0.8")
    return [board, poll]
