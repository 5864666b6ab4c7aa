"""Nothing is recorded before it happens: attendance of a lesson still to come, marks before the
assessment day and certificates before it are refused with a clear message, in the grids' cells,
the forms without JavaScript, the marks import and the services (rules in app/training/rules.py)."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.errors import DomainError
from app.training import services
from app.training.models import Attempt, Attendance, Certificate
from tests.training.conftest import hold
from tests.training.test_classroom_import import upload, workbook

D = Decimal
LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # days are days in China
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English for matching."""


@pytest.fixture()
def staff(client, login):
    user = login("staff")
    with client.session_transaction() as session:
        session["lang"] = "en"
    return user


def text(response):
    return response.get_data(as_text=True)


def recorded(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def last_lesson_day(course):
    return max(lesson.starts_at for lesson in course.lessons).astimezone(LOCAL_TZ).date()


# ---------------------------------------------------------------- attendance


def test_attendance_of_a_lesson_to_come_is_refused_in_its_cell(client, staff, welding, db):
    course, enrolment = welding["course"], welding["enrolments"][0]  # the course starts in ten days
    lesson = course.lessons[0]
    url = f"/training/courses/{course.id}/attendance/{lesson.id}/{enrolment.id}"
    body = text(client.post(url, data={"present": "1"}, headers=HX))
    assert body.lstrip().startswith(f'<td id="training-att-{lesson.id}-{enrolment.id}"')
    assert "cell-error" in body and "This lesson has not started yet" in body
    opens = (lesson.starts_at - timedelta(minutes=30)).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    assert f"its attendance can be taken from {opens}" in body
    assert 'data-state="later"' in body and "disabled" in body  # the cell stays closed
    assert recorded(db, Attendance) == 0

    # Without JavaScript: back to the grid, the reason on top.
    response = client.post(url, data={"present": "1"})
    assert response.status_code == 303
    assert "This lesson has not started yet" in text(client.get(response.headers["Location"]))
    # Everyone at once, too.
    response = client.post(f"/training/courses/{course.id}/attendance/{lesson.id}/all-present")
    assert "This lesson has not started yet" in text(client.get(response.headers["Location"]))
    assert recorded(db, Attendance) == 0


def test_the_grid_opens_the_lessons_that_have_begun_only(client, staff, welding, db):
    course = hold(welding["course"], started_days_ago=2)  # lessons two days ago, yesterday, today, +1, +2 days
    db.session.commit()
    past, later = course.lessons[0], course.lessons[4]
    page = text(client.get(f"/training/courses/{course.id}/attendance"))
    assert page.count('data-state="later"') >= 2 * 3  # the last two lessons, for each of three trainees
    assert f'data-testid="all-present-{past.id}"' in page and f'data-testid="all-present-{later.id}"' not in page
    assert f'data-testid="opens-{later.id}"' in page and f'data-testid="opens-{past.id}"' not in page
    enrolment = welding["enrolments"][0]
    ok = text(client.post(f"/training/courses/{course.id}/attendance/{past.id}/{enrolment.id}",
                          data={"present": "1"}, headers=HX))
    assert "cell-saved" in ok
    refused = text(client.post(f"/training/courses/{course.id}/attendance/{later.id}/{enrolment.id}",
                               data={"present": "1"}, headers=HX))
    assert "has not started yet" in refused
    assert db.session.execute(sa.select(Attendance.lesson_id)).scalars().all() == [past.id]


def test_attendance_opens_half_an_hour_before_the_lesson(welding):
    lesson, enrolment = welding["course"].lessons[0], welding["enrolments"][0]
    with pytest.raises(DomainError, match="has not started yet"):
        services.mark_attendance(welding["staff"], lesson, enrolment, True,
                                 now=lesson.starts_at - timedelta(minutes=31))
    services.mark_attendance(welding["staff"], lesson, enrolment, True, now=lesson.starts_at - timedelta(minutes=30))


# ---------------------------------------------------------------- marks


def test_marks_before_the_assessment_day_are_refused_in_the_cells_and_the_form(client, staff, welding, db):
    course, enrolment = welding["course"], welding["enrolments"][0]
    day = last_lesson_day(course).isoformat()
    message = f"The assessment of this course is on {day}: marks can be recorded from that day."
    page = text(client.get(f"/training/courses/{course.id}/assessment"))
    assert message in page and 'data-testid="marks-not-open"' in page
    assert f'name="m-{enrolment.id}-theory"' in page and "readonly" in page and "Save all" not in page

    body = text(client.post(f"/training/courses/{course.id}/assessment/cells",
                            data={f"m-{enrolment.id}-theory": "88"}, headers=HX))
    assert body.lstrip().startswith(f'<td id="training-mark-{enrolment.id}-theory"')
    assert "cell-error" in body and message in body and 'value="88"' in body  # what was typed stays in place

    response = client.post(f"/training/courses/{course.id}/assessment",
                           data={f"m-{enrolment.id}-theory": "88", f"m-{enrolment.id}-practical": "90"})
    assert response.status_code == 200 and message in text(response)
    assert recorded(db, Attempt) == 0


def test_the_marks_import_waits_for_the_assessment_day(client, staff, welding, db):
    course, trainee = welding["course"], welding["trainees"][0]
    day = last_lesson_day(course).isoformat()
    assert "marks-not-open" in text(client.get(f"/training/courses/{course.id}/assessment/import"))
    response = upload(client, course, workbook([[None, trainee.mobile, 88, 92]]))
    assert response.status_code == 200
    assert f"The assessment of this course is on {day}: marks can be recorded from that day." in text(response)
    assert recorded(db, Attempt) == 0


def test_marks_open_on_the_day_of_the_last_lesson_in_china(welding):
    course, enrolment = welding["course"], welding["enrolments"][0]
    day = last_lesson_day(course)
    midnight = datetime.combine(day, datetime.min.time(), LOCAL_TZ)  # 16:00 UTC the day before
    with pytest.raises(DomainError, match="marks can be recorded from that day"):
        services.record_attempt(welding["staff"], enrolment, theory=D(80), practical=D(80),
                                now=midnight - timedelta(minutes=1))
    attempt = services.record_attempt(welding["staff"], enrolment, theory=D(80), practical=D(80),
                                      now=midnight.astimezone(timezone.utc))
    assert attempt.total == D(80)


def test_a_course_without_lessons_is_assessed_on_its_last_day(welding, db):
    course = welding["course"]
    for lesson in list(course.lessons):
        db.session.delete(lesson)
    db.session.flush()
    db.session.expire(course, ["lessons"])
    assert services.course_assessment_day(course) == course.ends_on
    last_day = datetime.combine(course.ends_on, datetime.min.time(), LOCAL_TZ)
    with pytest.raises(DomainError):
        services.record_attempt(welding["staff"], welding["enrolments"][0], theory=D(80), practical=None,
                                now=last_day - timedelta(seconds=1))
    services.record_attempt(welding["staff"], welding["enrolments"][0], theory=D(80), practical=None, now=last_day)


# ---------------------------------------------------------------- certificates


def test_certificates_wait_for_the_assessment_day(client, staff, welding, db):
    course, enrolment = welding["course"], welding["enrolments"][0]
    day = last_lesson_day(course)
    on_the_day = datetime.combine(day, datetime.min.time(), LOCAL_TZ)
    services.record_attempt(welding["staff"], enrolment, theory=D(90), practical=D(90), rate=D(100),
                            now=on_the_day)  # recorded on the day (a test can hold the clock)
    db.session.commit()
    message = f"The assessment of this course is on {day.isoformat()}: certificates can be issued from that day."
    page = text(client.get(f"/training/courses/{course.id}/certificates"))
    assert message in page and 'data-testid="issue-certificates"' not in page
    response = client.post(f"/training/courses/{course.id}/certificates/issue")
    assert message in text(client.get(response.headers["Location"]))
    assert recorded(db, Certificate) == 0
    with pytest.raises(DomainError, match="certificates can be issued from that day"):
        services.issue_certificates(welding["staff"], course, today=day - timedelta(days=1))
    [certificate] = services.issue_certificates(welding["staff"], course, today=day)
    assert certificate.issued_on == day >= date.today()
