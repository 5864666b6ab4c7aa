"""Helpers for the apprenticeship journey (名师带高徒): the union tree, a trade, staff, assessor and expert
accounts, and the master's and apprentice's accounts (with known passwords) set up with the app beforehand;
the people workbook the staff upload; small things a person does in the browser."""
import io
from dataclasses import dataclass, field

from openpyxl import Workbook

from tests.browser.competition_helpers import SYSTEM

PASSWORD = "shitu2026"
TRADE = ("QGH", "钳工")
MASTER = ("m_wangjg", "王建国")  # the master who signs in (role mentor)
APPRENTICE = ("a_chenxm", "陈小明")  # the apprentice who signs in (role trainee), on a 390 px phone
OTHER_MASTER = ("m_liuhy", "刘海燕")
OTHER_APPRENTICE = ("a_zhaoyf", "赵逸飞")
SPARE_MASTER = ("m_sunlh", "孙立华")
UNIT = "河东机械厂工会"
OTHER_UNIT = "海河港务集团工会"


@dataclass
class Apprenticeship:
    logins: dict = field(default_factory=dict)  # who -> user id
    city_id: int = 0


def set_up_apprenticeship(live_app):
    """City federation → district union → unit; a unit directly under the city; the trade; city staff, an
    assessor (judge) and an expert (judge) of a college; the master's and the apprentice's accounts with
    known passwords (the import updates them and gives them their roles)."""
    from app.accounts import services
    from app.accounts.models import OrgKind, Role, Trade
    from app.extensions import db, limiter

    setup = Apprenticeship()
    with live_app.app_context():
        limiter.reset()  # the journey signs in many times from 127.0.0.1
        city = services.create_organization(SYSTEM, name="海河市总工会", kind=OrgKind.FEDERATION, short_name="市总工会")
        district = services.create_organization(SYSTEM, name="河东区总工会", kind=OrgKind.DISTRICT, parent=city,
                                                short_name="河东区")
        unit = services.create_organization(SYSTEM, name=UNIT, kind=OrgKind.UNIT, parent=district,
                                            short_name="河东机械")
        services.create_organization(SYSTEM, name=OTHER_UNIT, kind=OrgKind.UNIT, parent=city, short_name="港务集团")
        college = services.create_organization(SYSTEM, name="海河职业技术学院", kind=OrgKind.UNIT, parent=city,
                                               short_name="职业学院")
        db.session.add(Trade(code=TRADE[0], name=TRADE[1]))

        def person(username, name, role, organization):
            user, _ = services.create_user(SYSTEM, name=name, roles=[role], username=username,
                                           organization=organization, password=PASSWORD)
            user.must_change_password = False
            db.session.flush()
            setup.logins[username] = user.id
            return user

        person("citystaff", "孙丽华", Role.STAFF, city)
        person("assessor", "周振华", Role.JUDGE, college)
        person("expert", "吴晓峰", Role.JUDGE, college)
        person(MASTER[0], MASTER[1], Role.MENTOR, unit)
        person(APPRENTICE[0], APPRENTICE[1], Role.TRAINEE, unit)
        db.session.commit()
        setup.city_id = city.id
    return setup


def people_workbook():
    """The masters and apprentices sheets (no units sheet: the units exist). Our apprentice ranks our master
    first (same unit); the other apprentice is proposed to the other master, whom staff will reject."""
    sheets = {
        "masters": [["用户名 username", "姓名 name", "单位 unit", "工种 trade", "等级 level", "带徒名额 capacity"],
                    [MASTER[0], MASTER[1], UNIT, TRADE[0], "高级技师", 2],
                    [OTHER_MASTER[0], OTHER_MASTER[1], OTHER_UNIT, TRADE[0], "技师", 1],
                    [SPARE_MASTER[0], SPARE_MASTER[1], OTHER_UNIT, TRADE[1], 2, 1]],
        "apprentices": [["username", "name", "unit", "trade", "level", "preferences"],
                        [APPRENTICE[0], APPRENTICE[1], UNIT, TRADE[0], 4, MASTER[0]],
                        [OTHER_APPRENTICE[0], OTHER_APPRENTICE[1], OTHER_UNIT, TRADE[0], 5, OTHER_MASTER[0]]],
    }
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
