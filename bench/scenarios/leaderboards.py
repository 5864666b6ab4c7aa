"""Published leaderboards of 1,000 and 3,000 entries as the public sees them.

bench/datasets.py `leaderboard` twice, with its own codes: final results published for one event
of 1,000 and of 3,000 entries. `GET /competitions/<code>/results/<event>` as an anonymous visitor
asking for gzip (as browsers do): the shared cached rendering and its gzip copy, made once per
published version. Targets: ratio >= 0.6 (1,000 entries) and >= 0.4 (3,000 entries).
"""
from bench.server import BenchError

GZIP = "Accept-Encoding: gzip"
TARGETS = {1000: "0.6", 3000: "0.4"}


def run(ctx):
    figures = []
    for entries, target in TARGETS.items():
        data = ctx.dataset("leaderboard", "--entries", str(entries), "--code", f"bench-lb{entries}")
        path = f"/competitions/{data['code']}/results/{data['event_code']}"
        status, _, packed = ctx.request("GET", path, headers={"Accept-Encoding": "gzip"})
        _, _, plain = ctx.request("GET", path)
        if status != 200:
            raise BenchError(f"leaderboard_{entries}: GET {path} answered {status}")
        size = f"{len(plain) / 1000:.0f} kB, {len(packed) / 1000:.0f} kB gzipped"
        figures.append(ctx.measure(f"leaderboard_{entries}", path, headers=[GZIP],
                                   note=f"{entries:,} entries, anonymous, gzip ({size}); target ratio >= {target}"))
    return figures
