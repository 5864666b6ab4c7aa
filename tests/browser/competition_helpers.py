"""Helpers for the competition browser journeys: people and places set up with
the app, and what a person does in the browser (sign in, type into the grid).

Elements are found by id, name, data-testid or href, never by interface text:
many competition strings are not translated yet and show in English.
"""
import re
from dataclasses import dataclass, field
from types import SimpleNamespace

from playwright.sync_api import expect

PASSWORD = "jingsai2026"
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}

# The system acts for the setup (as `_Bootstrap` in app/accounts/demo.py).
SYSTEM = SimpleNamespace(id=None, display_name="system", has_role=lambda *names: True)

SAVED = re.compile(r"\bcell-saved\b")
ERROR = re.compile(r"\bcell-error\b")


@dataclass
class Cast:
    """Who and what the setup created (ids for selects, usernames and names for the pages)."""

    units: dict = field(default_factory=dict)  # "A" / "B" / "C" -> organisation id
    judges: list = field(default_factory=list)  # [(username, name, user id)], judge #1 first
    chief: tuple = ()
    staff: tuple = ()


def set_up_people(live_app):
    """City federation → district union → units A, B, C; staff, five judges (#1 from unit A), a chief judge."""
    from app.accounts import services
    from app.accounts.models import OrgKind, Role
    from app.extensions import db, limiter

    cast = Cast()
    with live_app.app_context():
        limiter.reset()  # the whole journey signs in eight times from 127.0.0.1
        city = services.create_organization(SYSTEM, name="海河市总工会", kind=OrgKind.FEDERATION, short_name="市总工会")
        district = services.create_organization(SYSTEM, name="河西区总工会", kind=OrgKind.DISTRICT, parent=city,
                                                short_name="河西区")
        units = {}
        for key, name, short in (("A", "海河重工集团有限公司", "海河重工"), ("B", "河西电力检修公司", "河西电力"),
                                 ("C", "河西地铁运营公司", "河西地铁")):
            units[key] = services.create_organization(SYSTEM, name=name, kind=OrgKind.UNIT, parent=district,
                                                      short_name=short)

        def person(username, name, role, organization=None):
            user, _ = services.create_user(SYSTEM, name=name, roles=[role], username=username,
                                           organization=organization, password=PASSWORD)
            user.must_change_password = False
            return user

        staff = person("staff", "周晓丽", Role.STAFF, city)
        # Judge #1 works at unit A; the others belong to no union, so they score every entry
        # (a judge of the city federation would conflict with every unit below it).
        judges = [person("judge1", "王建国", Role.JUDGE, units["A"]),
                  person("judge2", "李卫东", Role.JUDGE),
                  person("judge3", "赵志刚", Role.JUDGE),
                  person("judge4", "孙丽华", Role.JUDGE),
                  person("judge5", "钱明", Role.JUDGE)]
        chief = person("chief", "陈立新", Role.CHIEF_JUDGE, city)
        db.session.commit()
        cast.units = {key: org.id for key, org in units.items()}
        cast.judges = [(u.username, u.name, u.id) for u in judges]
        cast.chief = (chief.username, chief.name, chief.id)
        cast.staff = (staff.username, staff.name, staff.id)
    return cast


def open_page(browser, viewport=TABLET):
    """A page in a context of its own (its own cookies: one person), collecting console errors."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    return page


def sign_in(page, login, password=PASSWORD):
    """Fill the login form the page is showing and submit it."""
    form = page.locator("#accounts-login-form")
    form.locator("[name=login]").fill(login)
    form.locator("[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def sign_in_at(page, url, login):
    """Open a protected page, get sent to the login form, sign in, land back on the page."""
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    sign_in(page, login)
    expect(page).to_have_url(url)


def post(page, locator):
    """Click what submits a plain (non-htmx) form or follows a link; wait for the page it leads to."""
    with page.expect_navigation():
        locator.click()


def success(page):
    return page.locator("#flash .flash-success")


def failure(page):
    return page.locator("#flash .flash-error")


# ---- the judges' grid


def grid_row(page, bib):
    return page.locator("table.score-grid tbody tr").filter(
        has=page.locator("th[scope=row]", has_text=re.compile(rf"^\s*{re.escape(bib)}\s*$")))


def grid_cell(page, bib, column):
    """The `column`-th mark cell (criteria in scheme order) of the entry's row."""
    return grid_row(page, bib).locator("td.cell").nth(column)


def type_mark(page, bib, column, value):
    """Type one mark, leave the cell with Tab (htmx saves on change) and wait for the saved state."""
    cell = grid_cell(page, bib, column)
    cell.locator("input").fill(str(value))
    cell.locator("input").press("Tab")
    expect(cell).to_have_class(SAVED)
    expect(cell.locator("input")).to_have_value(str(value))


def type_marks(page, marks):
    """marks: {bib: [value of criterion 1, value of criterion 2, ...]}, typed row by row as on paper
    (None: leave that cell alone)."""
    for bib, values in marks.items():
        for column, value in enumerate(values):
            if value is not None:
                type_mark(page, bib, column, value)


def progress(filled, total):
    """The grid's counter, "3 of 6 marks entered" in any language."""
    return re.compile(rf"^\D*{filled}\D+{total}\D*$")


def sign_sheet(page):
    """Sign (open the confirmation, then a plain form post back to the grid) and see the sheet locked."""
    page.get_by_test_id("sign-open").click()
    post(page, page.get_by_test_id("sign"))
    expect(success(page)).to_be_visible()
    expect(page.get_by_test_id("sign")).to_have_count(0)


# ---- data for pages that need a whole competition (set up with the app, not through the pages)

# Real union names are long: these wrap a narrow column one character per line.
LONG_UNITS = ("天津市滨海新区中新天津生态城管理委员会工会",
              "中国石油天然气股份有限公司大港油田分公司第三采油厂工会",
              "天津港（集团）有限公司第二港埠公司装卸作业队工会")


def long_named_units(live_app):
    """A federation → district union → the LONG_UNITS; returns their ids."""
    from app.accounts import services
    from app.accounts.models import OrgKind
    from app.extensions import db

    with live_app.app_context():
        city = services.create_organization(SYSTEM, name="天津市总工会", kind=OrgKind.FEDERATION)
        district = services.create_organization(SYSTEM, name="天津市滨海新区总工会", kind=OrgKind.DISTRICT, parent=city)
        units = [services.create_organization(SYSTEM, name=name, kind=OrgKind.UNIT, parent=district)
                 for name in LONG_UNITS]
        db.session.commit()
        return [unit.id for unit in units]


def published_competition(live_app, cast, *, code, unit_ids, contestant_id=None, entries=8, final=True):
    """A competition scored by the cast's five judges and chief, published: final results, or 公示 with the
    appeal window open. The contestant (a user id) holds the first bib, HG001.

    Returns (event code, bibs, the contestant's entry id)."""
    import random
    from datetime import timedelta

    from app.accounts.models import Organization, User
    from app.competitions import demo, publishing, services
    from app.competitions.models import CompetitionStatus as S
    from app.db import utcnow
    from app.extensions import db

    with live_app.app_context():
        staff = db.session.get(User, cast.staff[2])
        judges = [db.session.get(User, user_id) for _, _, user_id in cast.judges]
        chief = db.session.get(User, cast.chief[2])
        units = [db.session.get(Organization, unit_id) for unit_id in unit_ids]
        contestant = db.session.get(User, contestant_id) if contestant_id else None
        competition = services.save_competition(staff, None, code=code, name="滨海新区职工职业技能大赛",
                                                edition="第十二届", year=2026, appeal_window_hours=72,
                                                organisers="天津市滨海新区总工会、滨海新区人力资源和社会保障局")
        event = demo.build_event(staff, competition, code="HG", name="焊工（电焊工）", trade=None, entries=entries,
                                 judges=judges, chief=chief, units=units, rng=random.Random(code),
                                 awards="一等奖:1;二等奖:2;三等奖:3", honour="推荐天津市五一劳动奖章",
                                 contestants=[contestant] if contestant else ())
        services.change_status(staff, competition, S.REGISTRATION)
        services.change_status(staff, competition, S.RUNNING)
        demo.fill_marks(staff, event, random.Random(code))
        services.change_status(staff, competition, S.SCORING_CLOSED)
        publishing.publish_provisional(staff, competition)
        if final:
            competition.appeal_deadline = utcnow() - timedelta(minutes=1)  # the 公示 window is over
            publishing.publish_final(staff, competition)
        db.session.commit()
        bibs = sorted(entry.bib for entry in event.entries)
        mine = next((entry.id for entry in event.entries if contestant and entry.user_id == contestant.id), None)
        return event.code, bibs, mine


PRACTICAL_CRITERIA = ["焊前准备", "坡口加工", "装配定位", "焊接参数选择", "打底焊", "填充焊", "盖面焊", "焊缝外观",
                      "焊缝尺寸", "无损检测", "工件清理", "安全文明生产"]


def running_competition(live_app, cast, *, code, entries=24):
    """A competition under way: one event whose practical stage has twelve criteria (wider than a tablet),
    `entries` entries of units B and C, the cast's five judges, no marks yet.

    Returns (event id, stage id, bibs in grid order)."""
    import random
    from decimal import Decimal

    from app.accounts.models import Organization, User
    from app.competitions import demo, services
    from app.competitions.models import CompetitionStatus as S
    from app.extensions import db

    with live_app.app_context():
        staff = db.session.get(User, cast.staff[2])
        judges = [db.session.get(User, user_id) for _, _, user_id in cast.judges]
        units = [db.session.get(Organization, cast.units[key]) for key in ("B", "C")]
        competition = services.save_competition(staff, None, code=code, name="海河工匠杯焊工技能竞赛", year=2026,
                                                appeal_window_hours=24)
        criteria = [(f"P{n}", name, Decimal(10), "judgement")
                    for n, name in enumerate(PRACTICAL_CRITERIA, start=1)]
        event = demo.build_event(staff, competition, code="HG", name="焊工", trade=None, entries=entries,
                                 judges=judges, chief=None, units=units, rng=random.Random(code),
                                 awards="一等奖:1;二等奖:2;三等奖:3",
                                 stages=[("practical", "实际操作", Decimal(100), criteria)])
        services.change_status(staff, competition, S.REGISTRATION)
        services.change_status(staff, competition, S.RUNNING)
        db.session.commit()
        return event.id, event.stages[0].id, sorted(entry.bib for entry in event.entries)


def stored_marks(live_app, judge_id, event_id):
    """{(bib, criterion code): "value"} the judge has in the database for the event."""
    import sqlalchemy as sa

    from app.competitions.models import Criterion, Entry, Score
    from app.extensions import db

    with live_app.app_context():
        rows = db.session.execute(
            sa.select(Entry.bib, Criterion.code, Score.value).join(Entry, Entry.id == Score.entry_id)
            .join(Criterion, Criterion.id == Score.criterion_id)
            .where(Score.judge_id == judge_id, Entry.event_id == event_id)).all()
        return {(bib, criterion): f"{value.normalize():f}" for bib, criterion, value in rows}
