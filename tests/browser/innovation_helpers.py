"""Helpers for the innovation studio journey: the unions, people, studio and programme set up with the
app (through the ORM), and small things a person does in the browser.

Elements are found by id, name, data-testid, href or form action; texts are compared with the app's own
translation of the message (training_helpers.says / label).
"""
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.competition_helpers import SYSTEM, sign_in

PASSWORD = "chuangxin2026"
PROGRAMME = "studio-2026"
STUDIO = "王建国劳模创新工作室"
OTHER_TITLE = "海河港务集团劳模创新工作室申报"
EXPERTS = (("expert1", "周振华"), ("expert2", "吴晓峰"), ("expert3", "郑丽萍"), ("expert4", "冯国强"),
           ("expert5", "陈玉兰"))


@dataclass
class Innovation:
    """Ids and sign-in names the journey needs."""

    programme_id: int = 0
    studio_id: int = 0
    studio_code: str = ""
    other_id: int = 0
    logins: dict = field(default_factory=dict)  # who -> user name


def set_up_innovation(live_app):
    """City federation → district union → unit (the studio's host); a unit directly under the city; an
    experts' college. Staff at each level, a studio leader with a studio of three members, five experts
    (the first is the panel's chief), and an open city designation programme (劳模 1 place at 30,000,
    职工 2 at 20,000; budget 100,000; one required attachment, one eligibility item) with an application
    from the other unit already accepted into expert review."""
    from app.accounts import services
    from app.accounts.models import OrgKind, Role
    from app.db import utcnow
    from app.extensions import db, limiter
    from app.innovation import programmes
    from app.innovation.models import (
        Application,
        ApplicationStage,
        PanelSeat,
        Programme,
        ProgrammeKind,
        ProgrammeQuota,
        ProgrammeStatus,
        Studio,
        StudioMember,
        StudioType,
    )

    setup = Innovation()
    with live_app.app_context():
        limiter.reset()  # the journey signs in a dozen times from 127.0.0.1
        city = services.create_organization(SYSTEM, name="海河市总工会", kind=OrgKind.FEDERATION, short_name="市总工会")
        district = services.create_organization(SYSTEM, name="河东区总工会", kind=OrgKind.DISTRICT, parent=city,
                                                short_name="河东区")
        unit = services.create_organization(SYSTEM, name="河东机械厂工会", kind=OrgKind.UNIT, parent=district,
                                            short_name="河东机械")
        direct = services.create_organization(SYSTEM, name="海河港务集团工会", kind=OrgKind.UNIT, parent=city,
                                              short_name="港务集团")
        college = services.create_organization(SYSTEM, name="海河职业技术学院", kind=OrgKind.UNIT, parent=city,
                                               short_name="职业学院")

        def person(username, name, role, organization):
            user, _ = services.create_user(SYSTEM, name=name, roles=[role], username=username,
                                           organization=organization, password=PASSWORD)
            user.must_change_password = False
            setup.logins[username] = username
            return user

        leader = person("wangjg", "王建国", Role.STUDIO, unit)
        person("unitstaff", "李红梅", Role.STAFF, unit)
        person("districtstaff", "赵卫东", Role.STAFF, district)
        person("citystaff", "孙丽华", Role.STAFF, city)
        experts = [person(login, name, Role.JUDGE, college) for login, name in EXPERTS]

        studio = Studio(code="hd-wjg", name=STUDIO, studio_type=StudioType.MODEL_WORKER, host_unit_id=unit.id,
                        leader_id=leader.id, leader_name=leader.name, field="数控加工工艺改进")
        db.session.add(studio)
        for name in ("刘建军", "张海燕", "马立新"):
            studio.members.append(StudioMember(name=name, role="技术骨干", joined_on=date(2024, 3, 1)))

        programme = Programme(
            code=PROGRAMME, name="2026年度市级劳模和职工创新工作室命名", year=2026, kind=ProgrammeKind.DESIGNATION,
            status=ProgrammeStatus.OPEN, organiser_id=city.id, total_budget=Decimal("100000"),
            opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=30),
            required_attachments="申报书", eligibility_items="领衔人获市级以上劳动模范称号", trim_at=5,
            tie_break="novelty")
        programme.criteria = programmes.default_criteria(programme.kind)
        programme.quotas = [ProgrammeQuota(studio_type=StudioType.MODEL_WORKER, quota=1, amount=Decimal("30000"),
                                           position=0),
                            ProgrammeQuota(studio_type=StudioType.WORKER, quota=2, amount=Decimal("20000"),
                                           position=1)]
        db.session.add(programme)
        db.session.flush()
        for index, expert in enumerate(experts):
            db.session.add(PanelSeat(programme_id=programme.id, user_id=expert.id, is_chief=index == 0))
        other = Application(programme_id=programme.id, number="2026-900", title=OTHER_TITLE,
                            studio_type=StudioType.MODEL_WORKER, unit_id=direct.id, stage=ApplicationStage.ACCEPTED,
                            summary="港口装卸设备节能改造。", checklist={})
        db.session.add(other)
        db.session.commit()
        setup.programme_id, setup.studio_id, setup.studio_code = programme.id, studio.id, studio.code
        setup.other_id = other.id
    return setup


def read(live_app, fn):
    """Run fn(db) in the live app and return what it returns (reading the data the pages wrote)."""
    from app.extensions import db

    with live_app.app_context():
        return fn(db)


def move_notice_into_the_past(live_app, programme_id):
    """公示 runs five working days; a test may not wait for them, so its dates move into the past here."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.innovation.models_publicity import Publicity

    with live_app.app_context():
        notice = db.session.scalar(sa.select(Publicity).where(Publicity.programme_id == programme_id))
        length = notice.ends_on - notice.starts_on
        notice.ends_on = date.today() - timedelta(days=1)
        notice.starts_on = notice.ends_on - length
        db.session.commit()


def sign_in_as(page, base, login, path="/"):
    """Sign in through the login form, landing on `path`."""
    page.goto(f"{base}/login?next={path}")
    sign_in(page, login, PASSWORD)
    expect(page).to_have_url(f"{base}{path}")


def sign_out(page):
    page.get_by_test_id("user-menu").click()
    with page.expect_navigation():
        page.locator("form[action='/logout'] button").click()


def no_sideways_scroll(page):
    """The page fits the screen's width once laid out: a width measured mid-layout on a loaded 2-core
    machine is given two seconds to settle, a real overflow never does."""
    for _ in range(10):
        wide = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        if wide <= 1:
            return
        page.wait_for_timeout(200)
    widest = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    raise AssertionError(f"{page.url} is {wide} px wider than the screen: {widest}")


def small_pdf(path):
    """A small, valid one-page PDF (with its cross-reference table), written to `path`."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"]
    stream = b"BT /F1 12 Tf 72 760 Td (Application) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


def flash_success(page):
    return page.locator("#flash .flash-success")


def flash_error(page):
    return page.locator("#flash .flash-error")


def exactly(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*$")
