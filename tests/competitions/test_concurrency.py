"""Twenty judges saving at once through a live server: no lost or duplicated marks, no refused saves.

PostgreSQL is the production database; SQLite must hold up too (write requests
take its write lock up front instead of failing with "database is locked")."""
import http.client
import re
import threading
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa

from app import audit
from app.audit import AuditEvent
from app.competitions.models import Score
from app.extensions import db
from tests.competitions.conftest import build
from tests.conftest import LiveServer, create_database, make_app, migrate
from tests.factories import PASSWORD, UserFactory

JUDGES = 20


class Browser:
    """A minimal cookie-keeping HTTP client (one per judge, one connection each)."""

    def __init__(self, base):
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.cookie = ""

    def request(self, method, path, form=None, headers=None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read().decode()
        cookie = response.getheader("Set-Cookie")
        if cookie and cookie.startswith("session="):
            self.cookie = cookie.split(";", 1)[0]
        return response.status, data

    def sign_in(self, login):
        _, page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, _ = self.request("POST", "/login", {"login": login, "password": PASSWORD, "csrf_token": token})
        assert status == 303


@pytest.fixture(params=["sqlite", "postgresql"])
def concurrent_live(request, tmp_path):
    url, drop = create_database(request.param, tmp_path)
    app = make_app(url, RATELIMIT_ENABLED=False, REPORT_DIR=str(tmp_path))
    migrate(app)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


@pytest.fixture()
def pg_live(tmp_path):
    """A live app on its own PostgreSQL database (for PostgreSQL-only concurrency tests)."""
    url, drop = create_database("postgresql", tmp_path)
    app = make_app(url, RATELIMIT_ENABLED=False, REPORT_DIR=str(tmp_path))
    migrate(app)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


def test_twenty_judges_save_at_once_without_lost_or_duplicated_marks(concurrent_live):
    pg_live = concurrent_live
    with pg_live.app_context():
        staff = UserFactory(roles=["staff"])
        cup = build(staff, entries=6, judges=JUDGES, code="rush")
        db.session.commit()
        event_id, stage_id = cup["event"].id, cup["practical"].id
        judges = [(j.username, [(e.id, c.id) for e in cup["entries"] if not m.conflicts_with(e)
                                for c in (cup["quality"], cup["safety"])])
                  for j, m in zip(cup["judges"], cup["members"])]
        judge_ids = {j.username: j.id for j in cup["judges"]}

    start = threading.Barrier(JUDGES)
    failures = []

    def judge_work(username, cells):
        try:
            browser = Browser(server.url)
            browser.sign_in(username)
            _, grid = browser.request("GET", f"/competitions/judging/{event_id}/{stage_id}")
            token = re.search(r'"X-CSRFToken": "([^"]+)"', grid).group(1)
            headers = {"X-CSRFToken": token, "HX-Request": "true"}
            start.wait()
            for round_value in ("10", "20.5"):  # every cell saved twice: the second value must win
                for entry_id, criterion_id in cells:
                    status, body = browser.request("POST", f"/competitions/judging/{event_id}/cells",
                                                   {f"v-{entry_id}-{criterion_id}": round_value}, headers)
                    if status != 200 or "cell-saved" not in body:
                        failures.append((username, status, body[:200]))
        except Exception as error:  # reported below; a thread must not die silently
            failures.append((username, repr(error)))

    with LiveServer(pg_live) as server:
        threads = [threading.Thread(target=judge_work, args=job) for job in judges]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert failures == []
    with pg_live.app_context():
        rows = db.session.execute(sa.select(Score.judge_id, Score.entry_id, Score.criterion_id, Score.value)).all()
        expected = {(judge_ids[u], e, c) for u, cells in judges for e, c in cells}
        assert len(rows) == len(expected)  # no duplicates, none lost
        assert {(j, e, c) for j, e, c, _ in rows} == expected
        assert {v for *_, v in rows} == {Decimal("20.5")}  # the later save always won
        saves = db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "score.save"))
        assert saves == 2 * len(expected)
        checked, problem = audit.verify_chain()
        assert problem is None and checked > saves
