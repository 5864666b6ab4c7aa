"""Demo apprenticeship: the city's 2025–2026 名师带高徒 programme with pairs at each scope (own unit,
own district union, across the city), agreements in every state, and a railway bureau's 手拉手
programme pairing 121 recent graduates with students of its technician school.

The people come in through the people workbook (the staff's real path, all rows or none); the demo
mentor (李长江, 徐工机械) and the demo trainee (魏小红, 顺丰徐州) are a pair in force, so both see the
module with their own accounts. Idempotent: a second run finds the programme and changes nothing.
"""
import io
import random
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import Workbook

from app.accounts import services as account_services
from app.accounts.demo import _Bootstrap, person
from app.accounts.models import Organization, OrgKind, Role, Trade, User
from app.apprenticeship import agreements, assessments, commendation, commendation_review, logs, matching, workbook
from app.apprenticeship.models import (
    ApprenticeProfile,
    LogCadence,
    Master,
    PairStatus,
    PairingMode,
    Preference,
    Programme,
    ProgrammeKind,
    ProgrammeStatus,
    ProposedPair,
)
from app.apprenticeship.models_agreements import AgreementGrade, AgreementStatus as S
from app.apprenticeship.models_commendation import CycleStage
from app.db import utcnow
from app.extensions import db

PROGRAMME_CODE = "SD-2025"
HAND_IN_HAND_CODE = "SLS-2026"
HAND_IN_HAND_PAIRS = 121

# City masters: unit short name, trade code, level, capacity, how many.
CITY_MASTERS = [("徐工机械", "HG", 1, 3, 3), ("徐工机械", "DG", 2, 2, 2), ("徐州重型", "HG", 2, 2, 2),
                ("和润起重", "HG", 1, 5, 1), ("徐州地铁", "HG", 1, 3, 2), ("顺丰徐州", "KD", 3, 4, 2),
                ("市中心医院", "YY", 2, 3, 2), ("市妇幼", "YY", 2, 2, 1)]
# City apprentices: unit short name, trade code, level, how many. More welders than welding places in
# 开发区, so some cross to 铜山区 (和润起重): the system scope.
CITY_APPRENTICES = [("徐工机械", "HG", 4, 7), ("徐州重型", "HG", 5, 5), ("徐工机械", "DG", 4, 3),
                    ("徐州地铁", "DG", 5, 4), ("顺丰徐州", "KD", 5, 6), ("快递联合工会", "KD", 5, 3),
                    ("市中心医院", "YY", 5, 3), ("市妇幼", "YY", 4, 3), ("家政联合工会", "YY", 5, 2)]

RAILWAY = ("上海铁路局徐州地区工会", "徐州铁路工会")
RAILWAY_UNITS = [("徐州车务段", "车务段"), ("徐州机务段", "机务段"), ("徐州铁路技师学院", "铁路技师学院")]
RAILWAY_TRADES = [("TLC", "铁路车辆钳工", "Railway carriage fitter"), ("TLX", "铁路信号工", "Railway signaller")]


def load(context=None):
    context = context if context is not None else {}
    if db.session.scalar(sa.select(Programme.id).where(Programme.code == PROGRAMME_CODE)) is not None:
        return context
    rng = random.Random(2025)
    staff = db.session.scalar(sa.select(User).where(User.username == "staff"))
    orgs = {o.short_name or o.name: o for o in db.session.scalars(sa.select(Organization))}
    _railway(orgs)
    _people(staff, orgs, rng)
    _showcase_people(orgs)
    city = _city_programme(staff, orgs, rng)
    _showcase_logs(city)
    experts = _experts(orgs, context.get("password", "demo1234"))
    _final_round(staff, city, experts)
    _commendation(staff, city, experts, rng)
    hand_in_hand = _hand_in_hand(staff, orgs)
    db.session.flush()
    context.setdefault("accounts", []).append(("judge", "sdzj1–sdzj3", "师徒考核与表彰评审专家"))
    context.setdefault("apprenticeship", {}).update(programme=city, hand_in_hand=hand_in_hand)
    return context


# ---------------------------------------------------------------- people

def _railway(orgs):
    actor = _Bootstrap()
    name, short = RAILWAY
    orgs[short] = account_services.create_organization(actor, name=name, kind=OrgKind.FEDERATION, short_name=short)
    for unit, unit_short in RAILWAY_UNITS:
        orgs[unit_short] = account_services.create_organization(actor, name=unit, kind=OrgKind.UNIT,
                                                                parent=orgs[short], short_name=unit_short)
    for code, trade, english in RAILWAY_TRADES:
        account_services.save_trade(actor, None, code=code, name=trade, name_en=english)


def _people(staff, orgs, rng):
    """Every generated master and apprentice through the people workbook."""
    masters = [["username", "name", "unit", "trade", "level", "capacity", "honours"]]
    n = 0
    for unit, trade, level, capacity, count in CITY_MASTERS:
        for _ in range(count):
            n += 1
            masters.append([f"ms{n:03d}", person(rng), orgs[unit].name, trade, level, capacity,
                            "江苏省技术能手" if n % 3 == 0 else ""])
    apprentices = [["username", "name", "unit", "trade", "level", "preferences", "hire_date"]]
    n = 0
    for unit, trade, level, count in CITY_APPRENTICES:
        for _ in range(count):
            n += 1
            # a few name a master of their trade elsewhere first: they show a preference rank
            wish = f"ms{[i for i, row in enumerate(masters[1:], 1) if row[3] == trade][-1]:03d}" if n % 4 == 0 else ""
            apprentices.append([f"tu{n:03d}", person(rng), orgs[unit].name, trade, level, wish,
                                date(2024, 1 + n % 12, 1)])
    for i in range(1, HAND_IN_HAND_PAIRS + 1):
        trade = RAILWAY_TRADES[i % 2][0]
        depot = orgs["车务段" if i % 2 else "机务段"].name
        masters.append([f"byz{i:03d}", person(rng), depot, trade, 4, 1, ""])  # a recent graduate, capacity one
        apprentices.append([f"xs{i:03d}", person(rng), orgs["铁路技师学院"].name, trade, 5, "", None])
    book = Workbook()
    book.active.title = "masters"
    for row in masters:
        book.active.append(row)
    sheet = book.create_sheet("apprentices")
    for row in apprentices:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    outcome = workbook.import_people(staff, stream)
    if not outcome.ok:  # a demo that cannot load its own workbook is a bug worth stopping for
        raise RuntimeError(f"demo people workbook refused: {outcome.problems[:5]}")


def _showcase_people(orgs):
    """The demo mentor masters electricians at 徐工机械; the demo trainee (a courier at 顺丰徐州) is
    learning electrical work and asked for him."""
    trades = {t.code: t for t in db.session.scalars(sa.select(Trade))}
    mentor = db.session.scalar(sa.select(User).where(User.username == "mentor"))
    trainee = db.session.scalar(sa.select(User).where(User.mobile == "13800000001"))
    master = Master(user=mentor, unit=orgs["徐工机械"], trade=trades["DG"], level=1, capacity=5,
                    honours="全国技术能手；江苏省劳动模范", studio_name="李长江技能大师工作室", years_in_post=22)
    apprentice = ApprenticeProfile(user=trainee, unit=orgs["顺丰徐州"], trade=trades["DG"], level=5,
                                   hire_date=date(2023, 5, 1))
    db.session.add_all([master, apprentice])
    db.session.flush()
    db.session.add(Preference(apprentice_id=apprentice.id, master_id=master.id, rank=1))


# ---------------------------------------------------------------- programmes

def _city_programme(staff, orgs, rng):
    programme = Programme(code=PROGRAMME_CODE, name="2025–2026年度徐州市名师带高徒", cycle="2025–2026",
                          organiser=orgs["市总工会"], kind=ProgrammeKind.MASTER_APPRENTICE,
                          pairing_mode=PairingMode.ASSIGNED, default_months=12, stipend_monthly=200,
                          bonus=2000, starts_on=date(2025, 3, 1), ends_on=date(2026, 12, 31),
                          status=ProgrammeStatus.ACTIVE,
                          commendation_tiers=[{"name": "十佳师徒", "count": 3, "prize": "3000"},
                                              {"name": "优秀师徒", "count": 4, "prize": "1000"}])
    db.session.add(programme)
    db.session.flush()
    matching.run(staff, programme)
    pairs = db.session.scalars(sa.select(ProposedPair).where(ProposedPair.programme_id == programme.id)
                               .order_by(ProposedPair.id)).all()
    today = date.today()
    for index, pair in enumerate(pairs):
        showcase = pair.master.user.username == "mentor"
        if index % 9 == 8 and not showcase:
            continue  # left proposed: staff still have pairs to review
        pair.status = PairStatus.ACCEPTED
        if showcase:  # in force since three months ago: logs to write and confirm
            _agreement(staff, pair, today.replace(day=1) - timedelta(days=90), 12, S.ACTIVE)
        elif index % 3 == 0:  # the first intake, finished in the cycle
            grade = AgreementGrade.EXCELLENT if index % 2 else AgreementGrade.PASS
            _agreement(staff, pair, date(2025, 3, 1), 18, S.COMPLETED, grade=grade)
        elif index % 3 == 1:
            _agreement(staff, pair, date(2026, 1, 1), 12, S.ACTIVE)
        elif index % 7 == 2:
            _agreement(staff, pair, today, 12, S.AWAITING_SIGNATURES)
        else:
            _agreement(staff, pair, date(2025, 9, 1), 15, S.AWAITING_ASSESSMENT)
    return programme


def _agreement(staff, pair, starts_on, months, status, grade=None):
    agreement = agreements.create_from_pair(staff, pair, starts_on=starts_on, months=months)
    agreement.teaching_plan = f"围绕{pair.master.trade.name}岗位技能，每月集中授课两次，实操带教不少于 16 学时。"
    agreement.meeting_cadence = "每周一次"
    path = [S.AWAITING_SIGNATURES, S.ACTIVE, S.AWAITING_ASSESSMENT, S.COMPLETED]
    for step in path[:path.index(status if status != S.FAILED else S.COMPLETED) + 1]:
        if step == S.ACTIVE:
            now = utcnow()
            agreement.master_signed_at = agreement.apprentice_signed_at = agreement.unit_signed_at = now
            agreement.activated_on = starts_on
        agreements.transition(staff, agreement, step)
    if grade is not None:
        agreement.grade = grade
        agreement.ended_on = agreement.ends_on
    return agreement


def _hand_in_hand(staff, orgs):
    programme = Programme(code=HAND_IN_HAND_CODE, name="2026年徐州铁路“手拉手”毕业生带在校生",
                          cycle="2026", organiser=orgs["徐州铁路工会"], kind=ProgrammeKind.GRADUATE_STUDENT,
                          pairing_mode=PairingMode.ASSIGNED, default_months=12, stipend_monthly=100,
                          log_cadence=LogCadence.FORTNIGHTLY, starts_on=date(2026, 3, 1),
                          ends_on=date(2027, 2, 28), status=ProgrammeStatus.ACTIVE)
    db.session.add(programme)
    db.session.flush()
    matching.run(staff, programme)
    for pair in db.session.scalars(sa.select(ProposedPair).where(ProposedPair.programme_id == programme.id)):
        pair.status = PairStatus.ACCEPTED
        _agreement(staff, pair, date(2026, 3, 1), 12, S.ACTIVE)
    return programme


# ---------------------------------------------------------------- logs, assessment, commendation

def _showcase_logs(programme):
    """The demo trainee's monthly logs: the first ones confirmed by the demo mentor, the latest waiting."""
    ours = db.session.scalar(sa.select(agreements.Agreement).join(ApprenticeProfile).join(User)
                             .where(agreements.Agreement.programme_id == programme.id,
                                    User.mobile == "13800000001"))
    ended = [p for p in logs.periods(ours, until=date.today()) if p.end < date.today()]
    topics = ["低压配电柜接线与标识规范", "电动机正反转控制线路安装", "PLC 基本指令与梯形图", "照明线路故障排查"]
    for index, period in enumerate(ended):
        log = logs.write(ours.apprentice.user, ours, period.start, learnt=f"跟随师傅学习{topics[index % 4]}，完成实操练习。",
                         hours=16 + 2 * index, problems="接线工艺还不够熟练。" if index == 0 else "",
                         today=period.end + timedelta(days=2))
        if index < len(ended) - 1:
            logs.review(ours.master.user, log, True, "进步明显，继续保持。")


def _experts(orgs, password):
    """Three assessors and commendation experts from the technician college (above no other unit, so
    they conflict with nobody)."""
    college = orgs.get("徐州技师学院") or account_services.create_organization(
        _Bootstrap(), name="徐州技师学院", kind=OrgKind.UNIT, parent=orgs["市总工会"], short_name="徐州技师学院")
    made = []
    for n, name in enumerate(("钱国栋", "孙慧敏", "李振华"), start=1):
        user, _ = account_services.create_user(_Bootstrap(), name=name, roles=[Role.JUDGE], username=f"sdzj{n}",
                                               organization=college, password=password)
        user.must_change_password = False
        made.append(user)
    return made


def _final_round(staff, programme, experts):
    """The 出师考核 of the pairs whose term has ended: assessors appointed, marks still to come."""
    round_ = assessments.create_round(staff, programme, "final", "2026年度出师考核")
    assessments.add_agreements(staff, round_)
    for index, expert in enumerate(experts):
        assessments.add_seat(staff, round_, expert, is_chief=index == 0)


def _commendation(staff, programme, experts, rng):
    """The 2025–2026 commendation, published final: every completed pair nominated, checked, scored by
    the three experts, 公示 ended without objection, certificates and prizes recorded."""
    cycle = commendation.open_cycle(staff, programme, "2025–2026年度徐州市优秀师徒表彰")
    completed = db.session.scalars(sa.select(agreements.Agreement).where(
        agreements.Agreement.programme_id == programme.id, agreements.Agreement.status == "completed")
        .order_by(agreements.Agreement.id)).all()
    for agreement in completed:
        commendation.nominate(staff, cycle, agreement, f"师徒结对以来，徒弟在{agreement.master.trade.name}岗位"
                                                       f"完成技能提升，独立承担关键工序，带徒成效显著。")
    commendation.advance(staff, cycle)  # → checking
    for nomination in commendation.nominations(cycle):
        commendation.check(staff, nomination, accept=True)
        commendation.evaluate_effect(staff, nomination, "good" if nomination.number % 3 else "outstanding")
    while cycle.stage != CycleStage.REVIEWING:
        commendation.advance(staff, cycle)
    seats = [commendation_review.add_seat(staff, cycle, expert, is_chief=i == 0) for i, expert in enumerate(experts)]
    nominations = commendation.nominations(cycle)
    for seat in seats:
        for nomination in nominations:
            for criterion in cycle.criteria:
                mark = (criterion.max_mark * Decimal(rng.randint(70, 98)) / 100).quantize(Decimal("0.5"))
                commendation_review.save_mark(seat.user, seat, nomination, criterion, str(mark))
        commendation_review.sign(seat.user, seat)
    notice_began = utcnow() - timedelta(days=10)
    commendation.publish(staff, cycle, final=False, now=notice_began)
    commendation.publish(staff, cycle, final=True)
