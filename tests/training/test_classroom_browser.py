"""In the browser: staff take attendance and enter marks; htmx swaps the cells and the row's summary."""
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

SAVED = re.compile(r"\bcell-saved\b")
ERROR = re.compile(r"\bcell-error\b")


@pytest.fixture()
def classroom(live_app):
    """A course with five lessons and three trainees, and a staff account, in the live server's database."""
    from app.accounts.models import Role
    from app.extensions import db, limiter
    from app.training import services
    from tests.factories import UserFactory
    from tests.training.conftest import hold, make_course

    with live_app.app_context():
        limiter.reset()
        staff = UserFactory(username="peixun", name="周老师", roles=[Role.STAFF])
        course = make_course(staff)
        enrolments = [services.enrol(UserFactory(name=name), course) for name in ("魏小红", "张伟", "李娜")]
        hold(course)  # the lessons are over: attendance and marks come after them
        for lesson in course.lessons[:2]:  # 张伟 missed three lessons: 40%
            services.mark_attendance(staff, lesson, enrolments[1], True)
        db.session.commit()
        return dict(course=course.id, lessons=[lesson.id for lesson in course.lessons],
                    enrolments=[e.id for e in enrolments])


def sign_in(page, url):
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.locator("#login").fill("peixun")
    page.locator("#password").fill(PASSWORD)
    page.locator("#accounts-login-form button[type=submit]").click()
    expect(page).to_have_url(url)


def test_attendance_then_marks_then_a_resit(live_server, classroom, page):
    course, lessons, (first, second, _third) = classroom["course"], classroom["lessons"], classroom["enrolments"]
    base = f"{live_server.url}/training/courses/{course}"
    sign_in(page, f"{base}/attendance")

    # One click marks present; the cell swaps itself and the rate at the row end follows.
    cell = page.get_by_test_id(f"att-{lessons[0]}-{first}")
    expect(cell).to_have_attribute("data-state", "unmarked")
    cell.click()
    expect(page.get_by_test_id(f"att-{lessons[0]}-{first}")).to_have_attribute("data-state", "present")
    expect(page.locator(f"#training-att-{lessons[0]}-{first}")).to_have_class(SAVED)
    expect(page.get_by_test_id(f"rate-{first}")).to_have_text("20%")
    page.get_by_test_id(f"att-{lessons[0]}-{first}").click()  # and again: absent
    expect(page.get_by_test_id(f"att-{lessons[0]}-{first}")).to_have_attribute("data-state", "absent")
    expect(page.get_by_test_id(f"rate-{first}")).to_have_text("0%")

    # Everyone present at the other lessons, one column at a time.
    for lesson in lessons:
        page.get_by_test_id(f"all-present-{lesson}").click()
        expect(page.get_by_test_id(f"att-{lesson}-{first}")).to_have_attribute("data-state", "present")
    expect(page.get_by_test_id(f"rate-{first}")).to_have_text("100%")
    expect(page.locator("#flash .flash-success").first).to_be_visible()

    # Marks: the cell saves itself, the total and the result follow out of band.
    page.goto(f"{base}/assessment")
    theory = page.locator(f"input[name=m-{first}-theory]")
    theory.fill("abc")
    theory.press("Tab")
    expect(page.locator(f"#training-mark-{first}-theory")).to_have_class(ERROR)
    page.locator(f"input[name=m-{first}-theory]").fill("80")
    page.locator(f"input[name=m-{first}-theory]").press("Tab")
    expect(page.locator(f"#training-mark-{first}-theory")).to_have_class(SAVED)
    page.locator(f"input[name=m-{first}-practical]").fill("90")
    page.locator(f"input[name=m-{first}-practical]").press("Tab")
    expect(page.get_by_test_id(f"total-{first}")).to_have_text("87")

    # "All present" also marked 张伟 at every lesson: he missed the last three after all.
    page.goto(f"{base}/attendance")
    for lesson in lessons[2:]:
        page.get_by_test_id(f"att-{lesson}-{second}").click()
        expect(page.get_by_test_id(f"att-{lesson}-{second}")).to_have_attribute("data-state", "absent")
    expect(page.get_by_test_id(f"rate-{second}")).to_have_text("40%")

    page.goto(f"{base}/assessment")
    for field, value in (("theory", "95"), ("practical", "95")):
        page.locator(f"input[name=m-{second}-{field}]").fill(value)
        page.locator(f"input[name=m-{second}-{field}]").press("Tab")
        expect(page.locator(f"#training-mark-{second}-{field}")).to_have_class(SAVED)
    # Good marks, too little attendance: failed, and a re-sit is offered.
    expect(page.get_by_test_id(f"result-{second}")).to_contain_text(re.compile("Failed|不合格|未通过"))
    page.get_by_test_id(f"resit-{second}").click()
    expect(page.get_by_test_id(f"attempt-{second}")).to_have_text("2")
    expect(page.locator(f"input[name=m-{second}-theory]")).to_have_value("")
    expect(page.get_by_test_id(f"resit-{second}")).to_have_count(0)

    from app.extensions import db
    from app.training.models import Attempt
    import sqlalchemy as sa

    with live_server.app.app_context():
        rows = db.session.execute(sa.select(Attempt.enrolment_id, Attempt.number, Attempt.total, Attempt.passed)
                                  .order_by(Attempt.enrolment_id, Attempt.number)).all()
    assert rows == [(first, 1, Decimal(87), True), (second, 1, Decimal(95), False), (second, 2, None, None)]
    assert page.console_errors == []
