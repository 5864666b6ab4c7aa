"""The catalog, course page and enrolment as a worker on a phone uses them; staff rosters."""
import io
import re
from datetime import date, timedelta

import sqlalchemy as sa
from openpyxl import Workbook

from app.accounts.models import User
from app.training import services
from app.training.models import Course, Enrolment, EnrolmentStatus as E
from tests.factories import PASSWORD, TradeFactory, UserFactory, session_identity
from tests.training.conftest import make_course


def sign_in(client, user):
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = session_identity(user)


def test_catalog_search_and_filters(client, welding, db):
    other_trade = TradeFactory(code="ZB", name="直播销售员")
    make_course(welding["staff"], trade=other_trade, base=welding["base"], title="电子商务直播带货培训班", seats=40)
    page = client.get("/training/").get_data(as_text=True)
    assert "焊工（初级）培训班" in page and "电子商务直播带货培训班" in page
    fragment = client.get("/training/?q=直播", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "电子商务直播带货培训班" in fragment and "焊工（初级）" not in fragment and "<html" not in fragment
    seats = client.get("/training/?seats=y").get_data(as_text=True)
    assert "焊工（初级）" not in seats  # full
    assert "40" in client.get(f"/training/?trade={other_trade.id}").get_data(as_text=True)


def test_three_taps_from_catalog_to_enrolled(client, db, users):
    course = make_course(users["staff"], seats=2)
    worker = UserFactory()
    sign_in(client, worker)
    catalog = client.get("/training/").get_data(as_text=True)
    assert f'/training/courses/{course.id}/enrol' in catalog  # the enrol button is on the card itself
    response = client.post(f"/training/courses/{course.id}/enrol")
    assert response.status_code == 303 and response.headers["Location"] == "/training/my/"
    assert db.session.scalar(sa.select(Enrolment.status).where(Enrolment.user_id == worker.id)) == E.ENROLLED


def test_waitlist_position_is_visible_and_withdrawal_promotes(client, welding, db):
    waiting = welding["trainees"][3]
    sign_in(client, waiting)
    my = client.get("/training/my/").get_data(as_text=True)
    assert "1" in my and f'data-testid="enrolment-{welding["course"].id}"' in my
    first = welding["trainees"][0]
    sign_in(client, first)
    client.post(f"/training/my/enrolments/{welding['enrolments'][0].id}/withdraw")
    db.session.refresh(welding["enrolments"][3])
    assert welding["enrolments"][3].status == E.ENROLLED
    # Nobody withdraws someone else.
    assert client.post(f"/training/my/enrolments/{welding['enrolments'][1].id}/withdraw").status_code == 403


def test_anonymous_visitor_is_asked_to_sign_in_and_comes_back(client, welding):
    course_id = welding["course"].id
    page = client.get(f"/training/courses/{course_id}").get_data(as_text=True)
    assert f"/login?next=/training/courses/{course_id}" in page
    response = client.post(f"/training/courses/{course_id}/enrol")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_join_the_union_while_enrolling(client, db, users):
    course = make_course(users["staff"])
    worker = UserFactory()
    sign_in(client, worker)
    assert "join_union" in client.get(f"/training/courses/{course.id}").get_data(as_text=True)
    client.post(f"/training/courses/{course.id}/enrol", data={"join_union": "y"})
    db.session.refresh(worker)
    assert worker.membership_status == "applied"


def roster(rows):
    workbook = Workbook()
    workbook.active.append(["姓名 name", "手机号 mobile"])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_roster_import_enrols_creates_and_waitlists(client, db, users, login):
    course = make_course(users["staff"], seats=3)
    known = UserFactory(mobile="13700000000")
    login("staff")
    rows = [["老用户", "13700000000"]] + [[f"学员{n}", f"1370000{n:04d}"] for n in range(1, 5)]
    response = client.post(f"/training/manage/courses/{course.id}/roster", data={"file": (roster(rows), "r.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    statuses = dict(db.session.execute(sa.select(Enrolment.user_id, Enrolment.status)
                                       .where(Enrolment.course_id == course.id)).all())
    assert statuses[known.id] == E.ENROLLED
    assert sorted(statuses.values()) == sorted([E.ENROLLED] * 3 + [E.WAITLISTED] * 2)
    db.session.refresh(course)
    assert course.seats_taken == 3
    # The new accounts come with claim codes for the staff to hand out (tests/accounts/test_claims.py).
    assert "/training/manage/courses/" in response.headers["Location"] and "done=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "下载新账号的认领码" in page


def test_roster_import_with_bad_rows_imports_nothing(client, db, users, login):
    course = make_course(users["staff"], seats=3)
    login("staff")
    rows = [["好人", "13700000011"], ["", "13700000012"], ["坏号码", "12345"], ["重复", "13700000011"]]
    response = client.post(f"/training/manage/courses/{course.id}/roster", data={"file": (roster(rows), "r.xlsx")},
                           content_type="multipart/form-data", follow_redirects=True)
    body = response.get_data(as_text=True)
    # A table of row, column and reason, with the marked workbook to download.
    assert "未导入任何数据" in body and re.search(r"\"/reports/[^\"/]+\.xlsx\"", body)
    table = body[body.index('class="import-errors"'):]
    assert "<td>3</td>" in table and "<td>4</td>" in table  # the rows without a name and with a bad number
    assert "手机号" in table and "姓名" in table  # the columns at fault, named
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)
                             .where(Enrolment.course_id == course.id)) == 0
    assert db.session.scalar(sa.select(User.id).where(User.mobile == "13700000011")) is None


def test_staff_create_a_course_and_weights_must_add_up(client, db, users, login, welding):
    login("staff")
    start = date.today() + timedelta(days=30)
    data = {"title": "育婴员培训班", "base_id": str(welding["base"].id), "trade_id": str(welding["trade"].id),
            "level": "5", "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=5)).isoformat(),
            "seats": "20", "fee": "0", "eligibility": "anyone", "theory_weight": "40", "practical_weight": "70",
            "pass_mark": "60", "min_attendance": "80", "status": "published"}
    body = client.post("/training/manage/courses/new", data=data).get_data(as_text=True)
    assert "field-error" in body
    assert db.session.scalar(sa.select(Course.id).where(Course.title == "育婴员培训班")) is None
    response = client.post("/training/manage/courses/new", data=data | {"theory_weight": "30"})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(Course.seats).where(Course.title == "育婴员培训班")) == 20


def test_catalog_runs_a_constant_number_of_queries(client, db, users):
    from sqlalchemy import event

    def count(url):
        statements = []
        engine = db.engines[None]
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    trade = TradeFactory()
    base = None
    for n in range(2):
        course = make_course(users["staff"], trade=trade, base=base, title=f"课程{n}")
        base = course.base
    worker = UserFactory()
    anonymous_few = count("/training/")
    sign_in(client, worker)
    signed_in_few = count("/training/")
    for n in range(15):
        make_course(users["staff"], trade=TradeFactory(), base=base, title=f"更多课程{n}")
    assert count("/training/") == signed_in_few  # the person's enrolment badges: one query for the page
    with client.session_transaction() as session:
        session.clear()
    assert count("/training/") == anonymous_few


def test_enrolments_page_is_paginated(client, db, users, login):
    course = make_course(users["staff"], seats=60)
    for n in range(55):
        services.enrol(UserFactory(), course)
    login("staff")
    first = client.get(f"/training/manage/courses/{course.id}/enrolments").get_data(as_text=True)
    assert f"/training/manage/courses/{course.id}/enrolments?page=2" in first
    second = client.get(f"/training/manage/courses/{course.id}/enrolments?page=2").get_data(as_text=True)
    assert second.count("training.staff_withdraw") == 0 and second.count("/withdraw\"") == 5


def test_anonymous_catalog_is_cached_until_a_course_or_a_seat_changes(client, db, users):
    course = make_course(users["staff"], seats=2, title="电工（中级）培训班")
    db.session.commit()
    first = client.get("/training/")
    page = first.get_data(as_text=True)
    assert "电工（中级）培训班" in page and "Set-Cookie" not in first.headers
    assert "csrf_token" not in page and "X-CSRFToken" not in page  # one rendering for every visitor
    assert client.get("/training/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    seats = f'data-testid="seats-{course.id}"'
    assert "2" in page.split(seats)[1].split("</span>")[0]

    # A new course: the listener bumps the catalog's version, so the next visit renders again.
    make_course(users["staff"], seats=10, title="育婴员培训班", trade=course.trade, base=course.base)
    db.session.commit()
    after = client.get("/training/", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and "育婴员培训班" in after.get_data(as_text=True)

    # A seat taken (a conditional UPDATE, not a flushed object) shows too.
    services.enrol(UserFactory(), course)
    db.session.commit()
    page = client.get("/training/").get_data(as_text=True)
    assert "1" in page.split(seats)[1].split("</span>")[0]
    services.enrol(UserFactory(), course)
    db.session.commit()
    assert "Full" in client.get("/training/?lang=en").get_data(as_text=True).split(seats)[1].split("</span>")[0]
