"""The innovation ranking board of a designation programme: 600 applications × 7 experts × 5 criteria.

bench/datasets.py `innovation_board` (21,000 marks, two studio types with quotas, experts without a
unit). The staff page `GET /innovation/manage/programmes/<code>/board` signed in as `staff`.

board_first     the very first request (nothing cached): ranks every application, one sample, ms
board_repeat    the same page again, one request at a time: the median of 20 sequential GETs; the note
                has the p95 and the slowest; target < 150 ms
board_sql       SQL statements of one repeat request (counted in the data set builder's process with
                Flask's test client; the note has the first request's count too); constant whatever the
                number of applications
board_wrk       the same page under wrk (-c16), whose p50 includes queueing
"""
import statistics

from bench.context import Figure
from bench.scenarios.standings_3000 import timed

REPEATS = 20


def run(ctx):
    data = ctx.dataset("innovation_board", "--code", "bench-board")
    staff = ctx.sign_in(ctx.accounts["staff"])
    path = f"/innovation/manage/programmes/{data['code']}/board"
    first, body = timed(ctx, path, staff)
    what = f"{data['applications']} applications, {data['scores']:,} marks"
    figures = [Figure("board_first", first, "ms", note=f"{what}; {len(body) // 1024} KB; nothing cached, one sample")]
    repeats = sorted(timed(ctx, path, staff)[0] for _ in range(REPEATS))
    p95 = repeats[min(len(repeats) - 1, round(0.95 * len(repeats)) - 1)]
    figures.append(Figure("board_repeat", statistics.median(repeats), "ms",
                          note=f"median of {REPEATS} sequential GETs, p95 {p95:.0f} ms, max {repeats[-1]:.0f} ms; "
                               "staff; target < 150 ms"))
    (_, first_count, first_ms), (_, repeat_count, repeat_ms) = data["statements"][path]
    figures.append(Figure("board_sql", repeat_count, "stmts",
                          note=f"SQL statements of a repeat request (the first: {first_count}); in-process, "
                               f"where the first took {first_ms:.0f} ms and the repeat {repeat_ms:.0f} ms"))
    figures.append(ctx.measure("board_wrk", path, cookie=staff, timeout=10, note="the same under wrk -c16, staff"))
    return figures
