"""Demo competitions: a published Haihe Craftsman Cup and an electricians' contest under way.

`build_event` also generates the large data sets the benchmarks use.
"""
import random
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app import audit
from app.accounts import services as account_services
from app.accounts.demo import person
from app.accounts.models import OrgKind, Role
from app.competitions import demo_units, publishing, services
from app.competitions.models import CompetitionStatus, Entry, Measurement, PanelMember, Score, Sheet
from app.db import utcnow
from app.extensions import db

D = Decimal


def ensure_units(actor, organizations):
    """The cup's unions and units (demo_units.py) below the city federation; returns every unit.

    `organizations` maps short names to the organisations that exist (the demo
    accounts'); the new ones are added to it.
    """
    city = next(o for o in organizations.values() if o.kind == OrgKind.FEDERATION)
    for name, short in demo_units.UNIONS:
        if short not in organizations:
            organizations[short] = account_services.create_organization(
                actor, name=name, kind=OrgKind.DISTRICT, parent=city, short_name=short)
    for union, name, short, _sector in demo_units.UNITS:
        if short not in organizations:
            organizations[short] = account_services.create_organization(
                actor, name=name, kind=OrgKind.UNIT, parent=organizations[union], short_name=short)
    return [o for o in organizations.values() if o.kind == OrgKind.UNIT]


def field_units(rng, organizations, events, contestants=None):
    """Which unit each entry of each event comes from: every unit of the cup at least once.

    `events` is [(code, entries)]. A unit sends its contestants to the event of its
    sector (demo_units.EVENT_SECTORS); units without one are shared out among the
    events. Some units are bigger than others and send more. `contestants` maps an
    event code to the organisations of its first entries' accounts (their own units).
    """
    sectors = dict(demo_units.ACCOUNT_UNIT_SECTORS)
    sectors.update({short: sector for _, _, short, sector in demo_units.UNITS})
    pools = {code: [] for code, _ in events}
    by_sector = {sector: code for code, sector in demo_units.EVENT_SECTORS.items()}
    shared = []
    for short in sorted(sectors):
        code = by_sector.get(sectors[short])
        (pools[code] if code in pools else shared).append(organizations[short])
    rng.shuffle(shared)
    for unit in shared:  # the smallest pool takes the next shared unit
        min(pools.values(), key=len).append(unit)
    field = {}
    for code, count in events:
        pool = pools[code]
        sizes = [rng.choice((1, 1, 1, 2, 2, 3, 5)) for _ in pool]
        units = list(pool) + rng.choices(pool, weights=sizes, k=count - len(pool))
        rng.shuffle(units)
        for n, own in enumerate((contestants or {}).get(code, ())):
            if own in units:  # the account's own unit, moved to its entry (no unit left out)
                units.remove(own)
            units.insert(n, own)
        field[code] = units[:count]
    return field


def make_judges(actor, rng, count, prefix, units, chief_user=None, first=()):
    judges = list(first)
    while len(judges) < count:
        user, _ = account_services.create_user(
            actor, name=person(rng), roles=[Role.JUDGE], username=f"{prefix}{len(judges) + 1:02d}",
            organization=rng.choice(units + [None, None]), password="demo1234")
        user.must_change_password = False
        judges.append(user)
    return judges, chief_user


def build_event(actor, competition, *, code, name, trade, entries, judges, chief, units, rng,
                awards, rank_prizes=None, honour=None, stages=None, contestants=(), entry_units=None):
    """An event with a theory/practical scheme, entries, a panel, and no marks yet.

    Entries come from `entry_units` (one unit per entry) when given, else from random `units`.
    """
    event = services.save_event(actor, competition, None, code=code, name=name, trade_id=trade.id if trade else None,
                                entry_type="individual", trim_at=5, tie_break="practical,theory", blind=False,
                                honour_name=honour, honour_max_rank=1)
    scheme = stages or [
        ("theory", "理论知识", D(30), [("T1", "理论考试", D(100), "measurement")]),
        ("practical", "实际操作", D(70), [("P1", "操作规范", D(30), "judgement"), ("P2", "作品质量", D(30), "judgement"),
                                       ("P3", "工艺参数", D(25), "judgement"), ("P4", "安全文明", D(15), "judgement")]),
    ]
    for stage_code, stage_name, weight, criteria in scheme:
        stage = services.save_stage(actor, event, None, code=stage_code, name=stage_name, weight=weight)
        for criterion_code, criterion_name, maximum, kind in criteria:
            services.save_criterion(actor, stage, None, code=criterion_code, name=criterion_name, max_mark=maximum,
                                    kind=kind)
    services.set_award_tiers(actor, event, awards, prizes=rank_prizes)
    contestants = list(contestants)
    for n in range(entries):
        user = contestants[n] if n < len(contestants) else None
        unit = entry_units[n] if entry_units else rng.choice(units)
        services.save_entry(actor, event, None, bib=f"{code}{n + 1:03d}", name=user.name if user else person(rng),
                            unit=unit, user=user)
    for judge in judges:
        services.assign_judge(actor, event, judge)
    if chief is not None:
        services.assign_judge(actor, event, chief, chief=True)
    db.session.flush()
    return event


def fill_marks(actor, event, rng, share=1.0, sign=True):
    """Marks for `share` of the entries, in bulk (one audit event), signing every sheet."""
    entries = db.session.scalars(sa.select(Entry).where(Entry.event_id == event.id).order_by(Entry.bib)).all()
    members = db.session.scalars(sa.select(PanelMember).where(PanelMember.event_id == event.id)).all()
    criteria = [c for s in event.stages for c in s.criteria]
    now = utcnow()
    scores, measurements = [], []
    for entry in entries[: int(len(entries) * share)]:
        skill = rng.uniform(0.55, 0.97)
        for criterion in criteria:
            if criterion.kind == "measurement":
                value = min(criterion.max_mark, D(str(round(float(criterion.max_mark) * rng.uniform(skill - .1, skill + .05), 1))))
                measurements.append(dict(entry_id=entry.id, criterion_id=criterion.id, value=max(value, D(0)),
                                         entered_by_id=None, updated_at=now))
                continue
            for member in members:
                if member.is_chief or member.conflicts_with(entry):
                    continue
                mark = float(criterion.max_mark) * min(1.0, max(0.0, rng.gauss(skill, 0.05)))
                scores.append(dict(entry_id=entry.id, criterion_id=criterion.id, judge_id=member.user_id,
                                   value=D(str(round(mark * 2) / 2)), updated_at=now))
    for chunk in range(0, len(scores), 5000):
        db.session.execute(sa.insert(Score), scores[chunk:chunk + 5000])
    if measurements:
        db.session.execute(sa.insert(Measurement), measurements)
    if sign:
        for member in members:
            for stage in event.stages:
                wanted = any((c.kind == "measurement") == member.is_chief for c in stage.criteria)
                if wanted:
                    db.session.add(Sheet(member_id=member.id, stage_id=stage.id, signed_at=now))
    db.session.flush()
    audit.record(actor, "competition.demo_marks", event, after={"scores": len(scores),
                                                               "measurements": len(measurements)})


HAIHE_EVENTS = [
    ("BIM", "建筑信息模型技术员", 72),
    ("KD", "快件处理员", 72),
    ("WRJ", "无人机驾驶员", 71),
    ("HJR", "焊接机器人操作员", 71),
]


def load(context):
    actor = context.get("actor") or account_services_actor()
    rng = random.Random(2026)
    units = ensure_units(actor, context["organizations"])
    users = context["users"]
    trades = context["trades"]
    trainee = users[Role.TRAINEE]
    # 286 contestants from the 119 units of 26 unions, as at the real event.
    field = field_units(rng, context["organizations"], [(code, count) for code, _, count in HAIHE_EVENTS],
                        contestants={"KD": [trainee.organization]})

    # A published competition shaped like the Haihe Craftsman Cup.
    cup = services.save_competition(actor, None, code="haihe-2026", name="海河工匠杯职业技能竞赛", edition="第三届",
                                    year=2026, organisers="市总工会、市人力资源和社会保障局",
                                    starts_on=date(2026, 9, 14), ends_on=date(2026, 9, 20), appeal_window_hours=2)
    judges, _ = make_judges(actor, rng, 7, "hhpw", units)
    chief = users[Role.CHIEF_JUDGE]
    prizes = {"一等奖": (D(10000), ""), "二等奖": (D(8000), ""), "三等奖": (D(5000), "")}
    for code, name, count in HAIHE_EVENTS:
        build_event(actor, cup, code=code, name=name, trade=trades.get(code), entries=count, judges=judges,
                    chief=chief if code == "BIM" else None, units=units, rng=rng,
                    awards="一等奖:1;二等奖:3;三等奖:6", rank_prizes=prizes, honour="推荐五一劳动奖章",
                    contestants=[trainee] if code == "KD" else (), entry_units=field[code])
    services.change_status(actor, cup, CompetitionStatus.REGISTRATION)
    services.change_status(actor, cup, CompetitionStatus.RUNNING)
    for event in cup.events:
        fill_marks(actor, event, rng)
    services.change_status(actor, cup, CompetitionStatus.SCORING_CLOSED)
    publishing.publish_provisional(actor, cup)
    cup.appeal_deadline = utcnow() - timedelta(minutes=1)  # the 公示 window is over
    publishing.publish_final(actor, cup)

    # A competition under way: the demo judge has marks left to enter.
    live = services.save_competition(actor, None, code="dg-2026", name="徐州市职工电工技能竞赛", edition="2026年",
                                     year=2026, organisers="徐州市总工会", starts_on=date.today(),
                                     ends_on=date.today() + timedelta(days=2), appeal_window_hours=2)
    live_judges, _ = make_judges(actor, rng, 5, "dgpw", units, first=[users[Role.JUDGE]])
    event = build_event(actor, live, code="DG", name="电工", trade=trades.get("DG"), entries=20, judges=live_judges,
                        chief=chief, units=units, rng=rng, awards="一等奖:1;二等奖:2;三等奖:3")
    services.change_status(actor, live, CompetitionStatus.REGISTRATION)
    services.change_status(actor, live, CompetitionStatus.RUNNING)
    fill_marks(actor, event, rng, share=0.6, sign=False)
    # The demo judge's own marks start empty so the grid shows work to do.
    db.session.execute(sa.delete(Score).where(Score.judge_id == users[Role.JUDGE].id))
    db.session.flush()
    context["competitions"] = [cup, live]


def account_services_actor():
    from app.accounts.demo import _Bootstrap

    return _Bootstrap()
