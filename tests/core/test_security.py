"""Headers, CSRF, error pages, htmx fragments and sessions, as a browser sees them."""
import re

import pytest

from app import create_app
from app.access import public
from app.accounts.models import User
from tests.factories import PASSWORD


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.headers["Vary"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.I)


@pytest.mark.parametrize("role", [None, "trainee", "staff", "admin"])
def test_pages_have_no_inline_script_handlers_or_styles(client, login, role):
    if role:
        login(role)
    urls = ["/", "/login", "/register", "/account", "/account/password", "/admin/users", "/admin/users/new",
            "/admin/users/import", "/admin/organizations", "/admin/trades", "/admin/audit", "/no-such-page"]
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        assert not INLINE_SCRIPT.search(body), url
        assert not INLINE_HANDLER.search(body), url
        assert not INLINE_STYLE.search(body), url


def test_htmx_config_forbids_eval(client):
    body = client.get("/").get_data(as_text=True)
    assert '"allowEval": false' in body
    assert 'hx-headers=\'{"X-CSRFToken": "' in body


def test_write_without_csrf_token_is_refused_and_changes_nothing(client, db):
    response = client.post("/register", data={"name": "无令牌", "mobile": "13911112222", "password": "longenough1"},
                           csrf=False)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "表单已过期" in page or "页面打开时间过长" in page
    assert db.session.query(User).filter_by(mobile="13911112222").count() == 0


def test_expired_csrf_token_gets_a_clear_message(client, db, app, monkeypatch):
    token = client.csrf_token()
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", -1)  # every token is already too old
    response = client.post("/register", data={"name": "过期", "mobile": "13911113333", "password": "longenough1",
                                              "csrf_token": token}, csrf=False, follow_redirects=True)
    assert response.status_code == 200
    assert "表单已过期" in response.get_data(as_text=True) or "页面打开时间过长" in response.get_data(as_text=True)
    assert db.session.query(User).filter_by(mobile="13911113333").count() == 0


def test_htmx_write_without_token_gets_an_explained_400(client):
    response = client.post("/account/membership", headers={"HX-Request": "true"}, csrf=False)
    assert response.status_code == 400
    assert "flash" in response.headers["HX-Trigger"]


def test_not_found_page_in_both_languages(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True) or "找不到" in response.get_data(as_text=True)
    client.post("/lang", data={"lang": "en"})
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_unexpected_error_page_leaks_nothing():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "RENDER_500_IN_TESTS": True})

    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    response = app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "hunter2" not in body and "Traceback" not in body and "RuntimeError" not in body
    assert "出错" in body or "错误" in body


def test_oversized_upload_gets_a_413_page(client, login):
    login("staff")
    big = b"PK\x03\x04" + b"0" * (10 * 1024 * 1024 + 10)
    from io import BytesIO

    response = client.post("/admin/users/import", data={"file": (BytesIO(big), "big.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "10 MB" in response.get_data(as_text=True)


def test_same_url_gives_page_or_fragment(client, login):
    login("staff")
    full = client.get("/admin/users").get_data(as_text=True)
    fragment_response = client.get("/admin/users", headers={"HX-Request": "true"})
    fragment = fragment_response.get_data(as_text=True)
    assert "<html" in full and 'id="accounts-user-table"' in full
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="accounts-user-table"')
    assert "HX-Request" in fragment_response.headers["Vary"]
    # A history restore needs the whole page even though it is an htmx request.
    restore = client.get("/admin/users", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_anonymous_htmx_request_is_sent_to_login(client):
    response = client.get("/admin/users", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_session_cookie_flags_and_rotation(client, users):
    client.get("/login")
    before = client.get_cookie("session")
    response = client.post("/login", data={"login": users["trainee"].username, "password": PASSWORD})
    assert response.status_code == 303
    cookie_header = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie_header and "SameSite=Lax" in cookie_header
    after = client.get_cookie("session")
    assert before is not None and after.value != before.value
    with client.session_transaction() as session:
        assert "csrf_token" not in session  # nothing from the anonymous session survives


def test_production_refuses_unsafe_settings(monkeypatch):
    from config import ProductionConfig

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/prod")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/prod.db")
    with pytest.raises(RuntimeError, match="ALLOW_SQLITE_IN_PRODUCTION"):
        create_app(ProductionConfig)
    monkeypatch.setenv("ALLOW_SQLITE_IN_PRODUCTION", "1")
    ProductionConfig.check()  # explicitly allowed: starts


def test_production_cookies_are_secure():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True


def test_ids_too_large_for_the_database_are_404_not_500(client, login):
    login("judge")
    for url in ("/competitions/judging/99999999999999999999/1", "/admin/users/2147483648"):
        assert client.get(url).status_code in (403, 404)


@pytest.mark.parametrize("name", ["v-99999999999999999999-1", "v-1-٣", "v-1-2-3", "v-x-1"])
def test_a_tampered_cell_name_is_a_400_not_a_500(client, login, name):
    from tests.factories import UserFactory
    from app.accounts.models import Role

    login(UserFactory(roles=[Role.JUDGE]))
    response = client.post("/competitions/judging/1/cells", data={name: "5"})
    assert response.status_code in (400, 403, 404)


@pytest.mark.parametrize("target", ["/account\r\nSet-Cookie: x=1", "/\nLocation: //evil.example", "/\\evil.example",
                                    "//evil.example", "https://evil.example/"])
def test_next_never_splits_a_header_or_leaves_the_site(client, users, target):
    from tests.factories import PASSWORD

    response = client.post("/login", query_string={"next": target},
                           data={"login": users["staff"].username, "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/"
