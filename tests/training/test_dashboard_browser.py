"""The dashboard in a real browser (Chromium, zh-CN): charts drawn under the CSP,
redrawn after the htmx filter swap and after the back button, no console errors.

Elements are found by name, id and data attributes, never by interface text
(the dashboard strings are not translated yet).
"""
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

from playwright.sync_api import expect

PASSWORD = "peixun2026"
SYSTEM = SimpleNamespace(id=None, display_name="system", has_role=lambda *names: True)
CHARTS = ("trade", "pass", "tags", "income")


def seed(live_app):
    """A base with an ended welding course (3 trainees, 2 pass, outcomes) and an upcoming electrician course."""
    from app.accounts import services as accounts
    from app.accounts.models import IdentityTag, OrgKind, Trade
    from app.extensions import db
    from app.training import services
    from app.training.models import CourseStatus, Level

    with live_app.app_context():
        city = accounts.create_organization(SYSTEM, name="徐州市总工会", kind=OrgKind.FEDERATION, short_name="市总工会")
        staff, _ = accounts.create_user(SYSTEM, name="张敏", roles=["staff"], username="staff", organization=city,
                                        password=PASSWORD)
        staff.must_change_password = False
        welding, electric = Trade(code="HG", name="焊工"), Trade(code="DG", name="电工")
        db.session.add_all([welding, electric])
        db.session.flush()
        base = services.save_base(staff, None, code="xz", name="徐州技能实训基地", organization_id=city.id, address="",
                                  contact_name="", contact_phone="", designated_on=None, status="active",
                                  description="", trades=[welding, electric])
        today = date.today()

        def course(trade, title, offset):
            start = today + timedelta(days=offset)
            made = services.save_course(
                staff, None, base_id=base.id, trade_id=trade.id, title=title, description="", level=Level.FIVE,
                starts_on=start, ends_on=start + timedelta(days=7), seats=5, enrol_opens_at=None,
                enrol_closes_at=None, fee=Decimal(0), eligibility="anyone", requires_approval=False,
                theory_weight=Decimal(30), practical_weight=Decimal(70), pass_mark=Decimal(60),
                min_attendance=Decimal(80), certificate_name=f"{trade.name}证书", certificate_years=3,
                status=CourseStatus.PUBLISHED)
            lessons = [services.add_lesson(staff, made, starts_at=datetime.combine(start, datetime.min.time(),
                                                                                   tzinfo=timezone.utc)
                                           + timedelta(days=n, hours=1),
                                           ends_at=datetime.combine(start, datetime.min.time(), tzinfo=timezone.utc)
                                           + timedelta(days=n, hours=4)) for n in range(2)]
            return made, lessons

        ended, lessons = course(welding, "焊工（初级）", -20)
        upcoming, _ = course(electric, "电工（初级）", 10)
        for n, (marks, tags) in enumerate([(85, [IdentityTag.WOMAN]), (75, [IdentityTag.MIGRANT_WORKER]), (40, [])]):
            trainee, _ = accounts.create_user(SYSTEM, name=f"学员{n}", roles=["trainee"], mobile=f"1390000000{n}",
                                              password=PASSWORD, tags=tags)
            enrolment = services.enrol(trainee, ended, by_staff=True)
            for lesson in lessons:
                services.mark_attendance(staff, lesson, enrolment, True)
            services.record_attempt(staff, enrolment, theory=Decimal(marks), practical=Decimal(marks))
            services.enrol(trainee, upcoming)
        for certificate, (before, after) in zip(services.issue_certificates(staff, ended), [(4000, 4800), (3000, 3500)]):
            services.record_outcome(staff, by_staff=True, certificate=certificate, months=6, new_job=False, income_before=Decimal(before),
                                    income_after=Decimal(after))
        db.session.commit()
        return base.id, today


def drawn(page):
    for name in CHARTS:
        expect(page.locator(f".dash-chart-area[data-chart-name={name}] canvas").first).to_be_visible()


def test_charts_draw_and_redraw_after_the_filter_and_the_back_button(live_app, live_server, page):
    base_id, today = seed(live_app)
    url = f"{live_server.url}/training/bases/{base_id}/dashboard"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.locator("#accounts-login-form [name=login]").fill("staff")
    page.locator("#accounts-login-form [name=password]").fill(PASSWORD)
    page.locator("#accounts-login-form button[type=submit]").click()
    expect(page).to_have_url(url)
    # A period around today, so the test does not depend on the time of year.
    page.goto(f"{url}?from={today - timedelta(days=60)}&to={today + timedelta(days=60)}")
    drawn(page)
    expect(page.get_by_test_id("trainees")).to_contain_text("3")
    expect(page.get_by_test_id("pass-rate")).to_contain_text("66.7%")
    expect(page.get_by_test_id("income-change")).to_contain_text("+650.0")
    # Hover the charts: the tooltips are plain text, never inline-styled HTML.
    for name in CHARTS:
        box = page.locator(f".dash-chart-area[data-chart-name={name}] canvas").first.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(150)
    page.mouse.move(0, 0)

    # Only the upcoming course: the figures and charts are swapped in by htmx, the URL follows.
    page.locator("[name=from]").fill(today.isoformat())
    expect(page).to_have_url(re.compile(rf"from={today.isoformat()}"))
    expect(page.locator("#training-dashboard-courses tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("pass-rate")).to_contain_text("—")
    expect(page.get_by_test_id("chart-pass-empty")).to_be_visible()
    expect(page.locator(".dash-chart-area[data-chart-name=trade] canvas").first).to_be_visible()
    expect(page.locator(".dash-chart-area[data-chart-name=tags] canvas").first).to_be_visible()

    page.go_back()
    expect(page.locator("#training-dashboard-courses tbody tr")).to_have_count(2)
    drawn(page)
    assert page.console_errors == []
