"""The notification centre in a phone-sized browser: the header's count, marking one and all
read in place (htmx, out-of-band count), and following a notification to its page."""
import re

from playwright.sync_api import expect

from tests.browser.competition_helpers import PASSWORD, SYSTEM, sign_in_at


def seed(live_app):
    from app import notifications
    from app.accounts import services
    from app.extensions import db

    with live_app.app_context():
        user, _ = services.create_user(SYSTEM, name="刘晓燕", roles=["trainee"], mobile="13912345678",
                                       password=PASSWORD)
        user.must_change_password = False
        for title in ("花名册导入", "成绩册生成"):
            notifications.notify(user, "test.note", notifications.N_("“%(title)s” is finished."),
                                 link_to="training.my_training", title=title)
        db.session.commit()


def test_reading_notifications_in_place(live_server, page):
    seed(live_server.app)
    sign_in_at(page, live_server.url + "/notifications", "13912345678")
    count = page.locator("#core-notification-count")
    expect(count).to_be_visible()
    expect(count.locator(".badge-count")).to_have_text("2")
    items = page.locator(".notification-list li.notification")
    expect(items).to_have_count(2)
    newest = items.first
    expect(newest).to_contain_text("“成绩册生成”已完成。")

    newest.get_by_role("button", name="标为已读").click()
    expect(newest).to_have_class(re.compile(r"\bread\b"))
    expect(newest.get_by_role("button", name="标为已读")).to_have_count(0)
    expect(count.locator(".badge-count")).to_have_text("1")  # the header followed, no reload
    assert page.url.endswith("/notifications")

    page.get_by_role("button", name="全部标为已读").click()
    expect(page.locator(".notification-list li.unread")).to_have_count(0)
    expect(count.locator(".badge-count")).to_have_count(0)
    expect(count).to_have_attribute("data-unread", "0")

    with page.expect_navigation():
        items.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/training/my/$"))
    assert page.console_errors == []
