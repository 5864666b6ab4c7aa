"""Score sheets: one per reviewer × stage, signed to lock, unlocked by the chief with a reason.

The sheet row is the lock every write of its marks takes (SELECT ... FOR UPDATE
on PostgreSQL; SQLite serialises writers anyway), so a save cannot slip past a
signature and a signature never misses a save in flight.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db


def lock_sheet(model, **key):
    """The sheet with these key columns, created if needed, locked for this transaction."""
    query = sa.select(model).filter_by(**key).with_for_update()
    sheet = db.session.scalar(query)
    if sheet is None:
        try:
            with db.session.begin_nested():
                db.session.add(model(**key))
        except IntegrityError:
            pass  # created by a concurrent request of the same reviewer: lock that one
        sheet = db.session.scalar(query.execution_options(populate_existing=True))
    return sheet


def require_open(sheet):
    """Marks are saved only on an unsigned sheet (call with the sheet locked)."""
    if sheet.signed_at is not None:
        raise DomainError(_l("This sheet is signed and locked."))


def require_chief(seat, message):
    """`seat` (or None) must be the panel's chief; DomainError(message) otherwise."""
    if seat is None or not seat.is_chief:
        raise DomainError(message)


def sign(actor, sheet, gaps, details):
    """Sign a locked sheet once every cell is filled; signing twice is harmless."""
    if sheet.signed_at is not None:
        return sheet
    if gaps:
        raise DomainError(_l("%(n)s cells are still empty; fill them before signing.", n=gaps))
    sheet.signed_at = utcnow()
    db.session.flush()
    audit.record(actor, "sheet.sign", sheet, after=details)
    return sheet


def unlock(actor, sheet, reason, details):
    """Reopen a locked, signed sheet; the reason is kept on the sheet and in the audit trail."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Write why the sheet is unlocked."), "reason")
    if sheet.signed_at is None:
        raise DomainError(_l("This sheet is not signed."))
    sheet.signed_at, sheet.unlock_reason = None, reason
    db.session.flush()
    audit.record(actor, "sheet.unlock", sheet, after={**details, "reason": reason})
    return sheet
