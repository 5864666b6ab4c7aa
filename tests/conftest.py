"""Test fixtures.

Every database test runs on SQLite and on a real PostgreSQL server: the
`database_url` fixture is parametrised by backend and each backend's schema is
built once per run by the real migrations. Each test then runs inside a
transaction that is rolled back (views' commits only release a SAVEPOINT).
The client sends a valid CSRF token on every write, so CSRF stays on.
"""
import os
import secrets
import shutil
import tempfile
import threading
from pathlib import Path

# Jobs that tests create never land in the developer's instance/ queue and folder.
_JOBS_TMP = tempfile.mkdtemp(prefix="union-test-jobs-")
os.environ["JOBS_DB"] = os.path.join(_JOBS_TMP, "queue.db")

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.engine import make_url

from app import cache as app_cache
from app import create_app
from app.accounts.models import Role
from app.extensions import db as _db
from app.extensions import limiter
from tests.factories import session_identity

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CHROMIUM = "/usr/bin/chromium"
BACKENDS = ("sqlite", "postgresql")


# ---------------------------------------------------------------- databases

def pg_admin_url():
    from config import normalise_database_url

    return normalise_database_url(os.environ.get("TEST_DATABASE_URL", PG_DEFAULT))


def create_database(backend, folder):
    """A new, empty database of the given backend; returns (url, drop callback)."""
    if backend == "sqlite":
        path = Path(folder) / f"test-{secrets.token_hex(4)}.db"
        return f"sqlite:///{path}", lambda: None
    admin_url = make_url(pg_admin_url())
    name = f"test_{os.getpid()}_{secrets.token_hex(4)}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {admin_url.render_as_string(hide_password=True)}: {error.orig}\n"
            "Run the suite with `make test` (it starts a throwaway server when none answers), "
            "or point TEST_DATABASE_URL at a server where the user may create databases.",
            pytrace=False,
        )

    def drop():
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()

    return admin_url.set(database=name).render_as_string(hide_password=False), drop


def migrate(app):
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


def make_app(url, **overrides):
    overrides.setdefault("JOBS_DIR", tempfile.mkdtemp(dir=_JOBS_TMP))
    overrides.setdefault("UPLOAD_DIR", tempfile.mkdtemp(dir=_JOBS_TMP))
    return create_app({"SQLALCHEMY_DATABASE_URI": url, **overrides})


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def app(backend, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"db-{backend}")
    url, drop = create_database(backend, folder)
    app = make_app(url, REPORT_DIR=str(folder / "reports"), CACHE_DIR=str(folder / "cache"))
    migrate(app)
    yield app
    with app.app_context():
        _db.engine.dispose()
    drop()


@pytest.fixture()
def db(app):
    """The database for one test; everything it writes is rolled back.

    Flask-SQLAlchemy picks its engine from `db.engines`, so the test's
    connection (holding the outer transaction) stands in for the engine; every
    session joins it with a SAVEPOINT, so views may commit freely.
    """
    with app.app_context():
        engines = _db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection
        original = _db.session
        _db.session = _db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
        limiter.reset()
        # Rolled-back tests reuse ids and codes: nothing cached by an earlier test may show.
        app_cache.clear()
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            engines[None] = engine
            transaction.rollback()
            connection.close()


@pytest.fixture()
def english(app, db):
    """Service tests read messages in English: a request context with ?lang=en."""
    with app.test_request_context("/?lang=en"):
        yield


# ---------------------------------------------------------------- clients

class CSRFClient(FlaskClient):
    """A test client that sends a valid CSRF token with every write (CTFd style)."""

    def csrf_token(self):
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args, csrf=True, **kwargs):
        method = kwargs.get("method", "GET").upper()
        if csrf and method not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        # Each request gets its own app context (its own `g` and session), as in
        # production; the test's session then sees what the request committed.
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response


@pytest.fixture()
def client(app, db):
    app.test_client_class = CSRFClient
    return app.test_client()


@pytest.fixture()
def users(db):
    """One user per role, plus their shared organisation tree."""
    from tests.factories import OrganizationFactory, UserFactory

    city = OrganizationFactory(name="测试市总工会", kind="federation")
    unit = OrganizationFactory(name="测试单位工会", kind="unit", parent=city)
    result = {}
    for role in Role:
        extra = [Role.STAFF] if role == Role.ADMIN else []
        result[role.value] = UserFactory(username=f"{role.value}_user", name=f"{role.value}用户",
                                         organization=unit, roles=[role, *extra])
    return result


@pytest.fixture()
def login(client, users):
    """login("staff") signs the client in as that role's user and returns the user."""

    def sign_in(role_or_user):
        user = users[role_or_user] if isinstance(role_or_user, str) else role_or_user
        with client.session_transaction() as session:
            session["_user_id"] = session_identity(user)
            session["_fresh"] = True
        return user

    return sign_in


# ---------------------------------------------------------------- live server and browser

class LiveServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture()
def live_app(backend, tmp_path):
    """An app on its own fresh, migrated database, for a live server."""
    url, drop = create_database(backend, tmp_path)
    app = make_app(url, REPORT_DIR=str(tmp_path / "reports"), CACHE_DIR=str(tmp_path / "cache"))
    migrate(app)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    drop()


@pytest.fixture()
def live_server(live_app):
    with LiveServer(live_app) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium (`apt-get install -y chromium`) "
            "or run `make test`, which installs it.",
            pytrace=False,
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # a busy 2-core CI machine: waits are upper bounds, not delays
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    )
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


# ---------------------------------------------------------------- reporting

def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in item.fixturenames or "page" in item.fixturenames:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    """Say how many tests ran on each backend and in the browser."""
    counts = {}
    for outcome in ("passed", "failed", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if report.when != "call" and outcome != "error":
                continue
            node = report.nodeid
            kinds = []
            if "[postgresql" in node or "-postgresql" in node:
                kinds.append("postgresql")
            if "[sqlite" in node or "-sqlite" in node:
                kinds.append("sqlite")
            if "browser" in report.keywords:
                kinds.append("browser")
            for kind in kinds or ["no-database"]:
                counts.setdefault(kind, {}).setdefault(outcome, 0)
                counts[kind][outcome] += 1
    terminalreporter.write_sep("-", "tests by kind")
    for kind in ("sqlite", "postgresql", "browser", "no-database"):
        if kind in counts:
            parts = ", ".join(f"{n} {outcome}" for outcome, n in counts[kind].items())
            terminalreporter.write_line(f"{kind}: {parts}")
