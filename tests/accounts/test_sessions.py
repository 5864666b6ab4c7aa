"""Signing out ends the session on the server; remember-me lasts at most 30 days."""
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import UserSession
from app.db import utcnow
from tests.factories import PASSWORD, UserFactory


def _sign_in(client, login, remember=False):
    data = {"login": login, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 303


def _copy_cookies(app, source, names):
    other = app.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        other.set_cookie(name, cookie.value)
    return other


def test_a_copied_session_cookie_stops_working_at_sign_out(app, client, db):
    UserFactory(username="wei_hong")
    _sign_in(client, "wei_hong")
    thief = _copy_cookies(app, client, ["session"])
    assert thief.get("/account").status_code == 200  # the copy works while the session lives
    client.post("/logout")
    assert thief.get("/account").status_code == 302  # and not after


def test_a_copied_remember_me_cookie_stops_working_at_sign_out(app, client, db):
    UserFactory(username="wei_hong")
    _sign_in(client, "wei_hong", remember=True)
    cookie = client.get_cookie("remember_token")
    assert cookie.expires - utcnow() <= timedelta(days=30, minutes=1)
    thief = _copy_cookies(app, client, ["remember_token"])  # no session cookie: restored from remember-me
    assert thief.get("/account").status_code == 200
    client.post("/logout")
    fresh = _copy_cookies(app, thief, ["remember_token"])
    assert fresh.get("/account").status_code == 302


def test_remember_me_is_at_most_30_days_whatever_is_configured(app):
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=30)


def test_an_expired_session_signs_nobody_in(client, db):
    user = UserFactory(username="wei_hong")
    _sign_in(client, "wei_hong")
    db.session.execute(sa.update(UserSession).where(UserSession.user_id == user.id)
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get("/account").status_code == 302


def test_the_account_page_lists_devices_and_signs_out_the_others(app, client, db):
    UserFactory(username="wei_hong")
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Linux; Android 14) MicroMessenger/8.0 Chrome/120"
    _sign_in(phone, "wei_hong")
    _sign_in(client, "wei_hong")
    page = client.get("/account").get_data(as_text=True)
    assert "Android · 微信" in page and "本设备" in page
    response = client.post("/account/sessions/others/end", follow_redirects=True)
    assert "已在其他 1 台设备上退出登录" in response.get_data(as_text=True)
    assert phone.get("/account").status_code == 302
    assert client.get("/account").status_code == 200


def test_one_cannot_end_another_persons_session(app, client, db):
    other = UserFactory(username="someone")
    stranger = app.test_client()
    _sign_in(stranger, "someone")
    row = db.session.scalars(sa.select(UserSession).where(UserSession.user_id == other.id)).one()
    UserFactory(username="wei_hong")
    _sign_in(client, "wei_hong")
    response = client.post(f"/account/sessions/{row.id}/end", follow_redirects=True)
    assert "该登录已经结束" in response.get_data(as_text=True)
    assert stranger.get("/account").status_code == 200
