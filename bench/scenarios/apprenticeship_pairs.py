"""The staff pair list of a programme with 28,000 proposed pairs (the issue's figure: < 100 ms with a
constant number of SQL statements).

Into the served database (after the demo): 30 trades, then `flask apprenticeship import` of a
workbook of 10,000 masters (3–5 places each) and 28,000 apprentices over 500 units under 25
district/industry unions, then `flask apprenticeship match BENCHPAIRS` — every apprentice gets a
master, so the programme holds 28,000 proposed pairs. The demo's city staff account (who sees every
unit) then reads `GET /apprenticeship/manage/programmes/BENCHPAIRS/pairs`.

pairs_list_ms      median of 20 sequential GETs of page 1 (50 rows); target < 100 ms
pairs_deep_ms      the same for a page deep in the list (page 500, an OFFSET of 24,950)
pairs_search_ms    the same for a name search (q=徒弟123) and a status filter
pairs_sql          SQL statements of one request (counted in a child process with Flask's test client,
                   transaction control not counted); the note has the deep page's and the search's,
                   which must be the same number
pairs_wrk          page 1 under wrk -c16
"""
import json
import random
import re
import statistics
import subprocess
import sys
import time

from openpyxl import Workbook

from bench import server
from bench.context import Figure
from bench.server import BenchError

MASTERS, APPRENTICES, TRADES, DISTRICTS, UNITS = 10_000, 28_000, 30, 25, 500
CODE = "BENCHPAIRS"
REPEATS = 20
BASE = f"/apprenticeship/manage/programmes/{CODE}/pairs"
PATHS = {"pairs_list_ms": BASE, "pairs_deep_ms": f"{BASE}?page=500",
         "pairs_search_ms": f"{BASE}?q=%E5%BE%92%E5%BC%9F123&status=proposed"}

SEED_TRADES = (
    "from wsgi import app\n"
    "from app.extensions import db\n"
    "from app.accounts.models import Trade\n"
    "with app.app_context():\n"
    f"    db.session.add_all([Trade(code=f'BP{{i:02d}}', name=f'结对工种{{i}}') for i in range({TRADES})])\n"
    "    db.session.commit()\n"
)

# The programme belongs to the bench's own federation, so it draws on these 28,000 people and not on
# the demo's (a programme matches the people below its organiser).
CREATE_PROGRAMME = (
    "import sqlalchemy as sa\n"
    "from wsgi import app\n"
    "from app.extensions import db\n"
    "from app.accounts.models import Organization\n"
    "from app.apprenticeship.models import Programme\n"
    "with app.app_context():\n"
    "    city = db.session.scalar(sa.select(Organization).where(Organization.name == '结对市总工会'))\n"
    f"    db.session.add(Programme(code='{CODE}', name='{CODE}', organiser=city))\n"
    "    db.session.commit()\n"
)

COUNT_STATEMENTS = (
    "import json, sys\n"
    "from wsgi import app\n"
    "from bench.datasets import _count_staff_queries\n"
    "with app.app_context():\n"
    "    print(json.dumps(_count_staff_queries(json.loads(sys.argv[1]))))\n"
)


def write_workbook(path):
    rng = random.Random(2800)
    book = Workbook(write_only=True)

    def sheet(title, rows):
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)

    districts = [f"结对区{d}总工会" for d in range(DISTRICTS)]
    units = [f"结对单位{u}工会" for u in range(UNITS)]
    sheet("units", [["name", "parent"], ["结对市总工会", None]] + [[d, "结对市总工会"] for d in districts]
          + [[u, districts[i % DISTRICTS]] for i, u in enumerate(units)])
    by_trade = {t: [] for t in range(TRADES)}
    masters = [["username", "name", "unit", "trade", "level", "capacity"]]
    for i in range(MASTERS):
        trade = i % TRADES  # even trades, so every apprentice finds a place
        by_trade[trade].append(f"pm{i:05d}")
        masters.append([f"pm{i:05d}", f"师傅{i}", rng.choice(units), f"BP{trade:02d}", rng.randint(1, 3),
                        rng.randint(3, 5)])
    sheet("masters", masters)
    apprentices = [["username", "name", "unit", "trade", "level", "preferences"]]
    for i in range(APPRENTICES):
        trade = i % TRADES
        preferences = ",".join(rng.sample(by_trade[trade], 2)) if rng.random() < 0.3 else ""
        apprentices.append([f"pa{i:05d}", f"徒弟{i}", rng.choice(units), f"BP{trade:02d}", rng.randint(2, 5),
                            preferences])
    sheet("apprentices", apprentices)
    book.save(path)


def _run(env, args, what):
    result = subprocess.run([sys.executable, *args], cwd=server.ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"apprenticeship_pairs: {what} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    return result.stdout


def sequential(ctx, path, cookie):
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        status, _, body = ctx.request("GET", path, cookie)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise BenchError(f"apprenticeship_pairs: GET {path} answered {status}:\n{body[:500]!r}")
    timings.sort()
    return statistics.median(timings), timings[-1], len(body), len(re.findall(rb'id="apprenticeship-pair-\d+"', body))


def run(ctx):
    workbook = ctx.workdir / "pairs-people.xlsx"
    write_workbook(workbook)
    _run(ctx.env, ["-c", SEED_TRADES], "adding the trades")
    started = time.perf_counter()
    imported = ctx.flask("apprenticeship", "import", str(workbook))
    import_seconds = time.perf_counter() - started
    _run(ctx.env, ["-c", CREATE_PROGRAMME], "creating the programme")
    started = time.perf_counter()
    matched = ctx.flask("apprenticeship", "match", CODE, str(ctx.workdir / "pairs-out.xlsx"))
    match_seconds = time.perf_counter() - started
    if f"{APPRENTICES} pairs" not in matched:
        raise BenchError(f"apprenticeship_pairs: expected {APPRENTICES} pairs:\n{matched[-2000:]}")
    counted = json.loads(_run(ctx.env, ["-c", COUNT_STATEMENTS, json.dumps(list(PATHS.values()))],
                              "counting statements").strip().splitlines()[-1])
    # [[status, statements, ms] of the first request, [..] of the repeat] per path
    sql = {path: runs[-1][1] for path, runs in counted.items()}
    # The demo's city staff account ("staff", 市总工会) sees every unit; ctx.accounts["staff"] is the
    # last staff account the demo lists, a district union's, who would see none of these pairs.
    staff = ctx.sign_in("staff")
    figures = []
    what = {"pairs_list_ms": "page 1", "pairs_deep_ms": "page 500 (OFFSET 24,950)",
            "pairs_search_ms": "q=徒弟123, proposed only"}
    for name, path in PATHS.items():
        median, slowest, size, rows = sequential(ctx, path, staff)
        if rows == 0:
            raise BenchError(f"apprenticeship_pairs: GET {path} listed no pair")
        note = (f"{what[name]}: median of {REPEATS} sequential GETs, max {slowest:.0f} ms, {rows} rows, "
                f"{size // 1024} KB, {sql[path]} SQL statements; city staff; target < 100 ms")
        figures.append(Figure(name, median, "ms", note=note))
    figures.append(Figure("pairs_sql", sql[BASE], "stmts",
                          note=f"one request of page 1 ({APPRENTICES:,} pairs); "
                               f"page 500: {sql[PATHS['pairs_deep_ms']]}, "
                               f"search: {sql[PATHS['pairs_search_ms']]}; import {import_seconds:.0f} s, "
                               f"match {match_seconds:.0f} s ({imported.strip().splitlines()[-1][:60]})"))
    figures.append(ctx.measure("pairs_wrk", BASE, cookie=staff, timeout=10, note="page 1 under wrk -c16, city staff"))
    return figures
