"""Data sets for the scenarios, made with the app's own services and bulk helpers.

`python -m bench.datasets NAME [--option value ...]` runs with the bench environment
(`ctx.dataset(NAME, ...)` does that, against the bench database), builds one data set in one
transaction and prints, as its last line, a JSON object with what the scenario needs (codes,
ids, logins). The bench process itself never imports the app.

    standings    a running competition, one event of 1,000 entries x 7 judges x 10 criteria, all
                 marks entered and signed (70,000 scores)
    score_save   a running competition, one event of 1,000 entries with 7 judges' marks (60 %,
                 unsigned) and 21 more judges without a unit and without marks, for the save benchmark
    leaderboard  a competition with published final results, one event of 300 entries (--entries, --code)
    mark_change  (a change, not a data set) one stored mark of an event gets another value, and the
                 event's standings stamp is bumped, as saving a mark does (--event)
    score_rows   (a query, not a data set) the stored marks of the given judges
    workbook     (no database) writes the 70,000-score import workbook to a path
    catalog      2,000 published courses at the demo's 6 training bases in 12 trades (bulk-inserted),
                 and the SQL statements of a few catalog requests, counted in-process
    roster       a course of 5,000 seats and a 10,000-row roster workbook (姓名, 手机号) at a path
    roster_import  (times itself) imports that workbook into that course as the staff route does
    innovation_board  a designation programme under review: 600 accepted applications x 7 experts x
                 5 criteria (21,000 marks), two studio types with quotas, and the SQL statements of
                 the staff ranking board (first and repeat), counted in-process
    certificates a finished course whose 40 trainees were certified through the services, and
                 2,000 more certificates bulk-inserted, for the verification page

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
    from app.accounts.demo import person

    judges = []
    for n in range(first, first + count):
        user, _ = account_services.create_user(actor, name=person(rng), roles=[Role.JUDGE],
                                               username=f"{prefix}{n:02d}", organization=None, password=PASSWORD)
        user.must_change_password = False
        judges.append(user)
    return judges


def _prefix(args, default):
    """Judges' login prefix: the data set's own, or one from --code when a scenario builds it twice."""
    return default if not args.code else args.code.replace("-", "") + "j"


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
    competition = _competition(actor, args.code or "bench-standings", "基准测试：成绩计算")
    judges = _judges(actor, _prefix(args, "bstd"), args.judges, rng)
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
    competition = _competition(actor, args.code or "bench-public", "基准测试：公开成绩")
    judges = _judges(actor, _prefix(args, "bpub"), 7, rng)
    event = _event(actor, competition, "KD", "快件处理员", args.entries, judges, rng, stages=None)
    _start(actor, competition)
    fill_marks(actor, event, rng)
    services.change_status(actor, competition, CompetitionStatus.SCORING_CLOSED)
    publishing.publish_provisional(actor, competition)
    competition.appeal_deadline = utcnow() - timedelta(minutes=1)  # the 公示 window is over
    publishing.publish_final(actor, competition)
    return {"code": competition.code, "event_code": event.code, "entries": args.entries}


def mark_change(args):
    """One mark of the event changes (the middle of its range, so the result really moves) and the
    event's standings stamp is bumped, as `scoresheets.save_mark` does; the sheets stay signed."""
    import sqlalchemy as sa

    from app.competitions.models import Entry, Score
    from app.extensions import db

    score = db.session.scalars(sa.select(Score).join(Entry, Entry.id == Score.entry_id)
                               .where(Entry.event_id == args.event).order_by(Score.id).limit(1)).one()
    before = score.value
    score.value = before - D("0.5") if before >= D("1") else before + D("0.5")
    db.session.flush()  # the ORM change bumps the event's results_stamp (competitions/stamps.py)
    return {"score_id": score.id, "before": str(before), "after": str(score.value)}


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
    from app.accounts.demo import person
    from app.competitions.demo_units import UNITS

    rng = random.Random(2029)
    units = [name for name, _, kind, _ in ORGANIZATIONS if kind == OrgKind.UNIT] + [name for _, name, _, _ in UNITS]
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
        for row in (scores() if key == "scores" else rows.get(key, ())):
            sheet.append(row)
            count += key == "scores"
    book.save(args.path)
    return {"path": args.path, "scores": count, "entries": args.entries, "judges": args.judges}



# ---- training (catalog_2000, roster_10k, verify_page)

# The twelve trades of the demo (app/accounts/demo.py TRADES), spread over the demo's six bases.
TRAINING_TRADES = ("HG", "DG", "DS", "ZB", "YY", "CAD", "BIM", "KD", "WRJ", "HJR", "JK", "JSY")
CATALOG_PROBES = ("/training/", "/training/?q=焊工&seats=y", "/training/?trade={trade}&level=4", "/training/?q=焊")


def _training_base():
    """The demo's welding base (or the first active one): where the bench's single courses run."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.training.models import BaseStatus, TrainingBase

    bases = db.session.scalars(sa.select(TrainingBase).where(TrainingBase.status == BaseStatus.ACTIVE)
                               .order_by(TrainingBase.id)).all()
    if not bases:
        raise BenchError("the demo data has no active training base (app/training/demo.py)")
    return next((b for b in bases if b.code == "dghg"), bases[0])


def _trade(code):
    import sqlalchemy as sa

    from app.accounts.models import Trade
    from app.extensions import db

    return db.session.scalar(sa.select(Trade).where(Trade.code == code))


def _course(actor, title, *, seats, starts_on, days=14, certificate=None):
    """One published welding course through the service (audited, like a staff form)."""
    from app.training import services
    from app.training.models import CourseStatus, Level

    return services.save_course(
        actor, None, base_id=_training_base().id, trade_id=_trade("HG").id, title=title,
        description="基准测试用培训班。", level=Level.FOUR, starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1), seats=seats, enrol_opens_at=None, enrol_closes_at=None,
        fee=D(0), eligibility="anyone", requires_approval=False, theory_weight=D(30), practical_weight=D(70),
        pass_mark=D(60), min_attendance=D(80), certificate_name=certificate,
        certificate_years=3 if certificate else None, status=CourseStatus.PUBLISHED)


def _bulk_trainees(rng, count):
    """`count` trainee accounts the way the demo makes them: sa.insert, no password (UNCLAIMED_PASSWORD)."""
    import sqlalchemy as sa

    from app.accounts.models import Organization
    from app.extensions import db
    from app.training.demo import _people

    units = db.session.scalars(sa.select(Organization).where(Organization.kind == "unit")).all()
    return _people(rng, count, units)


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def _count_queries(paths):
    """Each path GET as an anonymous visitor in-process (Flask's test client, a fresh app
    context and session each): path -> [status, SQL statements, ms]. Transaction control
    (BEGIN and the like) is not counted. Everything is committed first."""
    import sqlalchemy as sa
    from flask import current_app

    from app.extensions import db

    db.session.commit()
    app = current_app._get_current_object()
    statements = []

    def count(_connection, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    found = {}
    try:
        for path in paths:
            for _ in range(2):  # the first request of a process also compiles templates
                statements.clear()
                with app.app_context():
                    started = time.perf_counter()
                    response = app.test_client().get(path)
                    elapsed = time.perf_counter() - started
            found[path] = [response.status_code, len(statements), round(elapsed * 1000, 1)]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return found


def catalog(args):
    """`entries` published courses (default 2,000) at the demo's six bases in twelve trades, bulk-inserted:
    still to start or running, all levels, some with a fee, seats partly taken and one in five full."""
    import sqlalchemy as sa

    from app.accounts.models import Trade
    from app.db import utcnow
    from app.extensions import db
    from app.training import queries
    from app.training.models import BaseStatus, Course, CourseStatus, Eligibility, Level, TrainingBase

    rng = random.Random(2030)
    bases = db.session.scalars(sa.select(TrainingBase).where(TrainingBase.status == BaseStatus.ACTIVE)
                               .order_by(TrainingBase.id)).all()
    trades = db.session.scalars(sa.select(Trade).where(Trade.code.in_(TRAINING_TRADES)).order_by(Trade.id)).all()
    if len(bases) < 6 or len(trades) < 12:
        raise BenchError(f"the demo has {len(bases)} active training bases and {len(trades)} of the 12 trades")
    levels = list(Level)
    today, now = date.today(), utcnow()
    rows, full = [], 0
    for n in range(args.entries):
        trade, level = rng.choice(trades), rng.choice(levels)
        starts_on = today + timedelta(days=rng.randint(-10, 365))  # some running already, still listed
        seats = rng.choice((10, 20, 25, 30, 40, 50, 60))
        taken = seats if rng.random() < 0.2 else rng.randint(0, seats - 1)
        full += taken == seats
        suffix = "" if level == Level.NONE else f"（{level.value}级）"
        rows.append({
            "base_id": rng.choice(bases).id, "trade_id": trade.id, "title": f"{trade.name}{suffix}培训班（第{n + 1}期）",
            "description": rng.choice(("理论教学与实际操作相结合，结业考核合格者颁发证书。",
                                       "面向全市职工免费开展技能培训，名额有限，先到先得。",
                                       f"{trade.name}岗位技能提升，小班教学，配套实训设备。")),
            "level": level.value, "starts_on": starts_on, "ends_on": starts_on + timedelta(days=rng.randint(3, 30)),
            "seats": seats, "seats_taken": taken, "fee": D(0) if rng.random() < 0.9 else D(rng.choice((200, 300, 500))),
            "eligibility": Eligibility.ANYONE.value, "requires_approval": False, "theory_weight": D(30),
            "practical_weight": D(70), "pass_mark": D(60), "min_attendance": D(80),
            "certificate_name": f"{trade.name}培训合格证书", "certificate_years": None,
            "status": CourseStatus.PUBLISHED.value, "created_at": now, "updated_at": now,
        })
    for start in range(0, len(rows), 1000):
        db.session.execute(sa.insert(Course), rows[start:start + 1000])
    welder = next(t for t in trades if t.code == "HG")
    paths = [p.format(trade=welder.id) for p in CATALOG_PROBES]
    # How many courses each URL lists (over all its pages), with the page's own query.
    matches = [db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
               for query in (queries.catalog(), queries.catalog(q="焊工", seats_only=True),
                             queries.catalog(trade_id=welder.id, level="4"), queries.catalog(q="焊"))]
    return {"courses": args.entries, "full": full, "bases": len(bases), "trades": len(trades), "paths": paths,
            "matches": matches, "probes": _count_queries(paths)}


def roster(args):
    """A published course of `seats` seats (default 5,000) and a roster workbook (姓名, 手机号) of `entries`
    rows (default 10,000) at `path`: everyone of the demo with a mobile number, then new people."""
    import sqlalchemy as sa
    from openpyxl import Workbook

    from app.accounts.models import User
    from app.accounts.demo import person
    from app.extensions import db
    from app.training import roster as training_roster

    rng = random.Random(2031)
    course = _course(_actor(), "焊工（中级）培训班（基准测试：花名册导入）", seats=args.seats,
                     starts_on=date.today() + timedelta(days=30))
    known = db.session.execute(sa.select(User.name, User.mobile).where(User.mobile.is_not(None))
                               .order_by(User.id).limit(args.entries // 10)).all()
    people = [(name, mobile) for name, mobile in known]
    people += [(person(rng), f"139{n:08d}") for n in range(args.entries - len(people))]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="roster")
    sheet.append([column.header for column in training_roster.COLUMNS])
    for row in people:
        sheet.append(list(row))
    book.save(args.path)
    return {"course_id": course.id, "path": args.path, "rows": len(people), "known": len(known),
            "seats": args.seats}


def roster_import(args):
    """What the staff roster route does: import_roster(staff, course, workbook stream), then commit.
    Times those two steps, and reports the process's peak RSS before them."""
    import io
    import resource

    import sqlalchemy as sa

    from app.accounts.models import User
    from app.extensions import db
    from app.training import roster as training_roster
    from app.training.models import Course

    staff = db.session.scalar(sa.select(User).where(User.username == "staff"))
    course = db.session.get(Course, args.course)
    if staff is None or course is None:
        raise BenchError(f"roster_import: no demo `staff` account or no course {args.course}")
    with open(args.path, "rb") as file:
        stream = io.BytesIO(file.read())  # what excel.check_upload hands the route
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    outcome = training_roster.import_roster(staff, course, stream)
    if not outcome.ok:
        raise BenchError(f"roster_import: the workbook was refused: {outcome.result.errors[:5]}")
    imported = time.perf_counter() - started
    db.session.commit()
    return {**outcome.counts, "import_seconds": round(imported, 3),
            "commit_seconds": round(time.perf_counter() - started - imported, 3),
            "rss_before_mb": round(before_mb, 1)}


def _reserve_numbers(trade_code, year, count):
    """The first of `count` certificate serials taken at once from the service's sequence."""
    from app.extensions import db
    from app.training.models import CertificateSequence

    row = db.session.get(CertificateSequence, (year, trade_code))
    if row is None:
        row = CertificateSequence(year=year, trade_code=trade_code, last=0)
        db.session.add(row)
    first, row.last = row.last + 1, row.last + count
    db.session.flush()
    return first


def certificates(args):
    """A finished welding course whose `entries` trainees (default 40) went through the services: enrolled,
    five lessons of attendance, a marked assessment, certificates issued; plus `bulk` (default 2,000)
    certificates of another course bulk-inserted (people, enrolments, passed attempts, certificates)."""
    import secrets
    from datetime import datetime, timezone

    import sqlalchemy as sa
    from flask import current_app

    from app.db import utcnow
    from app.extensions import db
    from app.training import services
    from app.training.models import Attempt, Certificate, Enrolment

    rng = random.Random(2032)
    actor = _actor()
    today = date.today()
    course = _course(actor, "焊工（中级）培训班（基准测试：证书核验）", seats=args.entries,
                     starts_on=today - timedelta(days=60), certificate="焊工从业资格证书")
    lessons = []
    for n in range(5):
        day = datetime.combine(course.starts_on + timedelta(days=2 * n), datetime.min.time(), tzinfo=timezone.utc)
        lessons.append(services.add_lesson(actor, course, starts_at=day + timedelta(hours=1),
                                           ends_at=day + timedelta(hours=4), topic=f"第{n + 1}讲"))
    enrolments = [services.enrol(trainee, course, by_staff=True) for trainee in _bulk_trainees(rng, args.entries)]
    for enrolment in enrolments:
        for lesson in lessons:
            services.mark_attendance(actor, lesson, enrolment, rng.random() < 0.95)
    rates = services.attendance_rate(course, [e.id for e in enrolments])
    for enrolment in enrolments:
        services.record_attempt(actor, enrolment, theory=D(rng.randint(55, 98)), practical=D(rng.randint(58, 97)),
                                rate=rates[enrolment.id])
    issued = services.issue_certificates(actor, course, today=course.ends_on + timedelta(days=7))
    if not issued:
        raise BenchError("certificates: nobody passed, no certificate was issued")

    # The bulk part: another finished course, written with sa.insert like the demo's people.
    other = _course(actor, "焊工（中级）培训班（基准测试：证书批量）", seats=max(args.bulk, 1),
                    starts_on=today - timedelta(days=90), certificate="焊工从业资格证书")
    people = _bulk_trainees(rng, args.bulk) if args.bulk else []
    now, issued_on = utcnow(), other.ends_on + timedelta(days=7)
    if people:
        db.session.execute(sa.insert(Enrolment), [
            {"course_id": other.id, "user_id": p.id, "status": "enrolled", "queued_at": now, "decided_at": now,
             "created_at": now, "updated_at": now} for p in people])
        by_user = dict(db.session.execute(sa.select(Enrolment.user_id, Enrolment.id)
                                          .where(Enrolment.course_id == other.id)).all())
        db.session.execute(sa.insert(Attempt), [
            {"enrolment_id": by_user[p.id], "number": 1, "theory": D(80), "practical": D(85), "total": D("83.50"),
             "passed": True, "recorded_at": now} for p in people])
        attempts = dict(db.session.execute(sa.select(Attempt.enrolment_id, Attempt.id)
                                           .where(Attempt.enrolment_id.in_(list(by_user.values())))).all())
        first = _reserve_numbers("HG", issued_on.year, len(people))
        prefix = current_app.config.get("CERTIFICATE_PREFIX", "XZ")
        db.session.execute(sa.insert(Certificate), [
            {"number": f"{prefix}-{issued_on.year}-HG-{first + n:06d}", "verify_code": secrets.token_urlsafe(16),
             "user_id": p.id, "course_id": other.id, "attempt_id": attempts[by_user[p.id]], "holder_name": p.name,
             "title": other.certificate_name, "course_title": other.title, "trade_name": "焊工", "level": "4",
             "base_name": other.base.name, "awarded_on": issued_on, "issued_on": issued_on,
             "expires_on": issued_on.replace(year=issued_on.year + 3) - timedelta(days=1), "status": "valid",
             "created_at": now, "updated_at": now} for n, p in enumerate(people)])
    codes = db.session.scalars(sa.select(Certificate.verify_code).where(Certificate.course_id == other.id)
                               .order_by(Certificate.id)).all()
    return {"course_id": course.id, "trainees": args.entries, "issued": len(issued), "code": issued[0].verify_code,
            "number": issued[0].number, "bulk_codes": codes}


def innovation_board(args):
    """A designation programme under review: `entries` accepted applications (default 600) across two
    studio types with quotas (劳模 30,000 / 职工 20,000 yuan), 7 experts without a unit, 5 criteria and
    every mark (600 x 7 x 5 = 21,000), bulk-inserted like the review grid's saves leave them."""
    import sqlalchemy as sa

    from app.db import utcnow
    from app.extensions import db
    from app.innovation.models import (
        Application,
        ApplicationStage,
        PanelSeat,
        Programme,
        ProgrammeCriterion,
        ProgrammeKind,
        ProgrammeQuota,
        ProgrammeStatus,
        ReviewScore,
        StudioType,
    )

    rng = random.Random(600)
    actor = _actor()
    code = args.code or "bench-board"
    programme = Programme(code=code, name="基准劳模和职工创新工作室命名", year=date.today().year,
                          kind=ProgrammeKind.DESIGNATION, status=ProgrammeStatus.REVIEWING,
                          total_budget=D("2000000"), trim_at=5, tie_break="B1,B2")
    programme.criteria = [ProgrammeCriterion(code=f"B{n}", name=f"指标{n}", max_mark=D(20), weight=D(20), position=n)
                          for n in range(1, 6)]
    programme.quotas = [ProgrammeQuota(studio_type=StudioType.MODEL_WORKER, quota=30, amount=D("30000"), position=0),
                        ProgrammeQuota(studio_type=StudioType.WORKER, quota=40, amount=D("20000"), position=1)]
    db.session.add(programme)
    db.session.flush()
    units = [unit.id for unit in _units(actor)]
    experts = _judges(actor, _prefix(args, "bboard"), 7, rng)
    db.session.flush()
    db.session.execute(sa.insert(PanelSeat), [{"programme_id": programme.id, "user_id": e.id, "is_chief": n == 0}
                                              for n, e in enumerate(experts)])
    now = utcnow()
    db.session.execute(sa.insert(Application), [
        {"programme_id": programme.id, "number": f"B{n:04d}", "title": f"基准创新工作室{n}",
         "studio_type": StudioType.MODEL_WORKER if n % 3 else StudioType.WORKER, "unit_id": units[n % len(units)],
         "stage": ApplicationStage.ACCEPTED, "checklist": {}, "submitted_at": now, "created_at": now,
         "updated_at": now} for n in range(1, args.entries + 1)])
    applications = db.session.scalars(sa.select(Application.id).where(Application.programme_id == programme.id)).all()
    criteria = [c.id for c in programme.criteria]
    db.session.execute(sa.insert(ReviewScore), [
        {"application_id": a, "criterion_id": c, "judge_id": e.id, "value": D(rng.randint(20, 40)) / 2,
         "updated_at": now} for a in applications for e in experts for c in criteria])
    scores = len(applications) * len(experts) * len(criteria)
    statements = _count_staff_queries([f"/innovation/manage/programmes/{code}/board"])
    # Those requests cached the ranking in the run's shared cache: a new stamp, so that the served
    # app's first request computes it again.
    from app.innovation import ranking

    ranking.bump(programme.id)
    return {"code": code, "programme_id": programme.id, "applications": len(applications), "scores": scores,
            "statements": statements}


def _count_staff_queries(paths):
    """Like `_count_queries`, signed in as the demo's staff account (a session set in the test client)."""
    import sqlalchemy as sa
    from flask import current_app

    from app.accounts import sessions
    from app.accounts.models import User
    from app.extensions import db

    staff = db.session.scalars(sa.select(User).where(User.username == "staff")).one()
    sessions.open_session(staff)
    identity = staff.get_id()
    db.session.commit()
    app = current_app._get_current_object()
    statements = []

    def count(_connection, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    found = {}
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = identity
        session["_fresh"] = True
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        for path in paths:
            for _ in range(2):  # the first computes the ranking; the second is the repeat
                statements.clear()
                with app.app_context():
                    started = time.perf_counter()
                    response = client.get(path)
                    elapsed = time.perf_counter() - started
                found.setdefault(path, []).append([response.status_code, len(statements), round(elapsed * 1000, 1)])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return found


BUILDERS = {"standings": standings, "score_save": score_save, "leaderboard": leaderboard, "mark_change": mark_change,
            "score_rows": score_rows, "workbook": workbook, "catalog": catalog, "roster": roster,
            "roster_import": roster_import, "certificates": certificates, "innovation_board": innovation_board}
NO_DATABASE = {"workbook"}
READ_ONLY = {"score_rows"}


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.datasets")
    parser.add_argument("name", choices=BUILDERS)
    parser.add_argument("path", nargs="?", help="workbook, roster: where to write it; roster_import: what to import")
    parser.add_argument("--entries", type=int)
    parser.add_argument("--judges", help="standings, workbook: how many; score_rows: comma-separated usernames")
    parser.add_argument("--savers", type=int, default=21, help="score_save: judges without marks (bsave00..)")
    parser.add_argument("--seats", type=int, default=5000, help="roster: seats of the course")
    parser.add_argument("--course", type=int, help="roster_import: the course id that `roster` printed")
    parser.add_argument("--code", help="standings, leaderboard: the competition's code")
    parser.add_argument("--event", type=int, help="mark_change: the event id")
    parser.add_argument("--bulk", type=int, default=2000, help="certificates: bulk-inserted certificates")
    args = parser.parse_args(argv)
    defaults = {"standings": 1000, "score_save": 1000, "leaderboard": 300, "workbook": 1000, "catalog": 2000,
                "roster": 10000, "certificates": 40, "innovation_board": 600}
    args.entries = args.entries or defaults.get(args.name)
    if args.name in ("standings", "workbook"):
        args.judges = int(args.judges or 7)
    if args.name in ("workbook", "roster", "roster_import") and not args.path:
        parser.error(f"{args.name} needs a path")
    if args.name == "roster_import" and not args.course:
        parser.error("roster_import needs --course")
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
                # Data sets are bulk-inserted in seconds; a database fed at that rate refreshes its
                # planner statistics soon after (PostgreSQL's autovacuum), so measure with fresh ones.
                db.session.execute(db.text("ANALYZE"))
                db.session.commit()
    info["seconds"] = round(time.perf_counter() - started, 2)
    print(json.dumps(info, ensure_ascii=False))


if __name__ == "__main__":
    main()
