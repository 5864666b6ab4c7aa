"""Demo innovation studios: studios of each type in the seed city with members and designations, a
designation programme under review (劳模 30,000 / 职工 20,000 yuan) whose ranking board has fully
scored applications, the 572-submission achievement contest published final (5 / 15 / 30 / 230, its
certificates issued), and one studio in rectification.

Idempotent: a second run finds the programme and changes nothing. Runs after the accounts loader
(`context` has its organisations and users); on its own it reads them from the database.
"""
import io
import random
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import Workbook

from app.accounts import services as account_services
from app.accounts.demo import _Bootstrap, person
from app.accounts.models import Organization, Role, User
from app.db import utcnow
from app.extensions import db
from app.innovation import applications, assessment, contest, expert_review, programmes, ranking, studios, workbook
from app.innovation.models import (
    ApplicationStage,
    Programme,
    ProgrammeKind,
    ProgrammeQuota,
    ProgrammeStatus,
    ReviewScore,
    StudioLevel,
    StudioType,
)

PROGRAMME_CODE = "studio-demo"
CONTEST_CODE = "WX-DEMO"
CONTEST_AWARDS = "一等奖:5;二等奖:15;三等奖:30;优秀奖:230>=60"
SUBMISSIONS, CONTEST_EXPERTS, CONTEST_CRITERIA = 572, 7, 5
PANEL = 7

# login, leader, studio name, type, host unit (short name), field. The 劳模 and 职工 studios apply to the
# programme; they are all at 徐工机械 and 徐州重型 (开发区).
STUDIOS = [
    (None, None, "孙晓峰劳模创新工作室", StudioType.MODEL_WORKER, "徐州重型", "起重机械结构焊接"),
    ("leader01", "刘志强", "刘志强劳模创新工作室", StudioType.MODEL_WORKER, "徐工机械", "液压系统优化"),
    ("leader02", "陈海燕", "陈海燕劳模创新工作室", StudioType.MODEL_WORKER, "徐工机械", "智能装配工艺"),
    ("leader03", "周建国", "周建国劳模创新工作室", StudioType.MODEL_WORKER, "徐州重型", "数控加工"),
    ("leader04", "吴晓东", "吴晓东职工创新工作室", StudioType.WORKER, "徐工机械", "涂装节能"),
    ("leader05", "郑丽", "郑丽职工创新工作室", StudioType.WORKER, "徐州重型", "质量检测"),
    ("leader06", "王磊", "王磊职工创新工作室", StudioType.WORKER, "徐工机械", "设备维修"),
    ("leader07", "赵敏", "赵敏职工创新工作室", StudioType.WORKER, "徐州重型", "仓储物流"),
    ("leader08", "黄俊峰", "黄俊峰工匠创新工作室", StudioType.CRAFTSMAN, "徐州地铁", "信号系统维护"),
    ("leader09", "杨雪梅", "杨雪梅工匠创新工作室", StudioType.CRAFTSMAN, "市中心医院", "护理技术革新"),
    ("leader10", "朱宏伟", "朱宏伟技能大师工作室", StudioType.SKILL_MASTER, "和润起重", "焊接技艺传承"),
    ("leader11", "许立新", "许立新技能大师工作室", StudioType.SKILL_MASTER, "徐州地铁", "车辆检修"),
    ("leader12", "何春华", "快递行业联合创新工作室", StudioType.JOINT, "快递联合工会", "末端配送"),
    ("leader13", "马金凤", "家政服务联合创新工作室", StudioType.JOINT, "家政联合工会", "家政服务标准"),
    ("leader14", "钱晓红", "钱晓红职工创新工作室", StudioType.WORKER, "徐工机械", "工装夹具改进"),
]
# What becomes of the applying studios' applications (by index in STUDIOS): accepted and fully scored,
# a draft, one waiting at the unit union, one returned by it.
ACCEPTED = (0, 1, 2, 4, 5, 6)
DRAFT, WAITING, RETURNED = 3, 7, 14
RECTIFYING = 9


def load(context=None):
    context = context if context is not None else {}
    if db.session.scalar(sa.select(Programme.id).where(Programme.code == PROGRAMME_CODE)) is not None:
        return context
    password = context.get("password", "demo1234")
    organizations = {o.short_name or o.name: o for o in db.session.scalars(sa.select(Organization))}
    staff = db.session.scalar(sa.select(User).where(User.username == "staff"))
    rng = random.Random(2026)
    made = _studios(staff, organizations, rng, password)
    _programme(staff, organizations, made, rng, password)
    _contest(staff, organizations, rng)
    _rectification(staff, made[RECTIFYING])
    db.session.flush()
    context.setdefault("accounts", []).extend([
        ("studio", "leader01–leader14", "工作室领衔人"), ("staff", "xgstaff", "徐工机械工会干事"),
        ("staff", "kfqstaff", "开发区总工会干事"), ("judge", "expert1–expert7", "创新工作室评审专家")])
    return context


def _user(login, name, role, organization, password):
    user, _ = account_services.create_user(_Bootstrap(), name=name, roles=[role], username=login,
                                           organization=organization, password=password)
    user.must_change_password = False
    return user


def _studios(staff, organizations, rng, password):
    made = []
    demo_leader = db.session.scalar(sa.select(User).where(User.username == "studio"))
    for index, (login, leader_name, name, studio_type, unit, field) in enumerate(STUDIOS):
        host = organizations[unit]
        leader = demo_leader if login is None else _user(login, leader_name, Role.STUDIO, host, password)
        studio = studios.create_studio(staff, {"name": name, "studio_type": studio_type, "field": field,
                                               "site": f"{host.name}创新楼{index + 1}层，面积 120 平方米",
                                               "introduction": f"围绕{field}开展技术攻关、成果转化和师带徒。",
                                               "founded_on": date(2019 + index % 5, 3, 1)},
                                       host_unit=host, leader=leader)
        for n in range(4 + index % 3):
            studios.add_member(staff, studio, person(rng), "技术骨干" if n else "副领衔人", date(2023, 1 + n, 1))
        if index in (0, 8, 10, 12):  # designated at city level earlier
            studios.record_designation(staff, studio, StudioLevel.CITY, studio_type,
                                       f"徐工发〔{2023 + index % 2}〕{10 + index}号", date(2023 + index % 2, 5, 1),
                                       note="市总工会命名")
        made.append((studio, leader))
    return made


def _programme(staff, organizations, made, rng, password):
    today = date.today()
    programme = Programme(code=PROGRAMME_CODE, name=f"{today.year}年度市级劳模和职工创新工作室命名",
                          year=today.year, kind=ProgrammeKind.DESIGNATION, status=ProgrammeStatus.OPEN,
                          organiser_id=organizations["市总工会"].id, total_budget=Decimal("200000"),
                          opens_at=utcnow() - timedelta(days=40), closes_at=utcnow() + timedelta(days=10),
                          required_attachments="", eligibility_items="领衔人为劳动模范或技术骨干\n近三年无安全生产事故",
                          trim_at=5, tie_break="novelty",
                          description="命名一批市级劳模和职工创新工作室，给予一次性补助经费。")
    programme.criteria = programmes.default_criteria(programme.kind)
    programme.quotas = [ProgrammeQuota(studio_type=StudioType.MODEL_WORKER, quota=3, amount=Decimal("30000"),
                                       position=0),
                        ProgrammeQuota(studio_type=StudioType.WORKER, quota=3, amount=Decimal("20000"), position=1)]
    db.session.add(programme)
    db.session.flush()
    unit_staff = _user("xgstaff", "徐工机械工会干事", Role.STAFF, organizations["徐工机械"], password)
    district_staff = _user("kfqstaff", "开发区总工会干事", Role.STAFF, organizations["开发区"], password)
    filed = {}
    for index in (*ACCEPTED, DRAFT, WAITING, RETURNED):
        studio, leader = made[index]
        application = applications.start(leader, programme, studio, studio.studio_type)
        applications.save(leader, application, title=studio.name, requested_amount=None,
                          summary=f"{studio.name}近三年完成技术革新项目 {3 + index % 5} 项，申请命名。",
                          checklist=programme.eligibility_list)
        filed[index] = application
    for index in (*ACCEPTED, WAITING, RETURNED):
        applications.submit(made[index][1], filed[index])

    def acting(preferred, application):
        return preferred if applications.can_act(preferred, application) else staff

    applications.send_back(acting(unit_staff, filed[RETURNED]), filed[RETURNED], "请补充近三年成果转化的证明材料。")
    for index in ACCEPTED:
        application = filed[index]
        for actor in (unit_staff, district_staff):
            if application.stage in (ApplicationStage.SUBMITTED, ApplicationStage.UNIT_RECOMMENDED):
                applications.recommend(acting(actor, application), application)
        applications.screen(staff, application, True)
    programmes.change_status(staff, programme, ProgrammeStatus.REVIEWING)
    experts = [_user(f"expert{n}", person(rng) + "（专家）", Role.JUDGE, organizations["市中心医院"], password)
               for n in range(1, PANEL + 1)]
    for n, expert in enumerate(experts):
        programmes.seat_expert(staff, programme, expert, is_chief=n == 0)
    scores = []
    for rank, index in enumerate(ACCEPTED):
        base = 92 - rank * 3
        for criterion in programme.criteria:
            for expert in experts:
                mark = min(criterion.max_mark, Decimal(base + rng.randint(-4, 4)) * criterion.max_mark / 100)
                scores.append({"application_id": filed[index].id, "criterion_id": criterion.id, "judge_id": expert.id,
                               "value": mark.quantize(Decimal("0.01")), "updated_at": utcnow()})
    db.session.execute(sa.insert(ReviewScore), scores)
    ranking.bump(programme.id)
    db.session.flush()
    for seat in programme.panel[:-1]:  # the last expert has not signed yet: the board reads 6/7 signed
        expert_review.sign(seat.user, seat)
    return programme


def _contest_workbook(organizations, rng):
    """The contest workbook (the importer's format): 572 submissions × 7 experts × 5 criteria, finals all
    different (95.0 down by 0.1), each expert's marks scattered around them so that the trimmed mean is exact."""
    book = Workbook(write_only=True)

    def sheet(title, rows):
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)

    codes = [f"C{n}" for n in range(1, CONTEST_CRITERIA + 1)]
    names = ["创新性", "实用性", "经济效益", "推广价值", "技术难度"]
    sheet("contest", [["key", "value"], ["code", CONTEST_CODE], ["name", "徐州市职工“五小”创新成果评选"],
                      ["year", date.today().year], ["trim_at", 5], ["tie_break", "C1,C3"],
                      ["awards", CONTEST_AWARDS], ["prizes", "一等奖:5000;二等奖:3000;三等奖:1000;优秀奖:300"]])
    sheet("criteria", [["code", "name", "max", "weight"]] + [[c, n, 20, 20] for c, n in zip(codes, names)])
    units = ["徐工机械", "徐州重型", "徐州地铁", "和润起重", "市中心医院", "顺丰徐州"]
    unit_names = [organizations[u].name for u in units]
    parents = {organizations[u].name: organizations[u].parent.name for u in units}
    roots = sorted({organizations["市总工会"].name, *parents.values()} - set(unit_names))
    sheet("units", [["name", "parent"]] + [[r, None if r == organizations["市总工会"].name
                                            else organizations["市总工会"].name] for r in roots]
          + [[u, parents[u]] for u in unit_names] + [["徐州市职工技术协会", organizations["市总工会"].name]])
    numbers = [f"WX-{n:04d}" for n in range(1, SUBMISSIONS + 1)]
    kinds = ["小发明", "小创造", "小革新", "小设计", "小建议"]
    sheet("submissions", [["no", "title", "type", "unit"]]
          + [[no, f"{kinds[n % 5]}成果{no[3:]}", kinds[n % 5], unit_names[n % len(unit_names)]]
             for n, no in enumerate(numbers)])
    experts = [f"wxexpert{n}" for n in range(1, CONTEST_EXPERTS + 1)]
    sheet("experts", [["username", "name", "unit"]] + [[e, person(rng) + "（评委）", "徐州市职工技术协会"] for e in experts])
    order = list(range(SUBMISSIONS))
    rng.shuffle(order)
    offsets = [Decimal("0.5"), Decimal("-0.5"), Decimal("0.25"), Decimal("-0.25"), Decimal(0), Decimal(1), Decimal(-1)]
    rows = [["no", "expert", "criterion", "score"]]
    for position, no in zip(order, numbers):
        base = (Decimal(950) - position) / 10 / CONTEST_CRITERIA  # final 95.0, 94.9, ... spread on five criteria
        for code in codes:
            scattered = offsets[:]
            rng.shuffle(scattered)
            rows.extend([no, expert, code, float(base + delta)] for expert, delta in zip(experts, scattered))
    sheet("scores", rows)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def _contest(staff, organizations, rng):
    outcome = workbook.import_workbook(staff, _contest_workbook(organizations, rng))
    if not outcome.ok:
        raise RuntimeError(f"demo contest workbook refused: {outcome.problems[:5]}")
    wx = outcome.programme
    contest.publish(staff, wx, final=False, hours=24, now=utcnow() - timedelta(days=3))
    contest.publish(staff, wx, final=True)
    return wx


def _rectification(staff, made):
    studio, _ = made
    assessment.start_rectification(staff, studio, reason="年度考核不合格：活动记录不全，经费使用台账缺失。",
                                   tasks="补齐近一年活动记录\n建立经费使用台账\n提交整改报告",
                                   deadline=date.today() + timedelta(days=60))
