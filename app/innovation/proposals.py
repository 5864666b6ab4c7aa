"""The ranking board: ranked applications beside each studio type's quota and the budget.

Staff mark proposals (拟命名 / 拟资助) down the ranking. A mark takes one place
of the application's studio type and its standard amount from the budget; the
database refuses a mark past either: three guarded UPDATEs run in one savepoint
(the application from unmarked to marked, the type's `proposed_count` + 1, the
programme's `committed_amount` + amount), and the CHECK constraints on the last
two reject an overflow. On PostgreSQL two staff marking the last place at once
queue on the quota row; the second re-reads it after the first commits and its
CHECK fails, so exactly one succeeds.
"""
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.innovation import ranking
from app.innovation.models import (
    Application,
    ApplicationStage,
    Programme,
    ProgrammeQuota,
    ProgrammeStatus,
)

MARKING_OPEN = (ProgrammeStatus.REVIEWING, ProgrammeStatus.MEETING)


@dataclass
class TypeBoard:
    """One studio type's column of the board: its quota, its ranked applications and the cut line."""

    quota: ProgrammeQuota
    rows: list = field(default_factory=list)  # ranking.Row, in rank order (complete first)
    cut_after: int | None = None  # index of the last row inside the quota (by ranking), None if none
    tied_at_cut: set = field(default_factory=set)  # application ids sharing a rank across the cut line


@dataclass
class Board:
    programme: Programme
    ranking: ranking.Ranking
    types: list  # TypeBoard per quota, in quota order

    @property
    def budget(self):
        return self.programme.total_budget

    @property
    def committed(self):
        return self.programme.committed_amount

    @property
    def remaining(self):
        return self.programme.remaining_budget


def board(programme_id):
    result = ranking.compute(programme_id)
    if result is None:
        return None
    programme = result.programme
    types = []
    for quota in programme.quotas:
        rows = [row for row in result.rows if row.application.studio_type == quota.studio_type]
        column = TypeBoard(quota, rows)
        ranked = [row for row in rows if row.rank is not None]
        if quota.quota and ranked:
            cut = min(quota.quota, len(ranked)) - 1
            column.cut_after = cut
            if cut + 1 < len(ranked) and ranked[cut + 1].result.final == ranked[cut].result.final \
                    and ranked[cut + 1].rank == ranked[cut].rank:
                shared = ranked[cut].rank
                column.tied_at_cut = {row.application.id for row in ranked if row.rank == shared}
        types.append(column)
    return Board(programme, result, types)


def _require_open(programme):
    if programme.status not in MARKING_OPEN:
        raise DomainError(_l("Proposals are marked while the programme is under review."))
    if programme.decision_document_no:
        raise DomainError(_l("The meeting's decision is recorded; the proposals can no longer change."))


def mark(actor, application, *, complete=True):
    """Propose one application at its type's standard amount, within the quota and the budget.

    `complete`: the caller checked that every expected expert scored it (the board knows).
    """
    programme = application.programme
    _require_open(programme)
    if application.stage != ApplicationStage.ACCEPTED:
        raise DomainError(_l("Only applications in expert review can be proposed."))
    if not complete:
        raise DomainError(_l("Not every expert has scored this application yet."))
    quota = next((q for q in programme.quotas if q.studio_type == application.studio_type), None)
    if quota is None:
        raise DomainError(_l("This programme has no places for the application's studio type."))
    amount = quota.amount
    try:
        with db.session.begin_nested():
            moved = db.session.execute(
                sa.update(Application)
                .where(Application.id == application.id, Application.proposed.is_(False))
                .values(proposed=True, proposed_amount=amount, proposed_at=utcnow(), proposed_by_id=actor.id))
            if moved.rowcount != 1:
                raise DomainError(_l("This application is already proposed."))
            _take(ProgrammeQuota, quota.id, "proposed_count", 1, _l("All %(n)s places of this type are taken.",
                                                                    n=quota.quota))
            _take(Programme, programme.id, "committed_amount", amount,
                  _l("The remaining budget is less than %(amount)s yuan.", amount=amount))
    except IntegrityError:  # a CHECK failed without a clear culprit (should not happen): say so plainly
        raise DomainError(_l("The quota or the budget does not allow this proposal.")) from None
    _reload(application, quota, programme)
    audit.record(actor, "innovation.application.propose", application,
                 after={"proposed": True, "amount": amount, "studio_type": str(quota.studio_type)})
    return application


def unmark(actor, application):
    programme = application.programme
    _require_open(programme)
    amount = application.proposed_amount
    quota = next((q for q in programme.quotas if q.studio_type == application.studio_type), None)
    with db.session.begin_nested():
        moved = db.session.execute(
            sa.update(Application).where(Application.id == application.id, Application.proposed.is_(True))
            .values(proposed=False, proposed_amount=None, proposed_at=None, proposed_by_id=None))
        if moved.rowcount != 1:
            raise DomainError(_l("This application is not proposed."))
        db.session.execute(sa.update(ProgrammeQuota).where(ProgrammeQuota.id == quota.id)
                           .values(proposed_count=ProgrammeQuota.proposed_count - 1))
        db.session.execute(sa.update(Programme).where(Programme.id == programme.id)
                           .values(committed_amount=Programme.committed_amount - amount))
    _reload(application, quota, programme)
    audit.record(actor, "innovation.application.propose", application, after={"proposed": False, "amount": amount})
    return application


def _take(model, row_id, column, amount, message):
    """`column += amount` on one row; a CHECK violation (quota or budget exceeded) → DomainError(message)."""
    try:
        with db.session.begin_nested():
            db.session.execute(sa.update(model).where(model.id == row_id)
                               .values({column: getattr(model, column) + amount}))
    except IntegrityError:
        raise DomainError(message) from None


def _reload(*objects):
    for obj in objects:
        if obj is not None:
            db.session.refresh(obj)


def fill_quota(actor, programme_id, quota_id):
    """Batch: propose down the ranking of one type until its places or the budget run out.

    Stops before a tie at the cut line (a human decides those) and skips incomplete,
    excluded and already proposed applications. Returns the number proposed.
    """
    result = board(programme_id)
    column = next((c for c in result.types if c.quota.id == quota_id), None)
    if column is None:
        raise DomainError(_l("No such studio type in this programme."))
    proposed = 0
    for row in column.rows:
        if row.rank is None or row.application.proposed:
            continue
        if column.quota.remaining <= 0:
            break
        if row.application.id in column.tied_at_cut:
            break
        if result.remaining is not None and result.remaining < column.quota.amount:
            break
        mark(actor, row.application)
        proposed += 1
    return proposed
