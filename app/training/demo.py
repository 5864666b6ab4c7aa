"""Demo training: the city's six designated bases, past courses with results,
certificates and outcomes (so the dashboard has real-looking charts), and
upcoming courses open for enrolment (a welding course and a live-streaming one)."""
import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa

from app.accounts.demo import _Bootstrap
from app.accounts.models import IdentityTag, Role, User, UserRole, UserTag
from app.accounts.claims import UNCLAIMED_PASSWORD
from app.accounts.demo import person
from app.db import utcnow
from app.extensions import db
from app.training import services
from app.training.models import CourseStatus, Level

D = Decimal

# code, name, operating unit (short name), trades, address
BASES = [
    ("dghg", "徐州市职工电工焊工实训基地", "徐工机械", ["DG", "HG"], "徐州经济技术开发区驮蓝山路26号"),
    ("jkgl", "徐州市健康管理与育婴培训基地", "市中心医院", ["JK", "YY"], "徐州市泉山区解放南路199号"),
    ("jsy", "徐州市职工机动车驾驶培训基地", "徐州地铁", ["JSY"], "徐州市云龙区汉风路8号"),
    ("cad", "徐州市CAD制图实训基地", "徐州重型", ["CAD", "BIM"], "徐州市铜山区银山路11号"),
    ("cxcy", "徐州市职工创新创业培训基地", "快递联合工会", ["DS", "ZB"], "徐州市鼓楼区中山北路288号"),
    ("gl", "徐州市职工管理能力培训基地", "市妇幼", ["GL"], "徐州市泉山区和平路58号"),
]

# base, trade, title, level, days from today (start), length, seats, certificate, years, fee
COURSES = [
    ("dghg", "HG", "焊工（初级）培训班（第一期）", Level.FIVE, -150, 14, 30, "焊工从业资格证书", 3, 0),
    ("dghg", "DG", "低压电工作业培训班", Level.FOUR, -120, 10, 30, "低压电工作业证", 3, 0),
    ("jkgl", "YY", "育婴员培训班", Level.FIVE, -100, 12, 25, "育婴员职业技能等级证书", None, 0),
    ("cxcy", "ZB", "电子商务直播带货培训班（第三期）", Level.NONE, -60, 7, 40, "直播销售员培训合格证书", None, 0),
    ("jsy", "JSY", "机动车驾驶员增驾培训班", Level.NONE, -90, 20, 20, "增驾培训结业证书", None, 0),
    ("cad", "CAD", "CAD制图（中级）培训班", Level.FOUR, -80, 15, 25, "计算机辅助设计绘图员证书", 4, 0),
    ("dghg", "HG", "焊工（中级）培训班（第二期）", Level.FOUR, 12, 14, 20, "焊工从业资格证书", 3, 0),
    ("cxcy", "ZB", "电子商务直播带货培训班（第四期）", Level.NONE, 9, 7, 40, "直播销售员培训合格证书", None, 0),
    ("jkgl", "JK", "健康管理师（三级）培训班", Level.THREE, 20, 30, 30, "健康管理师职业技能等级证书", None, 0),
    ("cxcy", "DS", "SYB创业培训班", Level.NONE, 15, 10, 30, "创业培训合格证书", None, 0),
    ("gl", "GL", "班组长管理能力提升培训班", Level.NONE, 25, 5, 50, None, None, 0),
    ("jkgl", "YY", "育婴员（高级）培训班", Level.THREE, 30, 20, 2, "育婴员职业技能等级证书", None, D(300)),
]


def _people(rng, count, units):
    """Trainees in bulk (no password yet: they claim the account by registering)."""
    now = utcnow()
    first = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    rows = [{"name": person(rng), "mobile": f"158{first + n:08d}", "password_hash": UNCLAIMED_PASSWORD,
             "organization_id": rng.choice(units).id, "active": True, "must_change_password": False,
             "session_version": 1, "membership_status": rng.choice(["none", "none", "member", "applied"]),
             "created_at": now, "updated_at": now} for n in range(count)]
    for n, row in enumerate(rows):
        row["member_number"] = f"XZGH-{first + n:06d}" if row["membership_status"] == "member" else None
    db.session.execute(sa.insert(User), rows)
    users = db.session.scalars(sa.select(User).where(User.mobile.in_([r["mobile"] for r in rows]))).all()
    db.session.execute(sa.insert(UserRole), [{"user_id": u.id, "role": Role.TRAINEE.value} for u in users])
    tags = []
    for user in users:
        for tag, share in ((IdentityTag.MIGRANT_WORKER, .45), (IdentityTag.NEW_EMPLOYMENT_FORM, .3),
                           (IdentityTag.WOMAN, .5)):
            if rng.random() < share:
                tags.append({"user_id": user.id, "tag": tag.value})
    if tags:
        db.session.execute(sa.insert(UserTag), tags)
    return users


def load(context):
    actor = _Bootstrap()
    rng = random.Random(1996)
    organizations, trades = context["organizations"], context["trades"]
    if "GL" not in trades:
        from app.accounts.services import save_trade

        trades["GL"] = save_trade(actor, None, code="GL", name="班组长管理", name_en="Team leader management")
    bases = {}
    for code, name, unit, trade_codes, address in BASES:
        bases[code] = services.save_base(
            actor, None, code=code, name=name, organization_id=organizations[unit].id, address=address,
            contact_name=person(rng) + "老师", contact_phone=f"0516-8{rng.randint(1000000, 9999999)}",
            designated_on=date(2025, 4, 28), status="active",
            description="市总工会命名的职工技能实训基地，面向全市职工免费开展技能培训。",
            trades=[trades[c] for c in trade_codes])
    units = [o for o in organizations.values() if o.kind == "unit"]
    trainees = _people(rng, 260, units)
    demo_trainee = context["users"][Role.TRAINEE]
    today = date.today()
    for base, trade, title, level, offset, length, seats, certificate, years, fee in COURSES:
        start = today + timedelta(days=offset)
        course = services.save_course(
            actor, None, base_id=bases[base].id, trade_id=trades[trade].id, title=title,
            description="理论教学与实际操作相结合，结业考核合格者颁发证书。", level=level, starts_on=start,
            ends_on=start + timedelta(days=length - 1), seats=seats, enrol_opens_at=None, enrol_closes_at=None,
            fee=D(fee), eligibility="anyone", requires_approval=False, theory_weight=D(30), practical_weight=D(70),
            pass_mark=D(60), min_attendance=D(80), certificate_name=certificate, certificate_years=years,
            status=CourseStatus.PUBLISHED)
        for n in range(min(5, length)):
            day = datetime.combine(start + timedelta(days=n * max(length // 5, 1)), datetime.min.time(),
                                   tzinfo=timezone.utc)
            services.add_lesson(actor, course, starts_at=day + timedelta(hours=1), ends_at=day + timedelta(hours=4),
                                topic=f"第{n + 1}讲")
        if offset < 0:
            people = rng.sample(trainees, min(seats, 28) - 1) + [demo_trainee]
            _run_past_course(actor, rng, course, people, today, sure_pass=demo_trainee)
        elif seats > 2:
            for trainee in rng.sample(trainees, seats // 3):
                services.enrol(trainee, course, by_staff=True)
        else:  # a full course with a waitlist
            for trainee in rng.sample(trainees, 4):
                services.enrol(trainee, course, by_staff=True)
    context["bases"] = bases


def _run_past_course(actor, rng, course, people, today, sure_pass=None):
    enrolments = [services.enrol(person_, course, by_staff=True) for person_ in people]
    lessons = course.lessons
    for enrolment in enrolments:
        diligence = 1 if enrolment.user_id == getattr(sure_pass, "id", None) else rng.random()
        for lesson in lessons:
            services.mark_attendance(actor, lesson, enrolment, rng.random() < 0.75 + diligence * 0.25)
    rates = services.attendance_rate(course, [e.id for e in enrolments])
    for enrolment in enrolments:
        good = enrolment.user_id == getattr(sure_pass, "id", None)
        theory = D(rng.randint(80 if good else 45, 98))
        practical = D(rng.randint(80 if good else 50, 97))
        services.record_attempt(actor, enrolment, theory=theory, practical=practical, rate=rates[enrolment.id])
    issued_on = course.ends_on + timedelta(days=7)
    certificates = services.issue_certificates(actor, course, today=issued_on) if course.certificate_name else []
    for certificate in certificates:
        months_since = (today - issued_on).days // 30
        for months in (3, 6, 12):
            if months <= months_since and rng.random() < 0.8:
                before = D(rng.randrange(3200, 6000, 100))
                raise_ = D(rng.choice([0, 300, 500, 800, 1000, 1500, 2000, 3000]))
                services.record_outcome(actor, certificate, months=months, by_staff=True, new_job=raise_ >= 1000,
                                        new_post="焊接操作工" if course.trade.code == "HG" else "",
                                        income_before=before, income_after=before + raise_)
