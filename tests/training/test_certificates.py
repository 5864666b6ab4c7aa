"""Certificates as staff, trainees and strangers use them: issuing, the staff list,
revoking and renewing, a trainee's own certificates and follow-up questions, and
the public verification page with its JSON and Open Badges documents."""
import hashlib
import re
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.training import services
from app.training.certificates import add_months, mask_name
from app.training.models import Certificate, Outcome
from tests.training.conftest import hold

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


# ---------------------------------------------------------------- helpers (shared with the PDF tests)

@pytest.fixture()
def welding(welding):
    """The welding course after it took place: attendance, marks and certificates come after the lessons."""
    hold(welding["course"])
    return welding


def pass_trainees(welding, enrolments=None):
    """Marks for the given enrolments (default: the three seated trainees), all passing."""
    for enrolment in enrolments if enrolments is not None else welding["enrolments"][:3]:
        services.record_attempt(welding["staff"], enrolment, theory=D(80), practical=D(90), rate=D(100))


def issue(db, welding, today=None):
    """Certificates for everyone who passed, issued (on `today`) and committed.

    A certificate comes after the course: one issued `today` in the past is of a course held before that.
    """
    if today is not None:
        hold(welding["course"], started_days_ago=(date.today() - today).days + 20)
    issued = services.issue_certificates(welding["staff"], welding["course"], today=today)
    db.session.commit()
    return issued


def certificates_of(db, course):
    return db.session.scalars(sa.select(Certificate).where(Certificate.course_id == course.id)
                              .order_by(Certificate.id)).all()


def text_of(response):
    return response.get_data(as_text=True)


def squash(text):
    return "".join(text.split())


def count_queries(db, client, url, selects_only=False):
    statements = []
    engine = db.engines[None]

    def listener(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200, url
    if selects_only:  # the tests' SAVEPOINTs are no work of the page
        statements = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    return len(statements)


@pytest.fixture()
def certified(db, welding):
    """The three seated trainees passed and hold certificates issued today."""
    pass_trainees(welding)
    return dict(welding, certificates=issue(db, welding))


# ---------------------------------------------------------------- masking (no database)

@pytest.mark.parametrize("name, masked", [
    ("魏小红", "魏*红"),
    ("张伟", "张*"),
    ("欧阳建国", "欧**国"),
    ("欧阳娜娜娜", "欧***娜"),
    ("李", "*"),
    ("  王小明 ", "王*明"),
    ("买买提·艾力", "买**·*力"),
    ("", ""),
])
def test_holder_names_are_masked(name, masked):
    assert mask_name(name) == masked


def test_check_ins_fall_on_the_same_day_months_later():
    assert add_months(date(2026, 1, 31), 3) == date(2026, 4, 30)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


# ---------------------------------------------------------------- issuing

def test_staff_issue_sequential_unique_numbers_to_passed_trainees_only(client, db, welding, login):
    pass_trainees(welding, welding["enrolments"][:2])
    services.record_attempt(welding["staff"], welding["enrolments"][2], theory=D(20), practical=D(30), rate=D(100))
    db.session.commit()
    login("staff")
    course = welding["course"]
    url = f"/training/courses/{course.id}/certificates/issue?lang=en"
    response = client.post(url)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/training/courses/{course.id}/certificates")
    page = text_of(client.get(f"/training/courses/{course.id}/certificates"))
    assert "2 certificates issued." in page
    year = date.today().year
    assert [c.number for c in certificates_of(db, course)] == [f"XZ-{year}-HG-000001", f"XZ-{year}-HG-000002"]
    assert [c.holder_name for c in certificates_of(db, course)] == ["魏小红", "张伟"]
    assert "李娜" not in page  # failed: no certificate

    # The third passes a re-sit: the next number, and nobody gets a second certificate.
    services.record_attempt(welding["staff"], welding["enrolments"][2], theory=D(70), practical=D(70), resit=True,
                            rate=D(100))
    db.session.commit()
    client.post(url)
    client.post(url)
    numbers = [c.number for c in certificates_of(db, course)]
    assert numbers == [f"XZ-{year}-HG-{n:06d}" for n in (1, 2, 3)]
    assert len(set(c.verify_code for c in certificates_of(db, course))) == 3
    assert "Everyone who passed already has a certificate." in text_of(
        client.get(f"/training/courses/{course.id}/certificates"))


def test_course_without_certificate_refuses_to_issue(client, db, welding, login):
    welding["course"].certificate_name = None
    pass_trainees(welding)
    db.session.commit()
    login("staff")
    client.post(f"/training/courses/{welding['course'].id}/certificates/issue?lang=en")
    page = text_of(client.get(f"/training/courses/{welding['course'].id}/certificates"))
    assert "This course does not lead to a certificate." in page
    assert certificates_of(db, welding["course"]) == []


def test_staff_list_shows_number_holder_status_and_links(client, db, certified, login):
    login("staff")
    course = certified["course"]
    page = text_of(client.get(f"/training/courses/{course.id}/certificates"))
    for certificate in certified["certificates"]:
        assert certificate.number in page and certificate.holder_name in page
        assert f"/training/certificates/{certificate.id}.pdf" in page
        assert f"/verify/{certificate.verify_code}" in page
        assert f"/training/certificates/{certificate.id}/revoke" in page
        assert f"/training/certificates/{certificate.id}/renew" in page
    assert f"/training/courses/{course.id}/certificates.zip" in page


def test_staff_list_runs_a_constant_number_of_queries(client, db, welding, login):
    pass_trainees(welding, welding["enrolments"][:1])
    issue(db, welding)
    login("staff")
    url = f"/training/courses/{welding['course'].id}/certificates"
    one = count_queries(db, client, url)
    pass_trainees(welding, welding["enrolments"][1:3])
    issue(db, welding)
    assert count_queries(db, client, url) == one


def test_holder_name_is_copied_at_issue(client, db, certified, login):
    first = certified["certificates"][0]
    code = first.verify_code
    before = text_of(client.get(f"/verify/{code}"))
    user = certified["trainees"][0]
    user.name = "张三丰"
    db.session.commit()
    db.session.refresh(first)
    assert first.holder_name == "魏小红"
    after = text_of(client.get(f"/verify/{code}"))
    assert "魏*红" in after and "张*丰" not in after
    assert squash(before) == squash(after)
    login("staff")
    page = text_of(client.get(f"/training/courses/{certified['course'].id}/certificates"))
    assert "魏小红" in page and "张三丰" not in page


# ---------------------------------------------------------------- revoking and renewing

def test_revoking_needs_a_reason_and_shows_on_the_row(client, db, certified, login):
    login("staff")
    certificate = certified["certificates"][1]
    url = f"/training/certificates/{certificate.id}/revoke?lang=en"
    response = client.post(url, data={"reason": "  "})
    assert response.status_code == 200
    assert "Write why the certificate is revoked." in text_of(response)
    db.session.refresh(certificate)
    assert certificate.status == "valid"

    # htmx: the row swaps itself, with the flash out of band.
    response = client.post(url, data={"reason": "考试舞弊"}, headers={"HX-Request": "true"})
    body = text_of(response)
    assert response.status_code == 200 and body.lstrip().startswith("<tr")
    assert "考试舞弊" in body and 'hx-swap-oob="true"' in body and "was revoked" in body
    db.session.refresh(certificate)
    assert certificate.status == "revoked" and certificate.revoke_reason == "考试舞弊"
    assert certificate.revoked_at is not None

    again = client.post(url, data={"reason": "再次"})
    assert again.status_code == 303
    assert "already revoked" in text_of(client.get(again.headers["Location"]))


def test_revoking_without_javascript_redirects(client, db, certified, login):
    login("staff")
    certificate = certified["certificates"][0]
    response = client.post(f"/training/certificates/{certificate.id}/revoke", data={"reason": "证件造假"})
    assert response.status_code == 303
    db.session.refresh(certificate)
    assert certificate.state() == "revoked"


def test_renewal_keeps_the_award_date_and_expires_later(client, db, welding, login):
    pass_trainees(welding, welding["enrolments"][:1])
    two_years_ago = date.today() - timedelta(days=730)
    (original,) = issue(db, welding, today=two_years_ago)
    login("staff")
    response = client.post(f"/training/certificates/{original.id}/renew?lang=en")
    assert response.status_code == 303
    renewed = db.session.scalar(sa.select(Certificate).where(Certificate.renewed_from_id == original.id))
    assert renewed is not None
    assert renewed.awarded_on == original.awarded_on == two_years_ago
    assert renewed.issued_on == date.today()
    assert renewed.expires_on > original.expires_on
    assert renewed.holder_name == original.holder_name and renewed.number != original.number
    assert renewed.verify_code != original.verify_code
    page = text_of(client.get(f"/training/courses/{welding['course'].id}/certificates"))
    assert renewed.number in page and "was renewed as" in page

    client.post(f"/training/certificates/{original.id}/renew?lang=en")
    page = text_of(client.get(f"/training/courses/{welding['course'].id}/certificates"))
    assert "already renewed" in page
    assert len(certificates_of(db, welding["course"])) == 2

    services.revoke_certificate(welding["staff"], renewed, "错误签发")
    db.session.commit()
    client.post(f"/training/certificates/{renewed.id}/renew?lang=en")
    assert "A revoked certificate cannot be renewed." in text_of(
        client.get(f"/training/courses/{welding['course'].id}/certificates"))


def test_renewing_a_valid_certificate_supersedes_it_everywhere(client, db, welding, login):
    from app.audit import AuditEvent

    pass_trainees(welding, welding["enrolments"][:1])
    (original,) = issue(db, welding, today=date.today() - timedelta(days=400))  # valid for three years
    old_url = f"/verify/{original.verify_code}"
    etag = client.get(old_url).headers["ETag"]
    login("staff")
    assert client.post(f"/training/certificates/{original.id}/renew").status_code == 303
    renewed = db.session.scalar(sa.select(Certificate).where(Certificate.renewed_from_id == original.id))
    db.session.refresh(original)
    assert original.superseded_by_id == renewed.id
    assert (original.state(), renewed.state()) == ("superseded", "valid")  # one valid certificate, not two

    # The old certificate's page, JSON and badge say what replaced it; the page is not served from the cache.
    response = client.get(f"{old_url}?lang=en")
    assert response.headers["ETag"] != etag
    page = text_of(response)
    assert 'data-state="superseded"' in page and "This certificate was replaced by a renewal." in page
    assert f"Superseded by {renewed.number}" in page and f'href="http://localhost/verify/{renewed.verify_code}"' in page
    assert f"已被 {renewed.number} 取代" in text_of(client.get(f"{old_url}?lang=zh"))
    data = client.get(f"{old_url}.json?lang=en").get_json()
    assert (data["status"], data["valid"], data["status_label"]) == ("superseded", False,
                                                                      f"Superseded by {renewed.number}")
    assert data["superseded_by"] == {"number": renewed.number, "issued_on": date.today().isoformat(),
                                     "verify_url": f"http://localhost/verify/{renewed.verify_code}"}
    badge = client.get(f"{old_url}/badge.json").get_json()
    assert badge["superseded"] is True and badge["revoked"] is False
    assert badge["supersededBy"]["licenseNumber"] == renewed.number
    assert badge["supersededBy"]["id"] == f"http://localhost/verify/{renewed.verify_code}/badge.json"
    assert badge["validUntil"] == f"{date.today().isoformat()}T00:00:00+08:00"  # until the renewal took over
    assert client.get(f"/verify/{renewed.verify_code}.json").get_json()["status"] == "valid"

    # Lists: the staff list and the holder's own page.
    staff_page = text_of(client.get(f"/training/courses/{welding['course'].id}/certificates?lang=en"))
    row = re.search(rf'<tr id="training-certificate-{original.id}".*?</tr>', staff_page, re.S).group(0)
    assert f"Superseded by {renewed.number}" in row and "/renew" not in row
    login(welding["trainees"][0])
    mine = text_of(client.get("/training/my/certificates?lang=en"))
    assert f"Superseded by {renewed.number}" in mine and mine.count("cert-state-valid") == 1

    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "certificate.supersede"))
    assert audit.object_id == str(original.id) and audit.after["superseded_by"] == renewed.number


# ---------------------------------------------------------------- access

def test_only_staff_manage_certificates(client, db, certified, login, users):
    certificate = certified["certificates"][0]
    course = certified["course"]
    anonymous = client.get(f"/training/courses/{course.id}/certificates")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(certified["trainees"][0])
    for method, url in (
        ("get", f"/training/courses/{course.id}/certificates"),
        ("get", f"/training/courses/{course.id}/certificates.zip"),
        ("post", f"/training/courses/{course.id}/certificates/issue"),
        ("post", f"/training/certificates/{certificate.id}/revoke"),
        ("post", f"/training/certificates/{certificate.id}/renew"),
        ("get", f"/training/certificates/{certificate.id}/outcomes"),
        ("post", f"/training/certificates/{certificate.id}/outcomes"),
    ):
        assert getattr(client, method)(url, data={"reason": "x"}).status_code == 403, url
    db.session.refresh(certificate)
    assert certificate.status == "valid"


def test_a_trainee_sees_only_their_own_certificates(client, db, certified, login):
    mine, theirs = certified["certificates"][0], certified["certificates"][1]
    login(certified["trainees"][0])
    page = text_of(client.get("/training/my/certificates"))
    assert mine.number in page and theirs.number not in page
    assert f"/training/certificates/{mine.id}.pdf" in page and f"/verify/{mine.verify_code}" in page
    assert client.get(f"/training/certificates/{mine.id}.pdf").status_code == 200
    assert client.get(f"/training/certificates/{theirs.id}.pdf").status_code == 403
    login(certified["trainees"][3])  # no certificate at all
    assert mine.number not in text_of(client.get("/training/my/certificates"))
    anonymous = client.application.test_client()
    assert anonymous.get("/training/my/certificates").status_code == 302


def test_trainee_page_shows_state_renewal_and_runs_constant_queries(client, db, welding, login):
    pass_trainees(welding, welding["enrolments"][:1])
    (original,) = issue(db, welding, today=date.today() - timedelta(days=400))
    trainee = welding["trainees"][0]
    login(trainee)
    one = count_queries(db, client, "/training/my/certificates")
    renewed = services.renew_certificate(welding["staff"], original)
    db.session.commit()
    assert count_queries(db, client, "/training/my/certificates") == one
    page = text_of(client.get("/training/my/certificates?lang=en"))
    assert original.number in page and renewed.number in page
    assert f"Renewal of {original.number}" in page


# ---------------------------------------------------------------- outcomes

def check_in_states(page, certificate):
    return dict(re.findall(rf'data-testid="checkin-{certificate.id}-(\d+)" data-state="(\w+)"', page))


def outcome_data(months, **extra):
    return {"months": str(months), "new_job": "y", "new_post": "焊接班长", "income_before": "4000",
            "income_after": "5500", **extra}


def test_trainee_answers_due_check_ins(client, db, welding, login):
    pass_trainees(welding, welding["enrolments"][:2])
    first, second = issue(db, welding, today=date.today() - timedelta(days=200))
    trainee = welding["trainees"][0]
    login(trainee)
    page = text_of(client.get("/training/my/certificates"))
    assert check_in_states(page, first) == {"3": "due", "6": "due", "12": "upcoming"}

    response = client.post(f"/training/my/certificates/{first.id}/outcomes", data=outcome_data(3))
    assert response.status_code == 303
    outcome = db.session.scalar(sa.select(Outcome).where(Outcome.certificate_id == first.id))
    assert (outcome.months, outcome.new_job, outcome.new_post) == (3, True, "焊接班长")
    assert (outcome.income_before, outcome.income_after) == (D("4000.00"), D("5500.00"))
    assert outcome.recorded_by_id == trainee.id
    page = text_of(client.get("/training/my/certificates"))
    assert check_in_states(page, first) == {"3": "done", "6": "due", "12": "upcoming"}
    assert "焊接班长" in page

    # htmx: the check-in replaces itself.
    response = client.post(f"/training/my/certificates/{first.id}/outcomes", headers={"HX-Request": "true"},
                           data=outcome_data(6, new_job="", new_post="", income_after="4200"))
    body = text_of(response)
    assert response.status_code == 200 and f'data-testid="checkin-{first.id}-6" data-state="done"' in body
    assert body.lstrip().startswith('<div class="checkin"')

    # Someone else's certificate: refused, nothing saved.
    response = client.post(f"/training/my/certificates/{second.id}/outcomes", data=outcome_data(3))
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Outcome)
                             .where(Outcome.certificate_id == second.id)) == 0


def test_outcome_validation(client, db, welding, login):
    pass_trainees(welding, welding["enrolments"][:1])
    (certificate,) = issue(db, welding, today=date.today() - timedelta(days=400))
    login(welding["trainees"][0])
    url = f"/training/my/certificates/{certificate.id}/outcomes?lang=en"

    response = client.post(url, data=outcome_data(5))
    assert response.status_code == 200
    assert "Outcomes are recorded at 3, 6 or 12 months." in text_of(response)

    response = client.post(url, data=outcome_data(12, income_before="-1"))
    body = text_of(response)
    assert response.status_code == 200 and "Income cannot be negative." in body
    field = re.search(rf'<input[^>]*id="outcome-{certificate.id}-12-income_before"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in field and 'value="-1"' in field  # the error in place, the input kept

    response = client.post(url, data=outcome_data(6, income_after="abc"))
    assert response.status_code == 200 and "field-error" in text_of(response)

    response = client.post(url, data=outcome_data(3, income_after="-5"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Income cannot be negative." in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Outcome)) == 0


def test_staff_record_outcomes_for_a_trainee(client, db, welding, login, users):
    pass_trainees(welding, welding["enrolments"][:1])
    (certificate,) = issue(db, welding)  # today: nothing is due yet, staff may still record
    login("staff")
    url = f"/training/certificates/{certificate.id}/outcomes"
    page = text_of(client.get(url))
    assert check_in_states(page, certificate) == {"3": "upcoming", "6": "upcoming", "12": "upcoming"}
    assert "魏小红" in page
    response = client.post(url, data=outcome_data(12, income_before="3000", income_after="3600"))
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    outcome = db.session.scalar(sa.select(Outcome).where(Outcome.certificate_id == certificate.id))
    assert (outcome.months, outcome.income_after, outcome.recorded_by_id) == (12, D("3600.00"), users["staff"].id)
    assert check_in_states(text_of(client.get(url)), certificate)["12"] == "done"
    response = client.post(url + "?lang=en", data=outcome_data(4))
    assert response.status_code == 200 and "Outcomes are recorded at 3, 6 or 12 months." in text_of(response)

    # The trainee cannot answer check-ins that are not due yet: the page offers no form.
    login(welding["trainees"][0])
    page = text_of(client.get("/training/my/certificates"))
    assert f'action="/training/my/certificates/{certificate.id}/outcomes"' in page  # the answered 12-month one
    assert page.count(f'action="/training/my/certificates/{certificate.id}/outcomes"') == 1


# ---------------------------------------------------------------- public verification

def verify_page(client, certificate, **headers):
    return client.get(f"/verify/{certificate.verify_code}", headers=headers)


def assert_facts_shown(page, certificate):
    for fact in (certificate.title, certificate.number, certificate.course_title, certificate.trade_name,
                 certificate.base_name, certificate.awarded_on.isoformat(), certificate.issued_on.isoformat()):
        assert fact in page, fact
    assert "五级/初级工" in page  # the level, as printed on the PDF
    assert certificate.holder_name not in page
    assert mask_name(certificate.holder_name) in page


def test_verification_page_of_a_valid_certificate(client, db, certified):
    certificate = certified["certificates"][0]
    response = verify_page(client, certificate)
    page = text_of(response)
    assert response.status_code == 200
    assert 'data-state="valid"' in page
    assert_facts_shown(page, certificate)
    assert certificate.expires_on.isoformat() in page
    assert "魏*红" in page and "魏小红" not in page
    assert 'name="csrf_token"' not in page and "X-CSRFToken" not in page  # a shared page carries no token
    english = text_of(client.get(f"/verify/{certificate.verify_code}?lang=en"))
    assert "This certificate is valid." in english and "Level 5" in english


def test_two_character_names_keep_only_the_family_name(client, db, certified):
    page = text_of(verify_page(client, certified["certificates"][1]))
    assert "张*" in page and "张伟" not in page


def test_verification_page_of_an_expired_certificate(client, db, welding):
    pass_trainees(welding, welding["enrolments"][:1])
    (certificate,) = issue(db, welding, today=date.today() - timedelta(days=4 * 366))
    assert certificate.state() == "expired"
    page = text_of(client.get(f"/verify/{certificate.verify_code}?lang=en"))
    assert 'data-state="expired"' in page and "This certificate has expired." in page
    assert_facts_shown(page, certificate)
    assert certificate.expires_on.isoformat() in page


def test_verification_page_of_a_revoked_certificate(client, db, certified):
    certificate = certified["certificates"][0]
    services.revoke_certificate(certified["staff"], certificate, "培训记录造假")
    db.session.commit()
    page = text_of(client.get(f"/verify/{certificate.verify_code}?lang=en"))
    assert 'data-state="revoked"' in page and "This certificate was revoked." in page
    revoked_on = certificate.revoked_at.astimezone(SHANGHAI).date().isoformat()
    assert f"Revoked on {revoked_on}." in page and "培训记录造假" in page
    assert_facts_shown(page, certificate)


def test_certificate_without_expiry_says_so(client, db, welding):
    welding["course"].certificate_years = None
    pass_trainees(welding, welding["enrolments"][:1])
    (certificate,) = issue(db, welding)
    assert certificate.expires_on is None
    page = text_of(client.get(f"/verify/{certificate.verify_code}?lang=en"))
    assert "No expiry" in page and 'data-state="valid"' in page


def test_unknown_codes_are_404(client, db, certified):
    assert client.get("/verify/no-such-code").status_code == 404
    response = client.get("/verify/no-such-code.json")
    assert response.status_code == 404 and response.get_json() == {"error": "not found"}
    assert client.get("/verify/no-such-code/badge.json").status_code == 404
    certificate = certified["certificates"][0]
    assert client.get(f"/verify/{certificate.id}").status_code == 404
    assert client.get(f"/verify/{certificate.number}").status_code == 404


def test_verification_url_holds_only_the_random_code(client, db, certified):
    from flask import url_for

    certificate = certified["certificates"][0]
    with client.application.test_request_context():
        url = url_for("verify.show", code=certificate.verify_code, _external=True)
    assert url == f"http://localhost/verify/{certificate.verify_code}"
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,}", certificate.verify_code)
    assert str(certificate.id) not in url.split("/") and certificate.number not in url
    assert certificate.user.username not in url


def test_verification_answers_304_and_changes_etag_on_revocation(client, db, certified):
    certificate = certified["certificates"][0]
    first = verify_page(client, certificate)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    again = verify_page(client, certificate, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""

    services.revoke_certificate(certified["staff"], certificate, "证书信息有误")
    db.session.commit()
    fresh = verify_page(client, certificate, **{"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    assert 'data-state="revoked"' in text_of(fresh) and "证书信息有误" in text_of(fresh)
    english = client.get(f"/verify/{certificate.verify_code}?lang=en")
    assert english.headers["ETag"] not in (etag, fresh.headers["ETag"])


def test_a_cached_verification_costs_at_most_one_query(client, db, certified):
    url = f"/verify/{certified['certificates'][0].verify_code}"
    client.get(url)
    # The certificate's row is looked up at most once a second per worker; nothing else.
    assert count_queries(db, client, url, selects_only=True) <= 1
    assert count_queries(db, client, url + ".json", selects_only=True) <= 1


def test_verification_json(client, db, certified):
    certificate = certified["certificates"][0]
    response = client.get(f"/verify/{certificate.verify_code}.json?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*" and response.headers["ETag"]
    data = response.get_json()
    assert data == {
        "code": certificate.verify_code,
        "status": "valid",
        "status_label": "Valid",
        "valid": True,
        "title": "焊工从业资格证书",
        "number": certificate.number,
        "holder": "魏*红",
        "course": "焊工（初级）培训班",
        "trade": "焊工",
        "level": "5",
        "level_label": "Level 5 · junior worker (五级/初级工)",
        "level_chinese": "五级/初级工",
        "issuing_base": "徐州焊工实训基地",
        "awarded_on": date.today().isoformat(),
        "issued_on": date.today().isoformat(),
        "expires_on": certificate.expires_on.isoformat(),
        "revoked_at": None,
        "revoke_reason": None,
        "superseded_by": None,
        "verify_url": f"http://localhost/verify/{certificate.verify_code}",
        "badge_url": f"http://localhost/verify/{certificate.verify_code}/badge.json",
    }
    assert "魏小红" not in text_of(response)
    etag = response.headers["ETag"]
    assert client.get(f"/verify/{certificate.verify_code}.json?lang=en",
                      headers={"If-None-Match": etag}).status_code == 304

    services.revoke_certificate(certified["staff"], certificate, "重复发证")
    db.session.commit()
    data = client.get(f"/verify/{certificate.verify_code}.json").get_json()
    assert data["status"] == "revoked" and data["valid"] is False and data["revoke_reason"] == "重复发证"
    assert data["revoked_at"].startswith(certificate.revoked_at.date().isoformat())


def test_open_badges_credential(client, db, certified):
    certificate = certified["certificates"][0]
    response = client.get(f"/verify/{certificate.verify_code}/badge.json")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    badge = response.get_json()
    assert badge["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"] == f"http://localhost/verify/{certificate.verify_code}/badge.json"
    assert badge["name"] == "焊工从业资格证书"
    issuer = badge["issuer"]
    assert issuer["type"] == ["Profile"] and issuer["name"] == "徐州焊工实训基地"
    assert issuer["id"].startswith("http://localhost/")
    assert badge["validFrom"] == f"{certificate.issued_on.isoformat()}T00:00:00+08:00"
    assert badge["validUntil"] == f"{certificate.expires_on.isoformat()}T23:59:59+08:00"
    assert badge["awardedDate"].startswith(certificate.awarded_on.isoformat())
    subject = badge["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and subject["licenseNumber"] == certificate.number
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["name"] == "焊工从业资格证书"
    assert achievement["id"].startswith("urn:uuid:")
    assert "焊工（初级）培训班" in achievement["description"] and "五级/初级工" in achievement["description"]
    assert "焊工（初级）培训班" in achievement["criteria"]["narrative"]
    (identity,) = subject["identifier"]
    expected = hashlib.sha256(("魏小红" + identity["salt"]).encode()).hexdigest()
    assert identity == {"type": "IdentityObject", "hashed": True, "identityHash": f"sha256${expected}",
                        "identityType": "name", "salt": identity["salt"]}
    assert "魏小红" not in text_of(response)
    assert badge["revoked"] is False and "revokedAt" not in badge
    assert "proof" not in badge  # a hosted credential: this site vouches for it, no signature

    # Every holder of the course's certificate earned the same achievement.
    other = client.get(f"/verify/{certified['certificates'][1].verify_code}/badge.json").get_json()
    assert other["credentialSubject"]["achievement"]["id"] == achievement["id"]

    services.revoke_certificate(certified["staff"], certificate, "考核成绩无效")
    db.session.commit()
    badge = client.get(f"/verify/{certificate.verify_code}/badge.json").get_json()
    assert badge["revoked"] is True and badge["revocationReason"] == "考核成绩无效"
    assert badge["revokedAt"].startswith(certificate.revoked_at.date().isoformat())


def test_badge_without_expiry_has_no_valid_until(client, db, welding):
    welding["course"].certificate_years = None
    pass_trainees(welding, welding["enrolments"][:1])
    (certificate,) = issue(db, welding)
    badge = client.get(f"/verify/{certificate.verify_code}/badge.json").get_json()
    assert "validUntil" not in badge


def test_a_change_made_by_another_worker_shows_within_a_second(client, db, certified):
    import time

    certificate = certified["certificates"][0]
    assert 'data-state="valid"' in text_of(verify_page(client, certificate))
    # Another process revokes: no flush here tells this worker, so the row's TTL does.
    db.session.execute(sa.update(Certificate).where(Certificate.id == certificate.id).values(
        status="revoked", revoke_reason="其他进程撤销", revoked_at=sa.func.now(), updated_at=sa.func.now()))
    db.session.commit()
    time.sleep(1.1)
    page = text_of(verify_page(client, certificate))
    assert 'data-state="revoked"' in page and "其他进程撤销" in page
