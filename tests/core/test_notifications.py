"""The notification centre: what is announced and to whom, the header's count, reading one or
all (htmx), privacy between people, and e-mail copies sent by a background task, never by
the request that caused them."""
import logging
import re
import socket
import socketserver
import threading
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.competitions import publishing
from app.extensions import db as _db
from app.training import services as training
from tests.competitions.conftest import build
from tests.competitions.test_pages import complete_and_publish
from tests.core.test_jobs import base_sheets, job_app, signed_in, upload, wait_until_finished  # noqa: F401
from tests.factories import UserFactory, session_identity
from tests.job_helpers import consumer
from tests.training.conftest import make_course


def sign_in(client, user):
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = session_identity(user)


def notes_of(db, user):
    from app.notifications import Notification

    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def header_count(html):
    found = re.search(r'id="core-notification-count" data-unread="(\d+)"', html)
    return int(found.group(1)) if found else None


def plain(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def count_queries(db, client, url):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(db.engines[None], "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engines[None], "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


# ---------------------------------------------------------------- what is announced

def test_a_trainee_moved_up_from_the_waitlist_is_told_and_sees_it_in_the_header(client, db, users):
    course = make_course(users["staff"], seats=1)
    first, second = UserFactory(name="先报名"), UserFactory(name="候补者")
    seated = training.enrol(first, course)
    training.enrol(second, course)
    db.session.commit()
    sign_in(client, second)
    assert header_count(client.get("/").get_data(as_text=True)) == 0

    sign_in(client, first)
    assert client.post(f"/training/my/enrolments/{seated.id}/withdraw").status_code == 303
    (note,) = notes_of(db, second)
    assert note.kind == "training.promoted" and note.read_at is None
    assert notes_of(db, first) == []

    sign_in(client, second)
    home = client.get("/").get_data(as_text=True)
    assert header_count(home) == 1 and "消息通知，1 条未读" in home
    page = plain(client.get("/notifications").get_data(as_text=True))
    assert f"您已由候补转为正式学员：“{course.title}”为您保留了名额" in page
    english = plain(client.get("/notifications?lang=en").get_data(as_text=True))
    assert f"You moved up from the waitlist: you have a seat on “{course.title}”" in english


def test_an_issued_certificate_is_announced_to_its_holder(client, db, users):
    staff = users["staff"]
    course = make_course(staff, seats=3, starts_in_days=-30)  # a course that has taken place
    holder = UserFactory(name="持证学员")
    enrolment = training.enrol(holder, course, by_staff=True)
    training.record_attempt(staff, enrolment, theory=Decimal(80), practical=Decimal(90), rate=Decimal(100))
    (certificate,) = training.issue_certificates(staff, course)
    db.session.commit()
    (note,) = notes_of(db, holder)
    assert note.kind == "training.certificate" and note.url == "/training/my/certificates"
    sign_in(client, holder)
    page = plain(client.get("/notifications").get_data(as_text=True))
    assert f"您的证书已发放：{certificate.title}（编号 {certificate.number}）" in page


def test_publication_and_an_appeal_decision_are_announced_to_the_contestants(client, db, users):
    cup = build(users["staff"])
    complete_and_publish(cup, users["staff"], final=False)
    db.session.commit()
    contestants = [entry.user for entry in cup["entries"]]
    for person in contestants:
        (note,) = notes_of(db, person)
        assert note.kind == "competitions.provisional" and note.url == "/competitions/my/"
    assert notes_of(db, cup["judges"][0]) == []  # only contestants

    entry = cup["entries"][1]
    appeal = publishing.lodge_appeal(entry.user, entry, "我的实操成绩应当更高。")
    publishing.resolve_appeal(cup["chief_user"], appeal, upheld=False, resolution="经复核，评分无误。")
    db.session.commit()
    decided = notes_of(db, entry.user)[-1]
    assert decided.kind == "competitions.appeal" and decided.url == f"/competitions/my/{entry.id}"
    assert all(len(notes_of(db, other)) == 1 for other in contestants if other.id != entry.user.id)
    sign_in(client, entry.user)
    page = plain(client.get("/notifications").get_data(as_text=True))
    assert "您对“测试杯”的申诉已被驳回：经复核，评分无误。" in page
    assert "“测试杯”成绩已进入公示期" in page


# ---------------------------------------------------------------- the centre

def _three_for(user):
    from app import notifications

    for n in range(3):
        notifications.notify(user, "test.note", notifications.N_("“%(title)s” is finished."),
                             link_to=("training.my_training", {}), title=f"任务{n}")


def test_reading_one_and_then_all_updates_the_list_and_the_header_in_place(client, db, users):
    trainee = users["trainee"]
    _three_for(trainee)
    db.session.commit()
    first = notes_of(db, trainee)[0]
    sign_in(client, trainee)
    response = client.post(f"/notifications/{first.id}/read", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'class="notification read"' in html and "标为已读" not in html.split("core-notification-count")[0]
    assert 'hx-swap-oob="true"' in html and header_count(html) == 2  # the header follows out of band
    assert notes_of(db, trainee)[0].read_at is not None

    response = client.post("/notifications/read-all", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert header_count(html) == 0 and 'id="core-notification-list"' in html and "未读" not in plain(html)
    assert all(note.read_at is not None for note in notes_of(db, trainee))
    # Without JavaScript the same buttons post and come back to the list.
    _three_for(trainee)
    db.session.commit()
    assert client.post("/notifications/read-all").headers["Location"].endswith("/notifications")


def test_opening_a_notification_reads_it_and_follows_its_link(client, db, users):
    trainee = users["trainee"]
    _three_for(trainee)
    db.session.commit()
    note = notes_of(db, trainee)[1]
    sign_in(client, trainee)
    page = client.get("/notifications").get_data(as_text=True)
    assert f'href="/notifications/{note.id}/open"' in page
    response = client.get(f"/notifications/{note.id}/open")
    assert response.status_code == 303 and response.headers["Location"] == "/training/my/"
    assert notes_of(db, trainee)[1].read_at is not None
    assert header_count(client.get("/").get_data(as_text=True)) == 2


def test_nobody_reads_or_opens_someone_elses_notifications(client, db, users):
    _three_for(users["trainee"])
    db.session.commit()
    note = notes_of(db, users["trainee"])[0]
    sign_in(client, users["staff"])
    assert "任务0" not in client.get("/notifications").get_data(as_text=True)
    assert client.post(f"/notifications/{note.id}/read").status_code == 404
    assert client.get(f"/notifications/{note.id}/open").status_code == 404
    assert notes_of(db, users["trainee"])[0].read_at is None
    anonymous = client.application.test_client()
    assert anonymous.get("/notifications").status_code == 302


def test_the_header_count_costs_the_same_few_queries_for_0_or_200_notifications(client, db, users):
    from app import notifications

    trainee = users["trainee"]
    sign_in(client, trainee)
    none, html = count_queries(db, client, "/training/my/")
    assert header_count(html) == 0
    notifications.notify_many([trainee.id], "test.note", "“%(title)s” is finished.", title="x")
    for _ in range(199):
        notifications.notify(trainee, "test.note", "“%(title)s” is finished.", title="x")
    db.session.commit()
    many, html = count_queries(db, client, "/training/my/")
    assert many == none and header_count(html) == 200
    assert '<span class="badge badge-count">99+</span>' in html


# ---------------------------------------------------------------- background jobs

def test_a_finished_job_tells_its_owner_once(job_app):  # noqa: F811
    from app.notifications import Notification

    client = signed_in(job_app, job_app.staff_id)
    done = upload(client, base_sheets())
    sheets = base_sheets()
    sheets["entries"][2][1] = "001"  # a duplicate bib: refused
    refused = upload(client, sheets)
    with consumer(workers=1):
        wait_until_finished(done)
        wait_until_finished(refused)
    with _db.engine.connect() as connection:
        rows = connection.execute(sa.select(Notification.kind, Notification.url, Notification.user_id)
                                  .order_by(Notification.id)).all()
    assert sorted((kind, url) for kind, url, _ in rows) == sorted(
        [("job.done", f"/jobs/{done}"), ("job.failed", f"/jobs/{refused}")])
    assert {user for _, _, user in rows} == {job_app.staff_id}
    from app import jobs

    jobs.execute(jobs.by_token(done).id)  # a rerun finds it done: no second notice
    with _db.engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(Notification)) == 2
    page = plain(client.get("/notifications").text)
    assert "已完成。" in page and "因出错而中止。" in page


# ---------------------------------------------------------------- e-mail copies

class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        def say(line):
            self.wfile.write(line.encode() + b"\r\n")

        say("220 test SMTP")
        while True:
            line = self.rfile.readline().decode(errors="replace").strip()
            if not line:
                return
            verb = line.split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                say("250 test")
            elif verb == "DATA":
                say("354 go on")
                data = []
                while (row := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(row)
                self.server.mails.append(b"".join(data))
                say("250 queued")
            elif verb == "QUIT":
                say("221 bye")
                return
            else:
                say("250 ok")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.mails = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


def test_mail_copies_go_out_from_a_background_task_never_from_the_request(job_app):  # noqa: F811
    from email import message_from_bytes, policy

    from app.accounts.models import Trade, User

    from app.notifications import MailAddress, MailState, Notification

    with job_app.app_context():
        staff = _db.session.get(User, job_app.staff_id)
        course = make_course(staff, seats=1, trade=_db.session.scalar(sa.select(Trade).where(Trade.code == "HG")))
        first, second = UserFactory(name="先来的人"), UserFactory(name="等邮件的人")
        seated = training.enrol(first, course)
        training.enrol(second, course)
        _db.session.add(MailAddress(user_id=second.id, email="waiting@example.org"))
        _db.session.commit()
        ids = (first.id, second.id, seated.id, course.title)
    first_id, second_id, seated_id, title = ids

    # A mail server that accepts connections but never answers: a request that talked to it would hang.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    silent.settimeout(0)
    job_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=30,
                          SITE_URL="https://skills.example.org", MAIL_DEFAULT_SENDER="noreply@example.org")
    try:
        client = signed_in(job_app, first_id)
        assert client.post(f"/training/my/enrolments/{seated_id}/withdraw").status_code == 303
        try:
            silent.accept()
            connected = True
        except BlockingIOError:
            connected = False
        assert not connected  # the request never opened a connection to the mail server
    finally:
        silent.close()
    with job_app.app_context():
        (state,) = _db.session.scalars(sa.select(Notification.mail_state).where(Notification.user_id == second_id))
        assert state == MailState.PENDING
        assert _db.session.scalars(sa.select(Notification.mail_state).where(
            Notification.user_id == first_id)).all() == []

    with SMTPServer() as server:
        job_app.config["MAIL_PORT"] = server.server_address[1]
        with consumer(workers=1):  # the task enqueued after the request's commit sends it
            for _ in range(300):
                if server.mails:
                    break
                threading.Event().wait(0.1)
    assert len(server.mails) == 1
    mail = message_from_bytes(server.mails[0], policy=policy.default)
    assert mail["To"] == "waiting@example.org"
    body = mail.get_content()
    assert f"您已由候补转为正式学员：“{title}”" in body and "https://skills.example.org/training/my/" in body
    assert "工会职工技能服务平台" in str(mail["Subject"])
    with job_app.app_context():
        assert _db.session.scalar(sa.select(Notification.mail_state).where(
            Notification.user_id == second_id)) == MailState.SENT


def test_without_a_mail_server_copies_are_written_to_the_log(app, db, users, caplog, monkeypatch):
    from app import notifications
    from app.notifications import MailState

    # Alembic's logging set-up (run by the migrations) disables the loggers that existed before it.
    monkeypatch.setattr(logging.getLogger("app.notifications"), "disabled", False)
    trainee = users["trainee"]
    notifications.set_mail_address(trainee, "trainee@example.org")
    notifications.notify(trainee, "test.note", "“%(title)s” is finished.", title="花名册导入")
    db.session.commit()
    caplog.set_level(logging.INFO, logger="app.notifications")
    with app.test_request_context("/"):
        assert notifications.deliver_pending() == 1
        assert notifications.deliver_pending() == 0  # sent once
    assert "trainee@example.org" in caplog.text and "“花名册导入”已完成。" in caplog.text
    assert notes_of(db, trainee)[0].mail_state == MailState.SENT


def test_the_mail_address_form_refuses_nonsense_and_can_be_cleared(client, db, users):
    from app import notifications

    trainee = users["trainee"]
    sign_in(client, trainee)
    page = client.post("/notifications/mail", data={"email": "not an address"}).get_data(as_text=True)
    assert "请输入正确的邮箱地址" in page and notifications.mail_address(trainee) is None
    assert client.post("/notifications/mail", data={"email": " me@example.org "}).status_code == 303
    assert notifications.mail_address(trainee).email == "me@example.org"
    client.post("/notifications/mail", data={"email": ""})
    assert notifications.mail_address(trainee) is None
