"""Privacy (PIPL): consent at registration, one's own data as a workbook, masked mobile numbers."""
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit import AuditEvent
from app.training import services as training_services
from tests.factories import UserFactory
from tests.training.conftest import make_course


def test_the_privacy_notice_is_public_and_linked_from_registration(client, db):
    notice = client.get("/privacy")
    assert notice.status_code == 200 and "我们收集哪些信息" in notice.get_data(as_text=True)
    assert 'href="/privacy"' in client.get("/register").get_data(as_text=True)


def test_registration_needs_consent_and_records_it(client, db):
    data = {"name": "刘晓燕", "mobile": "13912345678", "password": "hongyun2026"}
    refused = client.post("/register", data=data)
    assert "请阅读并同意隐私说明后再注册" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
    assert client.post("/register", data={**data, "consent": "y"}).status_code == 303
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.register")).one()
    assert event.after["privacy_consent"] is True


def test_a_person_downloads_their_own_data_and_nobody_elses(client, db, users, login):
    course = make_course(users["staff"])
    me = login("trainee")
    training_services.enrol(me, course)
    other = UserFactory(name="别人", mobile="13900000077")
    training_services.enrol(other, course)
    response = client.get("/account/data.xlsx")
    assert response.status_code == 200 and "my-data.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    cells = {str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c}
    assert me.name in cells and course.title in cells
    assert "别人" not in cells and "13900000077" not in cells
    assert {"账号 account", "登录设备 sessions", "培训报名 enrolments", "证书 certificates", "参赛 entries"} <= set(
        book.sheetnames)


def test_staff_lists_mask_mobile_numbers_until_opened(client, db, users, login):
    person = UserFactory(name="魏小红", mobile="13812345678", username=None)
    staff = login("staff")
    page = client.get("/admin/users?q=魏小红").get_data(as_text=True)
    assert "138****5678" in page and "13812345678" not in page
    shown = client.post(f"/admin/users/{person.id}/mobile", headers={"HX-Request": "true"})
    assert "13812345678" in shown.get_data(as_text=True)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.mobile_view")).one()
    assert event.actor_id == staff.id and event.object_id == str(person.id)
    course = make_course(users["staff"])
    training_services.enrol(person, course)
    roster = client.get(f"/training/manage/courses/{course.id}/enrolments").get_data(as_text=True)
    assert "138****5678" in roster and "13812345678" not in roster


def test_only_staff_may_open_a_mobile_number(client, db, users, login):
    person = UserFactory(mobile="13812345678")
    login("trainee")
    assert client.post(f"/admin/users/{person.id}/mobile").status_code == 403
