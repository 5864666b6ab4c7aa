"""In the browser: a trainee answers a follow-up question (htmx swaps the check-in,
errors in place), staff revoke a certificate from its row, and a stranger who
scans the QR code sees the revocation at once."""
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.browser.innovation_helpers import no_sideways_scroll


@pytest.fixture()
def awarded(live_app):
    """Two certificates issued 200 days ago (3- and 6-month check-ins due), in the live server's database."""
    from app.accounts.models import Role
    from app.extensions import db, limiter
    from app.training import services
    from tests.factories import UserFactory
    from tests.training.conftest import hold, make_course

    with live_app.app_context():
        limiter.reset()
        staff = UserFactory(username="peixun", name="周老师", roles=[Role.STAFF])
        course = make_course(staff)
        trainees = [UserFactory(username=login, name=name) for login, name in (("wxh", "魏小红"), ("zw", "张伟"))]
        enrolments = [services.enrol(trainee, course) for trainee in trainees]
        hold(course, started_days_ago=220)  # the course took place before its certificates were issued
        for enrolment in enrolments:
            services.record_attempt(staff, enrolment, theory=Decimal(80), practical=Decimal(90), rate=Decimal(100))
        issued = services.issue_certificates(staff, course, today=date.today() - timedelta(days=200))
        db.session.commit()
        return dict(course=course.id, certificates=[(c.id, c.number, c.verify_code) for c in issued])


def sign_in(page, url, login):
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.locator("#login").fill(login)
    page.locator("#password").fill(PASSWORD)
    page.locator("#accounts-login-form button[type=submit]").click()
    expect(page).to_have_url(url)


def test_trainee_answers_a_check_in_and_staff_revoke(live_server, awarded, page, browser):
    (first, number, code), (second, other_number, _) = awarded["certificates"]
    sign_in(page, f"{live_server.url}/training/my/certificates", "wxh")
    expect(page.get_by_test_id(f"certificate-{number}")).to_be_visible()
    expect(page.get_by_test_id(f"certificate-{other_number}")).to_have_count(0)
    three = page.get_by_test_id(f"checkin-{first}-3")
    expect(three).to_have_attribute("data-state", "due")
    expect(page.get_by_test_id(f"checkin-{first}-12")).to_have_attribute("data-state", "upcoming")
    expect(page.get_by_test_id(f"checkin-{first}-12").locator("form")).to_have_count(0)

    # What an old phone browser lets through (no number inputs) is refused by the server, in place.
    three.locator("[name=new_job]").check()
    three.locator("[name=new_post]").fill("焊接班长")
    three.locator("[name=income_before]").fill("4000")
    three.locator("[name=income_after]").evaluate("e => e.type = 'text'")
    three.locator("[name=income_after]").fill("-5")
    three.locator("button[type=submit]").click()
    expect(three.locator(".field-error")).to_be_visible()
    expect(three.locator("[name=new_post]")).to_have_value("焊接班长")  # what was typed stays
    expect(three).to_have_attribute("data-state", "due")
    three.locator("[name=income_after]").fill("5500")
    three.locator("button[type=submit]").click()
    expect(three).to_have_attribute("data-state", "done")
    expect(three).to_contain_text("焊接班长")
    expect(page.locator("#flash .flash-success")).to_be_visible()
    assert page.console_errors == []

    # Staff revoke the other certificate from its row; the row swaps itself.
    staff = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    staff_page = staff.new_page()
    errors = []
    staff_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    url = f"{live_server.url}/training/courses/{awarded['course']}/certificates"
    sign_in(staff_page, url, "peixun")
    row = staff_page.get_by_test_id(f"certificate-{number}")
    row.locator("details summary").click()
    row.locator("[name=reason]").fill("培训记录造假")
    row.locator("details button[type=submit]").click()
    expect(staff_page.get_by_test_id(f"certificate-{number}")).to_contain_text("培训记录造假")
    expect(staff_page.get_by_test_id(f"certificate-{number}").locator("[name=reason]")).to_have_count(0)
    assert errors == []
    staff.close()

    # Whoever scans the QR code sees it straight away, with the holder's name masked.
    stranger = browser.new_context(locale="zh-CN")
    verify = stranger.new_page()
    verify.goto(f"{live_server.url}/verify/{code}")
    expect(verify.locator("article[data-state=revoked]")).to_be_visible()
    expect(verify.get_by_test_id("verify-revoked")).to_contain_text("培训记录造假")
    expect(verify.get_by_test_id("verify-holder")).to_have_text("魏*红")
    stranger.close()


def test_a_renewed_certificate_on_a_phone(live_server, live_app, awarded, page, tmp_path):
    """The holder's phone (390 px): the old certificate says what replaced it, in the list and when its QR is
    scanned, with a link that verifies the new one; nothing is wider than the screen."""
    from app.extensions import db
    from app.training import services
    from app.training.models import Certificate

    (first, number, code), _second = awarded["certificates"]
    with live_app.app_context():
        original = db.session.get(Certificate, first)
        renewal = services.renew_certificate(original.user, original)  # any actor: the rule is the service's
        db.session.commit()
        new_number, new_code = renewal.number, renewal.verify_code
    superseded = f"已被 {new_number} 取代"

    sign_in(page, f"{live_server.url}/training/my/certificates", "wxh")
    expect(page.get_by_test_id(f"certificate-{number}").get_by_test_id("cert-state")).to_have_text(superseded)
    expect(page.get_by_test_id(f"certificate-{new_number}").get_by_test_id("cert-state")).to_have_text("有效")
    no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "my-certificates.png", full_page=True)

    page.goto(f"{live_server.url}/verify/{code}")
    expect(page.locator("article.verify-result")).to_have_attribute("data-state", "superseded")
    expect(page.get_by_test_id("verify-superseded")).to_contain_text(superseded)
    no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "verify-superseded.png", full_page=True)
    page.get_by_test_id("verify-superseded").locator("a").click()
    expect(page).to_have_url(f"{live_server.url}/verify/{new_code}")
    expect(page.locator("article.verify-result")).to_have_attribute("data-state", "valid")

    page.goto(f"{live_server.url}/training/my/")
    expect(page.get_by_test_id(f"enrolment-{awarded['course']}").locator(".badge")).to_have_text("已发证")
    no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "my-training.png", full_page=True)
    assert page.console_errors == []
