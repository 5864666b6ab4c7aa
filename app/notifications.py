"""In-app notifications, their e-mail copies, and the home page's to-do counts.

Notifying. A service calls `notify(user, kind, N_("message with %(name)s"), link_to=endpoint, name=...)`
(or `notify_many(user_ids, ...)` for a crowd, e.g. every contestant of a competition) next to
its `audit.record`: a row is added in the same transaction, so a notification exists exactly
when its change was committed. The message is stored as its msgid with its parameters and
translated when it is shown, so each reader sees it in their own language.

E-mail. A person who gave an address on the notifications page also gets each notification by
e-mail. Sending never happens in a request: the row is marked `pending`, and after the commit one
background task (Huey, the queue of `app/jobs.py`) sends every pending mail through SMTP when
`MAIL_SERVER` is configured, or writes it to the log otherwise; a sweep every ten minutes sends
what a lost task left behind. Each row is claimed by a conditional UPDATE before it is sent, so
two consumers never send one mail twice.

To-dos. The home page shows what is waiting for the signed-in person (sheets to sign, appeals to
decide, applications to approve...). The core does not know the domains: each module registers
a function with `@notifications.todos` that returns `Todo` items for a user, in a fixed number
of queries.
"""
import enum
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr

import sqlalchemy as sa
from flask import current_app, g, has_request_context, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from huey import crontab
from sqlalchemy.orm import Mapped, Session, mapped_column

from app import jobs
from app.db import UTCDateTime, str_enum, utcnow
from app.extensions import db

log = logging.getLogger(__name__)


def N_(message):
    """Mark a message for translation without translating it now (it is translated when shown)."""
    return message


class MailState(enum.StrEnum):
    NONE = "none"  # no e-mail copy wanted
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Notification(db.Model):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    message: Mapped[str] = mapped_column(sa.String(300), nullable=False)  # the msgid
    params: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    url: Mapped[str | None] = mapped_column(sa.String(300))  # a path on this site
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mail_state: Mapped[MailState] = mapped_column(str_enum(MailState, "notification_mail_state"), nullable=False,
                                                  default=MailState.NONE)

    __table_args__ = (
        # The header's unread count and the list, newest first: both from this index alone.
        sa.Index("ix_notification_user_read", "user_id", "read_at", "id"),
        sa.Index("ix_notification_mail_state", "mail_state"),
    )

    def text(self):
        """The message in the reader's language."""
        return render(self.message, self.params)

    def belongs_to(self, user):
        return user.is_authenticated and self.user_id == user.id


class MailAddress(db.Model):
    """Where a person wants e-mail copies of their notifications (optional)."""

    __tablename__ = "notification_mail_address"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


def render(message, params):
    params = params or {}
    try:
        return gettext(message, **params) if params else gettext(message)
    except (KeyError, ValueError, TypeError):  # a translation that lost a placeholder
        return message % params if params else message


# ---------------------------------------------------------------- notifying

_MAIL_FLAG = "notifications_mail_pending"


def link(endpoint, **values):
    """The site path of a page, also outside a request (jobs, the command line)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def notify(user, kind, message, *, link_to=None, **params):
    """Tell one person something (flushes, never commits). `user` is a User or a user id;
    `message` a msgid marked with N_(); `link_to` an endpoint or (endpoint, {values})."""
    user_id = getattr(user, "id", user)
    if user_id is None:
        return
    notify_many([user_id], kind, message, link_to=link_to, **params)


def notify_many(user_ids, kind, message, *, link_to=None, **params):
    """Tell each of `user_ids` (duplicates and None are skipped) the same thing, in two statements."""
    ids = sorted({int(i) for i in user_ids if i is not None})
    if not ids:
        return 0
    if isinstance(link_to, str):
        link_to = (link_to, {})
    url = link(link_to[0], **link_to[1]) if link_to else None
    message = str(message)
    values = {key: str(value) for key, value in params.items()}
    mailed = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        mailed.update(db.session.scalars(sa.select(MailAddress.user_id).where(MailAddress.user_id.in_(chunk))))
    now = utcnow()
    rows = [{"user_id": user_id, "kind": kind, "message": message, "params": values, "url": url,
             "created_at": now, "mail_state": MailState.PENDING if user_id in mailed else MailState.NONE}
            for user_id in ids]
    db.session.execute(sa.insert(Notification), rows)
    if mailed:
        db.session.info[_MAIL_FLAG] = True
    return len(rows)


@sa.event.listens_for(Session, "after_commit")
def _mail_after_commit(session):
    # Only now can the consumer see the rows; a failed enqueue leaves them pending for the next one.
    if session.info.pop(_MAIL_FLAG, False):
        try:
            send_pending_mail()
        except Exception:  # the queue is unreachable: the next notification's task sends these too
            log.exception("could not enqueue the notification mail task")


@sa.event.listens_for(Session, "after_rollback")
def _mail_rolled_back(session):
    session.info.pop(_MAIL_FLAG, None)


# ---------------------------------------------------------------- reading

def unread_count(user):
    """The header's count: one indexed COUNT per page, remembered for the rest of the request."""
    if not user.is_authenticated:
        return 0
    cached = g.get("_unread_notifications")
    if cached is None:
        cached = db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)))
        g._unread_notifications = cached
    return cached


def forget_unread_count():
    g.pop("_unread_notifications", None)


def for_user(user):
    """The person's notifications, newest first (a select() for pagination)."""
    return sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc())


def mark_read(user, notification):
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    forget_unread_count()
    return notification


def mark_all_read(user):
    changed = db.session.execute(
        sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    forget_unread_count()
    return changed


def mail_address(user):
    return db.session.get(MailAddress, user.id)


def set_mail_address(user, email):
    """Copies by e-mail to `email`; an empty address stops them."""
    current = db.session.get(MailAddress, user.id)
    email = (email or "").strip()
    if not email:
        if current is not None:
            db.session.delete(current)
    elif current is None:
        db.session.add(MailAddress(user_id=user.id, email=email))
    else:
        current.email = email
    db.session.flush()


# ---------------------------------------------------------------- e-mail

MAIL_SUBJECT = _l("Union Skills Platform: %(text)s")
MAIL_OPEN = _l("Open it on the platform: %(url)s")
MAIL_FOOTER = _l("You get this e-mail because you asked for copies of your notifications. "
                 "To stop them, clear the address on the notifications page.")


class LoggingSender:
    """Without MAIL_SERVER (development): the mail goes to the log."""

    def send(self, message):
        log.info("mail to %s: %s\n%s", message["To"], message["Subject"], message.get_content())

    def close(self):
        pass


class SMTPSender:
    """MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS (STARTTLS) / MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD."""

    def __init__(self, config):
        host, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
        timeout = float(config.get("MAIL_TIMEOUT") or 30)
        if config.get("MAIL_USE_SSL"):
            self.smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            self.smtp = smtplib.SMTP(host, port, timeout=timeout)
            if config.get("MAIL_USE_TLS"):
                self.smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            self.smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")

    def send(self, message):
        self.smtp.send_message(message)

    def close(self):
        try:
            self.smtp.quit()
        except smtplib.SMTPException:
            pass


def mail_sender():
    config = current_app.config
    return SMTPSender(config) if config.get("MAIL_SERVER") else LoggingSender()


def _mail(row, site_url):
    text = render(row.message, row.params)
    message = EmailMessage()
    message["Subject"] = str(MAIL_SUBJECT) % {"text": text[:120]}
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or "noreply@localhost"
    message["From"] = formataddr((gettext("Union Skills Platform"), sender))
    message["To"] = row.email
    lines = [text, ""]
    if row.url and site_url:
        lines += [str(MAIL_OPEN) % {"url": site_url.rstrip("/") + row.url}, ""]
    lines.append(str(MAIL_FOOTER))
    message.set_content("\n".join(lines))
    return message


def deliver_pending(limit=500):
    """Send the pending e-mail copies (call inside an app and request context); returns how many went."""
    pending = db.session.execute(
        sa.select(Notification.id, Notification.message, Notification.params, Notification.url, MailAddress.email)
        .join(MailAddress, MailAddress.user_id == Notification.user_id)
        .where(Notification.mail_state == MailState.PENDING).order_by(Notification.id).limit(limit)
    ).all()
    db.session.rollback()  # no transaction held while talking to the mail server
    if not pending:
        return 0
    site_url = current_app.config.get("SITE_URL") or ""
    sender, sent = None, 0
    try:
        for row in pending:
            claimed = db.session.execute(
                sa.update(Notification).where(Notification.id == row.id,
                                              Notification.mail_state == MailState.PENDING)
                .values(mail_state=MailState.SENDING).execution_options(synchronize_session=False)
            ).rowcount
            db.session.commit()
            if claimed != 1:
                continue  # another consumer has it
            try:
                sender = sender or mail_sender()
                sender.send(_mail(row, site_url))
                state = MailState.SENT
                sent += 1
            except (OSError, smtplib.SMTPException):
                log.exception("could not mail notification %s", row.id)
                state = MailState.FAILED
                sender = None
            db.session.execute(sa.update(Notification).where(Notification.id == row.id)
                               .values(mail_state=state).execution_options(synchronize_session=False))
            db.session.commit()
    finally:
        if sender is not None:
            sender.close()
    return sent


def _deliver_in_app():
    app = jobs.get_app()
    with app.app_context(), app.test_request_context("/notifications/mail", query_string={"lang": "zh"}):
        try:
            deliver_pending()
        finally:
            db.session.remove()


@jobs.huey.task(retries=2, retry_delay=60)
def send_pending_mail():
    _deliver_in_app()


@jobs.huey.periodic_task(crontab(minute="*/10"))
def send_mail_left_pending():
    """A sweep for mail whose task was never enqueued (the queue was down at the commit)."""
    _deliver_in_app()


# ---------------------------------------------------------------- background jobs tell their owner

@jobs.finished.connect
def _job_finished(_sender, job_id, **_extra):
    """A job's owner hears that it finished (called in the job's request context, after its commit)."""
    job = db.session.get(jobs.Job, job_id)
    if job is None or not job.finished:
        return
    title, page = str(jobs.title(job)), ("core.job", {"token": job.token})
    if job.status == jobs.JobStatus.DONE:
        notify(job.owner_id, "job.done", N_("“%(title)s” is finished."), link_to=page, title=title)
    else:
        notify(job.owner_id, "job.failed", N_("“%(title)s” stopped with an error."), link_to=page, title=title)
    db.session.commit()


# ---------------------------------------------------------------- to-do counts for the home page

@dataclass(frozen=True)
class Todo:
    label: str  # e.g. _l("Score sheets to sign")
    count: int
    url: str


_TODO_COUNTERS = []


def todos(function):
    """Register a module's `todo_counts(user)` → list of Todo (decorator)."""
    if function not in _TODO_COUNTERS:
        _TODO_COUNTERS.append(function)
    return function


def todos_for(user):
    """What is waiting for this person, from every registered module; only non-zero counts."""
    if not user.is_authenticated:
        return []
    found = []
    for function in _TODO_COUNTERS:
        found.extend(item for item in (function(user) or []) if item.count)
    return found


@todos
def job_todos(user):
    """Imports and other background jobs of this person that have not finished yet."""
    rows = db.session.execute(
        sa.select(jobs.Job.token).where(jobs.Job.owner_id == user.id, jobs.Job.status.in_(jobs.UNFINISHED))
        .order_by(jobs.Job.id.desc())
    ).scalars().all()
    if not rows:
        return []
    return [Todo(_l("Background jobs still running"), len(rows), url_for("core.job", token=rows[0]))]
