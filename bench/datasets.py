"""Data sets for the scenarios, made with the app's own services and bulk helpers.

`python -m bench.datasets NAME [--option value ...]` runs with the bench environment
(`ctx.dataset(NAME, ...)` does that, against the bench database), builds one data set in one
transaction and prints, as its last line, a JSON object with what the scenario needs (codes,
ids, logins). The bench process itself never imports the app.

    standings    a running competition, one event of 1,000 entries x 7 judges x 10 criteria, all
                 marks entered and signed (70,000 scores)
    score_save   a running competition, one event of 1,000 entries with 7 judges' marks (60 %,
                 unsigned) and 21 more judges without a unit and without marks, for the save benchmark
    leaderboard  a competition with published final results, one event of 300 entries
    score_rows   (a query, not a data set) the stored marks of the given judges
    workbook     (no database) writes the 70,000-score import workbook to a path

Bench judges have no unit, so that no entry is hidden from them as a conflict of interest;
their password is the demo password.
"""
import argparse
import json
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal as D

from bench.server import ROOT, BenchError

PASSWORD = "demo1234"  # the demo accounts' password (app/demo.py)

# Theory 30 % / practical 70 %, ten judgement criteria in all; every maximum is at least 10.
TEN_CRITERIA = [
    ("theory", "理论知识", D(30), [("T1", "基础知识", D(40)), ("T2", "识图", D(30)), ("T3", "工艺计算", D(30))]),
    ("practical", "实际操作", D(70), [("P1", "操作规范", D(20)), ("P2", "作品质量", D(15)),
                                   ("P3", "尺寸精度", D(15)), ("P4", "表面质量", D(15)),
                                   ("P5", "工艺参数", D(15)), ("P6", "安全文明", D(10)),
                                   ("P7", "工时", D(10))]),
]
AWARDS = "一等奖:1;二等奖:3;三等奖:10%"


def build(env, name, *args):
    """Run `python -m bench.datasets NAME ARGS` with `env`; return the JSON it prints last."""
    command = [sys.executable, "-m", "bench.datasets", name, *map(str, args)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise BenchError(f"`python -m bench.datasets {name}` failed:\n{result.stdout}{result.stderr[-4000:]}")
    return json.loads(lines[-1])


# ---- helpers (inside the app context)


def _actor():
    from app.accounts.demo import _Bootstrap

    return _Bootstrap()


def _units(actor):
    """The demo's units (and the extra ones the demo competitions use), as build_event wants them."""
    import sqlalchemy as sa

    from app.accounts.models import Organization
    from app.competitions.demo import ensure_units
    from app.extensions import db

    organizations = {o.short_name or o.name: o for o in db.session.scalars(sa.select(Organization))}
    return ensure_units(actor, organizations)


def _judges(actor, prefix, count, rng, first=1):
    """`count` judge accounts prefix01.. without a unit, ready to sign in."""
    from app.accounts import services as account_services
    from app.accounts.models import Role
    from app.competitions.demo import person

    judges = []
    for n in range(first, first + count):
        user, _ = account_services.create_user(actor, name=person(rng), roles=[Role.JUDGE],
                                               username=f"{prefix}{n:02d}", organization=None, password=PASSWORD)
        user.must_change_password = False
        judges.append(user)
    return judges


def _competition(actor, code, name):
    from app.competitions import services

    return services.save_competition(actor, None, code=code, name=name, edition="bench", year=date.today().year,
                                     organisers="徐州市总工会", starts_on=date.today(),
                                     ends_on=date.today() + timedelta(days=2), appeal_window_hours=2)


def _event(actor, competition, code, name, entries, judges, rng, stages=TEN_CRITERIA):
    from app.competitions.demo import build_event

    scheme = None if stages is None else [
        (stage, stage_name, weight, [(c, n, m, "judgement") for c, n, m in criteria])
        for stage, stage_name, weight, criteria in stages
    ]
    return build_event(actor, competition, code=code, name=name, trade=None, entries=entries, judges=judges,
                       chief=None, units=_units(actor), rng=rng, awards=AWARDS, stages=scheme)


def _start(actor, competition):
    from app.competitions import services
    from app.competitions.models import CompetitionStatus

    services.change_status(actor, competition, CompetitionStatus.REGISTRATION)
    services.change_status(actor, competition, CompetitionStatus.RUNNING)


def _count_scores(event):
    import sqlalchemy as sa

    from app.competitions.models import Entry, Score
    from app.extensions import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(Score).join(Entry, Entry.id == Score.entry_id)
                             .where(Entry.event_id == event.id))


# ---- the data sets


def standings(args):
    """One running event: 1,000 entries x 7 judges x 10 criteria, every sheet signed."""
    from app.competitions.demo import fill_marks

    rng = random.Random(2026)
    actor = _actor()
    competition = _competition(actor, "bench-standings", "基准测试：成绩计算")
    judges = _judges(actor, "bstd", args.judges, rng)
    event = _event(actor, competition, "QG", "钳工", args.entries, judges, rng)
    _start(actor, competition)
    fill_marks(actor, event, rng)
    return {"code": competition.code, "event_id": event.id, "event_code": event.code, "entries": args.entries,
            "judges": args.judges, "scores": _count_scores(event)}


def score_save(args):
    """One running event whose sheets are open: 7 judges' marks for 60 % of the entries, and
    21 more judges (bsave00..bsave20) without marks, for the single-cell save benchmark."""
    from app.competitions import services
    from app.competitions.demo import fill_marks

    rng = random.Random(2027)
    actor = _actor()
    competition = _competition(actor, "bench-save", "基准测试：评分录入")
    panel = _judges(actor, "bsrg", 7, rng)
    event = _event(actor, competition, "DG", "电工", args.entries, panel, rng)
    _start(actor, competition)
    fill_marks(actor, event, rng, share=0.6, sign=False)
    savers = _judges(actor, "bsave", args.savers, rng, first=0)
    for judge in savers:  # on the panel once the others' marks are in: their sheets start empty
        services.assign_judge(actor, event, judge)
    practical = next(s for s in event.stages if s.code == "practical")
    return {"code": competition.code, "event_id": event.id, "stage_id": practical.id,
            "entries": [e.id for e in sorted(event.entries, key=lambda e: e.bib)],
            "criteria": [c.id for c in practical.criteria],
            "maximum": str(min(c.max_mark for c in practical.criteria)),
            "judges": [j.username for j in savers], "scores": _count_scores(event)}


def leaderboard(args):
    """Final results published for one event of 300 entries (theory measured, practical judged)."""
    from app.competitions import publishing, services
    from app.competitions.demo import fill_marks
    from app.competitions.models import CompetitionStatus
    from app.db import utcnow

    rng = random.Random(2028)
    actor = _actor()
    competition = _competition(actor, "bench-public", "基准测试：公开成绩")
    judges = _judges(actor, "bpub", 7, rng)
    event = _event(actor, competition, "KD", "快件处理员", args.entries, judges, rng, stages=None)
    _start(actor, competition)
    fill_marks(actor, event, rng)
    services.change_status(actor, competition, CompetitionStatus.SCORING_CLOSED)
    publishing.publish_provisional(actor, competition)
    competition.appeal_deadline = utcnow() - timedelta(minutes=1)  # the 公示 window is over
    publishing.publish_final(actor, competition)
    return {"code": competition.code, "event_code": event.code, "entries": args.entries}


def score_rows(args):
    """The stored marks of some judges: [[username, entry id, criterion id, value], ...]."""
    import sqlalchemy as sa

    from app.accounts.models import User
    from app.competitions.models import Score
    from app.extensions import db

    usernames = [u for u in args.judges.split(",") if u]
    rows = db.session.execute(
        sa.select(User.username, Score.entry_id, Score.criterion_id, Score.value)
        .join(User, User.id == Score.judge_id).where(User.username.in_(usernames))
    ).all()
    return {"rows": [[u, e, c, str(v)] for u, e, c, v in rows]}


def workbook(args):
    """The import workbook, in the template's format (Chinese sheet names, bilingual headers):
    one event of `entries` entries x `judges` new judges (no unit) x 10 judgement criteria."""
    from openpyxl import Workbook

    from app.accounts.demo import ORGANIZATIONS
    from app.accounts.models import OrgKind
    from app.competitions import workbook as importer
    from app.competitions.demo import UNITS, person

    rng = random.Random(2029)
    units = [name for name, _, kind, _ in ORGANIZATIONS if kind == OrgKind.UNIT] + [name for _, name, _ in UNITS]
    criteria = [(stage, code, name, maximum) for stage, _, _, items in TEN_CRITERIA for code, name, maximum in items]
    stage_codes = {"theory": "LL", "practical": "SC"}
    judges = [f"bimp{n:02d}" for n in range(1, args.judges + 1)]
    bibs = [f"{n:04d}" for n in range(1, args.entries + 1)]
    rows = {
        "competition": [["比赛代码 code", "bench-import"], ["比赛名称 name", "基准测试：成绩导入"],
                        ["年度 year", date.today().year], ["届次 edition", "bench"],
                        ["主办单位 organisers", "徐州市总工会"], ["开始日期 starts_on", date.today()],
                        ["结束日期 ends_on", date.today() + timedelta(days=2)], ["申诉时限 appeal_window_hours", 2]],
        "events": [["GJ", "钳工", "个人", None, 5, "SC,LL", AWARDS, None, "否", None]],
        "stages": [["GJ", stage_codes[s], name, float(weight)] for s, name, weight, _ in TEN_CRITERIA],
        "criteria": [["GJ", stage_codes[s], code, name, float(maximum), "评分"] for s, code, name, maximum in criteria],
        "entries": [["GJ", bib, person(rng), rng.choice(units), None] for bib in bibs],
        "judges": [["GJ", username, person(rng), None, "否"] for username in judges],
    }

    def scores():
        for bib in bibs:
            skill = rng.uniform(0.55, 0.97)
            for _, code, _, maximum in criteria:
                for username in judges:
                    mark = float(maximum) * min(1.0, max(0.0, rng.gauss(skill, 0.05)))
                    yield ["GJ", bib, username, code, round(mark * 2) / 2]

    book = Workbook(write_only=True)
    count = 0
    for key, spec, columns, _ in importer.SHEETS:
        sheet = book.create_sheet(title=spec.label)
        sheet.append([column.header for column in columns])
        for row in (scores() if key == "scores" else rows[key]):
            sheet.append(row)
            count += key == "scores"
    book.save(args.path)
    return {"path": args.path, "scores": count, "entries": args.entries, "judges": args.judges}


BUILDERS = {"standings": standings, "score_save": score_save, "leaderboard": leaderboard,
            "score_rows": score_rows, "workbook": workbook}
NO_DATABASE = {"workbook"}
READ_ONLY = {"score_rows"}


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.datasets")
    parser.add_argument("name", choices=BUILDERS)
    parser.add_argument("path", nargs="?", help="workbook: where to write it")
    parser.add_argument("--entries", type=int)
    parser.add_argument("--judges", help="standings, workbook: how many; score_rows: comma-separated usernames")
    parser.add_argument("--savers", type=int, default=21, help="score_save: judges without marks (bsave00..)")
    args = parser.parse_args(argv)
    defaults = {"standings": 1000, "score_save": 1000, "leaderboard": 300, "workbook": 1000}
    args.entries = args.entries or defaults.get(args.name)
    if args.name in ("standings", "workbook"):
        args.judges = int(args.judges or 7)
    if args.name == "workbook" and not args.path:
        parser.error("workbook needs a path")
    return args


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    started = time.perf_counter()
    if args.name in NO_DATABASE:
        info = BUILDERS[args.name](args)
    else:
        from app import create_app
        from app.extensions import db

        app = create_app()
        with app.app_context():
            info = BUILDERS[args.name](args)
            if args.name in READ_ONLY:
                db.session.rollback()
            else:
                db.session.commit()
    info["seconds"] = round(time.perf_counter() - started, 2)
    print(json.dumps(info, ensure_ascii=False))


if __name__ == "__main__":
    main()
