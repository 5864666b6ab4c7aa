"""Course workbooks: roster, attendance sheet and results have the right columns and rows."""
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.accounts.models import IdentityTag, MembershipStatus
from app.training import services
from tests.factories import OrganizationFactory, UserFactory
from tests.training.conftest import hold, make_course

D = Decimal


@pytest.fixture()
def staff(client, login):
    user = login("staff")
    with client.session_transaction() as session:
        session["lang"] = "en"
    return user


def sheet_rows(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.data))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_roster_lists_everyone_with_status_and_waitlist_position(client, staff, welding, db):
    course = welding["course"]
    first = welding["trainees"][0]
    first.organization = OrganizationFactory(name="徐工集团工会")
    first.set_tags([IdentityTag.MIGRANT_WORKER, IdentityTag.WOMAN])
    first.membership_status, first.member_number = MembershipStatus.MEMBER, "M-0001"
    late = services.enrol(UserFactory(name="赵六"), course)  # second on the waitlist
    db.session.commit()
    response = client.get(f"/training/courses/{course.id}/roster.xlsx")
    assert f"course-{course.id}-roster.xlsx" in response.headers["Content-Disposition"]
    rows = sheet_rows(response)
    assert rows[0] == ["姓名 name", "手机号 mobile", "单位 unit", "会员状态 membership", "身份 identity",
                       "报名状态 enrolment status", "候补顺位 waitlist position"]
    assert [row[0] for row in rows[1:]] == ["魏小红", "张伟", "李娜", "王强", "赵六"]
    assert rows[1] == ["魏小红", first.mobile, "徐工集团工会", "Member", "Migrant worker、Woman worker", "Enrolled", None]
    assert [(row[5], row[6]) for row in rows[1:]] == [("Enrolled", None)] * 3 + [("On the waitlist", 1),
                                                                              ("On the waitlist", 2)]
    assert rows[2][3] == "Not a member"
    assert services.waitlist_position(late) == 2


def test_attendance_sheet_has_a_column_per_lesson_and_the_rate(client, staff, welding, db):
    course = hold(welding["course"])
    first, second = welding["enrolments"][:2]
    for lesson in course.lessons[:4]:
        services.mark_attendance(welding["staff"], lesson, first, True)
    services.mark_attendance(welding["staff"], course.lessons[0], second, False)
    db.session.commit()
    rows = sheet_rows(client.get(f"/training/courses/{course.id}/attendance.xlsx"))
    assert rows[0][:2] == ["姓名 name", "手机号 mobile"] and rows[0][-1] == "出勤率% attendance %"
    assert len(rows[0]) == 2 + 5 + 1
    assert rows[0][2].endswith("第1课") and rows[0][2][:4] == str(course.starts_on.year)
    assert [row[0] for row in rows[1:]] == ["魏小红", "张伟", "李娜"]  # enrolled only
    assert rows[1][2:] == ["Present"] * 4 + [None, 80]
    assert rows[2][2:] == ["Absent", None, None, None, None, 0]


def test_results_sheet_has_marks_attempt_result_and_certificate(client, staff, welding, db):
    course = hold(welding["course"])
    first, second, third = welding["enrolments"][:3]
    for lesson in course.lessons:
        for enrolment in (first, second):
            services.mark_attendance(welding["staff"], lesson, enrolment, True)
    services.record_attempt(welding["staff"], first, theory=D("88.5"), practical=D(92))
    services.record_attempt(welding["staff"], second, theory=D(40), practical=D(50))
    services.record_attempt(welding["staff"], second, theory=None, practical=None, resit=True)
    services.record_attempt(welding["staff"], second, theory=D(65), practical=D(55))
    [certificate] = services.issue_certificates(welding["staff"], course)
    db.session.commit()
    rows = sheet_rows(client.get(f"/training/courses/{course.id}/results.xlsx"))
    assert rows[0] == ["姓名 name", "手机号 mobile", "单位 unit", "理论 theory", "实操 practical", "总成绩 total",
                       "出勤率% attendance %", "考核次数 attempt", "是否合格 passed", "证书编号 certificate"]
    by_name = {row[0]: row for row in rows[1:]}
    assert list(by_name) == ["魏小红", "张伟", "李娜"]
    assert by_name["魏小红"][3:] == [88.5, 92, 90.95, 100, 1, "Passed", certificate.number]
    assert by_name["张伟"][3:] == [65, 55, 58, 100, 2, "Failed", None]
    assert by_name["李娜"][3:] == [None, None, None, None, None, None, None]  # attendance not taken yet


def test_formula_like_names_are_written_as_text(client, staff, db, users):
    course = make_course(users["staff"])
    services.enrol(UserFactory(name="=HYPERLINK(\"http://x\")"), course)
    db.session.commit()
    response = client.get(f"/training/courses/{course.id}/roster.xlsx")
    cell = load_workbook(io.BytesIO(response.data)).active["A2"]
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"


def test_exports_of_an_unknown_course_are_404(client, staff, db):
    for name in ("roster", "attendance", "results"):
        assert client.get(f"/training/courses/999999/{name}.xlsx").status_code == 404
