"""A training base with a welding course: lessons, trainees enrolled, one on the waitlist."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.accounts.models import MembershipStatus
from app.training import services
from app.training.models import CourseStatus, Level
from tests.factories import OrganizationFactory, TradeFactory, UserFactory

D = Decimal


def make_course(staff, *, seats=3, starts_in_days=10, trade=None, base=None, **overrides):
    org = OrganizationFactory(kind="unit")
    trade = trade or TradeFactory(code="HG", name="焊工")
    base = base or services.save_base(staff, None, code="hg-base", name="徐州焊工实训基地", organization_id=org.id,
                                      address="徐州市铜山区", contact_name="刘老师", contact_phone="0516-80000000",
                                      designated_on=date(2025, 3, 1), status="active", description="",
                                      trades=[trade])
    start = date.today() + timedelta(days=starts_in_days)
    values = dict(base_id=base.id, trade_id=trade.id, title="焊工（初级）培训班", description="手工电弧焊",
                  level=Level.FIVE, starts_on=start, ends_on=start + timedelta(days=14), seats=seats,
                  enrol_opens_at=None, enrol_closes_at=None, fee=D(0), eligibility="anyone",
                  requires_approval=False, theory_weight=D(30), practical_weight=D(70), pass_mark=D(60),
                  min_attendance=D(80), certificate_name="焊工从业资格证书", certificate_years=3,
                  status=CourseStatus.PUBLISHED)
    values.update(overrides)
    course = services.save_course(staff, None, **values)
    for n in range(5):
        lesson_start = datetime.combine(start + timedelta(days=n), datetime.min.time(), tzinfo=timezone.utc)
        services.add_lesson(staff, course, starts_at=lesson_start + timedelta(hours=1),
                            ends_at=lesson_start + timedelta(hours=4), topic=f"第{n + 1}课")
    return course


def hold(course, started_days_ago=20):
    """Move a course (and its lessons) into the past, as if it had taken place.

    People enrol before a course starts, and attendance, marks and certificates come
    after its lessons (app/training/rules.py): tests enrol first, then hold the course.
    No page moves a course's dates once people are enrolled, so this is done directly.
    """
    from app.extensions import db

    shift = (date.today() - timedelta(days=started_days_ago)) - course.starts_on
    course.starts_on, course.ends_on = course.starts_on + shift, course.ends_on + shift
    for lesson in course.lessons:
        lesson.starts_at, lesson.ends_at = lesson.starts_at + shift, lesson.ends_at + shift
    db.session.flush()
    return course


@pytest.fixture()
def welding(db, users):
    """A 3-seat welding course with 3 trainees enrolled and a fourth on the waitlist."""
    staff = users["staff"]
    course = make_course(staff)
    trainees = [UserFactory(name=name, membership_status=MembershipStatus.NONE)
                for name in ("魏小红", "张伟", "李娜", "王强")]
    enrolments = [services.enrol(t, course) for t in trainees]
    return dict(staff=staff, course=course, trainees=trainees, enrolments=enrolments, base=course.base,
                trade=course.trade)
