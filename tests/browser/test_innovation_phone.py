"""The innovation pages people open on a phone (390 × 844): the public studio registry, a studio's page
(the plaque's QR code leads there), a 公示 notice with its objection form, and the leader's own pages.
Long real-world names: unit names of twenty-odd characters, a studio named after its leader and trade."""
import re
from datetime import date, timedelta
from decimal import Decimal

from tests.browser.competition_helpers import PHONE, open_page, sign_in
from tests.browser.test_phone_layouts import fits

PASSWORD = "chuangxin2026"
LONG_UNIT = "天津市滨海新区临港经济区装备制造产业园区中车唐山机车车辆有限公司天津分公司工会委员会"


def seed(app):
    from app.accounts.models import OrgKind, Organization, Role, User
    from app.extensions import db
    from app.innovation import programmes
    from app.innovation.models import (
        Application,
        ApplicationStage,
        Designation,
        Programme,
        ProgrammeKind,
        ProgrammeQuota,
        ProgrammeStatus,
        Studio,
        StudioLevel,
        StudioMember,
        StudioType,
    )
    from app.innovation.models_publicity import Publicity, PublicityStatus

    with app.app_context():
        def organization(name, kind, parent=None):
            org = Organization(name=name, kind=kind, parent_id=parent.id if parent else None)
            db.session.add(org)
            db.session.flush()
            org.path = f"{parent.path if parent else '/'}{org.id}/"
            return org

        city = organization("天津市总工会", OrgKind.FEDERATION)
        district = organization("天津市滨海新区总工会", OrgKind.DISTRICT, city)
        unit = organization(LONG_UNIT, OrgKind.UNIT, district)
        leader = User(username="wangjianguo", name="王建国", organization_id=unit.id)
        leader.set_password(PASSWORD)
        leader.set_roles([Role.STUDIO])
        db.session.add(leader)
        db.session.flush()
        studios = []
        for index, (name, kind) in enumerate([("王建国高速动车组转向架焊接劳模创新工作室", StudioType.MODEL_WORKER),
                                             ("李娜智能电网带电作业职工创新工作室", StudioType.WORKER)]):
            studio = Studio(code=f"TJ-2026-{index + 1:03d}", name=name, studio_type=kind, level=StudioLevel.CITY,
                            host_unit_id=unit.id, leader_id=leader.id if index == 0 else None,
                            leader_name="王建国" if index == 0 else "李娜",
                            leader_honours="全国劳动模范、天津市五一劳动奖章、全国技术能手",
                            field="轨道交通装备焊接工艺", site="滨海新区临港经济区渤海十路 88 号 3 号厂房二层，约 400 平方米",
                            introduction="工作室围绕转向架构架焊接变形控制开展攻关，累计完成技术革新 46 项。")
            db.session.add(studio)
            db.session.flush()
            for n in range(4):
                studio.members.append(StudioMember(name=f"成员{n + 1}号", role="高级技师、技术骨干",
                                                   joined_on=date(2023, 3, 1)))
            studio.designations.append(Designation(level=StudioLevel.CITY, studio_type=kind,
                                                   document_no="津工发〔2025〕27号", designated_on=date(2025, 6, 1)))
            studios.append(studio)
        found = Programme(code="tj-2026", name="2026年度天津市劳模和职工创新工作室命名", year=2026,
                          kind=ProgrammeKind.DESIGNATION, status=ProgrammeStatus.PUBLICITY,
                          total_budget=Decimal("1750000"), decision_document_no="津工发〔2026〕12号",
                          decided_on=date.today())
        found.criteria = programmes.default_criteria(found.kind)
        found.quotas = [ProgrammeQuota(studio_type=StudioType.MODEL_WORKER, quota=35, amount=Decimal("30000"))]
        db.session.add(found)
        db.session.flush()
        db.session.add(Application(programme_id=found.id, number="2026-001", title=studios[0].name,
                                   studio_id=studios[0].id, studio_type=StudioType.MODEL_WORKER, unit_id=unit.id,
                                   applicant_id=leader.id, stage=ApplicationStage.ACCEPTED, checklist={},
                                   proposed=True, proposed_amount=Decimal("30000")))
        notice = Publicity(programme_id=found.id, title="2026年度天津市劳模创新工作室拟命名名单公示",
                           starts_on=date.today(), ends_on=date.today() + timedelta(days=7), working_days=5,
                           status=PublicityStatus.OPEN)
        db.session.add(notice)
        db.session.commit()
        return {"studio": studios[0].code, "notice": notice.id}


def test_the_registry_a_studio_and_a_notice_read_on_a_phone(browser, live_server):
    made = seed(live_server.app)
    page = open_page(browser, PHONE)
    base = live_server.url
    page.goto(f"{base}/innovation/studios")
    fits(page, page.get_by_text("王建国高速动车组转向架焊接劳模创新工作室").first)
    page.goto(f"{base}/innovation/studios/{made['studio']}")
    fits(page, page.get_by_text("津工发〔2025〕27号").first, page.get_by_text("全国劳动模范").first)
    assert not re.search(r"1[3-9]\d{9}", page.content())  # no mobile numbers on a public page
    page.goto(f"{base}/innovation/notices/{made['notice']}")
    fits(page, page.get_by_text("王建国高速动车组转向架焊接劳模创新工作室").first, page.locator("form textarea").first)


def test_the_leader_finds_the_studio_and_applications_on_a_phone(browser, live_server):
    seed(live_server.app)
    page = open_page(browser, PHONE)
    page.goto(f"{live_server.url}/login")
    sign_in(page, "wangjianguo", PASSWORD)
    page.goto(f"{live_server.url}/")
    fits(page, page.locator(f'a[href="/innovation/studios"]').first)
    for url in ("/innovation/my/studio", "/innovation/my/applications", "/innovation/my/grants",
                "/innovation/my/reports", "/innovation/contests/"):
        page.goto(f"{live_server.url}{url}")
        fits(page)
