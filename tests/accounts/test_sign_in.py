"""Registration, sign-in, sign-out, password change and session rules."""
import pytest

from app.accounts.models import Role, User
from app.audit import AuditEvent
from tests.factories import PASSWORD, UserFactory, session_identity


def register(client, name="魏小红", mobile="13912345678", password="hongyun2026"):
    return client.post("/register", data={"name": name, "mobile": mobile, "password": password, "consent": "y"})


def test_register_needs_only_name_mobile_password_and_signs_in(client, db):
    response = register(client)
    assert response.status_code == 303
    user = db.session.query(User).filter_by(mobile="13912345678").one()
    assert user.name == "魏小红" and user.roles == {Role.TRAINEE}
    assert user.password_hash != "hongyun2026" and user.password_hash.startswith("scrypt:")
    home = client.get("/").get_data(as_text=True)
    assert "魏小红" in home
    assert db.session.query(AuditEvent).filter_by(action="user.register", object_id=str(user.id)).count() == 1


@pytest.mark.parametrize("mobile, message", [
    ("12345", "11位"),
    ("", "必填"),
])
def test_register_rejects_bad_mobile_with_a_message(client, db, mobile, message):
    response = register(client, mobile=mobile)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.query(User).count() == 0


def test_register_refuses_a_taken_mobile_and_a_short_password(client, db, users):
    taken = users["trainee"].mobile
    body = register(client, mobile=taken).get_data(as_text=True)
    assert "已注册" in body
    body = register(client, mobile="13911110000", password="short").get_data(as_text=True)
    assert "8" in body
    assert db.session.query(User).filter_by(mobile="13911110000").count() == 0


def test_mobile_with_spaces_and_country_code_is_normalised(client, db):
    register(client, mobile="+86 139 1234 5670")
    assert db.session.query(User).filter_by(mobile="13912345670").count() == 1


@pytest.mark.parametrize("field", ["username", "mobile"])
def test_login_by_mobile_or_username(client, users, field):
    user = users["judge"]
    response = client.post("/login", data={"login": getattr(user, field), "password": PASSWORD})
    assert response.status_code == 303
    assert user.name in client.get("/").get_data(as_text=True)


def test_wrong_password_and_unknown_account_get_the_same_message(client, users):
    wrong = client.post("/login", data={"login": users["judge"].username, "password": "nope-nope"})
    unknown = client.post("/login", data={"login": "nobody", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    for response in (wrong, unknown):
        assert "用户名或密码不正确" in response.get_data(as_text=True) or "密码不正确" in response.get_data(as_text=True)


def test_deactivated_account_cannot_sign_in(client, db):
    user = UserFactory(active=False)
    response = client.post("/login", data={"login": user.username, "password": PASSWORD})
    assert response.status_code == 200


def test_login_redirects_back_but_never_off_site(client, users):
    response = client.post("/login?next=/admin/users", data={"login": users["staff"].username, "password": PASSWORD})
    assert response.headers["Location"] == "/admin/users"
    client.post("/logout")
    response = client.post("/login?next=https://evil.example/x",
                           data={"login": users["staff"].username, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_login_is_rate_limited_per_account(client, users):
    for _ in range(5):
        client.post("/login", data={"login": users["staff"].username, "password": "wrong-password"})
    response = client.post("/login", data={"login": users["staff"].username, "password": PASSWORD})
    assert response.status_code == 429
    assert "尝试次数过多" in response.get_data(as_text=True) or "稍后" in response.get_data(as_text=True)


def test_logout_needs_post_and_ends_the_session(client, login):
    login("trainee")
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_password_change_signs_out_other_sessions(app, client, login, users, db):
    user = login("trainee")
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = session_identity(user)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert response.status_code == 303
    assert client.get("/account").status_code == 200  # this device stays signed in
    with app.app_context():
        assert other.get("/account").status_code == 302  # the other one is out
    db.session.refresh(user)
    assert user.check_password("brand-new-pass")


def test_password_change_errors(client, login):
    login("trainee")
    body = client.post("/account/password", data={
        "current_password": "not-it", "new_password": "brand-new-pass", "confirm": "brand-new-pass"}).get_data(as_text=True)
    assert "当前密码不正确" in body
    body = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "brand-new-pass", "confirm": "different-pass"}).get_data(as_text=True)
    assert "不一致" in body


def test_initial_password_must_be_changed_first(client, db):
    user = UserFactory(must_change_password=True)
    client.post("/login", data={"login": user.username, "password": PASSWORD})
    response = client.get("/")
    assert response.status_code == 303 and response.headers["Location"] == "/account/password"
    client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "my-own-pass1", "confirm": "my-own-pass1"})
    assert client.get("/").status_code == 200


def test_language_switch_and_default_chinese(client):
    assert "登录" in client.get("/login").get_data(as_text=True)
    response = client.post("/lang", data={"lang": "en"}, headers={"Referer": "http://localhost/login"})
    assert response.headers["Location"] == "http://localhost/login"
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    client.post("/lang", data={"lang": "xx"})
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_language_survives_sign_in(client, users):
    client.post("/lang", data={"lang": "en"})
    client.post("/login", data={"login": users["trainee"].username, "password": PASSWORD})
    assert "My account" in client.get("/").get_data(as_text=True)
