"""The published leaderboard as the public sees it, and as a poll that finds it unchanged.

A competition with final results published for one event of 300 entries (bench/datasets.py
`leaderboard`). Anonymous visitors get the page from the per-version page cache; a poll
that sends back the page's ETag in If-None-Match gets a 304 with no body. Targets: ratio
≥ 0.5 of /healthz for the page, ≥ 0.8 for the unchanged poll.
"""
from bench.server import BenchError


def run(ctx):
    data = ctx.dataset("leaderboard")
    path = f"/competitions/{data['code']}/results/{data['event_code']}"
    page = ctx.measure("leaderboard_300", path, note=f"{data['entries']} entries, anonymous; target ratio >= 0.5")
    status, headers, _ = ctx.request("GET", path)
    etag = headers.get("ETag")
    if status != 200 or not etag:
        raise BenchError(f"leaderboard_304: GET {path} answered {status} with ETag {etag!r}")
    poll = ctx.measure("leaderboard_304", path, headers=[f"If-None-Match: {etag}"], expect=304,
                       note="If-None-Match, unchanged; target ratio >= 0.8")
    return [page, poll]
