"""The assessment grid: marks save and validate in place, attendance decides pass/fail with the marks,
re-sits open a new attempt, issued certificates lock the marks, queries stay constant."""
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.training import services
from app.training.models import Attempt
from tests.factories import UserFactory
from tests.training.conftest import hold, make_course
from tests.training.test_classroom_attendance import count_queries

D = Decimal
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
        session["lang"] = "en"
    return user


def page_url(course):
    return f"/training/courses/{course.id}/assessment"


def save(client, course, enrolment, field, value):
    return client.post(f"/training/courses/{course.id}/assessment/cells",
                       data={f"m-{enrolment.id}-{field}": value}, headers=HX)


def attend(staff, course, enrolment, lessons):
    for lesson in course.lessons[:lessons]:
        services.mark_attendance(staff, lesson, enrolment, True)


def attempts(db, enrolment):
    return db.session.scalars(sa.select(Attempt).where(Attempt.enrolment_id == enrolment.id)
                              .order_by(Attempt.number)).all()


def cell_text(body, testid):
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</td>', body, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).split() if match else None


def test_a_mark_saves_in_place_and_the_total_follows(client, staff, welding, db):
    course, enrolment = welding["course"], welding["enrolments"][0]
    attend(welding["staff"], course, enrolment, 5)
    db.session.commit()
    response = save(client, course, enrolment, "theory", "80")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "cell-saved" in body and 'value="80"' in body
    assert body.lstrip().startswith(f'<td id="training-mark-{enrolment.id}-theory"')
    assert cell_text(body, f"result-{enrolment.id}") == ["Not", "complete"]
    assert f'id="training-total-{enrolment.id}" data-testid="total-{enrolment.id}" hx-swap-oob="true"' in body

    body = save(client, course, enrolment, "practical", "90.5").get_data(as_text=True)
    assert 'value="90.5"' in body
    assert cell_text(body, f"total-{enrolment.id}") == ["87.35"]  # 80 × 30% + 90.5 × 70%
    assert cell_text(body, f"result-{enrolment.id}") == ["Passed"]
    assert cell_text(body, f"attempt-{enrolment.id}") == ["1"]
    [attempt] = attempts(db, enrolment)
    assert (attempt.theory, attempt.practical, attempt.total, attempt.passed) == (D(80), D("90.5"), D("87.35"), True)

    page = client.get(page_url(course)).get_data(as_text=True)
    assert 'value="80"' in page and 'value="90.5"' in page and "87.35" in page and "100%" in page


@pytest.mark.parametrize("value,message", [
    ("abc", "Enter the mark as a number"),
    ("101", "between 0 and 100"),
    ("-1", "between 0 and 100"),
    ("85.555", "at most 2 decimal places"),
    ("NaN", "Enter the mark as a number"),
    ("1e400", "between 0 and 100"),
])
def test_a_bad_mark_shows_its_error_in_place_and_saves_nothing(client, staff, welding, db, value, message):
    course, enrolment = welding["course"], welding["enrolments"][0]
    save(client, course, enrolment, "theory", "70")
    response = save(client, course, enrolment, "theory", value)
    body = response.get_data(as_text=True)
    assert response.status_code == 200  # htmx swaps 200s only
    assert "cell-error" in body and message in body and f'value="{value}"' in body
    assert [a.theory for a in attempts(db, enrolment)] == [D(70)]


def test_attendance_below_the_minimum_fails_despite_good_marks(client, staff, welding, db):
    course = welding["course"]  # min attendance 80%, five lessons
    weak, strong = welding["enrolments"][0], welding["enrolments"][1]
    attend(welding["staff"], course, weak, 3)  # 60%
    attend(welding["staff"], course, strong, 4)  # 80%
    db.session.commit()
    for enrolment in (weak, strong):
        save(client, course, enrolment, "theory", "95")
        body = save(client, course, enrolment, "practical", "95").get_data(as_text=True)
    assert cell_text(body, f"result-{strong.id}") == ["Passed"]
    assert [a.passed for a in attempts(db, weak)] == [False]
    assert [a.passed for a in attempts(db, strong)] == [True]
    page = client.get(page_url(course)).get_data(as_text=True)
    assert cell_text(page, f"result-{weak.id}") == ["Failed"] and cell_text(page, f"total-{weak.id}") == ["95"]
    assert f'data-testid="resit-{weak.id}"' in page and f'data-testid="resit-{strong.id}"' not in page


def test_a_resit_opens_attempt_two(client, staff, welding, db):
    course, enrolment = welding["course"], welding["enrolments"][0]
    attend(welding["staff"], course, enrolment, 5)
    db.session.commit()
    save(client, course, enrolment, "theory", "40")
    save(client, course, enrolment, "practical", "50")
    assert [a.passed for a in attempts(db, enrolment)] == [False]

    response = client.post(f"/training/courses/{course.id}/assessment/{enrolment.id}/resit", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith(f'<tr id="training-row-{enrolment.id}"')
    assert cell_text(body, f"attempt-{enrolment.id}") == ["2"] and "attempt 2 is open" in body
    assert f'name="m-{enrolment.id}-theory"\n         value=""' in body
    assert [(a.number, a.theory, a.passed) for a in attempts(db, enrolment)] == [(1, D(40), False), (2, None, None)]

    save(client, course, enrolment, "theory", "70")
    body = save(client, course, enrolment, "practical", "75").get_data(as_text=True)
    assert cell_text(body, f"result-{enrolment.id}") == ["Passed"] and cell_text(body, f"attempt-{enrolment.id}") == ["2"]
    assert [(a.number, a.passed) for a in attempts(db, enrolment)] == [(1, False), (2, True)]
    assert attempts(db, enrolment)[0].theory == D(40)  # the first sitting is kept as it was


def test_no_resit_after_a_pass_or_before_a_result(client, staff, welding, db):
    course, passed, unmarked = welding["course"], welding["enrolments"][0], welding["enrolments"][1]
    attend(welding["staff"], course, passed, 5)
    services.record_attempt(welding["staff"], passed, theory=D(90), practical=D(90))
    services.record_attempt(welding["staff"], unmarked, theory=D(90), practical=None)
    db.session.commit()
    for enrolment in (passed, unmarked):
        response = client.post(f"/training/courses/{course.id}/assessment/{enrolment.id}/resit")
        assert response.status_code == 303
        assert len(attempts(db, enrolment)) == 1
    page = client.get(page_url(course)).get_data(as_text=True)
    assert "no re-sit is needed" in page or "A re-sit follows a completed, failed attempt" in page


def test_save_all_without_javascript(client, staff, welding, db):
    course = welding["course"]
    first, second, third = welding["enrolments"][:3]
    attend(welding["staff"], course, first, 5)
    db.session.commit()
    data = {f"m-{first.id}-theory": "60", f"m-{first.id}-practical": "70",
            f"m-{second.id}-theory": "", f"m-{second.id}-practical": "",
            f"m-{third.id}-theory": "55", f"m-{third.id}-practical": ""}
    response = client.post(page_url(course), data=data)
    assert response.status_code == 303
    assert [(a.theory, a.practical, a.total, a.passed) for a in attempts(db, first)] == [(D(60), D(70), D(67), True)]
    assert attempts(db, second) == []  # nothing typed, nothing recorded
    assert [(a.theory, a.practical, a.passed) for a in attempts(db, third)] == [(D(55), None, None)]
    assert "Marks of 2 trainees saved" in client.get(page_url(course)).get_data(as_text=True)

    # One bad value: the page comes back (200) with the error in place; the good row is saved.
    data = {f"m-{first.id}-theory": "61", f"m-{first.id}-practical": "70",
            f"m-{third.id}-theory": "150", f"m-{third.id}-practical": "x"}
    response = client.post(page_url(course), data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="150"' in body and 'value="x"' in body and "Enter the mark as a number" in body
    assert attempts(db, first)[0].theory == D(61)
    assert attempts(db, third)[0].theory == D(55)


def test_withdrawn_trainees_and_other_courses_enrolments_are_refused(client, staff, welding, db, users):
    course, enrolment = welding["course"], welding["enrolments"][0]
    other = make_course(users["staff"], base=welding["base"], trade=welding["trade"], title="另一个班")
    stranger = services.enrol(UserFactory(), other)
    db.session.commit()
    assert save(client, course, stranger, "theory", "80").status_code == 404
    assert client.post(f"/training/courses/{course.id}/assessment/{stranger.id}/resit").status_code == 404
    assert client.post(f"/training/courses/{course.id}/assessment/cells", data={"m-x-theory": "1"},
                       headers=HX).status_code == 400
    assert attempts(db, stranger) == []

    waiting = welding["enrolments"][3]
    body = save(client, course, waiting, "theory", "80").get_data(as_text=True)
    assert "cell-error" in body and "not enrolled" in body
    services.withdraw(welding["staff"], enrolment, by_staff=True)
    db.session.commit()
    body = save(client, course, enrolment, "theory", "80").get_data(as_text=True)
    assert "cell-error" in body and "not enrolled" in body
    assert attempts(db, enrolment) == [] and attempts(db, waiting) == []


def test_marks_are_locked_once_a_certificate_is_issued(client, staff, welding, db):
    course, enrolment = welding["course"], welding["enrolments"][0]
    attend(welding["staff"], course, enrolment, 5)
    services.record_attempt(welding["staff"], enrolment, theory=D(90), practical=D(90))
    [certificate] = services.issue_certificates(welding["staff"], course)
    db.session.commit()
    page = client.get(page_url(course)).get_data(as_text=True)
    assert certificate.number in page and "readonly" in page
    body = save(client, course, enrolment, "theory", "20").get_data(as_text=True)
    assert "cell-error" in body and f"certificate {certificate.number}" in body
    assert attempts(db, enrolment)[0].theory == D(90)


def test_assessment_page_runs_a_constant_number_of_queries(client, staff, db, users):
    course = hold(make_course(users["staff"], seats=40))

    def add_trainees(n):  # late arrivals, enrolled by staff once the course is under way
        for i in range(n):
            enrolment = services.enrol(UserFactory(), course, by_staff=True)
            attend(users["staff"], course, enrolment, 4)
            services.record_attempt(users["staff"], enrolment, theory=D(50 + i), practical=D(60))
        db.session.commit()

    add_trainees(2)
    few = count_queries(db, client, page_url(course))
    add_trainees(15)
    many = count_queries(db, client, page_url(course))
    assert many == few
    assert client.get(page_url(course)).get_data(as_text=True).count('data-testid="total-') == 17
