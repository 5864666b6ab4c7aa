"""An account a training base made from a roster is claimed only with proof: a one-time code."""
import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app import sms
from app.accounts.models import AccountClaim, User
from app.audit import AuditEvent
from app.training.models import Enrolment
from tests.factories import UserFactory
from tests.training.conftest import make_course

MOBILE = "13700000001"


def _roster(rows):
    workbook = Workbook()
    workbook.active.append(["姓名 name", "手机号 mobile"])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture()
def enrolled(client, db, users, login):
    """A course whose roster made accounts for two people; the staff's download of their claim codes."""
    course = make_course(users["staff"], seats=5)
    login("staff")
    response = client.post(f"/training/manage/courses/{course.id}/roster",
                           data={"file": (_roster([["魏小红", MOBILE], ["张伟", "13700000002"]]), "r.xlsx")},
                           content_type="multipart/form-data")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = page.split('href="/reports/')[1].split('"')[0]
    book = load_workbook(io.BytesIO(client.get("/reports/" + link).data))
    codes = {row[1]: row[2] for row in book["claim codes"].iter_rows(min_row=2, values_only=True)}
    assert "/register" in book["说明 how"]["A1"].value
    client.post("/logout")
    return {"course": course, "codes": codes}


def _register(client, code=None, mobile=MOBILE, name="冒名者", password="taken-over-1"):
    data = {"name": name, "mobile": mobile, "password": password, "consent": "y"}
    if code is not None:
        data["claim_code"] = code
    return client.post("/register", data=data)


def _account(db, mobile=MOBILE):
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.mobile == mobile))


def test_registering_a_roster_number_without_a_code_explains_and_takes_nothing(client, db, enrolled):
    response = _register(client)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "培训机构已用此手机号为您报名" in body and 'id="claim_code"' in body
    account = _account(db)
    assert account.name == "魏小红" and not account.check_password("taken-over-1")
    assert client.get("/account").status_code == 302  # not signed in


def test_a_wrong_code_is_refused(client, db, enrolled):
    body = _register(client, "ABCD-EFGH").get_data(as_text=True)
    assert "认领码不正确或已过期" in body
    assert _account(db).name == "魏小红"
    # Another person's code does not open this account either.
    assert "认领码不正确" in _register(client, enrolled["codes"]["13700000002"]).get_data(as_text=True)


def test_the_handed_out_code_claims_the_account_once(client, db, enrolled):
    code = enrolled["codes"][MOBILE]
    assert len(code) == 9 and code[4] == "-"
    response = _register(client, code.lower().replace("-", " "), name="魏小红（本人）", password="my-own-pass1")
    assert response.status_code == 303
    account = _account(db)
    assert account.name == "魏小红（本人）" and account.check_password("my-own-pass1")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)
                             .where(Enrolment.user_id == account.id)) == 1  # the enrolment came with it
    assert client.get("/account").status_code == 200  # signed in
    claim = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.claim")).one()
    assert claim.after["proof"] == "staff"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountClaim)
                             .where(AccountClaim.user_id == account.id)) == 0
    client.post("/logout")
    again = _register(client, code)
    assert "该手机号码已注册" in again.get_data(as_text=True)  # used up: the account is now an ordinary one


def test_a_text_message_code_proves_the_number(app, client, db, enrolled):
    outbox = sms.outbox(app)
    outbox.clear()
    response = client.post("/register/claim-code", data={"mobile": "137 0000 0001"}, headers={"HX-Request": "true"})
    assert "认领码已通过短信发送" in response.get_data(as_text=True)
    (mobile, text), = outbox
    assert mobile == MOBILE
    code = "".join(ch for ch in text if ch.isdigit())[:6]
    assert _register(client, code, name="魏小红", password="sms-proven-1").status_code == 303
    claim = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.claim")).one()
    assert claim.after["proof"] == "sms"
    # A number no roster made gets no code, and is told what to do.
    UserFactory(mobile="13700000009")
    response = client.post("/register/claim-code", data={"mobile": "13700000009"}, headers={"HX-Request": "true"})
    assert "无法向此手机号发送验证码" in response.get_data(as_text=True) and len(outbox) == 1


def test_staff_make_a_new_code_and_the_old_one_stops_working(client, db, users, login, enrolled):
    account = _account(db)
    login("staff")
    page = client.get(f"/admin/users/{account.id}").get_data(as_text=True)
    assert 'data-testid="unclaimed"' in page
    response = client.post(f"/admin/users/{account.id}/claim-code", follow_redirects=True)
    new_code = response.get_data(as_text=True).split("的新认领码：")[1][:9]
    client.post("/logout")
    assert "认领码不正确" in _register(client, enrolled["codes"][MOBILE]).get_data(as_text=True)
    assert _register(client, new_code, name="魏小红").status_code == 303


def test_guessing_codes_for_one_number_is_rate_limited(client, db, enrolled):
    statuses = [_register(client, f"WRONG{n:03d}").status_code for n in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    assert _account(db).name == "魏小红"


def test_a_claimed_account_gets_no_new_code(client, db, users, login):
    person = UserFactory(mobile="13700000005")
    login("staff")
    response = client.post(f"/admin/users/{person.id}/claim-code", follow_redirects=True)
    assert "该账号已被本人认领" in response.get_data(as_text=True)
