"""Publication of a panel's results: provisional (公示) with an objection window, then final.

Each publication freezes a snapshot (what the public page shows, never
recomputed) and bumps the owner's `results_version`, which keys the cached
public pages and their ETags. Objections are lodged only while the window is
open, one per subject, and are decided with a written reason. A window is never
shorter than MIN_OBJECTION_HOURS (24 by default): a module that skips 公示 does so
explicitly, with a reason it shows publicly.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.review.models import ObjectionStatus


DEFAULT_MIN_OBJECTION_HOURS = 24


def minimum_objection_hours():
    """The shortest objection window (公示) allowed: the MIN_OBJECTION_HOURS setting."""
    return int(current_app.config.get("MIN_OBJECTION_HOURS", DEFAULT_MIN_OBJECTION_HOURS))


def objection_hours(hours):
    """How long a 公示 asked to last `hours` stays open: never less than the minimum."""
    return max(hours or 0, minimum_objection_hours())


def objection_deadline(start, hours):
    return start + timedelta(hours=objection_hours(hours))


def window_open(deadline, now=None):
    return deadline is not None and (now or utcnow()) < deadline


def freeze(owner, snapshot_model, owner_key, data, *, final, actor=None, reason=None, now=None):
    """Add the next snapshot of `owner` (which has `results_version`) and bump the version.

    Two staff publishing at once collide on the (owner, version) unique key: the
    second gets a message instead of a duplicate.
    """
    owner.results_version += 1
    snapshot = snapshot_model(**{owner_key: owner.id}, version=owner.results_version, final=final,
                              published_at=now or utcnow(), published_by_id=getattr(actor, "id", None),
                              reason=reason, data=data)
    db.session.add(snapshot)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("The results were just published by someone else. Reload the page.")) from None
    return snapshot


def latest_snapshot(snapshot_model, owner_column, owner_id, final_only=False):
    query = sa.select(snapshot_model).where(owner_column == owner_id)
    if final_only:
        query = query.where(snapshot_model.final.is_(True))
    return db.session.scalars(query.order_by(snapshot_model.version.desc()).limit(1)).first()


def lodge(actor, objection, *, window_deadline, already_lodged, action):
    """Add an objection (already built, with its subject) if the window is open and it is the first."""
    if not window_open(window_deadline):
        raise DomainError(_l("The appeal window is closed."))
    objection.text = (objection.text or "").strip()
    if len(objection.text) < 5:
        raise DomainError(_l("Describe what you think is wrong."), "text")
    if already_lodged:
        raise DomainError(_l("You have already lodged an appeal for this result."))
    db.session.add(objection)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # a double click: the unique key on the subject holds
        raise DomainError(_l("You have already lodged an appeal for this result.")) from None
    audit.record(actor, action, objection, after={"text": objection.text})
    return objection


def decide(actor, objection, *, upheld, resolution, action, details=None):
    """Record the decision on an open objection, with its written reason."""
    if objection.status != ObjectionStatus.OPEN:
        raise DomainError(_l("This appeal is already resolved."))
    resolution = (resolution or "").strip()
    if not resolution:
        raise DomainError(_l("Write the reason for the decision."), "resolution")
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.resolution, objection.resolved_by_id, objection.resolved_at = resolution, actor.id, utcnow()
    db.session.flush()
    audit.record(actor, action, objection, after={"status": objection.status, "resolution": resolution,
                                                  **(details or {})})
    return objection
