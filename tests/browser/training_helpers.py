"""Helpers for the training browser journey: the places and people set up with
the app, what the interface says (in whatever language the catalog has today),
and what a person does in the browser.

Elements are found by id, name, data-testid or href. Texts are compared with
the app's own translation of the message, so the test neither depends on which
training strings are translated yet nor breaks when they are.
"""
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.competition_helpers import SYSTEM, sign_in

PASSWORD = "peixun2026"
WELDING = "焊工（初级）培训班"
CERTIFICATE = "焊工从业资格证书"
OTHER_COURSES = ("电子商务直播带货培训班", "育婴员培训班")


@dataclass
class Setup:
    """Ids the journey needs; usernames and names for the pages."""

    staff: str = ""
    course_id: int = 0
    lesson_ids: list = field(default_factory=list)
    others: dict = field(default_factory=dict)  # title -> course id


def set_up_training(live_app):
    """A city federation with one unit, a staff member, a welding base and three published courses.

    The welding course has one seat, starts in ten days, has two lessons, passes at 60
    with at least 50 % attendance and leads to a three-year certificate.
    """
    from app.accounts import services as accounts
    from app.accounts.models import OrgKind, Role
    from app.extensions import db, limiter
    from app.training import services
    from app.training.models import CourseStatus, Level

    setup = Setup()
    with live_app.app_context():
        limiter.reset()  # two registrations and a sign-in from 127.0.0.1
        city = accounts.create_organization(SYSTEM, name="徐州市总工会", kind=OrgKind.FEDERATION, short_name="市总工会")
        unit = accounts.create_organization(SYSTEM, name="徐工机械工会", kind=OrgKind.UNIT, parent=city,
                                            short_name="徐工机械")
        staff, _ = accounts.create_user(SYSTEM, name="周晓丽", roles=[Role.STAFF], username="peixun",
                                        organization=city, password=PASSWORD)
        staff.must_change_password = False
        trades = {code: accounts.save_trade(SYSTEM, None, code=code, name=name, name_en=english)
                  for code, name, english in (("HG", "焊工", "Welder"), ("ZB", "直播销售员", "Live-stream seller"),
                                              ("YY", "育婴员", "Nursery worker"))}
        base = services.save_base(SYSTEM, None, code="dghg", name="徐州市职工电工焊工实训基地", organization_id=unit.id,
                                  address="徐州经济技术开发区驮蓝山路26号", contact_name="李老师",
                                  contact_phone="0516-87654321", designated_on=date(2025, 4, 28), status="active",
                                  description="", trades=list(trades.values()))
        today = date.today()

        def course(title, trade, starts_in, seats, certificate=None, years=None, level=Level.NONE):
            start = today + timedelta(days=starts_in)
            return services.save_course(
                SYSTEM, None, base_id=base.id, trade_id=trades[trade].id, title=title,
                description="理论教学与实际操作相结合。", level=level, starts_on=start,
                ends_on=start + timedelta(days=1), seats=seats, enrol_opens_at=None, enrol_closes_at=None,
                fee=Decimal(0), eligibility="anyone", requires_approval=False, theory_weight=Decimal(30),
                practical_weight=Decimal(70), pass_mark=Decimal(60), min_attendance=Decimal(50),
                certificate_name=certificate, certificate_years=years, status=CourseStatus.PUBLISHED)

        welding = course(WELDING, "HG", 10, 1, CERTIFICATE, 3, Level.FIVE)
        first_day = datetime.combine(welding.starts_on, time(1), tzinfo=timezone.utc)  # 09:00 in Xuzhou
        lessons = [services.add_lesson(SYSTEM, welding, starts_at=first_day + timedelta(days=n),
                                       ends_at=first_day + timedelta(days=n, hours=3), topic=topic)
                   for n, topic in enumerate(("焊接安全与理论", "平焊实操"))]
        others = {OTHER_COURSES[0]: course(OTHER_COURSES[0], "ZB", 9, 40),
                  OTHER_COURSES[1]: course(OTHER_COURSES[1], "YY", 12, 25)}
        db.session.commit()
        setup.staff = staff.username
        setup.course_id = welding.id
        setup.lesson_ids = [lesson.id for lesson in lessons]
        setup.others = {title: c.id for title, c in others.items()}
    return setup


def move_course_into_the_past(live_app, course_id, days=7):
    """The course started `days` ago (and its lessons with it): attendance and marks come after the lessons.

    No page moves a course's dates once people are enrolled, so this is done in the database.
    """
    from app.extensions import db
    from app.training.models import Course

    with live_app.app_context():
        course = db.session.get(Course, course_id)
        shift = (date.today() - timedelta(days=days)) - course.starts_on
        course.starts_on, course.ends_on = course.starts_on + shift, course.ends_on + shift
        for lesson in course.lessons:
            lesson.starts_at, lesson.ends_at = lesson.starts_at + shift, lesson.ends_at + shift
        db.session.commit()


def membership_of(live_app, mobile):
    """A person's union membership status ("none", "applied", "member"), read from the database."""
    import sqlalchemy as sa

    from app.accounts.models import User
    from app.extensions import db

    with live_app.app_context():
        return db.session.scalar(sa.select(User.membership_status).where(User.mobile == mobile)).value


def revoked_on(live_app, number):
    """The day the certificate was revoked, as the pages print it (Xuzhou time, yyyy-MM-dd)."""
    import sqlalchemy as sa
    from flask_babel import format_datetime

    from app.extensions import db
    from app.training.models import Certificate

    with live_app.test_request_context("/"):
        revoked_at = db.session.scalar(sa.select(Certificate.revoked_at).where(Certificate.number == number))
        return format_datetime(revoked_at, "yyyy-MM-dd")


# ---- what the interface says


def says(live_app, message, **values):
    """`message` as the live site shows it to a zh-CN visitor (Chinese if translated, English if not yet)."""
    from flask_babel import gettext

    with live_app.test_request_context("/"):
        return gettext(message, **values)


def label(live_app, lazy):
    """A lazy label (e.g. ENROLMENT_LABELS[...]) as the live site shows it."""
    with live_app.test_request_context("/"):
        return str(lazy)


def exactly(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


# ---- what a person does


def register(page, base, name, mobile, next_path):
    """Register with name, mobile number and password; land on `next_path`, signed in."""
    page.goto(f"{base}/register?next={next_path}")
    form = page.locator("#accounts-register-form")
    form.locator("#name").fill(name)
    form.locator("#mobile").fill(mobile)
    form.locator("#password").fill(PASSWORD)
    form.locator("#consent").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{base}{next_path}")
    expect(page.get_by_test_id("user-menu")).to_have_text(name)


def sign_in_at(page, url, login):
    """Open a staff page, get sent to the login form, sign in, land back on the page."""
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    sign_in(page, login, PASSWORD)
    expect(page).to_have_url(url)


def search(page, words):
    """Type into the catalog's search box (htmx swaps the list and pushes ?q= into the address)."""
    box = page.locator("#training-search")
    box.fill(words)
    expect(page).to_have_url(re.compile(r"[?&]q=[^&]"))


def course_card(page, course_id):
    return page.locator(f"#training-course-{course_id}")


SAVED = re.compile(r"\bcell-saved\b")


def type_mark(page, enrolment_id, field_name, value):
    """Type one mark, leave the box with Tab (htmx saves on change) and wait for the saved cell."""
    cell = page.locator(f"#training-mark-{enrolment_id}-{field_name}")
    cell.locator("input").fill(str(value))
    cell.locator("input").press("Tab")
    expect(cell).to_have_class(SAVED)
    expect(cell.locator("input")).to_have_value(str(value))


# ---- reading the certificate PDF back (poppler and zbar, as tests/training/test_certificates_pdf.py)


def run(tool, *args):
    if shutil.which(tool) is None:
        pytest.fail(f"`{tool}` is not installed: run `make pdf-deps` (poppler-utils, zbar-tools).", pytrace=False)
    result = subprocess.run([tool, *map(str, args)], capture_output=True, text=True)
    assert result.returncode == 0, f"{tool} failed: {result.stderr}"
    return result.stdout


def pdf_text(path):
    return "".join(run("pdftotext", "-enc", "UTF-8", path, "-").split())


def pdf_qr(path):
    prefix = path.with_suffix("")
    run("pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", path, prefix)
    return run("zbarimg", "--raw", "-q", f"{prefix}.png").strip()


def certify(live_app, course_id, user_id, staff_username):
    """Enrol the person in the course (already held), mark every lesson attended, record passing marks and
    issue the certificate; returns its verification code. Move the course into the past first."""
    import sqlalchemy as sa

    from app.accounts.models import User
    from app.extensions import db
    from app.training import services
    from app.training.models import Course

    with live_app.app_context():
        staff = db.session.scalar(sa.select(User).where(User.username == staff_username))
        course, user = db.session.get(Course, course_id), db.session.get(User, user_id)
        enrolment = services.enrol(user, course, by_staff=True)
        for lesson in course.lessons:
            services.mark_attendance(staff, lesson, enrolment, True)
        services.record_attempt(staff, enrolment, theory=Decimal(86), practical=Decimal(91))
        [certificate] = services.issue_certificates(staff, course)
        db.session.commit()
        return certificate.verify_code
