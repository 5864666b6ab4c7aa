"""我的培训 as a trainee reads it: where they stand in each course (enrolled → in training →
completed / did not pass → certificate issued; waitlist, withdrawal and cancellation as they are),
courses ahead first; and the one-tap enrolment of the catalog that can also apply to join the union."""
import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.accounts.models import MembershipStatus
from app.audit import AuditEvent
from app.training import rules, services
from app.training.models import CourseStatus, Enrolment, EnrolmentStatus as E
from tests.factories import TradeFactory, UserFactory, session_identity
from tests.training.conftest import hold, make_course

D = Decimal


def sign_in(client, user):
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = session_identity(user)


def text(response):
    return response.get_data(as_text=True)


def progress_in_order(page):
    """(course id, progress) of each line of the page, top to bottom."""
    return [(int(course), step) for course, step in
            re.findall(r'data-testid="enrolment-(\d+)" data-progress="(\w+)"', page)]


@pytest.fixture()
def journey(db, users):
    """One worker's courses, from long ago to next month."""
    staff, worker = users["staff"], UserFactory(name="魏小红", membership_status=MembershipStatus.NONE)
    trade = TradeFactory(code="HG", name="焊工")
    first = make_course(staff, trade=trade, title="焊工（初级）培训班")
    base = first.base

    def course(title, starts_in_days=10, **values):
        return make_course(staff, trade=trade, base=base, title=title, starts_in_days=starts_in_days, **values)

    courses = {"certified": first, "passed": course("安全生产培训", certificate_name=None),
               "failed": course("焊工（中级）培训班"), "awaiting": course("低压电工作业培训班"),
               "studying": course("育婴员培训班"), "withdrawn": course("CAD制图培训班"),
               "enrolled": course("直播带货培训班", starts_in_days=10),
               "waitlisted": course("健康管理师培训班", starts_in_days=30, seats=1)}
    enrolments = {}
    for key, one in courses.items():
        if key == "waitlisted":
            services.enrol(UserFactory(), one)  # the only seat is taken
        enrolments[key] = services.enrol(worker, one)
    services.withdraw(worker, enrolments["withdrawn"])
    # The past courses took place (started 60, 50, 40 and 30 days ago), the one under way started two days ago.
    for key, days in (("certified", 60), ("passed", 50), ("failed", 40), ("awaiting", 30), ("withdrawn", 70),
                      ("studying", 2)):
        hold(courses[key], started_days_ago=days)
    for key, marks in (("certified", 90), ("passed", 80), ("failed", 30)):
        services.record_attempt(staff, enrolments[key], theory=D(marks), practical=D(marks), rate=D(100))
    [certificate] = services.issue_certificates(staff, courses["certified"])
    db.session.commit()
    return dict(worker=worker, courses=courses, certificate=certificate)


def test_my_training_shows_where_the_trainee_stands_courses_ahead_first(client, db, journey):
    ids = {key: course.id for key, course in journey["courses"].items()}
    sign_in(client, journey["worker"])
    page = text(client.get("/training/my/?lang=zh"))
    assert progress_in_order(page) == [
        # now and coming up: the soonest first
        (ids["studying"], "studying"), (ids["enrolled"], "enrolled"), (ids["waitlisted"], "waitlisted"),
        # earlier courses: the latest first
        (ids["awaiting"], "awaiting"), (ids["failed"], "failed"), (ids["passed"], "passed"),
        (ids["certified"], "certified"), (ids["withdrawn"], "withdrawn"),
    ]
    words = {course: re.sub(r"<[^>]+>|\s+", " ", block).split()
             for course, block in re.findall(r'data-testid="enrolment-(\d+)"[^>]*>(.*?)</p>', page, re.S)}
    assert words[str(ids["studying"])] == ["在学"]
    assert words[str(ids["enrolled"])] == ["已报名"]
    assert words[str(ids["waitlisted"])][0] == "候补中"
    assert words[str(ids["awaiting"])] == ["待出成绩"]
    assert words[str(ids["failed"])] == ["未通过"]
    assert words[str(ids["passed"])] == ["已结业"]
    assert words[str(ids["certified"])] == ["已发证", journey["certificate"].number]
    assert f'href="/training/my/certificates#certificate-{journey["certificate"].id}"' in page
    assert page.index("正在进行和即将开始") < page.index("在学") < page.index("以往培训") < page.index("待出成绩")


def test_cancelled_courses_and_revoked_certificates_say_so(client, db, journey, users):
    courses = journey["courses"]
    courses["enrolled"].status = CourseStatus.CANCELLED
    services.revoke_certificate(users["staff"], journey["certificate"], "证件造假")
    db.session.commit()
    sign_in(client, journey["worker"])
    steps = dict(progress_in_order(text(client.get("/training/my/"))))
    assert steps[courses["enrolled"].id] == "cancelled"
    assert steps[courses["certified"].id] == "revoked"


def test_my_training_runs_a_fixed_number_of_queries(client, db, journey, users):
    from tests.training.test_certificates import count_queries

    sign_in(client, journey["worker"])
    before = count_queries(db, client, "/training/my/", selects_only=True)
    extra = make_course(users["staff"], trade=journey["courses"]["certified"].trade,
                        base=journey["courses"]["certified"].base, title="电工培训班")
    services.enrol(journey["worker"], extra)
    hold(extra, started_days_ago=40)
    services.record_attempt(users["staff"], db.session.scalar(sa.select(Enrolment).where(
        Enrolment.course_id == extra.id)), theory=D(90), practical=D(90), rate=D(100))
    db.session.commit()
    assert count_queries(db, client, "/training/my/", selects_only=True) == before


@pytest.mark.parametrize("status, passed, certificate, today_offset, expected", [
    ("enrolled", None, None, -1, "enrolled"),
    ("enrolled", None, None, 0, "studying"),
    ("enrolled", None, None, 15, "awaiting"),
    ("enrolled", True, None, 15, "passed"),
    ("enrolled", False, None, 15, "failed"),
    ("enrolled", True, "valid", 15, "certified"),
    ("enrolled", True, "superseded", 400, "certified"),
    ("enrolled", True, "revoked", 15, "revoked"),
    ("waitlisted", None, None, -1, "waitlisted"),
    ("pending", None, None, -1, "pending"),
    ("withdrawn", None, None, 15, "withdrawn"),
    ("rejected", None, None, -1, "rejected"),
])
def test_progress_rule(status, passed, certificate, today_offset, expected):
    starts = date(2026, 5, 10)
    ends = date(2026, 5, 24)
    today = date.fromordinal(starts.toordinal() + today_offset)
    assert rules.progress(status, False, starts, ends, today, passed, certificate) == expected


# ---------------------------------------------------------------- one tap from the catalog, joining the union too


def test_a_worker_enrols_from_the_catalog_and_applies_to_join_the_union(client, db, users):
    course = make_course(users["staff"])
    worker = UserFactory(membership_status=MembershipStatus.NONE)
    sign_in(client, worker)
    card = text(client.get("/training/?lang=zh"))
    assert f'data-testid="join-union-{course.id}"' in card and "同时申请加入工会" in card
    response = client.post(f"/training/courses/{course.id}/enrol", data={"join_union": "y"})
    assert response.status_code == 303
    db.session.refresh(worker)
    assert worker.membership_status == MembershipStatus.APPLIED and worker.membership_applied_at is not None
    assert db.session.scalar(sa.select(Enrolment.status).where(Enrolment.user_id == worker.id)) == E.ENROLLED
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "membership.apply"))
    assert audit.object_id == str(worker.id) and audit.after["membership_status"] == "applied"
    my = text(client.get(response.headers["Location"] + "?lang=zh"))
    assert "您的入会申请已提交" in my  # the flash says the application was sent, beside the enrolment


def test_members_and_applicants_are_not_offered_to_join_again(client, db, users):
    course = make_course(users["staff"])
    for status in (MembershipStatus.MEMBER, MembershipStatus.APPLIED):
        extra = {"member_number": f"M-{status}"} if status == MembershipStatus.MEMBER else {}
        sign_in(client, UserFactory(membership_status=status, **extra))
        card = text(client.get("/training/"))
        assert f'data-testid="enrol-{course.id}"' in card and "join_union" not in card


def test_a_members_only_course_asks_a_non_member_to_apply_first(client, db, users):
    course = make_course(users["staff"], eligibility="members")
    worker = UserFactory(membership_status=MembershipStatus.NONE)
    sign_in(client, worker)
    card = text(client.get("/training/?lang=en"))
    assert f'data-testid="members-only-{course.id}"' in card and f'data-testid="enrol-{course.id}"' not in card
    assert f'data-testid="apply-membership-{course.id}"' in card
    # Ticking "join" does not make anyone a member: the enrolment is refused and nothing is recorded.
    response = client.post(f"/training/courses/{course.id}/enrol?lang=en", data={"join_union": "y"})
    assert "This course is for union members" in text(client.get(response.headers["Location"]))
    db.session.refresh(worker)
    assert worker.membership_status == MembershipStatus.NONE
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0
    # The button applies; then the card says to wait for the union.
    response = client.post("/account/membership", data={"next": "/training/"})
    assert response.headers["Location"] == "/training/"
    card = text(client.get("/training/?lang=en"))
    assert "you can enrol once the union confirms your application" in card
    assert f'data-testid="apply-membership-{course.id}"' not in card
