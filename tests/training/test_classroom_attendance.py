"""The attendance grid: toggles save in place, rates follow, tampering is refused, queries stay constant."""
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.training import services
from app.training.models import Attendance
from tests.factories import UserFactory
from tests.training.conftest import hold, make_course

HX = {"HX-Request": "true"}


@pytest.fixture()
def welding(welding):
    """The welding course after it took place: attendance, marks and certificates come after the lessons."""
    hold(welding["course"])
    return welding


@pytest.fixture()
def staff(client, login):
    user = login("staff")
    with client.session_transaction() as session:
        session["lang"] = "en"  # match messages in English whatever the catalogs hold
    return user


def page_url(course):
    return f"/training/courses/{course.id}/attendance"


def mark_url(course, lesson, enrolment):
    return f"/training/courses/{course.id}/attendance/{lesson.id}/{enrolment.id}"


def present_at(db, enrolment):
    return dict(db.session.execute(sa.select(Attendance.lesson_id, Attendance.present)
                                   .where(Attendance.enrolment_id == enrolment.id)).all())


def test_page_shows_enrolled_trainees_by_lessons(client, staff, welding):
    body = client.get(page_url(welding["course"])).get_data(as_text=True)
    for name in ("魏小红", "张伟", "李娜"):
        assert name in body
    assert "王强" not in body  # on the waitlist, not in the class
    for n in range(1, 6):
        assert f"第{n}课" in body
    assert body.count('data-state="unmarked"') == 15
    assert "0%" in body


def test_toggle_saves_in_place_and_updates_the_rate_out_of_band(client, staff, welding, db):
    course, enrolment = welding["course"], welding["enrolments"][0]
    lessons = course.lessons
    response = client.post(mark_url(course, lessons[0], enrolment), data={"present": "1"}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<td id="training-att-{lessons[0].id}-{enrolment.id}"')
    assert 'data-state="present"' in body and "cell-saved" in body
    assert 'value="0"' in body  # the next click marks absent
    assert f'id="training-rate-{enrolment.id}"' in body and 'hx-swap-oob="true"' in body and "20%" in body
    assert present_at(db, enrolment) == {lessons[0].id: True}

    client.post(mark_url(course, lessons[1], enrolment), data={"present": "1"}, headers=HX)
    body = client.post(mark_url(course, lessons[0], enrolment), data={"present": "0"},
                       headers=HX).get_data(as_text=True)
    assert 'data-state="absent"' in body and "20%" in body
    assert present_at(db, enrolment) == {lessons[0].id: False, lessons[1].id: True}
    assert services.attendance_rate(course, [enrolment.id])[enrolment.id] == 20


def test_without_javascript_a_cell_posts_and_comes_back(client, staff, welding, db):
    course, enrolment = welding["course"], welding["enrolments"][1]
    lesson = course.lessons[2]
    response = client.post(mark_url(course, lesson, enrolment), data={"present": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/attendance#training-att-{lesson.id}-{enrolment.id}")
    assert present_at(db, enrolment) == {lesson.id: True}
    body = client.get(page_url(course)).get_data(as_text=True)
    assert body.count('data-state="present"') == 1


def test_mark_everyone_present_for_a_lesson(client, staff, welding, db):
    course = welding["course"]
    lesson = course.lessons[0]
    response = client.post(f"/training/courses/{course.id}/attendance/{lesson.id}/all-present", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="training-attendance-grid">')
    assert body.count('data-state="present"') == 3 and "Everyone is marked present" in body
    for enrolment in welding["enrolments"][:3]:
        assert present_at(db, enrolment) == {lesson.id: True}
    assert present_at(db, welding["enrolments"][3]) == {}  # the waitlisted person is not in the class
    plain = client.post(f"/training/courses/{course.id}/attendance/{lesson.id}/all-present")
    assert plain.status_code == 303


def test_tampered_ids_and_values_are_refused(client, staff, welding, db, users):
    course, enrolment = welding["course"], welding["enrolments"][0]
    lesson = course.lessons[0]
    other = make_course(users["staff"], base=welding["base"], trade=welding["trade"], title="另一个班")
    stranger = services.enrol(UserFactory(), other)
    # An enrolment or a lesson of another course: 404, nothing saved.
    assert client.post(mark_url(course, lesson, stranger), data={"present": "1"}, headers=HX).status_code == 404
    assert client.post(mark_url(course, other.lessons[0], enrolment), data={"present": "1"},
                       headers=HX).status_code == 404
    assert client.post(f"/training/courses/999999/attendance/{lesson.id}/{enrolment.id}",
                       data={"present": "1"}).status_code == 404
    # Not a present/absent value.
    assert client.post(mark_url(course, lesson, enrolment), data={"present": "yes"}, headers=HX).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0


def test_a_waitlisted_or_withdrawn_trainee_cannot_be_marked(client, staff, welding, db):
    course = welding["course"]
    lesson, waiting = course.lessons[0], welding["enrolments"][3]
    response = client.post(mark_url(course, lesson, waiting), data={"present": "1"}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "cell-error" in body and "not enrolled" in body
    services.withdraw(welding["staff"], welding["enrolments"][0], by_staff=True)
    db.session.commit()
    response = client.post(mark_url(course, lesson, welding["enrolments"][0]), data={"present": "1"})
    assert response.status_code == 303
    assert "not enrolled" in client.get(page_url(course)).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0


def test_pages_without_lessons_or_trainees_explain_themselves(client, staff, db, users):
    course = make_course(users["staff"])
    body = client.get(page_url(course)).get_data(as_text=True)
    assert "No one is enrolled" in body
    assert client.get("/training/courses/999999/attendance").status_code == 404


def count_queries(db, client, url):
    statements = []
    engine = db.engines[None]
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(statements)


def test_attendance_page_runs_a_constant_number_of_queries(client, staff, db, users):
    course = hold(make_course(users["staff"], seats=40))

    def add_trainees(n):  # late arrivals, enrolled by staff once the course is under way
        for _ in range(n):
            enrolment = services.enrol(UserFactory(), course, by_staff=True)
            for lesson in course.lessons[:3]:
                services.mark_attendance(users["staff"], lesson, enrolment, True)
        db.session.commit()

    add_trainees(2)
    few = count_queries(db, client, page_url(course))
    add_trainees(15)
    many = count_queries(db, client, page_url(course))
    assert many == few
    assert client.get(page_url(course)).get_data(as_text=True).count("60%") == 17


@pytest.mark.parametrize("method,path", [
    ("get", "/attendance"),
    ("post", "/attendance/{lesson}/{enrolment}"),
    ("post", "/attendance/{lesson}/all-present"),
    ("get", "/assessment"),
    ("post", "/assessment"),
    ("post", "/assessment/cells"),
    ("post", "/assessment/{enrolment}/resit"),
    ("get", "/assessment/import"),
    ("post", "/assessment/import"),
    ("get", "/assessment/template.xlsx"),
    ("get", "/roster.xlsx"),
    ("get", "/attendance.xlsx"),
    ("get", "/results.xlsx"),
])
def test_trainees_get_403_everywhere(client, login, welding, db, method, path):
    login("trainee")
    course = welding["course"]
    url = f"/training/courses/{course.id}" + path.format(lesson=course.lessons[0].id,
                                                        enrolment=welding["enrolments"][0].id)
    data = {"present": "1", f"m-{welding['enrolments'][0].id}-theory": "90"} if method == "post" else None
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0
