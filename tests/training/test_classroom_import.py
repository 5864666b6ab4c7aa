"""Importing marks from Excel: all rows checked first, all or nothing, errors by row with a marked workbook."""
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.training import services
from app.training.models import Attempt
from tests.factories import UserFactory
from tests.training.conftest import hold

D = Decimal
HEADERS = ["姓名 name", "手机号 mobile", "理论 theory", "实操 practical"]


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


def workbook(rows, headers=HEADERS):
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def upload(client, course, data, filename="marks.xlsx"):
    return client.post(f"/training/courses/{course.id}/assessment/import",
                       data={"file": (data, filename)}, content_type="multipart/form-data")


def all_attempts(db):
    return db.session.execute(sa.select(Attempt.enrolment_id, Attempt.number, Attempt.theory, Attempt.practical)
                              .order_by(Attempt.enrolment_id)).all()


def test_import_by_mobile_or_unique_name(client, staff, welding, db):
    course = welding["course"]
    first, second, third = welding["trainees"][:3]
    e1, e2, e3 = welding["enrolments"][:3]
    for lesson in course.lessons:
        services.mark_attendance(welding["staff"], lesson, e1, True)
    services.record_attempt(welding["staff"], e3, theory=D(70), practical=None)
    db.session.commit()
    rows = [[None, first.mobile, 88, 92.5],
            ["张伟", None, "75", None],
            [third.name, f"+86 {third.mobile[:3]} {third.mobile[3:7]} {third.mobile[7:]}", None, 66]]
    response = upload(client, course, workbook(rows))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/courses/{course.id}/assessment")
    assert all_attempts(db) == [(e1.id, 1, D(88), D("92.5")), (e2.id, 1, D(75), None), (e3.id, 1, D(70), D(66))]
    attempt = db.session.scalar(sa.select(Attempt).where(Attempt.enrolment_id == e1.id))
    assert attempt.total == D("91.15") and attempt.passed is True
    assert "Marks of 3 trainees were imported" in client.get(f"/training/courses/{course.id}/assessment").get_data(
        as_text=True)


def error_rows(response):
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing was imported" in body
    return body


@pytest.mark.parametrize("row,message", [
    (["魏小红", "13800000000", 80, 80], "No one is registered with this mobile number"),
    (["无此人", None, 80, 80], "No trainee of this course has this name"),
    (["王强", None, 80, 80], "王强 is not enrolled in the course (On the waitlist)"),
    (["张伟", "{mobile0}", 80, 80], "belongs to 魏小红"),
    (["魏小红", "{mobile0}", 101, 80], "must be at most 100"),
    (["魏小红", "{mobile0}", -5, 80], "must be at least 0"),
    (["魏小红", "{mobile0}", "八十", 80], "is not a number"),
    (["魏小红", "{mobile0}", 80.123, 80], "decimal places"),
    (["魏小红", "12345", 80, 80], "11-digit"),
    ([None, None, 80, 80], "mobile number or name"),
    (["王强", "{mobile3}", 80, 80], "王强 is not enrolled in the course (On the waitlist)"),
    (["其他班学员", "{outsider}", 80, 80], "This person is not enrolled in the course"),
])
def test_each_bad_row_is_reported_and_nothing_is_written(client, staff, welding, db, row, message):
    course = welding["course"]
    outsider = UserFactory(name="其他班学员")
    db.session.commit()
    mobiles = {f"mobile{i}": t.mobile for i, t in enumerate(welding["trainees"])} | {"outsider": outsider.mobile}
    row = [cell.format(**mobiles) if isinstance(cell, str) else cell for cell in row]
    good = [None, welding["trainees"][1].mobile, 90, 90]
    body = error_rows(upload(client, course, workbook([good, row])))
    assert message in body
    assert "<td>3</td>" in body  # the bad row's number; the good row 2 is not listed
    assert "<td>2</td>" not in body
    assert all_attempts(db) == []


def test_duplicates_ambiguous_names_and_withdrawn_trainees(client, staff, welding, db):
    course = welding["course"]
    e1 = welding["enrolments"][0]
    twin = services.enrol(UserFactory(name="张伟"), course, by_staff=True)  # the course is full: waitlisted
    services.withdraw(welding["staff"], e1, by_staff=True)  # frees a seat: 王强 is promoted
    db.session.commit()
    assert twin.status == "waitlisted"
    services.withdraw(welding["staff"], welding["enrolments"][3], by_staff=True)  # 王强 leaves: the twin is promoted
    db.session.commit()
    db.session.refresh(twin)
    assert twin.status == "enrolled"
    rows = [["张伟", None, 80, 80],
            [None, welding["trainees"][2].mobile, 80, 80],
            ["李娜", welding["trainees"][2].mobile, 70, 70],
            [None, welding["trainees"][0].mobile, 80, 80]]
    body = error_rows(upload(client, course, workbook(rows)))
    assert "Several trainees have this name" in body
    assert "李娜 is already on row 3" in body
    assert "魏小红 is not enrolled in the course (Withdrawn)" in body
    assert all_attempts(db) == []


def test_errors_come_with_a_marked_workbook_to_download(client, staff, welding, db):
    course = welding["course"]
    rows = [[None, welding["trainees"][0].mobile, 80, 80], ["无此人", None, 101, 80]]
    body = error_rows(upload(client, course, workbook(rows)))
    token = re.search(r"\"/reports/([^\"/]+)\.xlsx\"", body).group(1)
    report = client.get(f"/reports/{token}.xlsx")
    assert report.status_code == 200
    sheet = [list(r) for r in load_workbook(io.BytesIO(report.data)).active.iter_rows(values_only=True)]
    assert sheet[0][0] == "错误原因 errors" and sheet[0][1:] == HEADERS
    assert sheet[1][0] is None  # the good row, unmarked
    assert sheet[2][0].startswith("第3行 row 3") and "at most 100" in sheet[2][0]
    assert all_attempts(db) == []


def test_service_rules_apply_to_imports_too(client, staff, welding, db):
    """Marks of a trainee with an issued certificate are locked: the whole import is refused."""
    course = welding["course"]
    e1 = welding["enrolments"][0]
    for lesson in course.lessons:
        services.mark_attendance(welding["staff"], lesson, e1, True)
    services.record_attempt(welding["staff"], e1, theory=D(90), practical=D(90))
    [certificate] = services.issue_certificates(welding["staff"], course)
    db.session.commit()
    rows = [[None, welding["trainees"][1].mobile, 70, 70], [None, welding["trainees"][0].mobile, 50, 50]]
    body = error_rows(upload(client, course, workbook(rows)))
    assert certificate.number in body
    assert all_attempts(db) == [(e1.id, 1, D(90), D(90))]
    # The same marks again are no change, so the template can be re-imported as it is.
    rows = [[None, welding["trainees"][1].mobile, 70, 70], [None, welding["trainees"][0].mobile, 90, 90]]
    assert upload(client, course, workbook(rows)).status_code == 303


@pytest.mark.parametrize("data,filename,message", [
    (b"name,mobile\n", "marks.csv", "Only Excel workbooks"),
    (b"not a zip at all", "marks.xlsx", "not a valid Excel workbook"),
    (None, "marks.xlsx", "missing the columns"),
    ("nowho", "marks.xlsx", "手机号 mobile or 姓名 name"),
    ("empty", "marks.xlsx", "no new marks"),
])
def test_unreadable_workbooks_are_explained(client, staff, welding, db, data, filename, message):
    if isinstance(data, bytes):
        data = io.BytesIO(data)
    elif data is None:
        data = workbook([[None, welding["trainees"][0].mobile, 80]], headers=["姓名", "手机号", "理论"])
    elif data == "nowho":
        data = workbook([[80, 80]], headers=["理论", "实操"])
    elif data == "empty":
        data = workbook([[None, welding["trainees"][0].mobile, None, None]])
    response = upload(client, welding["course"], data, filename)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and message in body
    assert all_attempts(db) == []


def test_the_template_lists_the_trainees_with_their_marks(client, staff, welding, db):
    course = welding["course"]
    services.record_attempt(welding["staff"], welding["enrolments"][1], theory=D("77.5"), practical=None)
    db.session.commit()
    response = client.get(f"/training/courses/{course.id}/assessment/template.xlsx")
    rows = [list(r) for r in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    assert rows[1:] == [["魏小红", welding["trainees"][0].mobile, None, None],
                        ["张伟", welding["trainees"][1].mobile, 77.5, None],
                        ["李娜", welding["trainees"][2].mobile, None, None]]
    # Filled in and sent back as it is, it imports.
    rows[1][2:] = [80, 85]
    assert upload(client, course, workbook(rows[1:])).status_code == 303
    assert len(all_attempts(db)) == 2


def test_import_page_shows_the_form(client, staff, welding):
    body = client.get(f"/training/courses/{welding['course'].id}/assessment/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in body and "template.xlsx" in body
