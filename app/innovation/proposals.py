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
from functools import cached_property

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts.models import Organization
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.innovation import ranking
from app.innovation.models import (
    Application,
    ApplicationStage,
    PanelSeat,
    Programme,
    ProgrammeQuota,
    ProgrammeStatus,
    ReviewSheet,
)
from app.review.progress import Progress

MARKING_OPEN = (ProgrammeStatus.REVIEWING, ProgrammeStatus.MEETING)


@dataclass
class BoardApplication:
    """The live columns of an application on the board (read on every request, never cached)."""

    id: int
    number: str
    title: str
    unit_name: str
    studio_type: object
    proposed: bool
    proposed_amount: Decimal | None


@dataclass
class BoardRow:
    """One ranked application: the cached ranking (plain data) beside its live columns."""

    application: BoardApplication
    rank: int | None
    final: Decimal | None
    values: dict  # criterion id → the criterion's value (None or missing while incomplete)
    decided_by: tuple
    shares_rank: bool
    reviews: Progress
    complete: bool


@dataclass
class BoardRanking:
    """The ranking as the board and the meeting pack read it; the panel is loaded only when asked for."""

    programme_id: int
    criteria: list  # ProgrammeCriterion, live
    rows: list  # BoardRow, ranked first (rank order), then incomplete ones by number
    signed: Progress  # expert sheets signed / seats

    def sheets_progress(self):
        return self.signed

    def criterion_names(self, codes):
        by_code = {c.code: c.name for c in self.criteria}
        return [by_code.get(code, code) for code in codes]

    def tie_note(self, codes):
        """"Tie decided by …" for these criterion codes, translated once per page for each combination."""
        notes = self.__dict__.setdefault("_tie_notes", {})
        if codes not in notes:
            notes[codes] = _("Tie decided by %(names)s", names="、".join(self.criterion_names(codes)))
        return notes[codes]

    @cached_property
    def seats(self):
        return ranking.load_seats(self.programme_id)

    @cached_property
    def sheets(self):
        return {s.seat_id: s for s in db.session.scalars(
            sa.select(ReviewSheet).join(PanelSeat).where(PanelSeat.programme_id == self.programme_id))}


@dataclass
class TypeBoard:
    """One studio type's column of the board: its quota, its ranked applications and the cut line."""

    quota: ProgrammeQuota
    rows: list = field(default_factory=list)  # BoardRow, in rank order (complete first)
    cut_after: int | None = None  # index of the last row inside the quota (by ranking), None if none
    tied_at_cut: set = field(default_factory=set)  # application ids sharing a rank across the cut line


@dataclass
class Board:
    programme: Programme
    ranking: BoardRanking
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

    def row(self, application_id):
        return next((row for column in self.types for row in column.rows if row.application.id == application_id),
                    None)


def _live_applications(programme_id):
    """{id: BoardApplication} of the applications in review, one query."""
    rows = db.session.execute(
        sa.select(Application.id, Application.number, Application.title, Organization.name, Application.studio_type,
                  Application.proposed, Application.proposed_amount)
        .join(Organization, Organization.id == Application.unit_id)
        .where(Application.programme_id == programme_id, Application.stage.in_(ranking.reviewed_stages())))
    return {row[0]: BoardApplication(*row) for row in rows}


def _signed_sheets(programme_id):
    seats, signed = db.session.execute(
        sa.select(sa.func.count(PanelSeat.id), sa.func.count(ReviewSheet.signed_at))
        .select_from(PanelSeat).outerjoin(ReviewSheet, ReviewSheet.seat_id == PanelSeat.id)
        .where(PanelSeat.programme_id == programme_id)).one()
    return Progress(signed, seats)


def board(programme_id):
    """The board: the ranking cached per results stamp (`ranking.plain_rows`) beside the live
    application rows, quotas, budget and signed sheets. A fixed number of queries, and on a repeat
    no ranking is computed. Proposals do not move the ranking, so marking needs no new stamp."""
    programme = ranking.load_programme(programme_id)
    if programme is None:
        return None
    ranked = ranking.plain_rows(programme_id) or []
    live = _live_applications(programme_id)
    if set(live) - {item["id"] for item in ranked}:
        # An application entered review without a new stamp (it never should): rank afresh, uncached.
        ranked = ranking.plain_rows(programme_id, fresh=True) or []
    rows = [BoardRow(live[item["id"]], item["rank"], item["final"], item["values"], item["decided_by"],
                     item["shares_rank"], Progress(item["done"], item["expected"]), item["complete"])
            for item in ranked if item["id"] in live]
    result = BoardRanking(programme_id, list(programme.criteria), rows, _signed_sheets(programme_id))
    types = []
    for quota in programme.quotas:
        rows = [row for row in result.rows if row.application.studio_type == quota.studio_type]
        column = TypeBoard(quota, rows)
        ranked = [row for row in rows if row.rank is not None]
        if quota.quota and ranked:
            cut = min(quota.quota, len(ranked)) - 1
            column.cut_after = cut
            if cut + 1 < len(ranked) and ranked[cut + 1].final == ranked[cut].final \
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
        mark(actor, db.session.get(Application, row.application.id))
        proposed += 1
    return proposed
