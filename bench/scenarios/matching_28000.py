"""The apprenticeship matching engine on the issue's figure: 28,000 apprentices, 10,000 masters
(1 to 5 free places each), 30 trades, 500 units under 25 district/industry unions.
Target: < 30 s, < 1 GB.

A pure scenario (no server, no database): the instance is generated with a fixed seed and
`app.matching.match` runs in a child process, `python -m bench.scenarios.matching_28000`, so
that its peak memory is its own (`ru_maxrss` from `os.wait4`, OR-tools' native memory
included). Run it alone with

    .venv/bin/python -m bench --only matching_28000       # through the bench (no server started)
    .venv/bin/python -m bench.scenarios.matching_28000    # the child itself: prints its JSON

matching_28000   seconds of `match()` alone, timed in the child; the note has the pairs per scope,
                 the unmatched, the trades, and the time to build the instance.
matching_rss     the child's peak resident memory in MB (interpreter, imports, the instance and
                 the solve); the note has its resident memory before `match()`.
"""
import json
import os
import random
import resource
import subprocess
import sys
import time

from bench.context import Figure
from bench.server import ROOT, BenchError

SEED = 28000
APPRENTICES, MASTERS, TRADES, DISTRICTS, UNITS = 28_000, 10_000, 30, 25, 500


def build(seed=SEED):
    """The figure's instance: units spread evenly over the districts; masters at levels 1-3
    (技师 and up), apprentices at 2-5; 40 % of the apprentices rank 1-5 masters of their trade
    (mostly from their own district), 10 % name one or two to avoid."""
    from app.matching import Apprentice, Master

    rng = random.Random(seed)
    district_of = {unit: unit % DISTRICTS for unit in range(UNITS)}
    masters = []
    by_trade_district = {}
    for i in range(MASTERS):
        unit = rng.randrange(UNITS)
        trade = rng.randrange(TRADES)
        master = Master(f"M{i:05d}", trade, unit, district_of[unit], rng.choice((1, 2, 2, 3, 3, 3)), rng.randint(1, 5))
        masters.append(master)
        by_trade_district.setdefault((trade, district_of[unit]), []).append(master.id)
    by_trade = {}
    for (trade, _), ids in by_trade_district.items():
        by_trade.setdefault(trade, []).extend(ids)
    apprentices = []
    for i in range(APPRENTICES):
        unit = rng.randrange(UNITS)
        trade = rng.randrange(TRADES)
        district = district_of[unit]
        preferences, avoid = (), frozenset()
        if rng.random() < 0.4:
            near = by_trade_district.get((trade, district), [])
            pool = near if near and rng.random() < 0.7 else by_trade[trade]
            preferences = tuple(rng.sample(pool, min(len(pool), rng.randint(1, 5))))
        if rng.random() < 0.1:
            others = [m for m in rng.sample(by_trade[trade], min(3, len(by_trade[trade]))) if m not in preferences]
            avoid = frozenset(others[: rng.randint(1, 2)])
        apprentices.append(Apprentice(f"A{i:05d}", trade, unit, district, rng.randint(2, 5), preferences, avoid))
    return masters, apprentices


def child():
    from app.matching import Rules, match

    started = time.perf_counter()
    masters, apprentices = build()
    built = time.perf_counter() - started
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    result = match(masters, apprentices, Rules(max_level_gap=3))
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "build_seconds": built, "before_mb": before_mb,
                      "counts": result.counts(), "pairs": len(result.pairs)}))


def run(ctx=None):
    command = [sys.executable, "-m", "bench.scenarios.matching_28000"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # wait4 reports this child's own peak memory (RUSAGE_CHILDREN would be the largest of all
    # the bench's children). Its output is small, so waiting before reading the pipe is safe.
    _, status, usage = os.wait4(process.pid, 0)
    output, errors = process.stdout.read(), process.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise BenchError(f"matching_28000: the child failed:\n{errors[-3000:]}")
    data = json.loads(output)
    counts = data["counts"]
    note = (f"{data['pairs']} pairs: unit {counts['unit']}, industry {counts['industry']}, system {counts['system']};"
            f" unmatched {counts['unmatched']}; {TRADES} trades; instance built in {data['build_seconds']:.1f} s;"
            " target < 30 s")
    return [
        Figure("matching_28000", data["seconds"], "s", note=note),
        Figure("matching_rss", usage.ru_maxrss / 1024, "MB",
               note=f"child's peak; {data['before_mb']:.0f} MB before match(); target < 1024 MB"),
    ]


if __name__ == "__main__":
    child()
