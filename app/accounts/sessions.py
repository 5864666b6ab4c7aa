"""Server-side sessions: signing out ends the session wherever its cookies went.

Flask-Login keeps `user.get_id()` in the session cookie and, with "keep me
signed in", in the remember-me cookie. Our id is "<user id>.<session version>.<token>":
the token names one `UserSession` row (only its SHA-256 is stored). `load()` gives
the user back only while that row is open and unexpired and the account's
session version still matches, so a copied cookie stops working at sign-out,
at expiry, or when the password changes.
"""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app import audit
from app.accounts.models import User, UserSession
from app.db import utcnow
from app.extensions import db

# last_seen_at (and a sliding expiry) is written at most this often, not on every request.
SEEN_EVERY = timedelta(minutes=5)


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _idle():
    return current_app.config["PERMANENT_SESSION_LIFETIME"]


def _remembered():
    return current_app.config["REMEMBER_COOKIE_DURATION"]


def open_session(user, *, remember=False, user_agent="", ip_address=""):
    """A new session for `user` (flush, no commit); afterwards `user.get_id()` names it."""
    now = utcnow()
    # Housekeeping: the person's ended and expired sessions go when they sign in again.
    db.session.execute(sa.delete(UserSession).where(
        UserSession.user_id == user.id, sa.or_(UserSession.ended_at.is_not(None), UserSession.expires_at < now)))
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(
        user_id=user.id, token_digest=_digest(token), remember=remember, created_at=now, last_seen_at=now,
        expires_at=now + (_remembered() if remember else _idle()),
        user_agent=(user_agent or "")[:200], ip_address=(ip_address or "")[:45]))
    db.session.flush()
    user.session_token = token
    return token


def _parse(identity):
    parts = (identity or "").split(".", 2)
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or not parts[2]:
        return None
    return int(parts[0]), int(parts[1]), parts[2]


def load(identity):
    """The user of a live session named by `identity` (a Flask-Login id), else None. One query."""
    parsed = _parse(identity)
    if parsed is None:
        return None
    user_id, version, token = parsed
    found = db.session.execute(
        sa.select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
        .where(User.id == user_id, UserSession.token_digest == _digest(token), UserSession.ended_at.is_(None))
    ).first()
    if found is None:
        return None
    user, row = found
    now = utcnow()
    if not user.active or user.session_version != version or row.expires_at <= now:
        return None
    if now - row.last_seen_at >= SEEN_EVERY:
        _seen(row, now)
    user.session_token = token
    return user


def _seen(row, now):
    """Record activity on its own connection, so the request's transaction stays the view's."""
    values = {"last_seen_at": now}
    if not row.remember:
        values["expires_at"] = now + _idle()  # an idle session expires; a used one lives on
    with db.engine.begin() as connection:
        connection.execute(sa.update(UserSession).where(UserSession.id == row.id).values(**values))


def end(user, token=None):
    """End the session `token` of `user` (default: the one the user came with). Flush, no commit."""
    token = token or getattr(user, "session_token", None)
    if token:
        db.session.execute(sa.update(UserSession).where(
            UserSession.user_id == user.id, UserSession.token_digest == _digest(token),
            UserSession.ended_at.is_(None)).values(ended_at=utcnow()))


def end_others(user):
    """End every other session of `user` (the other phones and computers). Returns how many."""
    keep = _digest(getattr(user, "session_token", "") or "")
    result = db.session.execute(sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.token_digest != keep, UserSession.ended_at.is_(None),
        UserSession.expires_at > utcnow()).values(ended_at=utcnow()))
    audit.record(user, "user.sessions_end_others", user, after={"ended": result.rowcount})
    return result.rowcount


def end_one(user, session_id):
    """End one of `user`'s own sessions by its row id (from the account page). Returns whether one ended."""
    result = db.session.execute(sa.update(UserSession).where(
        UserSession.id == session_id, UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow()))
    if result.rowcount == 1:
        audit.record(user, "user.session_end", user, after={"session": session_id})
    return result.rowcount == 1


def live_sessions(user):
    """The user's open sessions, newest activity first, with `current` marking this one."""
    rows = db.session.scalars(sa.select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None), UserSession.expires_at > utcnow())
        .order_by(UserSession.last_seen_at.desc())).all()
    mine = _digest(getattr(user, "session_token", "") or "")
    for row in rows:
        row.current = row.token_digest == mine
    return rows


_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("HarmonyOS", "HarmonyOS"), ("Android", "Android"),
            ("Windows", "Windows"), ("Mac OS", "Mac"), ("Linux", "Linux"))
_BROWSERS = (("MicroMessenger", "微信"), ("Edg/", "Edge"), ("Firefox", "Firefox"), ("Chrome", "Chrome"),
             ("Safari", "Safari"))


def device_label(user_agent):
    """"Android · 微信" from a User-Agent header: enough for a person to recognise their phone."""
    system = next((name for needle, name in _SYSTEMS if needle in (user_agent or "")), None)
    browser = next((name for needle, name in _BROWSERS if needle in (user_agent or "")), None)
    return " · ".join(part for part in (system, browser) if part) or "—"
