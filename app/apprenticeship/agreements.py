"""The agreement's life: created from an accepted pair, moved only along `TRANSITIONS`.

Every other service (signing, logs, assessments, dissolution) changes an agreement's state through
`transition()`, so the allowed moves live here and nowhere else.
"""
import calendar
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit
from app.apprenticeship.models_agreements import LIVE_STATUSES, Agreement, AgreementStatus as S
from app.errors import DomainError
from app.extensions import db

TRANSITIONS = {
    S.PROPOSED: {S.AWAITING_SIGNATURES, S.CANCELLED},
    S.AWAITING_SIGNATURES: {S.ACTIVE, S.PROPOSED, S.CANCELLED},
    S.ACTIVE: {S.AWAITING_ASSESSMENT, S.OBJECTED, S.DISSOLVED},
    S.AWAITING_ASSESSMENT: {S.COMPLETED, S.FAILED, S.DISSOLVED},
    S.COMPLETED: set(),
    S.FAILED: set(),
    S.OBJECTED: set(),
    S.DISSOLVED: set(),
    S.CANCELLED: set(),
}


def can_move(agreement, to):
    return to in TRANSITIONS[agreement.status]


def transition(actor, agreement, to, reason=""):
    """Move `agreement` to state `to`, guarded by its current state in the UPDATE itself, so two
    people acting at once cannot both move it. Flushes; raises DomainError when not allowed."""
    before = agreement.status
    if not can_move(agreement, to):
        raise DomainError(_l("This agreement cannot move from this state to that one."))
    moved = db.session.execute(
        sa.update(Agreement).where(Agreement.id == agreement.id, Agreement.status == before)
        .values(status=to).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise DomainError(_l("Someone else changed this agreement a moment ago. Reload the page."))
    agreement.status = to
    db.session.flush()
    audit.record(actor, "apprenticeship.agreement.state", agreement,
                 before={"status": before.value}, after={"status": to.value, "reason": reason or None})
    return agreement


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def create_from_pair(actor, pair, starts_on=None, months=None, renewed_from=None):
    """A draft agreement (state proposed) for an accepted pair, with the programme's duration and
    stipend. Refused when the apprentice already holds a live agreement."""
    programme = pair.programme
    starts_on = starts_on or programme.starts_on or date.today()
    months = months or programme.default_months
    agreement = Agreement(programme_id=pair.programme_id, pair_id=pair.id, master_id=pair.master_id,
                          apprentice_id=pair.apprentice_id, unit_id=pair.apprentice.unit_id,
                          starts_on=starts_on, ends_on=add_months(starts_on, months),
                          stipend_monthly=programme.stipend_monthly or 0,
                          renewed_from_id=renewed_from.id if renewed_from else None)
    try:
        with db.session.begin_nested():
            db.session.add(agreement)
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("This apprentice already has an agreement in progress.")) from None
    audit.record(actor, "apprenticeship.agreement.create", agreement,
                 after={"master_id": pair.master_id, "apprentice_id": pair.apprentice_id,
                        "starts_on": starts_on.isoformat(), "ends_on": agreement.ends_on.isoformat()})
    return agreement


def live_agreement_of(apprentice_id):
    return db.session.scalar(sa.select(Agreement).where(Agreement.apprentice_id == apprentice_id,
                                                        Agreement.status.in_(LIVE_STATUSES)))



def renew(actor, agreement, months, master=None, starts_on=None):
    """A new draft agreement following a completed or failed one: same apprentice and programme,
    the same master unless `master` (a Master) replaces them (a failed final assessment may end in
    a change of master), starting the day after the old one ended unless `starts_on` says otherwise."""
    if agreement.status not in (S.COMPLETED, S.FAILED):
        raise DomainError(_l("Only a completed or failed agreement can be renewed."))
    pair = agreement.pair
    master_id = master.id if master is not None else agreement.master_id
    starts_on = starts_on or max(date.today(), agreement.ended_on or agreement.ends_on)
    renewal = Agreement(programme_id=agreement.programme_id, pair_id=pair.id if pair else None,
                        master_id=master_id, apprentice_id=agreement.apprentice_id, unit_id=agreement.unit_id,
                        starts_on=starts_on, ends_on=add_months(starts_on, months),
                        stipend_monthly=agreement.stipend_monthly, teaching_plan=agreement.teaching_plan,
                        meeting_cadence=agreement.meeting_cadence, renewed_from_id=agreement.id)
    try:
        with db.session.begin_nested():
            db.session.add(renewal)
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("This apprentice already has an agreement in progress.")) from None
    audit.record(actor, "apprenticeship.agreement.renew", renewal,
                 after={"renewed_from": agreement.id, "master_id": master_id, "months": months})
    return renewal
