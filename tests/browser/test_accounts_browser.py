"""End-to-end account journeys in a real browser (Chromium, phone-sized, zh-CN).

Each test is what one person does on the live server; the assertions are what
that person sees. Texts are the Chinese strings of the catalog (the default
language); elements are found by id, name, role or data-testid.
"""
import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from playwright.sync_api import expect

DEMO_PASSWORD = "demo1234"
TRAINEE_MOBILE = "13800000001"
TRAINEE_NAME = "魏小红"
STAFF_NAME = "张敏"

SYSTEM = SimpleNamespace(id=None, display_name="system", has_role=lambda *names: True)


# ---------------------------------------------------------------- data


def seed(live_app):
    """A small union: a city federation, one unit, and staff, judge and trainee accounts.

    (Shaped like app.accounts.demo but independent of the growing demo data set.)
    """
    from app.accounts import services
    from app.accounts.models import OrgKind
    from app.extensions import db

    with live_app.app_context():
        city = services.create_organization(SYSTEM, name="徐州市总工会", kind=OrgKind.FEDERATION, short_name="市总工会")
        unit = services.create_organization(SYSTEM, name="徐州和润起重有限公司", kind=OrgKind.UNIT, parent=city)
        for name, roles, username, mobile, org in [
            (STAFF_NAME, ["staff"], "staff", None, city),
            ("王建国", ["judge"], "judge", None, unit),
            ("陈立新", ["chief_judge"], "chief", None, unit),
            (TRAINEE_NAME, ["trainee"], None, TRAINEE_MOBILE, unit),
        ]:
            user, _ = services.create_user(SYSTEM, name=name, roles=roles, username=username, mobile=mobile,
                                           organization=org, password=DEMO_PASSWORD)
            user.must_change_password = False
        db.session.commit()


def make_user(live_app, *, name, roles, username=None, mobile=None, password=DEMO_PASSWORD):
    """An account that can sign in straight away (no forced password change)."""
    from app.accounts import services
    from app.extensions import db

    with live_app.app_context():
        user, _ = services.create_user(SYSTEM, name=name, roles=roles, username=username, mobile=mobile,
                                       password=password)
        user.must_change_password = False
        db.session.commit()


def users_with(live_app, **filters):
    from app.accounts.models import User
    from app.extensions import db

    with live_app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(User).filter_by(**filters))


# ---------------------------------------------------------------- what a person does


def sign_in(page, login, password):
    form = page.locator("#accounts-login-form")
    form.locator("#login").fill(login)
    form.locator("#password").fill(password)
    form.locator("button[type=submit]").click()


def open_user_menu(page):
    page.get_by_test_id("user-menu").click()


def sign_out(page, label="退出登录"):
    open_user_menu(page)
    page.get_by_role("button", name=label).click()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)


def flash(page):
    return page.locator("#flash")


# ---------------------------------------------------------------- tests


def test_trainee_registers_signs_out_signs_in_and_switches_to_english(live_server, live_app, page):
    page.goto(live_server.url + "/register")
    expect(page.get_by_role("heading", name="注册", exact=True)).to_be_visible()
    page.locator("#name").fill("刘晓燕")
    page.locator("#mobile").fill("139 1234 5678")  # spaces as people type them
    page.locator("#password").fill("hongyun2026")
    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="创建账号").click()

    # Signed in at once, on the home page.
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_test_id("user-menu")).to_have_text("刘晓燕")
    expect(flash(page)).to_contain_text("账号已创建，欢迎您，刘晓燕！")
    expect(page.get_by_role("heading", name="您好，刘晓燕")).to_be_visible()
    assert users_with(live_app, mobile="13912345678") == 1

    sign_out(page)
    expect(flash(page)).to_contain_text("您已退出登录。")
    expect(page.locator("header").get_by_role("link", name="登录")).to_be_visible()

    # Back in with the mobile number and password.
    page.locator("header").get_by_role("link", name="登录").click()
    expect(page).to_have_url(re.compile(r"/login"))
    sign_in(page, "13912345678", "hongyun2026")
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_test_id("user-menu")).to_have_text("刘晓燕")
    expect(flash(page)).to_contain_text("欢迎您，刘晓燕。")

    # The header switcher turns the interface English.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Hello, 刘晓燕")).to_be_visible()
    expect(page.get_by_role("button", name="中文")).to_be_visible()
    open_user_menu(page)
    expect(page.get_by_role("link", name="My account")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    expect(flash(page)).to_contain_text("You have signed out.")
    expect(page.locator("header").get_by_role("link", name="Sign in")).to_be_visible()

    # No CSP violation, script error or failed request anywhere on the way.
    assert page.console_errors == []


def test_language_choice_survives_sign_out(live_server, live_app, page):
    """English chosen before signing in stays through sign-in and sign-out (regression)."""
    make_user(live_app, name="王建国", roles=["judge"], username="judge")
    page.goto(live_server.url + "/login")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    sign_in(page, "judge", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Hello, 王建国")).to_be_visible()

    sign_out(page, label="Sign out")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(flash(page)).to_contain_text("You have signed out.")
    expect(page.locator("header").get_by_role("link", name="Sign in")).to_be_visible()


def test_trainee_opening_a_staff_page_sees_access_denied(live_server, live_app, page):
    seed(live_app)
    page.goto(live_server.url + "/login")
    sign_in(page, TRAINEE_MOBILE, DEMO_PASSWORD)
    expect(page.get_by_test_id("user-menu")).to_have_text(TRAINEE_NAME)

    response = page.goto(live_server.url + "/admin/users")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("403 · 无权访问")
    expect(page).to_have_title(re.compile(r"^无权访问"))
    expect(page.get_by_text("您没有权限", exact=False)).to_be_visible()
    # Nothing of the page itself leaks out.
    expect(page.locator("#accounts-user-table")).to_have_count(0)


def test_anonymous_visitor_is_sent_to_sign_in_and_then_back(live_server, live_app, page):
    seed(live_app)
    page.goto(live_server.url + "/admin/users")

    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)admin(/|%2F)users$"))
    expect(flash(page)).to_contain_text("请先登录。")
    sign_in(page, "staff", DEMO_PASSWORD)

    expect(page).to_have_url(live_server.url + "/admin/users")
    expect(page.get_by_role("heading", name="账号管理")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_text(STAFF_NAME)
    expect(page.locator("#accounts-user-table")).to_contain_text(TRAINEE_NAME)


def test_staff_search_narrows_the_table_without_reloading_the_page(live_server, live_app, page):
    seed(live_app)
    page.goto(live_server.url + "/login?next=/admin/users")
    sign_in(page, "staff", DEMO_PASSWORD)
    expect(page).to_have_url(live_server.url + "/admin/users")
    page.wait_for_load_state("load")  # htmx (a deferred script) has wired up the search form

    rows = page.locator("#accounts-user-table tbody tr")
    expect(rows).to_have_count(4)  # every account
    page.evaluate("window.__noReload = 'still here'")

    search = page.get_by_role("searchbox", name="搜索")
    expect(search).to_have_attribute("placeholder", "姓名、用户名或手机号码")
    search.press_sequentially("小红")

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(TRAINEE_NAME)
    # The mobile number is masked until staff open it, in place.
    masked = TRAINEE_MOBILE[:3] + "****" + TRAINEE_MOBILE[-4:]
    expect(rows.first).to_contain_text(masked)
    expect(rows.first).not_to_contain_text(TRAINEE_MOBILE)
    rows.first.get_by_role("button", name=re.compile("显示")).click()
    expect(rows.first).to_contain_text(TRAINEE_MOBILE)
    expect(page).to_have_url(re.compile(r"/admin/users\?.*\bq="))
    assert parse_qs(urlsplit(page.url).query)["q"] == ["小红"]
    assert page.evaluate("window.__noReload") == "still here"
    expect(search).to_have_value("小红")

    # A name that matches nobody says so.
    search.fill("不存在的人")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_text("没有符合条件的账号。")
    assert page.evaluate("window.__noReload") == "still here"


def test_registration_refuses_a_taken_or_malformed_mobile(live_server, live_app, page):
    make_user(live_app, name="魏小红", roles=["trainee"], mobile="13800000001")
    page.goto(live_server.url + "/register")

    page.locator("#name").fill("冒名者")
    page.locator("#mobile").fill("13800000001")
    page.locator("#password").fill("another2026")
    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="创建账号").click()

    expect(page.locator("#mobile-error")).to_have_text("该手机号码已注册，请直接登录。")
    expect(page.locator("#mobile")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#mobile")).to_have_value("13800000001")
    expect(page.locator("#name")).to_have_value("冒名者")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    assert users_with(live_app, name="冒名者") == 0
    assert users_with(live_app, mobile="13800000001") == 1

    page.locator("#mobile").fill("12345")
    page.locator("#password").fill("another2026")
    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="创建账号").click()

    expect(page.locator("#mobile-error")).to_have_text("请输入11位大陆手机号码。")
    expect(page.locator("#mobile")).to_have_value("12345")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    assert users_with(live_app, name="冒名者") == 0


def test_wrong_password_shows_the_generic_error_and_keeps_the_login_name(live_server, live_app, page):
    make_user(live_app, name="王建国", roles=["judge"], username="judge")
    page.goto(live_server.url + "/login")
    sign_in(page, "judge", "not-the-password")

    expect(page.locator("#accounts-login-form .form-errors")).to_have_text("手机号码/用户名或密码不正确。")
    expect(page.locator("#login")).to_have_value("judge")
    expect(page.locator("#password")).to_have_value("")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)

    # The right password still works afterwards.
    sign_in(page, "judge", DEMO_PASSWORD)
    expect(page.get_by_test_id("user-menu")).to_have_text("王建国")


def test_staff_creates_a_judge_who_must_change_the_initial_password(live_server, live_app, page):
    seed(live_app)
    page.goto(live_server.url + "/login?next=/admin/users/new")
    sign_in(page, "staff", DEMO_PASSWORD)
    expect(page).to_have_url(live_server.url + "/admin/users/new")
    expect(page.get_by_role("heading", name="新增账号")).to_be_visible()

    page.locator("#name").fill("赵评委")
    page.locator("#username").fill("zhao.judge")
    option = page.locator("#organization_id option", has_text="徐州和润起重有限公司")
    page.locator("#organization_id").select_option(option.get_attribute("value"))
    page.get_by_label("评委", exact=True).check()
    page.get_by_role("button", name="创建账号").click()

    expect(page).to_have_url(re.compile(r"/admin/users/\d+$"))
    message = flash(page).locator(".flash-success")
    expect(message).to_contain_text("已为 赵评委 创建账号。初始密码：")
    initial = re.search(r"初始密码：([a-z0-9]+)（", message.inner_text()).group(1)
    assert len(initial) == 10
    expect(page.get_by_role("heading", name="赵评委", level=1)).to_be_visible()
    expect(page.locator("#username")).to_have_value("zhao.judge")
    expect(page.get_by_label("评委", exact=True)).to_be_checked()
    sign_out(page)

    # The judge signs in with the handed-over password and must choose their own.
    page.goto(live_server.url + "/login")
    sign_in(page, "zhao.judge", initial)
    expect(page).to_have_url(live_server.url + "/account/password")
    expect(flash(page)).to_contain_text("请先设置您自己的密码再继续。")
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()

    # Nothing else opens until then.
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/account/password")

    page.locator("#current_password").fill(initial)
    page.locator("#new_password").fill("panjue2026")
    page.locator("#confirm").fill("panjue2026")
    page.get_by_role("button", name="保存新密码").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(flash(page)).to_contain_text("密码已修改。")
    expect(page.get_by_role("heading", name="您好，赵评委")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_text("赵评委")
    page.reload()
    expect(page).to_have_url(live_server.url + "/")


def test_export_link_follows_the_active_search(live_server, live_app, page):
    """After an htmx search, "Export to Excel" exports what the table shows (regression)."""
    seed(live_app)
    page.goto(live_server.url + "/login?next=/admin/users")
    sign_in(page, "staff", DEMO_PASSWORD)
    expect(page).to_have_url(live_server.url + "/admin/users")
    page.wait_for_load_state("load")
    page.get_by_role("searchbox", name="搜索").fill("小红")
    expect(page.locator("#accounts-user-table tbody tr")).to_have_count(1)

    export = page.locator("a[href^='/admin/users/export.xlsx']")
    expect(export).to_have_attribute("href", re.compile(r"[?&]q=%E5%B0%8F%E7%BA%A2(&|$)"))
