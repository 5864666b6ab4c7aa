"""Every enrolment edge: full, window closed, duplicate, withdrawal after start, members only, last seat."""
from datetime import timedelta

import pytest

from app.accounts.models import MembershipStatus
from app.db import utcnow
from app.errors import DomainError
from app.training import services
from app.training.models import EnrolmentStatus as E
from tests.factories import OrganizationFactory, UserFactory
from tests.training.conftest import make_course


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English for matching."""


def test_full_course_puts_people_on_the_waitlist_in_order(welding, db):
    statuses = [e.status for e in welding["enrolments"]]
    assert statuses == [E.ENROLLED, E.ENROLLED, E.ENROLLED, E.WAITLISTED]
    course = welding["course"]
    db.session.refresh(course)
    assert course.seats_taken == 3 and course.seats_left == 0
    later = services.enrol(UserFactory(), course)
    assert services.waitlist_position(welding["enrolments"][3]) == 1
    assert services.waitlist_position(later) == 2


def test_withdrawal_frees_the_seat_and_promotes_the_first_of_the_waitlist(welding, db):
    first, waiting = welding["enrolments"][0], welding["enrolments"][3]
    promoted = services.withdraw(welding["trainees"][0], first)
    assert [p.id for p in promoted] == [waiting.id]
    db.session.refresh(waiting)
    db.session.refresh(welding["course"])
    assert waiting.status == E.ENROLLED and first.status == E.WITHDRAWN
    assert welding["course"].seats_taken == 3


def test_withdrawal_after_the_start_is_refused(welding):
    later = utcnow() + timedelta(days=30)
    with pytest.raises(DomainError, match="started"):
        services.withdraw(welding["trainees"][0], welding["enrolments"][0], now=later)
    # Staff may still withdraw someone (no promotion check on dates).
    services.withdraw(welding["staff"], welding["enrolments"][0], by_staff=True, now=later)


def test_enrolment_window(welding, db):
    course = welding["course"]
    course.enrol_closes_at = utcnow() - timedelta(hours=1)
    with pytest.raises(DomainError, match="closed"):
        services.enrol(UserFactory(), course)
    course.enrol_closes_at = None
    course.enrol_opens_at = utcnow() + timedelta(days=1)
    with pytest.raises(DomainError, match="closed"):
        services.enrol(UserFactory(), course)


def test_no_enrolment_once_the_course_has_started(db, users):
    course = make_course(users["staff"], starts_in_days=0)
    with pytest.raises(DomainError, match="closed"):
        services.enrol(UserFactory(), course)


def test_duplicate_enrolment_is_refused_and_reenrolment_after_withdrawal_works(welding, db):
    trainee, enrolment = welding["trainees"][1], welding["enrolments"][1]
    with pytest.raises(DomainError, match="already"):
        services.enrol(trainee, welding["course"])
    services.withdraw(trainee, enrolment)
    again = services.enrol(trainee, welding["course"])
    assert again.id == enrolment.id and again.status == E.WAITLISTED  # the seat went to the waitlist


def test_members_only_course(db, users):
    course = make_course(users["staff"], eligibility="members")
    outsider = UserFactory(membership_status=MembershipStatus.NONE)
    with pytest.raises(DomainError, match="members"):
        services.enrol(outsider, course)
    member = UserFactory(membership_status=MembershipStatus.MEMBER, member_number="M-1")
    assert services.enrol(member, course).status == E.ENROLLED


def test_units_only_course(db, users):
    city = OrganizationFactory(kind="federation")
    allowed = OrganizationFactory(kind="unit", parent=city)
    course = make_course(users["staff"], eligibility="units", units=[allowed])
    with pytest.raises(DomainError, match="units"):
        services.enrol(UserFactory(organization=OrganizationFactory(kind="unit", parent=city)), course)
    assert services.enrol(UserFactory(organization=allowed), course).status == E.ENROLLED


def test_applying_for_membership_while_enrolling(welding, db):
    newcomer = UserFactory(membership_status=MembershipStatus.NONE)
    services.enrol(newcomer, welding["course"], join_union=True)
    assert newcomer.membership_status == MembershipStatus.APPLIED


def test_approval_courses(db, users):
    course = make_course(users["staff"], seats=1, requires_approval=True)
    a, b = UserFactory(), UserFactory()
    first, second = services.enrol(a, course), services.enrol(b, course)
    assert first.status == second.status == E.PENDING
    services.decide(users["staff"], first, approve=True)
    services.decide(users["staff"], second, approve=True)
    assert (first.status, second.status) == (E.ENROLLED, E.WAITLISTED)
    with pytest.raises(DomainError, match="decided"):
        services.decide(users["staff"], first, approve=False)


def test_fewer_seats_than_taken_is_refused_and_more_seats_promote(welding, db):
    course = welding["course"]
    values = {name: getattr(course, name) for name in services.COURSE_FIELDS}
    with pytest.raises(DomainError, match="fewer"):
        services.save_course(welding["staff"], course, **(values | {"seats": 2}))
    services.save_course(welding["staff"], course, **(values | {"seats": 4}))
    db.session.refresh(welding["enrolments"][3])
    assert welding["enrolments"][3].status == E.ENROLLED
