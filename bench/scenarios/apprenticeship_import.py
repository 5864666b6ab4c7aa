"""Importing the people workbook from the command line: 28,000 people (10,000 masters, 18,000
apprentices) over 30 trades and 500 units under 25 district/industry unions (the figure the issue
asks for: under 10 s), then matching them.

The workbook is written here with openpyxl (units sheet creating the whole union tree; 40 % of the
apprentices rank one to three masters of their trade), the 30 trades are added to a fresh,
migrated database of the run's backend (not the one gunicorn serves), then
`flask apprenticeship import FILE.xlsx` and `flask apprenticeship match BENCH OUT.xlsx` run in
child processes.

apprenticeship_import      wall-clock seconds of the import command, interpreter start included.
                           Target < 10 s.
apprenticeship_import_rss  the import command's peak resident memory.
apprenticeship_match       wall-clock seconds of the match command (creates the programme, reads the
                           register, runs the engine, writes the pairs, writes OUT.xlsx).
"""
import random
import subprocess
import sys

from openpyxl import Workbook

from bench import server
from bench.context import Figure
from bench.scenarios.import_70k import timed
from bench.server import BenchError

MASTERS, APPRENTICES, TRADES, DISTRICTS, UNITS = 10_000, 18_000, 30, 25, 500

SEED_TRADES = (
    "from wsgi import app\n"
    "from app.extensions import db\n"
    "from app.accounts.models import Trade\n"
    "with app.app_context():\n"
    f"    db.session.add_all([Trade(code=f'BT{{i:02d}}', name=f'基准工种{{i}}') for i in range({TRADES})])\n"
    "    db.session.commit()\n"
)


def write_workbook(path):
    rng = random.Random(28000)
    book = Workbook(write_only=True)

    def sheet(title, rows):
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)

    districts = [f"基准区{d}总工会" for d in range(DISTRICTS)]
    units = [f"基准单位{u}工会" for u in range(UNITS)]
    sheet("units", [["name", "parent"], ["基准市总工会", None]] + [[d, "基准市总工会"] for d in districts]
          + [[u, districts[i % DISTRICTS]] for i, u in enumerate(units)])
    by_trade = {t: [] for t in range(TRADES)}
    masters = [["username", "name", "unit", "trade", "level", "capacity"]]
    for i in range(MASTERS):
        trade = rng.randrange(TRADES)
        by_trade[trade].append(f"bm{i:05d}")
        masters.append([f"bm{i:05d}", f"师傅{i}", rng.choice(units), f"BT{trade:02d}", rng.randint(1, 3),
                        rng.randint(1, 5)])
    sheet("masters", masters)
    apprentices = [["username", "name", "unit", "trade", "level", "preferences"]]
    for i in range(APPRENTICES):
        trade = rng.randrange(TRADES)
        preferences = ""
        if rng.random() < 0.4:
            preferences = ",".join(rng.sample(by_trade[trade], rng.randint(1, 3)))
        apprentices.append([f"ba{i:05d}", f"徒弟{i}", rng.choice(units), f"BT{trade:02d}", rng.randint(2, 5),
                            preferences])
    sheet("apprentices", apprentices)
    book.save(path)


def run(ctx):
    workbook = ctx.workdir / "people-28000.xlsx"
    write_workbook(workbook)
    folder = ctx.workdir / "apprenticeship-import"
    folder.mkdir(exist_ok=True)
    with server.database(ctx.backend, folder) as database_url:
        env = server.app_env(database_url, folder)
        server.flask(env, "db", "upgrade")
        seeded = subprocess.run([sys.executable, "-c", SEED_TRADES], cwd=server.ROOT, env=env, capture_output=True,
                                text=True)
        if seeded.returncode != 0:
            raise BenchError(f"apprenticeship_import: adding the trades failed:\n{seeded.stderr[-3000:]}")
        seconds, peak_mb, output = timed([sys.executable, "-m", "flask", "--app", "wsgi", "apprenticeship", "import",
                                          str(workbook)], env, folder)
        if f"imported {MASTERS} masters and {APPRENTICES} apprentices" not in output:
            raise BenchError(f"apprenticeship_import: the import did not report its counts:\n{output[-3000:]}")
        match_seconds, match_mb, match_output = timed(
            [sys.executable, "-m", "flask", "--app", "wsgi", "apprenticeship", "match", "BENCH",
             str(folder / "pairs.xlsx")], env, folder)
    what = f"{MASTERS + APPRENTICES:,} people ({MASTERS:,} masters, {APPRENTICES:,} apprentices), {ctx.backend}"
    summary = match_output.strip().splitlines()[-1] if match_output.strip() else ""
    return [Figure("apprenticeship_import", seconds, "s", note=f"{what}; target < 10 s"),
            Figure("apprenticeship_import_rss", peak_mb, "MB", note="peak RSS of the import process"),
            Figure("apprenticeship_match", match_seconds, "s",
                   note=f"the match command from the DB, peak RSS {match_mb:.0f} MB; {summary}")]
