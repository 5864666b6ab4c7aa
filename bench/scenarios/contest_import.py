"""Importing an achievement contest workbook from the command line: 572 submissions × 7 experts ×
5 criteria = 20,020 scores (the figure the contest asks for: under 5 s).

The workbook is written here with openpyxl (contest, criteria, units, submissions, experts and
scores sheets; 20 new units below a new federation, 7 new expert accounts), then
`flask innovation import FILE.xlsx` runs in a child process against a fresh, migrated database
of the run's backend, not the one gunicorn serves.

contest_import      wall-clock seconds of the whole command, interpreter start included. Target < 5 s.
contest_import_rss  the command's peak resident memory.
"""
import random
import sys

from openpyxl import Workbook

from bench import server
from bench.context import Figure
from bench.scenarios.import_70k import timed
from bench.server import BenchError

SUBMISSIONS, EXPERTS, CRITERIA = 572, 7, 5


def write_workbook(path):
    rng = random.Random(572)
    book = Workbook(write_only=True)

    def sheet(title, rows):
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)

    codes = [f"C{i}" for i in range(1, CRITERIA + 1)]
    sheet("contest", [["key", "value"], ["code", "BENCH-WX"], ["name", "五小成果评选（基准）"], ["year", 2025],
                      ["trim_at", 5], ["tie_break", "C1,C2"], ["awards", "一等奖:5;二等奖:15;三等奖:30;优秀奖:230>=60"],
                      ["prizes", "一等奖:5000;二等奖:3000;三等奖:1000;优秀奖:300"]])
    sheet("criteria", [["code", "name", "max", "weight"]] + [[c, f"指标{c}", 20, 20] for c in codes])
    units = [f"基准厂{i}工会" for i in range(1, 21)]
    sheet("units", [["name", "parent"], ["基准市总工会", None], ["基准专家协会", "基准市总工会"]]
          + [[u, "基准市总工会"] for u in units])
    numbers = [f"WX-{i:04d}" for i in range(1, SUBMISSIONS + 1)]
    sheet("submissions", [["no", "title", "type", "unit"]]
          + [[n, f"成果{n}", "小革新", units[i % len(units)]] for i, n in enumerate(numbers)])
    experts = [f"bench_expert{i}" for i in range(1, EXPERTS + 1)]
    sheet("experts", [["username", "name", "unit"]] + [[e, f"专家{i}", "基准专家协会"] for i, e in enumerate(experts)])
    sheet("scores", [["no", "expert", "criterion", "score"]]
          + [[n, e, c, rng.randint(20, 40) / 2] for n in numbers for e in experts for c in codes])
    book.save(path)
    return SUBMISSIONS * EXPERTS * CRITERIA


def run(ctx):
    workbook = ctx.workdir / "contest-572.xlsx"
    scores = write_workbook(workbook)
    folder = ctx.workdir / "contest-import"
    folder.mkdir(exist_ok=True)
    with server.database(ctx.backend, folder) as database_url:
        env = server.app_env(database_url, folder)
        server.flask(env, "db", "upgrade")
        seconds, peak_mb, output = timed([sys.executable, "-m", "flask", "--app", "wsgi", "innovation", "import",
                                          str(workbook)], env, folder)
    if f"{scores} scores" not in output:
        raise BenchError(f"contest_import: the import did not report {scores} scores:\n{output[-3000:]}")
    what = f"{scores:,} scores ({SUBMISSIONS} × {EXPERTS} × {CRITERIA}), {ctx.backend}"
    return [Figure("contest_import", seconds, "s", note=f"{what}; target < 5 s"),
            Figure("contest_import_rss", peak_mb, "MB", note="peak RSS of the import process")]
