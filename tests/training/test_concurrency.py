"""Many people clicking "enrol" on the last seats at once, through a live server on PostgreSQL."""
import re
import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.training.models import Course, Enrolment, EnrolmentStatus as E
from tests.competitions.test_concurrency import Browser, pg_live  # noqa: F401  (the PostgreSQL live app)
from tests.conftest import LiveServer
from tests.factories import UserFactory
from tests.training.conftest import make_course

PEOPLE, SEATS = 16, 5


@pytest.mark.parametrize("database", ["postgresql"])
def test_the_last_seats_are_never_oversold(pg_live, database):  # noqa: F811
    with pg_live.app_context():
        staff = UserFactory(roles=["staff"])
        course = make_course(staff, seats=SEATS)
        people = [UserFactory().username for _ in range(PEOPLE)]
        course_id = course.id
        db.session.commit()

    start = threading.Barrier(PEOPLE)
    failures = []

    def click_enrol(username):
        try:
            browser = Browser(server.url)
            browser.sign_in(username)
            _, page = browser.request("GET", f"/training/courses/{course_id}")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            start.wait()
            status, _ = browser.request("POST", f"/training/courses/{course_id}/enrol", {"csrf_token": token})
            if status != 303:
                failures.append((username, status))
        except Exception as error:
            failures.append((username, repr(error)))

    with LiveServer(pg_live) as server:
        threads = [threading.Thread(target=click_enrol, args=(name,)) for name in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert failures == []
    with pg_live.app_context():
        statuses = db.session.scalars(sa.select(Enrolment.status).where(Enrolment.course_id == course_id)).all()
        assert sorted(statuses).count(E.ENROLLED) == SEATS
        assert sorted(statuses).count(E.WAITLISTED) == PEOPLE - SEATS
        assert db.session.scalar(sa.select(Course.seats_taken).where(Course.id == course_id)) == SEATS
